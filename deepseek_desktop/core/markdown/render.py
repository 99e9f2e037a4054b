"""Model output as HTML for Qt's rich-text views: Markdown, highlighted code, nothing trusted.

- Raw HTML in the model's text is shown as text (Markdown's HTML rules are removed), never rendered.
- Images are not loaded: ``![alt](url)`` becomes a link the user can choose to click.
- Links keep only http, https and mailto; anything else becomes plain text.
- Fenced code is cut out first, highlighted with Pygments (inline styles: Qt ignores style sheets
  classes), and gets a "copy" link ``copy-code:N``; an unclosed fence (a reply still streaming)
  is code up to the end.
- The time is linear in the text's length whatever the text: link and code-span rules look a bounded
  distance ahead (bounded.py), and a block too long or too deeply nested for Markdown is shown
  as escaped plain text (blocks.py).
"""

from __future__ import annotations

import html
import logging
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree.ElementTree import Element

from .blocks import FENCE as _FENCE
from .blocks import BlockSplitter, needs_plain, plain_html, split_blocks
from .lists import normalize_lists

log = logging.getLogger(__name__)

__all__ = ["MarkdownRenderer", "Rendered", "Theme", "highlight_code", "split_blocks", "split_code"]

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_PLACEHOLDER = "\x00CODEBLOCK{}\x00"
_PLAIN = "\x00PLAIN{}\x00"
_SET_ASIDE = re.compile(r"<p>\x00(CODEBLOCK|PLAIN)(\d+)\x00</p>|\x00(CODEBLOCK|PLAIN)(\d+)\x00")
# An image's alt text stops at the next bracket: "[^\]]*" scanned to the end of the text from every "![".
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\(")


@dataclass(frozen=True)
class Theme:
    dark: bool = False

    @property
    def code_style(self) -> str:
        return "github-dark" if self.dark else "friendly"

    @property
    def code_background(self) -> str:
        return "#1e2329" if self.dark else "#f4f6f8"

    @property
    def code_border(self) -> str:
        return "#3a424d" if self.dark else "#d5dbe1"

    @property
    def muted(self) -> str:
        return "#9aa4ae" if self.dark else "#5d6b78"

    @property
    def link(self) -> str:
        return "#6cb6ff" if self.dark else "#0b63c5"

    @property
    def error(self) -> str:
        return "#ff7b72" if self.dark else "#c0392b"


@dataclass
class Rendered:
    html: str
    code_blocks: list[str] = field(default_factory=list)


def split_code(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Replace fenced code blocks with placeholders; return the text and the (language, code) pairs.

    A fence inside a list item is indented with the item: its code loses that indentation (as CommonMark
    has it) and its placeholder keeps it, so that the block stays inside the item."""
    blocks: list[tuple[str, str]] = []
    out: list[str] = []
    pos = 0
    while True:
        m = _FENCE.search(text, pos)
        if not m:
            out.append(text[pos:])
            break
        out.append(text[pos:m.start()])
        fence, indent = m.group("fence"), m.group("indent")
        closer = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        body_start = m.end() + 1
        c = closer.search(text, body_start)
        code = text[body_start:c.start()] if c else text[body_start:]
        if indent:
            code = "\n".join(_dedent(line, len(indent)) for line in code.split("\n"))
        blocks.append((m.group("lang"), code.rstrip("\n")))
        out.append("\n\n" + indent + _PLACEHOLDER.format(len(blocks) - 1) + "\n\n")
        if not c:
            break
        pos = c.end()
    return "".join(out), blocks


def _dedent(line: str, columns: int) -> str:
    """``line`` without up to ``columns`` leading spaces."""
    stripped = line.lstrip(" ")
    return line[min(columns, len(line) - len(stripped)):]


# Pygments finds lexers and formatters by importing modules on first use, which is not thread-safe
# (one thread can see a module another is still importing); blocks render on two threads.
_PYGMENTS_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _formatter(style: str, _thread: int):  # one per thread: a formatter keeps caches while it formats
    with _PYGMENTS_LOCK:
        from pygments.formatters.html import HtmlFormatter

        return HtmlFormatter(style=style, noclasses=True, nowrap=True)


def _lexer(lang: str):
    with _PYGMENTS_LOCK:
        from pygments.lexers import get_lexer_by_name
        from pygments.lexers.special import TextLexer
        from pygments.util import ClassNotFound

        try:
            return get_lexer_by_name(lang) if lang else TextLexer()
        except ClassNotFound:
            return TextLexer()


def highlight_code(code: str, lang: str, theme: Theme) -> str:
    from pygments import highlight

    return highlight(code, _lexer(lang), _formatter(theme.code_style, threading.get_ident())).rstrip("\n")


def _code_block_html(index: int, lang: str, code: str, theme: Theme, copy_label: str) -> str:
    body = highlight_code(code, lang, theme)
    head = html.escape(lang) if lang else "&nbsp;"
    # One bordered cell around a borderless header table: QTextDocument draws every cell's border.
    return (
        f'<table width="100%" border="1" cellspacing="0" cellpadding="6" '
        f'style="border-collapse: collapse; border-color: {theme.code_border}; '
        f'background-color: {theme.code_background}; margin-top: 4px; margin-bottom: 4px;"><tr><td>'
        f'<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
        f'<td style="color:{theme.muted}; font-size: small;">{head}</td>'
        f'<td align="right" style="font-size: small;"><a href="copy-code:{index}" '
        f'style="color:{theme.link}; text-decoration: none;">{html.escape(copy_label)}</a></td></tr></table>'
        f'<pre style="margin-top: 6px; margin-bottom: 0; white-space: pre-wrap;">{body}</pre>'
        f'</td></tr></table>'
    )


def _build_markdown():
    import markdown
    from markdown.treeprocessors import Treeprocessor

    from . import bounded

    class SafeLinksAndStyles(Treeprocessor):
        """Drop unsafe links; give tables and inline code the look Qt cannot take from a style sheet."""

        theme = Theme()

        def run(self, root: Element) -> None:
            t = self.theme
            for el in root.iter():
                if el.tag == "a":
                    if (el.get("href") or "").lower().startswith(_SAFE_SCHEMES):
                        el.set("style", f"color:{t.link};")
                    else:
                        el.tag = "span"
                        el.attrib.clear()
                elif el.tag == "table":
                    el.attrib.update({"border": "1", "cellspacing": "0", "cellpadding": "4",
                                      "style": f"border-collapse: collapse; border-color: {t.code_border};"})
                elif el.tag == "code":
                    el.set("style", f"background-color:{t.code_background};")

    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    bounded.install(md)
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")  # raw HTML stays text: it is escaped like any other text
    for name in ("image_link", "image_reference", "short_image_ref"):
        md.inlinePatterns.deregister(name)
    styles = SafeLinksAndStyles(md)
    md.treeprocessors.register(styles, "safe_links", 0)
    return md, styles


class MarkdownRenderer:
    """Renders one message at a time. Not thread-safe (Python-Markdown keeps state per instance)."""

    def __init__(self, theme: Theme | None = None, copy_label: str = "Copy") -> None:
        self.theme = theme or Theme()
        self.copy_label = copy_label
        self._md = None
        self._styles = None

    def render(self, text: str, first_code_index: int = 0) -> Rendered:
        """``first_code_index`` numbers the copy links when a message is rendered block by block."""
        if self._md is None:
            self._md, self._styles = _build_markdown()
        self._styles.theme = self.theme
        prose, blocks = split_code(normalize_lists(text))
        prose, plain = _set_aside_plain(prose)
        prose = _IMAGE.sub(r"[\1](", prose)  # an image becomes a link: nothing loads unless clicked
        self._md.reset()
        try:
            body = self._md.convert(prose)
        except Exception as exc:  # nesting the guard did not foresee: the text is still shown, as text
            log.warning("Markdown failed on a %d-character text (%s); shown as plain text",
                        len(prose), type(exc).__name__)
            body = plain_html(prose)
            self._md = None  # Markdown's parser state is left half-way: the next text gets a fresh one

        def put_back(m: re.Match[str]) -> str:  # one pass: a replace per block was quadratic in their number
            kind, index = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            i = int(index)
            if kind == "PLAIN":
                return plain_html(plain[i]) if i < len(plain) else ""
            if i >= len(blocks):
                return ""
            lang, code = blocks[i]
            return _code_block_html(first_code_index + i, lang, code, self.theme, self.copy_label)

        body = _SET_ASIDE.sub(put_back, body)
        return Rendered(body, [code for _, code in blocks])


def _set_aside_plain(prose: str) -> tuple[str, list[str]]:
    """Replace the blocks that are too long or too deep for Markdown by placeholders."""
    blocks = BlockSplitter().update(prose)
    if not any(b.plain or needs_plain(b.text) for b in blocks):
        return prose, []
    plain: list[str] = []
    out = []
    for b in blocks:
        if b.plain or needs_plain(b.text):
            out.append(_PLAIN.format(len(plain)))
            plain.append(b.text)
        else:
            out.append(b.text)
    return "\n\n".join(out), plain
