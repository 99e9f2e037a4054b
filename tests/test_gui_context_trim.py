"""When the window's conversation is longer than the model's context, the engine leaves out the oldest
messages; the reply says so under it, in the language of the moment."""

from __future__ import annotations

from deepseek_desktop.core.markdown.render import Theme
from deepseek_desktop.ui.chat.message import ChatItem, MessageWidget

ENGLISH = "The 3 oldest messages did not fit the model's context and were left out of this reply."
GERMAN = "Die 3 ältesten Nachrichten passten nicht in den Kontext des Modells"


def test_the_reply_tells_which_messages_were_left_out(make_gui, qtbot):
    gui = make_gui(start=False)
    stats = {"completion_tokens": 12, "prompt_tokens": 3900, "messages_dropped": 3}
    widget = MessageWidget(ChatItem(id=None, role="assistant", state="complete", content="Hi", stats=stats), Theme())
    qtbot.addWidget(widget)
    assert ENGLISH.replace("'", "&#x27;") in widget.footer.text()
    gui.settings.set("general.language", "de")
    try:
        gui.wait(lambda: GERMAN in widget.footer.text(), 5)
    finally:
        gui.settings.set("general.language", "en")
    plain = MessageWidget(ChatItem(id=None, role="assistant", state="complete", content="Hi",
                                   stats={"completion_tokens": 12}), Theme())
    qtbot.addWidget(plain)
    assert "left out" not in plain.footer.text()
