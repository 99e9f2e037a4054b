"""Free bytes and free inodes of a folder, checked before anything is written; copying with progress.

Inodes matter: an external drive can have gigabytes free and no file entries left, and then every
new file fails. ``os.statvfs`` tells both (``f_bavail``, ``f_favail``); Windows has no inode limit.
"""

from __future__ import annotations

import errno
import math
import os
import shutil
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..core.files.regular import open_regular
from .errors import Cancelled, StorageError
from .progress import Meter, ProgressCallback

SPACE_MARGIN = 0.05  # 5 % on top of the bytes a download or copy needs
INODE_MARGIN = 32  # file entries kept spare beyond those an operation creates
COPY_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class SpaceInfo:
    folder: str
    free_bytes: int
    total_bytes: int
    free_inodes: int | None  # None: no inode limit (Windows) or the filesystem does not report one
    total_inodes: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


StatVfs = Callable[[str], Any]


def existing_ancestor(folder: Path) -> Path:
    """The folder itself or its nearest parent that exists (a models folder may not be made yet)."""
    p = Path(folder).expanduser().absolute()
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


def free_space(folder: str | os.PathLike[str], *, statvfs: StatVfs | None = None) -> SpaceInfo:
    """Free bytes and inodes where ``folder`` is (or would be created). ``statvfs`` is a seam for tests."""
    target = existing_ancestor(Path(folder))
    if statvfs is None and (sys.platform == "win32" or not hasattr(os, "statvfs")):
        usage = shutil.disk_usage(target)
        return SpaceInfo(str(Path(folder)), usage.free, usage.total, None, None)
    st = (statvfs or os.statvfs)(str(target))
    inodes_known = st.f_files > 0  # btrfs and some network filesystems report 0: no fixed limit
    return SpaceInfo(
        folder=str(Path(folder)),
        free_bytes=st.f_bavail * st.f_frsize,
        total_bytes=st.f_blocks * st.f_frsize,
        free_inodes=st.f_favail if inodes_known else None,
        total_inodes=st.f_files if inodes_known else None,
    )


def bytes_with_margin(needed: int) -> int:
    return int(math.ceil(needed * (1 + SPACE_MARGIN)))


def check_space(folder: str | os.PathLike[str], needed_bytes: int, new_files: int, *,
                statvfs: StatVfs | None = None) -> SpaceInfo:
    """Raise ``StorageError`` unless ``folder`` has room for ``needed_bytes`` (+5 %) and ``new_files``
    new file entries (+ a margin). Returns what was measured."""
    info = free_space(folder, statvfs=statvfs)
    need = bytes_with_margin(needed_bytes)
    if info.free_bytes < need:
        raise StorageError(
            "storage.no_space", f"statvfs of {existing_ancestor(Path(folder))}: {info.free_bytes} bytes free, "
            f"{need} needed ({needed_bytes} + {SPACE_MARGIN:.0%})",
            needed_bytes=need, free_bytes=info.free_bytes,
            folder=folder, needed=format_bytes(need), free=format_bytes(info.free_bytes))
    need_inodes = new_files + INODE_MARGIN
    if info.free_inodes is not None and info.free_inodes < need_inodes:
        raise StorageError(
            "storage.no_inodes", f"{info.free_inodes} inodes free, {new_files} files to create + {INODE_MARGIN}",
            needed_bytes=need, free_bytes=info.free_bytes,
            folder=folder, needed=str(need_inodes), free=str(info.free_inodes))
    return info


def ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StorageError("storage.not_writable", str(exc), folder=folder) from exc


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """``Path.resolve`` that survives a symlink loop: the loop's own absolute path stands for itself
    (nothing else resolves to it, and it opens as nothing)."""
    p = Path(path)
    try:
        return p.resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python before 3.13 on a loop
        return p.absolute()


def is_symlink_loop(path: str | os.PathLike[str]) -> bool:
    try:
        Path(path).resolve(strict=True)
    except RuntimeError:
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True when ``path`` (symlinks resolved) lies strictly inside ``folder``."""
    p = resolve_path(Path(path).expanduser())
    f = resolve_path(Path(folder).expanduser())
    return p != f and p.is_relative_to(f)


def remove_empty_folders(folder: Path, stop: Path, *, subtree: bool = False, keep_stop: bool = True) -> None:
    """Remove ``folder`` and then its parents while they are empty, up to ``stop`` (which stays unless
    ``keep_stop`` is False); nothing outside ``stop``, never a folder that holds anything. With ``subtree``
    the empty folders inside ``folder`` go first (bottom-up)."""
    if subtree and folder.is_dir():
        for root, dirs, _files in os.walk(folder, topdown=False):
            for d in dirs:
                try:
                    (Path(root) / d).rmdir()  # only succeeds when empty
                except OSError:
                    pass
    current = folder
    while current.is_relative_to(stop):
        if current == stop and keep_stop:
            return
        try:
            current.rmdir()  # only succeeds when empty
        except OSError:
            return
        if current == stop:
            return
        current = current.parent


def copy_files(pairs: list[tuple[Path, Path]], progress: ProgressCallback | None = None,
               cancel: threading.Event | None = None) -> None:
    """Copy each (source, destination), all or nothing: a failure or a cancel removes what was copied.

    Each file is written under a temporary name and renamed when complete, so a half copy never looks
    like a model. The caller has checked the space.
    """
    total = sum(src.stat().st_size for src, _ in pairs)
    meter = Meter("copy", total, progress, cancel, file_count=len(pairs))
    finished: list[Path] = []
    try:
        for index, (src, dst) in enumerate(pairs, 1):
            if dst.exists():
                raise StorageError("storage.exists", f"{dst} exists", path=dst)
            meter.start_file(src.name, index)
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(f".{dst.name}.copying")
            try:
                with open_regular(src) as fin, open(tmp, "wb") as fout:
                    while block := fin.read(COPY_CHUNK):
                        fout.write(block)
                        meter.add(len(block))
                    fout.flush()
                    os.fsync(fout.fileno())
                shutil.copystat(src, tmp)
                os.replace(tmp, dst)
            finally:
                tmp.unlink(missing_ok=True)
            finished.append(dst)
        meter.emit(force=True, phase="done")
    except (Cancelled, StorageError):
        _remove_all(finished)
        raise
    except OSError as exc:
        _remove_all(finished)
        raise StorageError("storage.copy_failed", str(exc), path=pairs[0][0]) from exc


def move_files(pairs: list[tuple[Path, Path]], progress: ProgressCallback | None = None,
               cancel: threading.Event | None = None) -> None:
    """Rename when source and destination share a filesystem; otherwise copy, then delete the sources
    only after every copy is complete (a failure leaves the sources untouched)."""
    for _, dst in pairs:
        if dst.exists():
            raise StorageError("storage.exists", f"{dst} exists", path=dst)
    if all(_same_device(src, dst) for src, dst in pairs):
        for src, dst in pairs:
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
        return
    copy_files(pairs, progress, cancel)
    for src, _ in pairs:
        src.unlink()


def _same_device(src: Path, dst: Path) -> bool:
    return src.stat().st_dev == existing_ancestor(dst.parent).stat().st_dev


def _remove_all(paths: list[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def format_bytes(n: int | float) -> str:
    """Decimal units, as the Hugging Face Hub and file managers show sizes: 4.68 GB."""
    n = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(n)} B"
            return f"{n:.2f} {unit}" if abs(n) < 10 else f"{n:.1f} {unit}" if abs(n) < 100 else f"{n:.0f} {unit}"
        n /= 1000
    return f"{n:.0f} TB"  # pragma: no cover
