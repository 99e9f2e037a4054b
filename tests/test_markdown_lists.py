"""Lists in replies keep the nesting their model gave them: two-, three- and four-space nesting, tabs,
numbered lists inside bulleted ones, lists straight under a line of text, code inside an item. Each reply in
``data/replies`` (written the way DeepSeek-R1, Qwen2.5-Coder, Gemma 3 and Llama 3 format their answers) is
rendered by the chat's renderer and by markdown-it-py, CommonMark's reading, and the lists must agree: the
same kinds, the same items, nested the same way."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from deepseek_desktop.core.markdown.lists import normalize_lists
from deepseek_desktop.core.markdown.render import MarkdownRenderer

REPLIES = sorted((Path(__file__).parent / "data" / "replies").glob("*.md"))


class _Lists(HTMLParser):
    """The lists of an HTML text as a tree: [(kind, [(item text, [sub-lists])])]; code and tables left out."""

    def __init__(self) -> None:
        super().__init__()
        self.root: list = []
        self._lists = [self.root]  # where the next list goes
        self._items: list[list] = []  # the open items: [text parts, sub-lists]
        self._skip = 0  # inside code or a table

    def handle_starttag(self, tag, attrs):
        if tag in ("pre", "table"):
            self._skip += 1
        elif self._skip:
            return
        elif tag in ("ul", "ol"):
            kind: tuple = (tag, [])
            self._lists[-1].append(kind)
            self._lists.append(kind[1])
        elif tag == "li":
            item = [[], []]
            self._lists[-1].append(item)
            self._items.append(item)
            self._lists.append(item[1])

    def handle_endtag(self, tag):
        if tag in ("pre", "table"):
            self._skip -= 1
        elif self._skip:
            return
        elif tag in ("ul", "ol", "li"):
            self._lists.pop()
            if tag == "li":
                self._items.pop()

    def handle_data(self, data):
        if self._items and not self._skip:
            self._items[-1][0].append(data)


def list_tree(html: str) -> list:
    parser = _Lists()
    parser.feed(html)

    def tidy(node):
        if isinstance(node, tuple):
            return node[0], [tidy(x) for x in node[1]]
        return re.sub(r"\s+", " ", "".join(node[0])).strip(), [tidy(x) for x in node[1]]

    return [tidy(x) for x in parser.root]


def depth(tree: list) -> int:
    return max((1 + max([depth(sub) for _text, sub in items] or [0]) for _kind, items in tree), default=0)


@pytest.mark.parametrize("reply", REPLIES, ids=lambda p: p.stem)
def test_lists_nest_as_commonmark_reads_them(reply):
    text = reply.read_text(encoding="utf-8")
    ours = list_tree(MarkdownRenderer().render(text).html)
    commonmark = list_tree(MarkdownIt("commonmark").render(text))
    assert ours == commonmark
    assert depth(ours) >= 2, "each of these replies nests a list"


def test_two_space_nesting_and_numbers_inside_bullets():
    html = MarkdownRenderer().render("- Prepare:\n  1. download\n  2. check\n- Run:\n  - start\n    - ask\n").html
    assert list_tree(html) == [("ul", [("Prepare:", [("ol", [("download", []), ("check", [])])]),
                                       ("Run:", [("ul", [("start", [("ul", [("ask", [])])])])])])]


def test_code_inside_an_item_stays_in_it_without_the_items_indentation():
    rendered = MarkdownRenderer().render("1. Install:\n   ```bash\n   pip install x\n     -U\n   ```\n2. Run\n")
    assert rendered.code_blocks == ["pip install x\n  -U"]
    assert list_tree(rendered.html) == [("ol", [("Install:", []), ("Run", [])])]
    assert rendered.html.index("<table") < rendered.html.index("Run")


def test_text_that_is_no_list_is_left_alone():
    for text in ("Just a sentence.", "---\n\n* * *", "    - an indented code block", "2024. A good year.",
                 "```\n- not a list\n  - in code\n```"):
        assert normalize_lists(text) == text


def test_nesting_deeper_than_the_limit_is_kept_at_the_limit():
    text = "\n".join("  " * i + "- level" for i in range(40))
    out = normalize_lists(text)
    assert max(len(line) - len(line.lstrip()) for line in out.split("\n")) == 4 * 16
    assert "<li>" in MarkdownRenderer().render(text).html
