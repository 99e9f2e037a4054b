"""Model output is untrusted: rendered as Markdown, never as HTML, nothing fetched."""

from __future__ import annotations

import pytest

from deepseek_desktop.core.markdown.render import MarkdownRenderer, Theme, split_code


@pytest.fixture
def render():
    return MarkdownRenderer(Theme(), copy_label="Copy").render


@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>",
    "<img src='http://evil.example/x.png' onerror='alert(1)'>",
    "<iframe src='https://evil.example'></iframe>",
    "<b onclick='x()'>bold</b>",
    "<style>body{display:none}</style>",
])
def test_raw_html_is_escaped(render, raw):
    out = render(f"before {raw} after").html
    assert "<script" not in out and "<img" not in out and "<iframe" not in out and "<style" not in out
    assert "onclick=" not in out.replace("&lt;", "<").split("<p>")[0]  # no live attribute
    assert "&lt;" in out


def test_images_become_links_and_nothing_is_loaded(render):
    out = render("![diagram](https://example.org/d.png)").html
    assert "<img" not in out
    assert 'href="https://example.org/d.png"' in out and ">diagram</a>" in out


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "vbscript:x"])
def test_unsafe_links_lose_their_target(render, href):
    out = render(f"[click]({href})").html
    assert "href" not in out and "click" in out


def test_safe_links_keep_theirs(render):
    out = render("[DeepSeek](https://www.deepseek.com) and <https://example.org>").html
    assert 'href="https://www.deepseek.com"' in out and 'href="https://example.org"' in out


def test_code_blocks_are_highlighted_with_a_copy_link(render):
    text = "Intro\n\n```python\nif a < b:\n    print('<b>')\n```\n\nOutro"
    r = render(text)
    assert r.code_blocks == ["if a < b:\n    print('<b>')"]
    assert 'href="copy-code:0"' in r.html and ">Copy</a>" in r.html
    assert "<span style=" in r.html, "pygments colours the code"
    assert "&lt;b&gt;" in r.html and "<b>" not in r.html.split("<pre")[1]


def test_unclosed_fence_while_streaming_is_code_to_the_end(render):
    r = render("Text\n```js\nconst a = 1;\nconst b")
    assert r.code_blocks == ["const a = 1;\nconst b"]


def test_several_blocks_and_tildes():
    prose, blocks = split_code("a\n```\none\n```\nb\n~~~~bash\ntwo\n~~~~\nc")
    assert blocks == [("", "one"), ("bash", "two")]
    assert prose.count("\x00CODEBLOCK") == 2


def test_tables_lists_and_emphasis(render):
    out = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\n**bold** *it* `code`").html
    assert "<table" in out and "<li>one</li>" in out and "<strong>bold</strong>" in out and "<code" in out


def test_dark_theme_uses_dark_colours():
    light = MarkdownRenderer(Theme(dark=False)).render("```py\nx = 1\n```").html
    dark = MarkdownRenderer(Theme(dark=True)).render("```py\nx = 1\n```").html
    assert light != dark and Theme(dark=True).code_background in dark
