"""The GPU pack, offered in the model manager when an NVIDIA GPU is here and no engine for it is installed.

One button under the hardware line ("Get the GPU pack"): on request the pack is downloaded into the data
folder (resumable, SHA-256 checked) on a worker thread, the button shows how far it is, and one line says
the result. The engine loads the pack the next time it starts.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from PySide6.QtCore import QLocale, QObject, Signal
from PySide6.QtWidgets import QPushButton

from ...core.paths import AppPaths
from ...engine_host.device_query import install_offered_pack
from ...models.progress import TransferProgress
from ..background import BackgroundWork, failure_line

log = logging.getLogger(__name__)


class GpuPackOffer(QObject):
    message = Signal(str, str)  # one translated line and its kind ("info" | "error") for the notice bar
    installed = Signal(str)  # the pack's name
    _progressed = Signal(object)  # TransferProgress, emitted on the worker thread, received on the GUI thread

    def __init__(self, paths: AppPaths, button: QPushButton, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.button = button
        self.work = BackgroundWork(self)
        self.cancel = threading.Event()
        self.busy = False
        self._offered = False
        self._fraction = 0.0
        self.button.setVisible(False)
        self.button.clicked.connect(self.start)
        self._progressed.connect(self._on_progress)
        self.retranslate()

    def offer(self, hw) -> None:
        """Show the button when the hardware has a GPU that only the pack would drive."""
        self._offered = any(h.remedy == "pack" for h in hw.hints)
        self.button.setVisible(self._offered or self.busy)

    def start(self) -> None:
        if self.busy:
            return
        self.busy, self._fraction = True, 0.0
        self.cancel.clear()
        self.button.setEnabled(False)
        self.retranslate()
        self.work.run(self._install(), on_failure=self._failed)

    def stop(self) -> None:
        """Quitting: a running download stops; its partial file stays for the next attempt."""
        self.cancel.set()

    async def _install(self) -> None:
        info = await asyncio.to_thread(install_offered_pack, self.paths, self._progressed.emit, self.cancel)
        self._finish()
        self._offered = False
        self.button.setVisible(False)
        self.message.emit(self.tr("The GPU pack {name} ({backend}) is installed; the engine uses it from its "
                                  "next start.").format(name=info.name, backend=info.backend), "info")
        self.installed.emit(info.name)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.button.setVisible(self._offered)
        self.message.emit(failure_line(exc, lambda: self.tr("The GPU pack could not be installed; the details "
                                                             "are in the log.")), "error")

    def _finish(self) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.retranslate()

    def _on_progress(self, ev: TransferProgress) -> None:
        self._fraction = ev.fraction
        self.retranslate()

    def retranslate(self) -> None:
        if self.busy:
            self.button.setText(self.tr("Getting the GPU pack… {percent}").format(
                percent=QLocale().toString(self._fraction * 100, "f", 0) + " %"))
        else:
            self.button.setText(self.tr("Get the GPU pack"))
        self.button.setToolTip(self.tr("Downloads llama.cpp's CUDA engine for the NVIDIA GPU into the data "
                                       "folder; it is used from the engine's next start."))
