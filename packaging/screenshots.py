"""Screenshots for the README and for looking at the app: the chat window (a reply with code and
reasoning), the model manager and the settings pane, in English and German, light and dark, at the
usual size and at 800x600 (``chat-de-dark-800x600.png``).

    QT_QPA_PLATFORM=offscreen python packaging/screenshots.py docs/screenshots
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

QUESTIONS = {
    "en": ["What is DeepSeek-R1?", "Show me Python code for Fibonacci numbers"],
    "de": ["Was ist DeepSeek-R1?", "Zeig mir Python-Code für Fibonacci-Zahlen"],
}


SIZES = {  # window size -> (chat, model manager, settings)
    "1280x820": ((1280, 820), (1180, 760), (860, 640)),
    "800x600": ((800, 600), (800, 600), (800, 600)),
}


async def shoot(app, out: Path, lang: str, theme: str, size: str) -> None:
    from deepseek_desktop.app import _shutdown, build_window
    from deepseek_desktop.core.paths import AppPaths
    from deepseek_desktop.core.settings.store import SettingsStore

    os.environ["DEEPSEEK_DESKTOP_HOME"] = tempfile.mkdtemp(prefix=f"dd-shots-{lang}-{theme}-")
    paths = AppPaths.default().ensure()
    settings = SettingsStore(paths.settings_file)
    settings.set("general.language", lang)
    settings.set("general.theme", theme)
    settings.set("simulator.words_per_second", 60.0)  # a 7B model's pace, for honest figures
    window, services = build_window(app, paths, settings)
    chat_size, manager_size, settings_size = SIZES[size]
    name = f"{lang}-{theme}-{size}"
    window.resize(*chat_size)
    window.show()
    await window.start()
    while window.engine.state != "ready":
        await asyncio.sleep(0.05)
    for question in QUESTIONS[lang]:
        window.session.send(question)
        await asyncio.sleep(0.2)
        while window.session.busy:
            await asyncio.sleep(0.05)
    last = window.chat_view.widgets[-1]
    last.thinking.set_open(True)  # show the reasoning section in the picture
    await settle(app)
    window.chat_view.scroll_to_bottom()
    await settle(app)
    window.grab().save(str(out / f"chat-{name}.png"))

    manager = window.open_model_manager()
    if manager is not None:
        manager.resize(*manager_size)
        try:  # the catalogue and the fit estimates load in the background
            await asyncio.wait_for(manager.loader.ready.wait(), 30)
        except TimeoutError:
            print(f"the catalogue did not load for {name}", file=sys.stderr)
        await settle(app)
        manager.grab().save(str(out / f"model-manager-{name}.png"))
        manager.close()

    dialog = window.open_settings()
    dialog.resize(*settings_size)
    await settle(app)
    dialog.grab().save(str(out / f"settings-{name}.png"))
    dialog.close()
    window.close()
    await _shutdown(window, services, asyncio.Event())


async def settle(app) -> None:
    """Let the loop lay out and paint (never processEvents() inside a task: qasync would re-enter)."""
    await asyncio.sleep(0.4)


def main() -> None:
    """Each language, theme and size in its own process: translators and styles are per application."""
    import subprocess

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) == 5:
        shoot_one(out, *sys.argv[2:5])
        return
    for size in SIZES:
        for theme in ("light", "dark"):
            for lang in ("en", "de"):
                subprocess.run([sys.executable, __file__, str(out), lang, theme, size], check=True)
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


def shoot_one(out: Path, lang: str, theme: str, size: str) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    qasync.run(shoot(app, out, lang, theme, size))


if __name__ == "__main__":
    main()
