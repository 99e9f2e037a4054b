"""Which engines exist, whether they can run here, and how to make one. Imports are lazy:
loading llama.cpp or MLX costs time and memory, so only the engine in use is imported."""

from __future__ import annotations

import importlib.util
from importlib import metadata

from ..core.errors import EngineError
from ..core.vocabulary import Engine

# The package behind each engine that needs one, as pip names it.
_PACKAGES = {Engine.LLAMACPP: "llama-cpp-python", Engine.MLX: "mlx-lm", Engine.REMOTE: "openai"}


def create_engine(name: str):
    if name == Engine.SIMULATOR:
        from .simulator import SimulatorEngine

        return SimulatorEngine()
    if name == Engine.LLAMACPP:
        _require("llama_cpp", name)
        from .llamacpp import LlamaCppEngine

        return LlamaCppEngine()
    if name == Engine.MLX:
        _require("mlx_lm", name)
        from .mlx_engine import MlxEngine

        return MlxEngine()
    if name == Engine.REMOTE:
        _require("openai", name)
        from .remote import RemoteEngine

        return RemoteEngine()
    raise EngineError("engine.unknown", f"no engine called {name!r}", engine=name)


def _require(module: str, engine: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise EngineError("engine.unavailable", f"python package {module!r} is not installed", engine=engine)


def engine_versions() -> dict[str, str | None]:
    """Version of the package behind each engine, None when it is not installed (no import done)."""
    out: dict[str, str | None] = {Engine.SIMULATOR: _own_version()}
    for engine, dist in _PACKAGES.items():
        try:
            out[engine] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[engine] = None
    return out


def _own_version() -> str:
    from .. import __version__

    return __version__
