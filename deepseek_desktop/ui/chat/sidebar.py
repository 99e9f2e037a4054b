"""The conversation list: new, search (titles and message text), rename in place, export, delete."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from ...core.conversations.types import Conversation

ID_ROLE = Qt.ItemDataRole.UserRole


class _ElidingDelegate(QStyledItemDelegate):
    """Asks for no width of its own: the list lays every title out as wide as the list and the title
    ends in "…" (the whole one is in the tooltip) instead of the list growing a horizontal scrollbar."""

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        return QSize(0, super().sizeHint(option, index).height())


class ConversationSidebar(QWidget):
    conversationSelected = Signal(int)
    newRequested = Signal()
    renameRequested = Signal(int, str)
    deleteRequested = Signal(int)
    exportRequested = Signal(int, str)  # id, "md" | "json"
    searchChanged = Signal(str)
    listed = Signal()  # the list was filled again (once per message sent; tests and benchmarks count it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.new_button = QPushButton(self)
        self.new_button.clicked.connect(self.newRequested)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(lambda: self.searchChanged.emit(self.search.text().strip()))
        self.search.textChanged.connect(self._debounce.start)
        self.list = QListWidget(self)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setItemDelegate(_ElidingDelegate(self.list))
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.currentItemChanged.connect(self._on_current)
        self.list.itemChanged.connect(self._on_renamed)
        self.list.itemDoubleClicked.connect(self.list.editItem)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self._filling = False
        self._titles: dict[int, str] = {}
        self.retranslate()

    # -- content --------------------------------------------------------------------------------
    def set_conversations(self, conversations: list[Conversation], current_id: int | None) -> None:
        self._filling = True
        self.list.clear()
        self._titles = {}
        for conv in conversations:
            item = QListWidgetItem(conv.title or self.tr("New conversation"))
            item.setData(ID_ROLE, conv.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            when = QDateTime.fromSecsSinceEpoch(int(conv.updated_at)).toString("yyyy-MM-dd HH:mm")
            last = self.tr("Last message: {when}").format(when=when)
            item.setToolTip(f"{conv.title}\n{last}" if conv.title else last)  # the title may be cut in the list
            self._titles[conv.id] = conv.title
            self.list.addItem(item)
        self._filling = False
        self.set_current(current_id)
        self.listed.emit()

    def set_current(self, conversation_id: int | None) -> None:
        self._filling = True
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(ID_ROLE) == conversation_id:
                self.list.setCurrentItem(item)
                break
        else:
            self.list.setCurrentItem(None)
        self._filling = False

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item else None

    def title_of(self, conversation_id: int) -> str:
        """The conversation's stored title ("" when it has none yet)."""
        return self._titles.get(conversation_id, "")

    def select_next(self, step: int) -> None:
        """Open the conversation ``step`` places below (above, if negative) the current one, round the list."""
        count = self.list.count()
        if not count:
            return
        row = self.list.currentRow()
        row = (0 if step > 0 else count - 1) if row < 0 else (row + step) % count
        self.list.setCurrentRow(row)  # the list says so (conversationSelected); the focus stays where it is
        self.list.scrollToItem(self.list.item(row))

    def rename_current(self) -> None:
        item = self.list.currentItem()
        if item:
            self.list.editItem(item)

    # -- events ---------------------------------------------------------------------------------
    def _on_current(self, item: QListWidgetItem | None, _previous) -> None:
        if item is not None and not self._filling:
            self.conversationSelected.emit(item.data(ID_ROLE))

    def _on_renamed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        cid, title = item.data(ID_ROLE), item.text().strip()
        if title and title != self._titles.get(cid):
            self._titles[cid] = title
            self.renameRequested.emit(cid, title)

    def _menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        cid = item.data(ID_ROLE)
        menu = QMenu(self)
        rename = QAction(self.tr("Rename"), menu)
        rename.triggered.connect(lambda: self.list.editItem(item))
        export_md = QAction(self.tr("Export as Markdown…"), menu)
        export_md.triggered.connect(lambda: self.exportRequested.emit(cid, "md"))
        export_json = QAction(self.tr("Export as JSON…"), menu)
        export_json.triggered.connect(lambda: self.exportRequested.emit(cid, "json"))
        delete = QAction(self.tr("Delete"), menu)
        delete.triggered.connect(lambda: self.deleteRequested.emit(cid))
        for action in (rename, export_md, export_json):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(delete)
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.new_button.setText(self.tr("New conversation"))
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        self.search.setPlaceholderText(self.tr("Search conversations (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.list.setAccessibleName(self.tr("Conversations"))
        for i in range(self.list.count()):
            item = self.list.item(i)
            if not self._titles.get(item.data(ID_ROLE)):
                self._filling = True
                item.setText(self.tr("New conversation"))
                self._filling = False
