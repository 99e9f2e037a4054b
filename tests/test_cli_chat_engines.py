"""``deepseek-desktop chat`` with the MLX and remote engines, run as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from openai_scripted_server import ANSWER, CHAT_MODELS, ESCAPES, REASONING, ScriptedOpenAIServer

CLI = [sys.executable, "-m", "deepseek_desktop"]
TESTS = Path(__file__).parent
KEY = "sk-cli-93b1f0d27c4e8a65"


def cli(*args, input=None, env=None, timeout=120):
    return subprocess.run(CLI + list(args), input=input, capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ.copy())


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def one_error_line(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("deepseek-desktop: error: ")
    return lines[0]


# -- MLX ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    pytest.importorskip("mlx_lm")
    from mlx_tiny_model import tiny_model_folders

    return tiny_model_folders(tmp_path_factory.getbasetemp())


def test_mlx_one_turn_json(tiny):
    r = cli("chat", "--engine", "mlx", "--model", str(tiny["v3"]), "--prompt", "Name three colours.", "--json",
            "--max-tokens", "8", "--temperature", "0")
    assert r.returncode == 0, r.stderr
    lines = json_lines(r.stdout)
    assert {line["type"] for line in lines[:-1]} == {"text"}
    stats = lines[-1]
    assert stats["type"] == "stats" and stats["chat_template"] == "model"
    assert stats["completion_tokens"] == 8 and stats["finish_reason"] == "length"
    assert r.stderr == ""


def test_mlx_folder_is_found_by_auto_and_r1_reasons(tiny):
    r = cli("chat", "--model", str(tiny["r1"]), "--prompt", "Hi", "--json", "--max-tokens", "6", "--temperature", "0")
    assert r.returncode == 0, r.stderr
    lines = json_lines(r.stdout)
    assert lines[0]["type"] == "reasoning" and lines[-1]["finish_reason"] == "length"


def test_mlx_repl_reuses_the_conversation(tiny):
    r = cli("chat", "--engine", "mlx", "--model", str(tiny["v3"]), "--json", "--max-tokens", "6",
            "--temperature", "0", input="Name three colours.\nAnd three animals?\n")
    assert r.returncode == 0, r.stderr
    stats = [line for line in json_lines(r.stdout) if line["type"] == "stats"]
    assert len(stats) == 2
    assert stats[1]["prompt_tokens"] > stats[0]["prompt_tokens"]
    assert stats[1]["prompt_tokens_evaluated"] < stats[1]["prompt_tokens"], "the first turn stays in the cache"


def test_mlx_bad_folders_exit_2_with_one_line(tiny, tmp_path):
    no_config = tmp_path / "no-config"
    shutil.copytree(tiny["v3"], no_config)
    (no_config / "config.json").unlink()
    unknown = tmp_path / "unknown-arch"
    shutil.copytree(tiny["v3"], unknown)
    config = json.loads((unknown / "config.json").read_text())
    config["model_type"] = "frobnicator"
    (unknown / "config.json").write_text(json.dumps(config))

    line = one_error_line(cli("chat", "--engine", "mlx", "--model", str(no_config), "--prompt", "hi"))
    assert "Not an MLX model folder" in line and str(no_config) in line
    line = one_error_line(cli("chat", "--engine", "mlx", "--model", str(unknown), "--prompt", "hi"))
    assert "MLX cannot run this model architecture (frobnicator)" in line


# -- remote -----------------------------------------------------------------------------------------

@pytest.fixture
def server():
    with ScriptedOpenAIServer(api_key=KEY) as s:
        yield s


@pytest.fixture
def remote_env(tmp_path):
    """The user's environment without a key, with a keyring that keeps its entries in a test file."""
    env = os.environ.copy()
    env.pop("DEEPSEEK_API_KEY", None)
    env["PYTHON_KEYRING_BACKEND"] = "openai_file_keyring.JsonFileKeyring"
    env["DEEPSEEK_TEST_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), env.get("PYTHONPATH", "")) if p)
    return env


def store_key(env: dict, name: str, key: str) -> None:
    entries = {f"DeepSeek Desktop\n{name}": key}
    Path(env["DEEPSEEK_TEST_KEYRING_FILE"]).write_text(json.dumps(entries), encoding="utf-8")


def logged_text(app_home: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in app_home.rglob("*.log*") if p.is_file())


def test_remote_with_the_key_from_the_environment(server, remote_env, app_home):
    env = {**remote_env, "DEEPSEEK_API_KEY": KEY}
    r = cli("chat", "--engine", "remote", "--base-url", server.url, "--model", "deepseek-reasoner",
            "--prompt", "Hello!", "--json", env=env)
    assert r.returncode == 0, r.stderr
    lines = json_lines(r.stdout)
    assert "".join(x["delta"] for x in lines if x["type"] == "reasoning") == "".join(REASONING)
    assert "".join(x["delta"] for x in lines if x["type"] == "text") == "".join(ANSWER)
    assert lines[-1]["completion_tokens"] == 9 and lines[-1]["finish_reason"] == "stop"
    assert server.requests[-1]["headers"]["authorization"] == f"Bearer {KEY}"
    assert KEY not in r.stdout + r.stderr and KEY not in logged_text(app_home)


def test_remote_with_the_key_from_the_keyring(server, remote_env):
    store_key(remote_env, server.url, KEY)
    r = cli("chat", "--base-url", server.url, "--model", "deepseek-chat", "--prompt", "Hello!", env=remote_env)
    assert r.returncode == 0, r.stderr
    assert "".join(ANSWER) in r.stdout and "tokens/s" in r.stderr

    store_key(remote_env, "My cluster", KEY)
    r = cli("chat", "--engine", "remote", "--base-url", server.url, "--key-name", "My cluster",
            "--model", "deepseek-chat", "--prompt", "Hello!", env=remote_env)
    assert r.returncode == 0, r.stderr


def test_remote_key_problems_exit_2_with_one_line(server, remote_env, app_home):
    line = one_error_line(cli("chat", "--engine", "remote", "--base-url", server.url, "--model", "deepseek-chat",
                              "--prompt", "hi", env=remote_env))
    assert f"No API key is stored for {server.url}" in line
    wrong = "sk-cli-wrong-5e2d7a9c1b"
    r = cli("chat", "--engine", "remote", "--base-url", server.url, "--model", "deepseek-chat", "--prompt", "hi",
            env={**remote_env, "DEEPSEEK_API_KEY": wrong})
    assert "The server refused the API key." in one_error_line(r)
    assert wrong not in r.stderr and wrong not in logged_text(app_home)
    r = cli("chat", "--engine", "remote", "--api-key", KEY, "--prompt", "hi", env=remote_env)
    assert r.returncode == 2 and "unrecognized arguments: --api-key" in r.stderr, "no key on the command line"


@pytest.mark.parametrize(
    "args,phrase",
    [(["--engine", "remote", "--base-url", "ftp://example.org"], "must start with http:// or https://"),
     (["--engine", "llamacpp", "--base-url", "http://127.0.0.1:9/v1"], "--base-url is for --engine remote"),
     (["--engine", "remote", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"], "Cannot reach the server at"),
     (["--engine", "remote", "--model", "no-such-model"], "does not know the model no-such-model"),
     (["--base-url", "http://[::1"], "Invalid server address http://[::1: it must start with http:// or https://"),
     (["--engine", "remote", "--base-url", "http://127.0.0.1:99999/v1"], "Invalid server address"),
     (["--engine", "remote", "--base-url", "http://user:sk-in-url@[::1/v1?key=x"], "address http://[::1/v1:")],
)
def test_remote_bad_input_exits_2_with_one_line(server, remote_env, args, phrase):
    if "--base-url" not in args:
        args = args + ["--base-url", server.url]
    r = cli("chat", *args, "--prompt", "hi", env={**remote_env, "DEEPSEEK_API_KEY": KEY})
    assert phrase in one_error_line(r)


# -- what a server sends, on the terminal -----------------------------------------------------------

def test_control_characters_from_the_server_never_reach_the_terminal(server, remote_env):
    env = {**remote_env, "DEEPSEEK_API_KEY": KEY}
    r = cli("chat", "--base-url", server.url, "--model", "escapes", "--prompt", "hi", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Safe \\x1b]0;pwned\\x07\\x1b[31mred\\x1b[0m\\x00 fake\\x0dreal\\x9b2J\tend\n"
    r = cli("chat", "--base-url", server.url, "--model", "escapes", "--prompt", "hi", "--json", env=env)
    assert "".join(x["delta"] for x in json_lines(r.stdout) if x["type"] == "text") == "".join(ESCAPES)
    # what the user gave comes back in an error: that passes the same filter
    line = one_error_line(cli("chat", "--base-url", server.url, "--model", "evil\x1b]52;c;cm0gLXJmIH4=\x07",
                              "--prompt", "hi", env=env))
    assert "\x1b" not in line and "\x07" not in line and "evil\\x1b]52;c;cm0gLXJmIH4=\\x07" in line


def test_a_cut_stream_keeps_the_reply_and_says_so_on_a_line_of_its_own(server, remote_env):
    r = cli("chat", "--base-url", server.url, "--model", "drop", "--prompt", "hi",
            env={**remote_env, "DEEPSEEK_API_KEY": KEY})
    assert r.stdout == "".join(ANSWER[:2]) + "\n", "the partial reply is kept and its line ended"
    line = one_error_line(r)
    assert "was cut during the reply; the part received so far was kept" in line


def test_which_model_lists_them_and_names_the_flag(server, remote_env):
    line = one_error_line(cli("chat", "--base-url", server.url, "--prompt", "hi",
                              env={**remote_env, "DEEPSEEK_API_KEY": KEY}))
    assert line == (f"deepseek-desktop: error: Which model? The server offers {len(CHAT_MODELS)}: "
                    f"{', '.join(CHAT_MODELS[:5])}, …. Choose one with --model.")


def test_undecodable_bytes_typed_by_the_user_become_replacement_characters(server, remote_env):
    """``chat --prompt $'hello \\xff'`` used to hang for good; such bytes on stdin ended in a traceback."""
    env = {**remote_env, "DEEPSEEK_API_KEY": KEY, "LC_ALL": "C.UTF-8"}
    args = [*CLI, "chat", "--base-url", server.url, "--model", "deepseek-chat", "--json"]
    r = subprocess.run([*args, "--prompt", b"hello \xff"], capture_output=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(args, input=b"caf\xe9 au lait\nna\xc3\xafve\n", capture_output=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    asked = [body["messages"][-1]["content"] for body in server.chat_requests()]
    assert asked == ["hello \ufffd", "caf\ufffd au lait", "na\u00efve"]
    stats = [line for line in json_lines(r.stdout.decode()) if line["type"] == "stats"]
    assert len(stats) == 2, "the conversation went on after the bad bytes"


def test_a_lone_surrogate_from_the_server_is_shown_as_a_replacement_character(server, remote_env):
    r = cli("chat", "--base-url", server.url, "--model", "surrogate", "--prompt", "hi",
            env={**remote_env, "DEEPSEEK_API_KEY": KEY})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "half \ufffd and on\n"


def test_ctrl_c_while_the_model_loads_ends_the_chat(remote_env):
    """A server that accepts the connection and never answers: loading waits for it, and Ctrl+C ends
    the chat then instead of being ignored until the server times out."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        proc = subprocess.Popen(CLI + ["chat", "--base-url", url, "--model", "m", "--prompt", "hi"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**remote_env, "DEEPSEEK_API_KEY": KEY})
        silent.settimeout(60)
        conn, _ = silent.accept()  # the engine host asks for the model list, and waits
        with conn:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert out == "" and err.strip().splitlines() == ["deepseek-desktop: Interrupted."]


@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_during_a_prompt_reply_is_the_line_and_130(server, remote_env, as_json):
    """``chat --prompt``: Ctrl+C during the reply stops it, and the command says so and exits 130, not 0
    as if the cut answer were the whole of it."""
    proc = subprocess.Popen(CLI + ["chat", "--base-url", server.url, "--model", "stall", "--prompt", "hi",
                                   *(["--json"] if as_json else [])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**remote_env, "DEEPSEEK_API_KEY": KEY})
    assert proc.stdout.read(len(b'{"type"' if as_json else ANSWER[0].encode())), "the first piece arrived"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.decode().strip().splitlines()[-1] == "deepseek-desktop: Interrupted."
    assert "Traceback" not in err.decode()


# -- model paths the file system refuses --------------------------------------------------------------

def as_unprivileged() -> list[str]:
    """A prefix that runs the CLI without root's power to read any file (permission bits then apply)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits do not apply")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def test_a_model_in_a_folder_the_user_cannot_search_is_one_line(tmp_path):
    from conftest import make_gguf

    locked = tmp_path / "locked"
    locked.mkdir()
    model = make_gguf(locked / "m.gguf")
    locked.chmod(0)
    try:
        for args in (("chat", "--model", str(model), "--prompt", "hi"),
                     ("chat", "--engine", "llamacpp", "--model", str(model), "--prompt", "hi")):
            r = subprocess.run([*as_unprivileged(), *CLI, *args], capture_output=True, text=True, timeout=120)
            line = one_error_line(r)
            assert "permission" in line and str(model) in line, line
    finally:
        locked.chmod(0o700)

