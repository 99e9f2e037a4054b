"""``deepseek-desktop chat`` and ``--version`` as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import psutil
import pytest
from conftest import THREADS

from deepseek_desktop import __version__

CLI = [sys.executable, "-m", "deepseek_desktop"]


def cli(*args, input=None, timeout=180, env=None):
    return subprocess.run(CLI + list(args), input=input, capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ.copy())


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_version():
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"deepseek-desktop {__version__}"


def test_simulator_one_turn_json():
    r = cli("chat", "--engine", "simulator", "--prompt", "Was ist MoE?", "--json", "--words-per-second", "5000")
    assert r.returncode == 0, r.stderr
    lines = json_lines(r.stdout)
    kinds = [line["type"] for line in lines]
    assert kinds[0] == "reasoning" and "text" in kinds and kinds[-1] == "stats"
    assert set(kinds) == {"reasoning", "text", "stats"}
    stats = lines[-1]
    for key in ("prompt_tokens", "completion_tokens", "ttft_ms", "tokens_per_s", "finish_reason"):
        assert key in stats
    assert stats["finish_reason"] == "stop"
    assert "Experten" in "".join(line["delta"] for line in lines if line["type"] == "text")


def test_auto_without_model_is_the_simulator_and_plain_output():
    r = cli("chat", "--prompt", "hello", "--words-per-second", "5000")
    assert r.returncode == 0
    assert "[thinking]" in r.stdout and "simulator" in r.stdout
    assert "tokens/s" in r.stderr


def test_repl_multi_turn_on_stdin():
    r = cli("chat", "--engine", "simulator", "--json", "--words-per-second", "5000",
            input="What is DeepSeek-R1?\n\nUnd was ist MLA?\n")
    assert r.returncode == 0, r.stderr
    stats = [line for line in json_lines(r.stdout) if line["type"] == "stats"]
    assert len(stats) == 2
    assert stats[1]["prompt_tokens"] > stats[0]["prompt_tokens"], "the second turn sees the first"


@pytest.mark.slow
def test_llamacpp_one_turn_json(gemma_path):
    r = cli("chat", "--model", str(gemma_path), "--prompt", "Say hello.", "--json", "--max-tokens", "16",
            "--temperature", "0", "--threads", str(THREADS), "--ctx", "1024")
    assert r.returncode == 0, r.stderr
    lines = json_lines(r.stdout)
    assert lines[-1]["type"] == "stats" and lines[-1]["chat_template"] == "fallback:gemma"
    assert 0 < lines[-1]["completion_tokens"] <= 16
    assert r.stderr == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind,phrase",
    [
        ("missing", "not found"),
        ("random", "Not a GGUF"),
        ("magic", "Not a GGUF"),
        ("half", "gemma-cut-in-half.gguf is incomplete: 127 MB of 253 MB are there"),
        ("header_cut", "header-cut.gguf is incomplete: the file ends before its data does"),
        ("unknown_arch", "cannot run this model architecture (frobnicator)"),
    ],
)
def test_bad_input_exits_2_with_one_line(bad_models, kind, phrase):
    r = cli("chat", "--model", str(bad_models[kind]), "--prompt", "hi")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert phrase in lines[0] and "Traceback" not in r.stderr
    assert lines[0].startswith("deepseek-desktop: error: ")


def test_engine_needs_a_model():
    r = cli("chat", "--engine", "llamacpp", "--prompt", "hi")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_engine_crash_exits_2_with_one_line():
    proc = subprocess.Popen(CLI + ["chat", "--engine", "simulator", "--words-per-second", "5", "--prompt", "hello"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The first character of the reply on stdout: the engine host is up and the reply is streaming (at five
    # words a second it has long to go).
    assert proc.stdout.read(1), "the reply never started"
    (host,) = psutil.Process(proc.pid).children()
    os.kill(host.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert err.strip().splitlines() == ["deepseek-desktop: error: The engine stopped unexpectedly."]


def without_root_file_override(cmd: list[str]) -> list[str]:
    """Root reads any file whatever its mode; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it is held
    to the mode bits like any other owner, so chmod 000 means what it says for the command."""
    if os.geteuid() != 0:
        return cmd
    probe = subprocess.run(["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("running as root and setpriv cannot drop CAP_DAC_OVERRIDE here")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *cmd]


def test_an_unreadable_model_file_says_so(tmp_path):
    from conftest import make_gguf

    model = make_gguf(tmp_path / "locked.gguf")
    model.chmod(0)
    try:
        r = subprocess.run(without_root_file_override(CLI + ["chat", "--model", str(model), "--prompt", "hi"]),
                           capture_output=True, text=True, timeout=120)
    finally:
        model.chmod(0o644)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"deepseek-desktop: error: You have no permission to read the model file: {model}"], r.stderr


def test_a_folder_given_to_llamacpp_is_named_a_folder(tmp_path):
    r = cli("chat", "--engine", "llamacpp", "--model", str(tmp_path), "--prompt", "hi")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"deepseek-desktop: error: This is a folder, not a GGUF model file: {tmp_path}"], r.stderr


def test_json_lines_are_utf8_whatever_the_pipe_encoding(tmp_path):
    """Windows gives a pipe the ANSI code page (cp1252): the JSON lines stay UTF-8 there too."""
    env = dict(os.environ, PYTHONIOENCODING="cp1252", DEEPSEEK_DESKTOP_HOME=str(tmp_path))
    r = subprocess.run(CLI + ["chat", "--engine", "simulator", "--prompt", "Was ist MoE?", "--json",
                              "--words-per-second", "5000"], capture_output=True, env=env, timeout=180)
    assert r.returncode == 0, r.stderr
    text = "".join(e["delta"] for e in json_lines(r.stdout.decode("utf-8")) if e["type"] == "text")
    assert "ü" in text or "ä" in text or "ö" in text, text


def test_thinking_budget_and_thinking_off():
    r = cli("chat", "--engine", "simulator", "--prompt", "What is MoE?", "--words-per-second", "5000",
            "--thinking-budget", "7")
    assert r.returncode == 0, r.stderr
    assert "Thinking stopped at 7 tokens (budget)]" in r.stderr
    stats = json_lines(cli("chat", "--engine", "simulator", "--prompt", "What is MoE?", "--json",
                           "--words-per-second", "5000", "--thinking-budget", "1500").stdout)[-1]
    assert stats["thinking_stopped_at"] is None  # the simulator's reasoning is shorter than that
    off = cli("chat", "--engine", "simulator", "--prompt", "What is MoE?", "--words-per-second", "5000",
              "--thinking", "off")
    assert "[thinking]" not in off.stdout and "MoE" in off.stdout
