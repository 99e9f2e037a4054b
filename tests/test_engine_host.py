"""The engine host process and its asyncio client, with the simulator engine (no model needed)."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys

import pytest

from deepseek_desktop.core.errors import EngineCrashed, EngineError
from deepseek_desktop.core.events import Finished, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host import protocol
from deepseek_desktop.engine_host.client import EngineHostClient

QUESTION = ChatRequest([ChatMessage("user", "Was ist DeepSeek-V3?")], GenerationParams(max_tokens=400))


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_framing_round_trip_and_errors():
    buf = io.BytesIO(protocol.encode({"a": "ü" * 3}) + protocol.encode({"b": 1}))
    assert protocol.read_frame(buf) == {"a": "üüü"}
    assert protocol.read_frame(buf) == {"b": 1}
    assert protocol.read_frame(buf) is None
    with pytest.raises(protocol.ProtocolError):
        protocol.read_frame(io.BytesIO(protocol.encode({"x": 1})[:-2]))


def test_a_lone_surrogate_crosses_the_pipe_as_a_replacement_character():
    """Bytes Python could not decode (from argv, from a file) arrive as lone surrogates, which UTF-8
    cannot encode; the frame carries U+FFFD in their place instead of failing."""
    buf = io.BytesIO(protocol.encode({"text": "hello \udcff, half \ud83d"}))
    assert protocol.read_frame(buf) == {"text": "hello \ufffd, half \ufffd"}


def test_a_question_with_undecodable_bytes_is_answered():
    """The request used to fail to encode, the failure was swallowed and the reply waited for ever."""
    question = ChatRequest([ChatMessage("user", "Was ist DeepSeek-V3? \udcff")], GenerationParams(max_tokens=40))

    async def main():
        client = await _started(pace=5000.0)
        try:
            events = await asyncio.wait_for(_collect(client, question), 30)
            alive = await client.ping()
        finally:
            await client.stop()
        return events, alive

    events, alive = run(main())
    assert events[-1] == Finished("length") and alive


async def _collect(client: EngineHostClient, request: ChatRequest) -> list:
    return [e async for e in client.chat(request)]


async def _started(pace: float = 200.0) -> EngineHostClient:
    client = EngineHostClient()
    await client.start()
    await client.load("simulator", LoadParams(words_per_second=pace))
    return client


def test_streams_typed_events():
    async def main():
        client = await _started(pace=5000.0)
        try:
            events = [e async for e in client.chat(QUESTION)]
        finally:
            await client.stop()
        return events

    events = run(main())
    assert {e.type for e in events} >= {"reasoning", "text", "stats", "finished"}
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "671" in text
    stats = next(e for e in events if isinstance(e, Stats))
    assert stats.completion_tokens > 50 and stats.tokens_per_s > 0 and stats.ttft_ms > 0
    assert events[-1] == Finished("stop")


def test_a_cancel_ends_the_reply_and_the_host_answers_the_next_one():
    """How fast the cancel lands is measured in bench/bench_cancel.py; here that it lands at all."""
    async def main():
        client = await _started(pace=50.0)
        try:
            n = 0
            events = []
            async for e in client.chat(QUESTION):
                events.append(e)
                n += 1
                if n == 5:
                    client.cancel()
            after = await _collect(client, ChatRequest(QUESTION.messages, GenerationParams(max_tokens=3)))
        finally:
            await client.stop()
        return events, after

    events, after = run(main())
    assert events[-1] == Finished("cancelled")
    # At 50 words a second the 400 asked for would take eight seconds; the cancel stops it a few words on.
    assert sum(isinstance(e, TextDelta) for e in events) < 50
    assert after[-1] == Finished("length")


def test_kill_9_mid_reply_raises_engine_crashed_then_a_new_host_answers():
    async def main():
        client = await _started(pace=100.0)
        old_pid = client.pid
        got = []
        with pytest.raises(EngineCrashed) as err:
            async for e in client.chat(QUESTION):
                got.append(e)
                if len(got) == 3:
                    os.kill(client.pid, signal.SIGKILL)
        assert not client.running
        assert err.value.returncode == -signal.SIGKILL
        assert "engine host" in err.value.detail  # the host's last stderr lines
        await client.start()
        await client.load("simulator", LoadParams(words_per_second=5000))
        events = [e async for e in client.chat(QUESTION)]
        new_pid = client.pid
        await client.stop()
        return got, events, old_pid, new_pid

    got, events, old_pid, new_pid = run(main())
    assert len(got) == 3, "what arrived before the crash stays with the caller"
    assert events[-1] == Finished("stop") and new_pid != old_pid


def test_on_exit_tells_the_app_about_a_crash():
    async def main():
        seen = []
        exited = asyncio.Event()
        client = EngineHostClient(on_exit=lambda why: (seen.append(why), exited.set()))
        await client.start()
        os.kill(client.pid, signal.SIGKILL)
        await exited.wait()
        return seen

    seen = run(main())
    assert len(seen) == 1 and isinstance(seen[0], EngineCrashed)


def test_a_clean_stop_is_not_a_crash():
    async def main():
        seen, also = [], []
        exited = asyncio.Event()
        client = EngineHostClient()
        client.add_exit_listener(lambda why: (seen.append(why), exited.set()))
        client.add_exit_listener(also.append)  # every listener hears it, not just the last one set
        await client.start()
        await client.stop()
        await exited.wait()
        return seen, also, client.running

    seen, also, running = run(main())
    assert seen == [None] and also == [None] and not running


def test_stray_output_on_stdout_does_not_corrupt_the_protocol():
    """C libraries print to fd 1; the host points fd 1 at stderr before anything can."""
    code = (
        "import os, threading; from deepseek_desktop.engine_host import host; "
        "threading.Timer(0.3, lambda: (os.write(1, b'stray bytes from C\\n'), print('and from Python'))).start(); "
        "host.main()"
    )

    async def main():
        client = EngineHostClient(command=[sys.executable, "-c", code])
        await client.start()
        await client.load("simulator", LoadParams(words_per_second=5000))
        while "and from Python" not in client.stderr_tail():  # the stray writes have happened
            await asyncio.sleep(0.02)
        events = [e async for e in client.chat(QUESTION)]
        tail = client.stderr_tail()
        await client.stop()
        return events, tail

    events, tail = run(main())
    assert events[-1] == Finished("stop")
    assert "stray bytes from C" in tail and "and from Python" in tail


def test_typed_errors_cross_the_pipe():
    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            with pytest.raises(EngineError) as no_model:
                async for _ in client.chat(QUESTION):
                    pass
            with pytest.raises(EngineError) as unknown:
                await client.load("no-such-engine", LoadParams())
            assert client.running, "a failed request does not end the host"
        finally:
            await client.stop()
        return no_model.value, unknown.value

    no_model, unknown = run(main())
    assert no_model.message_id == "model.none_loaded"
    assert unknown.message_id == "engine.unknown"


def test_leaving_the_stream_early_cancels_the_reply():
    async def main():
        # At a word a second the 400-word reply left behind would outlast the test's 60 s timeout, so
        # the next (three-word) reply can only arrive in time if leaving the stream cancelled the old one.
        client = await _started(pace=1.0)
        try:
            async for _ in client.chat(QUESTION):
                break
            return await _collect(client, ChatRequest(QUESTION.messages, GenerationParams(max_tokens=3)))
        finally:
            await client.stop()

    assert run(main())[-1] == Finished("length")
