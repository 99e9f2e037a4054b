"""Help > About tells the truth: each part's licence as its own package metadata gives it (where installed),
the version that is installed, and the app's folders with buttons that open them."""

from __future__ import annotations

from importlib import metadata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from deepseek_desktop import __version__
from deepseek_desktop.core.licences import COMPONENTS, installed_version
from deepseek_desktop.ui.about import AboutDialog


def declared(distribution: str) -> str:
    """The licence a package declares: its SPDX expression, else its short licence field, else its classifier."""
    meta = metadata.metadata(distribution)
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    if meta.get("License") and len(meta["License"]) < 100:
        return meta["License"]
    return " ".join(c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or [] if "License ::" in c)


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.distribution)
def test_each_licence_is_the_one_the_package_declares(component):
    if not installed_version(component):
        pytest.skip(f"{component.distribution} is not installed on this platform")
    theirs = declared(component.distribution)
    ours = component.licence
    if ours in theirs.split(" OR "):  # a choice (Qt: LGPL or GPL): the one the app takes
        return
    short = {"MIT License": "MIT", "BSD License": "BSD", "Apache Software License": "Apache-2.0"}
    assert theirs == ours or short.get(theirs, theirs) in ours, (theirs, ours)


def test_about_shows_the_version_the_parts_and_opens_the_folders(make_gui, monkeypatch):
    gui = make_gui(start=False)
    help_menu = gui.window.help_menu
    assert help_menu.about_action.text() == "&About DeepSeek Desktop"
    help_menu.about_action.trigger()
    dialog = gui.window.findChild(AboutDialog, "aboutDialog")
    gui.wait(lambda: dialog is not None and dialog.isVisible())
    assert dialog.title.text() == f"DeepSeek Desktop {__version__}"
    assert "MIT licence" in dialog.summary.text()
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text())
            for r in range(dialog.table.rowCount())}
    assert rows["llama.cpp (llama-cpp-python)"] == (metadata.version("llama-cpp-python"), "MIT")
    assert rows["Qt for Python (PySide6)"][1] == "LGPL-3.0-only"
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    for key, folder in (("data", gui.paths.data_dir), ("log", gui.paths.log_dir), ("config", gui.paths.config_dir)):
        _name, shown, button, _path = dialog.folders[key]
        assert shown.text() == str(folder)
        gui.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert opened[-1].toLocalFile() == str(folder)
    gui.services.language.apply("de")
    try:
        gui.wait(lambda: dialog.windowTitle() == "Über DeepSeek Desktop")
        assert "MIT-Lizenz" in dialog.summary.text()
    finally:
        gui.services.language.apply("en")
