"""What one command works with, each part built once and the way the window builds it (``cli.main`` makes one
``Command`` per run and hands it to the command's handler).

- the settings: the window's file, opened once, so what the store has to tell (a damaged file moved aside,
  values reset) is one warning line each;
- the models folder: ``--dir``, else the one in the settings;
- the registry of installed models in that folder (``models.local.registry.registry_for``);
- the catalogue with the Hub sizes an earlier refresh cached (``models.catalogue.state.open_catalogue``);
- the fit options: the settings' context, K/V cache, flash attention and device, with ``--ctx``,
  ``--cache-type``, ``--flash-attn`` and ``--device`` in their place;
- this computer as the engine sees it (the devices of the device setting, hints for a GPU no backend drives).

The parts are made when first asked for: ``chat`` never reads the catalogue, ``--help`` reads nothing.
"""

from __future__ import annotations

import argparse
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.paths import AppPaths
from .common import terminal_text

if TYPE_CHECKING:
    from ..core.settings.store import SettingsStore
    from ..models.catalogue.catalogue import Catalogue
    from ..models.catalogue.recommend import FitOptions
    from ..models.hardware import HardwareInfo
    from ..models.local.registry import ModelRegistry


class Command:
    def __init__(self, args: argparse.Namespace, paths: AppPaths) -> None:
        self.args = args
        self.paths = paths

    @cached_property
    def settings(self) -> SettingsStore:
        from ..core.settings.store import SettingsStore

        settings = SettingsStore(self.paths.settings_file)
        for notice in settings.take_notices():
            print(f"deepseek-desktop: warning: {terminal_text(notice.text())}", file=sys.stderr)
        return settings

    @cached_property
    def models_dir(self) -> Path:
        given = getattr(self.args, "dir", None)
        if given:
            return Path(given).expanduser().absolute()
        from ..core.settings.store import models_dir

        return models_dir(self.settings, self.paths).absolute()

    @cached_property
    def registry(self) -> ModelRegistry:
        from ..models.local.registry import registry_for

        return registry_for(self.paths, self.models_dir)

    @cached_property
    def catalogue(self) -> Catalogue:
        from ..models.catalogue.state import open_catalogue

        return open_catalogue(self.paths)

    @cached_property
    def fit_options(self) -> FitOptions:
        from dataclasses import replace

        from ..models.catalogue.recommend import FitOptions

        options = FitOptions.from_settings(self.settings)
        given = {"n_ctx": getattr(self.args, "ctx", None), "cache_type": getattr(self.args, "cache_type", None),
                 "flash_attn": getattr(self.args, "flash_attn", None), "device": getattr(self.args, "device", None)}
        return replace(options, **{k: v for k, v in given.items() if v is not None})

    @cached_property
    def hardware(self) -> HardwareInfo:
        """This computer as the engine sees it under the device setting (``--device``), with the GPU pack's
        size for a hint when a manifest was fetched before."""
        from ..engine_host.device_query import probe_here

        return probe_here(self.fit_options.device, self.paths.cache_dir)
