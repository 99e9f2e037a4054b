"""How a drop is answered. A file manager that proposes Move and is told the drop was a Move may delete
the original; the app only registers the file where it is (or copies it). So a drop is taken as Link
(registered in place) or Copy (copied into the models folder), never as Move, and one the app does not
take is answered with Ignore, whatever the source proposed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_gguf
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from test_gui_model_manager import catalogue_file, click, hub, open_manager  # noqa: F401 (fixtures)

A = Qt.DropAction
ALL = A.CopyAction | A.MoveAction | A.LinkAction
SHIFT = Qt.KeyboardModifier.ShiftModifier  # the file managers' "move" modifier: Move is proposed


def offer(widget, path: Path, possible=ALL, modifiers=SHIFT) -> list[A | None]:
    """A real drag of ``path`` over ``widget`` and its drop; returns how the enter, the move and the drop
    were answered (None: refused, and then the drag's action must be Ignore). The events are read here,
    while their mime data lives."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = widget.rect().center()
    enter = QDragEnterEvent(pos, possible, mime, Qt.MouseButton.LeftButton, modifiers)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(pos, possible, mime, Qt.MouseButton.LeftButton, modifiers)
    QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(pos), possible, mime, Qt.MouseButton.LeftButton, modifiers)
    QApplication.sendEvent(widget, drop)
    assert enter.proposedAction() == (A.MoveAction if modifiers == SHIFT else A.CopyAction)
    if not enter.isAccepted():  # a refused drag ends there: Qt then delivers no move or drop to the window
        assert enter.dropAction() == A.IgnoreAction
    return [answered(e) for e in (enter, move, drop)]


def answered(event) -> A | None:
    return event.dropAction() if event.isAccepted() else None


def test_a_move_proposed_on_the_window_is_answered_as_link(make_gui, tmp_path):
    gui = make_gui()
    model = make_gguf(tmp_path / "kept.gguf")
    assert offer(gui.window, model) == [A.LinkAction] * 3
    gui.wait(lambda: any(c.engine == "llamacpp" for c in gui.window.choices))  # registered where it is
    assert model.is_file()


def test_a_source_that_offers_only_copy_gets_copy(make_gui, tmp_path):
    gui = make_gui()
    assert offer(gui.window, make_gguf(tmp_path / "m.gguf"), possible=A.CopyAction,
                 modifiers=Qt.KeyboardModifier.NoModifier) == [A.CopyAction] * 3


def test_a_source_that_offers_only_move_is_refused(make_gui, tmp_path):
    gui = make_gui()
    assert offer(gui.window, make_gguf(tmp_path / "m.gguf"), possible=A.MoveAction) == [None] * 3


@pytest.mark.parametrize("name", ["notes.txt", "model.safetensors"])
def test_a_file_the_window_does_not_take_is_answered_with_ignore(make_gui, tmp_path, name):
    gui = make_gui()
    other = tmp_path / name
    other.write_bytes(b"not a model")
    assert offer(gui.window, other) == [None] * 3


def test_the_model_manager_answers_link_in_place_and_copy_when_it_copies(make_gui, hub, catalogue_file,  # noqa: F811
                                                                         tmp_path):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    mm.tabs.setCurrentWidget(mm.installed)
    in_place = make_gguf(tmp_path / "in-place.gguf")
    assert offer(mm, in_place) == [A.LinkAction] * 3
    click(gui, mm.installed.copy_box)
    copied = make_gguf(tmp_path / "copied.gguf", n_tensors=3)
    assert offer(mm, copied) == [A.CopyAction] * 3
    other = tmp_path / "readme.md"
    other.write_text("x")
    assert offer(mm, other) == [None] * 3
    gui.wait(lambda: {"in-place", "copied"} <= set(mm.installed.buttons))
    assert in_place.is_file() and copied.is_file()


def test_a_model_dropped_on_a_text_field_is_the_window_s_drop(make_gui, tmp_path):
    """Text fields take drops of text and answer a file manager's drag with the action it proposes, a Move.
    A file dropped on the composer or the sidebar's search field goes to the window instead: registered
    in place, answered as Link, and the field gets no path typed into it."""
    gui = make_gui()
    model = make_gguf(tmp_path / "on-the-field.gguf")
    for field in (gui.window.composer.input.viewport(), gui.window.sidebar.search):
        assert offer(field, model) == [A.LinkAction] * 3, field
    notes = tmp_path / "notes.txt"
    notes.write_text("text")
    assert offer(gui.window.composer.input.viewport(), notes) == [None] * 3
    gui.wait(lambda: any(c.engine == "llamacpp" for c in gui.window.choices))
    assert gui.window.composer.input.toPlainText() == "" and gui.window.sidebar.search.text() == ""
    assert model.is_file()
