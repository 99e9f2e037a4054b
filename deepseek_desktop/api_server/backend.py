"""What the server serves: the model the engine host has loaded, the installed ones, and the line of
replies in front of the host (``engine_host.turns``), shared with the chat window.

The window and the CLI each give the server a ``Backend``; ``HostBackend`` is the CLI's (it owns its
engine host), the window's lives in ``ui/local_server/`` and speaks to its ``EngineController``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..core.errors import DeepSeekError
from ..core.requests import GenerationParams, LoadParams
from ..engine_host.client import EngineHostClient
from ..engine_host.turns import Turns
from .validation import ApiError

SIMULATOR_ID = "simulator"
HOW_TO_LOAD = (
    "No model is loaded. Load one in the DeepSeek Desktop window (the model picker in the toolbar), "
    "or start the server with `deepseek-desktop serve --model PATH_OR_NAME`."
)


@dataclass(frozen=True)
class ServedModel:
    """A model as the API lists it."""

    id: str
    engine: str = ""
    path: str = ""
    format: str = ""  # "gguf" | "mlx" | "simulator" | "remote"
    size: int = 0
    context_length: int = 0
    created: int = field(default_factory=lambda: int(time.time()))


class Backend(Protocol):
    turns: Turns

    def loaded(self) -> ServedModel | None:
        """The model that answers now, or None."""

    async def ready(self) -> ServedModel:
        """The model that answers, after a load in progress ends (or the simulator is loaded when the user
        chose that); raises ``ApiError`` 503 naming how to load one."""

    def installed(self) -> list[ServedModel]:
        """The installed models (read from the registry)."""

    def defaults(self) -> GenerationParams:
        """Sampling defaults for parameters a request leaves out (the user's settings)."""


def model_id(engine: str, model: str, label: str = "") -> str:
    if engine == "simulator":
        return SIMULATOR_ID
    if label:
        return label
    return Path(model).name if engine == "mlx" else Path(model).stem if model else engine


def installed_models(registry_file: Path, models_dir: Path) -> list[ServedModel]:
    from ..models.local.registry import ModelRegistry

    try:
        registry = ModelRegistry(registry_file, models_dir)
        return [
            ServedModel(m.name, m.engine, str(m.path), m.format, m.size, m.context_length)
            for m in registry.list()
            if m.present
        ]
    except (OSError, DeepSeekError):
        return []


def no_model() -> ApiError:
    return ApiError(503, HOW_TO_LOAD, "server_error", None, "model_not_loaded")


class HostBackend:
    """The CLI's backend: one engine host, loaded once with the model from the command line."""

    def __init__(
        self,
        client: EngineHostClient,
        registry_file: Path,
        models_dir: Path,
        defaults: GenerationParams,
        queue_limit: int = 16,
        simulator_fallback: bool = False,
        simulator_params: LoadParams | None = None,
    ) -> None:
        self.client = client
        self.turns = Turns(client, queue_limit)
        self._registry_file, self._models_dir = registry_file, models_dir
        self._defaults = defaults
        self._fallback = simulator_fallback
        self._simulator_params = simulator_params or LoadParams()
        self._loaded: ServedModel | None = None

    async def load(self, engine: str, params: LoadParams, label: str = "") -> ServedModel:
        info: dict[str, Any] = await self.client.load(engine, params)
        path = params.model
        size = Path(path).stat().st_size if engine == "llamacpp" and path and Path(path).is_file() else 0
        fmt = {"llamacpp": "gguf", "mlx": "mlx"}.get(engine, engine)
        context = int(info.get("n_ctx") or params.n_ctx or 0) if engine in ("llamacpp", "mlx") else 0
        self._loaded = ServedModel(model_id(engine, path, label), engine, path, fmt, size, context)
        return self._loaded

    def loaded(self) -> ServedModel | None:
        return self._loaded if self.client.running else None

    async def ready(self) -> ServedModel:
        if self.loaded() is None and self._fallback:
            if not self.client.running:
                await self.client.start()
            return await self.load("simulator", self._simulator_params)
        model = self.loaded()
        if model is None:
            raise no_model()
        return model

    def installed(self) -> list[ServedModel]:
        return installed_models(self._registry_file, self._models_dir)

    def defaults(self) -> GenerationParams:
        return self._defaults


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
