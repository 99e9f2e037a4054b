"""Launch to window of the installed app (the frozen build) against the same launch from the virtualenv.

Both run ``deepseek-desktop gui --quit-after-shown`` on an empty data folder, alternating, and the time
is taken from spawning the process to its "shown" line (the window is up and painted once). Medians
and the ratio installed / virtualenv.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_launch.py [--runs 9] [--installed PATH]

PATH defaults to the installed package's /usr/bin/deepseek-desktop, else dist/deepseek-desktop/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def time_to_window(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    elapsed = float("nan")
    for line in proc.stdout:
        if line.startswith("shown"):
            elapsed = time.perf_counter() - t0
            break
    proc.wait(timeout=60)
    if elapsed != elapsed:
        raise RuntimeError(f"{cmd[0]} never showed its window (exit {proc.returncode})")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--installed", default=shutil.which("deepseek-desktop", path="/usr/bin")
                    or str(ROOT / "dist" / "deepseek-desktop" / "deepseek-desktop"))
    args = ap.parse_args()
    if not Path(args.installed).exists():
        print(f"no installed app at {args.installed}: run make package (and install the .deb)", file=sys.stderr)
        return 2
    venv_cmd = [sys.executable, "-m", "deepseek_desktop", "gui", "--quit-after-shown"]
    installed_cmd = [args.installed, "gui", "--quit-after-shown"]
    home = Path(tempfile.mkdtemp(prefix="bench-launch-"))
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               DEEPSEEK_DESKTOP_HOME=str(home))
    env_venv = dict(env, PYTHONPATH=str(ROOT))
    try:
        # one warm-up each: the first start reads everything from disk and creates the data folder
        time_to_window(installed_cmd, env)
        time_to_window(venv_cmd, env_venv)
        times: dict[str, list[float]] = {"installed": [], "venv": []}
        for _ in range(args.runs):
            times["installed"].append(time_to_window(installed_cmd, env))
            times["venv"].append(time_to_window(venv_cmd, env_venv))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"launch to window, median of {args.runs} alternating runs")
    print(f"  installed app ({args.installed}): {1000 * med['installed']:7.0f} ms "
          f"(min {1000 * min(times['installed']):.0f}, max {1000 * max(times['installed']):.0f})")
    print(f"  virtualenv ({sys.executable} -m deepseek_desktop): {1000 * med['venv']:7.0f} ms "
          f"(min {1000 * min(times['venv']):.0f}, max {1000 * max(times['venv']):.0f})")
    print(f"  ratio installed / virtualenv: {med['installed'] / med['venv']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
