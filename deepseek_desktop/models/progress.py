"""Progress of long operations (download, copy, hashing) as small frozen events.

Every long operation is a plain blocking call taking ``progress`` (a callable) and ``cancel`` (a
``threading.Event``). The callable runs on the worker thread that does the work; the GUI marshals it
to its own thread. Events are throttled so a fast disk does not flood a queue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import Cancelled


@dataclass(frozen=True)
class TransferProgress:
    """``phase``: "download", "verify" (hashing a download), "copy", "hash" or "done".

    ``done``/``total`` count bytes over the whole operation (all files); ``total`` is 0 when unknown.
    ``rate`` is bytes per second (smoothed), ``eta`` seconds or None while the rate is unknown.
    """

    phase: str
    name: str
    done: int
    total: int
    rate: float = 0.0
    eta: float | None = None
    file_index: int = 1
    file_count: int = 1

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


ProgressCallback = Callable[[TransferProgress], None]


class Meter:
    """Counts bytes, smooths the rate, emits throttled ``TransferProgress`` and honours ``cancel``."""

    def __init__(self, phase: str, total: int, progress: ProgressCallback | None,
                 cancel: threading.Event | None, *, done: int = 0, file_count: int = 1,
                 interval: float = 0.2, clock: Callable[[], float] = time.monotonic) -> None:
        self.phase = phase
        self.total = total
        self.done = done
        self.name = ""
        self.file_index = 1
        self.file_count = file_count
        self._progress = progress
        self._cancel = cancel
        self._interval = interval
        self._clock = clock
        self._last_emit = -1e9
        self._window_start = clock()
        self._window_bytes = 0
        self.rate = 0.0

    def check_cancel(self) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled(None, f"{self.phase} of {self.name or 'data'} cancelled at {self.done} bytes")

    def start_file(self, name: str, index: int) -> None:
        self.name, self.file_index = name, index
        self.emit(force=True)

    def add(self, n: int) -> None:
        self.done += n
        if n < 0:  # huggingface_hub takes bytes back when a server ignored a Range request
            return
        self._window_bytes += n
        now = self._clock()
        elapsed = now - self._window_start
        if elapsed >= 0.5:
            # Exponential smoothing over half-second windows: steady enough for an ETA, quick to follow.
            current = self._window_bytes / elapsed
            self.rate = current if self.rate == 0 else 0.7 * self.rate + 0.3 * current
            self._window_start, self._window_bytes = now, 0
        self.emit()
        self.check_cancel()

    def emit(self, *, force: bool = False, phase: str | None = None) -> None:
        if phase is not None:
            self.phase = phase
        if self._progress is None:
            return
        now = self._clock()
        if not force and now - self._last_emit < self._interval:
            return
        self._last_emit = now
        eta = None
        if self.rate > 0 and self.total:
            eta = max(0.0, (self.total - self.done) / self.rate)
        self._progress(TransferProgress(self.phase, self.name, self.done, self.total, self.rate, eta,
                                        self.file_index, self.file_count))
