"""GGUF's typed values (scalars, strings, nested arrays) read from a mapped file, with the bounds a
crafted header must not get past. ``header`` builds the header from them.

A sparse file is a few kilobytes on disk and claims any size, and its holes read as zeros: valid empty
arrays, strings, keys and tensors, millions of them. So the bounds are on the work itself, not on the
file's size: ``Budget`` counts every item the reader walks one by one and every byte of text it decodes,
over the whole header, and the header is malformed once it asks for more than a real one ever needs.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from typing import Any

# value type -> struct format for the fixed-size scalars
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9
# Arrays longer than this are skipped, not stored (token lists, merges, scores). Arrays of numbers are
# kept up to the larger bound: per-layer values (head counts, feed-forward sizes) have one per layer.
_KEEP_ARRAY_MAX = 64
_KEEP_NUMBERS_MAX = 1024
# Bounds on what a header may ask us to walk. llama.cpp itself rejects arrays of arrays; one level of
# nesting is allowed here so gguf-py's files read, anything deeper is a crafted file. The largest real
# arrays are token lists and merges (a few hundred thousand entries).
_MAX_DEPTH = 2
_MAX_ARRAY = 1 << 26
# The smallest number of bytes one array item of a type takes on disk (a length prefix at least).
_MIN_ITEM = {_STRING: 8, _ARRAY: 12}


@dataclass
class Budget:
    """What reading one header may cost, over all of it. A real header: a few dozen keys, at most a few
    thousand tensors, token lists and merges of a few hundred thousand strings each (Gemma 3: 262k tokens,
    about 300k items walked in all), a chat template of some kilobytes."""

    items: int = 4_000_000  # keys, tensors, strings decoded or skipped, array items read one by one
    nested: int = 65_536  # arrays inside arrays (llama.cpp itself refuses any)
    text: int = 64 << 20  # bytes of text decoded
    string: int = 16 << 20  # bytes of one decoded string (a chat template is a few kilobytes)

    def spend(self, items: int, what: str) -> None:
        self.items -= items
        if self.items < 0:
            raise MalformedHeader(f"{what}: the header asks for more than {Budget.items} items")

    def spend_text(self, n: int) -> None:
        if n > self.string:
            raise MalformedHeader(f"a string of {n} bytes")
        self.text -= n
        if self.text < 0:
            raise MalformedHeader(f"more than {Budget.text} bytes of text")

    def spend_nested(self, n: int) -> None:
        self.nested -= n
        if self.nested < 0:
            raise MalformedHeader(f"more than {Budget.nested} arrays inside arrays")


class MalformedHeader(ValueError):
    """The header breaks the GGUF format (as opposed to being cut short)."""


class TruncatedHeader(ValueError):
    """The header runs past the end of the file."""


class Cursor:
    """Reads GGUF's typed values (scalars, strings, arrays) from the mapped header, bounds-checked."""

    __slots__ = ("buf", "pos", "wide", "budget")

    def __init__(self, buf: mmap.mmap, pos: int, wide: bool, budget: Budget | None = None) -> None:
        self.buf, self.pos, self.wide = buf, pos, wide
        self.budget = budget or Budget()

    def unpack(self, fmt: str) -> Any:
        value = struct.unpack_from("<" + fmt, self.buf, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def count(self) -> int:
        return self.unpack("Q" if self.wide else "I")

    def advance(self, n: int, what: str) -> None:
        if self.pos + n > len(self.buf):
            raise TruncatedHeader(f"{what} runs past the end of the file")
        self.pos += n

    def string(self, limit: int | None = None) -> str:
        """A string; ``limit``: the most bytes this one may have (a key, a tensor's name)."""
        n = self.count()
        if limit is not None and n > limit:
            raise MalformedHeader(f"a name of {n} bytes")
        self.budget.spend(1, "a string")
        self.budget.spend_text(n)
        start = self.pos
        self.advance(n, "a string")
        return self.buf[start:self.pos].decode("utf-8", errors="replace")

    def skip_strings(self, n: int) -> None:
        # Token lists hold ~100k-250k strings; walk the lengths without decoding. The caller has spent
        # the budget for them.
        buf, pos, fmt = self.buf, self.pos, "<Q" if self.wide else "<I"
        step = 8 if self.wide else 4
        unpack = struct.unpack_from
        # n is bounded by the file's size (checked by the caller), and a length running past the end
        # makes the next unpack fail (struct.error): one check at the end keeps the walk as fast as it was.
        for _ in range(n):
            pos += step + unpack(fmt, buf, pos)[0]
        if pos > len(buf):
            raise TruncatedHeader("an array runs past the end of the file")
        self.pos = pos

    def value(self, vtype: int, depth: int = 0) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            return self.array(depth + 1)
        raise MalformedHeader(f"unknown GGUF value type {vtype}")

    def array(self, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise MalformedHeader(f"arrays nested more than {_MAX_DEPTH} deep")
        item_type = self.unpack("I")
        if item_type not in _SCALARS and item_type not in (_STRING, _ARRAY):
            raise MalformedHeader(f"unknown GGUF array item type {item_type}")
        if item_type == _ARRAY and depth >= _MAX_DEPTH:
            raise MalformedHeader(f"arrays nested more than {_MAX_DEPTH} deep")
        n = self.count()
        if n > _MAX_ARRAY:
            raise MalformedHeader(f"an array of {n} items")
        item_min = struct.calcsize(_SCALARS[item_type]) if item_type in _SCALARS else _MIN_ITEM[item_type]
        if self.pos + n * item_min > len(self.buf):
            raise TruncatedHeader(f"an array of {n} items runs past the end of the file")
        if item_type == _ARRAY:
            self.budget.spend_nested(n)
        if n <= _KEEP_ARRAY_MAX or (item_type in _SCALARS and n <= _KEEP_NUMBERS_MAX):
            self.budget.spend(n, "an array")
            return [self.value(item_type, depth) for _ in range(n)]
        if item_type in _SCALARS:  # skipped in one step, whatever its length
            self.advance(n * item_min, "an array")
        elif item_type == _STRING:
            self.budget.spend(n, "an array of strings")
            self.skip_strings(n)
        else:
            self.budget.spend(n, "an array of arrays")
            for _ in range(n):
                self.value(item_type, depth)
        return SkippedArray(item_type, n)


@dataclass(frozen=True)
class SkippedArray:
    """Stands in for a long array that was not read (its length is kept)."""

    item_type: int
    length: int

    def __len__(self) -> int:
        return self.length
