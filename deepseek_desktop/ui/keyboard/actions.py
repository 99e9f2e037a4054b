"""The actions that carry the window's shortcuts (``shortcuts.SHORTCUTS``), and the cursor in the message box
at start."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from .keyboard_map import KeyboardMapDialog
from .shortcuts import SHORTCUTS


def install(window) -> dict[str, QAction]:
    """Bind every window shortcut of ``SHORTCUTS`` on ``window`` (a MainWindow) and put the cursor in the
    message box. Returns the actions by name, for the Help menu and for tests."""
    sidebar = window.sidebar
    conversations = sidebar.list

    def on_escape() -> None:
        search = sidebar.search
        if search.hasFocus() and search.text():
            search.clear()  # Esc in the search box empties it; anywhere else it stops the reply
        else:
            window.session.stop()

    def delete_selected() -> None:
        cid = sidebar.current_id()
        if cid is not None:
            sidebar.deleteRequested.emit(cid)  # the window deletes it and offers Undo

    def open_menu() -> None:
        item = conversations.currentItem()
        if item is not None:
            conversations.scrollToItem(item)
            conversations.customContextMenuRequested.emit(conversations.visualItemRect(item).center())

    def show_keyboard_map() -> None:
        KeyboardMapDialog.show_for(window)

    def last_reply_button(name: str) -> None:
        """Press the last reply's Regenerate or Copy button, if it offers one now."""
        reply = window.chat_view.last_reply()
        button = getattr(reply, name, None) if reply is not None else None
        if button is not None and not button.isHidden() and button.isEnabled():  # not hidden: shown, or about to be
            button.click()

    def to_message_box() -> None:
        window.composer.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    slots: dict[str, tuple[QWidget, Callable[[], None]]] = {
        "stop": (window, on_escape),
        "message_box": (window, to_message_box),
        "new": (window, window.new_chat),
        "next": (window, lambda: sidebar.select_next(1)),
        "previous": (window, lambda: sidebar.select_next(-1)),
        "regenerate": (window, lambda: last_reply_button("regen_button")),
        "copy_reply": (window, lambda: last_reply_button("copy_button")),
        "undo_delete": (window, window.undo_delete),
        "find": (window, lambda: sidebar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)),
        "rename": (window, sidebar.rename_current),
        "delete": (conversations, delete_selected),
        "menu": (conversations, open_menu),
        "models": (window, lambda: window.open_model_manager()),
        "settings": (window, lambda: window.open_settings()),
        "keys": (window, show_keyboard_map),
        "quit": (window, window.close),  # closing the main window quits (after the engine and store close)
    }
    actions: dict[str, QAction] = {}
    for shortcut in SHORTCUTS:
        if not shortcut.name:
            continue
        owner, slot = slots[shortcut.name]
        action = QAction(owner)
        action.setShortcuts([QKeySequence(k) for k in shortcut.keys])
        # A list's keys work while the list has the focus: Delete in the message box deletes text.
        context = Qt.ShortcutContext.WindowShortcut if owner is window else Qt.ShortcutContext.WidgetShortcut
        action.setShortcutContext(context)
        action.triggered.connect(slot)
        owner.addAction(action)
        actions[shortcut.name] = action
    window.composer.input.setFocus(Qt.FocusReason.OtherFocusReason)  # the cursor is in the message box at start
    return actions
