"""The window's side of the local API server: started and stopped from the "Local server" settings on the
qasync loop, serving the model the window has loaded; its replies take turns with the window's own
(``EngineController.turns``)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from ...api_server.app import LocalServer, ServerRefused, config_from_settings
from ...api_server.backend import Backend, ServedModel, installed_models, served_model
from ...api_server.request_log import RequestLog
from ...api_server.safety import is_loopback
from ...core.errors import DeepSeekError
from ...core.requests import GenerationParams
from ...core.secrets import LOCAL_SERVER_KEY
from ...core.settings.store import SettingsStore, generation_params, models_dir
from ...core.vocabulary import Engine
from ...models.local.registry import registry_for
from ...models.model_sources import SIMULATOR, params_for
from ..background import BackgroundWork
from ..engine.controller import EngineController, EngineState

log = logging.getLogger(__name__)


class WindowBackend(Backend):
    """What the server serves when the window runs it: the window's loaded model."""

    def __init__(self, engine: EngineController, services) -> None:
        self.engine = engine
        self.turns = engine.turns
        self._services = services

    def loaded(self) -> ServedModel | None:
        choice = self.engine.current
        if choice is None or not self.engine.client.running:
            return None
        # A GGUF listed under its own file name is served under the name without ".gguf", as the CLI serves it.
        same_as_file = choice.engine is Engine.LLAMACPP and choice.label == Path(choice.model).name
        return served_model(choice.engine, choice.model, "" if same_as_file else choice.label, self.engine.model_info,
                            size=choice.size_bytes)

    async def settle(self) -> bool:
        if self.engine.state in (EngineState.READY, EngineState.GENERATING) and self.engine.current is not None:
            return True
        try:
            await self.engine.ensure_ready()
        except DeepSeekError:
            return False
        return True

    def simulator_fallback(self) -> bool:
        return self._services.settings.get("server.simulator_fallback")

    async def load_simulator(self) -> None:
        await self.engine.load(SIMULATOR, params_for(SIMULATOR, self._services.settings))

    def installed(self) -> list[ServedModel]:
        paths, settings = self._services.paths, self._services.settings
        return installed_models(registry_for(paths, models_dir(settings, paths)))

    def defaults(self) -> GenerationParams:
        return generation_params(self._services.settings)

    def thinking_settings(self) -> SettingsStore:
        return self._services.settings


class LocalServerController(QObject):
    """Starts, restarts and stops the server as the settings say. ``changed``: it started or stopped, or
    the number of running and waiting replies changed; ``logged``: a request ended (a ``LogEntry``)."""

    changed = Signal()
    logged = Signal(object)
    failed = Signal(str)

    def __init__(self, services, engine: EngineController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.engine = engine
        self.requests = RequestLog()
        self.server: LocalServer | None = None
        self.error = ""
        self.work = BackgroundWork(self)
        self._lock = asyncio.Lock()
        self._unsubscribe = [
            services.settings.subscribe(self._on_setting),
            engine.turns.subscribe(lambda _running, _waiting: self.changed.emit()),
            self.requests.subscribe(self.logged.emit),
        ]
        if services.settings.get("server.enabled"):
            self.apply()

    @property
    def running(self) -> bool:
        return self.server is not None and self.server.running

    @property
    def address(self) -> str:
        return self.server.url("openai") if self.running else ""

    @property
    def ollama_address(self) -> str:
        return self.server.url("ollama") if self.running and "ollama" in self.server.ports else ""

    @property
    def replies_running(self) -> int:
        return self.engine.turns.running

    @property
    def replies_waiting(self) -> int:
        return self.engine.turns.waiting

    def _on_setting(self, key: str, _value) -> None:
        if key.startswith("server."):
            self.apply()

    def apply(self) -> asyncio.Task:
        """Bring the server in line with the settings (start, restart with new values, or stop)."""
        return self.work.run(self._apply())

    async def _apply(self) -> None:
        async with self._lock:
            await self._stop()
            settings = self.services.settings
            if not settings.get("server.enabled"):
                self.changed.emit()
                return
            config = config_from_settings(settings.get)
            if not is_loopback(config.host):
                key = await asyncio.to_thread(self.services.secrets().get, LOCAL_SERVER_KEY)
                config = replace(config, api_key=key or "")
            server = LocalServer(WindowBackend(self.engine, self.services), config, self.requests)
            try:
                await server.start()
            except ServerRefused:
                self._fail(
                    QCoreApplication.translate(
                        "LocalServer",
                        "The local server needs an API key to listen on {host}: set one in the "
                        "settings (Local server, Set API key…).",
                    ).format(host=config.host)
                )
                return
            except OSError as exc:
                self._fail(
                    QCoreApplication.translate(
                        "LocalServer", "The local server could not listen on {host}: {reason}"
                    ).format(host=config.host, reason=exc.strerror or str(exc))
                )
                return
            self.server, self.error = server, ""
            self.changed.emit()

    def _fail(self, text: str) -> None:
        log.warning("local server not started: %s", text)
        self.error = text
        self.changed.emit()
        self.failed.emit(text)

    async def _stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            await server.stop()

    async def stop(self) -> None:
        """On quit: close the sockets (open streams end)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        async with self._lock:
            await self._stop()
