"""The window driven from the keyboard alone: the cursor starts in the message box, every shortcut of
the keyboard map does what it says, Tab reaches only controls that show their focus, and editing a
question far up the chat brings the editor into view."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_server import HubServer
from mm_catalogue import SMALL_FILE, SMALL_REPO, write_catalogue
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QTextBrowser, QWidget

from deepseek_desktop.ui.accessibility import LAST_ANNOUNCEMENT
from deepseek_desktop.ui.keyboard.keyboard_map import KeyboardMapDialog
from deepseek_desktop.ui.keyboard.shortcuts import SHORTCUTS
from deepseek_desktop.ui.settings.dialog import SettingsDialog

ROOT = Path(__file__).resolve().parent.parent
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def send_and_wait(gui, text: str) -> None:
    n = len(gui.window.chat_view.widgets)
    gui.window.composer.sendRequested.emit(text)
    gui.wait(lambda: len(gui.window.chat_view.widgets) == n + 2 and not gui.window.session.busy)


def two_conversations(gui):
    send_and_wait(gui, "Tell me about Apple Silicon")
    gui.window.new_chat()
    send_and_wait(gui, "Explain quantisation")
    sidebar = gui.window.sidebar
    gui.wait(lambda: sidebar.list.count() == 2)
    return sidebar


def menu_from(gui, press) -> list[str]:
    """Press keys that open a context menu; return its entries (the menu is closed again)."""
    seen: list[str] = []

    def look() -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            seen.extend(a.text() for a in popup.actions() if not a.isSeparator())
            popup.close()
        else:
            QTimer.singleShot(10, look)

    QTimer.singleShot(0, look)
    press()
    gui.wait(lambda: seen, 5)
    return seen


def activate(gui) -> None:
    gui.window.activateWindow()
    gui.wait(lambda: QApplication.activeWindow() is gui.window, 5)


def test_the_cursor_is_in_the_message_box_at_start(make_gui):
    gui = make_gui()
    assert gui.window.focusWidget() is gui.window.composer.input


def test_delete_removes_the_selected_conversation_with_undo(make_gui):
    gui = make_gui(words_per_second=1000)
    sidebar = two_conversations(gui)
    gui.qtbot.keyClick(gui.window.composer.input, Qt.Key.Key_Delete)  # in the message box: text editing only
    assert sidebar.list.count() == 2
    sidebar.list.setFocus()
    sidebar.list.setCurrentRow(1)
    doomed = sidebar.current_id()
    gui.qtbot.keyClick(sidebar.list, Qt.Key.Key_Delete)
    gui.wait(lambda: sidebar.list.count() == 1)
    notice = gui.window.notices
    assert doomed not in [sidebar.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(sidebar.list.count())]
    assert notice.isVisible() and notice.action.text() == "Undo"
    assert notice.label.property(LAST_ANNOUNCEMENT) == "Conversation deleted. Ctrl+Z brings it back."  # read out
    assert sidebar.list.hasFocus(), "the focus stays in the list: Undo and Ctrl+Z are near"
    gui.qtbot.mouseClick(notice.action, Qt.MouseButton.LeftButton)
    gui.wait(lambda: sidebar.list.count() == 2)
    gui.wait(lambda: gui.window.session.conversation is not None and gui.window.session.conversation.id == doomed)


# The offscreen platform cannot grab the keyboard for a popup menu (a real desktop can): it says so.
@pytest.mark.qt_log_ignore("^This plugin does not support grabbing the keyboard$")
@pytest.mark.parametrize("keys", [(Qt.Key.Key_F10, SHIFT), (Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier)])
def test_shift_f10_and_the_menu_key_open_the_conversation_menu(make_gui, keys):
    gui = make_gui(words_per_second=1000)
    sidebar = two_conversations(gui)
    sidebar.list.setFocus()
    entries = menu_from(gui, lambda: gui.qtbot.keyClick(sidebar.list, *keys))
    assert entries == ["Rename", "Export as Markdown…", "Export as JSON…", "Delete"]


def test_escape_in_the_search_box_clears_it(make_gui):
    gui = make_gui(words_per_second=1000)
    sidebar = two_conversations(gui)
    gui.qtbot.keyClick(gui.window, Qt.Key.Key_F, CTRL)
    assert sidebar.search.hasFocus()
    gui.qtbot.keyClicks(sidebar.search, "unified")
    gui.wait(lambda: sidebar.list.count() == 1)
    gui.qtbot.keyClick(sidebar.search, Qt.Key.Key_Escape)
    assert sidebar.search.text() == ""
    gui.wait(lambda: sidebar.list.count() == 2)


def test_shortcuts_open_the_model_manager_settings_and_keyboard_map_and_quit(make_gui, gemma_path, tmp_path):
    gui = make_gui()
    w = gui.window
    hub = HubServer().start()
    try:
        hub.add_repo(SMALL_REPO, {SMALL_FILE: gemma_path})
        mm = w.open_model_manager(
            catalogue_file=write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size), endpoint=hub.url
        )  # made once with a local Hub, then hidden
        gui.wait(lambda: mm.sizes_checked and mm.local is not None)
        mm.close()
        activate(gui)
        gui.qtbot.keyClick(w, Qt.Key.Key_M, CTRL | SHIFT)
        gui.wait(lambda: mm.isVisible())
        mm.close()
        activate(gui)

        gui.qtbot.keyClick(w, Qt.Key.Key_Comma, CTRL)
        settings = w.findChild(SettingsDialog)
        assert settings is not None and settings.isVisible()
        settings.close()
        activate(gui)

        gui.qtbot.keyClick(w, Qt.Key.Key_F1)
        keys = w.findChild(KeyboardMapDialog)
        assert keys is not None and keys.isVisible() and len(keys.rows()) == len(SHORTCUTS)
        assert ("Ctrl+Shift+M", "Open the model manager", "Anywhere in the window") in keys.rows()
        keys.close()
        activate(gui)
        assert [a.text() for a in w.help_menu.actions()] == ["&Keyboard shortcuts", "", "&About DeepSeek Desktop"]

        gui.qtbot.keyClick(w, Qt.Key.Key_Q, CTRL)
        gui.wait(lambda: not w.isVisible(), 5)
    finally:
        gui.close()
        hub.stop()


def test_the_keyboard_map_in_german(make_gui, tmp_path):
    gui = make_gui(start=False, settings_values={"general.language": "de"})
    try:
        dialog = KeyboardMapDialog.show_for(gui.window)
        gui.wait(lambda: dialog.isVisible())
        assert dialog.windowTitle() == "Tastenkürzel"
        assert ("Strg+Umschalt+M", "Modellverwaltung öffnen", "Überall im Fenster") in dialog.rows()
        assert dialog.grab().save(str(tmp_path / "keyboard-map-de.png"))
    finally:
        gui.services.language.apply("en")


def test_the_readme_lists_every_shortcut():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Keyboard", 1)[1].split("\n## ", 1)[0]
    for shortcut in SHORTCUTS:
        assert shortcut.text in section, shortcut.text
        for key in shortcut.keys:
            assert key in section, key


def test_tab_reaches_only_controls_that_show_their_focus(make_gui):
    gui = make_gui(words_per_second=1000)
    w = gui.window
    send_and_wait(gui, "Explain quantisation")
    activate(gui)
    gui.wait(lambda: QApplication.focusWidget() is w.composer.input, 5)
    # Nothing inside a message takes Tab unless it draws its focus (links and text: by mouse only).
    hidden_stops = [
        x
        for x in w.chat_view.findChildren(QWidget)
        if isinstance(x, (QTextBrowser, QLabel)) and x.isVisible() and x.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
    assert hidden_stops == []
    reached: list[QWidget] = []
    for _ in range(40):
        widget = QApplication.focusWidget()
        if widget in reached:
            break
        reached.append(widget)
        focused = widget.grab().toImage()
        gui.qtbot.keyClick(widget, Qt.Key.Key_Tab)
        gui.wait(lambda left=widget: QApplication.focusWidget() is not left, 5)
        assert widget.grab().toImage() != focused, f"{type(widget).__name__} {widget.objectName()} shows no focus"
    kinds = {type(x).__name__ for x in reached}
    assert w.sidebar.list in reached and w.sidebar.search in reached and w.picker.combo in reached, kinds
    at = reached.index(w.picker.combo)  # the model, then its thinking budget beside it, then the buttons
    assert reached[at:at + 3] == [w.picker.combo, w.thinking.combo, w.picker.manage], kinds
    assert w.chat_view.widgets[1].copy_button in reached and w.chat_view in reached, kinds


def test_editing_a_question_far_up_brings_the_editor_into_view(make_gui):
    gui = make_gui(words_per_second=1000)
    w = gui.window
    activate(gui)
    for question in (
        "Tell me about Apple Silicon",
        "Explain quantisation",
        "What is DeepSeek-R1?",
        "Tell me about Apple Silicon",
        "Explain quantisation",
    ):
        send_and_wait(gui, question)
    view = w.chat_view
    bar = view.verticalScrollBar()
    gui.wait(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    first = view.widgets[0]
    gui.wait(first.edit_button.isEnabled)  # enabled when the turn's end has reached the message widgets
    first.edit_button.setFocus()
    gui.qtbot.keyClick(first.edit_button, Qt.Key.Key_Space)
    gui.wait(lambda: first.editor is not None and first.editor.hasFocus())

    def editor_seen() -> bool:
        top = first.editor.mapTo(view.widget(), QPoint(0, 0)).y()
        return bar.value() <= top and top + first.editor.height() <= bar.value() + view.viewport().height()

    gui.wait(editor_seen)


def current_id(window) -> int | None:
    conversation = window.session.conversation
    return conversation.id if conversation is not None else None


def ids(sidebar) -> list[int]:
    return [sidebar.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(sidebar.list.count())]


def test_ctrl_z_undoes_the_last_deletions_one_after_the_other(make_gui):
    gui = make_gui(words_per_second=1000)
    w = gui.window
    sidebar = two_conversations(gui)
    activate(gui)
    first, second = ids(sidebar)
    sidebar.list.setFocus()
    for _ in range(2):
        sidebar.list.setCurrentRow(0)
        gui.qtbot.keyClick(sidebar.list, Qt.Key.Key_Delete)
        gui.wait(lambda n=len(ids(sidebar)): len(ids(sidebar)) == n - 1)
    assert ids(sidebar) == [] and sidebar.list.hasFocus(), "deleting the open conversation keeps the focus"
    gui.qtbot.keyClick(sidebar.list, Qt.Key.Key_Z, CTRL)
    gui.wait(lambda: ids(sidebar) == [second] and current_id(w) == second)
    assert not w.notices.isVisible(), "the offer is answered"
    # in the message box Ctrl+Z undoes typing first, then (nothing typed left) the deletion
    w.composer.input.setFocus()
    gui.qtbot.keyClicks(w.composer.input, "draft")
    gui.qtbot.keyClick(w.composer.input, Qt.Key.Key_Z, CTRL)
    assert w.composer.input.toPlainText() == "" and ids(sidebar) == [second]
    gui.qtbot.keyClick(w.composer.input, Qt.Key.Key_Z, CTRL)
    gui.wait(lambda: sorted(ids(sidebar)) == sorted([first, second]) and current_id(w) == first)


def test_undo_counts_down_only_while_it_can_be_seen_and_nobody_is_at_it(make_gui):
    gui = make_gui(words_per_second=1000)
    w = gui.window
    sidebar = two_conversations(gui)
    activate(gui)
    notice = w.notices
    sidebar.list.setFocus()
    sidebar.list.setCurrentRow(0)
    gui.qtbot.keyClick(sidebar.list, Qt.Key.Key_Delete)
    gui.wait(lambda: notice.isVisible() and notice.counting_down)
    # a keyboard user on their way to Undo: it waits while the focus is in the notice
    notice.action.setFocus(Qt.FocusReason.BacktabFocusReason)
    gui.wait(lambda: not notice.counting_down)
    assert notice.goes_by_itself and notice.isVisible()
    sidebar.list.setFocus()
    gui.wait(lambda: notice.counting_down)
    # and while the pointer is on it
    gui.qtbot.mouseMove(notice.label)
    gui.wait(lambda: not notice.counting_down)
    gui.qtbot.mouseMove(w.composer.input)
    gui.wait(lambda: notice.counting_down)
    # the settings are open (the window is not the active one): "Reload now" waits for the window
    dialog = w.open_settings()
    gui.wait(lambda: QApplication.activeWindow() is dialog)
    dialog.fields["generation.context_length"].set_value(8192)
    w.settings.set("generation.context_length", 8192)
    gui.wait(lambda: notice.action.text() == "Reload now")
    assert notice.goes_by_itself and not notice.counting_down
    dialog.close()
    activate(gui)
    gui.wait(lambda: notice.counting_down)
    notice.dismiss()


def test_a_notice_that_needs_an_answer_stays(make_gui):
    gui = make_gui()
    activate(gui)
    answered = []
    gui.window.notices.show_message("Load it now?", "info", "Load", lambda: answered.append(True))
    assert gui.window.notices.isVisible() and not gui.window.notices.goes_by_itself
    assert not gui.window.notices.counting_down
    gui.qtbot.mouseClick(gui.window.notices.action, Qt.MouseButton.LeftButton)
    assert answered == [True] and not gui.window.notices.isVisible()


def test_keys_switch_conversations_regenerate_copy_and_return_to_the_message_box(make_gui):
    gui = make_gui(words_per_second=1000)
    w = gui.window
    sidebar = two_conversations(gui)
    activate(gui)
    w.composer.input.setFocus()
    newest, older = ids(sidebar)
    assert w.session.conversation.id == newest
    for key, mod, expected in ((Qt.Key.Key_Tab, CTRL, older), (Qt.Key.Key_Tab, CTRL, newest),
                               (Qt.Key.Key_Backtab, CTRL | SHIFT, older), (Qt.Key.Key_PageUp, CTRL, newest),
                               (Qt.Key.Key_PageDown, CTRL, older), (Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier,
                                                                     newest),
                               (Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier, older)):
        gui.qtbot.keyClick(QApplication.focusWidget(), key, mod)
        gui.wait(lambda expected=expected: current_id(w) == expected and len(w.chat_view.widgets) == 2)
        assert QApplication.focusWidget() is w.composer.input, "the cursor stays in the message box"
    reply = w.chat_view.widgets[-1]
    gui.qtbot.keyClick(w.composer.input, Qt.Key.Key_C, CTRL | SHIFT)
    assert QApplication.clipboard().text() == reply.item.content and reply.copy_button.text() == "Copied"
    first_version = reply.item.content
    gui.qtbot.keyClick(w.composer.input, Qt.Key.Key_R, CTRL)
    gui.wait(lambda: w.chat_view.widgets[-1].item.versions == 2 and not w.session.busy)
    assert w.chat_view.widgets[-1].item.content and first_version
    w.chat_view.setFocus()
    gui.qtbot.keyClick(w.chat_view, Qt.Key.Key_Escape, SHIFT)
    assert QApplication.focusWidget() is w.composer.input


def test_the_edit_box_sends_with_enter_and_cancels_with_escape(make_gui):
    gui = make_gui(words_per_second=1000)
    w = gui.window
    activate(gui)
    send_and_wait(gui, "Explain quantisation")
    question = w.chat_view.widgets[0]
    gui.wait(question.edit_button.isEnabled)  # enabled when the turn's end has reached the message widgets
    gui.qtbot.mouseClick(question.edit_button, Qt.MouseButton.LeftButton)
    gui.wait(lambda: question.editor is not None and question.editor.hasFocus())
    editor = question.editor
    editor.selectAll()
    gui.qtbot.keyClicks(editor, "Explain")
    gui.qtbot.keyClick(editor, Qt.Key.Key_Return, SHIFT)
    gui.qtbot.keyClicks(editor, "quantisation in one line")
    assert editor.toPlainText() == "Explain\nquantisation in one line"
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)  # cancels the edit, not a reply
    assert question.editor is None and question.item.content == "Explain quantisation"
    assert QApplication.focusWidget() is question.edit_button
    gui.qtbot.keyClick(question.edit_button, Qt.Key.Key_Space)
    editor = question.editor
    gui.wait(lambda: editor.hasFocus())
    editor.selectAll()
    gui.qtbot.keyClicks(editor, "Explain quantisation for a laptop")
    gui.qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    gui.wait(lambda: w.chat_view.widgets[0].item.content == "Explain quantisation for a laptop"
             and len(w.chat_view.widgets) == 2 and not w.session.busy)
    assert w.chat_view.widgets[0].item.versions == 2


def test_tab_in_the_settings_reaches_only_controls_that_show_their_focus(make_gui):
    from PySide6.QtWidgets import QAbstractScrollArea, QScrollArea

    gui = make_gui(start=False)
    dialog = gui.window.open_settings()
    dialog.activateWindow()
    gui.wait(lambda: QApplication.activeWindow() is dialog)
    dialog.pages.setFocus(Qt.FocusReason.TabFocusReason)
    reached: list[QWidget] = []
    for _ in range(12):  # the page list, then the first page's controls, in order
        widget = QApplication.focusWidget()
        if widget in reached:
            break
        reached.append(widget)
        focused = widget.grab().toImage()
        gui.qtbot.keyClick(widget, Qt.Key.Key_Tab)
        gui.wait(lambda left=widget: QApplication.focusWidget() is not left)
        assert not isinstance(widget, QScrollArea), "a page's scroll area is no Tab stop of its own"
        if not isinstance(widget, QAbstractScrollArea) or widget is dialog.pages:
            assert widget.grab().toImage() != focused, f"{type(widget).__name__} shows no focus"
    assert reached[1] is dialog.fields["general.language"].widget, "the first Tab lands on the first setting"
