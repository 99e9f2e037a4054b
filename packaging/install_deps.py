"""Install the app and everything it needs into the running Python's environment, from the lock.

    python packaging/install_deps.py            exact versions with hashes (requirements/*.txt)
    python packaging/install_deps.py --latest   the newest versions pyproject.toml allows (the drift job)
    ... --skip-llama-cpp | --llama-cpp-only     the Python packages, or llama.cpp, alone (make's two phases)
    ... --cpu-variants here                     llama.cpp with the baseline and this CPU's best variant only

`make` runs it inside .venv; the packages workflow runs it with the runner's Python (Windows has no make).
The build tools (pip, setuptools, wheel, scikit-build-core) come first from requirements/build.txt, so that
llama-cpp-python, which builds from source, is built by pinned tools (--no-build-isolation), and nothing
is taken from a bare range. Refresh both files with `make lock`.

llama-cpp-python is installed without its own llama.cpp (LLAMA_BUILD=OFF: only the Python part); the
llama.cpp it runs is the one build per machine that packaging/build_llama.py makes (loadable backends,
every CPU variant, Vulkan or Metal), whose libraries are copied into llama_cpp/lib, where the binding
and the frozen app look for them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import build_llama

ROOT = Path(__file__).resolve().parent.parent
BUILD_LOCK = ROOT / "requirements" / "build.txt"
LOCK = ROOT / "requirements" / "lock.txt"
MIN_PYTHON = (3, 11)  # enum.StrEnum; pyproject.toml says the same


# The binding's own CMake project builds no llama.cpp and no libmtmd: the machine's one build is used.
BINDING_CMAKE_ARGS = "-DLLAMA_BUILD=OFF -DLLAVA_BUILD=OFF"


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args]
    print("+", " ".join(command), flush=True)
    env = dict(os.environ, CMAKE_ARGS=BINDING_CMAKE_ARGS)
    subprocess.run(command, check=True, cwd=ROOT, env=env)


def binding_lib_dir() -> Path:
    """llama_cpp/lib in this environment: where llama-cpp-python loads libllama from."""
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llama-cpp-python is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations))) / "lib"


def install_llama_cpp(jobs: int, cpu_variants: str = "all") -> None:
    """Build llama.cpp for the installed binding's version (once per machine) and put its libraries where the
    binding loads them. Whatever was in llama_cpp/lib before (a wheel's own build) is replaced."""
    from importlib.metadata import version

    built = build_llama.ensure(version("llama-cpp-python"), jobs, cpu=cpu_variants)
    lib = binding_lib_dir()
    shutil.rmtree(lib, ignore_errors=True)
    lib.mkdir(parents=True)
    for path in map(Path, built["app_libraries"]):
        shutil.copy2(path, lib / path.name)
    names = ", ".join(sorted(Path(p).name for p in built["app_libraries"]))
    variants = built["cpu_variants"] if built["cpu_variants"] == "all" else ", ".join(built["cpu_variants"])
    print(f"llama.cpp {built['version']} ({built['gpu']}, CPU variants: {variants}) from {built['dir']}: {names}",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latest", action="store_true", help="ignore the lock: newest allowed versions")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--skip-llama-cpp", action="store_true", help="the Python packages only")
    only.add_argument("--llama-cpp-only", action="store_true", help="build llama.cpp and install its libraries")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel compile jobs")
    parser.add_argument("--cpu-variants", choices=("all", "here"), default="all",
                        help="every CPU variant (a release), or the baseline and this CPU's best (make's default)")
    args = parser.parse_args(argv)
    if sys.version_info < MIN_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        print(f"DeepSeek Desktop needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; this is {found}. "
              "Run make with PYTHON=python3.11 (or newer).", file=sys.stderr)
        return 1
    try:
        if not args.llama_cpp_only:
            if args.latest:
                pip("--upgrade", "pip", "setuptools", "wheel", "scikit-build-core")
                pip("--upgrade", "--upgrade-strategy", "eager", "--no-build-isolation", "-e", ".[dev,mlx]")
            else:
                pip("--require-hashes", "--no-deps", "-r", str(BUILD_LOCK))
                pip("--require-hashes", "--no-deps", "--no-build-isolation", "-r", str(LOCK))
                pip("--no-deps", "--no-build-isolation", "-e", ".")
            subprocess.run([sys.executable, "-m", "pip", "check"], check=True, cwd=ROOT)
        if not args.skip_llama_cpp:
            reason = build_llama.missing_toolchain()
            if reason:
                print(f"llama.cpp cannot be built here: {reason}", file=sys.stderr)
                return 1
            install_llama_cpp(args.jobs, args.cpu_variants)
    except subprocess.CalledProcessError as exc:
        print(f"install failed: {' '.join(exc.cmd)} exited with {exc.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
