"""Saved conversation states (an engine's K/V cache for a token prefix) on disk: the file format, its checks,
the file names, and removal by conversation or by model. No engine calls here: the bytes are the engine's.

A file is a fixed header, the tokens (little-endian int32) and the engine's data::

    magic "DSKVSTAT" | format version u32 | model identity (32 bytes) | settings identity (32 bytes)
    | key (32 bytes) | token count u32 | sha256 of the tokens (32 bytes) | data length u64
    | sha256 of the data (32 bytes)

Every field is checked before the data goes anywhere near the engine: a damaged, truncated, foreign or
mismatching file raises ``StateFileError`` and its caller removes it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import tempfile
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"DSKVSTAT"
VERSION = 1
SUFFIX = ".kvstate"
_HEADER = struct.Struct("<8sI32s32s32sI32sQ32s")
_MAX_TOKENS = 1 << 24  # far beyond any context length: a larger count is damage


class StateFileError(Exception):
    """A state file that must not be used (and is removed)."""


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def model_tag(model_path: str | Path) -> str:
    """The part of a state file's name that names the model file (its absolute path)."""
    return digest(str(Path(model_path).expanduser().absolute())).hex()[:16]


def key_tag(key: str) -> str:
    """The part of a state file's name that names the conversation."""
    return digest(key).hex()[:16]


def conversation_key(conversation_id: int) -> str:
    """The cache key the window gives a conversation's requests."""
    return f"conversation:{conversation_id}"


def file_name(model_path: str | Path, settings: bytes, key: str) -> str:
    return f"{model_tag(model_path)}-{key_tag(key)}-{settings.hex()[:16]}{SUFFIX}"


@dataclass(frozen=True)
class StateHeader:
    model: bytes
    settings: bytes
    key: bytes
    tokens: tuple[int, ...]
    data_length: int
    data_sha256: bytes
    offset: int  # where the data starts


def tokens_bytes(tokens: Sequence[int]) -> bytes:
    values = array("i", tokens)
    if array("i").itemsize != 4:  # pragma: no cover - int is 32 bits on every platform we build for
        raise StateFileError("int is not 32 bits here")
    if struct.pack("=i", 1) != struct.pack("<i", 1):  # pragma: no cover - big-endian
        values.byteswap()
    return values.tobytes()


def write_state(path: Path, model: bytes, settings: bytes, key: str, tokens: Sequence[int], data: bytes) -> None:
    """Write atomically: a temporary file in the same folder, flushed, then renamed over ``path``."""
    raw_tokens = tokens_bytes(tokens)
    header = _HEADER.pack(MAGIC, VERSION, model, settings, digest(key), len(tokens),
                          hashlib.sha256(raw_tokens).digest(), len(data), hashlib.sha256(data).digest())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(header)
            f.write(raw_tokens)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_header(path: Path, model: bytes, settings: bytes) -> StateHeader:
    """The header and tokens of ``path``, checked against this model and settings and against the file's size."""
    with open(path, "rb") as f:
        head = f.read(_HEADER.size)
        if len(head) < _HEADER.size:
            raise StateFileError("shorter than its header")
        magic, version, f_model, f_settings, f_key, n_tokens, tokens_sha, data_len, data_sha = _HEADER.unpack(head)
        if magic != MAGIC:
            raise StateFileError("not a state file")
        if version != VERSION:
            raise StateFileError(f"format version {version}, not {VERSION}")
        if f_model != model:
            raise StateFileError("saved for another model file")
        if f_settings != settings:
            raise StateFileError("saved with other settings")
        if not 0 < n_tokens <= _MAX_TOKENS:
            raise StateFileError(f"token count {n_tokens}")
        expected = _HEADER.size + 4 * n_tokens + data_len
        size = os.fstat(f.fileno()).st_size
        if size != expected:
            raise StateFileError(f"{size} bytes where the header says {expected}")
        raw = f.read(4 * n_tokens)
    if hashlib.sha256(raw).digest() != tokens_sha:
        raise StateFileError("the tokens do not match their hash")
    values = array("i")
    values.frombytes(raw)
    if struct.pack("=i", 1) != struct.pack("<i", 1):  # pragma: no cover - big-endian
        values.byteswap()
    return StateHeader(f_model, f_settings, f_key, tuple(values), data_len, data_sha, _HEADER.size + len(raw))


def read_data(path: Path, header: StateHeader) -> bytes:
    """The engine's data, checked against the header's length and checksum."""
    with open(path, "rb") as f:
        f.seek(header.offset)
        data = f.read(header.data_length + 1)
    if len(data) != header.data_length:
        raise StateFileError(f"{len(data)} bytes of data where the header says {header.data_length}")
    if hashlib.sha256(data).digest() != header.data_sha256:
        raise StateFileError("the data does not match its checksum")
    return data


def remove_files(folder: Path, pattern: str) -> int:
    removed = 0
    try:
        found = list(folder.glob(pattern))
    except OSError:
        return 0
    for path in found:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not remove the saved state %s: %s", path.name, exc)
    return removed


def remove_conversations(folder: Path, conversation_ids: Iterable[int]) -> int:
    """Remove the saved states of these conversations (deleted for good), for every model."""
    return sum(remove_files(folder, f"*-{key_tag(conversation_key(cid))}-*{SUFFIX}") for cid in conversation_ids)


def remove_model(folder: Path, model_path: str | Path) -> int:
    """Remove the saved states of a model file (removed from the disk)."""
    return remove_files(folder, f"{model_tag(model_path)}-*{SUFFIX}")
