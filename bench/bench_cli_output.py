"""What the hardening of the reply's path costs per streamed token, beside the unchecked baseline:

  1. encoding one TextDelta frame for the engine host's pipe (with the U+FFFD fallback for lone
     surrogates) vs. the plain ``json.dumps(...).encode()`` it replaced
  2. writing one delta to the terminal through ``TerminalWriter`` (control characters shown as
     escapes) vs. a bare ``stream.write`` + ``flush``

    .venv/bin/python bench/bench_cli_output.py [--runs 7]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import struct
import time

from deepseek_desktop.cli.common import TerminalWriter
from deepseek_desktop.engine_host.protocol import encode

_HEADER = struct.Struct(">I")
FRAME = {"id": 7, "event": {"type": "text", "text": " Mixture-of-Experts"}}
DELTAS = [" Mixture", "-of", "-Experts", " models", " route", " each", " token", ".\n"] * 50


def baseline_encode(message: dict) -> bytes:
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def per_call_us(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    n = 20000

    ours = [per_call_us(lambda: encode(FRAME), n) for _ in range(args.runs)]
    base = [per_call_us(lambda: baseline_encode(FRAME), n) for _ in range(args.runs)]
    print(f"1. encode one delta frame: {statistics.median(ours):.2f} us vs {statistics.median(base):.2f} us "
          f"baseline (ratio {statistics.median(ours) / statistics.median(base):.2f})")

    def through_writer() -> None:
        out = TerminalWriter(io.StringIO())
        for d in DELTAS:
            out.write(d)

    def bare() -> None:
        stream = io.StringIO()
        for d in DELTAS:
            stream.write(d)
            stream.flush()

    m = 200
    ours = [per_call_us(through_writer, m) / len(DELTAS) for _ in range(args.runs)]
    base = [per_call_us(bare, m) / len(DELTAS) for _ in range(args.runs)]
    print(f"2. write one delta to the terminal: {statistics.median(ours):.2f} us vs {statistics.median(base):.2f} us "
          f"baseline (ratio {statistics.median(ours) / statistics.median(base):.2f})")


if __name__ == "__main__":
    main()
