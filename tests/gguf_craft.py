"""Malformed GGUF files for the header checks: written with gguf-py where it can express the fault,
assembled byte by byte (the GGUF v3 layout) where gguf-py itself would refuse or recurse."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from gguf import GGUFValueType, GGUFWriter

_U32, _U64 = "<I", "<Q"


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(_U64, len(raw)) + raw


def raw_gguf(path: Path, kvs: list[bytes], tensors: bytes = b"", n_tensors: int = 0) -> Path:
    """A GGUF v3 file from already packed key/value entries (key string + type + value)."""
    head = b"GGUF" + struct.pack(_U32, 3) + struct.pack(_U64, n_tensors) + struct.pack(_U64, len(kvs))
    path.write_bytes(head + b"".join(kvs) + tensors + b"\0" * 64)
    return path


def kv_string(key: str, value: str) -> bytes:
    return _string(key) + struct.pack(_U32, GGUFValueType.STRING) + _string(value)


def nested_arrays(path: Path, depth: int) -> Path:
    """``x.deep`` = [[[...[1]...]]] nested ``depth`` times."""
    value = struct.pack(_U32, GGUFValueType.UINT32) + struct.pack(_U64, 1) + struct.pack(_U32, 1)
    for _ in range(depth - 1):
        value = struct.pack(_U32, GGUFValueType.ARRAY) + struct.pack(_U64, 1) + value
    entry = _string("x.deep") + struct.pack(_U32, GGUFValueType.ARRAY) + value
    return raw_gguf(path, [kv_string("general.architecture", "llama"), entry])


def huge_array(path: Path, count: int) -> Path:
    """An array that claims ``count`` items (and holds a few bytes)."""
    entry = (_string("x.huge") + struct.pack(_U32, GGUFValueType.ARRAY) + struct.pack(_U32, GGUFValueType.UINT8)
             + struct.pack(_U64, count) + b"\1\2\3\4")
    return raw_gguf(path, [kv_string("general.architecture", "llama"), entry])


def _writer(path: Path, context_length: bool = True) -> GGUFWriter:
    writer = GGUFWriter(str(path), "llama")
    writer.add_name("crafted llama")
    writer.add_block_count(1)
    if context_length:
        writer.add_context_length(128)
    return writer


def _finish(writer: GGUFWriter) -> None:
    writer.add_tensor("blk.0.attn_q.weight", np.ones((8, 16), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def alignment_as_array(path: Path) -> Path:
    writer = _writer(path)
    writer.add_array("general.alignment", [32, 64])
    _finish(writer)
    return path


def context_length_as_string(path: Path) -> Path:
    writer = _writer(path, context_length=False)
    writer.add_string("llama.context_length", "eight thousand")
    _finish(writer)
    return path


def unknown_tensor_type(path: Path, type_id: int = 250) -> Path:
    """A valid file whose one tensor then gets a ggml type id no one knows."""
    writer = _writer(path)
    _finish(writer)
    data = bytearray(path.read_bytes())
    name = b"blk.0.attn_q.weight"
    at = data.index(struct.pack(_U64, len(name)) + name) + 8 + len(name)
    n_dims = struct.unpack_from(_U32, data, at)[0]
    struct.pack_into(_U32, data, at + 4 + 8 * n_dims, type_id)
    path.write_bytes(bytes(data))
    return path


# -- sparse files: a few kilobytes on disk, a header that claims millions of items ---------------------
# In a hole of a sparse file every byte is 0, and zeros are a valid GGUF item each: an empty UINT8 array
# (item type 0, count 0), a tensor with an empty name, no dimensions, type F32 at offset 0, a key with an
# empty name and a UINT8 value 0, an empty string. The file's claimed size makes the bounds checks pass.


def _sparse(path: Path, head: bytes, items: int, item_size: int) -> Path:
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(len(head) + items * item_size + 64)
    return path


def _head(n_tensors: int, n_kv: int) -> bytes:
    return b"GGUF" + struct.pack(_U32, 3) + struct.pack(_U64, n_tensors) + struct.pack(_U64, n_kv)


def sparse_nested_arrays(path: Path, count: int) -> Path:
    """``x.nest``: an array of ``count`` empty arrays (12 bytes each)."""
    entry = (_string("x.nest") + struct.pack(_U32, GGUFValueType.ARRAY) + struct.pack(_U32, GGUFValueType.ARRAY)
             + struct.pack(_U64, count))
    return _sparse(path, _head(0, 2) + kv_string("general.architecture", "llama") + entry, count, 12)


def sparse_tensors(path: Path, count: int) -> Path:
    """``count`` tensors with empty names (24 bytes each)."""
    return _sparse(path, _head(count, 1) + kv_string("general.architecture", "llama"), count, 24)


def sparse_keys(path: Path, count: int) -> Path:
    """``count`` keys with empty names and a UINT8 value (13 bytes each)."""
    return _sparse(path, _head(0, count), count, 13)


def sparse_strings(path: Path, count: int) -> Path:
    """``tokenizer.ggml.tokens``: ``count`` empty strings (8 bytes each)."""
    entry = (_string("tokenizer.ggml.tokens") + struct.pack(_U32, GGUFValueType.ARRAY)
             + struct.pack(_U32, GGUFValueType.STRING) + struct.pack(_U64, count))
    return _sparse(path, _head(0, 2) + kv_string("general.architecture", "llama") + entry, count, 8)


def sparse_long_string(path: Path, length: int) -> Path:
    """``general.name``: one string of ``length`` bytes (zeros)."""
    entry = _string("general.name") + struct.pack(_U32, GGUFValueType.STRING) + struct.pack(_U64, length)
    return _sparse(path, _head(0, 2) + kv_string("general.architecture", "llama") + entry, 1, length)


SPARSE = {
    "nested_empty_arrays": sparse_nested_arrays,
    "tensors": sparse_tensors,
    "keys": sparse_keys,
    "strings": sparse_strings,
}


MALFORMED = {
    "nested_arrays": lambda p: nested_arrays(p, 100_000),
    "array_of_2_to_the_60_items": lambda p: huge_array(p, 1 << 60),
    "unknown_tensor_type": unknown_tensor_type,
    "alignment_as_array": alignment_as_array,
    "context_length_as_string": context_length_as_string,
}


def make_malformed(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {kind: make(folder / f"{kind}.gguf") for kind, make in MALFORMED.items()}
