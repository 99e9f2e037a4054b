"""Every window on a small screen: run by ``test_gui_screen_fit.py`` in a process of its own whose offscreen
screen is ``$SCREEN`` (e.g. 800x600) wide and high (Qt's screen cannot change inside one process).

Each window opens (the main window also with a geometry saved on a larger screen), in English and German, and
every button it shows lies inside the screen's available geometry; a button in a scroll area is reached by
scrolling, so there the scroll area's visible part must be on the screen."""

from __future__ import annotations

import base64
import os

import pytest
from mm_catalogue import write_catalogue
from PySide6.QtCore import QByteArray, QPoint, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QMainWindow, QTabWidget, QWidget

from deepseek_desktop.core.settings.store import STATE_WINDOW_GEOMETRY
from deepseek_desktop.models.catalogue.catalogue import load_catalogue
from deepseek_desktop.ui.keyboard.keyboard_map import KeyboardMapDialog
from deepseek_desktop.ui.screen_fit import inside

SCREEN = tuple(int(n) for n in os.environ.get("SCREEN", "800x600").split("x"))


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return parent
        parent = parent.parentWidget()
    return None


def off_screen_buttons(window: QWidget) -> list[str]:
    """The buttons ``window`` shows that are not (or whose scroll area is not) inside the screen and the window."""
    area = window.screen().availableGeometry().intersected(global_rect(window))  # on the screen, in the window
    out = []
    for button in window.findChildren(QAbstractButton):
        if button.window() is not window or not button.isVisibleTo(window):
            continue
        scroll = scroll_area_of(button)
        rect = global_rect(scroll.viewport()) if scroll is not None else global_rect(button)
        if not area.contains(rect):
            out.append(f"{button.metaObject().className()} {button.text()!r} at {rect} ({window.objectName()})")
    return out


def check(window: QWidget, what: str) -> list[str]:
    """The window inside the screen, and each page of its tabs with every button on the screen."""
    problems = [] if inside(window) else [f"{what}: window {window.frameGeometry()} outside the screen"]
    tabs = [t for t in window.findChildren(QTabWidget) if t.isVisibleTo(window)] or [None]
    for tab in tabs:
        for index in range(tab.count()) if tab is not None else [None]:
            if tab is not None:
                tab.setCurrentIndex(index)
            QGuiApplication.processEvents()
            problems += [f"{what}: {p}" for p in off_screen_buttons(window)]
    return problems


def settings_pages(gui, dialog) -> list[str]:
    problems = []
    for row in range(dialog.pages.count()):
        dialog.pages.setCurrentRow(row)
        gui.qtbot.wait(1)
        problems += check(dialog, f"settings page {row}")
    return problems


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_button_of_every_window_is_on_the_screen(make_gui, gemma_path, tmp_path, lang):
    screen = QGuiApplication.primaryScreen().geometry()
    assert (screen.width(), screen.height()) == SCREEN, "the offscreen screen is the size the test asked for"
    big = QMainWindow()  # a geometry saved on a larger screen, as the main window saves it on quit
    big.setGeometry(300, 200, 1600, 1000)
    saved = base64.b64encode(bytes(big.saveGeometry().data())).decode("ascii")
    big.deleteLater()
    gui = make_gui(start=False)
    gui.window.close()
    gui.close()
    gui.settings.set_state(STATE_WINDOW_GEOMETRY, saved)
    assert QByteArray(base64.b64decode(saved))
    gui = make_gui()
    gui.services.language.apply(lang)
    window = gui.window
    gui.qtbot.waitUntil(window.isVisible)
    problems = check(window, "main window")
    catalogue_file = write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size)
    manager = window.open_model_manager(catalogue_file=catalogue_file, endpoint="http://127.0.0.1:9")
    gui.wait(lambda: manager.local is not None)
    problems += check(manager, "model manager")
    manager.close()
    problems += settings_pages(gui, window.open_settings())
    window.open_settings().close()
    planner = window.open_launch_planner(load_catalogue(), "deepseek-r1")
    problems += check(planner, "launch planner")
    planner.close()
    keys = KeyboardMapDialog.show_for(window)
    problems += check(keys, "keyboard shortcuts")
    keys.close()
    gui.services.language.apply("en")
    assert not problems, "\n".join(problems)
