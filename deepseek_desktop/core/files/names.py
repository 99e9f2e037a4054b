"""A file name suggested from untrusted text (a conversation title that a model may have written).

The result is one plain name, never a path: no separators, no control or reserved characters, no
Windows device names, no leading dots, at most ``MAX_STEM`` characters, and a fallback when nothing is left.
"""

from __future__ import annotations

import re
import unicodedata

MAX_STEM = 80
MAX_STEM_BYTES = 200  # a file name may have 255 bytes: room for a suffix and a temporary file's affixes
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}


def suggested_file_name(title: str, suffix: str, fallback: str) -> str:
    """``title`` made safe as a file name, with ``suffix`` (".md"); ``fallback`` when the title gives none."""
    stem = _safe_stem(title) or _safe_stem(fallback) or "conversation"
    return stem + suffix


def _safe_stem(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    text = _SPACES.sub(" ", _UNSAFE.sub(" ", text)).strip(" .")
    if len(text) > MAX_STEM or len(text.encode("utf-8")) > MAX_STEM_BYTES:  # an emoji is four bytes
        text = text[:MAX_STEM].encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore").rstrip(" .")
    if text.split(".")[0].upper() in _WINDOWS_DEVICES:
        text = "_" + text
    return text
