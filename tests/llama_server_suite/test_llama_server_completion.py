"""llama.cpp's ``tools/server/tests/unit/test_completion.py`` and ``test_ctx_shift.py``: their tests of the
OpenAI ``/v1/completions`` endpoint, against ``deepseek-desktop serve`` with the Gemma GGUF (the expected words
were those of llama.cpp's tiny stories model: here the reply is checked for what the test is about). The tests
of llama-server's own ``/completion`` endpoint are listed in SKIPPED.md."""

from __future__ import annotations

import pytest
from llama_server_utils import match_regex, serve_gemma
from openai import OpenAI


@pytest.fixture(scope="module")
def server(gemma_path):
    yield from serve_gemma(gemma_path)


pytestmark = pytest.mark.slow


def test_completion_with_openai_library(server):
    client = OpenAI(api_key="dummy", base_url=f"http://{server.server_host}:{server.server_port}/v1")
    res = client.completions.create(
        model=server.model_id,
        prompt="I believe the meaning of life is",
        max_tokens=8,
    )
    assert res.choices[0].finish_reason == "length"
    assert res.choices[0].text is not None
    assert res.usage.completion_tokens == 8 and res.usage.prompt_tokens <= 9  # the prompt as it is, no chat turn


def test_completion_stream_with_openai_library(server):
    client = OpenAI(api_key="dummy", base_url=f"http://{server.server_host}:{server.server_port}/v1")
    res = client.completions.create(
        model=server.model_id,
        prompt="I believe the meaning of life is",
        max_tokens=8,
        stream=True,
    )
    output_text = ''
    for data in res:
        choice = data.choices[0]
        if choice.finish_reason is None:
            assert choice.text is not None
            output_text += choice.text
    assert output_text


def test_completion_stream_with_openai_library_stops(server):
    """llama.cpp runs this on Phi-3.5 (a slow test there); the point of it is that stop strings end a streamed
    completion and are not in it."""
    client = OpenAI(api_key="dummy", base_url=f"http://{server.server_host}:{server.server_port}/v1")
    res = client.completions.create(
        model=server.model_id,
        prompt="1, 2, 3, 4, 5, 6, 7,",
        stop=[" 9", "10"],
        max_tokens=40,
        temperature=0,
        stream=True,
    )
    output_text = ''
    finish = None
    for data in res:
        choice = data.choices[0]
        if choice.finish_reason is None:
            assert choice.text is not None
            output_text += choice.text
        finish = choice.finish_reason or finish
    assert match_regex("^ 8,$", output_text), f'Unexpected output: {output_text}'
    assert finish == "stop"


def test_ctx_shift_disabled_stream(server):
    """From test_ctx_shift.py: a completion that reaches its token limit ends with finish reason "length"."""
    res = server.make_stream_request("POST", "/completions", data={
        "max_tokens": 24,
        "prompt": "Once",
        "stream": True,
    })
    content = ""
    for data in res:
        choice = data["choices"][0]
        if choice["finish_reason"] == "length":
            assert len(content) > 0
        else:
            assert choice["finish_reason"] is None
            content += choice["text"]


def test_ctx_shift_disabled_long_prompt(server):
    """From test_ctx_shift.py, on /v1/completions: a prompt longer than the context is refused, not cut."""
    res = server.make_request("POST", "/completions", data={
        "max_tokens": 64,
        "prompt": "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 200,
    })
    assert res.status_code == 400
    assert "error" in res.body
    assert res.body["error"]["code"] == "context_length_exceeded"
