"""Logging to a rotating file in the log folder: the detail behind every one-line message."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file. A record that cannot be written (a full disk, a log folder taken away) is lost
    quietly and counted, never a "--- Logging error ---" with a traceback in the user's terminal; the file is
    reopened at the next record, and the first one written again says how many were lost."""

    lost = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.lost:
            lost, self.lost = self.lost, 0
            super().emit(logging.LogRecord(__name__, logging.WARNING, __file__, 0,
                                           "%d log records were lost: the log file could not be written",
                                           (lost,), None))
            if self.lost:  # still failing: this record is lost too
                self.lost = lost + 1
                return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        self.lost += 1
        stream, self.stream = self.stream, None  # what it buffered is dropped; reopened at the next record
        if stream is not None:
            try:
                stream.close()
            except (OSError, ValueError):
                pass


def setup_logging(log_file: Path, verbose: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_deepseek_desktop", False):
            root.removeHandler(handler)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = _LogFile(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        file_handler = logging.NullHandler()  # an unwritable log folder must not stop the app
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler._deepseek_desktop = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(_FORMAT))
        stream._deepseek_desktop = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    else:
        # keep Python's "last resort" handler from printing warnings into the user's terminal
        logging.lastResort = None
