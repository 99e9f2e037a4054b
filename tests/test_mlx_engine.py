"""Real mlx-lm (CPU build) on a tiny random DeepSeek-V3, through the engine host process."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading

import pytest

pytest.importorskip("mlx_lm")

from mlx_tiny_model import tiny_model_folders  # noqa: E402

from deepseek_desktop.core.errors import ModelFileError  # noqa: E402
from deepseek_desktop.core.events import Finished, ReasoningDelta, Stats, TextDelta  # noqa: E402
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams  # noqa: E402
from deepseek_desktop.engine_host.client import EngineHostClient  # noqa: E402

GREEDY = GenerationParams(temperature=0.0, max_tokens=24)
QUESTION = [ChatMessage("system", "You are brief."), ChatMessage("user", "Name three colours.")]


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    return tiny_model_folders(tmp_path_factory.getbasetemp())


def run(coro, timeout=120):
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def loaded(folder, **load) -> tuple[EngineHostClient, dict, list[float]]:
    client = EngineHostClient()
    await client.start()
    progress: list[float] = []
    info = await client.load("mlx", LoadParams(model=str(folder), **load), on_progress=progress.append)
    return client, info, progress


async def collect(client, messages, params=GREEDY):
    return [e async for e in client.chat(ChatRequest(list(messages), params))]


def text_of(events) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def reasoning_of(events) -> str:
    return "".join(e.text for e in events if isinstance(e, ReasoningDelta))


def stats_of(events) -> Stats:
    return next(e for e in events if isinstance(e, Stats))


def test_streams_with_stats_and_load_facts(tiny):
    async def main():
        client, info, progress = await loaded(tiny["v3"])
        try:
            events = await collect(client, QUESTION)
        finally:
            await client.stop()
        return info, progress, events

    info, progress, events = run(main())
    assert info["engine"] == "mlx" and info["architecture"] == "deepseek_v3"
    assert info["chat_template"] == "model" and info["context_length"] == 2048
    assert progress and progress[-1] == 1.0
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 5 and text_of(events).strip()
    assert not reasoning_of(events), "the V3 template does not open a reasoning block"
    stats = stats_of(events)
    assert stats.prompt_tokens > 5 and stats.prompt_tokens_evaluated == stats.prompt_tokens
    assert stats.completion_tokens == 24 and events[-1] == Finished("length")
    assert stats.tokens_per_s > 0 and stats.ttft_ms > 0 and stats.chat_template == "model"


def test_prompt_cache_is_reused_and_trimmed_across_turns(tiny):
    async def main():
        client, _, _ = await loaded(tiny["v3"])
        try:
            first = await collect(client, QUESTION)
            follow_up = QUESTION + [ChatMessage("assistant", text_of(first)),
                                    ChatMessage("user", "And three animals?")]
            second = await collect(client, follow_up)
            # "Regenerate": the first question again. The cache holds it as a prefix of the second
            # turn, is trimmed back to it, and greedy decoding must give the same reply as before.
            again = await collect(client, QUESTION)
        finally:
            await client.stop()
        return first, second, again

    first, second, again = run(main())
    s1, s2, s3 = stats_of(first), stats_of(second), stats_of(again)
    assert s2.prompt_tokens > s1.prompt_tokens
    assert s2.prompt_tokens_evaluated <= s2.prompt_tokens - s1.prompt_tokens, "the first prompt is not evaluated again"
    assert s3.prompt_tokens == s1.prompt_tokens and s3.prompt_tokens_evaluated == 1
    assert text_of(again) == text_of(first)


def test_cancel_mid_stream_then_the_cache_is_still_right(tiny):
    async def main():
        client, _, _ = await loaded(tiny["v3"])
        try:
            before = await collect(client, QUESTION)
            events, n = [], 0
            long = GenerationParams(temperature=0.0, max_tokens=1500)
            async for e in client.chat(ChatRequest([ChatMessage("user", "Tell me a long story.")], long)):
                events.append(e)
                if isinstance(e, TextDelta):
                    n += 1
                    if n == 5:
                        client.cancel()
            after = await collect(client, QUESTION)
        finally:
            await client.stop()
        return before, events, after

    # how fast the cancel lands is a figure for bench/bench_cancel.py, not a test bound
    before, events, after = run(main())
    assert events[-1] == Finished("cancelled")
    assert stats_of(events).completion_tokens < 1500
    assert text_of(after) == text_of(before), "a cancelled reply leaves a cache that still gives the same answer"


def test_stop_strings_and_max_tokens(tiny):
    async def main():
        client, _, _ = await loaded(tiny["v3"])
        try:
            free = await collect(client, QUESTION, GenerationParams(temperature=0.0, max_tokens=40))
            free_text = text_of(free)
            # a piece of whatever the model wrote, from past its first few characters
            word = next(w for w in free_text[6:].split() if len(w) >= 2 and "\ufffd" not in w)
            stopped = await collect(client, QUESTION, GenerationParams(temperature=0.0, max_tokens=40, stop=[word]))
            short = await collect(client, QUESTION, GenerationParams(temperature=0.0, max_tokens=3))
        finally:
            await client.stop()
        return free_text, word, stopped, short

    free_text, word, stopped, short = run(main())
    assert text_of(stopped) == free_text[: free_text.index(word)]
    assert word not in text_of(stopped) and stopped[-1] == Finished("stop")
    assert stats_of(short).completion_tokens == 3 and short[-1] == Finished("length")


def test_r1_template_streams_reasoning_and_history_drops_it(tiny):
    async def main():
        client, info, _ = await loaded(tiny["r1"])
        try:
            events = await collect(client, QUESTION)
            answer = "Red, green and blue."
            plain = QUESTION + [ChatMessage("assistant", answer), ChatMessage("user", "More?")]
            with_reasoning = QUESTION + [
                ChatMessage("assistant",
                            "<think>\nThe user wants colours. Long private thoughts.\n</think>\n\n" + answer),
                ChatMessage("user", "More?"),
            ]
            a = await collect(client, plain, GenerationParams(temperature=0.0, max_tokens=2))
            b = await collect(client, with_reasoning, GenerationParams(temperature=0.0, max_tokens=2))
        finally:
            await client.stop()
        return info, events, a, b

    info, events, a, b = run(main())
    assert info["chat_template"] == "model"
    # The prompt ends with "<think>\n": everything the model writes is reasoning until "</think>",
    # which this tiny model never writes.
    assert len(reasoning_of(events)) > 10 and text_of(events) == ""
    assert isinstance(next(e for e in events if isinstance(e, (TextDelta, ReasoningDelta))), ReasoningDelta)
    assert stats_of(a).prompt_tokens == stats_of(b).prompt_tokens, "reasoning is never sent back to the model"


def test_sampling_with_seed_is_repeatable(tiny):
    params = GenerationParams(temperature=0.9, top_p=0.9, top_k=20, repeat_penalty=1.3, max_tokens=16, seed=11)

    async def main():
        client, _, _ = await loaded(tiny["v3"])
        try:
            a = await collect(client, QUESTION, params)
            b = await collect(client, QUESTION, params)
            greedy = await collect(client, QUESTION, GenerationParams(temperature=0.0, max_tokens=16))
        finally:
            await client.stop()
        return a, b, greedy

    a, b, greedy = run(main())
    assert text_of(a) == text_of(b)
    assert text_of(a) != text_of(greedy), "temperature and repetition penalty reach the sampler"


def _bad_folders(tiny, root):
    good = tiny["v3"]
    out = {}

    def copy(name):
        folder = root / name
        shutil.copytree(good, folder)
        return folder

    out["no_config"] = copy("no-config")
    (out["no_config"] / "config.json").unlink()
    out["no_weights"] = copy("no-weights")
    (out["no_weights"] / "model.safetensors").unlink()
    out["no_tokenizer"] = copy("no-tokenizer")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (out["no_tokenizer"] / name).unlink()
    out["cut_weights"] = copy("cut-weights")
    weights = out["cut_weights"] / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    out["unknown_arch"] = copy("unknown-arch")
    config = json.loads((out["unknown_arch"] / "config.json").read_text())
    config["model_type"] = "frobnicator"
    (out["unknown_arch"] / "config.json").write_text(json.dumps(config))
    out["a_file"] = root / "model.gguf"
    out["a_file"].write_bytes(b"GGUF" + bytes(100))
    out["missing"] = root / "does-not-exist"
    return out


@pytest.mark.parametrize(
    "kind,message_id",
    [("no_config", "model.not_mlx"), ("no_weights", "model.not_mlx"), ("no_tokenizer", "model.not_mlx"),
     ("a_file", "model.not_mlx"), ("missing", "model.not_found"), ("cut_weights", "model.truncated"),
     ("unknown_arch", "model.mlx_unsupported_arch")],
)
def test_bad_folders_give_typed_errors_and_the_host_survives(tiny, tmp_path, kind, message_id):
    folder = _bad_folders(tiny, tmp_path)[kind]

    async def main():
        client = EngineHostClient()
        await client.start()
        try:
            with pytest.raises(ModelFileError) as err:
                await client.load("mlx", LoadParams(model=str(folder)))
            alive = client.running and await client.ping()
            # and the same host still loads a good model and answers
            await client.load("mlx", LoadParams(model=str(tiny["v3"])))
            events = await collect(client, QUESTION, GenerationParams(temperature=0.0, max_tokens=2))
        finally:
            await client.stop()
        return err.value, alive, events

    err, alive, events = run(main())
    assert err.message_id == message_id
    assert str(folder) in err.user_text()
    assert alive and events[-1] == Finished("length")
    if kind == "unknown_arch":
        assert "frobnicator" in err.user_text()


def test_engine_in_process_cancel_while_a_long_prompt_is_evaluated(tiny):
    """Stop also works between the chunks of a long prompt; the cache keeps what was evaluated."""
    from deepseek_desktop.engines.mlx_engine import MlxEngine

    engine = MlxEngine()
    engine.load(LoadParams(model=str(tiny["v3"]), n_ctx=8192, n_batch=32))
    try:
        long_text = " ".join(f"Sentence number {i} talks about the weather." for i in range(120))
        params = GenerationParams(temperature=0.0, max_tokens=4000)  # still busy when Stop comes
        cancel = threading.Event()
        timer = threading.Timer(0.3, cancel.set)
        timer.start()
        events = list(engine.chat(ChatRequest([ChatMessage("user", long_text)], params), cancel))
        timer.join()
        assert events[-1] == Finished("cancelled")
        held = len(engine._cache_tokens)
        assert held == engine._cache[0].offset, "the cache knows what it holds"
        # the next request evaluates only what the cancelled one did not, and answers
        events = list(engine.chat(ChatRequest([ChatMessage("user", long_text)], GREEDY), threading.Event()))
        stats = stats_of(events)
        assert stats.prompt_tokens > 2000
        assert stats.prompt_tokens_evaluated == stats.prompt_tokens - min(held, stats.prompt_tokens - 1)
        assert events[-1] == Finished("length")
    finally:
        engine.unload()


def test_the_thinking_budget_closes_the_reasoning_and_an_answer_follows(tiny):
    """R1's template opens the reasoning and this tiny model never closes it: with a budget the engine writes
    the close into the prompt cache after that many tokens, and the model answers (random text, but text)."""
    params = GenerationParams(temperature=0.0, max_tokens=24)

    async def main():
        client, _, _ = await loaded(tiny["r1"])
        try:
            cut = [e async for e in client.chat(ChatRequest(list(QUESTION), params, thinking_budget=6))]
            unlimited = await collect(client, QUESTION, params)
            again = [e async for e in client.chat(ChatRequest(list(QUESTION), params, thinking_budget=6))]
        finally:
            await client.stop()
        return cut, unlimited, again

    cut, unlimited, again = run(main())
    assert stats_of(cut).thinking_stopped_at == 6 and stats_of(unlimited).thinking_stopped_at is None
    assert text_of(cut) and not text_of(unlimited)
    assert reasoning_of(unlimited).startswith(reasoning_of(cut).rstrip())  # the same first six tokens
    assert [e for e in again if not isinstance(e, Stats)] == [e for e in cut if not isinstance(e, Stats)]
