"""Whether a model brings its own chat template, and if not, which generic one the engine will use.

The engines decide this when they load a model (``core.chat_templates.choose_fallback``, with the
tokenizer at hand). This predicts the same choice from the file alone, without loading anything, so the
model's details can say so before the first message: a marker counts as a single token when the GGUF's
token list holds it as one entry (searched for in the header only, never in the tensor data).
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path

from ...core.chat_templates import choose_fallback
from ...core.errors import ModelFileError
from ...core.files.regular import open_regular, read_regular_bytes
from ..gguf.header import GGUFHeader, read_gguf_header

FALLBACK_PREFIX = "fallback:"


def fallback_template(path: str | os.PathLike[str]) -> str:
    """"" when the GGUF file (or MLX folder) at ``path`` carries a chat template or cannot be read; else
    the name of the generic template the engine uses instead ("gemma", "chatml", "plain" ...)."""
    p = Path(path).expanduser()
    if p.is_dir():
        return _mlx_fallback(p)
    try:
        header = read_gguf_header(p)
    except ModelFileError:
        return ""
    if header.has_chat_template:
        return ""
    try:
        with open_regular(p) as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return choose_fallback(header.architecture, lambda text: _in_vocab(mm, header, text)).name
    except (OSError, ValueError):
        return ""


def fallback_name(chat_template: str) -> str:
    """The template's name from an engine's ``chat_template`` report ("fallback:gemma" -> "gemma"), or ""."""
    return chat_template[len(FALLBACK_PREFIX):] if chat_template.startswith(FALLBACK_PREFIX) else ""


def _in_vocab(mm: mmap.mmap, header: GGUFHeader, text: str) -> bool:
    data = text.encode("utf-8")
    length = struct.pack("<Q" if header.version >= 2 else "<I", len(data))
    return mm.find(length + data, 0, min(header.data_offset, len(mm))) != -1


def _mlx_fallback(folder: Path) -> str:
    """MLX: without a template the engine picks by the config's model type; the tokenizer's vocabulary
    (tokenizer.json) decides as for a GGUF."""
    from ...core.files.json_file import parse_json
    from .inspection import check_mlx_folder

    try:
        info = check_mlx_folder(folder)
    except ModelFileError:
        return ""
    if info.has_chat_template:
        return ""
    try:
        tokenizer = parse_json(read_regular_bytes(folder / "tokenizer.json", limit=256 << 20))
        vocab = tokenizer["model"]["vocab"]
        added = {t.get("content") for t in tokenizer.get("added_tokens", []) if isinstance(t, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        vocab, added = {}, set()
    family = "deepseek" if info.architecture.startswith("deepseek") else info.architecture
    return choose_fallback(family, lambda text: text in added or text in vocab).name
