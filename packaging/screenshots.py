"""Screenshots for the README and for looking at the app: every window (the chat with a reply with reasoning,
a nested list and code, the model manager, the settings and their local-server page, the launch planner, the
keyboard shortcuts, About), in English and German, light and dark, on a screen of 1280x820 and one of 800x600
(``chat-de-dark-800x600.png``). Each screen size is a real offscreen screen of that size (Qt's offscreen
platform reads it from a configuration file), so every window opens as it would there: sized to fit.

    QT_QPA_PLATFORM=offscreen python packaging/screenshots.py docs/screenshots
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

QUESTIONS = {
    "en": ["What is DeepSeek-R1?", "Show me Python code for Fibonacci numbers"],
    "de": ["Was ist DeepSeek-R1?", "Zeig mir Python-Code für Fibonacci-Zahlen"],
}
SCREENS = {"1280x820": (1280, 820), "800x600": (800, 600)}


async def shoot(app, out: Path, lang: str, theme: str, size: str) -> None:
    from deepseek_desktop.app import _shutdown, build_window
    from deepseek_desktop.core.paths import AppPaths
    from deepseek_desktop.core.settings.store import SettingsStore
    from deepseek_desktop.models.catalogue.catalogue import load_catalogue
    from deepseek_desktop.ui.about import AboutDialog
    from deepseek_desktop.ui.keyboard.keyboard_map import KeyboardMapDialog

    os.environ["DEEPSEEK_DESKTOP_HOME"] = tempfile.mkdtemp(prefix=f"dd-shots-{lang}-{theme}-")
    paths = AppPaths.default().ensure()
    settings = SettingsStore(paths.settings_file)
    settings.set("general.language", lang)
    settings.set("general.theme", theme)
    settings.set("simulator.words_per_second", 60.0)  # a 7B model's pace, for honest figures
    window, services = build_window(app, paths, settings)
    name = f"{lang}-{theme}-{size}"
    window.resize(app.primaryScreen().availableGeometry().size())  # as large as the screen allows
    window.show()
    await window.start()
    while window.engine.state != "ready":
        await asyncio.sleep(0.05)
    for question in QUESTIONS[lang]:
        window.session.send(question)
        await asyncio.sleep(0.2)
        while window.session.busy:
            await asyncio.sleep(0.05)
    window.chat_view.widgets[-1].thinking.set_open(True)  # show the reasoning section in the picture
    await settle()
    window.chat_view.scroll_to_bottom()
    await settle()
    save(window, out / f"chat-{name}.png")

    manager = window.open_model_manager()
    try:  # the catalogue and the fit estimates load in the background
        await asyncio.wait_for(manager.loader.ready.wait(), 30)
    except TimeoutError:
        print(f"the catalogue did not load for {name}", file=sys.stderr)
    await settle()
    save(manager, out / f"model-manager-{name}.png")
    manager.close()

    dialog = window.open_settings()
    await settle()
    save(dialog, out / f"settings-{name}.png")
    dialog.show_page("server")
    await settle()
    save(dialog, out / f"settings-server-{name}.png")
    dialog.close()

    planner = window.open_launch_planner(load_catalogue(), "deepseek-r1")
    await settle()
    save(planner, out / f"launch-planner-{name}.png")
    planner.close()

    keys = KeyboardMapDialog.show_for(window)
    await settle()
    save(keys, out / f"keyboard-{name}.png")
    keys.close()
    about = AboutDialog.show_for(window, paths)
    await settle()
    save(about, out / f"about-{name}.png")
    about.close()

    window.close()
    await _shutdown(window, services, asyncio.Event())


def save(window, path: Path) -> None:
    """The window with its frame's room: what the screen shows of it (it must lie inside the screen)."""
    screen = window.screen().availableGeometry()
    if not screen.contains(window.frameGeometry()):
        print(f"{path.name}: the window {window.frameGeometry()} is not inside the screen {screen}", file=sys.stderr)
    window.grab().save(str(path))


async def settle() -> None:
    """Let the loop lay out and paint (never processEvents() inside a task: qasync would re-enter)."""
    await asyncio.sleep(0.4)


def main() -> None:
    """Each screen, theme and language in its own process: the screen, translators and styles are per
    application."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) == 5:
        shoot_one(out, *sys.argv[2:5])
        return
    with tempfile.TemporaryDirectory() as tmp:
        for size, (width, height) in SCREENS.items():
            config = Path(tmp) / f"screen-{size}.json"
            config.write_text(json.dumps({"screens": [{"name": size, "x": 0, "y": 0, "width": width,
                                                       "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                                                       "dpr": 1}]}))
            env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
            for theme in ("light", "dark"):
                for lang in ("en", "de"):
                    subprocess.run([sys.executable, __file__, str(out), lang, theme, size], check=True, env=env)
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


def shoot_one(out: Path, lang: str, theme: str, size: str) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    qasync.run(shoot(app, out, lang, theme, size))


if __name__ == "__main__":
    main()
