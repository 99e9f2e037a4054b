"""llama-cpp-python's own OpenAI-compatible server (``python -m llama_cpp.server``) on 127.0.0.1, serving
the Gemma GGUF: the real server the remote engine's happy path is tested against."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from conftest import THREADS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def llama_cpp_server(model: Path, alias: str, api_key: str, log_file: Path, timeout: float = 120.0) -> Iterator[str]:
    """Start the server, wait until it lists its model, yield its base URL, stop it."""
    port = free_port()
    with open(log_file, "wb") as log:  # a file, not a pipe: llama.cpp's load log would fill a pipe
        proc = subprocess.Popen(
            # llama-cpp-python's server, after the one call that loads llama.cpp's backends (it makes none itself)
            [sys.executable, "-c", "from deepseek_desktop.engines.ggml_backends import load_ggml_backends; "
             "load_ggml_backends(); import runpy; runpy.run_module('llama_cpp.server', run_name='__main__', "
             "alter_sys=True)", "--model", str(model), "--model_alias", alias,
             "--chat_format", "gemma", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024",
             "--n_threads", str(THREADS), "--api_key", api_key],
            stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log_text = log_file.read_text(errors="replace")[-2000:]
                raise RuntimeError("the llama.cpp server did not start:\n" + log_text)
            try:
                req = urllib.request.Request(url + "/models", headers={"Authorization": f"Bearer {api_key}"})
                urllib.request.urlopen(req, timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the llama.cpp server did not answer within {timeout:.0f} s") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
