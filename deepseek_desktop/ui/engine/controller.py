"""The GUI's handle on the engine host: state, model loading, replies, crash and restart.

Everything runs as asyncio tasks on the qasync loop (the GUI thread), and everything it waits for is
awaited, never blocked on. The UI never imports an engine: it speaks to the host process through
``EngineHostClient``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from ...core.errors import DeepSeekError, EngineCrashed, EngineError
from ...core.events import Event
from ...core.model_choice import ModelChoice
from ...core.requests import ChatRequest, LoadParams
from ...engine_host.client import EngineHostClient
from ...engine_host.turns import Turn, Turns
from ..background import BackgroundWork

log = logging.getLogger(__name__)


class EngineState(StrEnum):
    """The one state machine the composer, the status bar and the error bar are drawn from.

    A StrEnum so that the log and a settings-free comparison (``state == "ready"``) read naturally.
    """

    STOPPED = "stopped"  # no host (before the first load, after a clean shutdown)
    STARTING = "starting"
    LOADING = "loading"
    READY = "ready"
    GENERATING = "generating"
    CRASHED = "crashed"  # the host died; the next send or Restart starts a new one
    FAILED = "failed"  # the last load failed; the host still runs


BUSY_STATES = (EngineState.STARTING, EngineState.LOADING)


class EngineController(QObject):
    stateChanged = Signal(object)  # EngineState
    loadProgress = Signal(float)
    modelLoaded = Signal(object, dict)  # ModelChoice, info from the engine
    loadFailed = Signal(object, object)  # ModelChoice, DeepSeekError
    crashed = Signal(object)  # EngineCrashed

    def __init__(self, client: EngineHostClient | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client or EngineHostClient()
        self.client.add_exit_listener(self._on_host_exit)
        self.turns = Turns(self.client)  # the window's replies and the local API server's take turns
        self._turn: Turn | None = None
        self.work = BackgroundWork(self)
        self.state = EngineState.STOPPED
        self.current: ModelChoice | None = None  # the model that is loaded
        self.attempt: ModelChoice | None = None  # the model last asked for: loading, loaded, or failed
        self.error: DeepSeekError | None = None  # what went wrong with ``attempt`` (a failed load, a crash)
        self.model_info: dict = {}
        self._wanted: tuple[ModelChoice, LoadParams] | None = None
        self._load_task: asyncio.Task | None = None
        self._settled = asyncio.Event()  # set while the state is not STARTING/LOADING
        self._settled.set()

    # -- state ----------------------------------------------------------------------------------
    def _set_state(self, state: EngineState) -> None:
        if state in BUSY_STATES:
            self._settled.clear()
        else:
            self._settled.set()
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    @property
    def ready(self) -> bool:
        return self.state == EngineState.READY

    def presents(self, error: BaseException | None) -> bool:
        """Whether ``error`` is the attempt's own error, which the engine's state already shows."""
        return error is not None and error is self.error

    # -- loading --------------------------------------------------------------------------------
    def prepare(self, choice: ModelChoice) -> None:
        """A switch to ``choice`` began (a key is read, a RAM disk filled): nothing is sent until it is in."""
        self.attempt, self.error = choice, None
        self._set_state(EngineState.LOADING)

    def fail(self, choice: ModelChoice, error: DeepSeekError) -> None:
        """The switch to ``choice`` failed before the engine was asked to load it."""
        if choice != self.attempt:
            return  # a newer attempt owns the state now
        self.error = error
        self._set_state(EngineState.FAILED if self.current is None else EngineState.READY)
        self.loadFailed.emit(choice, error)

    def load(self, choice: ModelChoice, params: LoadParams) -> asyncio.Task:
        """Load ``choice`` (replacing what is loaded). A newer request supersedes an older one."""
        self._wanted = (choice, params)
        self.attempt, self.error = choice, None
        if self._load_task and not self._load_task.done():
            self._load_task.cancel()
        self._set_state(EngineState.LOADING if self.client.running else EngineState.STARTING)
        self._load_task = self.work.run(self._load(choice, params))
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
            self._load_failed(choice, exc, EngineState.CRASHED)
            return
        except DeepSeekError as exc:
            log.warning("loading %s failed: %s", choice.label or choice.model, exc)
            self._load_failed(choice, exc, EngineState.FAILED if self.client.running else EngineState.CRASHED)
            return
        except OSError as exc:  # the host could not be started at all
            log.error("cannot start the engine host: %s", exc)
            self._load_failed(choice, EngineCrashed(str(exc)), EngineState.CRASHED)
            return
        except Exception as exc:  # a bug must still end the attempt, or the window waits for ever
            log.exception("loading %s failed", choice.label or choice.model)
            self._load_failed(choice, EngineError("model.load_failed", repr(exc), path=choice.model),
                              EngineState.FAILED)
            return
        self.current, self.model_info, self.error = choice, info, None
        took = f" in {info['load_ms']:.0f} ms" if isinstance(info.get("load_ms"), (int, float)) else ""
        log.info("loaded %s with %s (chat template %s)%s", choice.label or choice.model or choice.engine,
                 choice.engine, info.get("chat_template", "?"), took)
        self._set_state(EngineState.READY)
        self.modelLoaded.emit(choice, info)

    def _load_failed(self, choice: ModelChoice, error: DeepSeekError, state: EngineState) -> None:
        self.current, self.error = None, error
        self._set_state(state)
        self.loadFailed.emit(choice, error)

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
            await asyncio.wait({self.load(*self._wanted)})

    async def retry(self) -> None:
        """Try the attempt again: Restart after a crash, a new load after a failed one."""
        if self.state == EngineState.CRASHED or not self.client.running:
            await self.restart()
        elif self._wanted:
            await asyncio.wait({self.load(*self._wanted)})

    async def ensure_ready(self) -> None:
        """Wait until a model can answer: a load in progress ends, or after a crash a new host starts and
        loads the last model again (the README's "a new host starts on demand"). Raises the attempt's
        error when there is no model to answer."""
        if self._wanted and (self.state == EngineState.CRASHED or self.state == EngineState.STOPPED):
            self.load(*self._wanted)
        while not self._settled.is_set():
            await self._settled.wait()
        if self.state != EngineState.READY:
            raise self.error or DeepSeekError("model.none_loaded")

    # -- replies --------------------------------------------------------------------------------
    async def chat(self, request: ChatRequest) -> AsyncIterator[Event]:
        if self.state != EngineState.READY:
            raise DeepSeekError("model.none_loaded")
        self._set_state(EngineState.GENERATING)
        self._turn = turn = Turn("window")
        try:
            async for event in self.turns.chat(request, turn):
                yield event
        finally:
            if self._turn is turn:
                self._turn = None
            if self.state == EngineState.GENERATING:
                self._set_state(EngineState.READY)

    def stop_generation(self) -> None:
        """Stop the window's own reply (a reply to the local API server goes on)."""
        if self._turn is not None:
            self._turn.cancel()

    # -- shutdown and crashes -------------------------------------------------------------------
    async def shutdown(self) -> None:
        self._wanted = None  # nothing is to start again on demand
        if self._load_task and not self._load_task.done():
            self._load_task.cancel()
        await self.client.stop()
        self._set_state(EngineState.STOPPED)

    def _on_host_exit(self, crash: EngineCrashed | None) -> None:
        self.current = None
        if crash is None:
            if self.state not in BUSY_STATES:  # a Restart stops the host on its way to a new one
                self._set_state(EngineState.STOPPED)
            return
        self.error = crash
        self._set_state(EngineState.CRASHED)
        self.crashed.emit(crash)
