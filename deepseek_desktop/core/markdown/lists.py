"""Lists as models write them, re-indented for Python-Markdown.

Models nest list items by two spaces ("- a" then "  - b"), by three under a numbered item ("1. a" then
"   - b"), or by four, and start a list straight under a line of text. Python-Markdown nests only by four
spaces and starts a list only after a blank line, so every sub-item became a top-level bullet and a list under
"Steps:" ran into the sentence. Here the nesting is read as CommonMark reads it (a line belongs to an item
when it is indented at least to the item's text; a marker there starts a sub-list) and written again with
four spaces per level; a list right under a line of text gets the blank line Python-Markdown needs (for a
numbered list only when it starts at 1, as CommonMark has it). Lines inside fenced code are left as they
are, apart from the indentation of a fence inside an item, which moves with its item.

One pass over the lines with a stack of open items: linear in the text's length.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_ITEM = re.compile(r"(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>[ \t]+|$)")
_RULE = re.compile(r"[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")  # "---", "* * *": a rule, not an item
_FENCE = re.compile(r"(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_BLOCK_START = re.compile(r"[ \t]{0,3}(?:#{1,6}(?:[ \t]|$)|>|\|)")  # a heading, a quote, a table row
LEVEL = 4  # spaces per level of nesting that Python-Markdown reads
MAX_DEPTH = 16  # deeper items stay at this depth: Python-Markdown recurses once per level


class _Item(NamedTuple):
    content: int  # the column the item's text starts at, as the model wrote it
    depth: int  # 0 for a top-level item


def _width(indent: str) -> int:
    """Columns of leading white space, a tab to the next multiple of four."""
    col = 0
    for ch in indent:
        col = col + 4 - col % 4 if ch == "\t" else col + 1
    return col


def _strip_columns(line: str, columns: int) -> str:
    """``line`` without up to ``columns`` columns of leading white space."""
    col, i = 0, 0
    while i < len(line) and line[i] in " \t" and col < columns:
        col = col + 4 - col % 4 if line[i] == "\t" else col + 1
        i += 1
    return " " * max(0, col - columns) + line[i:]


def _marker_item(line: str) -> re.Match[str] | None:
    if _RULE.match(line):
        return None
    return _ITEM.match(line)


def normalize_lists(text: str) -> str:
    """``text`` with its lists indented the way Python-Markdown nests them (see the module's docstring)."""
    if "-" not in text and "*" not in text and "+" not in text and "." not in text and ")" not in text:
        return text
    out: list[str] = []
    stack: list[_Item] = []
    fence = ""  # the fence of the code block the lines are in
    fence_from, fence_to = 0, 0  # a fence's lines lose ``fence_from`` columns and get ``fence_to``
    prose = False  # the line before was text of a paragraph (a list under it needs a blank line first)
    for line in text.split("\n"):
        if fence:
            closing = _FENCE.match(line)
            if closing and closing.group("fence").startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            out.append(" " * fence_to + _strip_columns(line, fence_from) if fence_to or fence_from else line)
            continue
        if not line.strip():
            out.append(line)
            prose = False
            continue
        indent = _width(line[: len(line) - len(line.lstrip(" \t"))])
        item = _marker_item(line)
        if item is None and stack and prose and indent < stack[-1].content and not _starts_block(line):
            out.append(" " * (LEVEL * min(len(stack), MAX_DEPTH)) + line.lstrip(" \t"))  # a lazy continuation
            continue
        in_list = bool(stack)
        while stack and indent < stack[-1].content:
            stack.pop()
        if item is not None and (stack or indent < LEVEL):
            depth = min(len(stack), MAX_DEPTH)
            marker = item.group("marker")
            marker = marker[:-1] + "." if marker.endswith(")") else marker  # Python-Markdown knows only "1."
            space = _width(line[: item.end("space")]) - _width(line[: item.start("space")])
            rest = line[item.end():]
            content = indent + len(item.group("marker")) + (space if 1 <= space <= 4 and rest else 1)
            if depth == 0 and prose and not in_list and (not marker[0].isdigit() or marker[:-1] == "1"):
                out.append("")  # a list straight under a line of text
            stack.append(_Item(content, depth))
            out.append(" " * (LEVEL * depth) + marker + " " + rest)
            prose = True
            continue
        opening = _FENCE.match(line)
        if stack:
            relative = indent - stack[-1].content
            new_indent = LEVEL * min(len(stack), MAX_DEPTH) + max(0, relative)
            if opening is not None:
                fence, fence_from, fence_to = opening.group("fence"), indent, new_indent
            out.append(" " * new_indent + line.lstrip(" \t"))
            prose = opening is None
            continue
        if opening is not None and indent < LEVEL:
            fence, fence_from, fence_to = opening.group("fence"), 0, 0
        out.append(line)
        prose = opening is None and not _starts_block(line)
    return "\n".join(out)


def _starts_block(line: str) -> bool:
    return bool(_BLOCK_START.match(line) or _RULE.match(line) or _FENCE.match(line))
