"""What the composition root (app.py) builds and hands to the window. No globals: this is passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.markdown.render import Theme
from ..core.paths import AppPaths
from ..core.settings.store import SettingsStore
from .appearance.i18n import LanguageManager
from .chat.store_runner import StoreRunner
from .engine.controller import EngineController


@dataclass
class Services:
    paths: AppPaths
    settings: SettingsStore
    runner: StoreRunner
    engine: EngineController
    language: LanguageManager
    apply_theme: Callable[[str], Theme]
    secrets_factory: Callable[[], Any]  # -> core.secrets.SecretStore; keyring is imported on first use
    _secrets: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # The one store is made here, before threads share it: made lazily by two threads at once,
        # each would get a store of its own and a session-only key would land in the one that is lost.
        self._secrets = self.secrets_factory()

    def secrets(self) -> Any:
        return self._secrets
