"""The collapsible reasoning of a reply ("Thought for 12 s"), shown apart from the answer."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QFrame, QToolButton, QVBoxLayout, QWidget

from .rich_text import RichTextView


class ThinkingSection(QWidget):
    """DeepSeek-R1's reasoning: open while it streams, collapsed when the answer starts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton(self)
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._on_toggled)
        self.body = RichTextView(self)
        self.body.setObjectName("thinkingBody")
        frame = QFrame(self)
        frame.setObjectName("thinkingFrame")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(10, 0, 0, 0)
        inner.addWidget(self.body)
        self.frame = frame
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(frame)
        self.seconds: float | None = None
        self.streaming = False
        self._on_toggled(False)

    def _on_toggled(self, open_: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        self.frame.setVisible(open_)

    def set_open(self, open_: bool) -> None:
        self.toggle.setChecked(open_)

    def retranslate(self) -> None:
        if self.streaming:
            self.toggle.setText(self.tr("Thinking…"))
        elif self.seconds is not None and self.seconds < 0.05:
            self.toggle.setText(self.tr("Thought for less than 0.1 s"))
        elif self.seconds is not None:
            secs = QLocale().toString(self.seconds, "f", 1)
            self.toggle.setText(self.tr("Thought for {seconds} s").format(seconds=secs))
        else:
            self.toggle.setText(self.tr("Thinking"))
        self.toggle.setAccessibleDescription(self.tr("Shows or hides the model's reasoning"))
