"""Open only regular files: what a user, a folder or another program hands us may be a FIFO, a device or
a socket, and opening a FIFO for reading waits for a writer (forever), reading ``/dev/zero`` never ends.

The file is opened without blocking (``O_NONBLOCK`` makes opening a FIFO return at once) and its type is
checked on the open descriptor, so there is no window between the check and the open. On a system
without ``O_NONBLOCK`` (Windows) the type is checked just before opening.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or another kind of file that is not plain data."""


def open_regular(path: str | os.PathLike[str], *, follow_symlinks: bool = True) -> BinaryIO:
    """``open(path, "rb")`` for a regular file only. Raises ``IsADirectoryError`` for a folder,
    ``NotRegularFile`` for anything else that is not a regular file, and ``OSError`` as ``open`` does.
    ``follow_symlinks=False`` refuses a symbolic link in the last place of the path (``ELOOP``)."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0) | _NONBLOCK
    if not follow_symlinks:
        flags |= _NOFOLLOW
    if not _NONBLOCK:  # no non-blocking open here: look first
        _check_mode((os.stat if follow_symlinks else os.lstat)(path).st_mode, path)
    fd = os.open(path, flags)
    try:
        _check_mode(os.fstat(fd).st_mode, path)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_bytes(path: str | os.PathLike[str], *, limit: int | None = None) -> bytes:
    """The content of a regular file (``open_regular``); with ``limit``, a file longer than that raises
    ``OSError(EFBIG)`` instead of being read into memory."""
    with open_regular(path) as fh:
        if limit is None:
            return fh.read()
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
    return data


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """``Path.is_file`` that never raises (a folder on the way without search permission, a NUL in the name)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _check_mode(mode: int, path: str | os.PathLike[str]) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
    raise NotRegularFile(errno.EINVAL, f"not a regular file but {_kind(mode)}", str(Path(path)))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"
