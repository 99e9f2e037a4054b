"""Build llama.cpp's RPC worker and server (the two programs of a distributed llama.cpp run) once per machine.

    python packaging/build_llama_rpc.py [--version X.Y.Z] [--jobs 2]

Takes the llama.cpp that the llama-cpp-python sdist vendors (the same version as the installed binding, so
the head and the worker speak the same RPC protocol as the app's engine), builds only the targets
`llama-server` and `ggml-rpc-server` (`rpc-server` in older releases) with GGML_RPC=ON, and copies them to
~/.cache/deepseek-desktop/llama-rpc/<version>/bin. A second call returns at once; concurrent calls wait on a
lock instead of building twice. Prints one JSON line: {"llama_server": ..., "rpc_server": ..., "version": ...}.
Exit code 3 means no C++ compiler or cmake (the caller skips with that reason).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NO_TOOLCHAIN = 3
STAMP_FORMAT = 2  # the programs keep their own names in bin/

# The same portable CPU flags as the Makefile: -march=native also compiles the AMX kernels, which crash on
# some virtual machines whose CPU reports AMX.
PORTABLE_X86 = ["-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON",
                "-DGGML_BMI2=ON"]
# Only what the two programs need: no tests, examples, web UI download, TLS or curl.
CMAKE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DGGML_RPC=ON", "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF",
               "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
               "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_SERVER=ON",
               "-DLLAMA_BUILD_TOOLS=ON"]


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deepseek-desktop" / "llama-rpc"


def installed_version() -> str:
    from importlib.metadata import version

    return version("llama-cpp-python")


def missing_toolchain() -> str | None:
    for tool in ("cmake", "c++", "cc"):
        if shutil.which(tool) is None:
            return f"{tool} not found on PATH"
    return None


def rpc_target(src: Path) -> str:
    """The worker's target name: ggml-rpc-server now, rpc-server before the rename."""
    for sub in ("tools/rpc/CMakeLists.txt", "examples/rpc/CMakeLists.txt"):
        f = src / sub
        if f.is_file() and "ggml-rpc-server" in f.read_text(encoding="utf-8"):
            return "ggml-rpc-server"
    return "rpc-server"


def locked_hashes(version: str) -> list[str]:
    """The SHA-256 sums requirements/lock.txt gives for llama-cpp-python ``version`` (none for another)."""
    lock = Path(__file__).resolve().parent.parent / "requirements" / "lock.txt"
    hashes: list[str] = []
    inside = False
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line.startswith(" "):
            inside = line.split(";")[0].strip().rstrip("\\").strip() == f"llama-cpp-python=={version}"
        elif inside and line.strip().startswith("--hash="):
            hashes.append(line.strip().rstrip("\\").strip())
    return hashes


def fetch_sdist(version: str, work: Path) -> Path:
    requirement = work / "sdist.txt"
    hashes = locked_hashes(version)
    requirement.write_text(" ".join([f"llama-cpp-python=={version}", *hashes]) + "\n", encoding="utf-8")
    check = ["--require-hashes"] if hashes else []  # another release than the lock's: the drift job
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    *check, "-r", str(requirement), "-d", str(work)], check=True)
    archive = next(work.glob("llama_cpp_python-*.tar.gz"), None) or next(work.glob("*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return next(p for p in work.iterdir() if p.is_dir()) / "vendor" / "llama.cpp"


def build(version: str, dest: Path, jobs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="llama-rpc-build-") as tmp:
        work = Path(tmp)
        src = fetch_sdist(version, work)
        flags = list(CMAKE_FLAGS)
        if platform.machine().lower() in ("x86_64", "amd64"):
            flags += PORTABLE_X86
        build_dir = work / "build"
        subprocess.run(["cmake", "-S", str(src), "-B", str(build_dir), *flags], check=True,
                       stdout=subprocess.DEVNULL)
        worker = rpc_target(src)
        subprocess.run(["cmake", "--build", str(build_dir), "--config", "Release", "--target", "llama-server",
                        worker, f"-j{jobs}"], check=True, stdout=subprocess.DEVNULL)
        bin_dir = dest / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        for name in ("llama-server", worker):
            built = next(p for p in build_dir.rglob(name) if p.is_file())
            shutil.copy2(built, bin_dir / name)


def _read_stamp(stamp: Path) -> dict | None:
    """What an earlier build left; None (build again) for a missing, damaged or older-format stamp."""
    try:
        done = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return done if isinstance(done, dict) and done.get("format") == STAMP_FORMAT else None


def ensure(version: str, jobs: int) -> dict[str, str]:
    dest = cache_root() / version
    bin_dir = dest / "bin"
    stamp = dest / "built.json"
    dest.mkdir(parents=True, exist_ok=True)
    with open(dest / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = _read_stamp(stamp)
        if done is None or not (bin_dir / done["rpc_server"]).is_file() or not (bin_dir / "llama-server").is_file():
            build(version, dest, jobs)
            worker = next(n for n in ("ggml-rpc-server", "rpc-server") if (bin_dir / n).is_file())
            done = {"format": STAMP_FORMAT, "version": version, "rpc_server": worker}
            stamp.write_text(json.dumps(done), encoding="utf-8")
        worker = done["rpc_server"]
    return {"llama_server": str(bin_dir / "llama-server"), "rpc_server": str(bin_dir / worker), "version": version}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=None, help="llama-cpp-python version (default: the installed one)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    reason = missing_toolchain()
    if reason:
        print(json.dumps({"error": reason}))
        return NO_TOOLCHAIN
    print(json.dumps(ensure(args.version or installed_version(), args.jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
