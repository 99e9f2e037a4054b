"""The real start-up with a damaged database and settings file: the window opens, the rescued
conversations are listed, and one translated line per problem says what happened."""

from __future__ import annotations

import sqlite3

import pytest
from test_conversation_salvage import chats, damage, readable_ids  # noqa: F401 - chats is a fixture
from test_gui_chat import send_and_wait

from deepseek_desktop.core.paths import AppPaths


@pytest.fixture
def damaged_home(app_home, chats, monkeypatch, tmp_path):  # noqa: F811
    """Half a database and a settings file nested 100,000 deep; no sqlite3 shell on PATH."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    paths = AppPaths.default().ensure()
    paths.database_file.write_bytes(damage(chats, "half"))
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_bytes(b"[" * 100_000)
    return paths


def _rescued(paths: AppPaths, chats) -> tuple[int, int]:  # noqa: F811
    [moved] = [p for p in paths.database_file.parent.glob("conversations.sqlite3.corrupt-*") if p.name[-1].isdigit()]
    messages = readable_ids(moved, "messages", chats.messages)
    conversations = readable_ids(moved, "conversations", chats.titles) | {chats.messages[m][0] for m in messages}
    return len(conversations), len(messages)


@pytest.mark.parametrize("language, expected", [
    ("en", ["The settings file was damaged and was moved to", "{c} conversations with {m} messages were recovered"]),
    ("de", ["Die Einstellungsdatei war beschädigt", "{c} Unterhaltungen mit {m} Nachrichten"]),
])
def test_start_up_with_damaged_files_lists_the_rescued_chats_and_says_how_many(make_gui, damaged_home, chats,  # noqa: F811
                                                                               language, expected):
    gui = make_gui(words_per_second=1000, settings_values={"general.language": language})
    try:
        _check_start_notices(gui, damaged_home, chats, expected)
    finally:  # the translator sits on the one QApplication all tests share
        gui.services.language.apply("en")


def _check_start_notices(gui, damaged_home, chats, expected) -> None:  # noqa: F811
    n_conv, n_msg = _rescued(damaged_home, chats)
    assert n_conv > 60 and n_msg > 400
    assert gui.window.notices.isVisible()
    text = gui.window.notices.label.text()
    lines = text.split("\n")
    assert len(lines) == 2  # one line per problem
    for line, want in zip(lines, expected, strict=True):
        assert want.format(c=n_conv, m=n_msg) in line
    assert gui.window.sidebar.list.count() == n_conv
    [aside] = damaged_home.settings_file.parent.glob("settings.json.corrupt-*")
    assert aside.read_bytes() == b"[" * 100_000


def _newer_version_database(path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO conversations (title) VALUES ('from the future')")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("problem", ["folder", "newer-version"])
def test_a_database_that_cannot_be_used_is_left_alone_and_this_session_still_chats(make_gui, app_home, problem):
    paths = AppPaths.default().ensure()
    if problem == "folder":  # opening fails with "unable to open database file"
        paths.database_file.mkdir()
        (paths.database_file / "keep.txt").write_text("mine")
    else:
        before = _newer_version_database(paths.database_file)
    gui = make_gui(words_per_second=1000, settings_values={"general.language": "en"})
    text = gui.window.notices.label.text()
    assert str(paths.database_file) in text and "this session will not be saved" in text
    assert ("newer version" in text) == (problem == "newer-version")
    send_and_wait(gui, "Hallo")  # the session works, in memory
    assert gui.window.chat_view.widgets[1].item.state == "complete"
    assert gui.window.sidebar.list.count() == 1
    gui.close()
    if problem == "folder":
        assert [p.name for p in paths.database_file.iterdir()] == ["keep.txt"]
    else:
        assert paths.database_file.read_bytes() == before
    assert not list(paths.data_dir.glob("*.corrupt-*"))
