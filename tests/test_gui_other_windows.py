"""The main window's other windows (settings, model manager, launch planner): one of each, reused and raised,
reached through the main window's public methods; and the main window's closing signal."""

from __future__ import annotations

from deepseek_desktop.core.settings.schema import GROUPS


def test_settings_open_on_a_page_and_are_one_window(make_gui):
    gui = make_gui(start=False)
    dialog = gui.window.open_settings("remote")
    gui.wait(dialog.isVisible)
    assert dialog.pages.currentRow() == [g.name for g in GROUPS].index("remote")
    dialog.show_page("general")
    assert dialog.pages.currentRow() == [g.name for g in GROUPS].index("general")
    dialog.show_page("no-such-page")  # ignored
    assert dialog.pages.currentRow() == [g.name for g in GROUPS].index("general")
    dialog.close()
    assert gui.window.open_settings() is dialog is gui.window.windows.settings_dialog and dialog.isVisible()


def test_the_model_manager_asks_for_settings_by_signal(make_gui):
    gui = make_gui(start=False)
    manager = gui.window.open_model_manager()
    assert gui.window.windows.model_manager is manager and gui.window.windows.settings_dialog is None
    manager.settingsRequested.emit("remote")
    dialog = gui.window.windows.settings_dialog
    gui.wait(lambda: dialog is not None and dialog.isVisible())
    assert dialog.pages.currentRow() == [g.name for g in GROUPS].index("remote")
    manager.messageWhileHidden.emit("Downloaded a model.")
    assert gui.window.notices.label.text() == "Downloaded a model."


def test_closing_the_main_window_emits_closing(make_gui):
    gui = make_gui(start=False)
    seen = []
    gui.window.closing.connect(lambda: seen.append(True))
    with gui.qtbot.waitSignal(gui.window.closing):
        gui.close()  # the window's close, then the app's shutdown
    assert seen == [True] and not gui.window.isVisible()
