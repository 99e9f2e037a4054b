"""Composition root: build the services, pass them in, show the window. No globals.

Only what the first screen needs is imported before the window shows; llama.cpp, MLX and the Hub
client are never imported in this process at all (they live in the engine host or in worker threads).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .core.paths import AppPaths

log = logging.getLogger(__name__)
DESKTOP_ID = "io.github.deepseekdesktop.DeepSeekDesktop"  # packaging/project_info.py APP_ID


def run(paths: AppPaths, quit_after_shown: bool = False, open_paths: Sequence[Path] = ()) -> int:
    started = time.perf_counter()
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from . import __version__
    from .core.paths import APP_NAME
    from .core.settings.store import SettingsStore

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("DeepSeek Desktop")
    app.setDesktopFileName(DESKTOP_ID)  # Wayland finds the icon and the name through the .desktop file
    app.setQuitOnLastWindowClosed(False)  # we quit after the engine and the store are closed
    icon_path = paths_icon()
    if icon_path:
        app.setWindowIcon(QIcon(str(icon_path)))
    from PySide6 import __version__ as pyside_version

    log.info("DeepSeek Desktop %s starting (PySide6 %s, Python %s); data in %s", __version__, pyside_version,
             sys.version.split()[0], paths.data_dir)
    open_paths = [Path(p).absolute() for p in open_paths]
    lock = _single_instance(paths, open_paths, interactive=not quit_after_shown)
    if isinstance(lock, int):
        return lock
    from .ui.desktop.instance_link import InstanceLink

    link = InstanceLink(paths.data_dir)
    link.listen()
    app.installEventFilter(link)  # macOS: Finder double-clicks and Dock drops
    link.deliver(open_paths)
    settings = SettingsStore(paths.settings_file, background=True)

    async def main() -> int:
        window, services = build_window(app, paths, settings)
        done = asyncio.Event()
        window.show()
        link.attach(window)

        def on_shown() -> None:
            if quit_after_shown:
                heavy = [m for m in ("llama_cpp", "mlx", "mlx_lm", "huggingface_hub", "openai", "torch")
                         if m in sys.modules]
                print(f"shown {1000 * (time.perf_counter() - started):.0f} ms; heavy modules imported: "
                      f"{', '.join(heavy) or 'none'}", flush=True)
                window.close()
        QTimer.singleShot(0, on_shown)

        # The window's own background work keeps these tasks alive and logs (and shows) what fails in them.
        window.closing.connect(lambda: window.work.run(_shutdown(window, services, done)))
        if not quit_after_shown:
            window.work.run(window.start())
        await done.wait()
        link.close()
        return 0

    return qasync.run(main())


def build_window(app, paths: AppPaths, settings):
    """Everything the window needs, built here and passed in (the tests build it the same way)."""
    from .core.conversations.store import ConversationStore
    from .engine_host.client import EngineHostClient
    from .ui.appearance.i18n import LanguageManager
    from .ui.appearance.theme import apply_theme
    from .ui.chat.store_runner import StoreRunner
    from .ui.engine.controller import EngineController
    from .ui.main_window import MainWindow
    from .ui.services import Services

    language = LanguageManager(app)
    language.apply(settings.get("general.language"))
    theme = apply_theme(app, settings.get("general.theme"))

    def make_secrets():
        from .core.secrets import SecretStore

        return SecretStore()

    services = Services(
        paths=paths,
        settings=settings,
        runner=StoreRunner(lambda: ConversationStore.open_or_in_memory(paths.database_file)),
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
        try:
            await window.shutdown()
        except Exception as exc:  # quitting must always work
            log.warning("shutdown: %s", exc)
        await asyncio.to_thread(services.runner.close)
        await asyncio.to_thread(services.settings.close)
    finally:
        done.set()  # the app quits even when closing the store or the settings failed (the log says why)


def _single_instance(paths: AppPaths, open_paths: list[Path], interactive: bool = True):
    """The lock, or the exit code when this launch must not open a window.

    Two windows on one database would each take the other's reply for a crashed one, so a second
    launch hands its files to the running window and exits.
    """
    from PySide6.QtCore import QCoreApplication

    from .ui.desktop.instance_link import claim_instance, hand_over, server_name

    claim = claim_instance(paths)
    if claim.lock is not None:
        return claim.lock
    if claim.problem == "running":
        if hand_over(server_name(paths.data_dir), [str(p) for p in open_paths]):
            log.info("handed %d file(s) to the running window", len(open_paths))
            return 0
        text = QCoreApplication.translate("App", "DeepSeek Desktop is already running, but it does not answer. "
                                                 "Close it (or end it in the task manager) and try again.")
    else:
        text = QCoreApplication.translate(
            "App", "DeepSeek Desktop cannot write to its data folder {folder} ({reason}). Check that the "
                   "folder and the disk are writable, or choose another folder with the environment "
                   "variable DEEPSEEK_DESKTOP_HOME.").format(folder=claim.folder, reason=claim.reason)
    print(text, file=sys.stderr, flush=True)
    if interactive:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(None, QCoreApplication.translate("App", "DeepSeek Desktop"), text)
    return 1


def paths_icon():
    from importlib import resources
    from pathlib import Path

    icon = Path(str(resources.files("deepseek_desktop").joinpath("resources/icon.png")))
    return icon if icon.exists() else None
