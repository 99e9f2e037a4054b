"""Write a file so that a crash or a full disk leaves either the old or the new content, never half."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it over ``path``.

    The temporary file is created with mode 0666 minus the umask (not mkstemp's 0600), so an exported
    conversation gets the same permissions as any other file the user saves. Raises ``OSError``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{_cut(path.name, 255 - 14)}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def _cut(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` bytes of UTF-8 (a file name may have 255): a long name the user chose
    still gets a temporary name beside it."""
    raw = os.fsencode(name)
    return name if len(raw) <= limit else raw[:limit].decode("utf-8", "ignore")


def aside_name(path: Path, tag: str, stamp: str) -> Path:
    """``settings.json`` -> ``settings.json.corrupt-20250101-120000`` (with -2, -3 ... if taken)."""
    candidate = path.with_name(f"{path.name}.{tag}-{stamp}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{tag}-{stamp}-{n}")
        n += 1
    return candidate
