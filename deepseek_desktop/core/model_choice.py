"""What the user picked to chat with: an engine and what it should load. The toolbar offers these and
remembers the last one; the load parameters are built from one and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import Engine


@dataclass(frozen=True)
class ModelChoice:
    """What the user picked in the toolbar: an engine and what it should load."""

    engine: Engine
    model: str = ""  # a file, a folder, or a remote model name
    label: str = ""
    base_url: str = ""
    endpoint: str = ""  # the remote endpoint's name (keyring user)
    size_bytes: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "engine", Engine(self.engine))  # ValueError for a word that is no engine

    @property
    def key(self) -> str:
        return f"{self.engine}|{self.endpoint or self.model}"
