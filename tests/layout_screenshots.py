"""Screenshots of the main window and the model manager at 800 x 600, English and German, light and dark,
for looking at them (not a test; run it explicitly):

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/layout_screenshots.py -q -s

PNG files go to ``$SHOTS`` (default /tmp/layout_shots).
"""
from __future__ import annotations

import os
from pathlib import Path

from mm_catalogue import write_catalogue

from deepseek_desktop.ui.engine.controller import EngineState

OUT = Path(os.environ.get("SHOTS", "/tmp/layout_shots"))


def test_shots(make_gui, gemma_path, tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    catalogue = write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size)
    gui = make_gui()
    w = gui.window
    w.resize(800, 600)
    w.session.send("Show me Python code for Fibonacci numbers with a very long question title that goes on")
    gui.qtbot.wait(300)
    gui.wait(lambda: not w.session.busy)
    mm = gui.window.open_model_manager(catalogue_file=catalogue)
    gui.wait(lambda: mm.sizes_checked and mm.local is not None)
    mm.resize(800, 600)
    for lang in ("en", "de"):
        for theme in ("light", "dark"):
            gui.services.language.apply(lang)
            gui.settings.set("general.theme", theme)
            deleted = "Conversation deleted." if lang == "en" else "Unterhaltung gelöscht."
            w.notices.show_message(deleted, "info", "Undo", lambda: None)
            gui.qtbot.wait(300)
            w.grab().save(str(OUT / f"chat_{lang}_{theme}.png"))
            w.notices.dismiss()
            mm.tabs.setCurrentIndex(0)
            gui.qtbot.wait(300)
            mm.grab().save(str(OUT / f"mm_{lang}_{theme}.png"))
            mm.tabs.setCurrentWidget(mm.installed)
            gui.qtbot.wait(300)
            mm.grab().save(str(OUT / f"mm_installed_{lang}_{theme}.png"))
    gui.services.language.apply("de")
    reply = w.chat_view.widgets[-1]
    reply.copy_button.click()
    w.status.set_state(EngineState.CRASHED)  # only for the picture: the status bar with Restart
    gui.qtbot.wait(100)
    w.grab().save(str(OUT / "chat_de_copied_restart.png"))
    mm.notice.show_message("Die Modelle liegen ab jetzt in einem anderen Ordner, der einen sehr langen Namen hat.")
    gui.qtbot.wait(300)
    mm.grab().save(str(OUT / "mm_de_notice.png"))
    gui.services.language.apply("en")
    mm.close()
