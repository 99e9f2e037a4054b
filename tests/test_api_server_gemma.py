"""The local API server on the real Gemma GGUF (llama.cpp in the engine host), through the real clients."""

from __future__ import annotations

import concurrent.futures

import ollama
import openai
import pytest
from api_server_harness import ServedApp
from conftest import THREADS

from deepseek_desktop.api_server.app import ServerConfig
from deepseek_desktop.core.requests import LoadParams

pytestmark = pytest.mark.slow
ASK = [{"role": "user", "content": "Count from one to twenty in words, separated by commas."}]


@pytest.fixture(scope="module")
def gemma_app(gemma_path, tmp_path_factory):
    app = ServedApp(
        "llamacpp",
        LoadParams(model=str(gemma_path), n_ctx=1024, n_threads=THREADS),
        ServerConfig(openai_port=0, ollama_port=0),
        tmp_path_factory.mktemp("home"),
    ).start()
    yield app
    app.close()


@pytest.fixture
def oai(gemma_app):
    return openai.OpenAI(base_url=gemma_app.url(), api_key="none", max_retries=0)


def test_models_list_the_loaded_gguf(oai, gemma_path):
    data = oai.models.list().data
    assert data[0].id == gemma_path.stem
    assert data[0].model_extra["format"] == "gguf" and data[0].model_extra["size"] == gemma_path.stat().st_size
    assert data[0].model_extra["loaded"] is True


def test_streamed_and_whole_agree_greedy_with_real_usage(oai, gemma_path):
    model = gemma_path.stem
    whole = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=24)
    chunks = list(
        oai.chat.completions.create(
            model=model, messages=ASK, temperature=0, max_tokens=24, stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    # (not compared word for word: a reused key/value cache changes llama.cpp's float sums, and with them
    # a 270M model's greedy picks)
    assert text and whole.choices[0].message.content
    assert 0 < sum(1 for c in chunks if c.choices and c.choices[0].delta.content) <= 24
    assert whole.choices[0].finish_reason == "length" and whole.usage.completion_tokens == 24
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage.completion_tokens == 24
    assert usage.prompt_tokens == whole.usage.prompt_tokens > len(ASK[0]["content"].split())


def test_stop_strings(oai, gemma_path):
    model = gemma_path.stem
    free = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=40)
    text = free.choices[0].message.content
    assert "," in text
    cut = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=40, stop=[","])
    assert cut.choices[0].message.content == text.split(",")[0]
    assert cut.choices[0].finish_reason == "stop"


def test_seed_reproducible(oai, gemma_path):
    model = gemma_path.stem
    story = [{"role": "user", "content": "Write one sentence about a cat."}]

    def sample(seed: int) -> str:
        return (
            oai.chat.completions.create(
                model=model, messages=story, temperature=1.2, top_p=1.0, seed=seed, max_tokens=24
            )
            .choices[0]
            .message.content
        )

    first = sample(1234)
    assert sample(1234) == first
    assert any(sample(s) != first for s in (1, 2, 3))


def test_closing_the_stream_after_three_chunks_frees_the_engine(gemma_app, oai, gemma_path):
    model = gemma_path.stem
    stream = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=1000, stream=True)
    for n, _ in enumerate(stream):
        if n == 2:
            break
    stream.close()
    nxt = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=5)
    assert nxt.usage.completion_tokens == 5
    cancelled = [e for e in gemma_app.server.requests.entries if e.status == 499]
    assert cancelled  # the closed stream ended as "client went away", not after 1000 tokens


def test_eight_clients_at_once(gemma_app, gemma_path):
    model = gemma_path.stem

    def ask(i: int) -> str:
        c = openai.OpenAI(base_url=gemma_app.url(), api_key="none", max_retries=0)
        msgs = [{"role": "user", "content": f"Say the number {i}."}]
        if i % 2:
            return (
                c.chat.completions.create(model=model, messages=msgs, temperature=0, max_tokens=8)
                .choices[0]
                .message.content
            )
        return "".join(
            ch.choices[0].delta.content or ""
            for ch in c.chat.completions.create(model=model, messages=msgs, temperature=0, max_tokens=8, stream=True)
            if ch.choices
        )

    before = len(gemma_app.server.requests.entries)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert len(answers) == 8 and all(answers)
    statuses = [e.status for e in list(gemma_app.server.requests.entries)[before:]]
    assert statuses == [200] * 8


def test_ollama_client_chat_and_list(gemma_app, gemma_path):
    oc = ollama.Client(host=gemma_app.url("ollama"))
    assert gemma_path.stem in [m.model for m in oc.list().models]
    whole = oc.chat(model=gemma_path.stem, messages=ASK, stream=False, options={"temperature": 0, "num_predict": 12})
    parts = list(
        oc.chat(model=gemma_path.stem, messages=ASK, stream=True, options={"temperature": 0, "num_predict": 12})
    )
    assert "".join(p.message.content for p in parts) and whole.message.content
    assert whole.eval_count == 12 and parts[-1].done and parts[-1].eval_count == 12
