"""Python-Markdown's link and code-span rules with a bound on how far one attempt looks ahead.

The stock rules scan from every ``[``, ``](`` and backtick to the end of the paragraph (a Python loop
per character) when nothing closes them, so a reply of a few thousand ``[`` took seconds to render. Here
each attempt looks at a bounded number of brackets, backtick runs or characters, so the work per
character of input is bounded. Real links and code spans are far inside these bounds; past them the
text stays text. The rules are registered under the stock names, in the stock order.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import util
from markdown.inlinepatterns import (
    LINK_RE,
    REFERENCE_RE,
    InlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)

MAX_LINK_BRACKETS = 16  # brackets looked at to close one link text (its nesting included)
MAX_LINK_TEXT = 2048  # characters of one link text
MAX_LINK_TARGET = 512  # characters of "(url "title")" looked at after a link text
MAX_REFERENCE_ID = 256  # characters of a "[text][id]" id
MAX_TICK_RUNS = 64  # backtick runs looked at to close one code span

_BRACKET = re.compile(r"[\[\]]")
_PLAIN_TARGET = re.compile(r"\(\s*([^\s()'\"<>]*)\s*\)")  # "(url)": no title, quotes or nested brackets
_TICKS = re.compile(r"`+")


class _BoundedLinkParts:
    """getText and getLink of LinkInlineProcessor, each attempt bounded."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:  # noqa: N802 - Markdown's name
        end = index + MAX_LINK_TEXT
        if data.find("]", index, end) < 0:  # cannot close: skip the loop
            return "", index, False
        depth = 1
        for seen, m in enumerate(_BRACKET.finditer(data, index, end)):
            if seen >= MAX_LINK_BRACKETS:
                break
            depth += 1 if data[m.start()] == "[" else -1
            if depth == 0:
                return data[index:m.start()], m.end(), True
        return "", index, False

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:  # noqa: N802
        simple = _PLAIN_TARGET.match(data, index)
        if simple:  # what the per-character loop below finds for it, without the loop
            return self.unescape(simple.group(1)).strip(), None, simple.end(), True  # type: ignore[attr-defined]
        end = index + MAX_LINK_TARGET
        if data.find(")", index, end) < 0:  # cannot close: skip the loop
            return "", None, index, False
        return super().getLink(data[:end] if len(data) > end else data, index)  # type: ignore[misc]


class BoundedLinkProcessor(_BoundedLinkParts, LinkInlineProcessor):
    pass


class BoundedReferenceProcessor(_BoundedLinkParts, ReferenceInlineProcessor):
    RE_LINK = re.compile(r"\s?\[([^\]]{0," + str(MAX_REFERENCE_ID) + r"})\]", re.DOTALL | re.UNICODE)


class BoundedShortReferenceProcessor(_BoundedLinkParts, ShortReferenceInlineProcessor):
    pass


class BoundedBacktickProcessor(InlineProcessor):
    """Code spans as Python-Markdown 3.11 pairs them (a run of N backticks closes at the next run of
    exactly N; failing that, at the longest shorter run), looking at a bounded number of runs."""

    def __init__(self, pattern: str) -> None:
        super().__init__(pattern)
        self.ESCAPED_BSLASH = f"{util.STX}{ord(chr(92))}{util.ETX}"
        self.tag = "code"

    def find_code_span(self, start: int, text: str) -> tuple[int, int | None]:
        opening = _TICKS.match(text, start)
        ticks = len(opening.group()) if opening else 0
        start += ticks
        longest, end = 0, 0
        for seen, m in enumerate(_TICKS.finditer(text, start)):
            if seen >= MAX_TICK_RUNS:
                break
            run = len(m.group())
            if run == ticks:
                return start, m.start()
            if run > longest:
                longest, end = run, m.end()
        if 0 < longest < ticks:
            return start - (ticks - longest), end - longest
        return start + ticks, None  # as 3.11 does: the search goes on this far past the opening run

    def handleMatch(self, m: re.Match[str], data: str):  # noqa: N802 - Markdown's name
        if m.group(1):
            return m.group(1).replace("\\\\", self.ESCAPED_BSLASH), m.start(0), m.end(0)
        begin = m.start(0)
        start, end = self.find_code_span(begin, data)
        if end is not None:
            el = etree.Element(self.tag)
            el.text = util.AtomicString(util.code_escape(data[start:end].strip()))
            return el, begin, end + (start - begin)
        return None, begin, start  # skip the whole opening run: no closer near enough


def install(md) -> None:
    """Replace the stock rules of ``md`` (a markdown.Markdown) by the bounded ones."""
    for name, priority, processor in (  # Markdown's own names and priorities
        ("backtick", 190, BoundedBacktickProcessor(_BACKTICK_RE)),
        ("reference", 170, BoundedReferenceProcessor(REFERENCE_RE, md)),
        ("link", 160, BoundedLinkProcessor(LINK_RE, md)),
        ("short_reference", 130, BoundedShortReferenceProcessor(REFERENCE_RE, md)),
    ):
        md.inlinePatterns.register(processor, name, priority)


# Finds the opening run only (older Markdown releases matched the whole span in one regular expression,
# which scans to the end of the paragraph from every backtick).
_BACKTICK_RE = r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)"
