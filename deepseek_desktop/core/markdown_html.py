"""Model output as HTML for Qt's rich-text views: Markdown, highlighted code, nothing trusted.

- Raw HTML in the model's text is shown as text (Markdown's HTML rules are removed), never rendered.
- Images are not loaded: ``![alt](url)`` becomes a link the user can choose to click.
- Links keep only http, https and mailto; anything else becomes plain text.
- Fenced code is cut out first, highlighted with Pygments (inline styles: Qt ignores style sheets
  classes), and gets a "copy" link ``copy-code:N``; an unclosed fence (a reply still streaming)
  is code up to the end.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree.ElementTree import Element

_FENCE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)[^\n]*$", re.M)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_PLACEHOLDER = "\x00CODEBLOCK{}\x00"
_IMAGE = re.compile(r"!\[([^\]]*)\]\(")


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


@dataclass
class Rendered:
    html: str
    code_blocks: list[str] = field(default_factory=list)


def split_blocks(text: str) -> list[str]:
    """Cut Markdown at blank lines outside code fences. While a reply streams, every block but the last
    is final, so only the last one needs rendering again as text arrives."""
    blocks: list[str] = []
    current: list[str] = []
    fence = ""
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if m and not fence:
            fence = m.group("fence")
        elif fence and line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            fence = ""
        if not fence and not line.strip() and current:
            blocks.append("\n".join(current))
            current = []
            continue
        if current or line.strip() or fence:
            current.append(line)
    if current or not blocks:
        blocks.append("\n".join(current))
    return blocks


def split_code(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Replace fenced code blocks with placeholders; return the text and the (language, code) pairs."""
    blocks: list[tuple[str, str]] = []
    out: list[str] = []
    pos = 0
    while True:
        m = _FENCE.search(text, pos)
        if not m:
            out.append(text[pos:])
            break
        out.append(text[pos:m.start()])
        fence = m.group("fence")
        closer = re.compile(r"^[ \t]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        body_start = m.end() + 1
        c = closer.search(text, body_start)
        code = text[body_start:c.start()] if c else text[body_start:]
        blocks.append((m.group("lang"), code.rstrip("\n")))
        out.append("\n\n" + _PLACEHOLDER.format(len(blocks) - 1) + "\n\n")
        if not c:
            break
        pos = c.end()
    return "".join(out), blocks


@lru_cache(maxsize=4)
def _formatter(style: str):
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style, noclasses=True, nowrap=True)


def highlight_code(code: str, lang: str, theme: Theme) -> str:
    from pygments import highlight
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    return highlight(code, lexer, _formatter(theme.code_style)).rstrip("\n")


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
        prose, blocks = split_code(text)
        prose = _IMAGE.sub(r"[\1](", prose)  # an image becomes a link: nothing loads unless clicked
        self._md.reset()
        body = self._md.convert(prose)
        for i, (lang, code) in enumerate(blocks):
            block_html = _code_block_html(first_code_index + i, lang, code, self.theme, self.copy_label)
            marker = _PLACEHOLDER.format(i)
            if f"<p>{marker}</p>" in body:
                body = body.replace(f"<p>{marker}</p>", block_html)
            else:
                body = body.replace(marker, block_html)
        return Rendered(body, [code for _, code in blocks])
