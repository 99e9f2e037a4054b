"""Switching the model that answers: the API key from the keyring, an optional RAM disk, the load."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from PySide6.QtCore import QObject

from ...core.errors import DeepSeekError
from ...core.model_choice import ModelChoice
from ...core.vocabulary import Engine
from ...models.model_sources import params_for
from ..error_text import describe
from .controller import EngineState

log = logging.getLogger(__name__)


class ModelSwitcher(QObject):
    def __init__(self, services, status, picker, notices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.settings = services.settings
        self.engine = services.engine
        self.status = status
        self.picker = picker
        self.notices = notices
        self._ramdisk = None  # the RAM disk the loaded model was copied to, if any

    @property
    def ramdisk(self):
        """The RAM disk the loaded model was copied to, or None."""
        return self._ramdisk

    async def switch(self, choice: ModelChoice) -> None:
        """Errors end the attempt (``EngineController.fail`` via the caller's background work)."""
        self.engine.prepare(choice)  # from here on the window shows this attempt, and its outcome
        self.picker.set_current(choice)
        self.picker.set_fit(None, "")  # the badge described the model before; this one's comes when it runs
        api_key = ""
        if choice.engine is Engine.REMOTE:
            api_key = await asyncio.to_thread(lambda: self.services.secrets().get(choice.endpoint) or "")
        params = params_for(choice, self.settings, api_key)
        if self._ramdisk is not None:  # the loaded model reads from it: free the model first
            await self.engine.unload()
            await self.release_ramdisk()
        if self.settings.get("general.ram_disk") and choice.engine.runs_files:
            staged = await self._stage_on_ramdisk(choice)
            if staged is not None:
                params = replace(params, model=str(staged))
        self.engine.load(choice, params)

    async def _stage_on_ramdisk(self, choice: ModelChoice):
        """Copy the model onto a RAM disk (with progress); on any problem say why and use the drive."""
        from ...models.ramdisk import stage_model

        loop = asyncio.get_running_loop()

        def progress(p) -> None:
            loop.call_soon_threadsafe(self.status.set_progress, p.fraction)

        self.status.set_state(EngineState.LOADING, self.tr("{model} (copying to the RAM disk)").format(
            model=choice.label))
        n_ctx = self.settings.get("generation.context_length")
        try:
            self._ramdisk, path = await asyncio.to_thread(lambda: stage_model(choice.model, n_ctx, progress=progress))
        except DeepSeekError as exc:
            log.warning("RAM disk not used: %s", exc)
            self.notices.show_message(self.tr("The model is read from the drive instead of a RAM disk: {reason}")
                                      .format(reason=describe(exc)), "error")
            return None
        return path

    async def release_ramdisk(self) -> None:
        disk, self._ramdisk = self._ramdisk, None
        if disk is not None:
            await asyncio.to_thread(disk.close)

