"""One window per data folder: a second launch hands its model file to the running window; macOS
file-open events take the same route; a data folder that cannot be written says so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.models.local.registry import ModelRegistry
from deepseek_desktop.ui.desktop.instance_link import InstanceLink, claim_instance, parse_message


def registry(paths: AppPaths) -> ModelRegistry:
    return ModelRegistry(paths.registry_file, paths.default_models_dir)


@pytest.fixture
def running(make_gui):
    """The window as app.run starts it: the lock held, the socket listening, the link attached."""
    gui = make_gui(words_per_second=1000)
    claim = claim_instance(gui.paths)
    assert claim.lock is not None and claim.problem == ""
    link = InstanceLink(gui.paths.data_dir)
    assert link.listen()
    QApplication.instance().installEventFilter(link)
    link.attach(gui.window)
    yield gui, link
    QApplication.instance().removeEventFilter(link)
    link.close()
    claim.lock.unlock()


def second_launch(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "deepseek_desktop", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_second_launch_hands_its_gguf_to_the_running_window(running, gemma_path):
    gui, link = running
    received = []
    link.filesReceived.connect(received.append)
    proc = second_launch(str(gemma_path))
    gui.wait(lambda: proc.poll() is not None, timeout=60)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "already running" not in err
    assert received == [[gemma_path]]
    gui.wait(lambda: registry(gui.paths).list())
    (entry,) = registry(gui.paths).list()
    assert Path(entry.path) == gemma_path.resolve() and entry.engine == "llamacpp"
    # whoever opens a model wants to chat with it: it is loaded, the cursor is in the message box
    window = gui.window
    gui.wait(lambda: window.engine.state == "ready" and window.engine.current is not None
             and window.engine.current.model == entry.path)
    assert window.focusWidget() is window.composer.input
    assert not window.notices.isVisible() or "toolbar" not in window.notices.label.text()


def test_a_model_opened_during_a_reply_is_offered_and_loaded_when_asked(running, gemma_path):
    gui, _ = running
    window = gui.window
    gui.settings.set("simulator.words_per_second", 5.0)
    window.session.send("Tell me about DeepSeek-V3")
    gui.wait(lambda: window.session.busy)
    window.offer_model_file(gemma_path)
    notices = window.notices
    gui.wait(lambda: notices.isVisible() and notices.action.isVisible() and notices.action.text().startswith("Load"))
    assert window.session.busy and window.engine.current.engine == "simulator", "the reply goes on meanwhile"
    assert not notices.goes_by_itself, "it waits for an answer"
    notices.action.click()  # the reply stops, then the model loads
    gui.wait(lambda: window.engine.state == "ready" and window.engine.current.engine == "llamacpp")
    assert not window.session.busy and window.focusWidget() is window.composer.input


def test_a_bad_file_from_a_second_launch_is_refused_with_the_drop_message(running, bad_models):
    gui, _ = running
    proc = second_launch("gui", str(bad_models["random"]))
    gui.wait(lambda: proc.poll() is not None, timeout=60)
    assert proc.returncode == 0
    gui.wait(lambda: gui.window.notices.isVisible() and gui.window.notices.kind == "error")
    assert "Not a GGUF" in gui.window.notices.label.text()
    assert registry(gui.paths).list() == []


def test_macos_file_open_event_imports_the_model(running, gemma_path):
    gui, _ = running
    QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(gemma_path)))
    gui.wait(lambda: registry(gui.paths).list())
    assert Path(registry(gui.paths).list()[0].path) == gemma_path.resolve()


def test_files_that_arrive_before_the_window_wait_for_it(make_gui, gemma_path):
    gui = make_gui(start=False)
    link = InstanceLink(gui.paths.data_dir)
    link.deliver([gemma_path])  # argv and early macOS events come before the window is built
    assert registry(gui.paths).list() == []
    link.attach(gui.window)
    gui.wait(lambda: registry(gui.paths).list())


@pytest.mark.parametrize("raw", [b"[1,2]", b'{"open": "x"}', b'{"open": [3]}', b"\xff\xfe", b"not json",
                                 b'{"open": ["a\\u0000b"]}'])
def test_hand_over_messages_are_checked(raw):
    with pytest.raises(ValueError):
        parse_message(raw)


# -- a data folder that cannot be written ----------------------------------------------------------
def test_a_file_in_place_of_the_data_folder_names_the_folder(app_home, capsys, qapp):
    from deepseek_desktop.app import _single_instance

    paths = AppPaths.default()
    paths.data_dir.parent.mkdir(parents=True)
    paths.data_dir.write_text("not a folder")
    assert _single_instance(paths, [], interactive=False) == 1
    err = capsys.readouterr().err
    assert "cannot write to its data folder" in err and str(paths.data_dir) in err
    assert "already running" not in err


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to start the app as an unprivileged user")
def test_a_read_only_data_folder_says_why_instead_of_already_running():
    """As root chmod stops nothing, so the app runs as nobody on a folder that root owns."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    home = Path(tempfile.mkdtemp(prefix="dsd-readonly-"))
    try:
        home.chmod(0o755)
        for sub in ("config", "logs", "cache"):
            (home / sub).mkdir()
            os.chown(home / sub, nobody.pw_uid, nobody.pw_gid)
        (home / "data").mkdir(mode=0o755)  # root's: nobody cannot write here
        env = dict(os.environ, DEEPSEEK_DESKTOP_HOME=str(home), HOME=str(home), QT_QPA_PLATFORM="offscreen",
                   XDG_RUNTIME_DIR=str(home / "cache"))
        proc = subprocess.run(
            ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
             sys.executable, "-m", "deepseek_desktop", "gui", "--quit-after-shown"],
            env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc
        assert "cannot write to its data folder" in proc.stderr
        assert str(home / "data") in proc.stderr and "Permission denied" in proc.stderr
        assert "already running" not in proc.stderr and "shown" not in proc.stdout
    finally:
        shutil.rmtree(home)
