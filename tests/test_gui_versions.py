"""Versions in the chat window, driven like a user would: real simulator engine host, real SQLite."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from deepseek_desktop.core.conversations.types import MessageState
from deepseek_desktop.engines.simulator import compose_reply
from deepseek_desktop.ui.chat.composer import ComposerState

QUESTION = "What is DeepSeek-R1?"


def type_and_send(gui, text: str) -> None:
    gui.qtbot.keyClicks(gui.window.composer.input, text)
    gui.qtbot.keyClick(gui.window.composer.input, Qt.Key.Key_Return)


def one_turn(gui, start) -> None:
    start()
    gui.wait(lambda: gui.window.session.busy)
    # the composer hears of the end of the turn a moment later; only then does Enter send again
    gui.wait(lambda: not gui.window.session.busy and gui.window.composer.mode is ComposerState.IDLE)


def stored(gui, fn):
    return gui.run(gui.services.runner.call(fn))


def reply_widget(gui):
    return gui.window.chat_view.widgets[1]


def regenerate(gui) -> None:
    one_turn(gui, lambda: gui.qtbot.mouseClick(reply_widget(gui).regen_button, Qt.MouseButton.LeftButton))


def test_regenerated_replies_are_kept_and_the_chat_continues_from_the_version_shown(make_gui):
    gui = make_gui(words_per_second=1000)
    one_turn(gui, lambda: type_and_send(gui, QUESTION))
    switch = reply_widget(gui).version_switch
    assert not switch.isVisible(), "one version: no switch"
    # version 2 is cut short (a small answer limit), so it differs from versions 1 and 3
    _, reasoning, _ = compose_reply(QUESTION)
    gui.settings.set("generation.max_tokens", len(f"<think>\n{reasoning}\n</think>".split()) + 6)
    regenerate(gui)
    short = reply_widget(gui).item.content
    gui.settings.set("generation.max_tokens", 4096)
    regenerate(gui)
    reply = reply_widget(gui)
    full = reply.item.content
    assert short and short != full and full.startswith(short.strip())
    assert reply.version_switch.label.text() == "3 / 3" and reply.version_switch.isVisible()
    assert not reply.version_switch.next_button.isEnabled()

    gui.qtbot.mouseClick(reply.version_switch.previous_button, Qt.MouseButton.LeftButton)
    gui.wait(lambda: reply_widget(gui).item.content == short)
    reply = reply_widget(gui)
    assert reply.version_switch.label.text() == "2 / 3"
    assert reply.version_switch.next_button.isEnabled() and reply.version_switch.previous_button.isEnabled()
    assert reply.version_switch.previous_button.accessibleName() == "Previous version"
    assert reply.version_switch.label.accessibleName() == "Version 2 of 3"
    assert "Stopped" not in reply.footer.text() and "tokens/s" in reply.footer.text()  # its own figures
    assert reply.item.stats["finish_reason"] == "length"
    gui.qtbot.mouseClick(reply.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == short  # copy follows the version shown
    shown_id = reply.item.id
    gui.close()

    again = make_gui(words_per_second=1000)  # the app restarted
    reply = reply_widget(again)
    assert reply.item.id == shown_id and reply.item.content == short
    assert reply.version_switch.label.text() == "2 / 3"
    one_turn(again, lambda: type_and_send(again, "Tell me more"))
    conv = again.window.session.conversation
    messages = stored(again, lambda st: st.all_messages(conv.id))
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[2].parent_id == shown_id
    history = stored(again, lambda st: st.chat_history(conv.id))
    assert [m.content for m in history[:3]] == [QUESTION, short, "Tell me more"]
    # the simulator counts the words it was sent: the question, the short version and the new question
    sent = len(QUESTION.split()) + len(short.split()) + len(["Tell", "me", "more"])
    assert messages[3].stats.prompt_tokens == sent and messages[3].state is MessageState.COMPLETE


def test_edit_and_resend_keeps_the_old_question_and_the_arrows_switch_back(make_gui):
    gui = make_gui(words_per_second=1000)
    one_turn(gui, lambda: type_and_send(gui, "What is MLA?"))
    first_answer = reply_widget(gui).item.content
    question = gui.window.chat_view.widgets[0]
    gui.qtbot.mouseClick(question.edit_button, Qt.MouseButton.LeftButton)
    question.editor.setPlainText("Was ist Quantisierung?")
    one_turn(gui, lambda: question.send_edit_button.click())
    widgets = gui.window.chat_view.widgets
    assert widgets[0].item.content == "Was ist Quantisierung?"
    assert widgets[0].version_switch.label.text() == "2 / 2"
    assert "Quantisierung" in widgets[1].item.content
    # keyboard: Tab reaches the arrow, Space presses it
    arrow = widgets[0].version_switch.previous_button
    assert arrow.focusPolicy() & Qt.FocusPolicy.TabFocus
    arrow.setFocus()
    gui.qtbot.keyClick(arrow, Qt.Key.Key_Space)
    gui.wait(lambda: gui.window.chat_view.widgets[0].item.content == "What is MLA?")
    widgets = gui.window.chat_view.widgets
    assert widgets[0].version_switch.label.text() == "1 / 2"
    assert widgets[1].item.content == first_answer  # the old question comes back with its answer
    # the pressed arrow went with its widget; the focus is on the new one's arrow, so Space goes on
    assert widgets[0].version_switch.next_button.hasFocus()
    gui.qtbot.keyClick(widgets[0].version_switch.next_button, Qt.Key.Key_Space)
    gui.wait(lambda: gui.window.chat_view.widgets[0].item.content == "Was ist Quantisierung?")
    switch = gui.window.chat_view.widgets[0].version_switch
    gui.settings.set("general.language", "de")  # the switch follows a change of language at once
    try:
        gui.wait(lambda: switch.previous_button.accessibleName() == "Vorherige Version", 5)
        assert switch.label.accessibleName() == "Version 2 von 2" and switch.label.text() == "2 / 2"
        assert switch.next_button.toolTip() == "Nächste Version dieser Nachricht anzeigen"
    finally:  # the translator belongs to the application, which the tests share
        gui.settings.set("general.language", "en")
        gui.wait(lambda: switch.previous_button.accessibleName() == "Previous version", 5)


def test_a_search_hit_in_a_version_not_shown_opens_with_that_version(make_gui):
    gui = make_gui(words_per_second=1000)
    one_turn(gui, lambda: type_and_send(gui, QUESTION))
    full = reply_widget(gui).item.content
    _, reasoning, _ = compose_reply(QUESTION)
    gui.settings.set("generation.max_tokens", len(f"<think>\n{reasoning}\n</think>".split()) + 3)
    regenerate(gui)  # version 2: the first words of the answer only
    short = reply_widget(gui).item.content
    word = next(w for w in re.findall(r"[A-Za-z]{8,}", full) if w.lower() not in short.lower())
    gui.qtbot.keyClick(gui.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # another chat
    assert gui.window.chat_view.widgets == []
    gui.window.sidebar.search.setText("Zwiebelkuchen")  # no hit: the list empties once the search has run
    gui.wait(lambda: gui.window.sidebar.list.count() == 0)
    gui.window.sidebar.search.setText(word)
    gui.wait(lambda: gui.window.sidebar.list.count() == 1)
    gui.window.sidebar.list.setCurrentRow(0)
    gui.wait(lambda: len(gui.window.chat_view.widgets) == 2)
    reply = reply_widget(gui)
    assert reply.item.content == full and reply.version_switch.label.text() == "1 / 2"
