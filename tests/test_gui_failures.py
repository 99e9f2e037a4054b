"""The chat window after a failure: an engine killed mid-reply, a full disk, background work that fails,
a dead remote server, names that look like HTML. The real window, the real engine host, real SQLite."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess

import pytest
from openai_scripted_server import ANSWER, ScriptedOpenAIServer
from PySide6.QtCore import Qt
from test_gui_chat import one_turn, send_and_wait, stored, type_and_send
from test_gui_models import drop_files

from deepseek_desktop.core.conversations.types import MessageState
from deepseek_desktop.ui.chat.composer import ComposerState
from deepseek_desktop.ui.engine.controller import EngineState


def click(gui, button) -> None:
    gui.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def crash_mid_reply(gui) -> int:
    """Send a question and kill -9 the engine host while the answer streams; returns the dead host's pid."""
    widgets = gui.window.chat_view.widgets
    type_and_send(gui, "Explain quantisation")
    gui.wait(lambda: len(widgets) == 2 and len(widgets[1].text) > 20)
    pid = gui.services.engine.client.pid
    os.kill(pid, signal.SIGKILL)
    # the reply's stream ends with the crash, the host's exit reaches the engine state, and the turn's end
    # (busyChanged, one loop pass after the task is done) reaches the composer
    gui.wait(lambda: gui.window.engine.state is EngineState.CRASHED
             and gui.window.composer.mode is ComposerState.IDLE and not gui.window.session.busy)
    return pid


# -- 7: an engine crash mid-reply --------------------------------------------------------------------

def test_a_crash_mid_reply_leaves_the_window_ready_and_the_next_send_starts_a_new_host(make_gui):
    gui = make_gui(words_per_second=40)
    window = gui.window
    dead = crash_mid_reply(gui)
    # the same as a crash while idle: the state says so, Restart is offered, and sending is possible
    assert window.engine.state is EngineState.CRASHED
    assert window.composer.mode is ComposerState.IDLE
    assert "stopped" in window.composer.input.placeholderText()
    assert window.status.restart.isVisible() and window.status.restart.text() == "Restart"
    assert window.notices.isVisible() and "stopped unexpectedly" in window.notices.label.text()
    assert window.notices.action.isVisible() and window.notices.action.text() == "Restart"
    partial = window.chat_view.widgets[1].item
    assert partial.state == "error" and partial.content
    # Enter sends: a new host starts on demand, loads the model again and answers
    send_and_wait(gui, "Thanks, go on", timeout=60)
    assert gui.services.engine.client.pid not in (None, dead)
    assert window.engine.state is EngineState.READY and not window.notices.isVisible()
    widgets = window.chat_view.widgets
    assert [w.item.role for w in widgets] == ["user", "assistant", "user", "assistant"]
    assert widgets[1].item is partial and widgets[3].item.state == "complete" and widgets[3].item.content
    conv = window.session.conversation
    saved = stored(gui, lambda st: st.all_messages(conv.id))
    assert saved[1].state is MessageState.ERROR and saved[1].content == partial.content  # kept as its own message
    assert saved[3].state is MessageState.COMPLETE


def test_regenerate_after_a_crash_restarts_the_host_instead_of_saying_no_model(make_gui):
    gui = make_gui(words_per_second=40)
    window = gui.window
    dead = crash_mid_reply(gui)
    partial = window.chat_view.widgets[1]
    assert partial.regen_button.isVisible()
    with one_turn(gui):
        click(gui, partial.regen_button)
    assert gui.services.engine.client.pid not in (None, dead)
    reply = window.chat_view.widgets[-1].item
    assert len(window.chat_view.widgets) == 2
    assert reply.state == "complete" and reply.content and "No model" not in reply.error


def test_restart_button_after_a_crash_mid_reply(make_gui):
    gui = make_gui(words_per_second=40)
    window = gui.window
    crash_mid_reply(gui)
    click(gui, window.notices.action)
    gui.wait(lambda: window.engine.state is EngineState.READY, 60)
    assert not window.status.restart.isVisible() and not window.notices.isVisible()
    assert window.composer.mode is ComposerState.IDLE


# -- 8: a failed save ends the turn, keeps the text, and writes it when it can ------------------------

@pytest.fixture
def small_disk(app_home):
    """A 4 MB tmpfs as the app's data folder, to be filled for real (needs root to mount)."""
    data = app_home / "data"
    data.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(data)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    yield data
    subprocess.run(["umount", "-l", str(data)], check=False)


def fill(folder) -> os.PathLike:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


def test_a_full_disk_ends_the_turn_keeps_the_reply_and_saves_it_later(small_disk, make_gui):
    gui = make_gui(words_per_second=30)
    window, widgets = gui.window, gui.window.chat_view.widgets
    type_and_send(gui, "Explain quantisation")
    gui.wait(lambda: len(widgets) == 2 and widgets[1].text)
    filler = fill(small_disk)  # the disk is full before the reply ends
    # busy ends with the task; the window hears it on the loop's next turn (the task's done callback)
    gui.wait(lambda: not window.session.busy and window.composer.mode is ComposerState.IDLE)
    reply = widgets[1].item
    assert reply.state == "complete" and len(reply.content) > 100, "the whole reply stays on screen"
    assert window.session.unsaved == 1
    assert window.notices.isVisible() and "could not be saved" in window.notices.label.text()
    conv = window.session.conversation
    assert stored(gui, lambda st: st.all_messages(conv.id))[1].state is MessageState.STREAMING
    # the next question cannot be saved either: it goes back into the composer, nothing is lost
    type_and_send(gui, "And MoE?")
    gui.wait(lambda: window.composer.input.toPlainText() == "And MoE?")
    gui.wait(lambda: not window.session.busy)
    assert "could not be saved" in window.notices.label.text() and len(widgets) == 2
    # room again: the next send writes the kept reply first, then goes on as usual
    os.remove(filler)
    window.composer.input.clear()
    send_and_wait(gui, "And MoE?")
    assert window.session.unsaved == 0
    saved = stored(gui, lambda st: st.all_messages(conv.id))
    assert [m.role for m in saved] == ["user", "assistant", "user", "assistant"]
    assert saved[1].state is MessageState.COMPLETE and saved[1].content == reply.content
    assert saved[3].state is MessageState.COMPLETE


# -- 9: background work reports its failure ----------------------------------------------------------

def test_an_unopenable_database_still_opens_the_window_and_the_chat_works(make_gui, app_home):
    db = app_home / "data" / "conversations.sqlite3"
    db.mkdir(parents=True)  # a folder where the database should be: SQLite cannot open it
    gui = make_gui(words_per_second=1000)
    notice = gui.window.notices
    assert notice.isVisible() and "could not be opened" in notice.label.text()
    assert "will not be saved" in notice.label.text()
    send_and_wait(gui, "hello")
    assert gui.window.chat_view.widgets[1].item.state == "complete"
    assert db.is_dir()  # nothing was done to what is there


def test_rename_delete_and_undo_that_fail_say_so(make_gui):
    gui = make_gui(words_per_second=1000)
    window, sidebar, notice = gui.window, gui.window.sidebar, gui.window.notices
    send_and_wait(gui, "What is MLA?")
    cid = window.session.conversation.id
    sidebar.deleteRequested.emit(cid)
    gui.wait(lambda: notice.isVisible() and notice.action.text() == "Undo")
    # meanwhile the trash is emptied (the app does that at each start): Undo has nothing to restore
    stored(gui, lambda st: st.purge_deleted(0))
    click(gui, notice.action)
    gui.wait(lambda: notice.isVisible() and notice.kind == "error")
    assert "no longer exists" in notice.label.text()
    notice.dismiss()
    sidebar.renameRequested.emit(cid, "A new name")
    gui.wait(lambda: notice.isVisible() and notice.kind == "error")
    assert "no longer exists" in notice.label.text()
    assert window.work.running == 0


# -- 11: a dead remote server ------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dead_remote_server_says_so_offers_retry_and_its_error_goes_with_it(make_gui):
    gui = make_gui(words_per_second=1000)
    window, notice = gui.window, gui.window.notices
    port = closed_port()
    gui.settings.set("remote.endpoints", [{"name": "Dead", "base_url": f"http://127.0.0.1:{port}/v1",
                                           "model": "deepseek-chat"}])
    gui.wait(lambda: any(c.engine == "remote" for c in window.choices))
    remote = next(c for c in window.choices if c.engine == "remote")
    simulator = next(c for c in window.choices if c.engine == "simulator")
    assert window.picker.badge.isVisible(), "the simulator's badge"
    window.picker.combo.activated.emit(window.choices.index(remote))
    gui.wait(lambda: window.engine.state is EngineState.FAILED, 60)
    assert not window.picker.badge.isVisible(), "no fit badge of another model for a server that is not there"
    assert window.picker.current() == remote
    placeholder = window.composer.input.placeholderText()
    assert window.composer.mode is ComposerState.BLOCKED and "could not be loaded" in placeholder
    assert "Choose a model" not in placeholder
    assert notice.isVisible() and f"127.0.0.1:{port}" in notice.label.text()
    assert notice.action.text() == "Retry"
    assert window.status.restart.isVisible() and window.status.restart.text() == "Retry"
    # another model loads fine: the dead server's error goes
    window.picker.combo.activated.emit(window.choices.index(simulator))
    gui.wait(lambda: window.engine.state is EngineState.READY)
    assert not notice.isVisible() and window.composer.mode is ComposerState.IDLE
    # back to the server, and it comes back: Retry acts on that attempt
    window.picker.combo.activated.emit(window.choices.index(remote))
    gui.wait(lambda: window.engine.state is EngineState.FAILED, 60)
    with ScriptedOpenAIServer(port=port):
        click(gui, notice.action)
        gui.wait(lambda: window.engine.state is EngineState.READY, 60)
        assert window.engine.current == remote and not notice.isVisible()
        gui.wait(lambda: window.picker.badge.text() == "Runs on a server")
        send_and_wait(gui, "Hi")
        assert window.chat_view.widgets[-1].item.content == "".join(ANSWER)
        window.switch_model(simulator)  # let go of the server before it stops
        gui.wait(lambda: window.engine.state is EngineState.READY and window.engine.current == simulator)


# -- 3: names and server words are text, never HTML --------------------------------------------------

def test_file_names_and_titles_are_shown_as_text(make_gui, tmp_path):
    gui = make_gui(words_per_second=1000)
    bad = tmp_path / "<b>bold<b> model.gguf"
    bad.write_bytes(os.urandom(4096))
    assert drop_files(gui.window, bad)
    notice = gui.window.notices
    gui.wait(lambda: notice.isVisible() and notice.kind == "error")
    notice.label.setSelection(0, len(notice.label.text()))
    assert "<b>bold<b> model.gguf" in notice.label.selectedText(), "as written, not rendered as bold"
    send_and_wait(gui, "<i>why</i> is the sky blue")
    assert gui.window.title_label.textFormat() == Qt.TextFormat.PlainText
    assert gui.window.title_label.text() == "<i>why</i> is the sky blue"
