"""The main window: sidebar, chat, composer, toolbar with the model, engine status, notices."""

from __future__ import annotations

import asyncio
import base64
import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core import thinking
from ..core.conversations.store import ConversationStore
from ..core.kv_state_files import remove_conversations
from ..core.model_choice import ModelChoice
from ..core.settings.store import (
    STATE_LAST_CONVERSATION,
    STATE_LAST_MODEL,
    STATE_WINDOW_GEOMETRY,
    generation_params,
)
from ..models.model_sources import (
    SIMULATOR,
    choice_to_state,
    downloaded_paths,
    initial_choice,
    installed_choices,
    remote_choices,
)
from . import main_window_failures as failures
from .background import BackgroundWork
from .chat.composer import Composer
from .chat.session import ChatSession
from .chat.sidebar import ConversationSidebar
from .chat.view import ChatView
from .desktop.drop_import import DropImporter, FileDragsToWindow, answer_drag
from .desktop.model_opener import ModelOpener
from .engine.model_switcher import ModelSwitcher
from .engine.status_widget import EngineStatusWidget
from .engine_presenter import EnginePresenter
from .error_text import describe, error_message
from .keyboard.actions import install as install_shortcuts
from .keyboard.keyboard_map import HelpMenu
from .local_server.status import attach_local_server
from .notice_bar import NoticeBar
from .other_windows import OtherWindows
from .screen_fit import ScreenFit
from .services import Services
from .toolbar.model_picker import ModelPicker
from .toolbar.thinking_picker import ThinkingPicker

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    closing = Signal()  # the window was closed (the close accepted): the app quits

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.settings = services.settings
        self.engine = services.engine
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self._file_drags = FileDragsToWindow(self)  # not into a text field as a Move
        self.screen_fit = ScreenFit(self, QSize(1180, 780))  # smaller on a small screen

        self.picker = ModelPicker(self)
        # the conversation's thinking budget, next to the model that thinks (the model's name gives way at 800 px)
        self.thinking = ThinkingPicker(self)
        self.picker.add_beside(self.thinking, self.thinking.combo)
        toolbar = QToolBar(self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.picker)
        self.addToolBar(toolbar)

        self.sidebar = ConversationSidebar(self)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("conversationTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)  # a title is the user's words (or a model's)
        self.system_button = QToolButton(self)
        self.system_button.setAutoRaise(True)
        self.system_button.clicked.connect(self._edit_system_prompt)
        header = QHBoxLayout()
        header.setContentsMargins(16, 6, 12, 0)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.system_button)
        self.banner = NoticeBar(self)
        self.notices = NoticeBar(self)
        self.chat_view = ChatView(self)
        self.composer = Composer(self)
        column = QWidget(self)
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.banner)  # shown at start, gone by the user's own click: it may move the chat
        col.addLayout(header)
        # errors and "deleted - Undo" take a place of their own: over the chat they hid its first message
        col.addWidget(self.notices)
        col.addWidget(self.chat_view, 1)
        col.addWidget(self.composer)
        splitter = QSplitter(self)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(column)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 920])
        self.setCentralWidget(splitter)

        self.status = EngineStatusWidget(self)
        self.statusBar().addPermanentWidget(self.status, 1)

        self.work = BackgroundWork(self)  # every coroutine the window starts, with its failure reported
        self._hits_not_shown: dict[int, int] = {}  # conversation -> a search hit in a version not shown
        self._deleted: list[int] = []  # conversations deleted this session, the last one last (Ctrl+Z)
        self.session = ChatSession(services.runner, self.engine, self.chat_view,
                                   lambda: generation_params(self.settings),
                                   lambda: self.settings.get("generation.system_prompt"), self.work, self)
        self.session.thinking_setting = lambda: thinking.setting_value(self.settings)
        self.importer = DropImporter(services, self)
        self.opener = ModelOpener(self)  # a model file opened from the desktop: imported, loaded, the cursor in place
        self._choices: list[ModelChoice] = [SIMULATOR]
        self.switcher = ModelSwitcher(services, self.status, self.picker, self.notices, self)
        self._downloaded: set[str] = set()  # the installed models this app downloaded (their paths)
        self.presenter = EnginePresenter(self.engine, lambda: self.session.busy, self.composer, self.status,
                                         self.notices, self.picker.label_for, self.restart_engine, self,
                                         downloaded=lambda choice: choice.model in self._downloaded)
        self.local_server = attach_local_server(self)  # the API server for other programs, if the settings say so
        # the settings, the model manager, the launch planner
        self.windows = OtherWindows(self, services, self.notices, self.closing, self.reload_models, self.switch_model,
                                    self.local_server)
        self._wire()
        self.shortcut_actions = install_shortcuts(self)  # also puts the cursor in the message box
        self.help_menu = HelpMenu(self, self.shortcut_actions["keys"], services.paths)
        self.retranslate()
        self._restore_geometry()

    # -- wiring ---------------------------------------------------------------------------------
    def _wire(self) -> None:
        s, e = self.session, self.engine
        self.composer.sendRequested.connect(s.send)
        self.composer.stopRequested.connect(s.stop)
        s.busyChanged.connect(self.presenter.update)
        s.conversationsChanged.connect(lambda: self.work.run(self.refresh_conversations(), failures.list_failed))
        s.currentChanged.connect(self._on_current_conversation)
        s.problem.connect(self._show_error)
        s.unsent.connect(self.composer.restore)
        self.work.failed.connect(self._show_error)
        e.work.failed.connect(self._show_error)
        self.sidebar.newRequested.connect(self.new_chat)
        self.sidebar.conversationSelected.connect(
            lambda cid: self.work.run(s.open(cid, self._hits_not_shown.get(cid)), failures.open_failed))
        self.sidebar.renameRequested.connect(lambda cid, t: self.work.run(self._rename(cid, t), failures.rename_failed))
        self.sidebar.deleteRequested.connect(lambda cid: self.work.run(self._delete(cid), failures.delete_failed))
        self.sidebar.exportRequested.connect(self._export)
        self.sidebar.searchChanged.connect(
            lambda text: self.work.run(self.refresh_conversations(text), failures.list_failed))
        self.chat_view.linkActivated.connect(self._open_link)
        self.picker.choiceActivated.connect(self.switch_model)
        self.thinking.choiceChanged.connect(lambda choice: self.work.run(self.session.set_thinking(choice)))
        self.session.thinkingChanged.connect(self.thinking.set_choice)
        self.picker.manageRequested.connect(lambda: self.open_model_manager())
        self.picker.settingsRequested.connect(lambda: self.open_settings())
        e.loadProgress.connect(self.status.set_progress)
        e.modelLoaded.connect(self._on_model_loaded)
        e.loadFailed.connect(self._on_load_failed)
        self.status.restartRequested.connect(self.restart_engine)
        self.importer.imported.connect(lambda _info: self.reload_models())
        self._unsubscribe = self.settings.subscribe(self._on_setting_changed)
        self.importer.message.connect(self.notices.show_message)
        self.importer.downloadRequested.connect(self.download_model)

    # -- start-up -------------------------------------------------------------------------------
    async def start(self) -> None:
        """After the window is shown: conversations, the model, and anything the user must know.

        The conversations may be unavailable (a read-only or unopenable database): then the store
        runner has put a store in memory in their place, the user is told, and the chat still works."""
        runner = self.services.runner
        store_notices = []
        try:
            await runner.call(partial(_empty_trash, self.services.paths.kv_states_dir))  # last session's trash
            await self.refresh_conversations()
            last = self.settings.get_state(STATE_LAST_CONVERSATION)
            ids = [self.sidebar.list.item(i).data(Qt.ItemDataRole.UserRole)
                   for i in range(self.sidebar.list.count())]
            await self.session.open(last if last in ids else None)
            store_notices = await runner.call(lambda st: st.take_notices())
        except Exception as exc:  # the model and the chat must come up all the same
            log.error("the conversations could not be read at start: %s", exc, exc_info=exc)
            self._show_error(describe(exc))
        try:
            await self.refresh_models()
        finally:
            self.switch_model(initial_choice(self._choices, self.settings.get_state(STATE_LAST_MODEL),
                                             self.settings.get("general.default_engine")))
        self._show_start_notices(store_notices)

    @property
    def choices(self) -> list[ModelChoice]:
        """The models the toolbar offers, in its order."""
        return list(self._choices)

    def _show_start_notices(self, store_notices) -> None:
        lines = [error_message(n.message_id, n.params) for n in [*self.settings.take_notices(), *store_notices]]
        if lines:
            self.notices.show_message("\n".join(lines), "error")

    def _show_error(self, text: str) -> None:
        self.notices.show_message(text, "error")

    async def refresh_models(self) -> None:
        paths, settings = self.services.paths, self.settings
        try:
            installed, self._downloaded = await asyncio.to_thread(
                lambda: (installed_choices(paths, settings), downloaded_paths(paths, settings)))
        except Exception as exc:  # a damaged registry must not hide the simulator and remote models
            log.warning("cannot list installed models: %s", exc)
            installed = []
        self._choices = installed + remote_choices(settings) + [SIMULATOR]
        self.picker.set_choices(self._choices, self.engine.current)
        if not installed:
            self.importer.offer_recommendation(self.banner)
        else:
            self.banner.dismiss()

    def reload_models(self) -> None:
        """Read the list of models again (after an install or removal elsewhere)."""
        self.work.run(self.refresh_models(), failures.models_failed)

    async def refresh_conversations(self, search: str | None = None) -> None:
        text = self.sidebar.search.text().strip() if search is None else search
        self._hits_not_shown = {}
        if text:
            hits = await self.services.runner.call(lambda st: st.search(text))
            convs = [h.conversation for h in hits]
            # opening such a conversation shows the version the text was found in
            self._hits_not_shown = {h.conversation.id: h.message_id for h in hits if not h.shown}
        else:
            convs = await self.services.runner.call(lambda st: st.list_conversations(500))
        current = self.session.conversation.id if self.session.conversation else None
        self.sidebar.set_conversations(convs, current)

    # -- models ---------------------------------------------------------------------------------
    def switch_model(self, choice: ModelChoice) -> None:
        self.work.run(self.switcher.switch(choice), on_failure=lambda exc: self.engine.fail(choice, exc))

    def restart_engine(self) -> None:
        """Restart after a crash, Retry after a failed load: the attempt that failed, again."""
        self.work.run(self.engine.retry())

    def _on_model_loaded(self, choice: ModelChoice, info: dict) -> None:
        self.settings.set_state(STATE_LAST_MODEL, choice_to_state(choice))
        self.picker.set_current(choice)
        self.work.run(self.importer.update_fit_badge(self.picker, choice, info))

    def _on_load_failed(self, choice: ModelChoice, error) -> None:
        self.picker.set_fit(None, "")  # no badge for a model that is not running (the bar says why)

    def _on_setting_changed(self, key: str, value) -> None:
        if key == "general.language":
            self.services.language.apply(value)
        elif key == "general.theme":
            self.chat_view.set_theme(self.services.apply_theme(value))
        elif key in ("remote.endpoints", "general.models_folder"):
            self.reload_models()
        elif self.settings.schema.spec(key).applies.value == "next_load" and self.engine.current is not None:
            current = self.engine.current
            self.notices.show_message(self.tr("The new setting applies when the model is loaded again."),
                                      "info", self.tr("Reload now"), lambda: self.switch_model(current),
                                      timeout_ms=15000)

    # -- conversations --------------------------------------------------------------------------
    def new_chat(self, focus: bool = True) -> None:
        self.session.new_conversation()
        self.sidebar.set_current(None)
        if focus:
            self.composer.input.setFocus()

    def _on_current_conversation(self, conv) -> None:
        self.title_label.setText(conv.title if conv and conv.title else self.tr("New conversation"))
        self.sidebar.set_current(conv.id if conv else None)
        if conv is not None:
            self.settings.set_state(STATE_LAST_CONVERSATION, conv.id)

    async def _rename(self, cid: int, title: str) -> None:
        conv = await self.services.runner.call(lambda st: st.rename_conversation(cid, title))
        if self.session.conversation and self.session.conversation.id == cid:
            self.session.conversation = conv
            self._on_current_conversation(conv)

    async def _delete(self, cid: int) -> None:
        await self.services.runner.call(lambda st: st.delete_conversation(cid))
        self._deleted.append(cid)
        if self.session.conversation and self.session.conversation.id == cid:
            self.new_chat(focus=False)  # the focus stays where the user deleted from (Ctrl+Z, Undo are near)
        await self.refresh_conversations()
        undo_keys = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
        self.notices.show_message(self.tr("Conversation deleted. {keys} brings it back.").format(keys=undo_keys),
                                  "info", self.tr("Undo"),
                                  lambda: self._restore(cid), timeout_ms=10000, source="delete")

    def undo_delete(self) -> None:
        """Ctrl+Z: the conversation deleted last comes back (earlier ones with the next Ctrl+Z, this session)."""
        if self._deleted:
            self._restore(self._deleted[-1])

    def _restore(self, cid: int) -> None:
        if cid in self._deleted:
            self._deleted.remove(cid)
            self.notices.dismiss_from("delete")
            self.work.run(self._undo_delete(cid), failures.undo_failed)

    async def _undo_delete(self, cid: int) -> None:
        await self.services.runner.call(lambda st: st.restore_conversation(cid))
        await self.refresh_conversations()
        await self.session.open(cid)

    def _export(self, cid: int, fmt: str) -> None:
        from .chat.export import export_conversation_interactively

        export_conversation_interactively(self, self.services.runner, cid, fmt, self.notices, self.work,
                                          self.sidebar.title_of(cid))

    def _edit_system_prompt(self) -> None:
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("System prompt"),
            self.tr("Instructions the model gets before this conversation:"), self.session.system_prompt())
        if ok:
            self.work.run(self.session.set_system_prompt(text.strip()), failures.system_prompt_failed)

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)  # only ever on a click, in the system browser

    # -- other windows (made, reused and raised by self.windows) --------------------------------
    def open_model_manager(self, *, catalogue_file: Path | None = None, endpoint: str | None = None):
        return self.windows.open_model_manager(catalogue_file=catalogue_file, endpoint=endpoint)

    def download_model(self, spec: str) -> None:
        """One click from the first-run banner: the model manager opens and downloads ``spec``."""
        self.windows.open_model_manager().start_download(spec)

    def open_settings(self, page: str | None = None):
        return self.windows.open_settings(page)

    def open_launch_planner(self, catalogue, model_id: str | None = None):
        return self.windows.open_launch_planner(catalogue, model_id)

    # -- drag and drop --------------------------------------------------------------------------
    # Dropped models are registered where they are: the drop is a Link (or a Copy), never a Move.
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        answer_drag(event, self.importer.accepts(event.mimeData()), in_place=True)

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        answer_drag(event, self.importer.accepts(event.mimeData()), in_place=True)

    def dropEvent(self, event) -> None:  # noqa: N802
        if answer_drag(event, self.importer.accepts(event.mimeData()), in_place=True):
            self.importer.import_urls(event.mimeData().urls())

    def offer_model_file(self, path: Path) -> None:
        """A model file from the desktop (command line, file manager, a second launch, macOS Finder): imported,
        then loaded to chat with (``ModelOpener``)."""
        self.opener.open(Path(path))

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    # -- language, geometry, close --------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("DeepSeek Desktop"))
        self.system_button.setText(self.tr("System prompt…"))
        self.system_button.setToolTip(self.tr("Set the instructions for this conversation"))
        conv = self.session.conversation
        self.title_label.setText(conv.title if conv and conv.title else self.tr("New conversation"))
        self.presenter.retranslate()
        if self.banner.isVisible() and self.banner.kind == "recommend":
            self.importer.offer_recommendation(self.banner)  # the offer is written again in the new language

    def _restore_geometry(self) -> None:
        data = self.settings.get_state(STATE_WINDOW_GEOMETRY)
        if isinstance(data, str):
            try:
                self.restoreGeometry(QByteArray(base64.b64decode(data)))
            except ValueError:
                pass
        self.screen_fit.fit()  # a geometry saved on a larger screen is shrunk to this one

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        self.settings.set_state(STATE_WINDOW_GEOMETRY, geometry)
        super().closeEvent(event)
        if event.isAccepted():
            self.closing.emit()

    async def shutdown(self) -> None:
        await self.windows.shutdown()  # stops running downloads; their partial files stay for Resume
        await self.local_server.stop()
        await self.session.close()
        await self.engine.shutdown()
        await self.switcher.release_ramdisk()


def _empty_trash(states_dir: Path, store: ConversationStore) -> None:
    """Purge the trash, and the saved llama.cpp states of the conversations purged (kept until now so that an
    undone deletion resumes without re-reading too)."""
    gone = [c.id for c in store.list_conversations(deleted=True)]
    store.purge_deleted(0)
    remove_conversations(states_dir, gone)
