"""The GUI's handle on the engine host: state, model loading, replies, crash and restart.

Everything runs as asyncio tasks on the qasync loop (the GUI thread), and everything it waits for is
awaited, never blocked on. The UI never imports an engine: it speaks to the host process through
``EngineHostClient``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from ..core.errors import DeepSeekError, EngineCrashed
from ..core.events import Event
from ..core.requests import ChatRequest, LoadParams
from ..engine_host.client import EngineHostClient

log = logging.getLogger(__name__)


class EngineState:
    STOPPED = "stopped"
    STARTING = "starting"
    LOADING = "loading"
    READY = "ready"
    GENERATING = "generating"
    CRASHED = "crashed"
    FAILED = "failed"  # the last load failed; the host still runs


@dataclass(frozen=True)
class ModelChoice:
    """What the user picked in the toolbar: an engine and what it should load."""

    engine: str  # "llamacpp" | "mlx" | "remote" | "simulator"
    model: str = ""  # a file, a folder, or a remote model name
    label: str = ""
    base_url: str = ""
    endpoint: str = ""  # the remote endpoint's name (keyring user)
    size_bytes: int = 0

    @property
    def key(self) -> str:
        return f"{self.engine}|{self.endpoint or self.model}"


class EngineController(QObject):
    stateChanged = Signal(str)
    loadProgress = Signal(float)
    modelLoaded = Signal(object, dict)  # ModelChoice, info from the engine
    loadFailed = Signal(object, object)  # ModelChoice, DeepSeekError
    crashed = Signal(object)  # EngineCrashed

    def __init__(self, client: EngineHostClient | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client or EngineHostClient()
        self.client.on_exit = self._on_host_exit
        self.state = EngineState.STOPPED
        self.current: ModelChoice | None = None
        self.model_info: dict = {}
        self._wanted: tuple[ModelChoice, LoadParams] | None = None
        self._load_task: asyncio.Task | None = None

    # -- state ----------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    @property
    def ready(self) -> bool:
        return self.state == EngineState.READY

    # -- loading --------------------------------------------------------------------------------
    def load(self, choice: ModelChoice, params: LoadParams) -> asyncio.Task:
        """Load ``choice`` (replacing what is loaded). A newer request supersedes an older one."""
        self._wanted = (choice, params)
        if self._load_task and not self._load_task.done():
            self._load_task.cancel()
        self._load_task = asyncio.ensure_future(self._load(choice, params))
        return self._load_task

    async def _load(self, choice: ModelChoice, params: LoadParams) -> None:
        try:
            if not self.client.running:
                self._set_state(EngineState.STARTING)
                await self.client.start()
            self._set_state(EngineState.LOADING)
            self.loadProgress.emit(0.0)
            # params.model may differ from choice.model: a copy of the model on a RAM disk
            params = params if params.model else replace(params, model=choice.model)
            info = await self.client.load(choice.engine, params, on_progress=self.loadProgress.emit)
        except asyncio.CancelledError:
            raise
        except EngineCrashed as exc:
            self.current = None
            self._set_state(EngineState.CRASHED)
            self.loadFailed.emit(choice, exc)
            return
        except DeepSeekError as exc:
            log.warning("loading %s failed: %s", choice.label or choice.model, exc)
            self.current = None
            self._set_state(EngineState.FAILED if self.client.running else EngineState.CRASHED)
            self.loadFailed.emit(choice, exc)
            return
        except OSError as exc:  # the host could not be started at all
            log.error("cannot start the engine host: %s", exc)
            self.current = None
            self._set_state(EngineState.CRASHED)
            self.loadFailed.emit(choice, EngineCrashed(str(exc)))
            return
        self.current, self.model_info = choice, info
        took = f" in {info['load_ms']:.0f} ms" if isinstance(info.get("load_ms"), (int, float)) else ""
        log.info("loaded %s with %s (chat template %s)%s", choice.label or choice.model or choice.engine,
                 choice.engine, info.get("chat_template", "?"), took)
        self._set_state(EngineState.READY)
        self.modelLoaded.emit(choice, info)

    async def unload(self) -> None:
        """Free the model before another is loaded (e.g. before the RAM disk it was read from goes away)."""
        self._set_state(EngineState.LOADING)  # nothing can be sent until the next model is in
        if self.client.running:
            await self.client.unload()
        self.current = None

    async def restart(self) -> None:
        """Start a fresh host and load the last model again (the Restart button)."""
        await self.client.stop()
        if self._wanted:
            await self.load(*self._wanted)

    # -- replies --------------------------------------------------------------------------------
    async def chat(self, request: ChatRequest) -> AsyncIterator[Event]:
        if self.state != EngineState.READY:
            raise DeepSeekError("model.none_loaded")
        self._set_state(EngineState.GENERATING)
        try:
            async for event in self.client.chat(request):
                yield event
        finally:
            if self.state == EngineState.GENERATING:
                self._set_state(EngineState.READY)

    def stop_generation(self) -> None:
        if self.state == EngineState.GENERATING:
            self.client.cancel()

    # -- shutdown and crashes -------------------------------------------------------------------
    async def shutdown(self) -> None:
        if self._load_task and not self._load_task.done():
            self._load_task.cancel()
        await self.client.stop()
        self._set_state(EngineState.STOPPED)

    def _on_host_exit(self, crash: EngineCrashed | None) -> None:
        self.current = None
        if crash is None:
            self._set_state(EngineState.STOPPED)
            return
        self._set_state(EngineState.CRASHED)
        self.crashed.emit(crash)
