"""The real start-up with a damaged database and settings file: the window opens, the rescued
conversations are listed, and one translated line per problem says what happened."""

from __future__ import annotations

import pytest
from test_conversation_salvage import chats, damage, readable_ids  # noqa: F401 - chats is a fixture

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
