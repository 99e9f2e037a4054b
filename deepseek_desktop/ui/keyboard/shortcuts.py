"""The main window's keyboard shortcuts, in one table: ``actions`` binds them, Help > Keyboard shortcuts
(``keyboard_map``) and README.md show them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QKeySequence

CONTEXT = "KeyboardMap"


@dataclass(frozen=True)
class Shortcut:
    name: str  # what the window binds it to (see ``actions.install``); "" when a widget handles the key itself
    keys: tuple[str, ...]  # portable key sequences ("Ctrl" is Cmd on macOS)
    text: str  # untranslated; shown through QCoreApplication.translate(CONTEXT, text)
    where: str = "window"  # window | conversations | search | message | edit


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("", ("Return", "Ctrl+Return"), QT_TRANSLATE_NOOP("KeyboardMap", "Send the message"), "message"),
    Shortcut("", ("Shift+Return",), QT_TRANSLATE_NOOP("KeyboardMap", "New line in the message"), "message"),
    Shortcut("stop", ("Esc",), QT_TRANSLATE_NOOP("KeyboardMap", "Stop the reply")),
    Shortcut("message_box", ("Shift+Esc",), QT_TRANSLATE_NOOP("KeyboardMap", "Back to the message box")),
    Shortcut("new", ("Ctrl+N",), QT_TRANSLATE_NOOP("KeyboardMap", "New conversation")),
    Shortcut("next", ("Ctrl+Tab", "Ctrl+PgDown", "Alt+Down"), QT_TRANSLATE_NOOP("KeyboardMap", "Next conversation")),
    Shortcut("previous", ("Ctrl+Shift+Tab", "Ctrl+PgUp", "Alt+Up"),
             QT_TRANSLATE_NOOP("KeyboardMap", "Previous conversation")),
    Shortcut("regenerate", ("Ctrl+R",), QT_TRANSLATE_NOOP("KeyboardMap", "Regenerate the last reply")),
    Shortcut("copy_reply", ("Ctrl+Shift+C",), QT_TRANSLATE_NOOP("KeyboardMap", "Copy the last reply")),
    Shortcut("find", ("Ctrl+F",), QT_TRANSLATE_NOOP("KeyboardMap", "Search conversations")),
    Shortcut("", ("Esc",), QT_TRANSLATE_NOOP("KeyboardMap", "Clear the search"), "search"),
    Shortcut("rename", ("F2",), QT_TRANSLATE_NOOP("KeyboardMap", "Rename the selected conversation"), "conversations"),
    Shortcut(
        "delete",
        ("Del",),
        QT_TRANSLATE_NOOP("KeyboardMap", "Delete the selected conversation (with Undo)"),
        "conversations",
    ),
    Shortcut("undo_delete", ("Ctrl+Z",),
             QT_TRANSLATE_NOOP("KeyboardMap", "Undo the last deletion of a conversation (in a text box: once "
                                              "there is no typing left to undo)")),
    Shortcut(
        "menu",
        ("Shift+F10", "Menu"),
        QT_TRANSLATE_NOOP("KeyboardMap", "Open the selected conversation's menu (export, rename, delete)"),
        "conversations",
    ),
    Shortcut("", ("Return", "Ctrl+Return"), QT_TRANSLATE_NOOP("KeyboardMap", "Save the edited question and send it"),
             "edit"),
    Shortcut("", ("Shift+Return",), QT_TRANSLATE_NOOP("KeyboardMap", "New line in the edited question"), "edit"),
    Shortcut("", ("Esc",), QT_TRANSLATE_NOOP("KeyboardMap", "Cancel the edit"), "edit"),
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
    "edit": QT_TRANSLATE_NOOP("KeyboardMap", "While editing a question"),
}


def translated(text: str) -> str:
    """``text`` of SHORTCUTS or WHERE in the current language."""
    return QCoreApplication.translate(CONTEXT, text)


def key_text(shortcut: Shortcut) -> str:
    """The keys as this platform writes them (⌘N on macOS, Ctrl+N elsewhere), in the current language."""
    return " / ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in shortcut.keys)


