"""The main window's other windows: the settings, the model manager and the launch planner.

Each is made on first use, then reused and raised; one of each per main window. They talk to the main window
only through their signals (wired here) and the main window's methods it is given."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from ..core.model_choice import ModelChoice
from .notice_bar import NoticeBar
from .services import Services

if TYPE_CHECKING:
    from .launch_planner.dialog import LaunchPlannerDialog
    from .model_manager.window import ModelManagerWindow
    from .settings.dialog import SettingsDialog


class OtherWindows(QObject):
    """The other windows of ``main_window``: it is their parent, ``closing`` says it closed, its ``notices`` show
    what the model manager says while hidden; ``reload_models`` and ``switch_model`` are what they ask of it."""

    def __init__(self, main_window: QWidget, services: Services, notices: NoticeBar, closing: SignalInstance,
                 reload_models: Callable[[], None], switch_model: Callable[[ModelChoice], None],
                 local_server=None) -> None:
        """``local_server``: the window's local API server (its settings page shows where it listens)."""
        super().__init__(main_window)
        self._local_server = local_server
        self._main = main_window
        self._services, self._notices = services, notices
        self._reload_models, self._switch_model = reload_models, switch_model
        self._settings: SettingsDialog | None = None
        self._manager: ModelManagerWindow | None = None
        self._planner: LaunchPlannerDialog | None = None
        # The main window closing is the app quitting: downloads stop, their partial files stay for Resume.
        closing.connect(self._on_main_closing)

    @property
    def settings_dialog(self) -> SettingsDialog | None:
        return self._settings

    @property
    def model_manager(self) -> ModelManagerWindow | None:
        return self._manager if self._manager is not None and isValid(self._manager) else None

    @property
    def launch_planner(self) -> LaunchPlannerDialog | None:
        return self._planner

    def open_settings(self, page: str | None = None) -> SettingsDialog:
        """The settings window, on ``page`` (a settings group's name) if given."""
        from .settings.dialog import SettingsDialog

        if self._settings is None:
            self._settings = SettingsDialog(self._services, self._main, server=self._local_server)
        if page is not None:
            self._settings.show_page(page)
        _raise(self._settings)
        return self._settings

    def open_model_manager(
        self, *, catalogue_file: Path | None = None, endpoint: str | None = None
    ) -> ModelManagerWindow:
        """The model manager; ``catalogue_file`` and ``endpoint`` apply when it is first made. An open one is
        raised; a closed (hidden) one looks at the models folder again."""
        from .model_manager.window import ModelManagerWindow

        manager = self.model_manager
        if manager is None:
            manager = ModelManagerWindow(self._services, self._main, catalogue_file=catalogue_file, endpoint=endpoint)
            manager.modelsChanged.connect(self._reload_models)
            manager.messageWhileHidden.connect(
                lambda text: self._notices.show_message(text, "info", timeout_ms=15000)
            )
            manager.settingsRequested.connect(self.open_settings)
            manager.launchPlannerRequested.connect(self.open_launch_planner)
            self._manager = manager
        elif not manager.isVisible():
            manager.refresh_local()
        _raise(manager)
        return manager

    def open_launch_planner(self, catalogue, model_id: str | None = None) -> LaunchPlannerDialog:
        """The launch planner for ``model_id`` of ``catalogue`` (the catalogue's biggest model without one)."""
        from .launch_planner.dialog import LaunchPlannerDialog

        if self._planner is None:
            self._planner = LaunchPlannerDialog(self._services, catalogue, self._main)
            self._planner.switchRequested.connect(self._switch_model)
            self._planner.settingsRequested.connect(self.open_settings)
        self._planner.set_catalogue(catalogue, model_id)
        _raise(self._planner)
        return self._planner

    def _on_main_closing(self) -> None:
        manager = self.model_manager
        if manager is not None:
            manager.stop_downloads()

    async def shutdown(self) -> None:
        """For the app's quit: running downloads stop (their partial files stay for Resume)."""
        manager = self.model_manager
        if manager is not None:
            await manager.shutdown()


def _raise(window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
