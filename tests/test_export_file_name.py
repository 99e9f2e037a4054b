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
