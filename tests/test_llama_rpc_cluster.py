"""A real distributed llama.cpp run on this machine, from the planner's own commands.

Two processes stand in for two computers: llama.cpp's RPC worker on 127.0.0.1 and ``llama-server --rpc`` as
the head, serving the Gemma GGUF. The planner is asked for "one CPU worker" (two nodes of one CPU device);
its commands are run as they are printed, the app's remote engine (the ``chat`` command) talks to the head,
and the worker's log shows that it computed the layers the plan gave it.

The two programs come from the machine's one llama.cpp build, in ~/.cache/deepseek-desktop/llama.cpp/ (made by
packaging/build_llama.py when the virtualenv is set up; a later call finds it there at once).
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).parent
CLI = [sys.executable, "-m", "deepseek_desktop"]
NO_TOOLCHAIN = 3


@pytest.fixture(scope="session")
def rpc_binaries() -> dict[str, str]:
    r = subprocess.run([sys.executable, str(REPO / "packaging" / "build_llama.py"), "--jobs", "2"],
                       capture_output=True, text=True, timeout=3600)
    if r.returncode == NO_TOOLCHAIN:
        pytest.skip(f"cannot build llama.cpp's RPC programs: {json.loads(r.stdout)['error']}")
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, what: str, proc: subprocess.Popen, log: Path, timeout: float = 300.0) -> None:
    """Poll until ``condition()``; fail with the log if the process dies or it never happens."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"{what}: the process exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def computed(log: Path) -> int:
    """Graphs the worker evaluated (a new graph, or the last one again with new inputs)."""
    text = log.read_text(errors="replace")
    return text.count("[graph_compute]") + text.count("[graph_recompute]")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def models_answer(base_url: str, key: str = "") -> bool:
    request = urllib.request.Request(base_url + "/models", headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(argv: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    out = open(log, "wb")  # noqa: SIM115 - closed by the process's end
    return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
@pytest.mark.timeout(3900)
def test_plan_for_one_cpu_worker_runs_gemma_over_rpc_and_the_app_chats_with_it(rpc_binaries, gemma_path, tmp_path):
    api_port, rpc_port = free_port(), free_port()
    bin_dir = str(Path(rpc_binaries["llama_server"]).parent) + "/"
    r = subprocess.run(CLI + ["models", "plan", str(gemma_path), "--nodes", "2", "--gpus", "1x2GB", "--vendor", "cpu",
                              "--engine", "llamacpp", "--hosts", "127.0.0.1,127.0.0.1", "--bind", "127.0.0.1",
                              "--api-port", str(api_port), "--rpc-port", str(rpc_port), "--bin-dir", bin_dir,
                              "--ctx", "2048", "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)["plans"][0]
    assert plan["verdict"] == "fits" and plan["devices"] == 2
    assert plan["gpu_layers"] == 9  # Gemma 3 270M has 18 layers: half on the head's CPU, half on the worker
    assert plan["base_url"] == f"http://127.0.0.1:{api_port}/v1"
    (worker_line,) = plan["nodes"][1]["commands"]
    (head_line,) = plan["nodes"][0]["commands"]
    assert f"--rpc 127.0.0.1:{rpc_port}" in head_line and "--n-gpu-layers 9" in head_line
    assert worker_line.endswith(" -c") and head_line.endswith('--api-key "$LAUNCH_API_KEY"')
    assert plan["api_key_setup"].startswith("export LAUNCH_API_KEY=")
    # The plan names the worker program of current llama.cpp; an older vendored release calls it rpc-server.
    worker_argv = shlex.split(worker_line)
    worker_argv[0] = rpc_binaries["rpc_server"]

    # As a person would: the key line, then the head's line, in one shell; the worker's tensor cache (-c) in
    # a folder of the test's own.
    key = subprocess.run(["bash", "-c", plan["api_key_setup"] + ' && printf %s "$LAUNCH_API_KEY"'],
                         capture_output=True, text=True, timeout=60).stdout
    assert len(key) >= 32
    env = {**os.environ, "LLAMA_CACHE": str(tmp_path / "rpc-cache"), "LAUNCH_API_KEY": key}
    worker_log, head_log = tmp_path / "worker.log", tmp_path / "head.log"
    # Debug output is how the worker tells which graphs it computed; it changes nothing else.
    worker = start(worker_argv, worker_log, {**env, "GGML_RPC_DEBUG": "1"})
    head = None
    try:
        # Its banner goes to a buffered stdout: the open port is what says it is ready.
        wait_until(lambda: port_open(rpc_port), "the RPC worker", worker, worker_log, 60)
        head = start(["bash", "-c", "exec " + head_line], head_log, env)
        wait_until(lambda: models_answer(plan["base_url"], key), "the head's /v1/models", head, head_log)
        assert not models_answer(plan["base_url"]), "the head answers without the key"
        loaded = worker_log.read_text(errors="replace")
        assert "[alloc_buffer]" in loaded and loaded.count("[set_tensor]") > 50, "the worker got its layers' weights"

        chat_env = {**env, "PYTHON_KEYRING_BACKEND": "openai_file_keyring.JsonFileKeyring",
                    "DEEPSEEK_TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
                    "PYTHONPATH": os.pathsep.join(p for p in (str(TESTS), env.get("PYTHONPATH", "")) if p)}
        chat_env.pop("DEEPSEEK_API_KEY", None)
        # Without the key the head refuses the chat.
        refused = subprocess.run(CLI + ["chat", "--engine", "remote", "--base-url", plan["base_url"], "--model",
                                        plan["served_name"], "--prompt", "Hi", "--max-tokens", "2"],
                                 capture_output=True, text=True, timeout=300, env=chat_env)
        assert refused.returncode != 0
        chat_env["DEEPSEEK_API_KEY"] = key
        before = computed(worker_log)
        chat = subprocess.run(CLI + ["chat", "--engine", "remote", "--base-url", plan["base_url"], "--model",
                                     plan["served_name"], "--prompt", "Name three colours.", "--max-tokens", "12",
                                     "--temperature", "0", "--json"],
                              capture_output=True, text=True, timeout=600, env=chat_env)
        assert chat.returncode == 0, chat.stderr
        lines = [json.loads(line) for line in chat.stdout.splitlines() if line.strip()]
        text = "".join(line["delta"] for line in lines if line["type"] == "text")
        assert text.strip(), chat.stdout
        assert lines[-1]["type"] == "stats" and lines[-1]["completion_tokens"] > 0
        after = computed(worker_log)
        assert after > before, "the worker computed nothing for the reply"
    finally:
        if head is not None:
            stop(head)
        stop(worker)
