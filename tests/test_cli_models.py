"""``deepseek-desktop models ...`` and ``doctor`` as a user runs them (a real process each time)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_gguf
from gguf_craft import MALFORMED
from hub_server import HubServer
from hub_tmpfs import small_tmpfs_fixture  # noqa: F401 - the small_tmpfs fixture

CLI = [sys.executable, "-m", "deepseek_desktop"]
DISTILL_REPO = "bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"
QUANTS = ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0")


def cli(*args, env_extra: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=timeout, env=env)


def one_error_line(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deepseek-desktop: error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def hub(gemma_path):
    server = HubServer()
    # The Gemma file stands in for every quantisation of the 1.5B distill: real GGUF bytes, real hashes.
    server.add_repo(DISTILL_REPO, {f"DeepSeek-R1-Distill-Qwen-1.5B-{q}.gguf": gemma_path for q in QUANTS})
    server.start()
    yield server
    server.stop()


def test_catalog_offline_json():
    r = cli("models", "catalog", "--offline", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["refreshed"] is False
    r1 = next(m for m in data["models"] if m["id"] == "deepseek-r1")
    assert r1["moe"] and r1["params_active"] == 37_000_000_000
    assert all(q["split"] for q in r1["gguf"]["quants"])


def test_catalog_refreshes_sizes_from_the_hub(hub, gemma_path):
    r = cli("models", "catalog", env_extra={"HF_ENDPOINT": hub.url})
    assert r.returncode == 0, r.stderr
    assert "from the Hugging Face Hub" in r.stderr
    r = cli("models", "catalog", "--json", "--offline")  # the refreshed sizes were cached
    model = next(m for m in json.loads(r.stdout)["models"] if m["id"] == "deepseek-r1-distill-qwen-1.5b")
    q4 = next(q for q in model["gguf"]["quants"] if q["quant"] == "Q4_K_M")
    assert q4["size"] == gemma_path.stat().st_size and q4["exact"]


def test_catalog_without_network_uses_its_own_values():
    r = cli("models", "catalog", env_extra={"HF_ENDPOINT": closed_port_url()})
    assert r.returncode == 0 and "not reachable" in r.stderr
    assert "deepseek-r1-distill-llama-70b" in r.stdout


def test_doctor(tmp_path):
    r = cli("doctor", "--json", "--dir", str(tmp_path / "models"))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["hardware"]["ram_total_bytes"] > 0 and data["hardware"]["cpu_logical_cores"] >= 1
    assert data["models_dir"]["folder"] == str(tmp_path / "models") and data["models_dir"]["exists"] is False
    assert data["models_dir"]["free_bytes"] > 0 and data["models_dir"]["free_inodes"] > 0
    assert data["engines"]["llamacpp"]["available"] and data["engines"]["llamacpp"]["version"]
    r = cli("doctor")
    assert r.returncode == 0 and "Models folder:" in r.stdout and "free inodes" in r.stdout


def test_info_of_a_gguf_with_its_fit(gemma_path):
    r = cli("models", "info", str(gemma_path), "--json", "--ctx", "4096")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["architecture"] == "gemma3" and data["quantization"] == "Q4_K_M"
    assert data["has_chat_template"] is False and data["fit"]["verdict"] == "cpu"
    assert data["fit"]["estimate"]["n_ctx"] == 4096
    r = cli("models", "info", str(gemma_path))
    assert "chat template: no" in r.stdout and "CPU only" in r.stdout
    r = cli("models", "fit", str(gemma_path), "--ctx", "2048", "--json")  # a GGUF on disk: its metadata
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["fit"]["estimate"]["kv_cache_bytes"] == 18 * 2048 * 1 * (256 + 256) * 2


@pytest.mark.parametrize("kind, words", [
    ("random", "Not a GGUF"),
    ("half", "gemma-cut-in-half.gguf is incomplete: 127 MB of 253 MB are there"),
    ("missing", "not found"), ("magic", "Not a GGUF")])
def test_info_of_bad_files(bad_models, kind, words):
    line = one_error_line(cli("models", "info", str(bad_models[kind])))
    assert words in line and bad_models[kind].name in line and str(bad_models[kind].parent) in line


def test_fit_and_bad_ids():
    r = cli("models", "fit", "deepseek-r1-distill-qwen-7b:Q4_K_M", "--ctx", "4096", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    (row,) = data["fits"]
    assert row["quant"] == "Q4_K_M" and row["estimate"]["kv_cache_bytes"] == 28 * 4 * 256 * 2 * 4096
    assert "Unknown model: deepseek-r42" in one_error_line(cli("models", "fit", "deepseek-r42"))
    assert "has no Q7_K download" in one_error_line(cli("models", "fit", "deepseek-r1:Q7_K"))
    assert "has no Q7_K download" in one_error_line(cli("models", "download", "deepseek-r1:Q7_K"))


def test_fit_flags_take_the_settings_ranges_and_choices():
    """--ctx and --cache-type stand for settings: what the settings pane refuses, the command refuses too."""
    r = cli("models", "fit", "deepseek-r1-distill-qwen-7b:Q4_K_M", "--ctx", "100")
    assert r.returncode == 2 and "--ctx: 100 is below the minimum 512" in r.stderr and "Traceback" not in r.stderr
    r = cli("models", "fit", "deepseek-r1-distill-qwen-7b:Q4_K_M", "--cache-type", "q5_1")
    assert r.returncode == 2 and "invalid choice: 'q5_1'" in r.stderr


def test_fit_of_a_671b_model_on_this_machine_names_the_remote_route():
    r = cli("models", "fit", "deepseek-v3", "--json")
    data = json.loads(r.stdout)
    assert all(f["verdict"] == "no_fit" for f in data["fits"])
    assert data["remote"]["api_model"] == "deepseek-chat"
    r = cli("models", "fit", "deepseek-v3")
    assert "DeepSeek's API" in r.stdout and "does not fit" in r.stdout


def test_recommend():
    r = cli("models", "recommend", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["best"] is None or data["best"]["fit"]["verdict"] != "no_fit"
    assert {x["model"] for x in data["remote"]} >= {"deepseek-r1", "deepseek-v3"}
    r = cli("models", "recommend")
    assert "instead of downloading it" in r.stdout
    # the level and the wait for a typical answer, in the text and in the JSON
    if data["best"] is not None:
        speed = data["best"]["speed"]
        assert speed["level"] in ("fast", "usable", "slow") and speed["wait_s"] > 0
        level = speed["level"]
        assert re.search(rf"^  {level}: about [\d.]+ tokens/s, about \d+ (s|min|h \d+ min) for [\d,]+ tokens$",
                         r.stdout, re.M), r.stdout
        assert data["advice"]["cpu_quant"] == "Q4_K_M"
    for purpose in data["per_purpose"]:
        assert re.search(rf"^  for {purpose}: .*; (fast|usable|slow): about .* for [\d,]+ tokens\)$", r.stdout, re.M)


def test_fit_prints_the_speed_level_and_the_wait():
    r = cli("models", "fit", "deepseek-r1-distill-qwen-1.5b:Q4_K_M")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^ +(fast|usable|slow): about [\d.]+ tokens/s, about .+ for 1,000 tokens$", r.stdout, re.M), \
        r.stdout
    data = json.loads(cli("models", "fit", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--json").stdout)
    assert data["fits"][0]["speed"]["answer_tokens"] == 1000
    giant = json.loads(cli("models", "fit", "deepseek-v3", "--json").stdout)
    assert {f["speed"]["level"] for f in giant["fits"]} == {"does_not_fit"}


def test_download_list_remove(hub, gemma_path, app_home):
    env = {"HF_ENDPOINT": hub.url}
    r = cli("models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--json", env_extra=env)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert lines[0]["type"] == "progress" and lines[-1]["type"] == "installed"
    path = Path(lines[-1]["path"])
    assert path.is_file() and path.is_relative_to(app_home / "data" / "models")

    listed = json.loads(cli("models", "list", "--json").stdout)
    assert [m["name"] for m in listed["installed"]] == ["deepseek-r1-distill-qwen-1.5b:Q4_K_M"]
    assert listed["installed"][0]["present"] and listed["unregistered"] == []
    again = cli("models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", env_extra=env)
    assert "already installed" in one_error_line(again)

    r = cli("models", "remove", "deepseek-r1-distill-qwen-1.5b:Q4_K_M")
    assert r.returncode == 0 and not path.exists()
    assert json.loads(cli("models", "list", "--json").stdout)["installed"] == []


def test_download_without_quant_picks_one_that_fits(hub):
    r = cli("models", "download", "deepseek-r1-distill-qwen-1.5b", env_extra={"HF_ENDPOINT": hub.url})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Installed deepseek-r1-distill-qwen-1.5b:Q")


def test_download_without_network():
    line = one_error_line(cli("models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M",
                              env_extra={"HF_ENDPOINT": closed_port_url()}))
    assert "Cannot reach the model server" in line


def test_download_without_space(hub, small_tmpfs):
    folder = small_tmpfs(size="32m", inodes=1000)
    line = one_error_line(cli("models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--dir", str(folder),
                              env_extra={"HF_ENDPOINT": hub.url}))
    assert "Not enough free space" in line and str(folder) in line
    assert hub.ranges() == []


def test_import_and_remove_rules(gemma_path, tmp_path, app_home):
    r = cli("models", "import", str(gemma_path), "--json")
    assert r.returncode == 0, r.stderr
    registered = json.loads(r.stdout.splitlines()[-1])
    assert registered["path"] == str(gemma_path.resolve()) and registered["engine"] == "llamacpp"

    line = one_error_line(cli("models", "remove", registered["name"]))
    assert "not inside the models folder" in line and gemma_path.exists()
    r = cli("models", "remove", registered["name"], "--forget")
    assert r.returncode == 0 and gemma_path.exists()

    stray = make_gguf(tmp_path / "stray.gguf")
    line = one_error_line(cli("models", "remove", str(stray)))
    assert "not inside the models folder" in line and stray.exists()

    copy = cli("models", "import", str(stray), "--copy", "--name", "stray-copy", "--json")
    copied = Path(json.loads(copy.stdout.splitlines()[-1])["path"])
    assert copied.is_relative_to(app_home / "data" / "models") and stray.exists()
    assert cli("models", "remove", "stray-copy").returncode == 0 and not copied.exists()
    assert "No installed model is called nothing" in one_error_line(cli("models", "remove", "nothing"))


def test_importing_the_same_model_twice_keeps_one_entry(gemma_path, tmp_path, app_home):
    first = json.loads(cli("models", "import", str(gemma_path), "--json").stdout.splitlines()[-1])
    again = cli("models", "import", str(gemma_path))
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"Already installed as {first['name']}. ({first['path']})"
    twin = tmp_path / "twin.gguf"
    twin.write_bytes(gemma_path.read_bytes())
    r = cli("models", "import", str(twin), "--copy", "--json")
    assert r.returncode == 0, r.stderr
    said = json.loads(r.stdout.splitlines()[-1])
    assert said["type"] == "already_installed" and said["name"] == first["name"]
    listed = json.loads(cli("models", "list", "--json").stdout)
    assert [m["path"] for m in listed["installed"]] == [first["path"]]
    assert not (app_home / "data" / "models" / "twin.gguf").exists(), "nothing copied"


def test_import_of_a_bad_file(bad_models):
    line = one_error_line(cli("models", "import", str(bad_models["half"]), "--copy"))
    assert "gemma-cut-in-half.gguf is incomplete" in line


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_info_and_import_of_a_malformed_header(tmp_path, kind):
    path = MALFORMED[kind](tmp_path / f"{kind}.gguf")
    for command in ("info", "import"):
        line = one_error_line(cli("models", command, str(path)))
        assert line == (f"deepseek-desktop: error: The header of {path.name} is damaged: it cannot be read as a GGUF "
                        f"model file (in {path.parent}).")


def _part_file(app_home: Path, repo: str, name: str) -> Path:
    return app_home / "data" / "models" / ".downloads" / repo / f"{name}.part"


def test_ctrl_c_during_download_stops_with_one_line_and_the_resume_completes(hub, gemma_path, app_home):
    """SIGINT to a real ``models download``: exit 130, one line, no traceback, the partial file kept,
    and the next run continues it."""
    name = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"
    part = _part_file(app_home, DISTILL_REPO, name)
    hub.behaviour.throttle = 20_000_000
    env = dict(os.environ, HF_ENDPOINT=hub.url)
    cmd = CLI + ["models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (part.exists() and part.stat().st_size > 10_000_000):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the download did not start"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        "deepseek-desktop: error: The download was cancelled; start it again to resume."], err
    kept = part.stat().st_size
    assert 10_000_000 < kept < gemma_path.stat().st_size

    hub.behaviour.throttle = None
    done = cli("models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--json",
               env_extra={"HF_ENDPOINT": hub.url})
    assert done.returncode == 0, done.stderr
    assert hub.ranges()[-1] == f"bytes={kept}-" and not part.exists()


def test_ctrl_c_while_any_command_waits_is_one_line_and_130():
    """Interrupted before any worker runs (the Hub's listing never arrives): the same clean stop."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        env = dict(os.environ, HF_ENDPOINT=f"http://127.0.0.1:{server.getsockname()[1]}")
        proc = subprocess.Popen(CLI + ["models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        server.settimeout(60)
        conn, _ = server.accept()  # the command is now waiting for an answer that does not come
        with conn:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["deepseek-desktop: Interrupted."], err


def test_unsafe_names_from_the_hub_are_refused(gemma_path, app_home, tmp_path):
    hub = HubServer()
    hub.add_repo(DISTILL_REPO, {"../../../../../DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf": gemma_path})
    hub.start()
    try:
        line = one_error_line(cli("models", "download", "deepseek-r1-distill-qwen-1.5b:Q4_K_M",
                                  env_extra={"HF_ENDPOINT": hub.url}))
    finally:
        hub.stop()
    assert "listed a file with an unsafe name" in line and "nothing was downloaded" in line
    assert not list(tmp_path.rglob("DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"))
    assert json.loads(cli("models", "list", "--json").stdout)["installed"] == []


def test_list_with_a_damaged_registry_entry_and_a_symlink_loop(gemma_path, app_home):
    assert cli("models", "import", str(gemma_path)).returncode == 0
    (registry,) = app_home.rglob("installed_models.json")
    data = registry.read_bytes()
    registry.write_bytes(data.replace(b'"models": [', b'"models": [{"name": "bad\xff", "path": 3, "size": "x"}, ', 1))
    models = app_home / "data" / "models"
    models.mkdir(parents=True, exist_ok=True)
    (models / "loop.gguf").symlink_to("loop.gguf")

    r = cli("models", "list")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.startswith("gemma-3-270m-q4_k_m  gguf  llamacpp")
    assert r.stderr.strip().splitlines() == [
        f"deepseek-desktop: warning: skipped {models / 'loop.gguf'}: a symbolic link loop"]
    listed = json.loads(cli("models", "list", "--json").stdout)
    assert [m["name"] for m in listed["installed"]] == ["gemma-3-270m-q4_k_m"]


@pytest.mark.parametrize("field", ["path", "parts"])
def test_a_registry_path_holding_nul_is_dropped_where_the_file_is_read(app_home, field):
    """No path can hold NUL: such an entry is damaged, dropped with the others' rules (the file kept aside),
    and no command meets it later as a ValueError from the file system."""
    registry = app_home / "data" / "installed_models.json"
    registry.parent.mkdir(parents=True, exist_ok=True)
    entry = {"name": "evil", "path": "/tmp/ok.gguf", "format": "gguf", "size": 5}
    entry[field] = "/tmp/a\x00b.gguf" if field == "path" else ["/tmp/a-00001-of-00002.gguf", "/tmp/a\x00b.gguf"]
    registry.write_text(json.dumps({"version": 1, "models": [entry]}), encoding="utf-8")
    for args in (("models", "remove", "evil"), ("models", "info", "evil"), ("models", "list")):
        r = cli(*args)
        assert "Traceback" not in r.stderr and "null" not in r.stderr, (args, r.stderr)
    assert json.loads(cli("models", "list", "--json").stdout)["installed"] == []
    assert list(registry.parent.glob("installed_models.json.damaged-*")), "the file as it was is kept"


def test_bidirectional_overrides_and_c1_are_escaped_in_text_and_in_json(tmp_path):
    """U+202E turns the rest of a line around (``gguf.exe`` shown for ``exe.fgg``); U+009B is a one-byte CSI
    to some terminals, also when a user looks at --json output. The text output shows them as escapes;
    the JSON output writes them as JSON escapes: the same value for a program, harmless in a terminal."""
    evil = make_gguf(tmp_path / "model\u202eexe.\u009b31m.gguf")
    r = cli("models", "info", str(evil))
    assert r.returncode == 0, r.stderr
    assert "\u202e" not in r.stdout and "\u009b" not in r.stdout
    assert "model\\u202eexe.\\x9b31m.gguf" in r.stdout
    r = cli("models", "info", "--json", str(evil))
    assert "\u202e" not in r.stdout and "\u009b" not in r.stdout
    assert "\\u202e" in r.stdout and "\\u009b" in r.stdout
    assert json.loads(r.stdout)["path"] == str(evil)  # --json stays exact


def test_control_characters_in_names_and_paths_never_reach_the_terminal(tmp_path):
    evil = make_gguf(tmp_path / "a\x1b]0;owned\x07\x1b[31mred.gguf")
    r = cli("models", "info", str(evil))
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "\\x1b]0;owned\\x07\\x1b[31mred.gguf" in r.stdout
    as_json = json.loads(cli("models", "info", "--json", str(evil)).stdout)
    assert as_json["path"] == str(evil)  # --json stays exact
