"""One ``deepseek-desktop serve`` with the Gemma GGUF per test module of llama.cpp's suite."""

from __future__ import annotations

import pytest
from llama_server_utils import ServerProcess


@pytest.fixture(scope="module")
def server(gemma_path):
    process = ServerProcess(str(gemma_path))
    process.start()
    yield process
    process.stop()
