"""GPU packs for the release: llama.cpp backends too large for the installer, downloaded by the app on request.

    python packaging/gpu_pack.py cuda --out dist [--version X.Y.Z] [--jobs N]   (needs the CUDA 12 toolkit)
    python packaging/gpu_pack.py manifest dist                                  (dist/gpu-packs.json)

``cuda`` builds ggml's CUDA backend from the llama.cpp the llama-cpp-python sdist vendors (the same source,
flags and ABI as the app's own llama.cpp, ``build_llama.py``), puts the CUDA runtime libraries it needs
(cudart, cuBLAS, cuBLASLt) beside it, and zips them with ``pack.json``:
``deepseek-desktop-<app>-gpu-cuda12-<platform>.zip`` plus ``<zip>.json``, that file's entry for the manifest.
``manifest`` gathers the entries into ``gpu-packs.json``, which the app reads from the release (file, size,
SHA-256) before it downloads a pack. The app side is ``deepseek_desktop/models/downloads/gpu_packs.py``.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import build_llama
from project_info import version as app_version

IS_WIN = sys.platform == "win32"
# Real GPU code for the common cards since Turing, PTX for newer ones (compiled by the driver at first use).
CUDA_ARCHITECTURES = "75-real;80-real;86-real;89-real;90-virtual"
CUDA_RUNTIME = (["cudart64_12.dll", "cublas64_12.dll", "cublasLt64_12.dll"] if IS_WIN
                else ["libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12"])


def platform_name() -> str:
    machine = {"amd64": "x86_64"}.get(platform.machine().lower(), platform.machine().lower())
    return f"{'windows' if IS_WIN else 'linux'}-{machine}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_pack(name: str, backend: str, binding_version: str, backends: list[Path], runtime: list[Path],
              out_dir: Path, platform_tag: str | None = None) -> tuple[Path, dict]:
    """Zip a pack: one folder ``name/`` with the backend libraries, the runtime beside them and pack.json.
    Returns the zip and its manifest entry."""
    tag = platform_tag or platform_name()
    info = {"name": name, "backend": backend, "platform": tag, "llama_cpp_python": binding_version,
            "backends": [p.name for p in backends]}
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"deepseek-desktop-{app_version()}-gpu-{name}-{tag}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(f"{name}/pack.json", json.dumps(info, indent=2) + "\n")
        for path in [*backends, *runtime]:
            zf.write(path, f"{name}/{path.name}")
    entry = {**{k: info[k] for k in ("name", "backend", "platform", "llama_cpp_python")}, "file": archive.name,
             "size": archive.stat().st_size, "sha256": sha256_of(archive)}
    (out_dir / f"{archive.name}.json").write_text(json.dumps(entry, indent=2) + "\n", encoding="utf-8")
    return archive, entry


def cuda_runtime() -> list[Path]:
    """cudart, cuBLAS and cuBLASLt of the toolkit the build used, under the names the backend links."""
    root = os.environ.get("CUDA_PATH") or str(Path(shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc").parent.parent)
    found = []
    for name in CUDA_RUNTIME:
        pattern = str(Path(root) / ("bin" if IS_WIN else "lib64") / (name if IS_WIN else name + "*"))
        matches = sorted(glob.glob(pattern), key=len)
        if not matches:
            raise SystemExit(f"gpu_pack: {name} not found under {root}")
        found.append((Path(matches[0]), name))
    staged = Path(tempfile.mkdtemp(prefix="cuda-runtime-"))
    for path, name in found:
        shutil.copy2(path.resolve(), staged / name)  # the real file under the name in the backend's DT_NEEDED
    return [staged / name for _, name in found]


def build_cuda(version: str, out_dir: Path, jobs: int) -> tuple[Path, dict]:
    if shutil.which("nvcc") is None and not os.environ.get("CUDA_PATH"):
        raise SystemExit("gpu_pack: the CUDA toolkit (nvcc) is not installed")
    with tempfile.TemporaryDirectory(prefix="gpu-pack-") as tmp:
        work = Path(tmp)
        src = build_llama.unpack_llama_cpp(build_llama.fetch_sdist(version, work), work)
        flags = build_llama.CMAKE_FLAGS + ["-DGGML_CUDA=ON", f"-DCMAKE_CUDA_ARCHITECTURES={CUDA_ARCHITECTURES}",
                                           "-DLLAMA_BUILD_SERVER=OFF", "-DLLAMA_BUILD_TOOLS=OFF"]
        built = build_llama.configure_and_build(src, work / "build", flags, ["ggml-cuda"], jobs)
        backend = built / ("ggml-cuda.dll" if IS_WIN else "libggml-cuda.so")
        return make_pack("cuda12", "CUDA", version, [backend], cuda_runtime(), out_dir)


def write_manifest(folder: Path) -> Path:
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.zip.json"))]
    manifest = folder / "gpu-packs.json"
    manifest.write_text(json.dumps({"format": 1, "app_version": app_version(), "packs": entries}, indent=2) + "\n",
                        encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cuda = sub.add_parser("cuda", help="build the CUDA 12 pack")
    cuda.add_argument("--out", type=Path, default=Path("dist"))
    cuda.add_argument("--version", default=None, help="llama-cpp-python version (default: the installed one)")
    cuda.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    manifest = sub.add_parser("manifest", help="gpu-packs.json from the packs' entries in a folder")
    manifest.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.command == "cuda":
        archive, entry = build_cuda(args.version or build_llama.installed_version(), args.out, args.jobs)
        print(f"built {archive} ({entry['size'] / 1e6:.1f} MB)")
    else:
        print(f"wrote {write_manifest(args.folder)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
