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


class JsonFileError(Exception):
    """Base of the two failures below; ``str()`` is the detail for the log."""


class UnreadableJson(JsonFileError):
    """The file exists but reading it failed (``__cause__`` holds the ``OSError``)."""


class CorruptJson(JsonFileError, ValueError):
    """The text is not JSON: cut off, binary, not UTF-8, or nested too deeply. A ``ValueError``, so that
    code catching what ``json.loads`` documents catches the deep nesting too."""


def parse_json(data: bytes | str) -> Any:
    """``json.loads`` whose every parse failure is ``CorruptJson``."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError covers JSONDecodeError and UnicodeDecodeError
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise CorruptJson(detail) from None


def read_json_file(path: Path) -> Any:
    """The parsed content of ``path``. Raises ``FileNotFoundError`` when there is no such file (usually not
    an error for the caller; writing it will tell), ``UnreadableJson`` for any other ``OSError``, and
    ``CorruptJson`` when it does not parse.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except NotADirectoryError as exc:  # a file where a folder on the way should be: there is no such file
        raise FileNotFoundError(exc.errno, exc.strerror, str(path)) from exc
    except OSError as exc:
        raise UnreadableJson(f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    return parse_json(raw)
