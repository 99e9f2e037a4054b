"""Screenshots for the README, in English and German: the chat window (a reply with code and
reasoning), the model manager and the settings pane.

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


async def shoot(app, out: Path, lang: str) -> None:
    from deepseek_desktop.app import _shutdown, build_window
    from deepseek_desktop.core.paths import AppPaths
    from deepseek_desktop.core.settings_store import SettingsStore

    os.environ["DEEPSEEK_DESKTOP_HOME"] = tempfile.mkdtemp(prefix=f"dd-shots-{lang}-")
    paths = AppPaths.default().ensure()
    settings = SettingsStore(paths.settings_file)
    settings.set("general.language", lang)
    settings.set("general.theme", "light")
    settings.set("simulator.words_per_second", 60.0)  # a 7B model's pace, for honest figures
    window, services = build_window(app, paths, settings)
    window.resize(1280, 820)
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
    window.grab().save(str(out / f"chat-{lang}.png"))

    manager = window.open_model_manager()
    if manager is not None:
        manager.resize(1180, 760)
        for _ in range(100):  # the catalogue and the fit estimates load in the background
            await asyncio.sleep(0.1)
            if getattr(manager, "ready", True):
                break
        await settle(app)
        manager.grab().save(str(out / f"model-manager-{lang}.png"))
        manager.close()

    dialog = window.open_settings()
    dialog.resize(860, 640)
    await settle(app)
    dialog.grab().save(str(out / f"settings-{lang}.png"))
    dialog.close()
    window.close()
    await _shutdown(window, services, asyncio.Event())


async def settle(app) -> None:
    """Let the loop lay out and paint (never processEvents() inside a task: qasync would re-enter)."""
    await asyncio.sleep(0.4)


def main() -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)

    async def run() -> None:
        for lang in ("en", "de"):
            await shoot(app, out, lang)

    qasync.run(run())
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main()
