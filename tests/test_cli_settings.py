"""The terminal and the window read one settings file: the same models folder, quantisation and
generation defaults. Each CLI run is a real process with DEEPSEEK_DESKTOP_HOME."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hub_server import HubServer
from openai_scripted_server import ANSWER, ScriptedOpenAIServer

from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.settings.store import SettingsStore, generation_params, models_dir

CLI = [sys.executable, "-m", "deepseek_desktop"]
TESTS = Path(__file__).parent
KEY = "sk-settings-5d7a19c3e2"
SMALL = "deepseek-r1-distill-qwen-1.5b"
DISTILL_REPO = "bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"


def cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=180, env=env)


def write_settings(values: dict) -> AppPaths:
    paths = AppPaths.default()  # DEEPSEEK_DESKTOP_HOME, set for every test by conftest
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"version": 1, "settings": values}), encoding="utf-8")
    return paths


def test_models_commands_use_the_models_folder_of_the_settings(tmp_path: Path):
    folder = tmp_path / "my models"
    paths = write_settings({"general.models_folder": str(folder)})
    r = cli("models", "list", "--json")
    assert r.returncode == 0, r.stderr
    assert Path(json.loads(r.stdout)["models_dir"]) == models_dir(SettingsStore(paths.settings_file), paths)
    assert Path(json.loads(r.stdout)["models_dir"]) == folder
    r = cli("models", "list", "--json", "--dir", str(tmp_path / "other"))
    assert Path(json.loads(r.stdout)["models_dir"]) == tmp_path / "other"  # an explicit --dir still wins


def test_a_damaged_settings_file_is_one_warning_line(tmp_path: Path):
    paths = AppPaths.default().ensure()
    paths.settings_file.write_text("{not json", encoding="utf-8")
    r = cli("models", "list", "--json")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("deepseek-desktop: warning:")]
    assert len(warnings) == 1 and "damaged" in warnings[0] and "Traceback" not in r.stderr
    assert Path(json.loads(r.stdout)["models_dir"]) == paths.default_models_dir


def test_a_command_opens_the_settings_once(gemma_path: Path):
    """A value the store resets is told at every start; one command says it once, however many of its parts
    (the models folder, the registry, the fit options) read the settings."""
    write_settings({"generation.context_length": "long"})
    assert cli("models", "import", str(gemma_path), "--name", "gemma").returncode == 0
    r = cli("models", "info", "gemma")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("deepseek-desktop: warning:")]
    assert len(warnings) == 1 and "generation.context_length" in warnings[0], r.stderr


def test_one_default_quantisation_for_a_bare_model_id():
    from deepseek_desktop.engine_host.device_query import probe_here
    from deepseek_desktop.models.catalogue.catalogue import load_catalogue
    from deepseek_desktop.models.catalogue.recommend import candidates, default_download, recommend, resolve_download

    catalogue, hw = load_catalogue(), probe_here()
    every = candidates(catalogue, hw, 4096)
    small = catalogue.get("deepseek-r1-distill-qwen-1.5b")
    model, chosen = resolve_download(catalogue, small.id, every)
    assert model is small and chosen is default_download(small, every)
    per_purpose = recommend(catalogue, hw, 4096).per_purpose["reasoning"]
    if per_purpose.model is small:  # the recommendation and the default download agree
        assert chosen.quant == per_purpose.quant
    # Nothing judged (or nothing that runs): the usual Q4_K_M
    assert default_download(small).quant == "Q4_K_M"
    huge = catalogue.get("deepseek-r1")
    assert default_download(huge, [c for c in every if c.model is huge and not c.fit.runs]).quant == "Q4_K_M"


@pytest.fixture
def keyring_env(tmp_path, monkeypatch) -> dict[str, str]:
    """A keyring both this process (the window's SecretStore) and the CLI process use: the OS keyring
    cannot run here, so a small file-backed backend stands in (tests/openai_file_keyring.py)."""
    monkeypatch.setenv("DEEPSEEK_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    return {"PYTHON_KEYRING_BACKEND": "openai_file_keyring.JsonFileKeyring",
            "DEEPSEEK_TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
            "PYTHONPATH": os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p)}


def window_secrets():
    from openai_file_keyring import JsonFileKeyring

    from deepseek_desktop.core.secrets import SecretStore

    return SecretStore(JsonFileKeyring())


def test_chat_finds_the_key_the_window_stored_for_a_server(keyring_env):
    with ScriptedOpenAIServer(api_key=KEY) as server:
        write_settings({"remote.endpoints": [{"name": "My cluster", "base_url": server.url, "model": "deepseek-chat"}]})
        window_secrets().set("My cluster", KEY)  # what the settings pane does when the user pastes a key
        r = cli("chat", "--base-url", server.url, "--model", "deepseek-chat", "--prompt", "Hello!",
                env_extra=keyring_env)
        assert r.returncode == 0, r.stderr
        assert "".join(ANSWER) in r.stdout
        assert server.requests[-1]["headers"]["authorization"] == f"Bearer {KEY}"


def logged_load_params(paths: AppPaths, engine: str) -> dict:
    marker = f"loading {engine} with "
    lines = [line for line in paths.log_file.read_text(encoding="utf-8").splitlines() if marker in line]
    return ast.literal_eval(lines[-1].split(marker, 1)[1])


def test_cli_and_window_resolve_the_same_values_from_one_settings_file(tmp_path, gemma_path, keyring_env):
    """One settings file: the terminal downloads into the same folder and picks the same quantisation
    as the model manager, and chats with the same generation and load values as the window."""
    from deepseek_desktop.engine_host.device_query import probe_here
    from deepseek_desktop.models.catalogue.recommend import FitOptions
    from deepseek_desktop.models.catalogue.state import assess, open_catalogue, resolve
    from deepseek_desktop.models.folder_state import read_local
    from deepseek_desktop.models.model_sources import params_for, remote_choices

    folder = tmp_path / "models elsewhere"
    paths = write_settings({
        "general.models_folder": str(folder),
        "generation.context_length": 2048, "llamacpp.kv_cache_type": "q8_0", "llamacpp.flash_attention": True,
        "generation.max_tokens": 333, "generation.temperature": 0.25, "generation.top_p": 0.8,
        "generation.top_k": 17, "generation.repeat_penalty": 1.1, "generation.system_prompt": "Be brief.",
        "llamacpp.threads": 3, "llamacpp.batch_size": 256,
        "remote.endpoints": [{"name": "Lab", "base_url": "http://127.0.0.1:1/v1", "model": "deepseek-chat"}],
    })
    # The window's services, built from the file as app.py builds them.
    settings = SettingsStore(paths.settings_file)
    state = assess(open_catalogue(paths), probe_here(), FitOptions.from_settings(settings))
    window_folder = read_local(paths, settings, state.catalogue).folder
    _, window_download = resolve(state, SMALL)
    window_gen = generation_params(settings)

    # The CLI: a real process, the same home.
    hub = HubServer()
    hub.add_repo(DISTILL_REPO, {f"DeepSeek-R1-Distill-Qwen-1.5B-{q}.gguf": gemma_path
                                for q in ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0")})
    hub.start()
    try:
        r = cli("models", "download", SMALL, "--json", env_extra={"HF_ENDPOINT": hub.url})
    finally:
        hub.stop()
    assert r.returncode == 0, r.stderr
    installed = json.loads(r.stdout.splitlines()[-1])
    assert Path(installed["path"]).is_relative_to(window_folder) and window_folder == folder
    assert installed["name"] == f"{SMALL}:{window_download.quant}"

    with ScriptedOpenAIServer(api_key=KEY) as server:
        window_secrets().set("Lab", KEY)
        r = cli("-v", "chat", "--base-url", server.url, "--key-name", "Lab", "--model", "deepseek-chat",
                "--prompt", "Hello!", env_extra=keyring_env)
        assert r.returncode == 0, r.stderr
        body = server.chat_requests()[-1]
    assert body["max_tokens"] == window_gen.max_tokens == 333
    assert body["temperature"] == window_gen.temperature and body["top_p"] == window_gen.top_p
    assert body["top_k"] == window_gen.top_k and body["repeat_penalty"] == window_gen.repeat_penalty
    assert body["messages"][0] == {"role": "system", "content": settings.get("generation.system_prompt")}
    window_load = params_for(remote_choices(settings)[0], settings)
    cli_load = logged_load_params(paths, "remote")
    for field in ("n_ctx", "n_threads", "n_batch", "n_gpu_layers", "flash_attn", "kv_cache_type"):
        assert cli_load[field] == getattr(window_load, field), field
    assert cli_load["n_ctx"] == 2048 and cli_load["n_threads"] == 3

    # A flag given on the command line wins over the setting for that run only.
    with ScriptedOpenAIServer(api_key=KEY) as server:
        r = cli("chat", "--base-url", server.url, "--key-name", "Lab", "--model", "deepseek-chat",
                "--prompt", "Hi", "--max-tokens", "7", "--temperature", "0", env_extra=keyring_env)
        assert r.returncode == 0, r.stderr
        body = server.chat_requests()[-1]
    assert body["max_tokens"] == 7 and body["temperature"] == 0 and body["top_p"] == 0.8
