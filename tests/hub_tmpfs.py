"""Small real file systems for space and inode tests: tmpfs mounts with a size and an inode limit.

Mounting needs root (the test machines run as root); elsewhere the tests that need it are skipped.
Import the fixture into a test module with ``from hub_tmpfs import small_tmpfs_fixture  # noqa: F401``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(name="small_tmpfs")
def small_tmpfs_fixture(tmp_path):
    """``make(size="64m", inodes=1000)`` mounts a tmpfs and returns a (not yet created) folder on it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted: list[Path] = []

    def make(size: str, inodes: int) -> Path:
        point = tmp_path / f"fs{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},nr_inodes={inodes}", "tmpfs",
                               str(point)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point / "models"

    yield make
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)
