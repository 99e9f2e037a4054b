"""Killing the app while a reply streams loses only what was not saved yet; a damaged database is
moved aside with a message. Real processes, a real SQLite file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import psutil
from test_gui_chat import send_and_wait

APP = r"""
import asyncio
from PySide6.QtWidgets import QApplication
import qasync
from deepseek_desktop.app import build_window
from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.settings.store import SettingsStore
app = QApplication([]); app.setQuitOnLastWindowClosed(False)
async def main():
    paths = AppPaths.default().ensure()
    settings = SettingsStore(paths.settings_file)
    settings.set("simulator.words_per_second", 10.0)
    window, services = build_window(app, paths, settings)
    window.show()
    await window.start()
    while window.engine.state != "ready":
        await asyncio.sleep(0.05)
    window.session.send("Explain quantization levels")
    await asyncio.Event().wait()  # stream on until we are killed
qasync.run(main())
"""


def _saved_reply(db_file) -> tuple[str, int] | None:
    """The assistant reply as another process sees it on disk: its state and how much text it has."""
    try:
        db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT state, content, reasoning FROM messages WHERE role = 'assistant'").fetchone()
        finally:
            db.close()
    except sqlite3.OperationalError:  # not created yet
        return None
    return (row[0], len(row[1]) + len(row[2])) if row else None


def test_kill_9_mid_reply_keeps_what_was_saved_while_it_streamed(app_home):
    env = {**os.environ, "DEEPSEEK_DESKTOP_HOME": str(app_home), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", APP], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    db_file = app_home / "data" / "conversations.sqlite3"
    # Wait on the saves themselves: the reply grows on disk, save after save, while it still streams.
    saves: list[int] = []
    deadline = time.monotonic() + 120  # only guards against a hang
    try:
        while len(saves) < 3:
            assert proc.poll() is None, "the app ended by itself"
            assert time.monotonic() < deadline, f"the streaming reply was not saved as it grew: {saves}"
            reply = _saved_reply(db_file)
            if reply and reply[0] == "streaming" and reply[1] > (saves[-1] if saves else 0):
                saves.append(reply[1])
            time.sleep(0.05)
        hosts = psutil.Process(proc.pid).children()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    # the engine host notices its parent is gone (its stdin closes) and ends by itself
    gone, alive = psutil.wait_procs(hosts, timeout=30)
    assert hosts and not alive
    state, saved = _saved_reply(db_file)
    assert state == "streaming", "left as it was when the app died: shown as interrupted on the next start"
    # How much a kill can lose (the save interval) is the session's flush timer, not a test bound.
    assert saved >= saves[-1] > 0


def test_interrupted_reply_is_shown_as_such_after_a_restart(make_gui):
    gui = make_gui(words_per_second=1000)
    send_and_wait(gui, "What is MLA?")
    conv = gui.window.session.conversation.id
    # simulate the crash's trace: a reply left "streaming" by a process that no longer exists
    gui.run(gui.services.runner.call(lambda st: st.add_message(conv, "user", "And MoE?")))
    gui.run(gui.services.runner.call(lambda st: st.add_message(conv, "assistant", "Mixture of", state="streaming")))
    gui.close()
    again = make_gui(words_per_second=0)
    last = again.window.chat_view.widgets[-1]
    assert last.item.interrupted and last.item.content == "Mixture of"
    assert "Interrupted" in last.footer.text()


def test_a_damaged_database_is_moved_aside_and_the_user_told(make_gui, app_home):
    db = app_home / "data" / "conversations.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    gui = make_gui(words_per_second=1000)
    assert gui.window.notices.isVisible()
    assert "damaged" in gui.window.notices.label.text()
    assert list(db.parent.glob("conversations.sqlite3.corrupt-*"))
    send_and_wait(gui, "hello")  # and the app works on with a new database
    assert gui.window.chat_view.widgets[1].item.state == "complete"
