"""A reply cut into blocks as it streams, and the guard that keeps Markdown away from blocks too big or
too deeply nested to render in bounded time.

Blocks end at blank lines outside code fences, once they hold at least ``MIN_BLOCK`` characters (a
view per paragraph made thousands of views of a reply of short lines). A paragraph longer than
``MAX_BLOCK`` characters is cut into pieces of at most that size (at line ends, or inside a line longer
than that) and every piece of it is shown as plain text: rendering, and laying out, a bounded piece
costs a bounded time. The splitter is incremental: each update only looks at the text after the last
complete line it has seen.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

MAX_BLOCK = 4096  # characters rendered and laid out as one block: about a frame of Qt layout at most
MIN_BLOCK = 1024  # characters a block gathers before a blank line may end it
MAX_NESTING = 16  # quote and list markers at the start of one line; Markdown recurses once for each
MAX_BARS = 400  # "|" in one block: Qt lays a table out at a few hundred cells per frame

# Any indentation: a fence inside a list item is indented with the item (lists.py).
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)[^\n]*$", re.M)
_DEEP = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*){" + str(MAX_NESTING + 1) + "}", re.M)


class Block(NamedTuple):
    text: str
    plain: bool = False  # a paragraph too long or too deep for Markdown, or a piece of one


def needs_plain(text: str) -> bool:
    """Whether ``text`` is shown as plain text rather than rendered as Markdown."""
    return len(text) > MAX_BLOCK or text.count("|") > MAX_BARS or _DEEP.search(text) is not None


def plain_html(text: str) -> str:
    """``text`` escaped, with its line breaks and spaces kept."""
    return f'<p style="white-space: pre-wrap;">{html.escape(text, quote=False)}</p>'


class _State:
    __slots__ = ("parts", "size", "bars", "fence", "plain", "blank", "cut")

    def __init__(self) -> None:
        self.parts: list[str] = []  # lines and the newlines between them
        self.size = 0
        self.bars = 0
        self.fence = ""
        self.plain = False  # the paragraph in progress is too long or too deep: plain pieces
        self.blank = False  # the last line was blank (outside a fence)
        self.cut = -1  # index in parts of the newline before the last paragraph started

    def copy(self) -> _State:
        other = _State()
        other.parts = list(self.parts)
        other.size, other.bars, other.fence, other.plain, other.blank, other.cut = (
            self.size, self.bars, self.fence, self.plain, self.blank, self.cut)
        return other

    def close(self, out: list[Block], plain: bool) -> None:
        out.append(Block("".join(self.parts).rstrip(), plain))
        self.parts, self.size, self.bars, self.blank, self.cut = [], 0, 0, False, -1

    def _too_big(self, joiner: str, line: str, bars: int) -> bool:
        return bool(self.parts) and (self.size + len(joiner) + len(line) > MAX_BLOCK or self.bars + bars > MAX_BARS)

    def feed(self, line: str, continued: bool, out: list[Block]) -> None:
        """One line, or, when ``continued``, the next piece of a line longer than MAX_BLOCK."""
        stripped = line.strip()
        if not continued:
            m = FENCE.match(line)
            if m and not self.fence:
                self.fence = m.group("fence")
            elif self.fence and stripped.startswith(self.fence[0] * len(self.fence)) and not stripped.strip(
                    self.fence[0]):
                self.fence = ""
        if not self.fence and not stripped and not continued:  # a blank line: a paragraph ends
            if not self.parts:
                return
            if self.plain or self.size >= MIN_BLOCK:
                self.close(out, self.plain)
                self.plain = False
                return
            self.parts += ("\n", line)
            self.size += 1 + len(line)
            self.blank = True
            return
        joiner = "" if continued or not self.parts else "\n"
        if self.blank:
            self.cut, self.blank = len(self.parts), False
        bars = line.count("|")
        deep = not continued and not self.fence and _DEEP.match(line) is not None
        if not self.plain and self.cut > 0 and (deep or self._too_big(joiner, line, bars)):
            # end the block before the paragraph in progress: only that paragraph goes plain
            rest = self.parts[self.cut + 1:]
            del self.parts[self.cut:]
            self.close(out, False)
            self.parts, self.size, self.bars = rest, sum(map(len, rest)), sum(p.count("|") for p in rest)
            joiner = "" if continued or not self.parts else "\n"
        if self._too_big(joiner, line, bars):
            self.plain = True
            self.close(out, True)
            joiner = ""
        self.plain = self.plain or deep
        if joiner:
            self.parts.append(joiner)
        self.parts.append(line)
        self.size += len(joiner) + len(line)
        self.bars += bars


class BlockSplitter:
    """``update(text)`` gives the blocks of ``text``; text that only grew since the last call costs the
    new part only. Blocks before ``final_count`` no longer change while the text grows."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._seen = ""  # text consumed: complete lines, and full pieces of a very long line
        self._state = _State()
        self._continued = False  # the text consumed ends inside a line
        self._final: list[Block] = []

    @property
    def final_count(self) -> int:
        return len(self._final)

    def update(self, text: str) -> list[Block]:
        if not text.startswith(self._seen):
            self._reset()
        pos = len(self._seen)
        start = pos
        while True:
            nl = text.find("\n", pos, pos + MAX_BLOCK + 1)
            if nl >= 0:
                self._state.feed(text[pos:nl], self._continued, self._final)
                pos, self._continued = nl + 1, False
            elif len(text) - pos > MAX_BLOCK:  # a line longer than a block: take a full piece of it
                self._state.feed(text[pos:pos + MAX_BLOCK], self._continued, self._final)
                pos, self._continued = pos + MAX_BLOCK, True
            else:
                break
        if pos != start:
            self._seen = text[:pos]
        tail: list[Block] = []
        state = self._state.copy()
        if pos < len(text) or not self._continued:
            state.feed(text[pos:], self._continued, tail)
        if state.parts or not (self._final or tail):
            state.close(tail, state.plain)
        return self._final + tail


def split_blocks(text: str) -> list[str]:
    """The blocks of a whole text (see BlockSplitter)."""
    return [block.text for block in BlockSplitter().update(text)]
