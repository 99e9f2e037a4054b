"""Drag a GGUF file or an MLX folder onto the window: validate, import, tell the user. Also the
first-run recommendation and the fit badge, which come from the same model manager."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QWidget

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


def answer_drag(event, takes: bool, in_place: bool) -> bool:
    """Answer a drag-enter, drag-move or drop: as Link when the file is registered where it is (Copy if the
    source offers no Link), as Copy when it is copied into the models folder, never as Move: a file manager
    told that its file was moved may delete the original, a model of many gigabytes. A drag the app does
    not take, or one the source offers only as Move, is answered with Ignore. Returns whether it is taken."""
    possible = event.possibleActions()
    wanted = (Qt.DropAction.LinkAction, Qt.DropAction.CopyAction) if in_place else (Qt.DropAction.CopyAction,)
    action = next((a for a in wanted if possible & a), None) if takes else None
    if action is None:
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.ignore()
        return False
    event.setDropAction(action)
    event.accept()
    return True


class FileDragsToWindow(QObject):
    """Text fields take drops of text, and answer a file manager's drag with the action it proposes: a
    Move, after which the file manager may delete the file. A drag of local files passes them by and goes
    to the window, which registers models as Link or Copy and answers the rest with Ignore. Installed on
    the application by a window that takes drops; it ends with its window."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.DragEnter and isinstance(obj, QWidget) and not obj.isWindow()
                and any(url.isLocalFile() for url in event.mimeData().urls())):
            event.ignore()  # Qt then offers the drag to the field's parents, up to the window
            return True
        return False


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

    async def import_path(self, path: Path, copy: bool = False, *, to_chat: bool = False) -> object | None:
        """Check and register ``path`` where it is (or copy it into the models folder). ``to_chat``: the user
        opened the file to chat with it (from the desktop): the caller loads it, so the import says nothing on
        success, and a model already installed is that entry."""
        paths, settings = self.services.paths, self.services.settings
        try:
            entry = await asyncio.to_thread(_import, path, paths, models_dir(settings, paths), copy)
        except AlreadyInstalled as exc:  # no second entry for the same bytes: say which one it is
            log.info("import of %s skipped: %s", path, exc)
            if to_chat:
                return exc.model
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
        if not to_chat:
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
        from ..fit_text import level_text, speed_line, speed_text

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
        quick = rec.quick
        other = None
        if quick is not None:  # the best pick is a long download: a small model to chat with meanwhile
            text += " " + self.tr("For a quick first try: {name} ({size}), {level}: {speed}.").format(
                name=quick.model.name, size=size_text(quick.size_bytes), level=level_text(quick.level).lower(),
                speed=speed_text(quick.tokens_per_s))
            other = (self.tr("Quick try ({size})").format(size=size_text(quick.size_bytes)),
                     lambda: self.downloadRequested.emit(quick.spec))
        # it stays until a model is installed: a failed or cancelled download leaves the offer in place
        banner.show_message(text, "recommend", self.tr("Download ({size})").format(size=size_text(best.size_bytes)),
                            lambda: self.downloadRequested.emit(best.spec), stays=True, other=other)


def _import(path: Path, paths, folder: Path, copy: bool):
    from ...models.local.importing import import_model
    from ...models.local.registry import registry_for

    registry = registry_for(paths, folder)
    return import_model(path, folder, registry, mode="copy" if copy else "register")
