"""What the server serves: the model the engine host has loaded, the installed ones, and the line of
replies in front of the host (``engine_host.turns``), shared with the chat window.

The window and the CLI each give the server a ``Backend``; ``HostBackend`` is the CLI's (it owns its
engine host), the window's lives in ``ui/local_server/`` and speaks to its ``EngineController``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import thinking
from ..core.errors import DeepSeekError
from ..core.requests import GenerationParams, LoadParams
from ..core.vocabulary import Engine
from ..engine_host.client import EngineHostClient
from ..engine_host.turns import Turns
from ..models.local.registry import ModelRegistry
from .errors import ApiError

SIMULATOR_ID = Engine.SIMULATOR.value
HOW_TO_LOAD = (
    "No model is loaded. Load one in the DeepSeek Desktop window (the model picker in the toolbar), "
    "or start the server with `deepseek-desktop serve --model PATH_OR_NAME`."
)


@dataclass(frozen=True)
class ServedModel:
    """A model as the API lists it."""

    id: str
    engine: str = ""  # an Engine
    path: str = ""
    format: str = ""  # a ModelFormat, or the engine's word for the remote server and the simulator
    size: int = 0
    context_length: int = 0
    created: int = field(default_factory=lambda: int(time.time()))
    # What the engine host said when it loaded it: architecture, parameters, quantization, chat template,
    # capabilities (see ``engines``); empty for an installed model that is not loaded.
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False)


def model_id(engine: Engine, model: str, label: str = "") -> str:
    if engine is Engine.SIMULATOR:
        return SIMULATOR_ID
    if label:
        return label
    return Path(model).name if engine is Engine.MLX else Path(model).stem if model else engine.value


def served_model(engine: Engine | str, path: str, label: str = "", info: Mapping[str, Any] | None = None, *,
                 size: int = 0, n_ctx: int = 0) -> ServedModel:
    """The loaded model as the API lists it. ``info`` is what the engine host said when it loaded it; its
    context (else ``n_ctx``) and, without ``size``, the GGUF file's size count for the engines that load files."""
    engine = Engine(engine)
    if not size and engine is Engine.LLAMACPP and path and Path(path).is_file():
        size = Path(path).stat().st_size
    context = int((info or {}).get("n_ctx") or n_ctx or 0) if engine.runs_files else 0
    return ServedModel(model_id(engine, path, label), engine, path, engine.model_format or engine, size, context,
                       facts=dict(info or {}))


def installed_models(registry: ModelRegistry) -> list[ServedModel]:
    try:
        return [
            ServedModel(m.name, m.engine, str(m.path), m.format, m.size, m.context_length)
            for m in registry.list()
            if m.present
        ]
    except (OSError, DeepSeekError):
        return []


def no_model() -> ApiError:
    return ApiError(503, HOW_TO_LOAD, "server_error", None, "model_not_loaded")


class Backend:
    """What a server serves. ``HostBackend`` is the CLI's; the window's is ``ui/local_server``'s ``WindowBackend``."""

    turns: Turns

    def loaded(self) -> ServedModel | None:
        """The model that answers now, or None."""
        raise NotImplementedError

    def installed(self) -> list[ServedModel]:
        """The installed models (read from the registry)."""
        raise NotImplementedError

    def defaults(self) -> GenerationParams:
        """Sampling defaults for parameters a request leaves out (the user's settings)."""
        raise NotImplementedError

    def thinking_settings(self) -> thinking.Settings:
        """The thinking budget's settings (``core.thinking`` reads them): the schema's defaults unless the
        backend has the user's settings."""
        return thinking.SchemaDefaults()

    def simulator_fallback(self) -> bool:
        """Whether the simulator answers when no model is loaded (the user's setting)."""
        raise NotImplementedError

    async def settle(self) -> bool:
        """Wait for a load in progress to end; True when a model answers then, False when none can."""
        raise NotImplementedError

    async def load_simulator(self) -> None:
        raise NotImplementedError

    async def unload(self) -> None:
        """Free the model's memory (Ollama's ``keep_alive: 0``); it loads again with the next request. The
        window's model is the user's: only the window unloads it."""
        raise ApiError(409, "The model belongs to the DeepSeek Desktop window; unload it there.",
                       "invalid_request_error", "keep_alive", "model_owned_by_window")

    async def ready(self) -> ServedModel:
        """The model that answers, after a load in progress ends (or the simulator, loaded now when no model
        can answer and the user chose that); raises ``ApiError`` 503 naming how to load one."""
        if not await self.settle():
            if not self.simulator_fallback():
                raise no_model()
            await self.load_simulator()
        model = self.loaded()
        if model is None:
            raise no_model()
        return model


class HostBackend(Backend):
    """The CLI's backend: one engine host, loaded once with the model from the command line."""

    def __init__(
        self,
        client: EngineHostClient,
        registry: ModelRegistry,
        defaults: GenerationParams,
        queue_limit: int = 16,
        simulator_fallback: bool = False,
        simulator_params: LoadParams | None = None,
        settings: thinking.Settings | None = None,
    ) -> None:
        self.client = client
        self.turns = Turns(client, queue_limit)
        self._registry = registry
        self._defaults = defaults
        self._settings = settings
        self._fallback = simulator_fallback
        self._simulator_params = simulator_params or LoadParams()
        self._loaded: ServedModel | None = None
        self._unloaded: tuple[Engine | str, LoadParams, str] | None = None  # what to load again
        self._loading = asyncio.Lock()

    async def load(self, engine: Engine | str, params: LoadParams, label: str = "") -> ServedModel:
        info: dict[str, Any] = await self.client.load(engine, params)
        self._loaded = served_model(engine, params.model, label, info, n_ctx=params.n_ctx)
        self._load_args = (engine, params, label)
        self._unloaded = None
        return self._loaded

    def loaded(self) -> ServedModel | None:
        return self._loaded if self.client.running else None

    async def settle(self) -> bool:
        async with self._loading:
            if self._loaded is None and self._unloaded is not None:
                if not self.client.running:
                    await self.client.start()
                await self.load(*self._unloaded)
        return self.loaded() is not None

    async def unload(self) -> None:
        async with self._loading:
            if self._loaded is not None:
                await self.client.unload()
                self._unloaded, self._loaded = self._load_args, None

    def simulator_fallback(self) -> bool:
        return self._fallback

    async def load_simulator(self) -> None:
        if not self.client.running:
            await self.client.start()
        await self.load(Engine.SIMULATOR, self._simulator_params)

    def installed(self) -> list[ServedModel]:
        return installed_models(self._registry)

    def defaults(self) -> GenerationParams:
        return self._defaults

    def thinking_settings(self) -> thinking.Settings:
        return self._settings or thinking.SchemaDefaults()


def matches(model: ServedModel, name: str) -> bool:
    """A request names the model by its id, its path, or (Ollama clients) ``id:latest``."""
    name = name.removesuffix(":latest")
    return name in (model.id, model.path) or (bool(model.path) and name == Path(model.path).name)


async def pick_model(backend: Backend, name: str) -> ServedModel:
    """The loaded model if ``name`` names it; 404 for any other name (saying how to load an installed one)."""
    model = await backend.ready()
    if matches(model, name):
        return model
    if any(matches(m, name) for m in backend.installed()):
        raise ApiError(
            404,
            f"The model {name!r} is installed but not loaded (loaded: {model.id!r}). Load it in the "
            f"window, or start `deepseek-desktop serve --model {name}`.",
            "invalid_request_error",
            "model",
            "model_not_loaded",
        )
    raise ApiError(
        404,
        f"The model {name!r} does not exist; this server serves {model.id!r}.",
        "invalid_request_error",
        "model",
        "model_not_found",
    )


def listed_models(backend: Backend) -> list[tuple[ServedModel, bool]]:
    """The loaded model first, then the installed ones; (model, loaded)."""
    loaded = backend.loaded()
    out = [(loaded, True)] if loaded else []
    for m in backend.installed():
        if loaded is None or not (m.path == loaded.path or m.id == loaded.id):
            out.append((m, False))
    return out
