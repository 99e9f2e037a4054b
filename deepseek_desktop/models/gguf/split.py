"""The names of a split GGUF model (``name-00001-of-00003.gguf``): one pattern for every module that
reads, lists or downloads one."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ...core.errors import ModelFileError

# "-00001-of-00003.gguf" at the end of a name, after at least one character of stem.
SPLIT_SUFFIX = re.compile(r"(?<=.)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$")


def split_info(name: str) -> tuple[str, int, int] | None:
    """``"dir/x-00002-of-00003.gguf"`` -> ``("dir/x", 2, 3)``; None for a name that is not a part."""
    m = SPLIT_SUFFIX.search(name)
    if not m:
        return None
    return name[: m.start()], int(m.group("no")), int(m.group("count"))


def part_name(stem: str, no: int, count: int) -> str:
    return f"{stem}-{no:05d}-of-{count:05d}.gguf"


def split_part_names(first: str, parts: int) -> tuple[str, ...]:
    """Every part's name, from the first part's name and the count (just ``first`` when not split)."""
    info = split_info(first)
    if parts <= 1 or info is None:
        return (first,)
    return tuple(part_name(info[0], i, parts) for i in range(1, parts + 1))


def split_stem(name: str) -> str:
    """The name without its part suffix (``x-00001-of-00003.gguf`` -> ``x``; ``x.gguf`` -> ``x``)."""
    return SPLIT_SUFFIX.sub("", name).removesuffix(".gguf")


def split_glob(name: str) -> str:
    """A glob for every part: ``x-00001-of-00003.gguf`` -> ``x-*.gguf``."""
    return SPLIT_SUFFIX.sub("-*.gguf", name)


def gguf_parts(path: str | os.PathLike[str]) -> list[Path]:
    """All files of the GGUF model ``path`` belongs to (just ``path`` unless it is split)."""
    p = Path(path)
    info = split_info(p.name)
    if info is None:
        return [p]
    stem, _no, count = info
    parts = [p.with_name(part_name(stem, i, count)) for i in range(1, count + 1)]
    for part in parts:
        if not part.is_file():
            raise ModelFileError("model.missing_part", f"{part.name} of {count} parts is missing", path=part)
    return parts
