"""A one-line label that ends in "…" (paths: "…" in the middle) when its room is too narrow.

``text()`` stays the whole text (for the tooltip, screen readers and tests); only the painting is cut."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # file, server and model names reach it: never HTML
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_text(self, text: str) -> None:
        """The text, and the same in the tooltip (where it can be read when it is cut)."""
        self.setText(text)
        self.setToolTip(text)

    def shown_text(self) -> str:
        """What fits: the text, or its elided form."""
        path = "/" in self.text() or "\\" in self.text()
        mode = Qt.TextElideMode.ElideMiddle if path else Qt.TextElideMode.ElideRight
        return self.fontMetrics().elidedText(self.text(), mode, self.contentsRect().width())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height())

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()) | int(Qt.TextFlag.TextSingleLine),
                         self.shown_text())
