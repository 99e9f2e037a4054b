"""An adversarial reply streams into the real window without holding the GUI thread (issue 5)."""

from __future__ import annotations

import re
import threading

from PySide6.QtCore import QTimer

from deepseek_desktop.core.conversations.reply_recorder import ReplyText
from deepseek_desktop.core.conversations.types import MessageState
from deepseek_desktop.core.events import ReasoningDelta, TextDelta
from deepseek_desktop.core.markdown.blocks import MAX_BLOCK
from deepseek_desktop.core.markdown.render import MarkdownRenderer
from deepseek_desktop.ui.chat.message import ChatItem
from deepseek_desktop.ui.chat.reply_blocks import SYNC_CHARS
from deepseek_desktop.ui.chat.rich_text import RichTextView

REPLY = (
    "[" * 12_000 + "\n\n" + "[a](" * 2_500 + "\n\n" + "<script>alert(1)</script> " * 40 + "\n\n"
    + "1. " * 2_000 + "\n\n" + ("x" * 60 + "\n") * 60 + "\nDone."
)


def _visible(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_adversarial_reply_streams_with_the_loop_free_and_all_text_shown(make_gui, monkeypatch):
    gui = make_gui(start=False)
    view = gui.window.chat_view
    gui_thread = threading.get_ident()
    rendered_here: list[int] = []  # Markdown rendered on the GUI thread, characters per call
    plain_set: list[int] = []  # plain text handed to one view in one call

    render = MarkdownRenderer.render

    def watch_render(self, text, first_code_index=0):
        if threading.get_ident() == gui_thread:
            rendered_here.append(len(text))
        return render(self, text, first_code_index)

    set_plain = RichTextView.setPlainText

    def watch_plain(self, text):
        plain_set.append(len(text))
        return set_plain(self, text)

    monkeypatch.setattr(MarkdownRenderer, "render", watch_render)
    monkeypatch.setattr(RichTextView, "setPlainText", watch_plain)

    view.append_item(ChatItem(id=None, role="user", content="Break the renderer"))
    live = ReplyText()
    reply = view.append_item(ChatItem(id=None, role="assistant", state=MessageState.STREAMING, live=live))
    chunks = [REPLY[i:i + 64] for i in range(0, len(REPLY), 64)]
    pieces = len(chunks)
    ticks = [0]
    fed_at_tick = [-1]

    def probe() -> None:
        ticks[0] += 1

    def feed() -> None:
        # The next piece only after the probe timer ran since the last one: the stream can only
        # get through if the event loop keeps getting control between updates.
        if chunks and ticks[0] > fed_at_tick[0]:
            live.add(TextDelta(chunks.pop(0)))
            view.mark_dirty()
            fed_at_tick[0] = ticks[0]

    probe_timer, feeder = QTimer(), QTimer()
    probe_timer.setInterval(1)
    feeder.setInterval(2)
    probe_timer.timeout.connect(probe)
    feeder.timeout.connect(feed)
    probe_timer.start()
    feeder.start()
    try:
        gui.wait(lambda: not chunks, timeout=120)
    finally:
        feeder.stop()
        probe_timer.stop()
    reply.finish(MessageState.COMPLETE)
    gui.wait(lambda: not reply.formatting_pending, timeout=60)

    assert ticks[0] >= pieces - 1, "the probe timer fired between the pieces of the reply"
    assert rendered_here and max(rendered_here) <= SYNC_CHARS, "longer blocks render off the GUI thread"
    assert max(plain_set) <= MAX_BLOCK, "no view is handed more than one block of text"
    shown = reply.shown_text()
    assert _visible(shown) == _visible(REPLY), "every character of the reply is on screen"
    assert "<script>alert(1)</script>" in shown, "markup is shown as text"


def test_a_long_finished_message_fills_in_over_several_turns(make_gui):
    gui = make_gui(start=False)
    view = gui.window.chat_view
    text = "".join(f"Paragraph {i} with **bold** and `code`.\n\n" for i in range(3000)) + "[" * 9000
    view.show_items([ChatItem(id=1, role="user", content="Q"), ChatItem(id=2, role="assistant", content=text)],
                    has_earlier=False)
    reply = view.widgets[-1]
    gui.wait(lambda: not reply.dirty and not reply.formatting_pending, timeout=60)
    shown = reply.shown_text()
    assert _visible(shown) == _visible(text.replace("**", "").replace("`", ""))
    assert "Paragraph 2999 with bold and code." in shown


def test_reasoning_on_one_endless_line_is_laid_out_in_bounded_paragraphs(make_gui):
    gui = make_gui(start=False)
    view = gui.window.chat_view
    live = ReplyText()
    reply = view.append_item(ChatItem(id=None, role="assistant", state=MessageState.STREAMING, live=live))
    reasoning = "[thinking " * 4_000  # 40 KB without a line break
    for i in range(0, len(reasoning), 500):
        live.add(ReasoningDelta(reasoning[i:i + 500]))
        view.flush_now()
    doc = reply.thinking.body.document()
    lengths = [doc.findBlockByNumber(n).length() - 1 for n in range(doc.blockCount())]
    assert max(lengths) <= MAX_BLOCK, "each append lays out at most one bounded paragraph again"
    assert "".join(reply.thinking.body.toPlainText().split("\n")) == reasoning


def test_a_wrapped_line_of_code_keeps_its_indentation(qtbot):
    view = RichTextView()
    qtbot.addWidget(view)
    view.resize(380, 300)
    code = "def f():\n    return some_function(argument_one, argument_two, argument_three, argument_four)\n"
    view.show_html(MarkdownRenderer().render(f"```python\n{code}```\n").html)
    view.show()
    qtbot.waitExposed(view)
    block = next(b for b in _blocks(view.document()) if b.text().startswith("    return"))
    layout = block.layout()
    assert layout.lineCount() >= 2, "the line is long enough to wrap here"
    first_char_x = layout.lineAt(0).cursorToX(4)[0]
    assert abs(layout.lineAt(1).x() - first_char_x) < 1, "the continuation starts under 'return', not at the edge"
    assert block.text().startswith("    return"), "the text (what Copy and selection give) is unchanged"


def _blocks(document):
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()
