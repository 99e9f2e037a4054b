"""GPU packs: llama.cpp backends that are not in the installer (CUDA 12: its runtime alone is larger than the
whole app), published with each release and installed on request into the data folder.

A pack is a zip of one folder: the backend library (``libggml-cuda.so`` / ``ggml-cuda.dll``), the runtime
libraries it needs beside it, and ``pack.json``. The release also carries ``gpu-packs.json``, the list of
packs with each file's size and SHA-256. A pack matches one llama-cpp-python version (the backend links
against that version's ggml); the engine loads the packs in ``<data>/gpu-packs/`` that match when it starts.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ...core.files.atomic import write_atomic
from ..errors import DownloadError
from ..progress import ProgressCallback
from ..storage import check_space

log = logging.getLogger(__name__)

PACK_FILE = "pack.json"
MANIFEST_FILE = "gpu-packs.json"


@dataclass(frozen=True)
class PackInfo:
    """What ``pack.json`` says about a pack (in the zip and in its installed folder)."""

    name: str  # "cuda12"
    backend: str  # "CUDA"
    platform: str  # "linux-x86_64" | "windows-x86_64"
    llama_cpp_python: str  # the binding version whose ggml it was built against
    backends: tuple[str, ...]  # the backend libraries to load, relative to the pack's folder

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["backends"] = list(self.backends)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> PackInfo:
        """Raises ValueError for anything that is not a well-formed pack description."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        fields = {k: data.get(k) for k in ("name", "backend", "platform", "llama_cpp_python")}
        if not all(isinstance(v, str) and v and "/" not in v and "\\" not in v and ".." not in v
                   for v in fields.values()):
            raise ValueError(f"missing or malformed fields: {fields}")
        backends = data.get("backends")
        if not isinstance(backends, list) or not backends or not all(
                isinstance(b, str) and b and "/" not in b and "\\" not in b and b not in (".", "..") for b in backends):
            raise ValueError(f"malformed backends list: {backends!r}")
        return cls(backends=tuple(backends), **fields)  # type: ignore[arg-type]


def read_pack_info(folder: Path) -> PackInfo:
    return PackInfo.from_dict(json.loads((folder / PACK_FILE).read_text(encoding="utf-8")))


def installed_pack_dirs(root: Path, binding_version: str, platform: str | None = None) -> list[Path]:
    """The installed packs the engine can load: built for this platform and this binding's version."""
    from ..hardware import pack_platform

    wanted = platform if platform is not None else pack_platform()
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            info = read_pack_info(folder)
        except (OSError, ValueError) as exc:
            log.warning("GPU pack %s is damaged (%s): skipped", folder.name, exc)
            continue
        if info.platform != wanted or info.llama_cpp_python != binding_version:
            log.warning("GPU pack %s is for %s with llama-cpp-python %s, not %s with %s: skipped", folder.name,
                        info.platform, info.llama_cpp_python, wanted, binding_version)
            continue
        found.append(folder)
    return found


@dataclass(frozen=True)
class ReleasePack:
    """One pack as the release's ``gpu-packs.json`` lists it."""

    name: str
    backend: str
    platform: str
    llama_cpp_python: str
    file: str  # the file name in the release
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_HEX64 = re.compile(r"[0-9a-f]{64}")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,200}")


def parse_manifest(data: Any) -> list[ReleasePack]:
    """The packs a manifest lists; an entry with a malformed name, size or hash is left out (and logged)."""
    entries = data.get("packs") if isinstance(data, dict) else None
    packs = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            pack = ReleasePack(**{k: entry[k] for k in ("name", "backend", "platform", "llama_cpp_python", "file",
                                                        "size", "sha256")})
        except (KeyError, TypeError) as exc:
            log.warning("GPU pack manifest: entry %r left out (%s)", entry, exc)
            continue
        strings = (pack.name, pack.backend, pack.platform, pack.llama_cpp_python, pack.file)
        if (not all(isinstance(v, str) and _PLAIN.fullmatch(v) for v in strings) or isinstance(pack.size, bool)
                or not isinstance(pack.size, int) or pack.size <= 0 or not isinstance(pack.sha256, str)
                or not _HEX64.fullmatch(pack.sha256)):
            log.warning("GPU pack manifest: malformed entry %r left out", entry)
            continue
        packs.append(pack)
    return packs


def pack_for(packs: list[ReleasePack], platform: str, binding_version: str) -> ReleasePack | None:
    return next((p for p in packs if p.platform == platform and p.llama_cpp_python == binding_version), None)


def cached_manifest_file(cache_dir: Path) -> Path:
    return cache_dir / MANIFEST_FILE


def known_pack_size(cache_dir: Path) -> int:
    """The download size of this computer's GPU pack, from the manifest fetched last time (0: not known)."""
    from ..hardware import pack_platform

    try:
        packs = parse_manifest(json.loads(cached_manifest_file(cache_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return 0
    pack = next((p for p in packs if p.platform == pack_platform()), None)
    return pack.size if pack else 0


# -- getting a pack --------------------------------------------------------------------------------------
RELEASES_URL = "https://github.com/deepseek-desktop/deepseek-desktop/releases/download"
PACKS_URL_ENV = "DEEPSEEK_DESKTOP_PACKS_URL"  # another place to take the packs from (tests, a mirror)
MAX_UNPACKED = 8 * 1024**3  # a pack unpacks to a few hundred MB; more means a malformed (or hostile) zip


def packs_url(app_version: str) -> str:
    """Where this version's packs are: its release, unless DEEPSEEK_DESKTOP_PACKS_URL says otherwise."""
    return (os.environ.get(PACKS_URL_ENV) or f"{RELEASES_URL}/v{app_version}").rstrip("/")


def fetch_manifest(base_url: str, cache_dir: Path, timeout: float = 15.0) -> list[ReleasePack]:
    """The release's list of packs (kept in the cache, so a hint can name the size offline)."""
    from huggingface_hub.utils import get_session

    from .hub import hub_errors

    url = f"{base_url}/{MANIFEST_FILE}"
    with hub_errors(base_url, "gpu-packs", MANIFEST_FILE):
        response = get_session().get(url, timeout=timeout, follow_redirects=True)
    if response.status_code != 200:
        raise DownloadError("download.file_not_found", f"HTTP {response.status_code} for {url}", repo=base_url,
                            file=MANIFEST_FILE)
    try:
        data = json.loads(response.content)
    except ValueError as exc:
        raise DownloadError("download.failed", f"{url}: {exc}", file=MANIFEST_FILE) from exc
    packs = parse_manifest(data)
    write_atomic(cached_manifest_file(cache_dir), json.dumps({"packs": [p.to_dict() for p in packs]}).encode())
    return packs


def offered_pack(app_version: str, binding_version: str, platform: str, cache_dir: Path
                 ) -> tuple[ReleasePack, str]:
    """The pack this version's release offers for this computer, and the release's address; a
    ``DownloadError`` ("gpu_pack.none") when it offers none. Blocking (one small download)."""
    url = packs_url(app_version)
    pack = pack_for(fetch_manifest(url, cache_dir), platform, binding_version) if platform else None
    if pack is None:
        raise DownloadError("gpu_pack.none", f"{url}: nothing for {platform or 'this system'} with {binding_version}",
                            platform=platform or "this system")
    return pack, url


def install_pack(pack: ReleasePack, base_url: str, packs_dir: Path, downloads_dir: Path, *,
                 progress: ProgressCallback | None = None, cancel: threading.Event | None = None) -> PackInfo:
    """Download the pack (resumable, SHA-256 checked, through the models' download code), unpack it into
    ``packs_dir/<name>`` in place of an older one, and remove the archive. The engine loads it when it
    next starts. Blocking: run it on a worker thread."""
    from .download import DownloadPlan, fetch_files
    from .hub import RepoFile

    plan = DownloadPlan(f"gpu-packs/{pack.name}", pack.llama_cpp_python, (RepoFile(pack.file, pack.size,
                        pack.sha256, None),), "gpu-pack", pack.name, base_url, direct=True)
    (archive,) = fetch_files(plan, downloads_dir, progress=progress, cancel=cancel)
    try:
        return unpack(archive, packs_dir, pack)
    finally:
        archive.unlink(missing_ok=True)


def unpack(archive: Path, packs_dir: Path, pack: ReleasePack) -> PackInfo:
    """Unzip a downloaded pack: only plain files in the pack's own folder, within a size limit; its pack.json
    must name the pack the manifest promised. Replaces an installed pack of that name only when all is well."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            for m in members:
                folder, _, name = m.filename.partition("/")
                if folder != pack.name or not _PLAIN.fullmatch(name):
                    raise ValueError(f"unexpected member {m.filename!r}")
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise ValueError("unpacks to more than the limit")
            check_space(packs_dir.parent if not packs_dir.exists() else packs_dir,
                        sum(m.file_size for m in members), len(members) + 2)
            staging = packs_dir / f".{pack.name}.new"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for m in members:
                with zf.open(m) as src, open(staging / m.filename.partition("/")[2], "wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DownloadError("gpu_pack.damaged", f"{archive.name}: {exc}", file=pack.file) from exc
    try:
        info = read_pack_info(staging)
        promised = (pack.name, pack.backend, pack.platform, pack.llama_cpp_python)
        if (info.name, info.backend, info.platform, info.llama_cpp_python) != promised:
            raise ValueError(f"pack.json says {info}, the manifest {promised}")
        missing = [b for b in info.backends if not (staging / b).is_file()]
        if missing:
            raise ValueError(f"missing {missing}")
    except (OSError, ValueError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise DownloadError("gpu_pack.damaged", f"{archive.name}: {exc}", file=pack.file) from exc
    target, old = packs_dir / pack.name, packs_dir / f".{pack.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    log.info("GPU pack %s installed in %s", pack.name, target)
    return info
