"""Reading JSON that the user's disk or another program wrote: one loader, two kinds of failure.

A file that cannot be read (permissions, a folder in its place, an I/O error) is not damaged and must be
left alone; a file that was read but does not parse is corrupt and may be moved aside. ``json.loads``
raises more than ``ValueError``: deeply nested arrays (``[[[[...``) exhaust the recursion limit with a
``RecursionError``, which callers catching ``ValueError`` let through and which then stops the app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .regular import read_regular_bytes


class JsonFileError(Exception):
    """Base of the two failures below; ``str()`` is the detail for the log."""


class UnreadableJson(JsonFileError):
    """The file exists but reading it failed (``__cause__`` holds the ``OSError``)."""


class CorruptJson(JsonFileError, ValueError):
    """The text is not JSON: cut off, binary, not UTF-8, or nested too deeply. A ``ValueError``, so that
    code catching what ``json.loads`` documents catches the deep nesting too."""


def parse_json(data: bytes | str, *, bad_bytes: str = "strict") -> Any:
    """``json.loads`` whose every parse failure is ``CorruptJson``. A UTF-8 byte order mark (some editors
    write one) is read past. ``bad_bytes="surrogateescape"`` reads bytes that are not UTF-8 as lone
    surrogates, so that one bad byte spoils only the string it is in: the caller must then check the
    strings it keeps (``has_lone_surrogates``)."""
    try:
        text = data.decode("utf-8", errors=bad_bytes) if isinstance(data, bytes) else data
        return json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError) as exc:  # ValueError covers JSONDecodeError and UnicodeDecodeError
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise CorruptJson(detail) from None


def has_lone_surrogates(value: Any) -> bool:
    """Whether a parsed JSON value holds text that is not valid Unicode (a ``"\\ud800"`` escape, or a byte
    read with ``bad_bytes="surrogateescape"``) anywhere, keys included: such text cannot be written as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def read_json_file(path: Path, *, bad_bytes: str = "strict") -> Any:
    """The parsed content of ``path``. Raises ``FileNotFoundError`` when there is no such file (usually not
    an error for the caller; writing it will tell), ``UnreadableJson`` for any other ``OSError``, and
    ``CorruptJson`` when it does not parse. Only a regular file is opened: a FIFO, a device or a folder in
    its place is ``UnreadableJson`` (opening a FIFO for reading would wait for a writer forever).
    """
    try:
        raw = read_regular_bytes(path)
    except FileNotFoundError:
        raise
    except NotADirectoryError as exc:  # a file where a folder on the way should be: there is no such file
        raise FileNotFoundError(exc.errno, exc.strerror, str(path)) from exc
    except OSError as exc:
        raise UnreadableJson(f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    return parse_json(raw, bad_bytes=bad_bytes)
