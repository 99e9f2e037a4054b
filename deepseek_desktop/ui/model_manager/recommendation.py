"""The card on top of the model manager: the best model for this computer with one click to download
it, beside it a quick first try when the best one is a long download, and for the 671B models that cannot
run here, the way to use them on a server instead."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QWidget

from ...models.catalogue.state import CatalogueState, DownloadState, download_state
from ..fit_text import badge_sheet, fit_tooltip, level_text, size_text, speed_line


class RecommendationCard(QFrame):
    downloadRequested = Signal(str)  # spec
    showRequested = Signal(str)  # model id
    remoteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionHeading")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.label.setWordWrap(True)
        self.badge = QLabel(self)
        self.show_button = QPushButton(self)
        self.show_button.clicked.connect(self._show)
        self.download_button = QPushButton(self)
        self.download_button.setObjectName("primaryButton")
        self.download_button.clicked.connect(self._download)
        self.quick_label = QLabel(self)
        self.quick_label.setTextFormat(Qt.TextFormat.PlainText)
        self.quick_label.setWordWrap(True)
        self.quick_button = QPushButton(self)
        self.quick_button.clicked.connect(self._download_quick)
        self.remote_label = QLabel(self)
        self.remote_label.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.remote_label.setWordWrap(True)
        self.remote_label.setObjectName("mutedLabel")
        self.remote_button = QPushButton(self)
        self.remote_button.clicked.connect(self.remoteRequested)
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.addWidget(self.heading, 0, 0, 1, 2)
        grid.addWidget(self.label, 1, 0)
        grid.addWidget(self.badge, 1, 1, Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.show_button, 1, 2)
        grid.addWidget(self.download_button, 1, 3)
        grid.addWidget(self.quick_label, 2, 0, 1, 3)
        grid.addWidget(self.quick_button, 2, 3)
        grid.addWidget(self.remote_label, 3, 0, 1, 2)
        grid.addWidget(self.remote_button, 3, 2, 1, 2)
        grid.setColumnStretch(0, 1)
        self.state: CatalogueState | None = None
        self._button_state: tuple[DownloadState, int] = (DownloadState.ABSENT, 0)
        self._quick_state: tuple[DownloadState, int] = (DownloadState.ABSENT, 0)
        self.retranslate()

    def set_state(self, state: CatalogueState | None) -> None:
        self.state = state
        self.retranslate()

    def set_local(self, installed: set[str], partials: dict[str, int], active: set[str]) -> None:
        best = self.state.recommendation.best if self.state else None
        spec = best.spec if best else ""
        self._button_state = download_state(spec, installed, active, partials)
        quick = self.state.recommendation.quick if self.state else None
        self._quick_state = download_state(quick.spec if quick else "", installed, active, partials)
        self.retranslate()

    def _download(self) -> None:
        if self.state is not None and self.state.recommendation.best is not None:
            self.downloadRequested.emit(self.state.recommendation.best.spec)

    def _download_quick(self) -> None:
        if self.state is not None and self.state.recommendation.quick is not None:
            self.downloadRequested.emit(self.state.recommendation.quick.spec)

    def _show(self) -> None:
        if self.state is not None and self.state.recommendation.best is not None:
            self.showRequested.emit(self.state.recommendation.best.model.id)

    def _show_download_state(self, button: QPushButton, state: tuple[DownloadState, int]) -> None:
        kind, partial = state
        texts = {DownloadState.INSTALLED: self.tr("Installed"), DownloadState.ACTIVE: self.tr("Downloading…"),
                 DownloadState.PARTIAL: self.tr("Resume"), DownloadState.ABSENT: self.tr("Download")}
        button.setText(texts[kind])
        button.setEnabled(kind not in (DownloadState.INSTALLED, DownloadState.ACTIVE))
        button.setToolTip(self.tr("{done} already downloaded").format(done=size_text(partial))
                          if kind is DownloadState.PARTIAL else "")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Recommended for this computer"))
        state = self.state
        best = state.recommendation.best if state else None
        self.show_button.setText(self.tr("Details"))
        self.remote_button.setText(self.tr("Set up a remote server…"))
        self.remote_button.setToolTip(self.tr("Plan the launch on your own GPUs or cluster, or use DeepSeek's API"))
        if state is None:
            self.label.setText(self.tr("Checking this computer…"))
            for w in (self.badge, self.show_button, self.download_button, self.remote_label, self.remote_button,
                      self.quick_label, self.quick_button):
                w.hide()
            return
        if best is None:
            self.label.setText(self.tr("None of the catalogue's models fits this computer's free memory "
                                       "({free}). A remote server can run them.").format(
                free=size_text(state.hw.ram_available_bytes)))
            for w in (self.badge, self.show_button, self.download_button):
                w.hide()
        else:
            self.label.setText(self.tr("{name} · {quant} · {size} download").format(
                name=best.model.name, quant=best.quant, size=size_text(best.size_bytes))
                + ("   " + speed_line(best.speed) if best.tokens_per_s else ""))
            self.badge.setText(level_text(best.level))
            self.badge.setStyleSheet(badge_sheet(best.level))
            self.badge.setToolTip(fit_tooltip(best.fit, state.hw, best.tokens_per_s))
            self._show_download_state(self.download_button, self._button_state)
            for w in (self.badge, self.show_button, self.download_button):
                w.show()
        quick = state.recommendation.quick
        self.quick_label.setVisible(quick is not None)
        self.quick_button.setVisible(quick is not None)
        if quick is not None:
            self.quick_label.setText(self.tr("For a quick first try: {name} · {quant} · {size} download").format(
                name=quick.model.name, quant=quick.quant, size=size_text(quick.size_bytes))
                + "   " + level_text(quick.level).lower() + ", " + speed_line(quick.speed))
            self._show_download_state(self.quick_button, self._quick_state)
        remote = state.recommendation.remote
        self.remote_label.setVisible(bool(remote))
        self.remote_button.setVisible(bool(remote))
        if remote:
            names = ", ".join(r.model.name for r in remote)
            self.remote_label.setText(self.tr(
                "Too big to run here: {names}. Use them through DeepSeek's API or a cluster of your own.").format(
                names=names))
