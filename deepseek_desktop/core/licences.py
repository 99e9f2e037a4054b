"""The parts the app is built on, with their licences, for Help > About (the app itself is MIT licensed).

The licences are written here rather than read from the installed packages' metadata, which a frozen app may
not carry; ``tests/test_licences.py`` checks them against that metadata wherever it is installed."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

APP_LICENCE = "MIT"


@dataclass(frozen=True)
class Component:
    name: str  # as a user knows it
    distribution: str  # the Python package it comes in
    licence: str  # an SPDX expression: the licence the app uses it under


COMPONENTS: tuple[Component, ...] = (
    Component("Qt for Python (PySide6)", "PySide6-Essentials", "LGPL-3.0-only"),
    Component("llama.cpp (llama-cpp-python)", "llama-cpp-python", "MIT"),
    Component("MLX", "mlx", "MIT"),
    Component("MLX LM", "mlx-lm", "MIT"),
    Component("Python-Markdown", "Markdown", "BSD-3-Clause"),
    Component("Pygments", "Pygments", "BSD-2-Clause"),
    Component("Jinja", "Jinja2", "BSD-3-Clause"),
    Component("gguf-py", "gguf", "MIT"),
    Component("Hugging Face Hub client", "huggingface_hub", "Apache-2.0"),
    Component("OpenAI Python library", "openai", "Apache-2.0"),
    Component("aiohttp", "aiohttp", "Apache-2.0 AND MIT"),
    Component("qasync", "qasync", "BSD-2-Clause"),
    Component("keyring", "keyring", "MIT"),
    Component("platformdirs", "platformdirs", "MIT"),
    Component("psutil", "psutil", "BSD-3-Clause"),
)


def installed_version(component: Component) -> str:
    """The version installed here, or "" when it is not (MLX off Apple Silicon) or its metadata is absent."""
    try:
        return metadata.version(component.distribution)
    except metadata.PackageNotFoundError:
        return ""
