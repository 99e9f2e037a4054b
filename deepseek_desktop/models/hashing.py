"""Checksums the Hub publishes: SHA-256 for LFS files, the git blob SHA-1 for small files."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

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
    remaining = limit
    with open(path, "rb") as fh:
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
    """A file opened for appending that hashes what is written, for a download that may resume.

    On resume the bytes already on disk are hashed first, so the finished file needs no second read.
    huggingface_hub's ``http_get`` rewinds and truncates when a server ignores the Range header; the
    hash is then rebuilt from what remains on disk.
    """

    def __init__(self, path: Path, meter: Meter | None = None) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        if path.exists():
            _feed(self.digest, path, meter)
        # Not "ab": in append mode a seek does not move where the next write lands.
        self._fh = open(path, "r+b" if path.exists() else "wb")  # noqa: SIM115 - closed by close()
        self._fh.seek(0, os.SEEK_END)

    def write(self, data: bytes) -> int:
        n = self._fh.write(data)
        self.digest.update(data)
        return n

    def tell(self) -> int:
        return self._fh.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._fh.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        self._fh.flush()
        end = self._fh.truncate(size)
        self.digest = hashlib.sha256()
        _feed(self.digest, self.path, None, limit=end)
        return end

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()

    def hexdigest(self) -> str:
        return self.digest.hexdigest()
