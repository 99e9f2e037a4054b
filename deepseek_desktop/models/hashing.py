"""Checksums the Hub publishes: SHA-256 for LFS files, the git blob SHA-1 for small files."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
from pathlib import Path

from ..core.files.regular import NotRegularFile, open_regular
from .progress import Meter, ProgressCallback

CHUNK = 4 * 1024 * 1024


def sha256_file(path: str | os.PathLike[str], progress: ProgressCallback | None = None,
                cancel: threading.Event | None = None) -> str:
    """Hex SHA-256 of a file, read in chunks (a 40 GB GGUF never sits in memory). Raises ``Cancelled``."""
    p = Path(path)
    meter = Meter("hash", p.stat().st_size, progress, cancel)
    meter.start_file(p.name, 1)
    digest = hashlib.sha256()
    _feed(digest, p, meter)
    meter.emit(force=True)
    return digest.hexdigest()


def git_blob_sha1(path: str | os.PathLike[str]) -> str:
    """The id git gives a file's content (what the Hub reports as ``blobId`` for non-LFS files)."""
    p = Path(path)
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(b"blob %d\0" % p.stat().st_size)
    _feed(digest, p, None)
    return digest.hexdigest()


def _feed(digest, path: Path, meter: Meter | None, limit: int | None = None) -> None:
    with open_regular(path) as fh:
        _feed_open(digest, fh, meter, limit)


def _feed_open(digest, fh, meter: Meter | None, limit: int | None = None) -> None:
    remaining = limit
    while remaining is None or remaining > 0:
        want = CHUNK if remaining is None else min(CHUNK, remaining)
        block = fh.read(want)
        if not block:
            break
        digest.update(block)
        if remaining is not None:
            remaining -= len(block)
        if meter is not None:
            meter.add(len(block))


class HashingWriter:
    """A partial download opened for writing at its end, hashing what is written, for a download that may
    resume.

    On resume the bytes already on disk are hashed first, so the finished file needs no second read. The
    file is opened without following a symbolic link (a link planted in its place would have the Hub's
    bytes appended to whatever it points at) and only if it is a regular file.
    """

    def __init__(self, path: Path, meter: Meter | None = None) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        flags = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
                 | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
        fd = os.open(path, flags, 0o666)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
            os.set_blocking(fd, True)
            self._fh = os.fdopen(fd, "r+b")
        except BaseException:
            os.close(fd)
            raise
        try:
            _feed_open(self.digest, self._fh, meter)
        except BaseException:
            self._fh.close()
            raise
        self._fh.seek(0, os.SEEK_END)

    def write(self, data: bytes) -> int:
        n = self._fh.write(data)
        self.digest.update(data)
        return n

    def tell(self) -> int:
        return self._fh.tell()

    def truncate(self, size: int) -> int:
        """Cut the file to ``size`` bytes; writing goes on from there, and the hash is rebuilt."""
        self._fh.flush()
        end = self._fh.truncate(size)
        self._fh.seek(end)
        self.digest = hashlib.sha256()
        self._fh.seek(0)
        _feed_open(self.digest, self._fh, None, limit=end)
        self._fh.seek(end)
        return end

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()

    def hexdigest(self) -> str:
        return self.digest.hexdigest()
