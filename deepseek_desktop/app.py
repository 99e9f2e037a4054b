"""Composition root: build the services, pass them in, show the window. No globals.

Only what the first screen needs is imported before the window shows; llama.cpp, MLX and the Hub
client are never imported in this process at all (they live in the engine host or in worker threads).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time

from .core.paths import AppPaths

log = logging.getLogger(__name__)


def run(paths: AppPaths, quit_after_shown: bool = False) -> int:
    started = time.perf_counter()
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from . import __version__
    from .core.paths import APP_NAME
    from .core.settings_store import SettingsStore

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("DeepSeek Desktop")
    app.setQuitOnLastWindowClosed(False)  # we quit after the engine and the store are closed
    icon_path = paths_icon()
    if icon_path:
        app.setWindowIcon(QIcon(str(icon_path)))
    paths.ensure()
    from PySide6 import __version__ as pyside_version

    log.info("DeepSeek Desktop %s starting (PySide6 %s, Python %s); data in %s", __version__, pyside_version,
             sys.version.split()[0], paths.data_dir)
    lock = _single_instance(paths)
    if lock is None:
        return 1
    settings = SettingsStore(paths.settings_file, background=True)

    async def main() -> int:
        window, services = build_window(app, paths, settings)
        done = asyncio.Event()
        window.show()

        def on_shown() -> None:
            if quit_after_shown:
                heavy = [m for m in ("llama_cpp", "mlx", "mlx_lm", "huggingface_hub", "openai", "torch")
                         if m in sys.modules]
                print(f"shown {1000 * (time.perf_counter() - started):.0f} ms; heavy modules imported: "
                      f"{', '.join(heavy) or 'none'}", flush=True)
                window.close()
        QTimer.singleShot(0, on_shown)

        original_close = window.closeEvent

        def close_event(event) -> None:
            original_close(event)
            if event.isAccepted():
                asyncio.ensure_future(_shutdown(window, services, done))
        window.closeEvent = close_event
        if not quit_after_shown:
            asyncio.ensure_future(window.start())
        await done.wait()
        return 0

    return qasync.run(main())


def build_window(app, paths: AppPaths, settings):
    """Everything the window needs, built here and passed in (the tests build it the same way)."""
    from pathlib import Path

    from .core.conversation_store import ConversationStore
    from .engine_host.client import EngineHostClient
    from .ui.engine_controller import EngineController
    from .ui.i18n import LanguageManager
    from .ui.main_window import MainWindow
    from .ui.services import Services
    from .ui.store_runner import StoreRunner
    from .ui.theme import apply_theme

    language = LanguageManager(app)
    language.apply(settings.get("general.language"))
    theme = apply_theme(app, settings.get("general.theme"))

    def make_secrets():
        from .core.secrets import SecretStore

        return SecretStore()

    services = Services(
        paths=paths,
        settings=settings,
        runner=StoreRunner(lambda: ConversationStore(paths.database_file),
                           fallback=lambda: ConversationStore(Path(":memory:"))),
        engine=EngineController(EngineHostClient()),
        language=language,
        apply_theme=lambda choice: apply_theme(app, choice),
        secrets_factory=make_secrets,
    )
    window = MainWindow(services)
    window.chat_view.set_theme(theme)
    return window, services


async def _shutdown(window, services, done: asyncio.Event) -> None:
    try:
        await window.shutdown()
    except Exception as exc:  # quitting must always work
        log.warning("shutdown: %s", exc)
    await asyncio.to_thread(services.runner.close)
    await asyncio.to_thread(services.settings.close)
    done.set()


def _single_instance(paths: AppPaths):
    """Two windows on one database would each take the other's reply for a crashed one."""
    from PySide6.QtCore import QCoreApplication, QLockFile
    from PySide6.QtWidgets import QMessageBox

    lock = QLockFile(str(paths.data_dir / "app.lock"))
    lock.setStaleLockTime(0)  # a lock left by a crashed instance is taken over (its pid is gone)
    if lock.tryLock(200):
        return lock
    log.warning("another instance holds %s", paths.data_dir / "app.lock")
    QMessageBox.information(None, QCoreApplication.translate("App", "DeepSeek Desktop"),
                            QCoreApplication.translate("App", "DeepSeek Desktop is already running."))
    return None


def paths_icon():
    from importlib import resources
    from pathlib import Path

    icon = Path(str(resources.files("deepseek_desktop").joinpath("resources/icon.png")))
    return icon if icon.exists() else None
