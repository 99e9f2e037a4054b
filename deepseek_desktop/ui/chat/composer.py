"""Where the user writes: Enter sends, Shift+Enter is a new line; Send becomes Stop while a reply streams."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from .message_input import MessageInput


class ComposerState(Enum):
    IDLE = "idle"  # Enter sends
    GENERATING = "generating"  # the button is Stop
    BLOCKED = "blocked"  # nothing can be sent; the reason is shown in the field


class Composer(QWidget):
    sendRequested = Signal(str)
    stopRequested = Signal()

    IDLE, GENERATING, BLOCKED = ComposerState.IDLE, ComposerState.GENERATING, ComposerState.BLOCKED

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = MessageInput(self)
        self.input.setObjectName("composerInput")
        self.input.submit.connect(self._on_submit)
        self.input.document().documentLayout().documentSizeChanged.connect(self._grow)
        self.input.widthChanged.connect(self._grow)
        self.input.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.button = QPushButton(self)
        self.button.setObjectName("sendButton")
        self.button.setMinimumWidth(90)
        self.button.clicked.connect(self._on_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.addWidget(self.input, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignBottom)
        self.mode = ComposerState.IDLE
        self._hint = ""  # set with the state (set_mode)
        self.input.textChanged.connect(self._update_button)
        self.retranslate()
        self._grow()

    def _grow(self, *_args) -> None:
        # one to eight lines, then the text scrolls; an empty field is as tall as its hint needs
        line = self.input.fontMetrics().lineSpacing()
        lines = max(1, min(8, int(self.input.document().size().height())))
        if self.input.document().isEmpty():
            lines = max(lines, min(3, self.placeholder_lines()))
        height = lines * line + 2 * int(self.input.document().documentMargin()) + 8
        if height != self.input.height():
            self.input.setFixedHeight(height)

    def placeholder_lines(self) -> int:
        """How many lines the hint in the empty field takes at the field's width."""
        text = self.input.placeholderText()
        if not text:
            return 1
        width = self.input.viewport().width() - 2 * int(self.input.document().documentMargin())
        rect = self.input.fontMetrics().boundingRect(QRect(0, 0, max(1, width), 100_000),
                                                     int(Qt.TextFlag.TextWordWrap), text)
        return max(1, -(-rect.height() // self.input.fontMetrics().lineSpacing()))


    def _on_submit(self) -> None:
        if self.mode == self.IDLE:
            text = self.input.toPlainText().strip()
            if text:
                self.input.clear()
                self.sendRequested.emit(text)

    def _on_button(self) -> None:
        if self.mode == self.GENERATING:
            self.stopRequested.emit()
        else:
            self._on_submit()

    def set_mode(self, mode: ComposerState, hint: str) -> None:
        """The one state of the message box and the one hint that goes with it (``EnginePresenter`` decides
        both from the engine's state and the session's turn): the button, the hint and what a screen reader
        says follow at once."""
        self.mode = ComposerState(mode)
        self._hint = hint
        self._show_state()

    @property
    def hint(self) -> str:
        return self._hint

    def restore(self, text: str) -> None:
        """Put back text that could not be sent, unless the user has typed something new meanwhile."""
        if not self.input.toPlainText().strip():
            self.input.setPlainText(text)

    def _update_button(self) -> None:
        if self.mode == self.IDLE:
            self.button.setEnabled(bool(self.input.toPlainText().strip()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.input.setAccessibleName(self.tr("Message"))
        self._show_state()

    def _show_state(self) -> None:
        generating = self.mode == self.GENERATING
        self.button.setText(self.tr("Stop") if generating else self.tr("Send"))
        self.button.setToolTip(self.tr("Stop the reply (Esc)") if generating else
                               self.tr("Send (Enter)") if self.mode == self.IDLE else "")
        if generating:
            self.button.setEnabled(True)
        elif self.mode == self.BLOCKED:
            self.button.setEnabled(False)
        else:
            self._update_button()
        if self.input.placeholderText() != self._hint:
            self.input.setPlaceholderText(self._hint)
            # Qt repaints the hint only when it appears or vanishes, not when its text changes: the old
            # text stayed on the screen until the next keystroke.
            self.input.viewport().update()
        self.input.setAccessibleDescription(self._hint)
        # typing ahead stays possible while the model answers or loads; only sending waits
        self.input.setReadOnly(False)
        self._grow()
