"""Every download the model manager knows: those running in this session and the partial ones found
in the models folder (kept from a cancel, a failure or an earlier run), each shown as a row of the
downloads strip."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ...core.paths import AppPaths
from ...models.catalogue.catalogue import CatalogueModel, GgufQuant, MlxRepo
from ...models.catalogue.state import CatalogueState, resolve
from ...models.folder_state import LocalState, discard_partial
from ..background import BackgroundWork
from ..error_text import describe
from .download_job import DownloadJob, JobState
from .download_row import DownloadsPanel

log = logging.getLogger(__name__)


class DownloadCenter(QObject):
    installed = Signal(object)  # InstalledModel
    message = Signal(str, str)  # text, kind
    failed = Signal(str, str)  # a download failed: the model's name, the reason (its row shows the reason)
    statesChanged = Signal()  # a download started, stopped, finished, came or went (not mere progress)
    partialRemoved = Signal()

    def __init__(self, paths: AppPaths, endpoint: str | None, panel: DownloadsPanel,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths, self.endpoint, self.panel = paths, endpoint, panel
        self.jobs: dict[str, DownloadJob] = {}
        self._states: dict[str, tuple[JobState, int]] = {}
        self.work = BackgroundWork(self)
        self.work.failed.connect(lambda text: self.message.emit(text, "error"))
        panel.cancelRequested.connect(self.stop)
        panel.resumeRequested.connect(self.resume)
        panel.discardRequested.connect(self._spawn_discard)
        panel.dismissRequested.connect(self.dismiss)

    def start(self, model: CatalogueModel, download: GgufQuant | MlxRepo, folder: Path, spec: str) -> None:
        """Start ``spec`` into ``folder``, continuing its partial files there if there are any."""
        job = self.jobs.get(spec)
        if job is not None and job.running:
            return
        if job is None or job.folder != folder:
            job = self._new_job(model, download, folder)
        job.start(job.partial)

    def resume(self, spec: str) -> None:
        job = self.jobs.get(spec)
        if job is not None:
            job.start(job.partial)

    def _new_job(self, model: CatalogueModel, download: GgufQuant | MlxRepo, folder: Path) -> DownloadJob:
        job = DownloadJob(model, download, self.paths, folder, self.endpoint, self)
        old = self.jobs.get(job.spec)
        if old is not None:
            old.deleteLater()
        self.jobs[job.spec] = job
        job.finished.connect(self.installed)
        # a failure is told in its row; the window tells it elsewhere only while it is closed
        job.failed.connect(lambda text, job=job: self.failed.emit(job.model.name, text))
        job.changed.connect(self._on_job_changed)
        self.panel.add(job)
        return job

    def _on_job_changed(self) -> None:
        # Progress comes a few times a second; the catalogue's buttons only care about a new state.
        states = {spec: (job.state, job.partial) for spec, job in self.jobs.items()}
        if states != self._states:
            self._states = states
            self.statesChanged.emit()

    def sync(self, state: CatalogueState | None, local: LocalState) -> None:
        """A row for every partial download in the models folder; none for another folder's."""
        for spec, job in list(self.jobs.items()):
            if not job.running and job.folder != local.folder:
                self.dismiss(spec)
        if state is None:
            return
        for spec, have in local.partials.items():
            job = self.jobs.get(spec)
            if job is None:
                try:
                    model, download = resolve(state, spec)
                except Exception:  # noqa: BLE001 - a spec the catalogue no longer has
                    continue
                job = self._new_job(model, download, local.folder)
            if job.state in (JobState.STARTING, JobState.PAUSED):  # a failure keeps its message
                job.mark_paused(have)

    def partials(self) -> dict[str, int]:
        return {spec: job.partial for spec, job in self.jobs.items()
                if job.state in (JobState.PAUSED, JobState.FAILED) and job.partial}

    def active(self) -> set[str]:
        return {spec for spec, job in self.jobs.items() if job.running}

    def _spawn_discard(self, spec: str) -> None:
        self.work.run(self.discard(spec))

    async def discard(self, spec: str) -> None:
        """Delete the partial files of ``spec`` and its row."""
        job = self.jobs.get(spec)
        if job is None or job.running:
            return
        try:
            await asyncio.to_thread(discard_partial, job.model, job.download, job.folder)
        except OSError as exc:
            log.warning("discard %s: %s", spec, exc)
            self.message.emit(describe(exc), "error")
            return
        self.dismiss(spec)
        self.partialRemoved.emit()

    def dismiss(self, spec: str) -> None:
        job = self.jobs.get(spec)
        if job is None or job.running:
            return
        del self.jobs[spec]
        self.panel.remove(spec)
        job.deleteLater()
        self._on_job_changed()

    def stop(self, spec: str | None = None) -> None:
        """Stop the download ``spec`` (every download when None); the partial files stay for a resume.
        The one way a download is stopped: a row's Cancel, closing the app and the quit all come here."""
        jobs = list(self.jobs.values()) if spec is None else [j for s, j in self.jobs.items() if s == spec]
        for job in jobs:
            job.cancel()

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every download and wait (at most ``timeout`` seconds) until they have stopped."""
        self.stop()
        running = [self.work.run(job.wait()) for job in self.jobs.values() if job.running]
        if running:
            await asyncio.wait(running, timeout=timeout)
