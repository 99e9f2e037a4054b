"""The toolbar's thinking budget for the conversation shown, beside the model: as the settings say, unlimited,
a few token budgets, or off (``core.thinking``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, QSize, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from ...core import thinking


class _Combo(QComboBox):
    """Always as wide as its longest choice. QComboBox keeps the widest minimum it ever had, so after German
    it would keep taking German's room in English (the toolbar has none to spare at 800 pixels)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()


class ThinkingPicker(QWidget):
    choiceChanged = Signal(object)  # int (core.thinking's value) or None: the setting

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.combo = _Combo(self)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._values: list[int | None] = [None, *thinking.CONVERSATION_CHOICES]
        for _ in self._values:
            self.combo.addItem("")
        self.combo.activated.connect(lambda i: self.choiceChanged.emit(self._values[i]))
        self.label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # in the toolbar, whose row has its own margins
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        self.retranslate()

    def choice(self) -> int | None:
        return self._values[self.combo.currentIndex()]

    def set_choice(self, choice: int | None) -> None:
        """Show a conversation's choice (a value not offered, from an older or newer app: as the setting)."""
        self.combo.setCurrentIndex(self._values.index(choice) if choice in self._values else 0)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def text_for(self, value: int | None) -> str:
        if value is None:
            return self.tr("As in the settings")
        if value == thinking.OFF:
            return self.tr("Off")
        if value == thinking.UNLIMITED:
            return self.tr("Unlimited")
        return self.tr("%1 tokens").replace("%1", QLocale().toString(value))

    def retranslate(self) -> None:
        self.label.setText(self.tr("Thinking:"))
        for i, value in enumerate(self._values):
            self.combo.setItemText(i, self.text_for(value))
        self.combo.setAccessibleName(self.tr("Thinking budget"))
        self.combo.setToolTip(self.tr("How long a reasoning model may think before it answers, for this "
                                      "conversation. Off only works with models whose chat template can switch "
                                      "thinking off."))
