"""Where the app keeps its files. One ``AppPaths`` is built at start-up and passed to the services.

``DEEPSEEK_DESKTOP_HOME`` puts everything under one folder (tests, portable installs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "DeepSeek Desktop"
APP_AUTHOR = "DeepSeekDesktop"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def database_file(self) -> Path:
        return self.data_dir / "conversations.sqlite3"

    @property
    def default_models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def registry_file(self) -> Path:
        return self.data_dir / "installed_models.json"

    @property
    def gpu_packs_dir(self) -> Path:
        """GPU packs (llama.cpp backends not in the installer, such as CUDA), one folder each."""
        return self.data_dir / "gpu-packs"

    @property
    def kv_states_dir(self) -> Path:
        """Conversations' saved llama.cpp states (K/V caches), so that they resume without re-reading."""
        return self.data_dir / "kv-states"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "deepseek-desktop.log"

    def ensure(self) -> AppPaths:
        for d in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get("DEEPSEEK_DESKTOP_HOME")
        if home:
            # absolute here, once: a relative folder would mean another one after any change of the working
            # directory, and SQLite's file URIs take no relative path at all
            root = Path(home).expanduser().absolute()
            return cls(root / "config", root / "data", root / "logs", root / "cache")
        import platformdirs

        return cls(  # XDG_*_HOME may be relative too
            Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)).absolute(),
            Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)).absolute(),
            Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)).absolute(),
            Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)).absolute(),
        )
