"""The app as ``deepseek-desktop gui`` runs it (app.run in its own process): a second launch on the same data
folder opens no second window, and closing the window stops the engine host, closes the database and
releases the lock before the process ends. (test_instance_link.py covers what a second launch hands over.)"""

from __future__ import annotations

import os
import subprocess
import sys

import psutil

from deepseek_desktop.core.paths import AppPaths

APP = r"""
import asyncio, sys, threading
import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from deepseek_desktop.app import run
from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.ui.main_window import MainWindow

app = QApplication(sys.argv[:1])
held = []  # the window, and through it the store and the engine client: nothing is closed by being freed

def watch():
    window = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)
    if window is None or window.engine.state != "ready":
        QTimer.singleShot(20, watch)
        return
    held.append(window)
    loop = asyncio.get_running_loop()
    # the test's "close" line closes the window the way a user does: through its close event
    threading.Thread(target=lambda: (sys.stdin.readline(), loop.call_soon_threadsafe(window.close)),
                     daemon=True).start()
    print("ready", flush=True)

QTimer.singleShot(0, watch)
code = run(AppPaths.default())
db = AppPaths.default().database_file
# SQLite removes the write-ahead log when the last connection closes cleanly, so its absence means closed.
print("exit", code, "hosts", len(psutil.Process().children()), "wal", db.with_name(db.name + "-wal").exists(),
      flush=True)
"""


def test_a_second_launch_opens_no_window_and_closing_the_first_stops_everything(app_home):
    env = {**os.environ, "DEEPSEEK_DESKTOP_HOME": str(app_home), "QT_QPA_PLATFORM": "offscreen"}
    first = subprocess.Popen([sys.executable, "-c", APP], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert first.stdout.readline() == "ready\n", first.stderr.read() if first.poll() is not None else ""
        hosts = psutil.Process(first.pid).children()
        paths = AppPaths.default()
        db = paths.database_file
        assert hosts and (paths.data_dir / "app.lock").exists() and db.exists()

        second = subprocess.run([sys.executable, "-m", "deepseek_desktop", "gui", "--quit-after-shown"], env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        assert "shown" not in second.stdout, "the second launch opened a window on the same database"
        assert first.poll() is None, "the first window is still there"

        first.stdin.write("close\n")
        first.stdin.flush()
        out, err = first.communicate(timeout=120)  # only guards against a hang
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    # When app.run returns, the engine host has been stopped and waited for and the store is closed.
    assert first.returncode == 0 and out.strip() == "exit 0 hosts 0 wal False", err
    assert db.exists()
    assert not (paths.data_dir / "app.lock").exists(), "the lock was released"
