"""Which engines exist, whether they can run here, and how to make one. Imports are lazy:
loading llama.cpp or MLX costs time and memory, so only the engine in use is imported."""

from __future__ import annotations

import importlib
import importlib.util
from importlib import metadata

from ..core.errors import EngineError
from ..core.vocabulary import Engine

# The llama-cpp-python releases the llama.cpp engine is written for: it uses Llama's private members and
# llama.cpp's C API, which change between releases. pyproject.toml declares the same range (a test checks).
LLAMA_CPP_PYTHON = ">=0.3.36,<0.4"
# The package behind each engine that needs one, as pip names it.
_PACKAGES = {Engine.LLAMACPP: "llama-cpp-python", Engine.MLX: "mlx-lm", Engine.REMOTE: "openai"}


def create_engine(name: str):
    if name == Engine.SIMULATOR:
        from .simulator import SimulatorEngine

        return SimulatorEngine()
    if name == Engine.LLAMACPP:
        _require("llama_cpp", name)
        _require_version("llama_cpp", _PACKAGES[Engine.LLAMACPP], LLAMA_CPP_PYTHON, name)
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


def _require_version(module: str, dist: str, needed: str, engine: str) -> None:
    try:
        installed = metadata.version(dist)
    except metadata.PackageNotFoundError:  # a frozen app may carry the package without its metadata
        installed = str(getattr(importlib.import_module(module), "__version__", "unknown"))
    if not version_fits(installed, needed):
        raise EngineError("engine.wrong_version", f"{dist} {installed} is installed, the engine needs {needed}",
                          engine=engine, package=dist, needed=needed, installed=installed)


def version_fits(installed: str, needed: str) -> bool:
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion

    try:
        return SpecifierSet(needed).contains(installed, prereleases=True)
    except InvalidVersion:
        return False


def version_problems() -> dict[str, str]:
    """Engine -> what it needs, for the engines whose package is installed in a release they do not support."""
    out: dict[str, str] = {}
    installed = engine_versions().get(Engine.LLAMACPP)
    if installed is not None and not version_fits(installed, LLAMA_CPP_PYTHON):
        out[Engine.LLAMACPP] = f"{_PACKAGES[Engine.LLAMACPP]} {LLAMA_CPP_PYTHON}"
    return out


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
