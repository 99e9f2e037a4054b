"""Read a GGUF file's header (metadata and tensor table) without loading any tensor data.

Enough to tell a GGUF from anything else, to see that a file is truncated (the tensor table says
where the data ends), and to learn the model's architecture, size, quantisation and shapes.
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.errors import ModelFileError
from ...core.files.regular import NotRegularFile, open_regular
from .values import Cursor, MalformedHeader, SkippedArray, TruncatedHeader

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# Bounds on the counts a header may claim (the bounds on the work of reading it are in values.py).
# Real files: a few dozen keys, a few thousand tensors (DeepSeek-V3 671B: about 1,100).
_MAX_KEYS = 65_536
_MAX_TENSORS = 65_536
_MAX_DIMS = 8
_MAX_KEY = 65_535  # GGUF's own limit on a key's length
_MAX_TENSOR_NAME = 1024  # ggml's is 63 bytes; a longer name is a damaged header, not a long model

# ggml type id -> (elements per block, bytes per block). Mirrors gguf-py's GGML_QUANT_SIZES so this
# module needs no numpy at import time; ``_block_size`` falls back to gguf-py for ids not listed.
_GGML_BLOCKS = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
    16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110),
    22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
    29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66), 39: (32, 17),
}

# general.file_type -> name (llama.cpp's LLAMA_FTYPE_*)
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
    18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S",
    25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
    32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4",
}


@dataclass
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def n_bytes(self) -> int:
        block, size = _block_size(self.ggml_type)
        return self.n_elements // block * size


@dataclass
class GGUFHeader:
    path: Path
    version: int
    file_size: int
    metadata: dict[str, Any]
    tensors: list[TensorInfo] = field(default_factory=list)
    data_offset: int = 0

    @property
    def expected_size(self) -> int:
        """The size the tensor table implies: the end of the last tensor's data."""
        end = max((t.offset + t.n_bytes for t in self.tensors), default=0)
        return self.data_offset + end

    @property
    def truncated(self) -> bool:
        return self.file_size < self.expected_size

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name") or self.path.stem)

    @property
    def n_params(self) -> int:
        return sum(t.n_elements for t in self.tensors)

    @property
    def quantization(self) -> str:
        ftype = self.metadata.get("general.file_type")
        if isinstance(ftype, int) and ftype in FILE_TYPES:
            return FILE_TYPES[ftype]
        return _guess_quant_from_name(self.path.name)

    @property
    def context_length(self) -> int:
        return int(self.arch_value("context_length", 0) or 0)

    @property
    def has_chat_template(self) -> bool:
        return bool(self.metadata.get("tokenizer.chat_template"))

    def summary(self) -> dict[str, Any]:
        head_count = self.arch_value("attention.head_count", 0)
        head_count_kv = self.arch_value("attention.head_count_kv", head_count)
        return {
            "path": str(self.path),
            "name": self.name,
            "architecture": self.architecture,
            "parameters": self.n_params,
            "size_label": self.metadata.get("general.size_label") or format_param_count(self.n_params),
            "quantization": self.quantization,
            "context_length": self.context_length,
            "block_count": int(self.arch_value("block_count", 0) or 0),
            "head_count": _first_int(head_count),
            "head_count_kv": _first_int(head_count_kv),
            "embedding_length": int(self.arch_value("embedding_length", 0) or 0),
            "has_chat_template": self.has_chat_template,
            "gguf_version": self.version,
            "file_size": self.file_size,
            "expected_size": self.expected_size,
            "truncated": self.truncated,
        }


def read_gguf_header(path: str | os.PathLike[str]) -> GGUFHeader:
    """Parse the header of ``path``. Raises ``ModelFileError`` for a missing, unreadable, non-GGUF or
    damaged file, whatever its bytes: every value a reader of the header uses is type-checked here.

    Being truncated is not an error here (``header.truncated`` tells); ``check_gguf`` makes it one.
    """
    p = Path(path)
    with _open(p) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            if fh.read(4) != GGUF_MAGIC:
                raise ModelFileError("model.not_gguf", "the file does not start with the GGUF magic", path=p)
            if size < 24:
                raise ModelFileError("model.truncated", f"only {size} bytes", path=p)
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                try:
                    return _parse(p, mm, size)
                except MalformedHeader as exc:
                    raise ModelFileError("model.bad_header", f"malformed GGUF header: {exc}", path=p) from exc
                except (struct.error, TruncatedHeader) as exc:
                    raise ModelFileError("model.truncated", f"the header runs past the end: {exc}", path=p) from exc
                except (ValueError, IndexError, OverflowError, RecursionError) as exc:  # a shape not foreseen
                    raise ModelFileError("model.bad_header", f"{type(exc).__name__}: {exc}", path=p) from exc
        except PermissionError as exc:
            raise ModelFileError("model.no_permission", str(exc), path=p) from exc
        except OSError as exc:
            raise ModelFileError("model.unreadable", f"{type(exc).__name__}: {exc}", path=p) from exc


def _open(p: Path):
    """The file, opened only if it is a regular one (a FIFO would block the open, a device never end)."""
    try:
        return open_regular(p)
    except IsADirectoryError as exc:
        raise ModelFileError("model.is_folder", f"{p} is a folder", path=p) from exc
    except NotRegularFile as exc:
        raise ModelFileError("model.not_regular", str(exc), path=p) from exc
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ModelFileError("model.not_found", f"{p} does not exist", path=p) from exc
    except PermissionError as exc:  # the file's or a folder's on the way
        raise ModelFileError("model.no_permission", str(exc), path=p) from exc
    except OSError as exc:
        raise ModelFileError("model.unreadable", f"{type(exc).__name__}: {exc}", path=p) from exc
    except ValueError as exc:  # a NUL character in the path
        raise ModelFileError("model.not_found", f"{p!r}: {exc}", path=p) from exc


def check_gguf(path: str | os.PathLike[str]) -> GGUFHeader:
    """``read_gguf_header`` plus the check that all tensor data is present."""
    header = read_gguf_header(path)
    if header.truncated:
        from ..storage import format_bytes

        raise ModelFileError(
            "model.incomplete",
            f"file has {header.file_size} bytes, its tensor table needs {header.expected_size}",
            present=format_bytes(header.file_size),
            expected=format_bytes(header.expected_size),
            path=header.path,
        )
    return header


def is_gguf_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file that starts with the GGUF magic (never opens anything else)."""
    try:
        with open_regular(path) as fh:
            return fh.read(4) == GGUF_MAGIC
    except (OSError, ValueError):
        return False


def _parse(path: Path, mm: mmap.mmap, size: int) -> GGUFHeader:
    version = struct.unpack_from("<I", mm, 4)[0]
    if version not in (1, 2, 3):
        raise ModelFileError("model.gguf_version", f"unsupported GGUF version {version}", path=path, version=version)
    cur = Cursor(mm, 8, wide=version >= 2)
    n_tensors = cur.count()
    n_kv = cur.count()
    if n_tensors > _MAX_TENSORS or n_kv > _MAX_KEYS:
        raise MalformedHeader(f"implausible counts: {n_tensors} tensors, {n_kv} keys")
    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = cur.string(_MAX_KEY)
        if key in metadata:  # llama.cpp refuses a key given twice
            raise MalformedHeader(f"the key {_printable(key)!r} appears twice")
        metadata[key] = cur.value(cur.unpack("I"))
    _check_metadata(metadata)
    tensors = []
    for _ in range(n_tensors):
        name = cur.string(_MAX_TENSOR_NAME)
        n_dims = cur.unpack("I")
        if n_dims > _MAX_DIMS:
            raise MalformedHeader(f"tensor {name} has {n_dims} dimensions")
        shape = tuple(cur.count() for _ in range(n_dims))
        ggml_type = cur.unpack("I")
        offset = cur.unpack("Q")
        try:
            _block_size(ggml_type)
        except ValueError as exc:
            raise MalformedHeader(f"tensor {name}: {exc}") from exc
        tensors.append(TensorInfo(name, shape, ggml_type, offset))
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    data_offset = (cur.pos + alignment - 1) // alignment * alignment
    return GGUFHeader(path, version, size, metadata, tensors, data_offset)


# The keys this app (and llama.cpp) reads, with the type each must have. Anything else is kept as read.
_STR_KEYS = ("general.architecture", "general.name", "general.size_label", "tokenizer.chat_template")
_INT_KEYS = ("context_length", "block_count", "embedding_length", "attention.kv_lora_rank", "vocab_size",
             "attention.key_length", "attention.value_length", "rope.dimension_count",
             "attention.sliding_window", "expert_count", "expert_used_count")
# Per-layer arrays are allowed for these.
_INT_OR_LIST_KEYS = ("attention.head_count", "attention.head_count_kv", "feed_forward_length")


def _check_metadata(metadata: dict[str, Any]) -> None:
    for key in _STR_KEYS:
        if key in metadata and not isinstance(metadata[key], str):
            raise MalformedHeader(f"{key} is {_kind(metadata[key])}, not a string")
    arch = metadata.get("general.architecture", "")
    for suffix in _INT_KEYS:
        key = f"{arch}.{suffix}"
        if key in metadata and not _is_count(metadata[key]):
            raise MalformedHeader(f"{key} is {_kind(metadata[key])}, not a non-negative integer")
    for suffix in _INT_OR_LIST_KEYS:
        key = f"{arch}.{suffix}"
        value = metadata.get(key, 0)
        if not (_is_count(value) or isinstance(value, list) and all(_is_count(v) for v in value)):
            raise MalformedHeader(f"{key} is {_kind(value)}, not an integer or a list of integers")
    if "general.file_type" in metadata and not _is_count(metadata["general.file_type"]):
        raise MalformedHeader(f"general.file_type is {_kind(metadata['general.file_type'])}, not an integer")
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not _is_count(alignment) or alignment == 0 or alignment & (alignment - 1):
        raise MalformedHeader(f"general.alignment is {_kind(alignment)}, not a power of two")
    tokens = metadata.get("tokenizer.ggml.tokens")
    if tokens is not None and not isinstance(tokens, list | SkippedArray):
        raise MalformedHeader(f"tokenizer.ggml.tokens is {_kind(tokens)}, not an array")


def _printable(text: str, limit: int = 100) -> str:
    """A name from the file, fit for one line of a message (no control characters, not endless)."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _kind(value: Any) -> str:
    if isinstance(value, list | SkippedArray):
        return "an array"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"


def _block_size(ggml_type: int) -> tuple[int, int]:
    if ggml_type in _GGML_BLOCKS:
        return _GGML_BLOCKS[ggml_type]
    try:  # a type newer than this table: ask gguf-py
        from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

        return GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ImportError, ValueError, KeyError) as exc:
        raise ValueError(f"unknown ggml tensor type {ggml_type}") from exc


def _first_int(value: Any) -> int:
    # head_count may be a per-layer array in some architectures
    if isinstance(value, list):
        return int(max(value)) if value else 0
    return int(value or 0)


def _guess_quant_from_name(name: str) -> str:
    upper = name.upper()
    for label in sorted(FILE_TYPES.values(), key=len, reverse=True):
        if label in upper:
            return label
    return ""


def format_param_count(n: int) -> str:
    if n >= 1_000_000_000:
        return f"{n / 1e9:.1f}B".replace(".0B", "B")
    if n >= 1_000_000:
        return f"{n / 1e6:.0f}M"
    return str(n)
