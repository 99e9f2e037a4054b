"""Logging to a rotating file in the log folder: the detail behind every one-line message."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_file: Path, verbose: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_deepseek_desktop", False):
            root.removeHandler(handler)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
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
