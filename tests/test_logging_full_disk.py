"""A full disk while logging: the record is lost, quietly; the user's terminal gets no "--- Logging error ---"
and no traceback, and once there is room again the log says how many records were lost."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from deepseek_desktop.core.app_logging import setup_logging


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    handlers, level, last_resort = list(root.handlers), root.level, logging.lastResort
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.lastResort = last_resort


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
def test_a_full_disk_while_logging_prints_nothing(tmp_path, capsys, root_logger):
    log_file = tmp_path / "app.log"
    os.symlink("/dev/full", log_file)  # every write: ENOSPC, as on a full disk
    setup_logging(log_file)
    for i in range(3):
        logging.getLogger("deepseek_desktop.test").warning("record %d", i)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    # room again: the next record is written, after a line saying what was lost
    handler = next(h for h in root_logger.handlers if getattr(h, "_deepseek_desktop", False))
    log_file.unlink()
    logging.getLogger("deepseek_desktop.test").warning("back")
    handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "3 log records were lost" in text and text.rstrip().endswith("back")
    assert capsys.readouterr().err == ""
