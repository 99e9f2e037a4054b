"""The catalogue as the model manager shows it: read, this computer probed, every download's fit
estimated, then the exact sizes asked of the Hub; estimated again when a setting the estimate depends
on changes. All of it on worker threads; the results arrive as signals on the GUI thread."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from ...core.paths import AppPaths
from ...core.settings.store import SettingsStore
from ...engine_host.device_query import probe_here
from ...models.catalogue.catalogue import hub_cache_file
from ...models.catalogue.recommend import FitOptions
from ...models.catalogue.state import CatalogueState, assess, open_catalogue
from ..background import BackgroundWork
from ..error_text import describe

log = logging.getLogger(__name__)

FIT_KEYS = ("generation.context_length", "llamacpp.kv_cache_type", "llamacpp.flash_attention", "llamacpp.device")


class CatalogueLoader(QObject):
    loaded = Signal(object)  # CatalogueState: the first one, then each update
    failed = Signal(str)  # one translated line: the catalogue could not be read

    def __init__(self, paths: AppPaths, settings: SettingsStore, catalogue_file: Path | None,
                 endpoint: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths, self.settings = paths, settings
        self.catalogue_file, self.endpoint = catalogue_file, endpoint
        self.state: CatalogueState | None = None
        self.ready = asyncio.Event()  # set once the catalogue was read (or could not be)
        self.sizes_checked = False  # the Hub was asked for current sizes (or could not be reached)
        self.work = BackgroundWork(self)
        self.work.failed.connect(self.failed)

    def start(self) -> None:
        self._spawn(self._load())

    def reassess(self) -> None:
        self._spawn(self._reassess())

    def _spawn(self, coro) -> None:
        self.work.run(coro)

    async def _load(self) -> None:
        options = FitOptions.from_settings(self.settings)
        try:
            catalogue = await asyncio.to_thread(open_catalogue, self.paths, self.catalogue_file)
            hw = await asyncio.to_thread(probe_here, options.device, self.paths.cache_dir)
            state = await asyncio.to_thread(assess, catalogue, hw, options)
        except Exception as exc:  # noqa: BLE001 - one line in the window, the detail in the log
            log.warning("model catalogue: %s", exc)
            if isValid(self):
                self.ready.set()
                self.failed.emit(describe(exc))
            return
        if not isValid(self):
            return
        self._publish(state)
        self.ready.set()
        await self._refresh_sizes(state)

    async def _refresh_sizes(self, state: CatalogueState) -> None:
        """Ask the Hub for the exact sizes (offline this ends at once and the catalogue's stay)."""
        from ...models.downloads.sizes import refresh_sizes

        try:
            catalogue, refreshed = await asyncio.to_thread(
                refresh_sizes, state.catalogue, endpoint=self.endpoint, cache_file=hub_cache_file(self.paths),
                timeout=8.0)
            if refreshed:
                current = self.state or state
                state = await asyncio.to_thread(assess, catalogue, current.hw, current.options, True)
        except Exception as exc:  # noqa: BLE001 - the catalogue's own sizes are good enough
            log.info("Hub sizes not refreshed: %s", exc)
            refreshed = False
        if not isValid(self):
            return
        if refreshed:
            self._publish(state)
        self.sizes_checked = True

    async def _reassess(self) -> None:
        state = self.state
        if state is None:
            return
        options = FitOptions.from_settings(self.settings)
        try:
            hw = await asyncio.to_thread(probe_here, options.device, self.paths.cache_dir)  # free memory changes
            new = await asyncio.to_thread(assess, state.catalogue, hw, options, state.hub_sizes)
        except Exception as exc:  # noqa: BLE001 - the estimates shown stay
            log.warning("fit estimate: %s", exc)
            return
        if isValid(self):
            self._publish(new)

    def _publish(self, state: CatalogueState) -> None:
        self.state = state
        self.loaded.emit(state)
