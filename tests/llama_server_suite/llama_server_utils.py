"""llama.cpp's server test harness (``tools/server/tests/utils.py``, MIT licence, the copy the llama-cpp-python
0.3.36 sdist vendors), cut down to what its generic OpenAI-API tests use, and starting
``deepseek-desktop serve`` with the Gemma 3 270M GGUF instead of ``llama-server``: ``make_request`` and
``make_stream_request`` keep llama.cpp's names and behaviour (paths under ``/v1``). llama-server takes a request
without a ``model``; this server needs one, as OpenAI's API does, so the harness names the loaded model in a
request body that leaves it out."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

THREADS = 1  # as tests/conftest.py: answers on a busy machine, not speed


def match_regex(regex: str, text: str) -> bool:
    return re.compile(regex, flags=re.IGNORECASE | re.MULTILINE | re.DOTALL).search(text) is not None


@dataclass
class ServerResponse:
    status_code: int
    headers: dict
    body: Any


class ServerError(Exception):
    def __init__(self, code: int, body: Any) -> None:
        super().__init__(f"{code}: {body}")
        self.code = code
        self.body = body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``deepseek-desktop serve`` on 127.0.0.1 with a GGUF, in a private app home."""

    server_host = "127.0.0.1"

    def __init__(self, model: str, n_ctx: int = 1024) -> None:
        self.model = model
        self.n_ctx = n_ctx
        self.n_slots = 1  # one reply at a time (the engine host's line of turns)
        self.server_port = _free_port()
        self.home = tempfile.TemporaryDirectory(prefix="llama-server-suite-")
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process: subprocess.Popen | None = None
        self.model_id = os.path.splitext(os.path.basename(model))[0]

    def start(self) -> None:
        env = {**os.environ, "DEEPSEEK_DESKTOP_HOME": self.home.name}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deepseek_desktop", "serve", "--model", self.model, "--port",
             str(self.server_port), "--ollama-port", "0", "--ctx", str(self.n_ctx), "--threads", str(THREADS),
             "--max-tokens", "256"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        while True:  # pytest-timeout is the guard
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"serve exited: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.make_url("/models"), timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)
        self.log.close()
        self.home.cleanup()

    def _with_model(self, data: dict | None) -> dict | None:
        return {"model": self.model_id, **data} if isinstance(data, dict) else data

    def make_url(self, path: str) -> str:
        return f"http://{self.server_host}:{self.server_port}/v1{path}"

    def make_request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None,
                     timeout: float = 300) -> ServerResponse:
        headers = {k: v for k, v in (headers or {}).items() if v is not None}
        data = self._with_model(data)
        if method == "GET":
            response = httpx.get(self.make_url(path), headers=headers, timeout=timeout)
        elif method == "POST":
            response = httpx.post(self.make_url(path), headers=headers, json=data, timeout=timeout)
        elif method == "OPTIONS":
            response = httpx.options(self.make_url(path), headers=headers, timeout=timeout)
        else:
            raise ValueError(f"Unimplemented method: {method}")
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return ServerResponse(response.status_code, dict(response.headers), body)

    def make_stream_request(self, method: str, path: str, data: dict | None = None,
                            headers: dict | None = None) -> Iterator[dict]:
        if method != "POST":
            raise ValueError(f"Unimplemented method: {method}")
        data = self._with_model(data)
        with httpx.stream("POST", self.make_url(path), headers=headers, json=data, timeout=300) as response:
            if response.status_code != 200:
                response.read()
                raise ServerError(response.status_code, response.json())
            for line in response.iter_lines():
                if "[DONE]" in line:
                    break
                if line.startswith("data: "):
                    yield json.loads(line[6:])


def serve_gemma(gemma_path) -> Iterator[ServerProcess]:
    """The body of each test module's ``server`` fixture: one ``deepseek-desktop serve`` with the Gemma GGUF per
    module. Not in a conftest.py of this folder: a second module named ``conftest`` would take the place of
    tests/conftest.py for the test modules that import from it."""
    process = ServerProcess(str(gemma_path))
    process.start()
    yield process
    process.stop()
