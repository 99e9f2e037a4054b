"""Export suggests the conversation's title as the file name, made safe: a model may have written it."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_desktop.core.files.names import MAX_STEM, suggested_file_name


@pytest.mark.parametrize(("title", "expected"), [
    ("Primes in Rust", "Primes in Rust.md"),
    ("../../etc/passwd", "etc passwd.md"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a b c d e f g h i j.md"),
    ("line\nbreak\ttab\x00nul", "line break tab nul.md"),
    ("...", "Conversation.md"),
    ("", "Conversation.md"),
    ("CON", "_CON.md"),
    ("nul.txt", "_nul.txt.md"),
    ("Übersetzung ins Französische", "Übersetzung ins Französische.md"),
    ("\u202eevil\u200b", "evil.md"),
])
def test_a_title_becomes_one_safe_file_name(title, expected):
    assert suggested_file_name(title, ".md", "Conversation") == expected


def test_a_long_title_is_cut():
    name = suggested_file_name("word " * 100, ".json", "Conversation")
    assert name.endswith(".json") and len(name) <= MAX_STEM + len(".json")
    assert Path(name).name == name


@pytest.mark.parametrize("title", ["\U0001f680\U0001f30d" * 60, "\U0001f469\u200d\U0001f52c " * 40, "é" * 300])
def test_an_emoji_title_is_exported_under_its_suggested_name(tmp_path, title):
    """Four bytes a character: 80 of them were 320 bytes, past the 255 a file name may have, and the
    temporary name of the atomic write is longer still."""
    from deepseek_desktop.core.files.atomic import write_atomic

    name = suggested_file_name(title, ".json", "Conversation")
    assert len(name.encode("utf-8")) <= 255 - 16, "room for the temporary file's affixes"
    write_atomic(tmp_path / name, b"{}")
    assert (tmp_path / name).read_bytes() == b"{}"


def test_a_long_name_the_user_chose_is_written_atomically(tmp_path):
    from deepseek_desktop.core.files.atomic import write_atomic

    name = "\U0001f680" * 62 + ".md"  # 251 bytes: a valid name, but ".<name>.<hex>.tmp" would not be
    write_atomic(tmp_path / name, b"text")
    assert (tmp_path / name).read_bytes() == b"text" and [p.name for p in tmp_path.iterdir()] == [name]


def test_the_save_dialog_starts_with_the_title(make_gui, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    gui = make_gui(start=False)
    gui.run(gui.services.runner.call(lambda st: st.create_conversation("Plan: a trip/visit")))
    gui.run(gui.window.refresh_conversations())
    cid = gui.window.sidebar.current_id() or gui.run(
        gui.services.runner.call(lambda st: st.list_conversations(1)))[0].id
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, caption, start, filt: (asked.append(start), ("", ""))[1]))
    gui.window.sidebar.exportRequested.emit(cid, "md")
    assert asked and Path(asked[0]).name == "Plan a trip visit.md"
    assert Path(asked[0]).parent == Path.home()
