"""A reply whose conversation was resumed (its earlier part kept, not read again) says how much was read."""

from __future__ import annotations

from deepseek_desktop.core.markdown.render import Theme
from deepseek_desktop.ui.chat.message import ChatItem, MessageWidget


def footer(qtbot, **stats) -> str:
    widget = MessageWidget(ChatItem(id=None, role="assistant", state="complete", content="Hi",
                                    stats={"completion_tokens": 12, "prompt_tokens": 3606, **stats}), Theme())
    qtbot.addWidget(widget)
    return widget.footer.text()


def test_the_footer_says_how_many_prompt_tokens_were_read_for_this_reply(make_gui, qtbot):
    gui = make_gui(start=False)
    assert "19 newly read" in footer(qtbot, prompt_tokens_evaluated=19)
    assert "newly read" not in footer(qtbot, prompt_tokens_evaluated=3606)  # all of it: nothing to add
    assert "newly read" not in footer(qtbot)  # engines that do not count it
    gui.settings.set("general.language", "de")
    try:
        gui.wait(lambda: "davon 19 neu gelesen" in footer(qtbot, prompt_tokens_evaluated=19), 5)
    finally:
        gui.settings.set("general.language", "en")
