"""The downloads strip of the model manager: one row per download with its bar, rate, time left and
Cancel / Resume / Discard. A row also stands for a partial download kept from an earlier run."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.vocabulary import DownloadSpec
from ..fit_text import duration_text, rate_text, size_text
from .download_job import DownloadJob, JobState


class DownloadRow(QWidget):
    cancelRequested = Signal(str)  # spec
    resumeRequested = Signal(str)
    discardRequested = Signal(str)
    dismissRequested = Signal(str)

    def __init__(self, job: DownloadJob, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadRow")
        self.job = job
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.title.setObjectName("downloadTitle")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setMinimumWidth(220)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.status.setObjectName("mutedLabel")
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(lambda: self.cancelRequested.emit(job.spec))
        self.resume_button = QPushButton(self)
        self.resume_button.clicked.connect(lambda: self.resumeRequested.emit(job.spec))
        self.discard_button = QPushButton(self)
        self.discard_button.clicked.connect(lambda: self.discardRequested.emit(job.spec))
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(lambda: self.dismissRequested.emit(job.spec))
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.cancel_button, self.resume_button, self.discard_button, self.dismiss_button):
            buttons.addWidget(b)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 6, 0, 6)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.bar, 0, 1)
        grid.addLayout(buttons, 0, 2)
        grid.addWidget(self.status, 1, 0, 1, 3)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        job.changed.connect(self.update_view)
        self.update_view()

    def update_view(self) -> None:
        job = self.job
        self.title.setText(f"{job.model.name} · {DownloadSpec.parse(job.spec).download}")
        self.title.setToolTip(job.spec)
        running = job.running
        resumable = job.state is JobState.PAUSED or (job.state is JobState.FAILED and job.partial > 0)
        self.cancel_button.setVisible(running)
        self.resume_button.setVisible(job.state in (JobState.PAUSED, JobState.FAILED))
        self.discard_button.setVisible(resumable)
        self.dismiss_button.setVisible(job.state in (JobState.DONE, JobState.FAILED))
        # asking the Hub: a bar that moves, not one at 0 %; failed with nothing downloaded: no bar at all
        self.bar.setRange(0, 0 if job.state is JobState.STARTING else 1000)
        self.bar.setVisible(not (job.state is JobState.FAILED and job.partial == 0))
        self.bar.setValue(int(round((1.0 if job.state is JobState.DONE else job.fraction()) * 1000)))
        self.bar.setFormat(self.tr("%p %"))
        self.status.setText(self._status_text())
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop the download. What has arrived is kept for a resume."))
        if job.state is JobState.FAILED and job.partial == 0:
            self.resume_button.setText(self.tr("Try again"))
        else:
            self.resume_button.setText(self.tr("Resume"))
        self.resume_button.setToolTip(self.tr("Continue where the download stopped"))
        self.discard_button.setText(self.tr("Discard"))
        self.discard_button.setToolTip(self.tr("Delete the partly downloaded files"))
        self.dismiss_button.setToolTip(self.tr("Remove from this list"))
        self.dismiss_button.setAccessibleName(self.tr("Remove from this list"))  # its text is only "✕"

    def _status_text(self) -> str:
        job, p = self.job, self.job.progress
        if job.state is JobState.STARTING:
            return self.tr("Asking the model server for the files…")
        if job.state is JobState.VERIFY:
            if p is not None and p.done < p.total and p.total != job.total:
                return self.tr("Checking the {done} already downloaded…").format(done=size_text(p.total))
            return self.tr("Checking the downloaded data…")
        if job.state is JobState.DOWNLOAD and p is not None:
            parts = [self.tr("{done} of {total}").format(done=size_text(p.done), total=size_text(job.total))]
            if p.rate > 0:
                parts.append(rate_text(p.rate))
            if p.eta is not None:
                parts.append(self.tr("about {time} left").format(time=duration_text(p.eta)))
            if p.file_count > 1:
                parts.append(self.tr("file {index} of {count}").format(index=p.file_index, count=p.file_count))
            return " · ".join(parts)
        if job.state is JobState.DOWNLOAD:
            return self.tr("Downloading…")
        if job.state is JobState.DONE:
            return self.tr("Installed. Choose it in the toolbar to chat with it.")
        kept = self.tr("{done} of {total} downloaded.").format(done=size_text(job.partial),
                                                                 total=size_text(job.total))
        if job.state is JobState.PAUSED:
            return self.tr("Paused: {kept} Resume continues where it stopped.").format(kept=kept)
        if job.partial:
            return self.tr("{error} {kept} Resume continues from there.").format(error=job.error, kept=kept)
        return job.error

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.update_view()
        super().changeEvent(event)


class DownloadsPanel(QFrame):
    """Every download of this session and every partial one on disk; hidden while there are none."""

    cancelRequested = Signal(str)
    resumeRequested = Signal(str)
    discardRequested = Signal(str)
    dismissRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadsPanel")
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.heading.setObjectName("sectionHeading")
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addLayout(self._rows_box)
        self.rows: dict[str, DownloadRow] = {}
        self.retranslate()
        self.hide()

    def add(self, job: DownloadJob) -> DownloadRow:
        row = self.rows.get(job.spec)
        if row is not None and row.job is job:
            return row
        if row is not None:
            self.remove(job.spec)
        row = DownloadRow(job, self)
        row.cancelRequested.connect(self.cancelRequested)
        row.resumeRequested.connect(self.resumeRequested)
        row.discardRequested.connect(self.discardRequested)
        row.dismissRequested.connect(self.dismissRequested)
        self._rows_box.addWidget(row)
        self.rows[job.spec] = row
        self.show()
        return row

    def remove(self, spec: str) -> None:
        row = self.rows.pop(spec, None)
        if row is not None:
            self._rows_box.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.setVisible(bool(self.rows))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Downloads"))


