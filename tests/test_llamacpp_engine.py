"""Real llama-cpp-python on the real Gemma 3 270M GGUF, through the engine host process."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest
from conftest import THREADS

from deepseek_desktop.core.errors import EngineCrashed, ModelFileError
from deepseek_desktop.core.events import Finished, LoadProgress, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient

pytestmark = pytest.mark.slow
GREEDY = GenerationParams(temperature=0.0, max_tokens=48)


def run(coro, timeout=180):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def loaded(gemma_path, **load) -> tuple[EngineHostClient, dict, list[float]]:
    client = EngineHostClient()
    await client.start()
    progress: list[float] = []
    info = await client.load("llamacpp", LoadParams(model=str(gemma_path), n_ctx=2048, n_threads=THREADS, **load),
                             on_progress=progress.append)
    return client, info, progress


async def collect(client, messages, params=GREEDY):
    return [e async for e in client.chat(ChatRequest(messages, params))]


def text_of(events) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def stats_of(events) -> Stats:
    return next(e for e in events if isinstance(e, Stats))


def test_streams_real_tokens_with_stats_and_progress(gemma_path):
    async def main():
        client, info, progress = await loaded(gemma_path)
        try:
            events = await collect(client, [ChatMessage("user", "Write one sentence about the sea.")])
        finally:
            await client.stop()
        return info, progress, events

    info, progress, events = run(main())
    assert info["architecture"] == "gemma3"
    assert info["chat_template"] == "fallback:gemma", "Gemma's GGUF has no template: say which fallback is used"
    assert progress and progress[-1] == 1.0
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 5 and text_of(events).strip()
    stats = stats_of(events)
    assert stats.prompt_tokens > 5 and 0 < stats.completion_tokens <= 48
    assert stats.tokens_per_s > 0 and stats.ttft_ms > 0
    assert stats.chat_template == "fallback:gemma"
    assert events[-1].reason in ("stop", "length")


def test_greedy_is_deterministic_and_max_tokens_gives_length(gemma_path):
    async def main():
        client, _, _ = await loaded(gemma_path)
        msgs = [ChatMessage("user", "Count from one to fifty in words, separated by commas.")]
        params = GenerationParams(temperature=0.0, max_tokens=12)
        try:
            a = await collect(client, msgs, params)
            b = await collect(client, msgs, params)
        finally:
            await client.stop()
        return a, b

    a, b = run(main())
    assert text_of(a) == text_of(b)
    assert stats_of(a).completion_tokens == 12 and a[-1] == Finished("length")


def test_stop_strings_end_the_reply_and_are_not_shown(gemma_path):
    async def main():
        client, _, _ = await loaded(gemma_path)
        msgs = [ChatMessage("user", "Write a few sentences about the weather.")]
        try:
            free = await collect(client, msgs, GenerationParams(temperature=0.0, max_tokens=40))
            free_text = text_of(free)
            word = next(w for w in free_text.split()[3:] if len(w) >= 3)  # whatever the model says
            stopped = await collect(client, msgs, GenerationParams(temperature=0.0, max_tokens=40, stop=[word]))
        finally:
            await client.stop()
        return free_text, stopped, word

    free_text, stopped, word = run(main())
    assert text_of(stopped) == free_text[: free_text.index(word)]
    assert stopped[-1] == Finished("stop")


def test_cancel_mid_stream(gemma_path):
    async def main():
        client, _, _ = await loaded(gemma_path)
        try:
            n = 0
            events = []
            async for e in client.chat(ChatRequest([ChatMessage("user", "Tell me a long story.")],
                                                   GenerationParams(temperature=0.0, max_tokens=400))):
                events.append(e)
                if isinstance(e, TextDelta):
                    n += 1
                    if n == 5:
                        client.cancel()
            # the model is still usable after a cancel
            after = await collect(client, [ChatMessage("user", "Hi")])
        finally:
            await client.stop()
        return events, after

    # How fast the cancel lands is measured in bench/bench_cancel.py; here only that it lands, well
    # before the 400 tokens asked for (tokens already in the pipe when the cancel arrives still count).
    events, after = run(main())
    assert events[-1] == Finished("cancelled")
    assert stats_of(events).completion_tokens < 30
    assert after[-1].reason in ("stop", "length")


def test_second_turn_reuses_the_prefix(gemma_path):
    async def main():
        client, _, _ = await loaded(gemma_path)
        msgs = [ChatMessage("system", "You are a helpful assistant."),
                ChatMessage("user", "Name three colours.")]
        try:
            first = await collect(client, msgs)
            msgs += [ChatMessage("assistant", text_of(first)), ChatMessage("user", "And three animals?")]
            second = await collect(client, msgs)
        finally:
            await client.stop()
        return stats_of(first), stats_of(second)

    first, second = run(main())
    assert first.prompt_tokens_evaluated == first.prompt_tokens
    assert second.prompt_tokens > first.prompt_tokens
    # only the new part of the conversation is evaluated
    assert second.prompt_tokens_evaluated < second.prompt_tokens - first.prompt_tokens + 10


def test_kill_9_mid_generation_then_a_fresh_host_answers(gemma_path):
    async def main():
        client, _, _ = await loaded(gemma_path)
        got = []
        with pytest.raises(EngineCrashed) as err:
            async for e in client.chat(ChatRequest([ChatMessage("user", "Tell me a long story.")],
                                                   GenerationParams(temperature=0.0, max_tokens=400))):
                got.append(e)
                if len(got) == 4:
                    os.kill(client.pid, signal.SIGKILL)
        await client.start()
        await client.load("llamacpp", LoadParams(model=str(gemma_path), n_ctx=1024, n_threads=THREADS))
        again = await collect(client, [ChatMessage("user", "Hi")])
        await client.stop()
        return err.value, got, again

    crash, got, again = run(main())
    assert crash.message_id == "engine.crashed" and "loading llamacpp" in crash.detail
    # what the host wrote before it died may still arrive (prompt lookup sends several tokens at once), but the
    # reply never ends as if it had finished
    assert len(got) >= 4 and not any(isinstance(e, (Stats, Finished)) for e in got)
    assert again[-1].reason in ("stop", "length")


@pytest.mark.parametrize(
    "kind,message_id",
    [("random", "model.not_gguf"), ("half", "model.incomplete"), ("magic", "model.not_gguf"),
     ("unknown_arch", "model.unsupported_arch"), ("missing", "model.not_found")],
)
def test_bad_files_give_typed_errors_and_the_host_survives(bad_models, kind, message_id):
    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            with pytest.raises(ModelFileError) as err:
                await client.load("llamacpp", LoadParams(model=str(bad_models[kind])))
            alive = client.running and await client.ping()
        finally:
            await client.stop()
        return err.value, alive

    err, alive = run(main())
    assert err.message_id == message_id
    assert alive
    if kind == "unknown_arch":
        assert "frobnicator" in err.user_text()


@pytest.mark.parametrize("kv", ["q8_0", "q4_0"])
def test_quantised_kv_cache_and_flash_attention(gemma_path, kv):
    async def main():
        client, info, _ = await loaded(gemma_path, kv_cache_type=kv, n_batch=256)
        try:
            events = await collect(client, [ChatMessage("user", "Say hello.")])
        finally:
            await client.stop()
        return info, events

    info, events = run(main())
    assert info["kv_cache_type"] == kv and info["flash_attn"] is True
    assert events[-1].reason in ("stop", "length")


def test_engine_in_process_cancel_during_a_long_prompt(gemma_path):
    """Stop also works while a long prompt is evaluated (llama.cpp's abort callback)."""
    from deepseek_desktop.engines.llamacpp import LlamaCppEngine

    engine = LlamaCppEngine()
    engine.load(LoadParams(model=str(gemma_path), n_ctx=8192, n_threads=THREADS, n_batch=512))
    try:
        long_text = " ".join(f"Sentence number {i} talks about the weather." for i in range(700))
        cancel = threading.Event()
        # Seconds of prompt on two threads: the cancel lands while it is evaluated, however busy the machine.
        threading.Timer(0.15, cancel.set).start()
        events = list(engine.chat(ChatRequest([ChatMessage("user", long_text)], GREEDY), cancel))
        assert events[-1] == Finished("cancelled")
        # Without the abort callback the whole prompt would be evaluated and the first token shown before
        # the cancel is seen; the time this saves is measured in bench/bench_cancel.py.
        assert not any(isinstance(e, TextDelta) for e in events)
        # and the next request works from a consistent cache
        ok = list(engine.chat(ChatRequest([ChatMessage("user", "Hi")], GREEDY), threading.Event()))
        assert ok[-1].reason in ("stop", "length")
    finally:
        engine.unload()


def test_load_progress_events_type():
    assert LoadProgress(0.5).type == "load_progress"


def test_a_cancelled_request_with_a_long_conversation_stops_before_its_prompt(gemma_path):
    """A request whose client left while it waited (its cancel is set when its turn comes) costs no prompt
    work: not even the fitting of its 2,000 messages, and the engine answers the next one."""
    from deepseek_desktop.engines.llamacpp import LlamaCppEngine

    engine = LlamaCppEngine()
    engine.load(LoadParams(model=str(gemma_path), n_ctx=1024, n_threads=THREADS))
    try:
        long = [ChatMessage("user" if i % 2 == 0 else "assistant", f"message {i} " + "word " * 20)
                for i in range(2000)] + [ChatMessage("user", "Hi")]
        cancel = threading.Event()
        cancel.set()
        events = list(engine.chat(ChatRequest(long, GREEDY, truncate=True), cancel))
        assert events[-1] == Finished("cancelled") and stats_of(events).prompt_tokens == 0
        fitted = list(engine.chat(ChatRequest(long, GREEDY, truncate=True), threading.Event()))
        stats = stats_of(fitted)
        assert stats.messages_dropped > 1900 and 0 < stats.prompt_tokens < 1024
    finally:
        engine.unload()


def test_the_log_lines_of_a_load_are_found_after_the_kept_window_is_full():
    """A load logs about 1,400 lines and 200 are kept: the lines of the next (failing) load are still found."""
    from deepseek_desktop.engines.llamacpp import _RecentLines

    lines = _RecentLines(maxlen=200)
    for i in range(1400):
        lines.append(f"earlier {i}")
    mark = lines.mark()
    assert lines.since(mark) == []
    lines.append("ggml_vulkan: Device memory allocation of size 150994944 failed.")
    assert lines.since(mark) == ["ggml_vulkan: Device memory allocation of size 150994944 failed."]
    for i in range(300):
        lines.append(f"later {i}")
    assert lines.since(mark) == list(lines) and len(lines) == 200  # no more than is kept
