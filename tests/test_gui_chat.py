"""The chat window driven like a user would: real engine host (simulator), real SQLite, offscreen Qt."""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication

from deepseek_desktop.core.conversations.types import MessageState
from deepseek_desktop.ui.chat.composer import ComposerState


def type_and_send(gui, text: str) -> None:
    composer = gui.window.composer
    if text.isascii():
        gui.qtbot.keyClicks(composer.input, text)
    else:  # QTest can only type ASCII keys (qasciikey.cpp asserts otherwise)
        composer.input.insertPlainText(text)
    gui.qtbot.keyClick(composer.input, Qt.Key.Key_Return)


def send_and_wait(gui, text: str, timeout: float = 30) -> None:
    """Send ``text`` and wait until its turn has ended and the window heard so (busyChanged): the edit and
    regenerate buttons are enabled again then."""
    with one_turn(gui, timeout):
        type_and_send(gui, text)


@contextmanager
def one_turn(gui, timeout: float = 60):
    """Wait, after the ``with`` body started a turn (send, regenerate, edit), until that turn has ended:
    on the session's busyChanged, so a turn that starts and ends between two looks is not missed."""
    session, ended = gui.window.session, []

    def on_change() -> None:
        if not session.busy:
            ended.append(True)

    session.busyChanged.connect(on_change)
    try:
        yield
        gui.wait(lambda: bool(ended), timeout)
    finally:
        session.busyChanged.disconnect(on_change)


def stored(gui, fn):
    return gui.run(gui.services.runner.call(fn))


def test_send_streams_a_reply_with_reasoning_and_stats(make_gui):
    gui = make_gui()
    send_and_wait(gui, "What is DeepSeek-R1?")
    widgets = gui.window.chat_view.widgets
    assert [w.item.role for w in widgets] == ["user", "assistant"]
    reply = widgets[1]
    assert "reasoning model" in reply.item.content
    assert reply.item.reasoning.strip(), "the simulator opens with a reasoning block"
    assert reply.thinking.isVisible() and not reply.thinking.toggle.isChecked(), "folded once the answer came"
    assert "tokens/s" in reply.footer.text()
    assert reply.regen_button.isVisible()
    # saved, with its figures, and the conversation named after the question
    conv = gui.window.session.conversation
    assert conv.title == "What is DeepSeek-R1?"
    assert gui.window.title_label.text() == "What is DeepSeek-R1?"
    messages = stored(gui, lambda st: st.all_messages(conv.id))
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].state is MessageState.COMPLETE and messages[1].reasoning
    assert messages[1].stats.completion_tokens > 10


def test_enter_sends_shift_enter_is_a_new_line(make_gui):
    gui = make_gui(words_per_second=1000)
    composer = gui.window.composer
    gui.qtbot.keyClicks(composer.input, "line one")
    gui.qtbot.keyClick(composer.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    gui.qtbot.keyClicks(composer.input, "line two")
    assert composer.input.toPlainText() == "line one\nline two"
    gui.qtbot.keyClick(composer.input, Qt.Key.Key_Return)
    gui.wait(lambda: not gui.window.session.busy and len(gui.window.chat_view.widgets) == 2)
    assert gui.window.chat_view.widgets[0].item.content == "line one\nline two"
    assert composer.input.toPlainText() == ""


def test_stop_with_escape_keeps_the_text_so_far(make_gui):
    gui = make_gui(words_per_second=8)
    type_and_send(gui, "Explain quantisation")
    gui.wait(lambda: len(gui.window.chat_view.widgets) == 2 and gui.window.chat_view.widgets[1].text)
    assert gui.window.composer.button.text() == "Stop"
    gui.qtbot.keyClick(gui.window, Qt.Key.Key_Escape)
    gui.wait(lambda: not gui.window.session.busy, 5)
    reply = gui.window.chat_view.widgets[1]
    assert reply.item.state == "cancelled" and "Stopped" in reply.footer.text()
    conv = gui.window.session.conversation
    saved = stored(gui, lambda st: st.all_messages(conv.id))[1]
    assert saved.state is MessageState.CANCELLED and saved.content == reply.item.content


def test_regenerate_replaces_the_last_answer(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "hello")
    first = gui.window.chat_view.widgets[1]
    with one_turn(gui):
        gui.qtbot.mouseClick(gui.window.chat_view.widgets[1].regen_button, Qt.MouseButton.LeftButton)
    widgets = gui.window.chat_view.widgets
    assert len(widgets) == 2 and widgets[1] is not first and widgets[1].item.state == "complete"
    conv = gui.window.session.conversation
    assert len(stored(gui, lambda st: st.all_messages(conv.id))) == 2


def test_edit_and_resend(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "What is MLA?")
    send_and_wait(gui, "And MoE?")
    first_user = gui.window.chat_view.widgets[0]
    gui.qtbot.mouseClick(first_user.edit_button, Qt.MouseButton.LeftButton)
    first_user.editor.setPlainText("Was ist Quantisierung?")
    with one_turn(gui):
        gui.qtbot.mouseClick(first_user.send_edit_button, Qt.MouseButton.LeftButton)
    widgets = gui.window.chat_view.widgets
    assert [w.item.role for w in widgets] == ["user", "assistant"]
    assert widgets[0].item.content == "Was ist Quantisierung?"
    assert "Quantisierung" in widgets[1].item.content  # answered in German, about the new question
    conv = gui.window.session.conversation
    saved = stored(gui, lambda st: st.all_messages(conv.id))
    assert [m.content for m in saved][0] == "Was ist Quantisierung?" and len(saved) == 2


def test_copy_message_and_code_block(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "Show me some Python code")
    reply = gui.window.chat_view.widgets[1]
    gui.qtbot.mouseClick(reply.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == reply.item.content
    assert reply.code_blocks, "the coder topic has a code block"
    reply.body.anchorClicked.emit(QUrl("copy-code:0"))
    assert QGuiApplication.clipboard().text() == reply.code_blocks[0]
    assert QGuiApplication.clipboard().text().startswith("def fibonacci")


def test_raw_html_from_the_model_is_shown_as_text(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "<b>bold</b> <img src='http://example.invalid/x.png'>")
    user = gui.window.chat_view.widgets[0]
    assert "<b>bold</b>" in user.body.toPlainText()


def test_conversations_survive_a_restart(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "What is DeepSeek-V3?")
    conv_id = gui.window.session.conversation.id
    gui.close()
    again = make_gui()
    assert again.window.session.conversation is not None
    assert again.window.session.conversation.id == conv_id
    widgets = again.window.chat_view.widgets
    assert [w.item.role for w in widgets] == ["user", "assistant"] and "671" in widgets[1].item.content
    assert again.window.sidebar.list.count() == 1


def test_new_chat_delete_undo_and_search(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "Tell me about Apple Silicon")
    gui.qtbot.keyClick(gui.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert gui.window.chat_view.widgets == [] and gui.window.session.conversation is None
    send_and_wait(gui, "Erkläre Quantisierung")
    sidebar = gui.window.sidebar
    gui.wait(lambda: sidebar.list.count() == 2)
    # search finds message text, not only titles
    gui.qtbot.keyClicks(sidebar.search, "unified")
    gui.wait(lambda: sidebar.list.count() == 1)
    assert sidebar.list.item(0).text() == "Tell me about Apple Silicon"
    sidebar.search.clear()
    gui.wait(lambda: sidebar.list.count() == 2)
    doomed = gui.window.session.conversation.id
    sidebar.deleteRequested.emit(doomed)
    gui.wait(lambda: sidebar.list.count() == 1)
    notice = gui.window.notices
    assert notice.isVisible() and notice.action.text() == "Undo"
    gui.qtbot.mouseClick(notice.action, Qt.MouseButton.LeftButton)
    gui.wait(lambda: sidebar.list.count() == 2)
    gui.wait(lambda: gui.window.session.conversation is not None and gui.window.session.conversation.id == doomed)


def test_corrupt_settings_file_is_moved_aside_and_the_user_told(make_gui, app_home):
    settings_file = app_home / "config" / "settings.json"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_bytes(b"{ this is not json \x00\xff")
    gui = make_gui(words_per_second=0)
    assert gui.window.notices.isVisible()
    assert "settings" in gui.window.notices.label.text().lower()
    assert list(settings_file.parent.glob("settings.json.corrupt-*"))
    assert gui.settings.get("generation.temperature") == 0.6


def test_settings_persist(make_gui):
    gui = make_gui(words_per_second=0)
    gui.settings.set("generation.temperature", 1.25)
    gui.settings.set("general.theme", "dark")
    gui.close()
    again = make_gui(words_per_second=0)
    assert again.settings.get("generation.temperature") == 1.25
    assert again.settings.get("general.theme") == "dark"
    assert again.window.chat_view.theme.dark


def test_engine_crash_mid_reply_keeps_the_conversation_and_restart_works(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "What is MLA?")
    gui.settings.set("simulator.words_per_second", 6.0)
    with gui.qtbot.waitSignal(gui.window.engine.modelLoaded, timeout=60_000):  # the switch starts a loop pass later
        gui.window.switch_model(gui.window.engine.current)
    type_and_send(gui, "And MoE?")
    gui.wait(lambda: len(gui.window.chat_view.widgets) == 4 and gui.window.chat_view.widgets[3].text)
    os.kill(gui.services.engine.client.pid, signal.SIGKILL)
    # the crash ends the reply's stream, the host's exit reaches the engine state, the turn's end the composer
    gui.wait(lambda: not gui.window.session.busy and gui.window.engine.state == "crashed"
             and gui.window.composer.mode is ComposerState.IDLE)
    window = gui.window
    assert window.isVisible()
    assert window.status.restart.isVisible()
    assert window.notices.isVisible() and "stopped unexpectedly" in window.notices.label.text()
    widgets = window.chat_view.widgets
    assert len(widgets) == 4 and widgets[3].item.state == "error" and widgets[3].item.content
    conv = window.session.conversation
    saved = stored(gui, lambda st: st.all_messages(conv.id))
    assert [m.state for m in saved][:3] == [MessageState.COMPLETE] * 3
    assert saved[3].state is MessageState.ERROR and saved[3].content  # the text so far is kept
    assert not window.composer.button.isEnabled()
    gui.qtbot.mouseClick(window.status.restart, Qt.MouseButton.LeftButton)
    gui.wait(lambda: window.engine.state == "ready", 30)
    gui.settings.set("simulator.words_per_second", 1000.0)
    with gui.qtbot.waitSignal(gui.window.engine.modelLoaded, timeout=60_000):  # the switch starts a loop pass later
        gui.window.switch_model(gui.window.engine.current)
    send_and_wait(gui, "Thanks!")
    assert len(window.chat_view.widgets) == 6
    assert window.chat_view.widgets[5].item.state == "complete"
