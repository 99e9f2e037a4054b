"""A short sidebar title made from the first question of a conversation."""

from __future__ import annotations

import re

_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.DOTALL)
_LINE_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)", re.MULTILINE)
_INLINE_MARKUP = re.compile(r"(\*\*|__|`|~~)")
_SPACE = re.compile(r"\s+")
_TRAILING = " \t,;:-–—"


def title_from_question(text: str, max_chars: int = 60) -> str:
    """The question in one line, without Markdown marks, cut at a word boundary with "…".

    Code blocks are dropped (a pasted stack trace makes a poor title) unless the question is nothing
    but code. Returns "" for an empty question, so the UI can show its own "New conversation".
    """
    without_code = _CODE_BLOCK.sub(" ", text)
    if not without_code.strip():
        without_code = text.replace("```", " ")
    plain = _INLINE_MARKUP.sub("", _LINE_MARKUP.sub("", without_code))
    line = _SPACE.sub(" ", plain).strip().strip(_TRAILING)
    if len(line) <= max_chars:
        return line
    cut = line[:max_chars]
    space = cut.rfind(" ")
    if space >= max_chars // 2:  # a very long first word is cut inside the word instead
        cut = cut[:space]
    return cut.rstrip(_TRAILING + ".") + "…"
