"""The main window's keyboard: one table of shortcuts (also shown in Help > Keyboard shortcuts and in
README.md), the actions that carry them, and the cursor in the message box at start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

CONTEXT = "KeyboardMap"


@dataclass(frozen=True)
class Shortcut:
    name: str  # what the window binds it to (see ``install``); "" when a widget handles the key itself
    keys: tuple[str, ...]  # portable key sequences ("Ctrl" is Cmd on macOS)
    text: str  # untranslated; shown through QCoreApplication.translate(CONTEXT, text)
    where: str = "window"  # window | conversations | search | message


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("", ("Return",), QT_TRANSLATE_NOOP("KeyboardMap", "Send the message"), "message"),
    Shortcut("", ("Shift+Return",), QT_TRANSLATE_NOOP("KeyboardMap", "New line in the message"), "message"),
    Shortcut("stop", ("Esc",), QT_TRANSLATE_NOOP("KeyboardMap", "Stop the reply")),
    Shortcut("new", ("Ctrl+N",), QT_TRANSLATE_NOOP("KeyboardMap", "New conversation")),
    Shortcut("find", ("Ctrl+F",), QT_TRANSLATE_NOOP("KeyboardMap", "Search conversations")),
    Shortcut("", ("Esc",), QT_TRANSLATE_NOOP("KeyboardMap", "Clear the search"), "search"),
    Shortcut("rename", ("F2",), QT_TRANSLATE_NOOP("KeyboardMap", "Rename the selected conversation"), "conversations"),
    Shortcut(
        "delete",
        ("Del",),
        QT_TRANSLATE_NOOP("KeyboardMap", "Delete the selected conversation (with Undo)"),
        "conversations",
    ),
    Shortcut(
        "menu",
        ("Shift+F10", "Menu"),
        QT_TRANSLATE_NOOP("KeyboardMap", "Open the selected conversation's menu (export, rename, delete)"),
        "conversations",
    ),
    Shortcut("models", ("Ctrl+Shift+M",), QT_TRANSLATE_NOOP("KeyboardMap", "Open the model manager")),
    Shortcut("settings", ("Ctrl+,",), QT_TRANSLATE_NOOP("KeyboardMap", "Open the settings")),
    Shortcut("keys", ("F1",), QT_TRANSLATE_NOOP("KeyboardMap", "Show this list of shortcuts")),
    Shortcut("quit", ("Ctrl+Q",), QT_TRANSLATE_NOOP("KeyboardMap", "Quit")),
    Shortcut("", ("Tab", "Shift+Tab"), QT_TRANSLATE_NOOP("KeyboardMap", "Move to the next or previous control")),
)

WHERE = {
    "window": QT_TRANSLATE_NOOP("KeyboardMap", "Anywhere in the window"),
    "conversations": QT_TRANSLATE_NOOP("KeyboardMap", "In the list of conversations"),
    "search": QT_TRANSLATE_NOOP("KeyboardMap", "In the search field"),
    "message": QT_TRANSLATE_NOOP("KeyboardMap", "In the message box"),
}


def translated(text: str) -> str:
    """``text`` of SHORTCUTS or WHERE in the current language."""
    return QCoreApplication.translate(CONTEXT, text)


def key_text(shortcut: Shortcut) -> str:
    """The keys as this platform writes them (⌘N on macOS, Ctrl+N elsewhere), in the current language."""
    return " / ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in shortcut.keys)


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
        from .keyboard_map import KeyboardMapDialog

        KeyboardMapDialog.show_for(window)

    slots: dict[str, tuple[QWidget, Callable[[], None]]] = {
        "stop": (window, on_escape),
        "new": (window, window.new_chat),
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
