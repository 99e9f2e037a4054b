"""Every path is made absolute where it comes in: a relative ``DEEPSEEK_DESKTOP_HOME`` (and the models folder
of the settings, see test_settings_every_value.py) means the folder it names in the working directory of
that start, whatever the app does with the path later (SQLite file URIs, the engine host's own folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from deepseek_desktop.core.paths import AppPaths


def test_a_relative_home_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEEPSEEK_DESKTOP_HOME", "portable/home")
    paths = AppPaths.default()
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir, paths.cache_dir, paths.default_models_dir):
        assert folder.is_absolute() and folder.is_relative_to(tmp_path / "portable" / "home")
    monkeypatch.setenv("DEEPSEEK_DESKTOP_HOME", "~/dd-home")
    assert AppPaths.default().data_dir == AppPaths.default().data_dir.expanduser().absolute()


def test_the_window_sends_on_its_second_start_with_a_relative_home(make_gui, tmp_path, monkeypatch):
    from test_gui_chat import send_and_wait

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEEPSEEK_DESKTOP_HOME", "relative-home")
    for start in range(2):  # the first start makes the database; the second opens it
        gui = make_gui(words_per_second=1000)
        send_and_wait(gui, f"Frage {start}")
        widgets = gui.window.chat_view.widgets
        assert widgets[-1].item.role == "assistant" and widgets[-1].item.content, start
        gui.close()
    assert (tmp_path / "relative-home" / "data" / "conversations.sqlite3").is_file()


def test_the_cli_with_a_relative_home(tmp_path, gemma_path):
    env = dict(os.environ, DEEPSEEK_DESKTOP_HOME="rel")
    for _ in range(2):
        r = subprocess.run([sys.executable, "-m", "deepseek_desktop", "models", "list", "--json"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["models_dir"] == str(tmp_path / "rel" / "data" / "models")
