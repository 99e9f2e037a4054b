"""Which engines exist, whether they can run here, and how to make one. Imports are lazy:
loading llama.cpp or MLX costs time and memory, so only the engine in use is imported."""

from __future__ import annotations

import importlib.util
import platform
import sys
from importlib import metadata

from ..core.errors import EngineError

ENGINE_NAMES = ("llamacpp", "mlx", "remote", "simulator")


def create_engine(name: str):
    if name == "simulator":
        from .simulator import SimulatorEngine

        return SimulatorEngine()
    if name == "llamacpp":
        _require("llama_cpp", name)
        from .llamacpp import LlamaCppEngine

        return LlamaCppEngine()
    if name == "mlx":
        _require("mlx_lm", name)
        from .mlx_engine import MlxEngine

        return MlxEngine()
    if name == "remote":
        _require("openai", name)
        from .remote import RemoteEngine

        return RemoteEngine()
    raise EngineError("engine.unknown", f"no engine called {name!r}", engine=name)


def _require(module: str, engine: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise EngineError("engine.unavailable", f"python package {module!r} is not installed", engine=engine)


def engine_versions() -> dict[str, str | None]:
    """Version of the package behind each engine, None when it is not installed (no import done)."""
    packages = {"llamacpp": "llama-cpp-python", "mlx": "mlx-lm", "remote": "openai"}
    out: dict[str, str | None] = {"simulator": _own_version()}
    for engine, dist in packages.items():
        try:
            out[engine] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[engine] = None
    return out


def is_apple_silicon() -> bool:
    return sys.platform == "darwin" and platform.machine() == "arm64"


def _own_version() -> str:
    from .. import __version__

    return __version__
