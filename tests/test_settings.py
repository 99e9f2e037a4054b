"""Settings: the schema as data, validation, real JSON files (good, damaged, unreadable), callbacks."""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.requests import GenerationParams, LoadParams
from deepseek_desktop.core.settings import schema as settings_schema
from deepseek_desktop.core.settings.schema import (
    SettingSpec,
    SettingsSchema,
    SettingType,
    SettingValueError,
)
from deepseek_desktop.core.settings.store import (
    STATE_LAST_CONVERSATION,
    STATE_WINDOW_GEOMETRY,
    SettingsError,
    SettingsStore,
    generation_params,
    load_params,
    models_dir,
)
from deepseek_desktop.core.vocabulary import Engine
from deepseek_desktop.engines.llamacpp import CACHE_TYPES
from deepseek_desktop.engines.simulator import DEFAULT_WORDS_PER_SECOND

SCHEMA_SOURCE = Path(settings_schema.__file__)


@pytest.fixture
def paths() -> AppPaths:
    return AppPaths.default()


@pytest.fixture
def path(paths) -> Path:
    return paths.settings_file


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")


# -- the schema --


def test_schema_has_every_setting_the_app_needs():
    schema = SettingsSchema()
    keys = {s.key for s in schema}
    assert keys == {
        "general.language", "general.theme", "general.default_engine", "general.models_folder",
        "general.ram_disk", "generation.temperature", "generation.top_p", "generation.top_k",
        "generation.repeat_penalty", "generation.max_tokens", "generation.context_length",
        "generation.system_prompt", "llamacpp.device", "llamacpp.gpu_layers", "llamacpp.experts_in_ram",
        "llamacpp.threads",
        "llamacpp.batch_size",
        "llamacpp.flash_attention", "llamacpp.kv_cache_type", "llamacpp.prompt_lookup", "llamacpp.draft_model",
        "llamacpp.state_cache",
        "llamacpp.state_cache_disk_mb", "llamacpp.state_cache_memory_mb", "remote.endpoints",
        "simulator.words_per_second", "server.enabled", "server.host", "server.openai_port",
        "server.ollama_port", "server.allowed_origins", "server.queue_limit", "server.max_body_mb",
        "server.simulator_fallback", "thinking.mode", "thinking.budget_tokens", "thinking.effort_low",
        "thinking.effort_medium", "thinking.effort_high",
    }
    assert [c.value for c in schema.spec("thinking.mode").choices] == ["unlimited", "budget", "off"]
    assert schema.spec("server.enabled").default is False and schema.spec("server.host").default == "127.0.0.1"
    assert (schema.spec("server.openai_port").default, schema.spec("server.ollama_port").default) == (1338, 11435)
    assert (schema.spec("server.queue_limit").default, schema.spec("server.max_body_mb").default) == (16, 4)
    assert [c.value for c in schema.spec("general.language").choices] == ["system", "de", "en"]
    assert [c.value for c in schema.spec("general.theme").choices] == ["system", "light", "dark"]
    assert [c.value for c in schema.spec("general.default_engine").choices] == ["auto", *Engine]
    assert tuple(c.value for c in schema.spec("llamacpp.kv_cache_type").choices) == tuple(CACHE_TYPES)
    ranges = {k: (schema.spec(k).minimum, schema.spec(k).maximum) for k in (
        "generation.temperature", "generation.top_p", "generation.top_k", "generation.repeat_penalty",
        "llamacpp.gpu_layers")}
    assert ranges == {"generation.temperature": (0, 2), "generation.top_p": (0, 1), "generation.top_k": (0, 200),
                      "generation.repeat_penalty": (0.5, 2), "llamacpp.gpu_layers": (-1, 999)}
    assert schema.spec("generation.system_prompt").type is SettingType.TEXT
    assert all(s.key.split(".")[0] != "secrets" and "key" not in s.key for s in schema)  # no API keys here
    assert {s.group for s in schema} == {g.name for g in schema.groups}
    assert schema.in_group("llamacpp")[0].key == "llamacpp.device"


def test_defaults_follow_the_engine_defaults():
    schema = SettingsSchema()
    gen, load = GenerationParams(), LoadParams()
    assert schema.spec("generation.temperature").default == gen.temperature
    assert schema.spec("generation.max_tokens").default == gen.max_tokens
    assert schema.spec("generation.context_length").default == load.n_ctx
    assert schema.spec("llamacpp.batch_size").default == load.n_batch
    assert schema.spec("simulator.words_per_second").default == DEFAULT_WORDS_PER_SECOND


def test_a_broken_schema_is_caught_when_it_is_built():
    bad = SettingSpec("x.y", SettingType.INT, 500, "X", "general", minimum=0, maximum=10)
    with pytest.raises(SettingValueError):
        SettingsSchema((bad,))
    with pytest.raises(ValueError, match="unknown group"):
        SettingsSchema((SettingSpec("x.y", SettingType.BOOL, False, "X", "nowhere"),))


@pytest.mark.parametrize("key,value,expected", [
    ("generation.temperature", 1, 1.0), ("generation.temperature", 2.0, 2.0), ("generation.top_k", 40.0, 40),
    ("llamacpp.gpu_layers", -1, -1), ("general.models_folder", "  ~/Modelle  ", "~/Modelle"),
    ("generation.system_prompt", "Zeile 1\nZeile 2", "Zeile 1\nZeile 2"), ("general.language", "de", "de"),
])
def test_valid_values_are_normalised(key, value, expected):
    result = SettingsSchema().spec(key).validate(value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("key,value", [
    ("generation.temperature", 2.5), ("generation.temperature", -0.1), ("generation.temperature", "0.7"),
    ("generation.temperature", float("nan")), ("generation.temperature", True), ("generation.top_p", 1.01),
    ("generation.top_k", 201), ("generation.top_k", 4.5), ("llamacpp.gpu_layers", -2),
    ("llamacpp.flash_attention", 1), ("llamacpp.kv_cache_type", "q2_k"), ("general.language", "fr"),
    ("general.theme", None), ("general.models_folder", "a\nb"), ("remote.endpoints", {"name": "x"}),
])
def test_invalid_values_are_refused(key, value):
    with pytest.raises(SettingValueError):
        SettingsSchema().spec(key).validate(value)


def test_endpoints_need_unique_names_and_http_urls_and_never_keep_a_key():
    spec = SettingsSchema().spec("remote.endpoints")
    good = spec.validate([{"name": " DeepSeek ", "base_url": "https://api.deepseek.com/v1 ", "model": "deepseek-chat",
                           "api_key": "sk-should-not-be-here"}])
    assert good == [{"name": "DeepSeek", "base_url": "https://api.deepseek.com/v1", "model": "deepseek-chat"}]
    for bad in (
        [{"name": "a", "base_url": "ftp://x", "model": "m"}],
        [{"name": "a", "base_url": "http://", "model": "m"}],
        [{"name": "a", "base_url": "http://[::1", "model": "m"}],
        [{"name": "a", "base_url": "http://h:99999/v1", "model": "m"}],
        [{"name": "a", "base_url": "http://h:port/v1", "model": "m"}],
        [{"name": "", "base_url": "http://localhost:8080/v1", "model": "m"}],
        [{"name": "a", "base_url": "http://h/v1", "model": "m"},
         {"name": "a", "base_url": "http://g/v1", "model": "m"}],
        [{"name": "a", "base_url": "http://h/v1", "model": 3}],
        ["http://h/v1"],
    ):
        with pytest.raises(SettingValueError):
            spec.validate(bad)


def test_every_label_is_a_literal_translate_mark_that_lupdate_can_find():
    marked = set()
    for node in ast.walk(ast.parse(SCHEMA_SOURCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QT_TRANSLATE_NOOP":
            context, text = node.args
            assert isinstance(context, ast.Constant) and context.value == "Settings"
            assert isinstance(text, ast.Constant) and isinstance(text.value, str)
            marked.add(text.value)
    schema = SettingsSchema()
    shown = {g.label for g in schema.groups}
    for spec in schema:
        shown |= {spec.label, *(c.label for c in spec.choices)}
        shown |= {t for t in (spec.help, spec.minimum_label) if t}
    assert shown <= marked


LUPDATE = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-lupdate")


@pytest.mark.skipif(LUPDATE is None, reason="pyside6-lupdate is not installed")
def test_pyside6_lupdate_extracts_the_labels(tmp_path):
    ts = tmp_path / "check.ts"
    subprocess.run([LUPDATE, str(SCHEMA_SOURCE), "-ts", str(ts)], check=True, capture_output=True, timeout=120)
    text = ts.read_text(encoding="utf-8")
    assert "<name>Settings</name>" in text
    for source in ("Temperature", "Deutsch", "K/V cache precision", "Automatic", "Dark"):
        assert f"<source>{source}</source>" in text


# -- the store --


def test_defaults_without_a_file_and_no_file_written_until_a_change(path):
    store = SettingsStore(path)
    assert store.get("generation.temperature") == 0.6
    assert store.get("general.language") == "system"
    assert store.take_notices() == []
    assert not path.exists()
    assert store.values()["remote.endpoints"] == []


def test_changes_persist_and_only_set_values_are_written(path):
    store = SettingsStore(path)
    store.set("generation.temperature", 0.9)
    store.set("general.language", "de")
    store.set_state(STATE_LAST_CONVERSATION, 42)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"version": 1, "settings": {"generation.temperature": 0.9, "general.language": "de"},
                    "state": {STATE_LAST_CONVERSATION: 42}}
    again = SettingsStore(path)
    assert again.get("generation.temperature") == 0.9 and again.get("general.language") == "de"
    assert again.get_state(STATE_LAST_CONVERSATION) == 42
    assert again.is_default("generation.top_p") and not again.is_default("general.language")
    again.reset("general.language")
    assert SettingsStore(path).get("general.language") == "system"
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary files left


def test_a_refused_value_changes_nothing(path):
    store = SettingsStore(path)
    store.set("generation.top_k", 20)
    before = path.read_bytes()
    with pytest.raises(SettingsError) as err:
        store.set_many({"generation.top_p": 0.5, "generation.top_k": 999})
    assert err.value.message_id == "settings.invalid_value" and err.value.params == {"key": "generation.top_k"}
    assert store.get("generation.top_p") == 0.95 and store.get("generation.top_k") == 20
    assert path.read_bytes() == before
    with pytest.raises(KeyError):
        store.set("no.such.setting", 1)


def test_damaged_values_fall_back_to_defaults_with_a_warning_and_a_notice(path, caplog):
    write(path, {"version": 1, "settings": {
        "generation.temperature": 7.5, "generation.top_k": "viele", "general.theme": "neon",
        "llamacpp.flash_attention": "yes", "general.language": "de", "generation.max_tokens": 1024,
    }, "state": {STATE_WINDOW_GEOMETRY: "AdnQywAD"}})
    with caplog.at_level(logging.WARNING, logger="deepseek_desktop.core.settings.store"):
        store = SettingsStore(path)
    assert store.get("generation.temperature") == 0.6 and store.get("generation.top_k") == 40
    assert store.get("general.theme") == "system" and store.get("llamacpp.flash_attention") is True
    assert store.get("general.language") == "de" and store.get("generation.max_tokens") == 1024  # good ones kept
    assert store.get_state(STATE_WINDOW_GEOMETRY) == "AdnQywAD"
    [notice] = store.take_notices()
    assert notice.message_id == "settings.values_reset"
    assert set(notice.params["keys"].split(", ")) == {
        "generation.temperature", "generation.top_k", "general.theme", "llamacpp.flash_attention"}
    assert store.take_notices() == []  # shown once
    assert "generation.temperature" in caplog.text and "above the maximum" in caplog.text


@pytest.mark.parametrize("content", [
    b"{\"settings\": {\"generation.temperature\": 0.7", b"\x00\xff\xfe garbage \x80", b"", b"[1, 2, 3]",
    b"{\"settings\": [\"not\", \"an\", \"object\"]}", b"[" * 100_000, b"{\"settings\": " + b"{\"a\": " * 100_000,
], ids=["cut-off", "binary", "empty", "array", "settings-not-object", "deeply-nested-array", "deeply-nested-object"])
def test_a_damaged_file_is_moved_aside_and_defaults_are_used(path, content):
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    store = SettingsStore(path)
    [notice] = store.take_notices()
    assert notice.message_id == "settings.corrupt"
    moved = Path(notice.params["path"])
    assert moved.name.startswith("settings.json.corrupt-") and moved.read_bytes() == content
    assert not path.exists()
    assert store.get("generation.temperature") == 0.6
    store.set("generation.temperature", 0.8)  # a fresh, good file replaces it
    assert SettingsStore(path).get("generation.temperature") == 0.8
    assert moved.read_bytes() == content


def test_a_second_damaged_file_in_the_same_second_does_not_overwrite_the_first(path):
    path.parent.mkdir(parents=True)
    moved = []
    for content in (b"{broken one", b"{broken two"):
        path.write_bytes(content)
        moved.append(Path(SettingsStore(path).take_notices()[0].params["path"]))
    assert moved[0] != moved[1] and moved[0].read_bytes() == b"{broken one"


def test_a_folder_in_place_of_the_file_cannot_be_read_and_is_left_alone(path):
    path.mkdir(parents=True)  # reading fails with an OSError: out of reach, not damaged
    (path / "keep.txt").write_text("mine")
    store = SettingsStore(path)
    [notice] = store.take_notices()
    assert notice.message_id == "settings.unreadable" and Path(notice.params["path"]) == path
    assert "cannot be read" in notice.text()
    store.set("general.theme", "dark")  # applies for this session, and writes nothing over the folder
    assert store.get("general.theme") == "dark"
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]
    assert (path / "keep.txt").read_text() == "mine"
    assert SettingsStore(path).take_notices()[0].message_id == "settings.unreadable"


READ_WITHOUT_PERMISSION = """
import json, sys
from pathlib import Path
from deepseek_desktop.core.settings.store import SettingsStore
store = SettingsStore(Path(sys.argv[1]))
notices = [n.message_id for n in store.take_notices()]
store.set("generation.temperature", 0.9)
print(json.dumps({"notices": notices, "theme": store.get("general.theme")}))
"""


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_valid_file_without_read_permission_is_reported_not_moved_or_overwritten(path):
    write(path, {"settings": {"general.theme": "dark"}})
    before = path.read_bytes()
    path.chmod(0)
    command = [sys.executable, "-c", READ_WITHOUT_PERMISSION, str(path)]
    if os.geteuid() == 0:  # root reads anything; without these two capabilities it obeys file modes
        if not shutil.which("setpriv"):
            pytest.skip("setpriv is needed to drop root's permission override")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    result = json.loads(out.stdout)
    assert result == {"notices": ["settings.unreadable"], "theme": "system"}
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]  # not moved aside
    path.chmod(0o600)
    assert path.read_bytes() == before  # and the change was not written over it


def test_keys_from_a_newer_version_are_kept_when_saving(path):
    write(path, {"version": 2, "settings": {"future.feature": {"on": True}, "general.theme": "dark"}})
    store = SettingsStore(path)
    assert store.take_notices() == []
    store.set("general.language", "en")
    saved = json.loads(path.read_text(encoding="utf-8"))["settings"]
    assert saved == {"future.feature": {"on": True}, "general.theme": "dark", "general.language": "en"}


def test_a_failed_save_is_reported_and_the_value_still_applies(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    store = SettingsStore(blocker / "settings.json")
    with pytest.raises(SettingsError) as err:
        store.set("general.theme", "dark")
    assert err.value.message_id == "settings.save_failed"
    assert store.get("general.theme") == "dark"


def test_observers_hear_about_real_changes_only(path, caplog):
    store = SettingsStore(path)
    heard = []
    store.subscribe(lambda key, value: heard.append((key, value)))

    def broken(key, value):
        raise RuntimeError("listener bug")

    store.subscribe(broken)
    later = []
    unsubscribe = store.subscribe(lambda key, value: later.append(key))
    with caplog.at_level(logging.ERROR):
        store.set("general.language", "de")  # live language switch
        store.set("general.language", "de")  # no change, no call
        unsubscribe()
        store.set_many({"general.theme": "dark", "generation.top_k": 40})  # top_k is already 40
        store.reset("general.theme")
    assert heard == [("general.language", "de"), ("general.theme", "dark"), ("general.theme", "system")]
    assert later == ["general.language"]
    assert "listener bug" in caplog.text


def test_returned_lists_are_copies(path):
    store = SettingsStore(path)
    store.set("remote.endpoints", [{"name": "Lokal", "base_url": "http://127.0.0.1:8080/v1", "model": "r1"}])
    endpoints = store.get("remote.endpoints")
    endpoints[0]["name"] = "verändert"
    endpoints.append({})
    assert store.get("remote.endpoints") == [{"name": "Lokal", "base_url": "http://127.0.0.1:8080/v1", "model": "r1"}]


def test_ui_state_must_be_json_and_none_forgets(path):
    store = SettingsStore(path)
    with pytest.raises(TypeError):
        store.set_state(STATE_WINDOW_GEOMETRY, b"\x01\x02")
    store.set_state(STATE_WINDOW_GEOMETRY, "AQI=")
    store.set_state(STATE_WINDOW_GEOMETRY, None)
    assert SettingsStore(path).get_state(STATE_WINDOW_GEOMETRY, "default") == "default"


def test_parameters_for_the_engines_come_from_the_settings(path, paths):
    store = SettingsStore(path)
    store.set_many({"generation.temperature": 0.3, "generation.top_k": 0, "llamacpp.threads": 0,
                    "llamacpp.gpu_layers": -1, "llamacpp.kv_cache_type": "q8_0", "generation.context_length": 8192,
                    "simulator.words_per_second": 100.0})
    gen = generation_params(store)
    assert (gen.temperature, gen.top_k, gen.top_p) == (0.3, 0, 0.95)
    load = load_params(store, "/models/r1.gguf")
    assert (load.model, load.n_threads, load.n_gpu_layers, load.kv_cache_type, load.n_ctx, load.words_per_second) == (
        "/models/r1.gguf", None, -1, "q8_0", 8192, 100.0)
    assert models_dir(store, paths) == paths.default_models_dir
    store.set("general.models_folder", "~/Modelle")
    assert models_dir(store, paths) == Path("~/Modelle").expanduser()
