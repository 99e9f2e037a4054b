"""One catalogue download, run on its own worker thread, reported to the GUI a few times a second.

The worker asks the Hub for the file list (``plan_gguf``/``plan_mlx``) and then runs
``models.downloads.download.download``, which reports ``TransferProgress`` on the worker thread. Each report is
handed to the GUI thread with ``loop.call_soon_threadsafe`` (only the newest one is kept while the GUI
is busy) and ``changed`` is emitted at most every 250 ms. Cancel is a ``threading.Event``: the download
stops between two 1 MiB pieces and keeps its partial file for a resume.

Why a thread of its own rather than ``asyncio.to_thread``: a download runs for minutes or hours and
would hold one of the few threads of the loop's default executor that the rest of the window uses;
and a daemon thread never keeps a quitting app alive if the network stalls after the cancel.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from ...core.errors import DeepSeekError
from ...core.paths import AppPaths
from ...models.catalogue.catalogue import CatalogueModel, GgufQuant, MlxRepo
from ...models.errors import Cancelled
from ...models.folder_state import partial_of, plan_download
from ...models.local.registry import registry_for
from ...models.progress import TransferProgress
from ..background import BackgroundWork
from ..error_text import describe

log = logging.getLogger(__name__)

T = TypeVar("T")
UPDATE_INTERVAL_MS = 250


def run_in_thread(fn: Callable[[], T], name: str) -> asyncio.Future[T]:
    """Run ``fn`` on a new daemon thread; the result (or exception) arrives on the running loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            result, ok = fn(), True
        except BaseException as exc:  # noqa: BLE001 - handed over to the awaiting task
            result, ok = exc, False
        try:
            loop.call_soon_threadsafe(settle, ok, result)
        except RuntimeError:  # the loop is closed: the app has quit
            pass

    threading.Thread(target=work, name=name, daemon=True).start()
    return future


class JobState(str, Enum):
    """Where one download job of this session stands. (``models.catalogue.state.DownloadState`` is the
    catalogue's coarser view of a download on this computer: installed, active, partial or absent.)"""

    STARTING = "starting"  # asking the Hub for the file list
    DOWNLOAD = "download"
    VERIFY = "verify"
    DONE = "done"
    PAUSED = "paused"  # stopped (or interrupted earlier): the partial files are kept for a resume
    FAILED = "failed"  # ``error`` says why; ``partial`` bytes are kept when a resume is possible


RUNNING_STATES = (JobState.STARTING, JobState.DOWNLOAD, JobState.VERIFY)


class DownloadJob(QObject):
    """One download; ``state`` is a ``JobState``. Stopped only through ``DownloadCenter.stop``."""

    changed = Signal()
    finished = Signal(object)  # InstalledModel
    failed = Signal(str)  # one translated line

    def __init__(self, model: CatalogueModel, download: GgufQuant | MlxRepo, paths: AppPaths, folder: Path,
                 endpoint: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = BackgroundWork(self)
        self.work.failed.connect(self.failed)
        self.model, self.download = model, download
        self.spec = model.spec(download).format()
        self.paths, self.folder, self.endpoint = paths, folder, endpoint
        self.state = JobState.STARTING
        self.progress: TransferProgress | None = None
        self.total = download.size
        self.partial = 0
        self.error = ""
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._latest: TransferProgress | None = None
        self._scheduled = False
        self._dirty = False
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(UPDATE_INTERVAL_MS)
        self._throttle.timeout.connect(self._flush)
        self._task: asyncio.Task | None = None

    def mark_paused(self, partial: int) -> None:
        """A download interrupted earlier (in this session or the last one): ready to resume."""
        if not self.running:
            self.state, self.partial = JobState.PAUSED, partial
            self.changed.emit()

    @property
    def running(self) -> bool:
        """Started in this session and not finished yet."""
        return self._task is not None and self.state in RUNNING_STATES

    def start(self, partial: int = 0) -> None:
        """Start (or resume: the download continues the partial files on disk)."""
        if self.running:
            return
        self._cancel = threading.Event()
        self.state, self.error, self.progress, self.partial = JobState.STARTING, "", None, partial
        self._task = self.work.run(self._run())
        self.changed.emit()

    def cancel(self) -> None:
        """Ask the worker to stop between two pieces (``DownloadCenter.stop`` is the one caller)."""
        self._cancel.set()

    async def wait(self) -> None:
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        cancel = self._cancel

        def report(ev: TransferProgress) -> None:  # on the worker thread
            with self._lock:
                self._latest = ev
                if self._scheduled:
                    return
                self._scheduled = True
            try:
                loop.call_soon_threadsafe(self._deliver)
            except RuntimeError:  # the loop is closed: the app has quit
                pass

        def work():
            from ...models.downloads.download import download

            plan = plan_download(self.model, self.download, self.endpoint)
            if cancel.is_set():
                raise Cancelled("download.cancelled", "cancelled while asking the Hub")
            return download(plan, self.folder, registry=registry_for(self.paths, self.folder),
                            progress=report, cancel=cancel)

        try:
            installed = await run_in_thread(work, f"download {self.spec}")
        except Cancelled:
            log.info("download of %s cancelled", self.spec)
            await self._settle(JobState.PAUSED, "")
        except DeepSeekError as exc:
            log.warning("download of %s failed: %s", self.spec, exc.detail or exc)
            await self._settle(JobState.FAILED, describe(exc))
        except Exception as exc:  # noqa: BLE001 - one line in the window, the detail in the log
            log.exception("download of %s failed", self.spec)
            await self._settle(JobState.FAILED, describe(exc))
        else:
            if not isValid(self):
                return
            self._throttle.stop()
            self.state, self.partial = JobState.DONE, 0
            self.changed.emit()
            self.finished.emit(installed)

    async def _settle(self, state: JobState, error: str) -> None:
        try:
            kept = await asyncio.to_thread(partial_of, self.model, self.download, self.folder)
        except OSError:
            kept = 0
        if not isValid(self):
            return
        self._throttle.stop()
        self.state, self.error, self.partial = state, error, kept
        self.changed.emit()
        if error:
            self.failed.emit(error)

    # -- progress, on the GUI thread --------------------------------------------------------------
    def _deliver(self) -> None:
        if not isValid(self):
            return
        with self._lock:
            ev, self._latest, self._scheduled = self._latest, None, False
        if ev is None or not self.running:
            return
        self.progress = ev
        if ev.phase == "download" and ev.total:
            self.total = ev.total
        phase = {"download": JobState.DOWNLOAD, "verify": JobState.VERIFY}.get(ev.phase)
        phase_changed = phase is not None and phase is not self.state
        if phase is not None:
            self.state = phase
        if phase_changed or not self._throttle.isActive():
            self._dirty = False
            self.changed.emit()
            self._throttle.start()
        else:
            self._dirty = True

    def _flush(self) -> None:
        if self._dirty and self.running:
            self._dirty = False
            self.changed.emit()
            self._throttle.start()

    def fraction(self) -> float:
        if self.progress is not None and self.progress.total:
            return self.progress.fraction
        return min(1.0, self.partial / self.total) if self.total else 0.0
