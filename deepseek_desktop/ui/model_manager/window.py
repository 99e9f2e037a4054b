"""The model manager window: the catalogue with a fit verdict per download for this computer, the
recommendation, downloads (progress, cancel, resume), installed models, drag-and-drop import, the
models folder with its free space and inodes, and the RAM-disk switch.

Everything slow runs on worker threads (``asyncio.to_thread``; downloads on a thread of their own, see
``download_job``); the GUI thread only applies results. Closing this window hides it: downloads go on,
and a finished one is announced in the main window. Quitting the app cancels running downloads; their
partial files stay and the next start offers Resume.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTabWidget, QVBoxLayout, QWidget
from shiboken6 import isValid

from ...core.settings.store import models_dir
from ...models.catalogue.state import CatalogueState, resolve
from ...models.folder_state import LocalState, check_folder, ramdisk_state, read_local
from ...models.local.registry import registry_for
from ..background import BackgroundWork
from ..desktop.drop_import import DropImporter, FileDragsToWindow, answer_drag, dropped_paths
from ..error_text import describe
from ..fit_text import size_text
from ..notice_bar import NoticeBar
from ..overlay import EdgeOverlay
from ..screen_fit import ScreenFit
from .catalogue_loader import FIT_KEYS, CatalogueLoader
from .catalogue_view import CatalogueView
from .download_center import DownloadCenter
from .download_row import DownloadsPanel
from .folder_panel import ModelsFolderPanel
from .gpu_pack_offer import GpuPackOffer
from .installed_list import InstalledList
from .recommendation import RecommendationCard
from .style import manager_style_sheet

log = logging.getLogger(__name__)


class ModelManagerWindow(QWidget):
    """Made and reused by the main window's ``OtherWindows`` (``MainWindow.open_model_manager``).
    ``catalogue_file`` and ``endpoint`` (the Hub's address; default ``HF_ENDPOINT`` or huggingface.co)."""

    modelsChanged = Signal()  # a model was installed, imported, deleted or forgotten
    messageWhileHidden = Signal(str)  # news for the user while this window is closed (the main window shows it)
    settingsRequested = Signal(str)  # the settings page to show
    launchPlannerRequested = Signal(object, object)  # Catalogue, model id or None

    def __init__(self, services, parent: QWidget | None = None, *, catalogue_file: Path | None = None,
                 endpoint: str | None = None) -> None:
        # A window of its own (not a QDialog: Return in the search field must not press a Download button).
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("modelManager")
        self.services = services
        self.settings = self.services.settings
        self.paths = self.services.paths
        self.catalogue_file = catalogue_file
        self.endpoint = endpoint
        self.setAcceptDrops(True)
        self._file_drags = FileDragsToWindow(self)  # not into a text field as a Move
        self.screen_fit = ScreenFit(self, QSize(1080, 760))
        self.setMinimumSize(720, 520)  # 800 x 600 screens and windows side by side

        self.notice = NoticeBar(self)
        self.recommendation = RecommendationCard(self)
        self.catalogue = CatalogueView(self)
        self.installed = InstalledList(self)
        discover = QWidget(self)
        discover_box = QVBoxLayout(discover)
        discover_box.setContentsMargins(0, 12, 0, 0)
        discover_box.setSpacing(0)
        discover_box.addWidget(self.recommendation)
        discover_box.addWidget(self.catalogue, 1)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(discover, "")
        self.tabs.addTab(self.installed, "")
        self.downloads = DownloadsPanel(self)
        self.folder_panel = ModelsFolderPanel(self)
        body = QVBoxLayout()
        body.setContentsMargins(12, 10, 12, 0)
        body.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(body, 1)
        layout.addWidget(self.downloads)
        layout.addWidget(self.folder_panel)
        # what a download, an import or a folder change says: over the foot of the tabs, moving nothing
        self._notice_overlay = EdgeOverlay(self.notice, self.tabs, "bottom")

        self.importer = DropImporter(self.services, self)
        self.loader = CatalogueLoader(self.paths, self.settings, catalogue_file, endpoint, self)
        self.local: LocalState | None = None
        self._local_generation = 0
        self.download_center = DownloadCenter(self.paths, endpoint, self.downloads, self)
        self.jobs = self.download_center.jobs  # spec -> DownloadJob (the same dict)
        self.work = BackgroundWork(self)
        self.gpu_pack = GpuPackOffer(self.paths, self.catalogue.pack_button, self)
        self.confirm_box: QMessageBox | None = None  # the open question, if any
        self.file_dialog: QFileDialog | None = None
        close = QAction(self)
        close.setShortcuts([QKeySequence(QKeySequence.StandardKey.Close), QKeySequence("Esc")])
        close.triggered.connect(self.close)
        self.addAction(close)
        self._wire()
        self._restyle()
        self.retranslate()
        self.loader.start()
        self.refresh_local()

    def _wire(self) -> None:
        self.loader.loaded.connect(self._apply_catalogue)
        self.loader.failed.connect(self._catalogue_failed)
        self.recommendation.downloadRequested.connect(self.start_download)
        self.recommendation.showRequested.connect(self._show_model)
        self.recommendation.remoteRequested.connect(lambda: self.open_remote_settings(self._first_remote_id()))
        self.catalogue.downloadRequested.connect(self.start_download)
        self.catalogue.remoteRequested.connect(lambda: self.open_remote_settings(self.catalogue.current_model_id()))
        self.download_center.installed.connect(self._on_installed)
        self.gpu_pack.message.connect(lambda text, kind: self.notice.show_message(text, kind, timeout_ms=15000))
        self.gpu_pack.installed.connect(lambda _name: self.loader.reassess())
        self.download_center.message.connect(self.notice.show_message)
        self.download_center.failed.connect(self._on_download_failed)
        self.download_center.statesChanged.connect(self._apply_local)
        self.download_center.partialRemoved.connect(self.refresh_local)
        self.installed.deleteRequested.connect(self.confirm_delete)
        self.installed.forgetRequested.connect(lambda name: self._spawn(self._forget(name)))
        self.installed.registerRequested.connect(lambda p: self.import_paths([Path(p)], copy=False))
        self.installed.addFileRequested.connect(self.choose_model_file)
        self.folder_panel.changeRequested.connect(self.choose_folder)
        self.folder_panel.ramDiskToggled.connect(self._set_ram_disk)
        self.importer.message.connect(self.notice.show_message)
        self.importer.imported.connect(lambda _entry: self._changed_models())
        self._unsubscribe = self.settings.subscribe(self._on_setting_changed)
        self.destroyed.connect(lambda _obj=None, unsubscribe=self._unsubscribe: unsubscribe())

    def _spawn(self, coro) -> asyncio.Task:
        return self.work.run(coro)

    # -- the catalogue ------------------------------------------------------------------------------
    @property
    def catalogue_state(self) -> CatalogueState | None:
        return self.loader.state

    @property
    def sizes_checked(self) -> bool:
        """The Hub was asked for the exact sizes (or could not be reached)."""
        return self.loader.sizes_checked

    def _apply_catalogue(self, state: CatalogueState) -> None:
        self.catalogue.set_state(state)
        self.gpu_pack.offer(state.hw)
        self.recommendation.set_state(state)
        self._apply_local()
        self.refresh_local()  # partial downloads are found by the catalogue's file names

    def _catalogue_failed(self, text: str) -> None:
        self.catalogue.set_state(None, text)
        self.notice.show_message(text, "error")

    def _show_model(self, model_id: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.catalogue.select_model(model_id)

    # -- the models folder --------------------------------------------------------------------------
    def refresh_local(self) -> None:
        self._spawn(self._refresh_local())

    async def _refresh_local(self) -> None:
        self._local_generation += 1
        generation = self._local_generation
        catalogue = self.catalogue_state.catalogue if self.catalogue_state else None
        try:
            local = await asyncio.to_thread(read_local, self.paths, self.settings, catalogue)
            ramdisk = await asyncio.to_thread(ramdisk_state)
        except Exception as exc:  # noqa: BLE001
            log.warning("models folder: %s", exc)
            if isValid(self):
                self.notice.show_message(describe(exc), "error")
            return
        if not isValid(self) or generation != self._local_generation:
            return  # a newer look at the folder is on its way (e.g. the folder was just changed)
        self.local = local
        if local.error is not None:
            log.warning("models folder %s: %s", local.folder, local.error)
        self.folder_panel.set_folder(str(local.folder), local.space,
                                     describe(local.error) if local.error is not None else "")
        self.folder_panel.set_ramdisk(bool(self.settings.get("general.ram_disk")), ramdisk)
        self.installed.set_state(local)
        self.download_center.sync(self.catalogue_state, local)
        self._apply_local()
        self.retranslate()

    def _apply_local(self) -> None:
        """The catalogue's and the recommendation's buttons: installed, downloading, resumable."""
        local = self.local
        installed = local.installed_specs() if local else set()
        partials = {**(local.partials if local else {}), **self.download_center.partials()}
        active = self.download_center.active()
        self.catalogue.set_local(installed, partials, active)
        self.recommendation.set_local(installed, partials, active)

    async def set_models_folder(self, path: str | Path) -> bool:
        """Keep models in ``path`` from now on (checked to be writable first)."""
        try:
            folder, default = await asyncio.to_thread(check_folder, Path(path), self.paths.default_models_dir)
        except Exception as exc:  # noqa: BLE001
            log.warning("models folder %s refused: %s", path, exc)
            self.notice.show_message(describe(exc), "error")
            return False
        value = "" if default else str(folder)
        self.settings.set("general.models_folder", value)  # the subscription refreshes both windows
        self.notice.show_message(self.tr("Models are kept in {folder} from now on.").format(folder=folder),
                                 "info", timeout_ms=8000)
        return True

    def choose_folder(self) -> None:
        start = self.local.browse_from if self.local and self.local.browse_from else Path.home()
        dialog = QFileDialog(self, self.tr("Choose the models folder"), str(start))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda p: self._spawn(self.set_models_folder(p)))
        self.file_dialog = dialog
        dialog.open()

    def _set_ram_disk(self, enabled: bool) -> None:
        self.settings.set("general.ram_disk", enabled)

    def _on_setting_changed(self, key: str, value) -> None:
        if key == "general.models_folder":
            self.refresh_local()
        elif key == "general.ram_disk":
            self.folder_panel.set_ramdisk(bool(value), self.folder_panel.ramdisk)
        elif key in FIT_KEYS:
            self.loader.reassess()

    def _changed_models(self) -> None:
        """After an install, import or removal: this window and the main window's model list."""
        self.refresh_local()
        self.modelsChanged.emit()

    # -- downloads ----------------------------------------------------------------------------------
    def start_download(self, spec: str) -> None:
        """Start (or resume) the catalogue download ``spec`` ("model-id:Q4_K_M", "model-id:mlx-4bit")."""
        self._spawn(self._start(spec))

    async def _start(self, spec: str) -> None:
        await self.loader.ready.wait()
        state = self.catalogue_state
        if state is None or not isValid(self):
            return
        try:
            model, download = resolve(state, spec)
        except Exception as exc:  # noqa: BLE001
            self.notice.show_message(describe(exc), "error")
            return
        folder = self.local.folder if self.local else models_dir(self.settings, self.paths).absolute()
        self.notice.dismiss()
        self.download_center.start(model, download, folder, model.spec(download).format())

    def _on_download_failed(self, name: str, reason: str) -> None:
        """The row says why; while this window is closed the main window says it once."""
        if not self.isVisible():
            self.messageWhileHidden.emit(self.tr("The download of {name} failed: {reason}").format(
                name=name, reason=reason))

    def _on_installed(self, entry) -> None:
        text = self.tr("Downloaded {name}. Choose it in the toolbar to chat with it.").format(name=entry.name)
        if self.isVisible():
            self.notice.show_message(text, "info", timeout_ms=15000)
        else:
            self.messageWhileHidden.emit(text)
        self._changed_models()

    def stop_downloads(self) -> None:
        """Stop every running download; their partial files stay for a resume."""
        self.download_center.stop()
        self.gpu_pack.stop()

    async def shutdown(self) -> None:
        """For the app's quit: stop downloads and wait (briefly) until they have stopped; their
        partial files stay for a resume."""
        self.gpu_pack.stop()
        await self.download_center.shutdown()

    # -- installed models ---------------------------------------------------------------------------
    def confirm_delete(self, name: str) -> None:
        row = next((r for r in (self.local.installed if self.local else ()) if r.model.name == name), None)
        if row is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Delete model"),
                          self.tr("Delete {name}? Its files ({size}) are removed from the models folder.").format(
                              name=name, size=size_text(row.model.size)),
                          QMessageBox.StandardButton.Cancel, self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # a model's name is what a file or catalogue says
        delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: box.clickedButton() is delete and self._spawn(self._delete(name)))
        self.confirm_box = box
        box.open()

    async def _delete(self, name: str) -> None:
        registry = registry_for(self.paths, self.local.folder if self.local else self.paths.default_models_dir)
        try:
            removed = await asyncio.to_thread(registry.remove, name)
        except Exception as exc:  # noqa: BLE001 - e.g. storage.outside_models_dir: nothing was removed
            log.warning("delete %s: %s", name, exc)
            self.notice.show_message(describe(exc), "error")
            return
        self.notice.show_message(self.tr("Deleted {name}.").format(name=removed.name), "info", timeout_ms=8000)
        self._changed_models()

    async def _forget(self, name: str) -> None:
        registry = registry_for(self.paths, self.local.folder if self.local else self.paths.default_models_dir)
        try:
            forgotten = await asyncio.to_thread(registry.forget, name)
        except Exception as exc:  # noqa: BLE001
            log.warning("forget %s: %s", name, exc)
            self.notice.show_message(describe(exc), "error")
            return
        self.notice.show_message(self.tr("{name} was removed from the list; its files are still at {path}.").format(
            name=forgotten.name, path=forgotten.path), "info", timeout_ms=10000)
        self._changed_models()

    def choose_model_file(self) -> None:
        dialog = QFileDialog(self, self.tr("Add a model file"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("GGUF models (*.gguf)")])
        dialog.fileSelected.connect(lambda p: self.import_paths([Path(p)], self.installed.copy_into_folder))
        self.file_dialog = dialog
        dialog.open()

    def import_paths(self, paths: list[Path], copy: bool) -> None:
        """Check and register (or copy in) dropped or chosen models; the DropImporter reports."""
        if not paths:
            return
        self.tabs.setCurrentWidget(self.installed)
        names = ", ".join(p.name for p in paths)
        self.notice.show_message((self.tr("Copying {names} into the models folder…") if copy
                                  else self.tr("Checking {names}…")).format(names=names), "info")
        for path in paths:
            self._spawn(self.importer.import_path(path, copy=copy))

    # -- drag and drop --------------------------------------------------------------------------------
    # Registered in place (Link) or copied in (Copy), as the Installed tab's box says; never a Move.
    def _answer(self, event) -> bool:
        return answer_drag(event, self.importer.accepts(event.mimeData()),
                           in_place=not self.installed.copy_into_folder)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        self._answer(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        self._answer(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        if self._answer(event):
            self.import_paths(dropped_paths(event.mimeData()), self.installed.copy_into_folder)

    # -- remote route -------------------------------------------------------------------------------
    def open_remote_settings(self, model_id: str | None = None) -> None:
        """The 671B models run on a server: the launch planner for the user's own GPUs or cluster, with the
        way to DeepSeek's API beside it (the settings' server page until the catalogue has loaded)."""
        state = self.catalogue_state
        if state is None:
            self.settingsRequested.emit("remote")
        else:
            self.launchPlannerRequested.emit(state.catalogue, model_id)

    def _first_remote_id(self) -> str | None:
        state = self.catalogue_state
        remote = state.recommendation.remote if state else ()
        return remote[0].model.id if remote else None

    # -- window -------------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange:
            self._restyle()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Models"))
        self.tabs.setTabText(0, self.tr("Catalogue"))
        count = len(self.local.installed) if self.local else 0
        self.tabs.setTabText(1, self.tr("Installed ({count})").format(count=count) if count
                             else self.tr("Installed"))
        self.gpu_pack.retranslate()

    def _restyle(self) -> None:
        self.setStyleSheet(manager_style_sheet(self.palette()))

