"""Build llama.cpp once per machine: the libraries the Python binding loads, llama-server, the RPC worker and
llama-bench, from one source with one configuration.

    python packaging/build_llama.py [--version X.Y.Z] [--jobs 2] [--gpu auto|vulkan|metal|cpu]
                                    [--cpu-variants here|all]

The source is the llama.cpp that the llama-cpp-python sdist of that version vendors (fetched with pip and
checked against the SHA-256 in requirements/lock.txt), so the binding and llama.cpp's own programs are the
same code. Backends are loadable libraries (GGML_BACKEND_DL): every CPU variant (GGML_CPU_ALL_VARIANTS;
ggml scores them against the CPU at run time and loads the best) and the GPU backend of the system: Vulkan
on Linux and Windows (NVIDIA, AMD, Intel) when its headers and glslc are there, Metal on macOS.

``--cpu-variants all`` (what the packages workflow ships) builds all fourteen x86 variants; ``here`` (the
default, for ``make`` and the tests) builds the baseline ``x64`` and the best ones this CPU runs (read from
/proc/cpuinfo), which is the variant ggml would pick among all fourteen, in a third of the time (a CPU
variant takes one to one and a half minutes on two busy cores). A build with more variants serves a
request for fewer. Outside x86 Linux ``here`` builds all.

Everything lands in one folder, ~/.cache/deepseek-desktop/llama.cpp/<version>-<gpu>/bin (ggml looks for
backends beside the program that loads it). A second call returns at once; concurrent calls wait on a lock
instead of building twice; an interrupted build continues where it stopped (its work folder is kept).
Prints one JSON line: {"version", "gpu", "dir", "llama_server", "rpc_server", "llama_bench",
"app_libraries", "cpu_variants"}. Exit code 3 means no C++ compiler or cmake (the caller skips with that
reason).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
NO_TOOLCHAIN = 3
STAMP_FORMAT = 1
IS_WIN, IS_MAC = sys.platform == "win32", sys.platform == "darwin"

# Only what the binding and the three programs need: no tests, examples, web UI, TLS or curl. Shared
# libraries without version suffixes (libllama.so, not libllama.so.0.5.0), found beside each other.
CMAKE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=ON", "-DGGML_BACKEND_DL=ON",
               "-DGGML_NATIVE=OFF", "-DGGML_RPC=ON", "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF",
               "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_UI=OFF",
               "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_BUILD_TOOLS=ON",
               "-DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON", "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON",
               "-DCMAKE_INSTALL_RPATH=" + ("@loader_path" if IS_MAC else "$ORIGIN")]
PROGRAMS = ("llama-server", "llama-bench")
# The binding needs these three and the backends; libmtmd (images) is not used by the app.
CORE_LIBRARIES = ("llama", "ggml", "ggml-base")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deepseek-desktop" / "llama.cpp"


def installed_version() -> str:
    """The installed binding's version; without one (a CI job that builds only a pack), the lock's."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama-cpp-python")
    except PackageNotFoundError:
        lock = (HERE.parent / "requirements" / "lock.txt").read_text(encoding="utf-8")
        return re.search(r"^llama-cpp-python==([^\s;\\]+)", lock, re.M).group(1)


def missing_toolchain() -> str | None:
    tools = ("cmake",) if IS_WIN else ("cmake", "c++", "cc")
    for tool in tools:
        if shutil.which(tool) is None:
            return f"{tool} not found on PATH"
    return None


# -- file names ----------------------------------------------------------------------------------------
def library_file(name: str) -> str:
    """A shared library's file name on this system (llama -> libllama.so / libllama.dylib / llama.dll)."""
    if IS_WIN:
        return f"{name}.dll"
    return f"lib{name}.dylib" if IS_MAC else f"lib{name}.so"


def program_file(name: str) -> str:
    return f"{name}.exe" if IS_WIN else name


_BACKEND = re.compile(r"^(lib)?ggml-(?P<name>[a-z0-9]+)(-(?P<variant>[A-Za-z0-9_.]+))?\.(so|dll)$")


def backend_files(folder: Path) -> list[Path]:
    """The loadable backends in ``folder`` (ggml's own pattern: [lib]ggml-NAME[-VARIANT].so|dll), not ggml-base."""
    return sorted(p for p in folder.iterdir() if _BACKEND.match(p.name) and not p.name.startswith(
        ("libggml-base.", "ggml-base.")))


def app_libraries(folder: Path) -> list[Path]:
    """What the app's engine loads: libllama, libggml, libggml-base and the backends except RPC (the app
    reaches llama.cpp servers over HTTP, not as an RPC client)."""
    core = [folder / library_file(n) for n in CORE_LIBRARIES]
    backends = [p for p in backend_files(folder) if _BACKEND.match(p.name).group("name") != "rpc"]
    return [p for p in core if p.is_file()] + backends


# -- source --------------------------------------------------------------------------------------------
def locked_hashes(version: str) -> list[str]:
    """The SHA-256 sums requirements/lock.txt gives for llama-cpp-python ``version`` (none for another)."""
    lock = HERE.parent / "requirements" / "lock.txt"
    hashes: list[str] = []
    inside = False
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line.startswith(" "):
            inside = line.split(";")[0].strip().rstrip("\\").strip() == f"llama-cpp-python=={version}"
        elif inside and line.strip().startswith("--hash="):
            hashes.append(line.strip().rstrip("\\").strip())
    return hashes


def fetch_sdist(version: str, work: Path) -> Path:
    """Download the sdist (hash-checked when the lock names this version) into ``work``; return the archive."""
    requirement = work / "sdist.txt"
    hashes = locked_hashes(version)
    requirement.write_text(" ".join([f"llama-cpp-python=={version}", *hashes]) + "\n", encoding="utf-8")
    check = ["--require-hashes"] if hashes else []  # another release than the lock's: the drift job
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    *check, "-r", str(requirement), "-d", str(work)], check=True)
    return next(work.glob("llama_cpp_python-*.tar.gz"), None) or next(work.glob("*.tar.gz"))


def unpack_llama_cpp(archive: Path, work: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return next(p for p in work.iterdir() if p.is_dir()) / "vendor" / "llama.cpp"


# -- configuration ---------------------------------------------------------------------------------------
def cpu_flags() -> list[str]:
    """Every CPU variant where ggml has a set for the architecture (x86-64; ARM on Linux and macOS)."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64") or (machine in ("arm64", "aarch64") and not IS_WIN):
        return ["-DGGML_CPU_ALL_VARIANTS=ON"]
    return []


# ggml's x86 CPU variants and the features each is compiled for (ggml/src/CMakeLists.txt, the
# GGML_CPU_ALL_VARIANTS block), with the /proc/cpuinfo flags each feature needs at run time.
X86_VARIANTS = {
    "x64": (), "sse42": ("SSE42",), "sandybridge": ("SSE42", "AVX"), "ivybridge": ("SSE42", "AVX", "F16C"),
    "piledriver": ("SSE42", "AVX", "F16C", "FMA"), "haswell": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2"),
    "skylakex": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512"),
    "cannonlake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI"),
    "cascadelake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VNNI"),
    "icelake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI"),
    "cooperlake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VNNI", "AVX512_BF16"),
    "zen4": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16"),
    "alderlake": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX_VNNI"),
    "sapphirerapids": ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI",
                       "AVX512_BF16", "AMX_TILE", "AMX_INT8"),
}
_CPUINFO_FLAGS = {"SSE42": ("sse4_2",), "AVX": ("avx",), "F16C": ("f16c",), "FMA": ("fma",), "AVX2": ("avx2",),
                  "BMI2": ("bmi2",), "AVX512": ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"),
                  "AVX512_VBMI": ("avx512vbmi",), "AVX512_VNNI": ("avx512_vnni",), "AVX512_BF16": ("avx512_bf16",),
                  "AVX_VNNI": ("avx_vnni",), "AMX_TILE": ("amx_tile",), "AMX_INT8": ("amx_int8",)}
# The filter put into ggml's variant function when only some variants are built (see ``patch_variants``).
_VARIANT_FUNCTION = "function(ggml_add_cpu_backend_variant tag_name)\n"
_VARIANT_FILTER = ("    if (DEFINED DEEPSEEK_CPU_VARIANTS AND NOT \"${tag_name}\" IN_LIST DEEPSEEK_CPU_VARIANTS)\n"
                   "        return()\n    endif()\n")


def variants_for(flags: set[str]) -> list[str]:
    """``x64`` and every variant this CPU runs that no other variant it runs goes beyond (ggml scores a
    variant by the sum of its features, so the best one is among these)."""
    runs = {name: set(feats) for name, feats in X86_VARIANTS.items()
            if all(f in flags for feat in feats for f in _CPUINFO_FLAGS[feat])}
    top = [n for n, feats in runs.items() if not any(feats < other for other in runs.values())]
    return sorted({"x64", *top}, key=list(X86_VARIANTS).index)


def cpu_variants(requested: str) -> list[str] | None:
    """The CPU variants to build; None: all of them."""
    machine = platform.machine().lower()
    if requested == "all" or machine not in ("x86_64", "amd64") or not Path("/proc/cpuinfo").is_file():
        return None
    text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return variants_for(set(flags))


def patch_variants(src: Path) -> None:
    """Let ``-DDEEPSEEK_CPU_VARIANTS=x64;haswell`` build only those of ggml's variants (a filter at the top of
    its ``ggml_add_cpu_backend_variant``); without the variable ggml builds them all, as upstream."""
    cmake = src / "ggml" / "src" / "CMakeLists.txt"
    text = cmake.read_text(encoding="utf-8")
    if _VARIANT_FILTER in text:
        return
    if text.count(_VARIANT_FUNCTION) != 1:
        raise SystemExit(f"build_llama: {cmake} has no single '{_VARIANT_FUNCTION.strip()}' to filter variants in")
    cmake.write_text(text.replace(_VARIANT_FUNCTION, _VARIANT_FUNCTION + _VARIANT_FILTER), encoding="utf-8")


def vulkan_flags(cache: Path) -> list[str] | None:
    """CMake flags for the Vulkan backend, or None (with the reason on stderr) when it cannot be built."""
    if shutil.which("glslc") is None:
        print("build_llama: glslc not found: building without the Vulkan backend", file=sys.stderr)
        return None
    if os.environ.get("VULKAN_SDK"):  # the LunarG SDK (CI, Windows): CMake finds headers and loader through it
        return ["-DGGML_VULKAN=ON"]
    if IS_WIN:
        print("build_llama: VULKAN_SDK is not set: building without the Vulkan backend", file=sys.stderr)
        return None
    done = subprocess.run(["sh", str(HERE / "linux" / "vulkan-headers.sh"), str(cache / "vulkan-headers")],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"build_llama: no usable Vulkan headers ({done.stderr.strip()}): building without the Vulkan "
              "backend", file=sys.stderr)
        return None
    return ["-DGGML_VULKAN=ON", f"-DVulkan_INCLUDE_DIR={done.stdout.strip().splitlines()[-1]}"]


def choose_gpu(requested: str, cache: Path) -> tuple[str, list[str]]:
    if requested == "cpu":
        return "cpu", []
    if IS_MAC:
        return "metal", ["-DGGML_METAL=ON", "-DGGML_METAL_EMBED_LIBRARY=ON"]
    flags = vulkan_flags(cache)
    if flags is None:
        if requested == "vulkan":
            raise SystemExit("build_llama: the Vulkan backend was asked for but cannot be built here")
        return "cpu", []
    return "vulkan", flags


def rpc_target(src: Path) -> str:
    """The worker's target name: ggml-rpc-server now, rpc-server before the rename."""
    for sub in ("tools/rpc/CMakeLists.txt", "examples/rpc/CMakeLists.txt"):
        f = src / sub
        if f.is_file() and "ggml-rpc-server" in f.read_text(encoding="utf-8"):
            return "ggml-rpc-server"
    return "rpc-server"


def configure_and_build(src: Path, build_dir: Path, flags: list[str], targets: list[str], jobs: int) -> Path:
    """Run cmake; return the folder holding the built programs and libraries."""
    generator = ["-G", "Ninja"] if shutil.which("ninja") and not IS_WIN else []
    subprocess.run(["cmake", "-S", str(src), "-B", str(build_dir), *generator, *flags], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(build_dir), "--config", "Release", "--target", *targets,
                    "--parallel", str(jobs)], check=True, stdout=subprocess.DEVNULL)
    out = build_dir / "bin"
    return out / "Release" if (out / "Release").is_dir() else out


def variant_flags(variants: list[str] | None) -> list[str]:
    return [f"-DDEEPSEEK_CPU_VARIANTS={';'.join(variants)}"] if variants else []


def build(version: str, dest: Path, gpu_flags: list[str], jobs: int, variants: list[str] | None = None) -> str:
    """Build in ``dest/work`` (kept if the build is interrupted: the next call continues it), install into
    ``dest/bin``, remove the work folder. Returns the RPC worker's name."""
    work = dest / "work"
    src = work / "llama.cpp"
    if not (src / "CMakeLists.txt").is_file():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        unpacked = unpack_llama_cpp(fetch_sdist(version, work), work)
        os.replace(unpacked, src)
    patch_variants(src)
    worker = rpc_target(src)
    # An interrupted build with another variant list continues with this one (CMake's cache is rewritten).
    built = configure_and_build(src, work / "build", CMAKE_FLAGS + cpu_flags() + variant_flags(variants) + gpu_flags,
                                ["llama", *PROGRAMS, worker], jobs)
    install_built(built, dest, worker)
    shutil.rmtree(work, ignore_errors=True)
    return worker


def install_built(built: Path, dest: Path, worker: str) -> None:
    """The programs and every shared library beside them (libllama, libggml*, the backends, and what the
    programs link: libllama-common, ...) into ``dest/bin``, replacing an earlier copy as a whole."""
    staging = dest / "bin.new"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    programs = [built / program_file(p) for p in (*PROGRAMS, worker)]
    libraries = [p for p in built.iterdir() if p.is_file() and p.suffix in (".so", ".dll", ".dylib")]
    for path in programs + libraries:
        shutil.copy2(path, staging / path.name)
    shutil.rmtree(dest / "bin", ignore_errors=True)
    os.replace(staging, dest / "bin")


# -- the cache -------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a+b") as handle:
        if IS_WIN:
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after ten seconds: a build takes longer
                    continue
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _read_stamp(stamp: Path) -> dict | None:
    """What an earlier build left; None (build again) for a missing, damaged or older-format stamp."""
    try:
        done = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return done if isinstance(done, dict) and done.get("format") == STAMP_FORMAT else None


def describe(dest: Path, done: dict) -> dict:
    bin_dir = dest / "bin"
    return {"version": done["version"], "gpu": done["gpu"], "dir": str(bin_dir),
            "llama_server": str(bin_dir / program_file("llama-server")),
            "rpc_server": str(bin_dir / program_file(done["rpc_server"])),
            "llama_bench": str(bin_dir / program_file("llama-bench")),
            "app_libraries": [str(p) for p in app_libraries(bin_dir)],
            "cpu_variants": done.get("cpu_variants", "all")}


def _serves(done: dict, variants: list[str] | None) -> bool:
    """Whether a build with ``done``'s CPU variants has the ones asked for (None: all)."""
    have = done.get("cpu_variants", "all")  # builds before the choice existed had them all
    if have == "all":
        return True
    return variants is not None and set(variants) <= set(have)


def ensure(version: str, jobs: int, gpu: str = "auto", cpu: str = "here") -> dict:
    """Build once (or find the earlier build that has what is asked for) and describe it."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with _exclusive(root / f".{version}.lock"):
        kind, flags = choose_gpu(gpu, root)
        variants = cpu_variants(cpu)
        dest = root / f"{version}-{kind}"
        stamp = dest / "built.json"
        done = _read_stamp(stamp)
        present = done is not None and _serves(done, variants) and all(
            (dest / "bin" / program_file(p)).is_file() for p in (*PROGRAMS, done["rpc_server"]))
        if not present:
            worker = build(version, dest, flags, jobs, variants)
            done = {"format": STAMP_FORMAT, "version": version, "gpu": kind, "rpc_server": worker,
                    "cpu_variants": variants or "all",
                    "flags": CMAKE_FLAGS + cpu_flags() + variant_flags(variants) + flags}
            stamp.write_text(json.dumps(done), encoding="utf-8")
    return describe(dest, done)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=None, help="llama-cpp-python version (default: the installed one)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--gpu", choices=("auto", "vulkan", "metal", "cpu"), default="auto",
                        help="the GPU backend (auto: Metal on macOS, else Vulkan when it can be built)")
    parser.add_argument("--cpu-variants", choices=("here", "all"), default="here",
                        help="all CPU variants (a release), or the baseline and the best for this CPU (here)")
    args = parser.parse_args(argv)
    reason = missing_toolchain()
    if reason:
        print(json.dumps({"error": reason}))
        return NO_TOOLCHAIN
    print(json.dumps(ensure(args.version or installed_version(), args.jobs, args.gpu, args.cpu_variants)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
