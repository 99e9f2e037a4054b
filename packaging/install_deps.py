"""Install the app and everything it needs into the running Python's environment, from the lock.

    python packaging/install_deps.py            exact versions with hashes (requirements/*.txt)
    python packaging/install_deps.py --latest   the newest versions pyproject.toml allows (the drift job)

`make` runs it inside .venv; the packages workflow runs it with the runner's Python (Windows has no make).
The build tools (pip, setuptools, wheel, scikit-build-core) come first from requirements/build.txt, so that
llama-cpp-python, which builds from source, is built by pinned tools (--no-build-isolation), and nothing
is taken from a bare range. Refresh both files with `make lock`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_LOCK = ROOT / "requirements" / "build.txt"
LOCK = ROOT / "requirements" / "lock.txt"
MIN_PYTHON = (3, 11)  # enum.StrEnum; pyproject.toml says the same


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latest", action="store_true", help="ignore the lock: newest allowed versions")
    args = parser.parse_args(argv)
    if sys.version_info < MIN_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        print(f"DeepSeek Desktop needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; this is {found}. "
              "Run make with PYTHON=python3.11 (or newer).", file=sys.stderr)
        return 1
    try:
        if args.latest:
            pip("--upgrade", "pip", "setuptools", "wheel", "scikit-build-core")
            pip("--upgrade", "--upgrade-strategy", "eager", "--no-build-isolation", "-e", ".[dev,mlx]")
        else:
            pip("--require-hashes", "--no-deps", "-r", str(BUILD_LOCK))
            pip("--require-hashes", "--no-deps", "--no-build-isolation", "-r", str(LOCK))
            pip("--no-deps", "--no-build-isolation", "-e", ".")
        subprocess.run([sys.executable, "-m", "pip", "check"], check=True, cwd=ROOT)
    except subprocess.CalledProcessError as exc:
        print(f"install failed: {' '.join(exc.cmd)} exited with {exc.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
