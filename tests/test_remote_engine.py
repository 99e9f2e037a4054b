"""The remote engine through the engine host process, against real servers on 127.0.0.1: llama.cpp's
OpenAI-compatible server with the Gemma GGUF, and a scripted server for reasoning, usage, errors,
dropped connections and stalls."""

from __future__ import annotations

import asyncio
import os
import shutil
import ssl
import subprocess

import pytest
from openai_llama_server import free_port, llama_cpp_server
from openai_scripted_server import ANSWER, CHAT_MODELS, REASONING, ScriptedOpenAIServer

from deepseek_desktop.core.errors import DeepSeekError, EngineError, RemoteError
from deepseek_desktop.core.events import Finished, ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient

KEY = "sk-test-7f3a9c2e5b8d4f6a1e0c3b7d9a2f5e8c"
HELLO = [ChatMessage("user", "Hello!")]


def run(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def connected(url, model="deepseek-chat", key=KEY, env=None) -> tuple[EngineHostClient, dict]:
    client = EngineHostClient(env=env, stderr_lines=5000)
    await client.start()
    try:
        info = await client.load("remote", LoadParams(model=model, base_url=url, api_key=key))
    except BaseException:
        await client.stop()
        raise
    return client, info


async def collect(client, messages=HELLO, params=None):
    return [e async for e in client.chat(ChatRequest(list(messages), params or GenerationParams()))]


def text_of(events) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def reasoning_of(events) -> str:
    return "".join(e.text for e in events if isinstance(e, ReasoningDelta))


def stats_of(events) -> Stats:
    return next(e for e in events if isinstance(e, Stats))


@pytest.fixture
def scripted():
    with ScriptedOpenAIServer(api_key=KEY) as server:
        yield server


# -- a real llama.cpp server --------------------------------------------------------------------------

LLAMA_KEY = "sk-llama-local-5d1e8b2c9f"


@pytest.fixture(scope="module")
def llama_server(gemma_path, tmp_path_factory):
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] is not installed")
    log_file = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_cpp_server(gemma_path, "gemma", LLAMA_KEY, log_file) as url:
        yield url


@pytest.mark.slow
def test_llamacpp_server_streams_stops_and_cancels(llama_server):
    greedy = GenerationParams(temperature=0.0, max_tokens=32)
    question = [ChatMessage("user", "Write a few sentences about the sea.")]

    async def main():
        client, info = await connected(llama_server, model="gemma", key=LLAMA_KEY)
        try:
            first = await collect(client, question, greedy)
            free_text = text_of(first)
            word = next(w for w in free_text.split()[3:] if len(w) >= 3)
            stopped = await collect(client, question, GenerationParams(temperature=0.0, max_tokens=32, stop=[word]))
            follow_up = question + [ChatMessage("assistant", free_text), ChatMessage("user", "And the sky?")]
            second = await collect(client, follow_up, GenerationParams(temperature=0.0, max_tokens=8))
            events, n = [], 0
            async for e in client.chat(ChatRequest([ChatMessage("user", "Tell me a long story.")],
                                                   GenerationParams(temperature=0.0, max_tokens=400))):
                events.append(e)
                if isinstance(e, TextDelta):
                    n += 1
                    if n == 3:
                        client.cancel()
        finally:
            await client.stop()
        return info, first, free_text, word, stopped, second, events

    info, first, free_text, word, stopped, second, events = run(main(), timeout=300)
    assert info["name"] == "gemma" and info["model_check"] == "listed" and info["models"] == ["gemma"]
    assert len([e for e in first if isinstance(e, TextDelta)]) > 5 and free_text.strip()
    stats = stats_of(first)
    # llama-cpp-python's server sends no usage: each chunk counts as a token, the prompt is unknown
    assert 0 < stats.completion_tokens <= 32 and stats.prompt_tokens == 0 and stats.prompt_tokens_evaluated is None
    assert stats.ttft_ms > 0 and stats.chat_template == "server"
    assert first[-1].reason in ("stop", "length")
    assert text_of(stopped) == free_text[: free_text.index(word)] and stopped[-1] == Finished("stop")
    assert second[-1].reason in ("stop", "length")
    assert events[-1] == Finished("cancelled")  # how fast: bench/bench_cancel.py


@pytest.mark.slow
def test_llamacpp_server_refuses_a_wrong_key(llama_server):
    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            with pytest.raises(RemoteError) as err:
                wrong = LoadParams(model="gemma", base_url=llama_server, api_key="sk-wrong-000111222")
                await client.load("remote", wrong)
            alive = await client.ping()
        finally:
            await client.stop()
        return err.value, alive

    err, alive = run(main())
    assert err.message_id == "remote.auth" and alive


# -- the scripted server: protocol ------------------------------------------------------------------

def test_reasoning_content_and_usage_like_deepseeks_api(scripted):
    async def main():
        client, info = await connected(scripted.url, model="deepseek-reasoner",
                                       env={**os.environ, "OPENAI_ORG_ID": "org-private", "OPENAI_PROJECT_ID": "p"})
        try:
            events = await collect(client)
        finally:
            await client.stop()
        return info, events

    info, events = run(main())
    assert info["model_check"] == "listed" and "deepseek-reasoner" in info["models"]
    assert reasoning_of(events) == "".join(REASONING) and text_of(events) == "".join(ANSWER)
    kinds = [e.type for e in events if isinstance(e, (TextDelta, ReasoningDelta))]
    assert kinds == ["reasoning"] * len(REASONING) + ["text"] * len(ANSWER)
    stats = stats_of(events)
    assert (stats.prompt_tokens, stats.prompt_tokens_evaluated, stats.completion_tokens) == (20, 4, 9)
    assert events[-1] == Finished("stop")
    request = scripted.requests[-1]
    assert request["body"]["stream"] is True and request["body"]["stream_options"] == {"include_usage": True}
    assert request["headers"]["authorization"] == f"Bearer {KEY}"
    assert not any(h.lower() in ("openai-organization", "openai-project") for h in request["headers"]), \
        "an OpenAI account's organisation is not sent to other servers"


def test_deepseek_usage_names_and_vllm_reasoning_field(scripted):
    async def main():
        client, _ = await connected(scripted.url, model="deepseek-chat")
        try:
            chat = await collect(client)
            await client.load("remote", LoadParams(model="vllm-reasoning", base_url=scripted.url, api_key=KEY))
            vllm = await collect(client)
        finally:
            await client.stop()
        return chat, vllm

    chat, vllm = run(main())
    stats = stats_of(chat)
    # DeepSeek reports its context cache as prompt_cache_hit_tokens
    assert (stats.prompt_tokens, stats.prompt_tokens_evaluated, stats.completion_tokens) == (12, 4, 5)
    assert reasoning_of(vllm) == "".join(REASONING) and text_of(vllm) == "".join(ANSWER)


def test_inline_think_is_split_and_tokens_are_counted_without_usage(scripted):
    async def main():
        client, _ = await connected(scripted.url, model="inline-think")
        try:
            return await collect(client)
        finally:
            await client.stop()

    events = run(main())
    assert reasoning_of(events) == "\nI should add 2 and 2.\n"
    assert text_of(events) == "The answer is 4."
    stats = stats_of(events)
    assert stats.completion_tokens == 6 and stats.prompt_tokens == 0 and stats.prompt_tokens_evaluated is None
    assert events[-1] == Finished("stop")


def test_parameters_history_max_tokens_and_stop_strings(scripted):
    params = GenerationParams(temperature=0.3, top_p=0.8, top_k=17, repeat_penalty=1.2, max_tokens=7, seed=5)
    history = [ChatMessage("system", "Be brief."), ChatMessage("user", "Hi"),
               ChatMessage("assistant", "<think>\nprivate thoughts\n</think>\n\nHello there."),
               ChatMessage("user", "Count.")]

    async def main():
        client, _ = await connected(scripted.url, model="long")
        try:
            counted = await collect(client, history, params)
            await client.load("remote", LoadParams(model="deepseek-chat", base_url=scripted.url, api_key=KEY))
            stopped = await collect(client, HELLO, GenerationParams(stop=[" scripted"]))
        finally:
            await client.stop()
        return counted, stopped

    counted, stopped = run(main())
    assert text_of(counted) == "".join(f" word{i}" for i in range(7)) and counted[-1] == Finished("length")
    body = scripted.chat_requests()[0]
    assert body["messages"][2] == {"role": "assistant", "content": "Hello there."}, "reasoning is not sent back"
    assert (body["temperature"], body["top_p"], body["max_tokens"], body["seed"]) == (0.3, 0.8, 7, 5)
    assert body["top_k"] == 17 and body["repetition_penalty"] == 1.2
    # this server ignores "stop"; the engine still ends the reply there and hides the stop string
    assert scripted.chat_requests()[1]["stop"] == [" scripted"]
    assert text_of(stopped) == "Hello from the" and stopped[-1] == Finished("stop")


def test_base_url_without_v1_is_found(scripted):
    async def main():
        client, info = await connected(scripted.url.removesuffix("/v1"))
        try:
            events = await collect(client)
        finally:
            await client.stop()
        return info, events

    info, events = run(main())
    assert info["base_url"].endswith("/v1") and text_of(events) == "".join(ANSWER)


def test_server_without_a_models_list(tmp_path):
    async def main():
        with ScriptedOpenAIServer(models_endpoint="missing") as server:
            client, info = await connected(server.url, key="")
            try:
                events = await collect(client)
                with pytest.raises(EngineError) as unnamed:
                    await client.load("remote", LoadParams(base_url=server.url))
                await client.load("remote", LoadParams(model="no-such-model", base_url=server.url))
                with pytest.raises(RemoteError) as unknown:
                    await collect(client)
            finally:
                await client.stop()
            return info, events, unnamed.value, unknown.value, server.requests

    info, events, unnamed, unknown, requests = run(main())
    assert info["model_check"] == "not listed by the server" and text_of(events) == "".join(ANSWER)
    assert requests[0]["headers"].get("authorization") == "Bearer no-key", "a placeholder, no user key"
    assert unnamed.message_id == "input.invalid" and "give the model name" in unnamed.user_text()
    assert unknown.message_id == "remote.not_found" and "no-such-model" in unknown.user_text()


# -- cancel -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("model", ["stall", "stall-headers"])
def test_cancel_a_stalled_server_closes_the_connection(scripted, model):
    async def main():
        client, _ = await connected(scripted.url, model=model)
        try:
            events = []
            chat = client.chat(ChatRequest(HELLO, GenerationParams()))
            if model == "stall-headers":  # nothing will come: cancel while the request waits
                asyncio.get_running_loop().call_later(0.3, client.cancel)
            # The server never sends more, so without the cancel this loop would only end at the timeout.
            async for e in chat:
                events.append(e)
                if isinstance(e, TextDelta):
                    client.cancel()
            closed = await asyncio.to_thread(scripted.wait_for_event, f"closed:{model}", 30.0)
            await client.load("remote", LoadParams(model="deepseek-chat", base_url=scripted.url, api_key=KEY))
            after = await collect(client)
        finally:
            await client.stop()
        return events, closed, after

    events, closed, after = run(main())
    assert events[-1] == Finished("cancelled")
    assert closed, "the server saw the client hang up"
    assert after[-1] == Finished("stop")


# -- errors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "model,message_id,in_text",
    [("busy", "remote.rate_limited", "rate limited"), ("broke", "remote.server_error", "HTTP 500"),
     ("poor", "remote.insufficient_balance", "credit"), ("garbage", "remote.bad_response", "could not be read"),
     ("drop", "remote.stream_cut", "was cut during the reply; the part received so far was kept")],
)
def test_chat_errors_are_typed_and_the_host_survives(scripted, model, message_id, in_text):
    async def main():
        client, _ = await connected(scripted.url, model=model)
        got = []
        try:
            with pytest.raises(RemoteError) as err:
                async for e in client.chat(ChatRequest(HELLO, GenerationParams())):
                    got.append(e)
            alive = await client.ping()
        finally:
            await client.stop()
        return err.value, got, alive

    err, got, alive = run(main())
    assert err.message_id == message_id and in_text in err.user_text()
    assert alive
    if model == "drop":
        assert text_of(got) == "".join(ANSWER[:2]), "what came before the drop was delivered"
        assert "127.0.0.1" in err.user_text()


def test_a_cut_stream_keeps_the_text_held_back_for_a_stop_string(scripted):
    """A stop string makes the engine hold back text that might begin it; a cut must not lose that."""
    async def main():
        client, _ = await connected(scripted.url, model="drop")
        got = []
        try:
            with pytest.raises(RemoteError) as err:
                async for e in client.chat(ChatRequest(HELLO, GenerationParams(stop=[" from the end"]))):
                    got.append(e)
        finally:
            await client.stop()
        return err.value, got

    err, got = run(main())
    assert err.message_id == "remote.stream_cut" and text_of(got) == "".join(ANSWER[:2])


def test_a_lone_surrogate_from_the_server_does_not_end_the_reply(scripted):
    async def main():
        client, _ = await connected(scripted.url, model="surrogate")
        try:
            return await collect(client)
        finally:
            await client.stop()

    events = run(main())
    assert text_of(events) == "half \ufffd and on" and events[-1] == Finished("stop")


def test_which_model_lists_the_first_few(scripted):
    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            with pytest.raises(EngineError) as err:
                await client.load("remote", LoadParams(base_url=scripted.url, api_key=KEY))
        finally:
            await client.stop()
        return err.value

    err = run(main())
    assert err.message_id == "remote.which_model"
    assert err.user_text() == (f"Which model? The server offers {len(CHAT_MODELS)}: "
                               + ", ".join(CHAT_MODELS[:5]) + ", ….")
    assert "poor" in err.detail, "the log has the whole list"


def _refused_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/v1"


@pytest.mark.parametrize(
    "case,message_id,in_text",
    [("wrong_key", "remote.auth", "refused the API key"), ("no_key", "remote.no_api_key", "No API key"),
     ("unknown_model", "remote.not_found", "no-such-model"), ("refused", "remote.connection", "127.0.0.1"),
     ("dns", "remote.connection", "no-such-host.invalid"), ("not_http", "remote.bad_url", "http://"),
     ("ipv6_cut", "remote.bad_url", "http://[::1"), ("bad_port", "remote.bad_url", "http://127.0.0.1:99999/v1"),
     ("html", "remote.bad_response", "could not be read")],
)
def test_load_errors_are_typed(scripted, case, message_id, in_text):
    params = {
        "wrong_key": LoadParams(model="deepseek-chat", base_url=scripted.url, api_key="sk-wrong-key-0123456789"),
        "no_key": LoadParams(model="deepseek-chat", base_url=scripted.url),
        "unknown_model": LoadParams(model="no-such-model", base_url=scripted.url, api_key=KEY),
        "refused": LoadParams(model="x", base_url=_refused_port_url(), api_key=KEY),
        "dns": LoadParams(model="x", base_url="http://no-such-host.invalid/v1", api_key=KEY),
        "not_http": LoadParams(model="x", base_url="api.deepseek.com", api_key=KEY),
        "ipv6_cut": LoadParams(model="x", base_url="http://[::1", api_key=KEY),
        "bad_port": LoadParams(model="x", base_url="http://127.0.0.1:99999/v1", api_key=KEY),
    }.get(case)

    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            with pytest.raises(DeepSeekError) as err:
                if case == "html":
                    with ScriptedOpenAIServer(models_endpoint="garbage") as web_page:
                        await client.load("remote", LoadParams(model="x", base_url=web_page.url))
                else:
                    await client.load("remote", params)
            alive = await client.ping()
        finally:
            await client.stop()
        return err.value, alive

    err, alive = run(main())
    assert err.message_id == message_id and in_text in err.user_text()
    assert alive


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_tls_verification_stays_on(tmp_path):
    """A server with a self-signed certificate is refused, not trusted."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)

    async def main():
        with ScriptedOpenAIServer() as server:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)
            client = EngineHostClient()
            await client.start()
            try:
                with pytest.raises(RemoteError) as err:
                    await client.load("remote", LoadParams(model="deepseek-chat",
                                                           base_url=server.url.replace("http:", "https:")))
            finally:
                await client.stop()
            return err.value

    err = run(main())
    assert err.message_id == "remote.tls" and "https://127.0.0.1" in err.user_text()


def test_the_api_key_never_leaks(scripted):
    """Servers quote keys in their errors and libraries log headers at debug level: neither may carry
    the key into an error or the engine host's log."""
    wrong = "sk-wrong-4c8e1a7f3b9d2e6a0c5f8b1d"
    env = {**os.environ, "DEEPSEEK_DESKTOP_HOST_LOG": "DEBUG"}

    async def main():
        client = EngineHostClient(env=env, stderr_lines=5000)
        await client.start()
        errors = []
        try:
            with pytest.raises(RemoteError) as refused:
                await client.load("remote", LoadParams(model="deepseek-chat", base_url=scripted.url, api_key=wrong))
            errors.append(refused.value)
            await client.load("remote", LoadParams(model="deepseek-chat", base_url=scripted.url, api_key=KEY))
            good = await collect(client)
            await client.load("remote", LoadParams(model="busy", base_url=scripted.url, api_key=KEY))
            with pytest.raises(RemoteError) as busy:
                await collect(client)
            errors.append(busy.value)
        finally:
            await client.stop()
        return errors, good, client.stderr_tail()

    errors, good, stderr = run(main())
    assert errors[0].message_id == "remote.auth" and errors[1].message_id == "remote.rate_limited"
    assert text_of(good) == "".join(ANSWER)
    assert any(r["headers"].get("authorization") == f"Bearer {wrong}" for r in scripted.requests), \
        "the key did reach the server"
    assert "Incorrect API key provided" in errors[0].detail, "the server's message is kept, without the key"
    assert "DEBUG" in stderr and "loading remote" in stderr, "the host's debug log was captured"
    for secret in (wrong, KEY):
        for err in errors:
            assert secret not in str(err) and secret not in err.detail and secret not in repr(err.to_dict())
            assert secret[4:16] not in err.detail
        assert secret not in stderr and secret[4:16] not in stderr


def test_secret_filter_cleans_messages_and_tracebacks_from_any_library():
    """The engine puts this filter on the log handlers while a key is in use (defence in depth: the
    openai package logs no headers today, a future one or an HTTP library might)."""
    import io
    import logging

    from deepseek_desktop.engines.remote_errors import SecretFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    secret_filter = SecretFilter(KEY)
    secret_filter.install()
    try:
        lib = logging.getLogger("some.http.library")
        lib.warning("headers: %s", {"Authorization": f"Bearer {KEY}"})
        lib.warning("masked by the server: %s...%s", KEY[:12], KEY[-4:])
        try:
            raise ValueError(f"bad key {KEY}")
        except ValueError:
            lib.exception("failed")
    finally:
        secret_filter.remove()
        root.removeHandler(handler)
    text = stream.getvalue()
    assert "some.http.library headers" in text and "ValueError: bad key ***" in text
    assert KEY not in text and KEY[:12] not in text


def test_a_thinking_budget_is_sent_as_reasoning_effort_and_the_stats_say_so(scripted):
    """A server counts no tokens for us: the budget goes as the nearest OpenAI level, and the stats say which."""

    async def main():
        client, _ = await connected(scripted.url, model="deepseek-chat")
        try:
            budget = [e async for e in client.chat(ChatRequest(list(HELLO), thinking_budget=800))]
            plain = await collect(client)
        finally:
            await client.stop()
        return budget, plain

    budget, plain = run(main())
    assert scripted.chat_requests()[0]["reasoning_effort"] == "low"
    assert stats_of(budget).thinking_note == "low" and stats_of(budget).thinking_stopped_at is None
    assert "reasoning_effort" not in scripted.chat_requests()[1] and stats_of(plain).thinking_note == ""
