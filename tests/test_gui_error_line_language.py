"""The error line under a reply is kept as a message id and its params, so a live language switch
translates it again; in the dark theme it is a red that can be read (4.5:1)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from deepseek_desktop.core.conversations.reply_recorder import ReplyText
from deepseek_desktop.core.conversations.store import ConversationStore
from deepseek_desktop.core.events import TextDelta
from deepseek_desktop.core.markdown.render import Theme
from deepseek_desktop.ui.chat.message import ChatItem, MessageWidget
from deepseek_desktop.ui.chat.session import item_from_message
from deepseek_desktop.ui.chat.view import ChatView

ENGLISH = "The engine stopped unexpectedly."
GERMAN = "Die Engine wurde unerwartet beendet."


def switch_language(gui, language: str) -> None:
    gui.settings.set("general.language", language)
    ready = "Senden" if language == "de" else "Send"
    gui.wait(lambda: gui.window.composer.button.text() == ready, 5)


def test_the_error_line_follows_a_live_language_switch(make_gui, qtbot):
    gui = make_gui(start=False)
    live = ReplyText()
    widget = MessageWidget(ChatItem(id=None, role="assistant", state="streaming", live=live), Theme())
    qtbot.addWidget(widget)
    live.add(TextDelta("Half an answer"))
    widget.finish("error", error_id="model.not_found", error_params={"path": "/models/a.gguf"})
    assert "Model file not found: /models/a.gguf" in widget.footer.text()
    assert widget.item.content == "Half an answer" and widget.item.live is None
    switch_language(gui, "de")
    try:
        gui.wait(lambda: "Modelldatei nicht gefunden: /models/a.gguf" in widget.footer.text(), 5)
        assert "Fehlgeschlagen" in widget.footer.text()
    finally:
        switch_language(gui, "en")
    gui.wait(lambda: "Model file not found: /models/a.gguf" in widget.footer.text(), 5)


def test_a_stored_error_is_shown_in_the_language_of_the_moment(make_gui, qtbot, tmp_path):
    gui = make_gui(start=False)
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    try:
        conv = store.create_conversation("Q")
        store.add_message(conv.id, "user", "Q")
        message = store.add_message(conv.id, "assistant", "", state="error", error_id="engine.crashed")
    finally:
        store.close()
    widget = MessageWidget(item_from_message(message), Theme())
    qtbot.addWidget(widget)
    assert ENGLISH in widget.footer.text()
    switch_language(gui, "de")
    try:
        gui.wait(lambda: GERMAN in widget.footer.text(), 5)
    finally:
        switch_language(gui, "en")


def test_the_error_red_suits_the_theme(qtbot):
    for dark, red in ((False, "#c0392b"), (True, "#ff7b72")):
        widget = MessageWidget(ChatItem(id=None, role="assistant", state="error", error="Plain line"), Theme(dark))
        qtbot.addWidget(widget)
        assert f"color:{red}" in widget.footer.text()
        assert QColor(Theme(dark).error) == QColor(red)


def test_the_error_line_changes_colour_with_the_theme(qtbot):
    view = ChatView()
    qtbot.addWidget(view)
    widget = view.append_item(ChatItem(id=None, role="assistant", state="error", error_id="engine.crashed"))
    assert "color:#c0392b" in widget.footer.text() and ENGLISH in widget.footer.text()
    view.set_theme(Theme(dark=True))
    assert "color:#ff7b72" in widget.footer.text()
