"""Time the phases of `make test` and print one line for each at the end.

    python3 packaging/phases.py start                 forget the last run's figures
    python3 packaging/phases.py run NAME -- CMD ...   run CMD, record how long it took under NAME
    python3 packaging/phases.py report                one line per phase, and the total

A phase that make skipped (an up-to-date virtualenv) is reported as such. When a phase fails, the lines
so far are printed before make stops, so a red CI log still says where the time went.
Standard library only: the first phase runs before the virtualenv exists.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

RECORD = Path("build") / "phases.json"
# The phases of `make test`, in the order they run; the names are what `run` is given.
PHASES = {
    "venv": "virtualenv from the lock",
    "llama-cpp": "llama.cpp (CPU variants, Vulkan, server, RPC worker)",
    "test-tools": "test tools (wine, Inno Setup, shellcheck)",
    "lint": "lint (ruff, import contracts, workflows)",
    "tests": "tests",
    "package": "package test (.deb built, installed, run)",
    "installer": "Windows installer under Wine (stand-in app)",
}


def _load() -> dict[str, dict]:
    try:
        data = json.loads(RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(data: dict[str, dict]) -> None:
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(data), encoding="utf-8")


def report() -> str:
    data = _load()
    lines = ["Time per phase:"]
    total = 0.0
    for name, label in PHASES.items():
        got = data.get(name)
        if got is None:
            lines.append(f"  {label:<50} up to date")
            continue
        total += got["seconds"]
        status = "" if got["ok"] else "  FAILED"
        lines.append(f"  {label:<50} {_clock(got['seconds']):>8}{status}")
    lines.append(f"  {'total':<50} {_clock(total):>8}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def run(name: str, command: list[str]) -> int:
    start = time.monotonic()
    code = subprocess.call(command)
    data = _load()
    data[name] = {"seconds": time.monotonic() - start, "ok": code == 0}
    _save(data)
    if code != 0:
        print(report(), flush=True)
    return code


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:
        _save({})
        return 0
    if argv[:1] == ["report"]:
        print(report())
        return 0
    if len(argv) >= 4 and argv[0] == "run" and argv[2] == "--" and argv[1] in PHASES:
        return run(argv[1], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
