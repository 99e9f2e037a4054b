"""An exclusive lock held on a small lock file, between threads and between processes.

For read-modify-write of a shared file (the installed-model registry): the window's two importers, a
finished download and the CLI may each change it at the same moment, and without the lock the last
writer would drop the others' entries. ``flock`` on POSIX (also between two opens in one process),
``msvcrt.locking`` on Windows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold the lock on ``path`` (created if missing) for the ``with`` body; waits while another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        if os.name == "nt":
            import msvcrt

            f.seek(0)
            while True:
                try:
                    msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)  # tries for about 10 s
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
