"""Whatever a settings file holds, the app starts: every key of the schema with a value of every JSON type.

A value that does not fit its setting comes back as the default with the usual warning (one notice, a log
line); a value that fits is kept; the file can be written again afterwards. Bytes that are not UTF-8, a
byte order mark, a FIFO or a relative folder are cases of the same rule.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.settings.schema import SettingsSchema, SettingType
from deepseek_desktop.core.settings.store import SettingsStore, generation_params, load_params, models_dir

SCHEMA = SettingsSchema()

# One value of every JSON type and the shapes that have broken readers before: an unhashable list or
# object where a choice is expected, numbers out of any range, a lone surrogate (valid JSON escape,
# not valid Unicode text), NUL and line breaks, relative and absolute paths.
JSON_VALUES = {
    "null": None, "true": True, "false": False, "zero": 0, "negative": -1, "int": 7, "huge-int": 10 ** 40,
    "float": 0.5, "huge-float": 1e308, "nan": float("nan"), "infinity": float("inf"), "empty-text": "",
    "text": "dark", "lone-surrogate": "\ud800", "nul": "a\x00b", "line-break": "a\nb",
    "relative-path": "../../..", "absolute-path": "/tmp/models", "empty-list": [], "list": ["de"],
    "list-of-objects": [{"name": "x"}], "empty-object": {}, "object": {"value": "de"},
    "nested": [[[{"a": [None]}]]],
}
CASES = [pytest.param(spec.key, value, id=f"{spec.key}={name}")
         for spec in SCHEMA for name, value in JSON_VALUES.items()]


def write(path: Path, settings: dict, **extra) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "settings": settings, **extra}), encoding="utf-8")


def accepted(key: str, value) -> bool:
    """What the schema itself says of the value (``validate`` must answer, never raise anything else)."""
    try:
        SCHEMA.spec(key).validate(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("key", "value"), CASES)
def test_every_setting_holding_any_json_value(tmp_path, key, value, caplog):
    path = tmp_path / "settings.json"
    other, kept = ("general.theme", "dark") if key != "general.theme" else ("generation.top_k", 20)
    write(path, {key: value, other: kept})
    with caplog.at_level(logging.WARNING, logger="deepseek_desktop.core.settings.store"):
        store = SettingsStore(path)
    spec = SCHEMA.spec(key)
    notices = store.take_notices()
    if accepted(key, value):
        assert notices == [] and store.get(key) == spec.validate(value)
    else:
        [notice] = notices
        assert notice.message_id == "settings.values_reset" and notice.params["keys"] == key
        assert store.get(key) == spec.default and store.is_default(key)
        assert key in caplog.text
    assert store.get(other) == kept, "the other values are kept"
    spec.validate(store.get(key))  # what the app reads always fits the setting
    # what the rest of the app builds from the settings, and the file written again
    generation_params(store), load_params(store, "m.gguf"), models_dir(store, AppPaths.default())
    store.set("generation.temperature", 0.3)
    again = SettingsStore(path)
    assert again.take_notices() == [] and again.get("generation.temperature") == 0.3


@pytest.mark.parametrize("key", [s.key for s in SCHEMA if s.type is SettingType.CHOICE])
def test_a_choice_is_one_of_its_values_whatever_the_type(key):
    spec = SCHEMA.spec(key)
    for value in JSON_VALUES.values():
        if value not in [c.value for c in spec.choices]:
            with pytest.raises(ValueError):
                spec.validate(value)


@pytest.mark.parametrize("key", [s.key for s in SCHEMA if s.type in (SettingType.STRING, SettingType.TEXT,
                                                                       SettingType.PATH)])
def test_text_that_is_not_unicode_is_refused_when_set(tmp_path, key):
    """A lone surrogate cannot be written as UTF-8: refused where it comes in, not when it is saved."""
    from deepseek_desktop.core.settings.store import SettingsError

    store = SettingsStore(tmp_path / "settings.json")
    with pytest.raises(SettingsError) as info:
        store.set(key, "a\udc80b")
    assert info.value.message_id == "settings.invalid_value"


def test_a_relative_models_folder_is_refused_and_a_home_folder_is_expanded(tmp_path):
    path = tmp_path / "settings.json"
    write(path, {"general.models_folder": "../../.."})
    store = SettingsStore(path)
    [notice] = store.take_notices()
    assert notice.params["keys"] == "general.models_folder"
    assert models_dir(store, AppPaths.default()) == AppPaths.default().default_models_dir
    assert models_dir(store, AppPaths.default()).is_absolute()
    store.set("general.models_folder", "~/Models")
    assert models_dir(store, AppPaths.default()) == Path.home() / "Models"


def test_values_of_unknown_keys_and_the_state_that_are_not_unicode_are_dropped(tmp_path):
    """They would be written back as they are, and a lone surrogate cannot be written as UTF-8."""
    path = tmp_path / "settings.json"
    write(path, {"from.a.newer.version": ["\ud800"], "also.newer": "kept", "x\udc80": 1},
          state={"last_model": "\udfff", "window_geometry": "AdnQywAD"})
    store = SettingsStore(path)
    store.set("general.theme", "dark")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["settings"] == {"also.newer": "kept", "general.theme": "dark"}
    assert data["state"] == {"window_geometry": "AdnQywAD"}


def test_a_byte_order_mark_is_read_past(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"settings": {"general.theme": "dark"}}).encode())
    store = SettingsStore(path)
    assert store.take_notices() == [] and store.get("general.theme") == "dark"


def test_one_bad_byte_spoils_only_the_value_it_is_in(tmp_path):
    path = tmp_path / "settings.json"
    text = json.dumps({"settings": {"general.theme": "dark", "generation.system_prompt": "Sei kurz X",
                                    "generation.temperature": 0.2}})
    path.write_bytes(text.encode().replace(b"X", b"\xff"))
    store = SettingsStore(path)
    [notice] = store.take_notices()
    assert notice.message_id == "settings.values_reset" and notice.params["keys"] == "generation.system_prompt"
    assert store.get("general.theme") == "dark" and store.get("generation.temperature") == 0.2
    assert store.get("generation.system_prompt") == ""
    assert not list(tmp_path.glob("settings.json.corrupt-*")), "the file is not thrown away"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_as_settings_file_is_not_opened_for_reading(tmp_path):
    """Opening a FIFO for reading waits for a writer: forever. It is out of reach, like a folder there."""
    path = tmp_path / "settings.json"
    os.mkfifo(path)
    box = {}
    worker = threading.Thread(target=lambda: box.update(store=SettingsStore(path)), daemon=True)
    worker.start()
    worker.join(60)  # a hang guard only
    if worker.is_alive():  # let the reader go, or the test process would hang at its end
        with open(path, "wb"):
            pass
        pytest.fail("reading a FIFO as the settings file hangs")
    [notice] = box["store"].take_notices()
    assert notice.message_id == "settings.unreadable"
    box["store"].set("general.theme", "dark")  # this session only: nothing is written over it
    assert path.is_fifo()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_every_command_runs_with_a_fifo_as_settings_file(tmp_path):
    paths = AppPaths.default().ensure()
    os.mkfifo(paths.settings_file)
    r = subprocess.run([sys.executable, "-m", "deepseek_desktop", "models", "list", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "cannot be read" in r.stderr and "Traceback" not in r.stderr


def test_every_command_runs_with_lists_in_the_choice_settings():
    paths = AppPaths.default().ensure()
    write(paths.settings_file, {s.key: [] for s in SCHEMA if s.type is SettingType.CHOICE})
    for args in (["models", "list", "--json"], ["chat", "--prompt", "hi", "--words-per-second", "1000"]):
        r = subprocess.run([sys.executable, "-m", "deepseek_desktop", *args], capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr and "unhashable" not in r.stderr
        [warning] = [line for line in r.stderr.splitlines() if line.startswith("deepseek-desktop: warning:")]
        assert "general.language" in warning and "llamacpp.kv_cache_type" in warning


def test_a_lone_surrogate_as_system_prompt_in_the_cli():
    paths = AppPaths.default().ensure()
    write(paths.settings_file, {"generation.system_prompt": "\ud800"})
    r = subprocess.run([sys.executable, "-m", "deepseek_desktop", "chat", "--prompt", "hi",
                        "--words-per-second", "1000"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "generation.system_prompt" in r.stderr


def test_the_window_starts_and_sends_with_lists_in_the_choice_settings_and_a_lone_surrogate(make_gui):
    from test_gui_chat import send_and_wait

    paths = AppPaths.default().ensure()
    write(paths.settings_file, {**{s.key: {"a": []} for s in SCHEMA if s.type is SettingType.CHOICE},
                                "generation.system_prompt": "\ud800"})
    gui = make_gui(words_per_second=1000)
    assert gui.settings.get("general.language") == "system"
    assert gui.settings.get("generation.system_prompt") == ""
    send_and_wait(gui, "Hallo")
    assert [w.item.role for w in gui.window.chat_view.widgets] == ["user", "assistant"]
    assert gui.window.chat_view.widgets[1].item.content
