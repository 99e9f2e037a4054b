"""The text box a question is written in: the message box below the chat, and the box a sent question is
edited in. Both behave alike: Enter (and Ctrl+Enter) sends, Shift+Enter starts a new line, Tab leaves the box;
the edit box's Esc cancels the edit (in the message box Esc stops a reply, a window shortcut)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QPlainTextEdit, QWidget

NEW_LINE = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier


class MessageInput(QPlainTextEdit):
    submit = Signal()
    cancel = Signal()  # Esc, when ``escape_cancels``
    widthChanged = Signal()  # a narrower field may need more lines for its hint

    def __init__(self, parent: QWidget | None = None, *, escape_cancels: bool = False) -> None:
        super().__init__(parent)
        self.escape_cancels = escape_cancels
        self.setTabChangesFocus(True)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.widthChanged.emit()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if self.escape_cancels and event.key() == Qt.Key.Key_Escape:
                event.accept()  # the edit's Esc, before the window's Esc (stop the reply) sees it
                return True
            if event.matches(QKeySequence.StandardKey.Undo) and not self.document().isUndoAvailable():
                event.ignore()  # nothing typed to undo: Ctrl+Z is the window's (undo a deletion)
                return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (event.modifiers() & NEW_LINE):
            self.submit.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.escape_cancels:
            self.cancel.emit()
            return
        super().keyPressEvent(event)
