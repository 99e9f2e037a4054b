"""The status bar's engine part: starting, loading with progress, ready, generating, stopped + Restart,
failed + Retry. What it shows comes from the engine's state (see ``EnginePresenter``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QSizePolicy, QWidget

from ..elided_label import ElidedLabel
from .controller import EngineState


class EngineStatusWidget(QWidget):
    restartRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel(self)  # the model's label is a file or server name, maybe a long one
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.restart = QPushButton(self)
        # its own size: a long model name is cut ("…") before the button is squeezed
        self.restart.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.restart.clicked.connect(self.restartRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)  # the status bar gives this widget its width: the button keeps its own
        layout.addWidget(self.progress)
        layout.addWidget(self.restart)
        self.state = EngineState.STOPPED
        self.model_label = ""
        self.where = ""  # where the loaded model runs ("CPU · AVX2 · 1 thread"), shown while it is loaded
        self.set_state(EngineState.STOPPED)

    def set_state(self, state: EngineState, model_label: str | None = None) -> None:
        self.state = state
        if model_label is not None:
            self.model_label = model_label
        self.progress.setVisible(state == EngineState.LOADING)
        self.restart.setVisible(state in (EngineState.CRASHED, EngineState.FAILED))
        if state == EngineState.LOADING:
            self.progress.setValue(0)
        self.retranslate()

    def set_where(self, where: str) -> None:
        if where != self.where:
            self.where = where
            self.retranslate()

    def set_progress(self, fraction: float) -> None:
        self.progress.setValue(int(round(fraction * 100)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        texts = {
            EngineState.STOPPED: self.tr("Engine: not started"),
            EngineState.STARTING: self.tr("Engine: starting…"),
            EngineState.LOADING: self.tr("Loading {model}…").format(model=self.model_label),
            EngineState.READY: self.tr("Ready: {model}").format(model=self.model_label),
            EngineState.GENERATING: self.tr("Generating with {model}…").format(model=self.model_label),
            EngineState.CRASHED: self.tr("Engine stopped"),
            EngineState.FAILED: self.tr("Not loaded: {model}").format(model=self.model_label),
        }
        text = texts.get(self.state, str(self.state))
        if self.where and self.state in (EngineState.READY, EngineState.GENERATING):
            text = f"{text} · {self.where}"
        self.label.set_text(text)
        if self.state == EngineState.FAILED:
            self.restart.setText(self.tr("Retry"))
            self.restart.setToolTip(self.tr("Try to load the model again"))
        else:
            self.restart.setText(self.tr("Restart"))
            self.restart.setToolTip(self.tr("Start the engine again and reload the model"))
