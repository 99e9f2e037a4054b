"""Drag a GGUF file or an MLX folder onto the window: validate, import, tell the user. Also the
first-run recommendation and the fit badge, which come from the same model manager."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeData, QObject, Signal

from ...core.errors import DeepSeekError
from ...core.settings.store import models_dir
from ...models.errors import AlreadyInstalled
from ..background import BackgroundWork
from ..error_text import describe
from ..fit_text import size_text
from ..template_note import note_for_stats
from ..toolbar.fit_badge import fit_for_choice

log = logging.getLogger(__name__)


def dropped_paths(mime: QMimeData) -> list[Path]:
    """Local .gguf files and folders (MLX models) among the dropped URLs."""
    out = []
    for url in mime.urls() if mime.hasUrls() else []:
        if not url.isLocalFile():
            continue
        p = Path(url.toLocalFile())
        if p.suffix.lower() == ".gguf" or p.is_dir():
            out.append(p)
    return out


class DropImporter(QObject):
    imported = Signal(object)  # the registry entry
    message = Signal(str, str)  # text, kind ("info" | "error")
    downloadRequested = Signal(str)  # a catalogue spec "model-id:QUANT"

    def __init__(self, services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.work = BackgroundWork(self)
        self.work.failed.connect(lambda text: self.message.emit(text, "error"))

    def accepts(self, mime: QMimeData) -> bool:
        return bool(dropped_paths(mime))

    def import_urls(self, urls) -> None:
        mime = QMimeData()
        mime.setUrls(urls)
        for path in dropped_paths(mime):
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        """Import one path in the background (any file: the import's checks say what is wrong with it)."""
        self.work.run(self.import_path(path), lambda: QCoreApplication.translate(
            "DropImporter", "The dropped model could not be imported."))

    async def import_path(self, path: Path, copy: bool = False) -> object | None:
        """Check and register ``path`` where it is (or copy it into the models folder)."""
        paths, settings = self.services.paths, self.services.settings
        try:
            entry = await asyncio.to_thread(_import, path, paths, models_dir(settings, paths), copy)
        except AlreadyInstalled as exc:  # no second entry for the same bytes: say which one it is
            log.info("import of %s skipped: %s", path, exc)
            self.message.emit(describe(exc), "info")
            return None
        except DeepSeekError as exc:
            log.warning("import of %s refused: %s", path, exc)
            self.message.emit(describe(exc), "error")
            return None
        except Exception as exc:  # a fault the checks did not foresee still gets a line, not silence
            log.exception("import of %s failed", path)
            self.message.emit(describe(exc), "error")
            return None
        self.message.emit(self.tr("Imported {name}. Choose it in the toolbar to chat with it.").format(
            name=entry.name), "info")
        self.imported.emit(entry)
        return entry

    # -- the fit badge and the first-run recommendation --------------------------------------
    async def update_fit_badge(self, picker, choice, info: dict) -> None:
        verdict, tip = await fit_for_choice(choice, self.services.settings)
        if note := note_for_stats(str(info.get("chat_template", ""))):
            tip = f"{tip}\n\n{note}" if tip else note
        if picker.current() == choice:  # not a badge for a model the user has since left
            picker.set_fit(verdict, tip)

    def offer_recommendation(self, banner) -> None:
        """No model installed yet: the simulator answers, and the banner names the best model for this
        computer with one click to download it."""
        self.work.run(self._offer(banner))

    async def _offer(self, banner) -> None:
        from ...engine_host.device_query import probe_here  # not needed before the window shows
        from ...models.catalogue.state import assess_with_settings
        from ..fit_text import level_text, speed_line

        try:
            # The model manager's own assessment: Hub sizes from its cache, the settings' context, K/V cache
            # and flash attention; so the banner and the manager recommend the same download.
            hw = await asyncio.to_thread(probe_here, self.services.settings.get("llamacpp.device"),
                                         self.services.paths.cache_dir)
            state = await asyncio.to_thread(assess_with_settings, self.services.paths, self.services.settings, hw)
            rec = state.recommendation
        except Exception as exc:  # no catalogue or hardware data: no banner, the app works on
            log.warning("no recommendation: %s", exc)
            return
        best = rec.best
        if best is None:
            banner.show_message(self.tr("No model is installed and none of the catalogue fits this computer's "
                                        "memory. The simulator answers for now; a remote server can run large "
                                        "models."), "recommend")
            return
        text = self.tr("No model yet: the simulator answers for now. Recommended for this computer: "
                       "{name} ({quant}, {size} download). {level}: {speed}.").format(
            name=best.model.name, quant=best.quant, size=size_text(best.size_bytes),
            level=level_text(best.level), speed=speed_line(best.speed))
        # it stays until a model is installed: a failed or cancelled download leaves the offer in place
        banner.show_message(text, "recommend", self.tr("Download"), lambda: self.downloadRequested.emit(best.spec),
                            stays=True)


def _import(path: Path, paths, folder: Path, copy: bool):
    from ...models.local.importing import import_model
    from ...models.local.registry import registry_for

    registry = registry_for(paths, folder)
    return import_model(path, folder, registry, mode="copy" if copy else "register")
