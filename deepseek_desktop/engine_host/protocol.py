"""Framing for the engine host's pipes: a 4-byte big-endian length, then a UTF-8 JSON object."""

from __future__ import annotations

import json
import re
import struct
from typing import Any, BinaryIO

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024
# A str can hold a lone surrogate (bytes Python could not decode from argv, a server's "\ud800" escape),
# and UTF-8 cannot encode one. Both directions of every pipe pass here, so this is the one place that
# makes sure such text crosses as U+FFFD instead of failing the request or the reply.
_SURROGATE = re.compile("[\ud800-\udfff]")


class ProtocolError(Exception):
    pass


def encode(message: dict[str, Any]) -> bytes:
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:
        body = _SURROGATE.sub("\ufffd", text).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def read_frame(stream: BinaryIO) -> dict[str, Any] | None:
    """The next message, or None at a clean end of stream."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ProtocolError(f"frame of {length} bytes is too large")
    body = _read_exactly(stream, length)
    if body is None:
        raise ProtocolError("stream ended inside a frame")
    return json.loads(body.decode("utf-8"))


def _read_exactly(stream: BinaryIO, n: int) -> bytes | None:
    chunks, missing = [], n
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            if missing == n:
                return None
            raise ProtocolError("stream ended inside a frame")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
