"""RAM disks: the Linux paths for real (/dev/shm and a tmpfs mount), macOS through its command seam."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deepseek_desktop.models.errors import Cancelled, RamDiskError
from deepseek_desktop.models.gguf.header import check_gguf
from deepseek_desktop.models.ramdisk import PREFIX, create_ramdisk, ramdisk_available, remove_stale

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux tmpfs")


def mounted(path: Path) -> str | None:
    """The file system type /proc/mounts lists for ``path``, if it is a mount point."""
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if fields[1] == str(path):
            return fields[2]
    return None


@linux_only
def test_dev_shm_folder_holds_a_model_and_is_gone_after_close(gemma_path):
    size = gemma_path.stat().st_size
    with create_ramdisk(size + 16 * 1024 * 1024, model_memory_bytes=900 * 1024 * 1024) as disk:
        assert disk.kind == "tmpfs-folder" and disk.path.parent == Path("/dev/shm")
        assert oct(disk.path.stat().st_mode & 0o777) == "0o700"
        events = []
        (copy,) = disk.copy_in([gemma_path], progress=events.append)
        assert copy.parent == disk.path and copy.stat().st_size == size
        assert check_gguf(copy).architecture == "gemma3", "the model reads from memory like from disk"
        assert events[-1].done == size
        path = disk.path
    assert not path.exists() and disk.closed


@linux_only
def test_removed_on_error_too(gemma_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled), create_ramdisk(300 * 1024 * 1024) as disk:
        path = disk.path
        disk.copy_in([gemma_path], cancel=cancel)
    assert not path.exists()


@linux_only
def test_tmpfs_mount_when_allowed(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mount -t tmpfs needs root")
    disk = create_ramdisk(32 * 1024 * 1024, prefer_mount=True, mount_root=tmp_path)
    try:
        assert disk.kind == "tmpfs-mount" and mounted(disk.path) == "tmpfs"
        (disk.path / "x.bin").write_bytes(b"x" * 1024)
    finally:
        disk.close()
    assert mounted(disk.path) is None and not disk.path.exists()


def test_model_and_ram_disk_must_fit_in_memory(tmp_path):
    with pytest.raises(RamDiskError) as info:
        create_ramdisk(6 * 1024**3, model_memory_bytes=5 * 1024**3, ram_available=8 * 1024**3,
                       shm=tmp_path / "shm")
    assert info.value.message_id == "ramdisk.no_memory"
    assert "11.8 GB needed" in info.value.user_text() and "8.59 GB available" in info.value.user_text()
    assert not (tmp_path / "shm").exists()


def test_windows_has_none():
    with pytest.raises(RamDiskError) as info:
        create_ramdisk(1024, platform="win32")
    assert info.value.message_id == "ramdisk.unavailable" and "Windows" in info.value.user_text()
    assert ramdisk_available("win32")["available"] is False


class MacCommands:
    """Stands in for hdiutil and diskutil, which only exist on macOS: records what would run."""

    def __init__(self, fail: str = "") -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    def __call__(self, argv: list[str]) -> str:
        self.calls.append(argv)
        if self.fail and argv[0] == self.fail:
            raise RamDiskError("ramdisk.failed", f"{argv[0]} exited 1")
        return "/dev/disk7          \t\n" if argv[:2] == ["hdiutil", "attach"] else ""


def test_macos_commands():
    run = MacCommands()
    size = 1_000_000_000
    disk = create_ramdisk(size, platform="darwin", run=run, ram_available=32 * 1024**3)
    sectors = -(-size // 512) + 2048
    volume = f"DeepSeekRAM-{os.getpid()}"
    assert run.calls == [
        ["hdiutil", "attach", "-nomount", f"ram://{sectors}"],
        ["diskutil", "erasevolume", "HFS+", volume, "/dev/disk7"],
    ]
    assert disk.path == Path("/Volumes") / volume and disk.device == "/dev/disk7"
    disk.close()
    disk.close()  # idempotent: the exit hook may call it again
    assert run.calls[-1] == ["hdiutil", "detach", "/dev/disk7"] and len(run.calls) == 3


def test_macos_detaches_when_formatting_fails():
    run = MacCommands(fail="diskutil")
    with pytest.raises(RamDiskError):
        create_ramdisk(10_000_000, platform="darwin", run=run, ram_available=32 * 1024**3)
    assert run.calls[-1] == ["hdiutil", "detach", "/dev/disk7"]


def test_stale_folders_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"{PREFIX}-{dead.pid}-abc123"
    stale.mkdir()
    (stale / "model.gguf").write_bytes(b"x")
    alive = tmp_path / f"{PREFIX}-{os.getppid()}-def456"
    alive.mkdir()
    assert remove_stale(tmp_path) == [stale]
    assert not stale.exists() and alive.exists()
