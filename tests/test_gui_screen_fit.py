"""Windows on small screens: every window opens inside the screen, with every button on it, at 800 x 600 and
1024 x 768 (each screen size in a process of its own, ``screen_fit_windows.py``), and the rule that fits them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMargins, QRect

from deepseek_desktop.ui.screen_fit import fitted

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("width,height", [(800, 600), (1024, 768)])
def test_every_window_fits_a_small_screen(tmp_path, width, height):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "small", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", SCREEN=f"{width}x{height}")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                          str(HERE / "screen_fit_windows.py")], cwd=HERE.parent, env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


def test_a_rectangle_is_shrunk_and_moved_into_the_screen_never_grown():
    area = QRect(0, 0, 800, 600)
    frame = QMargins(2, 30, 2, 2)
    assert fitted(QRect(300, 200, 1600, 1000), frame, area) == QRect(2, 30, 796, 568)
    assert fitted(QRect(700, 500, 400, 300), frame, area) == QRect(398, 298, 400, 300)
    assert fitted(QRect(-50, -10, 400, 300), frame, area) == QRect(2, 30, 400, 300)
    assert fitted(QRect(100, 100, 300, 200), frame, area) == QRect(100, 100, 300, 200)
