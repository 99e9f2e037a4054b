"""A RAM disk to load a model from memory: for a slow or nearly full drive, or one out of inodes.

- Linux: a folder on a tmpfs that is already there (``/dev/shm``), or ``mount -t tmpfs`` where that is
  allowed (root, or a user namespace);
- macOS: ``hdiutil attach -nomount ram://SECTORS`` gives a RAM device, ``diskutil erasevolume`` puts a
  volume on it, ``hdiutil detach`` gives the memory back;
- Windows: not available (it would need a driver).

Before anything is made, the RAM disk plus the model's own memory must fit in the available RAM: a
RAM disk that pushes the system into swap is worse than the drive. ``RamDisk.close`` (also called by
``with``, on error, and at interpreter exit) detaches and deletes. The OS commands go through a ``run``
seam so the macOS path can be checked on Linux.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import math
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil

from ..core.vocabulary import ModelFormat
from .errors import RamDiskError, StorageError
from .progress import ProgressCallback
from .storage import check_space, copy_files, format_bytes, free_space

log = logging.getLogger(__name__)

Run = Callable[[list[str]], str]
PREFIX = "deepseek-desktop-ramdisk"
RAM_HEADROOM = 0.95


def run_checked(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise RamDiskError("ramdisk.failed", f"{argv[0]}: {exc}") from exc
    if done.returncode != 0:
        raise RamDiskError("ramdisk.failed", f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


class RamDisk:
    """A folder backed by memory. ``kind``: "tmpfs-folder", "tmpfs-mount" or "hdiutil"."""

    def __init__(self, path: Path, kind: str, size_bytes: int, run: Run, device: str = "") -> None:
        self.path, self.kind, self.size_bytes, self.device = path, kind, size_bytes, device
        self._run = run
        self._closed = False
        self._lock = threading.Lock()
        atexit.register(self.close)

    def copy_in(self, sources: list[Path], progress: ProgressCallback | None = None,
                cancel: threading.Event | None = None) -> list[Path]:
        """Copy model files in (all or nothing); returns their paths on the RAM disk."""
        total = sum(Path(s).stat().st_size for s in sources)
        check_space(self.path, total, len(sources))
        pairs = [(Path(s), self.path / Path(s).name) for s in sources]
        copy_files(pairs, progress, cancel)
        return [dst for _, dst in pairs]

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        try:
            if self.kind == "tmpfs-folder":
                shutil.rmtree(self.path, ignore_errors=True)
            elif self.kind == "tmpfs-mount":
                self._run(["umount", str(self.path)])
                self.path.rmdir()
            elif self.kind == "hdiutil":
                self._run(["hdiutil", "detach", self.device])
        except (RamDiskError, OSError) as exc:
            log.error("RAM disk %s could not be removed: %s", self.path, exc)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> RamDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def create_ramdisk(size_bytes: int, *, model_memory_bytes: int = 0, ram_available: int | None = None,
                   platform: str = sys.platform, run: Run = run_checked, shm: Path = Path("/dev/shm"),
                   mount_root: Path | None = None, prefer_mount: bool = False) -> RamDisk:
    """Make a RAM disk of ``size_bytes``. ``model_memory_bytes`` is what the loaded model needs besides
    its files (the fit estimate); both together must fit in the available RAM."""
    if platform == "win32":
        raise RamDiskError("ramdisk.unavailable", "no RAM disk without a third-party driver", platform="Windows")
    available = psutil.virtual_memory().available if ram_available is None else ram_available
    need = size_bytes + model_memory_bytes
    if need > available * RAM_HEADROOM:
        raise RamDiskError("ramdisk.no_memory", f"{need} bytes needed, {available} available",
                           needed=format_bytes(need), available=format_bytes(available))
    if platform == "darwin":
        return _mac_ramdisk(size_bytes, run)
    if platform.startswith("linux"):
        return _linux_ramdisk(size_bytes, run, shm, mount_root, prefer_mount)
    raise RamDiskError("ramdisk.unavailable", f"platform {platform}", platform=platform)


def _mac_ramdisk(size_bytes: int, run: Run) -> RamDisk:
    sectors = math.ceil(size_bytes / 512) + 2048  # + 1 MiB for the file system's own structures
    device = run(["hdiutil", "attach", "-nomount", f"ram://{sectors}"]).strip().split()[0]
    volume = f"DeepSeekRAM-{os.getpid()}"
    try:
        run(["diskutil", "erasevolume", "HFS+", volume, device])
    except RamDiskError:
        with contextlib.suppress(RamDiskError):
            run(["hdiutil", "detach", device])
        raise
    return RamDisk(Path("/Volumes") / volume, "hdiutil", size_bytes, run, device)


def _linux_ramdisk(size_bytes: int, run: Run, shm: Path, mount_root: Path | None, prefer_mount: bool) -> RamDisk:
    name = f"{PREFIX}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    if not prefer_mount and shm.is_dir() and os.access(shm, os.W_OK):
        remove_stale(shm)
        try:
            check_space(shm, size_bytes, 4)
        except StorageError as exc:
            log.info("no room on %s for a RAM disk: %s", shm, exc.detail)
        else:
            path = shm / name
            path.mkdir(mode=0o700)
            return RamDisk(path, "tmpfs-folder", size_bytes, run)
    root = mount_root or Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp")
    path = root / name
    path.mkdir(mode=0o700, parents=True)
    try:
        run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes + 4 * 1024 * 1024},mode=0700", "tmpfs", str(path)])
    except RamDiskError:
        path.rmdir()
        raise
    return RamDisk(path, "tmpfs-mount", size_bytes, run)


def remove_stale(shm: Path) -> list[Path]:
    """RAM disk folders of processes that died without cleaning up (killed, crashed)."""
    removed = []
    for p in shm.glob(f"{PREFIX}-*"):
        try:
            pid = int(p.name[len(PREFIX) + 1:].split("-")[0])
        except ValueError:
            continue
        if pid != os.getpid() and not psutil.pid_exists(pid):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def ramdisk_available(platform: str = sys.platform, shm: Path = Path("/dev/shm")) -> dict[str, object]:
    """For ``doctor``: can a RAM disk be made here, and how much room does the tmpfs have."""
    if platform == "win32":
        return {"available": False, "method": None}
    if platform == "darwin":
        return {"available": shutil.which("hdiutil") is not None, "method": "hdiutil"}
    if shm.is_dir():
        return {"available": True, "method": "tmpfs-folder", "free_bytes": free_space(shm).free_bytes}
    return {"available": hasattr(os, "geteuid") and os.geteuid() == 0, "method": "tmpfs-mount"}


def stage_model(path: str | os.PathLike[str], n_ctx: int, *, progress: ProgressCallback | None = None,
                cancel: threading.Event | None = None, **kwargs) -> tuple[RamDisk, Path]:
    """Copy a model (a GGUF with all its parts, or an MLX folder) onto a new RAM disk sized for it.

    Checks first that the RAM disk and the model's own memory (the fit estimate for ``n_ctx``) fit
    together. Returns the RAM disk (close it to give the memory back) and the path to load instead.
    On any failure the RAM disk is gone again.
    """
    from .local.inspection import estimate_local_model, files_of, inspect_model

    info = inspect_model(path)
    sources = files_of(info)
    size = sum(s.stat().st_size for s in sources)
    estimate = estimate_local_model(path, n_ctx)
    memory = estimate.total_bytes - estimate.weights_bytes  # the weights are the RAM disk's content
    disk = create_ramdisk(size + size // 50 + (1 << 20), model_memory_bytes=memory + size, **kwargs)
    try:
        if info.format == ModelFormat.MLX:
            root = Path(info.path)
            pairs = [(s, disk.path / root.name / s.relative_to(root)) for s in sources]
            check_space(disk.path, size, len(pairs))
            copy_files(pairs, progress, cancel)
            return disk, disk.path / root.name
        placed = disk.copy_in(sources, progress, cancel)
        return disk, placed[0]
    except BaseException:
        disk.close()
        raise
