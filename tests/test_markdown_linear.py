"""Markdown rendering does work linear in the reply's length, whatever the reply (issue 5).

The work is counted, not timed: the Python lines executed while rendering, per character of input,
must stay under a fixed budget and grow linearly from 1 KB to 4 KB. Before the bounded rules a
reply of 4,000 "[" executed millions of lines (each "[" scanned to the end of the paragraph).
"""

from __future__ import annotations

import html
import random
import re
import sys

import pytest

from deepseek_desktop.core.markdown import blocks as markdown_blocks
from deepseek_desktop.core.markdown import render as markdown_html
from deepseek_desktop.core.markdown.blocks import MAX_BLOCK, BlockSplitter, needs_plain
from deepseek_desktop.core.markdown.render import MarkdownRenderer, Theme

LINES_PER_CHAR = 1000  # the worst shape below runs about 650


def _repeat(unit: str):
    return lambda n: (unit * (n // len(unit) + 1))[:n]


ADVERSARIAL = {
    "[": _repeat("["),
    "[[[ words": _repeat("[[[a "),
    "[ then ]": lambda n: "[" * (n // 2) + "]" * (n - n // 2),
    "[a](": _repeat("[a]("),
    "![a](": _repeat("![a]("),
    "[a]('x)": _repeat("[a]('x) "),
    "[x][": _repeat("[x]["),
    "`a": _repeat("`a "),
    "``a`": _repeat("``a`"),
    "***a*": _repeat("***a* "),
    "_a": _repeat("_a "),
    "<": _repeat("<"),
    ">": _repeat(">"),
    "1. markers": _repeat("1. "),
    "nested quotes": lambda n: "\n".join(">" * (i % 300 + 1) + " x" for i in range(n))[:n],
    "list lines": lambda n: "\n".join("  " * (i % 40) + "- x" for i in range(n))[:n],
    "|table": lambda n: ("|a|b|\n|-|-|\n" + "|x|y|\n" * n)[:n],
    "html-like": _repeat("<div class='x'>y</div> "),
}


class _Budget(Exception):
    pass


def lines_executed(fn, text: str, budget: int) -> int:
    """Python lines executed by fn(text); stops (raising _Budget) past ``budget``."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += 1
        if count > budget:
            raise _Budget
        return tracer

    sys.settrace(tracer)
    try:
        fn(text)
    finally:
        sys.settrace(None)
    return count


@pytest.fixture(scope="module")
def renderer():
    r = MarkdownRenderer(Theme())
    r.render("```python\nwarm = 'up'\n```\n\n[a](https://x.org)")  # imports and first-use caches
    return r


@pytest.mark.parametrize("shape", ADVERSARIAL)
def test_work_per_character_is_bounded_and_linear(renderer, shape):
    make = ADVERSARIAL[shape]
    small = lines_executed(renderer.render, make(1024), LINES_PER_CHAR * 1024)
    large = lines_executed(renderer.render, make(4096), LINES_PER_CHAR * 4096)
    assert large <= 5 * small + 20_000, f"4x the text cost {large / small:.1f}x the work"


def _text_of(out: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", out))


def _visible(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("shape", ["[", "[[[ words", "[a](", "<", "1. markers", "html-like"])
def test_adversarial_text_is_escaped_and_all_there(renderer, shape):
    text = ADVERSARIAL[shape](20_000) + "<script>alert(1)</script><img src=x onerror=alert(1)>"
    out = renderer.render(text).html
    assert "<script" not in out and "<img" not in out
    assert _visible(_text_of(out)) == _visible(text)


def test_a_paragraph_over_the_size_guard_is_shown_as_plain_pieces(renderer):
    text = "Intro **bold**\n\n" + "word [link](https://x.org) " * 1000  # one 27 KB paragraph
    blocks = BlockSplitter().update(text)
    assert blocks[0] == markdown_blocks.Block("Intro **bold**", False)
    assert len(blocks) > 5 and all(b.plain and len(b.text) <= MAX_BLOCK for b in blocks[1:])
    out = renderer.render(text).html
    assert "<strong>bold</strong>" in out, "the small paragraph is still Markdown"
    assert "white-space: pre-wrap" in out and "[link](https://x.org)" in out and 'href="https' not in out
    assert _visible(_text_of(out)) == _visible(text.replace("**", ""))


@pytest.mark.parametrize("text", [
    "1. " * 3000,  # Markdown's list parser recursed once per marker: RecursionError
    "> " * 3000 + "deep",
    "- " * 40 + "x",
])
def test_deep_nesting_takes_the_plain_path(renderer, text):
    assert needs_plain(text)
    out = renderer.render(text).html
    assert out.startswith('<p style="white-space: pre-wrap;">')
    assert _visible(_text_of(out)) == _visible(text)


def test_nesting_the_guard_does_not_see_still_renders_as_text(renderer):
    text = "\n".join(" " * (4 * i) + "- item" for i in range(400))  # indentation, not markers
    out = renderer.render(text).html
    assert _visible(_text_of(out)).count("item") == 400


NORMAL = [
    "# Title\n\nSome **bold**, *it*, ***both***, `code`, ``a ` tick``, and _under_ text.",
    "[DeepSeek](https://www.deepseek.com \"home\") and [wiki](https://en.wikipedia.org/wiki/A_(b)) and "
    "[spaced]( https://x.org/a ) and [angle](<https://x.org/a b>) and [esc](https://x.org/\\_y).",
    "A [reference][ref] and a [short] one.\n\n[ref]: https://example.org/r \"R\"\n[short]: https://example.org/s",
    "Nested [link [with] brackets](https://x.org) and [not a link] and ![img](https://x.org/i.png).",
    "- one\n- two\n    - nested\n- three\n\n1. first\n2. second\n\n3. loose",
    "| a | b |\n|---|:-:|\n| `x` | **y** |\n| 1 | [l](https://x.org) |",
    "> quote with *emphasis*\n> > nested quote\n\n---\n\nline  \nbreak",
    "```python\nif a < b:\n    print('[x](y)')\n```\n\nafter `a` b ```c``` d",
    "Escapes: \\[not\\](link) \\*no\\* \\`tick\\` and &amp; &copy; <https://auto.link> <me@x.org>",
    "Text with a \\\\` backslash tick` and ``` unmatched `` runs ` here.",
]


@pytest.mark.parametrize("text", NORMAL)
def test_normal_markdown_renders_exactly_as_the_stock_rules_do(monkeypatch, text):
    ours = MarkdownRenderer(Theme()).render(text).html
    monkeypatch.setattr("deepseek_desktop.core.markdown.bounded.install", lambda md: None)
    stock = MarkdownRenderer(Theme()).render(text).html
    assert ours == stock


def test_images_inside_runs_of_brackets_still_become_links(renderer):
    out = renderer.render("![" * 500 + "![a](https://x.org/a.png)").html
    assert 'href="https://x.org/a.png"' in out and "<img" not in out


def test_many_code_blocks_keep_their_numbers(renderer):
    text = "".join(f"Block {i}\n\n```\ncode {i}\n```\n\n" for i in range(300))
    r = renderer.render(text)
    assert r.code_blocks == [f"code {i}" for i in range(300)]
    assert 'href="copy-code:299"' in r.html and "\x00" not in r.html


# -- the block splitter ---------------------------------------------------------------------------

TOKENS = ["a", "word ", " ", "\n", "\n\n", "```", "~~~", "```py\n", "\n```\n", "x" * 40, "  \n", "- ", "> ", "|"]


@pytest.mark.parametrize("sizes", [(40, 10), (MAX_BLOCK, markdown_blocks.MIN_BLOCK)])
def test_splitter_streamed_equals_whole_and_keeps_every_character(monkeypatch, sizes):
    monkeypatch.setattr(markdown_blocks, "MAX_BLOCK", sizes[0])
    monkeypatch.setattr(markdown_blocks, "MIN_BLOCK", sizes[1])
    rng = random.Random(7)
    for _ in range(400):
        text = "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 150)))
        whole = BlockSplitter().update(text)
        streamed = BlockSplitter()
        final: list = []
        i = 0
        while i < len(text):
            i += rng.randint(1, 15)
            blocks = streamed.update(text[:i])
            assert blocks[:len(final)] == final, "a final block changed"
            final = blocks[:streamed.final_count]
        assert streamed.update(text) == whole
        assert all(len(b.text) <= sizes[0] for b in whole)
        assert _visible("".join(b.text for b in whole)) == _visible(text)


def test_splitter_keeps_fences_and_paragraphs_together():
    text = "para one\n\n```\ncode\n\nmore code\n```\n\npara two"
    assert markdown_html.split_blocks(text) == [text]  # under MIN_BLOCK: one block
    big = ("p" * 700 + "\n\n") * 4
    blocks = markdown_html.split_blocks(big)
    assert [len(b) for b in blocks] == [1402, 1402], "cut at blank lines once a block holds MIN_BLOCK"


def test_only_the_offending_paragraph_goes_plain(renderer):
    text = "Some **bold**.\n\n" + "1. " * 30 + "deep\n\nAfter *it*."
    blocks = BlockSplitter().update(text)
    assert [b.plain for b in blocks] == [False, True, False]
    out = renderer.render(text).html
    assert "<strong>bold</strong>" in out and "<em>it</em>" in out and "1. 1. 1. 1." in out


def test_a_failure_inside_markdown_shows_the_text_and_the_next_reply_renders(monkeypatch, caplog):
    """Whatever fails inside Python-Markdown (here an extension that raises, standing in for nesting the
    guard did not foresee): the reply is shown as text, the log names the failure, and the next reply
    gets a fresh parser (the failed one's state is left half-way)."""
    from markdown.treeprocessors import Treeprocessor

    class Broken(Treeprocessor):
        def run(self, root):
            raise RecursionError("maximum recursion depth exceeded")

    build = markdown_html._build_markdown
    built = []

    def first_one_broken():
        md, styles = build()
        if not built:
            md.treeprocessors.register(Broken(md), "broken", 100)
        built.append(md)
        return md, styles

    monkeypatch.setattr(markdown_html, "_build_markdown", first_one_broken)
    r = MarkdownRenderer(Theme())
    text = "1. first\n2. **second** <b>bold?</b>\n\nend"
    out = r.render(text).html
    assert "<strong>" not in out and "<b>" not in out
    assert _visible(_text_of(out)) == _visible(text) and "RecursionError" in caplog.text
    assert r.render("**fine** and [a](https://x.org)").html == (
        '<p><strong>fine</strong> and <a href="https://x.org" style="color:#0b63c5;">a</a></p>')
    assert len(built) == 2, "the broken parser was not used again"
