"""Copy and Copy code say "Copied" for a moment, on screen and to a screen reader, then go back."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QTextCursor
from PySide6.QtWidgets import QAbstractButton, QTextEdit, QWidget

COPIED_MS = 1500


def copied_text() -> str:
    return QCoreApplication.translate("CopyFeedback", "Copied")


def _announce(widget: QWidget, text: str) -> None:
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))


class CopyConfirmation(QObject):
    """Shows "Copied" on ``button`` after each copy; its own text (and accessible name) come back
    unless something else (a change of language) set a new one meanwhile."""

    def __init__(self, button: QAbstractButton) -> None:
        super().__init__(button)
        self.button = button
        self._saved: tuple[str, str] | None = None  # the text and accessible name before "Copied"
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COPIED_MS)
        self._timer.timeout.connect(self._restore)

    def confirm(self) -> None:
        copied = copied_text()
        if self._saved is None or self.button.text() != copied:
            self._saved = (self.button.text(), self.button.accessibleName())
        self.button.setText(copied)  # a button's text is its accessible name: Qt reports the change
        if self._saved[1]:
            self.button.setAccessibleName(copied)
        _announce(self.button, copied)
        self._timer.start()

    def _restore(self) -> None:
        saved, self._saved = self._saved, None
        if saved is None or self.button.text() != copied_text():
            return
        self.button.setText(saved[0])
        if saved[1]:
            self.button.setAccessibleName(saved[1])


def _replace_link_text(view: QTextEdit, href: str, old: str | None, new: str) -> str | None:
    """Replace the text of the link to ``href`` (if it reads ``old``, when given); returns the text it had."""
    doc = view.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isAnchor() and fmt.anchorHref() == href:
                before = fragment.text()
                if old is not None and before != old:
                    return None
                cursor = QTextCursor(doc)
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText(new, fmt)
                return before
            it += 1
        block = block.next()
    return None


def confirm_code_copy(views: Iterable[QTextEdit], href: str) -> None:
    """The code block's "Copy code" link in whichever of ``views`` shows it reads "Copied" for a moment."""
    copied = copied_text()
    for view in views:
        before = _replace_link_text(view, href, None, copied)
        if before is None:
            continue
        _announce(view, copied)
        if before != copied:  # a second click while it says "Copied" keeps the first one's way back
            QTimer.singleShot(COPIED_MS, view, lambda v=view, b=before: _replace_link_text(v, href, copied, b))
        return
