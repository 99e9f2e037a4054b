"""The message box's hint tells the state the window is in, on the screen, at every change: idle, a reply
running, after the reply, after an engine crash; not only after the next keystroke."""

from __future__ import annotations

import os
import signal

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from test_gui_chat import send_and_wait

from deepseek_desktop.ui.chat.composer import ComposerState


def on_screen(widget) -> QImage:
    """What the screen shows of ``widget`` now (the window's backing store, not a fresh rendering)."""
    window = widget.window()
    shot = window.screen().grabWindow(window.winId()).toImage()
    origin = widget.mapTo(window, QPoint(0, 0))
    return shot.copy(QRect(origin, widget.size()))


def fresh(widget) -> QImage:
    """``widget`` rendered anew from its current state."""
    return widget.grab().toImage().convertToFormat(on_screen(widget).format())


def shows_current_hint(gui) -> bool:
    viewport = gui.window.composer.input.viewport()
    return on_screen(viewport) == fresh(viewport)


def test_the_hint_on_screen_follows_the_reply_and_the_crash(make_gui):
    gui = make_gui(words_per_second=40)
    w = gui.window
    composer = w.composer
    gui.wait(lambda: shows_current_hint(gui))
    idle_hint = composer.input.placeholderText()
    assert idle_hint.startswith("Message DeepSeek")
    w.session.send("What is DeepSeek-V3?")
    gui.wait(lambda: composer.mode is ComposerState.GENERATING)
    assert composer.input.placeholderText() == "The model is answering… (Esc stops it)"
    gui.wait(lambda: shows_current_hint(gui))  # painted while the reply runs, no key pressed
    # the turn's end reaches the composer with the session's busyChanged, a moment after the task is done
    gui.wait(lambda: not w.session.busy and composer.mode is ComposerState.IDLE)
    assert composer.input.placeholderText() == idle_hint
    gui.wait(lambda: shows_current_hint(gui))
    send_and_wait(gui, "And DeepSeek-R1?")
    assert composer.input.placeholderText() == idle_hint
    gui.wait(lambda: shows_current_hint(gui))
    os.kill(w.engine.client.pid, signal.SIGKILL)  # the host dies: the hint says so at once
    gui.wait(lambda: w.engine.state == "crashed")
    assert "stopped" in composer.input.placeholderText()
    gui.wait(lambda: shows_current_hint(gui))
