"""Killing the app while a reply streams loses at most about a second of it; a damaged database is
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
import asyncio, os, sys, time
from PySide6.QtWidgets import QApplication
import qasync
from deepseek_desktop.app import build_window
from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.settings_store import SettingsStore
app = QApplication([]); app.setQuitOnLastWindowClosed(False)
async def main():
    paths = AppPaths.default().ensure()
    settings = SettingsStore(paths.settings_file)
    settings.set("simulator.words_per_second", 20.0)
    window, services = build_window(app, paths, settings)
    window.show()
    await window.start()
    while window.engine.state != "ready":
        await asyncio.sleep(0.05)
    window.session.send("Explain quantization levels")
    while not window.chat_view.widgets or len(window.chat_view.widgets) < 2:
        await asyncio.sleep(0.01)
    reply = window.chat_view.widgets[1].item
    while True:  # report what the screen shows, until we are killed
        print(len(reply.reasoning) + len(reply.content), time.time(), flush=True)
        await asyncio.sleep(0.05)
qasync.run(main())
"""


def test_kill_9_mid_reply_loses_at_most_about_a_second(app_home):
    env = {**os.environ, "DEEPSEEK_DESKTOP_HOME": str(app_home), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", APP], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    shown = []
    deadline = time.time() + 60
    for line in proc.stdout:
        chars, at = line.split()
        shown.append((int(chars), float(at)))
        if shown[-1][0] > 300 or time.time() > deadline:  # a good part of the reply is on screen
            break
    hosts = psutil.Process(proc.pid).children()
    killed_at = time.time()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # the engine host notices its parent is gone (its stdin closes) and ends by itself
    gone, alive = psutil.wait_procs(hosts, timeout=10)
    assert hosts and not alive
    db = sqlite3.connect(app_home / "data" / "conversations.sqlite3")
    state, content, reasoning = db.execute(
        "SELECT state, content, reasoning FROM messages WHERE role = 'assistant'").fetchone()
    saved = len(content) + len(reasoning)
    assert state == "streaming", "left as it was when the app died: shown as interrupted on the next start"
    # what was on screen one second (plus a frame) before the kill is on disk
    on_screen_a_second_before = max(c for c, at in shown if at <= killed_at - 1.1)
    assert saved >= on_screen_a_second_before > 0


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
    assert last.item.state == "interrupted" and last.item.content == "Mixture of"
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
