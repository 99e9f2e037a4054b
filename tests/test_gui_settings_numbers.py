"""Decimal numbers in the settings: "0.5" and "0,5" are both one half, in German and in English; the
value is saved on Enter and on leaving the field; a language switch re-displays the numbers at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication

KEY = "generation.temperature"


def switch_language(gui, language: str) -> None:
    gui.settings.set("general.language", language)
    ready = "Senden" if language == "de" else "Send"
    gui.wait(lambda: gui.window.composer.button.text() == ready, 5)


def temperature_box(gui):
    dialog = gui.window.open_settings()
    return dialog, dialog.fields[KEY].widget


def type_into(qtbot, box, text: str) -> None:
    box.selectAll()
    qtbot.keyClicks(box, text)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("typed", ["0.5", "0,5"])
def test_both_decimal_separators_are_saved_on_enter(make_gui, qtbot, language, typed):
    gui = make_gui(start=False)
    switch_language(gui, language)
    try:
        _dialog, box = temperature_box(gui)
        assert gui.settings.get(KEY) != 0.5
        type_into(qtbot, box, typed)
        qtbot.keyClick(box, Qt.Key.Key_Return)
        gui.wait(lambda: gui.settings.get(KEY) == 0.5, 5)
        assert box.text() == ("0,50" if language == "de" else "0.50")
    finally:
        switch_language(gui, "en")


def test_leaving_the_field_saves_and_typing_alone_does_not(make_gui, qtbot):
    gui = make_gui(start=False)
    switch_language(gui, "de")
    try:
        _dialog, box = temperature_box(gui)
        before = gui.settings.get(KEY)
        type_into(qtbot, box, "1.25")
        assert gui.settings.get(KEY) == before, "not saved per keystroke"
        QApplication.sendEvent(box, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))
        gui.wait(lambda: gui.settings.get(KEY) == 1.25, 5)
        assert box.text() == "1,25"
    finally:
        switch_language(gui, "en")


def test_a_live_language_switch_redisplays_the_numbers(make_gui, qtbot):
    gui = make_gui(start=False)
    _dialog, box = temperature_box(gui)
    gui.settings.set(KEY, 0.75)
    gui.wait(lambda: box.text() == "0.75", 5)
    switch_language(gui, "de")
    try:
        gui.wait(lambda: box.text() == "0,75", 5)
        assert box.locale().decimalPoint() == ","
        type_into(qtbot, box, "0.3")  # after the switch the German box still takes a point
        qtbot.keyClick(box, Qt.Key.Key_Return)
        gui.wait(lambda: gui.settings.get(KEY) == 0.3, 5)
    finally:
        switch_language(gui, "en")
    gui.wait(lambda: box.text() == "0.30", 5)
