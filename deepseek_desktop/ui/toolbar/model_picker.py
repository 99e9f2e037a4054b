"""The toolbar: which model and engine answer, how well it fits this machine, and the way to more."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from ...core.model_choice import ModelChoice
from ...core.vocabulary import NEUTRAL_COLOUR, Engine, FitVerdict
from ..fit_text import verdict_text

# The badge of what is not judged by its fit here: a remote server, and the simulator (no model).
ENGINE_BADGE_COLOURS = {Engine.REMOTE: "#6a1b9a", Engine.SIMULATOR: NEUTRAL_COLOUR}


class ModelCombo(QComboBox):
    """As wide as its longest name where the toolbar has room (at least ``PREFERRED`` pixels), and down to
    ``SHORTEST`` characters where it has not (800 pixels, German): the name is then cut in the middle with "…"
    (its start and its size and quantisation at the end stay), and the whole one is in the open list. The rest
    of the toolbar keeps its size."""

    PREFERRED, SHORTEST = 260, 13

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(self.SHORTEST)
        items = self.model()  # the width asked for follows the names (Qt asks again only in AdjustToContents)
        for changed in (items.rowsInserted, items.rowsRemoved, items.dataChanged, items.modelReset):
            changed.connect(lambda *_: self.updateGeometry())

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()  # SHORTEST characters, with the frame and the arrow
        fm = self.fontMetrics()
        longest = max((fm.horizontalAdvance(self.itemText(i)) for i in range(self.count())), default=0)
        extra = max(0, longest - self.SHORTEST * fm.horizontalAdvance("x"))
        return QSize(max(self.PREFERRED, hint.width() + extra), hint.height())

    def showPopup(self) -> None:  # noqa: N802
        self.view().setMinimumWidth(self.sizeHint().width())  # the open list shows whole names
        super().showPopup()

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        option.currentText = self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideMiddle,
                                                           field.width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class ModelPicker(QWidget):
    choiceActivated = Signal(object)  # ModelChoice
    manageRequested = Signal()
    settingsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = ModelCombo(self)
        self.combo.activated.connect(self._on_activated)
        self.engine_label = QLabel(self)
        self.engine_label.setTextFormat(Qt.TextFormat.PlainText)
        self.badge = QLabel(self)
        self.badge.setTextFormat(Qt.TextFormat.PlainText)
        self.badge.setObjectName("fitBadge")
        self.badge.hide()
        self.manage = QPushButton(self)
        self.manage.clicked.connect(self.manageRequested)
        self.settings = QPushButton(self)
        self.settings.clicked.connect(self.settingsRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.combo)
        layout.addWidget(self.engine_label)
        layout.addWidget(self.badge)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(spacer)
        layout.addWidget(self.manage)
        layout.addWidget(self.settings)
        self._choices: list[ModelChoice] = []
        self._verdict: FitVerdict | Engine | None = None
        self._badge_tip = ""
        self.retranslate()

    def add_beside(self, widget: QWidget, focus: QWidget) -> None:
        """Put ``widget`` (a control that goes with the model) right after the model and its badge, before
        the buttons on the right; ``focus``, its control, comes after the model's with Tab."""
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.badge) + 1, widget)
        QWidget.setTabOrder(self.combo, focus)
        QWidget.setTabOrder(focus, self.manage)

    def set_choices(self, choices: list[ModelChoice], current: ModelChoice | None) -> None:
        self._choices = list(choices)
        self.combo.blockSignals(True)
        self.combo.clear()
        for choice in choices:
            self.combo.addItem(self.label_for(choice))
        self.combo.blockSignals(False)
        self.set_current(current)

    def set_current(self, current: ModelChoice | None) -> None:
        keys = [c.key for c in self._choices]
        if current is not None and current.key in keys:
            self.combo.setCurrentIndex(keys.index(current.key))
        self._show_engine(current)

    def current(self) -> ModelChoice | None:
        i = self.combo.currentIndex()
        return self._choices[i] if 0 <= i < len(self._choices) else None

    def set_fit(self, verdict: FitVerdict | Engine | None, tooltip: str) -> None:
        """``verdict``: where the model runs here, the remote or the simulator engine, or None (no badge)."""
        self._verdict, self._badge_tip = verdict, tooltip
        self.retranslate()

    def _on_activated(self, index: int) -> None:
        if 0 <= index < len(self._choices):
            self._show_engine(self._choices[index])
            self.choiceActivated.emit(self._choices[index])

    def _show_engine(self, choice: ModelChoice | None) -> None:
        names = {Engine.REMOTE: self.tr("remote"), Engine.SIMULATOR: self.tr("built-in answers")}
        self.engine_label.setText(names.get(choice.engine, choice.engine.shown_name) if choice else "")

    def label_for(self, choice: ModelChoice) -> str:
        if choice.engine is Engine.SIMULATOR:
            return self.tr("Simulator (no model)")
        return choice.label or choice.model

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.combo.setToolTip(self.tr("The model that answers. Switching keeps the conversation."))
        self.combo.setAccessibleName(self.tr("Model"))
        for i, choice in enumerate(self._choices):
            self.combo.setItemText(i, self.label_for(choice))
        self._show_engine(self.current())
        self.manage.setText(self.tr("Models…"))
        self.manage.setToolTip(self.tr("Find, download and import models"))
        self.settings.setText(self.tr("Settings…"))
        verdict = self._verdict
        if isinstance(verdict, FitVerdict):
            text, colour = verdict_text(verdict), verdict.face.colour
        else:
            engines = {Engine.REMOTE: self.tr("Runs on a server"), Engine.SIMULATOR: self.tr("No model")}
            text, colour = engines.get(verdict, ""), ENGINE_BADGE_COLOURS.get(verdict, NEUTRAL_COLOUR)
        self.badge.setVisible(bool(text))
        self.badge.setText(text)
        self.badge.setAccessibleName(self.tr("How the model fits this computer: {verdict}").format(verdict=text))
        self.badge.setToolTip(self._badge_tip)
        self.badge.setStyleSheet(f"background-color: {colour};")
