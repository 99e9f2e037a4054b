"""A read-only rich-text view that is exactly as tall as its content and loads nothing remote."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QFontMetricsF, QTextCursor, QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser


class RichTextView(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # links go through anchorClicked, opened only when the user clicks
        self.setOpenExternalLinks(False)
        # Not a Tab stop: it draws no focus, so Tab would vanish into it (the message's buttons copy it).
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._last_height = -1

    def show_html(self, html: str) -> None:
        """Show rendered Markdown; a wrapped line of code continues under its own first character."""
        self.setHtml(html)
        hang_code_indents(self.document())

    def show_plain(self, text: str, previous: str | None = None) -> None:
        """Show ``text`` as plain text; if the view shows ``previous`` as plain text and ``text`` only
        grew from it, append the new part (the layout of what is there is kept)."""
        if previous is not None and text.startswith(previous):
            if len(text) > len(previous):
                cursor = QTextCursor(self.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(text[len(previous):])
        else:
            self.setPlainText(text)

    def append_plain(self, text: str, max_paragraph: int) -> None:
        """Append ``text`` as plain text. A line longer than ``max_paragraph`` is broken on screen, so
        the paragraph Qt lays out again at the next append never grows past that."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        while text:
            room = max_paragraph - (cursor.block().length() - 1)
            if room <= 0:
                cursor.insertBlock()
                room = max_paragraph
            cursor.insertText(text[:room])
            text = text[room:]

    def loadResource(self, type_: int, name: QUrl):  # noqa: N802 - Qt override
        # Model output is untrusted: no images or style sheets are fetched from anywhere.
        return None

    def _fit_height(self, *_args) -> None:
        height = math.ceil(self.document().size().height()) + 2
        if height != self._last_height:
            self._last_height = height
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.document().setTextWidth(self.viewport().width())
        self._fit_height()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(super().sizeHint().width(), max(self._last_height, 10))


def hang_code_indents(document) -> None:
    """Give each indented line of code (a block in a fixed-pitch font) a hanging indent of its own leading
    white space: a long line that wraps continues at its first character, not at the left edge, so the
    code's indentation still reads. The text itself is unchanged (Copy and selection give the same code)."""
    cursor = QTextCursor(document)
    block = document.begin()
    while block.isValid():
        text = block.text()
        lead = len(text) - len(text.lstrip(" \t"))
        first = block.begin()
        if lead and lead < len(text) and not first.atEnd():
            char_format = first.fragment().charFormat()
            if "monospace" in (char_format.fontFamilies() or []) or char_format.fontFixedPitch():
                metrics = QFontMetricsF(char_format.font())
                width = metrics.horizontalAdvance(text[:lead].replace("\t", "    "))
                fmt = block.blockFormat()
                fmt.setLeftMargin(fmt.leftMargin() + width)
                fmt.setTextIndent(fmt.textIndent() - width)
                cursor.setPosition(block.position())
                cursor.setBlockFormat(fmt)
        block = block.next()
