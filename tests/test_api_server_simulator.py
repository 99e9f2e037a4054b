"""The local API server on the real simulator, through the real ``openai`` and ``ollama`` clients."""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import ollama
import openai
import pytest
from api_server_harness import ServedApp

from deepseek_desktop.api_server.app import ServerConfig
from deepseek_desktop.core.requests import LoadParams
from deepseek_desktop.engines.simulator import compose_reply

# A question whose answer is the same at every moment: the memory question quotes this machine's free RAM,
# which moves while other work runs between the test's own reply and the server's.
QUESTION = "What is a Mixture of Experts model?"


@pytest.fixture
def served(app_home):
    apps: list[ServedApp] = []

    def make(
        engine: str | None = "simulator", words_per_second: float = 2000.0, fallback: bool = False, **config
    ) -> ServedApp:
        cfg = ServerConfig(**{"openai_port": 0, "ollama_port": 0, **config})
        app = ServedApp(
            engine, LoadParams(words_per_second=words_per_second), cfg, app_home, simulator_fallback=fallback
        )
        apps.append(app)
        return app.start()

    yield make
    for app in apps:
        app.close()


def client(app: ServedApp, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=app.url(), api_key=kw.pop("api_key", "none"), max_retries=0, **kw)


def test_chat_not_streamed_reasoning_apart_and_real_usage(served):
    app = served()
    _lang, reasoning, answer = compose_reply(QUESTION)
    done = client(app).chat.completions.create(model="simulator", messages=[{"role": "user", "content": QUESTION}])
    msg = done.choices[0].message
    assert msg.content.strip() == answer.strip()
    assert msg.reasoning_content.strip() == reasoning.strip()  # type: ignore[attr-defined]
    assert "<think>" not in msg.content and reasoning.strip() not in msg.content
    assert done.choices[0].finish_reason == "stop"
    assert done.usage.prompt_tokens == len(QUESTION.split())
    pieces = len((f"<think>\n{reasoning}\n</think>\n\n{answer}").split())
    assert done.usage.completion_tokens == pieces
    assert done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens


def test_chat_streamed_with_usage_and_done(served):
    app = served()
    _lang, reasoning, answer = compose_reply(QUESTION)
    stream = client(app).chat.completions.create(
        model="simulator",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    content, thinking, usage, finish = [], [], None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            content.append(choice.delta.content or "")
            thinking.append(getattr(choice.delta, "reasoning_content", None) or "")
            finish = choice.finish_reason or finish
    assert "".join(content).strip() == answer.strip()
    assert "".join(thinking).strip() == reasoning.strip()
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens > 0 and usage.prompt_tokens == len(QUESTION.split())
    # the raw stream ends with [DONE]
    with httpx.stream(
        "POST",
        app.url() + "/chat/completions",
        json={"model": "simulator", "messages": [{"role": "user", "content": "hi"}], "stream": True},
    ) as r:
        lines = [line for line in r.iter_lines() if line]
    assert r.status_code == 200 and lines[-1] == "data: [DONE]"


def test_earlier_reasoning_is_not_sent_back(served):
    """An earlier assistant turn with its reasoning: the engine sees it without (prompt tokens tell)."""
    app = served()
    c = client(app)
    plain = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello there"},
        {"role": "user", "content": QUESTION},
    ]
    with_thinking = [
        plain[0],
        {
            "role": "assistant",
            "content": "<think>\nlong thoughts here\n</think>\n\nHello there",
            "reasoning_content": "long thoughts here",
        },
        plain[2],
    ]
    a = c.chat.completions.create(model="simulator", messages=plain)
    b = c.chat.completions.create(model="simulator", messages=with_thinking)
    assert a.choices[0].message.content == b.choices[0].message.content
    # the simulator counts the words it was given; <think> is stripped by the engine's history
    assert b.usage.prompt_tokens >= a.usage.prompt_tokens


def test_completions_and_models(served):
    app = served()
    c = client(app)
    models = c.models.list()
    assert [m.id for m in models.data][0] == "simulator"
    assert models.data[0].model_extra["format"] == "simulator"
    # a completion continues the raw prompt; the simulator only answers chats, and says so
    with pytest.raises(openai.BadRequestError) as err:
        c.completions.create(model="simulator", prompt=QUESTION, max_tokens=5)
    assert err.value.body["param"] == "prompt" and err.value.body["code"] == "unsupported_parameter"
    assert "simulator" in err.value.body["message"]


def test_client_closing_stream_frees_the_engine(served):
    app = served(words_per_second=50.0)
    c = client(app)
    stream = c.chat.completions.create(model="simulator", messages=[{"role": "user", "content": QUESTION}], stream=True)
    for n, _chunk in enumerate(stream):
        if n == 2:
            break
    stream.close()
    fast = c.chat.completions.create(model="simulator", messages=[{"role": "user", "content": "hi"}], max_tokens=3)
    assert fast.usage.completion_tokens == 3
    entries = list(app.server.requests.entries)
    assert entries[0].status == 499 or entries[0].completion_tokens < 200


def test_a_client_that_closes_after_done_was_served(served, monkeypatch, caplog):
    """The openai library closes the connection as soon as it has read "data: [DONE]"; when that is before the
    empty chunk that ends the body, the end cannot be written. The answer went out whole: 200, no error."""
    from aiohttp import web
    from aiohttp.client_exceptions import ClientConnectionResetError

    async def closed(self, data=b""):
        raise ClientConnectionResetError("Cannot write to closing transport")

    monkeypatch.setattr(web.StreamResponse, "write_eof", closed)
    app = served()
    _lang, _reasoning, answer = compose_reply(QUESTION)
    stream = client(app).chat.completions.create(model="simulator", messages=[{"role": "user", "content": QUESTION}],
                                                 stream=True)
    assert "".join(ch.choices[0].delta.content or "" for ch in stream if ch.choices).strip() == answer.strip()
    # the request is logged when its handler returns, which can be after the client has read the last line
    deadline = time.monotonic() + 60
    while not app.server.requests.entries and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [e.status for e in app.server.requests.entries] == [200]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_eight_clients_at_once_all_answered(served):
    app = served(words_per_second=1000.0)
    _lang, _reasoning, answer = compose_reply(QUESTION)

    def ask(i: int) -> str:
        done = client(app).chat.completions.create(
            model="simulator", messages=[{"role": "user", "content": QUESTION}], stream=i % 2 == 0
        )
        if i % 2:
            return done.choices[0].message.content
        return "".join(ch.choices[0].delta.content or "" for ch in done if ch.choices)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert [a.strip() for a in answers] == [answer.strip()] * 8
    assert sorted(e.status for e in app.server.requests.entries) == [200] * 8


def test_queue_limit_answers_503_with_retry_after(served):
    app = served(words_per_second=5.0, queue_limit=0)
    body = {"model": "simulator", "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with httpx.stream("POST", app.url() + "/chat/completions", json=body, timeout=60) as first:
        assert first.status_code == 200
        lines = first.iter_lines()  # kept: a dropped iterator would close the stream
        next(lines)  # the first reply runs now
        second = httpx.post(app.url() + "/chat/completions", json=body, timeout=60)
    assert second.status_code == 503
    assert second.headers["Retry-After"] == "2"
    assert second.json()["error"]["code"] == "queue_full"
    assert app.server.requests.entries[0].status == 503


def test_ollama_chat_generate_and_tags(served):
    app = served()
    _lang, reasoning, answer = compose_reply(QUESTION)
    oc = ollama.Client(host=app.url("ollama"))
    assert [m.model for m in oc.list().models] == ["simulator"]
    whole = oc.chat(model="simulator", messages=[{"role": "user", "content": QUESTION}], stream=False)
    assert whole.message.content.strip() == answer.strip()
    assert whole.message.thinking.strip() == reasoning.strip()
    assert whole.done and whole.eval_count > 0 and whole.prompt_eval_count == len(QUESTION.split())
    parts = list(oc.chat(model="simulator", messages=[{"role": "user", "content": QUESTION}], stream=True))
    assert "".join(p.message.content for p in parts).strip() == answer.strip()
    assert "".join(p.message.thinking or "" for p in parts).strip() == reasoning.strip()
    assert parts[-1].done and parts[-1].done_reason == "stop"
    gen = oc.generate(model="simulator:latest", prompt=QUESTION, stream=False, options={"num_predict": 4})
    assert gen.done_reason == "length" and gen.eval_count == 4
    assert httpx.get(app.url("ollama") + "/api/version").json()["version"]


def test_no_model_loaded_names_how_to_load_one(served):
    app = served(engine=None)
    with pytest.raises(openai.APIStatusError) as err:
        client(app).chat.completions.create(model="x", messages=[{"role": "user", "content": "hi"}])
    assert err.value.status_code == 503
    assert "deepseek-desktop serve --model" in err.value.body["message"]


def test_no_model_loaded_simulator_when_chosen(served):
    app = served(engine=None, fallback=True)
    done = client(app).chat.completions.create(model="simulator", messages=[{"role": "user", "content": "hi"}])
    assert done.choices[0].message.content
