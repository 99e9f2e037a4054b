"""The installed tab: every registered model with its format, size and place; Delete for a model in
the models folder, Forget for one registered where it lies; model files found in the folder that are
not registered yet; and how to add one (drop it here, or choose a file)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...models.folder_state import InstalledRow, LocalState
from ..fit_text import size_text
from ..template_note import fallback_note

NAME, FORMAT, QUANT, SIZE, PLACE, ACTION = range(6)


class InstalledList(QWidget):
    deleteRequested = Signal(str)  # registry name
    forgetRequested = Signal(str)
    registerRequested = Signal(str)  # path of an unregistered model file in the folder
    addFileRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("installedTable")
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # long paths keep their file name
        self.table.verticalHeader().setDefaultSectionSize(40)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PLACE, QHeaderView.ResizeMode.Stretch)
        for col in (FORMAT, QUANT, SIZE, ACTION):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.drop_hint = QLabel(self)
        self.drop_hint.setObjectName("mutedLabel")
        self.drop_hint.setWordWrap(True)
        self.copy_box = QCheckBox(self)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self.addFileRequested)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.drop_hint, 1)
        bottom.addWidget(self.copy_box)
        bottom.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 4)
        layout.setSpacing(8)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(bottom)
        self.state: LocalState | None = None
        self.buttons: dict[str, QPushButton] = {}  # registry name or path -> its action button
        self.retranslate()

    @property
    def copy_into_folder(self) -> bool:
        return self.copy_box.isChecked()

    def set_state(self, state: LocalState) -> None:
        self.state = state
        self.buttons = {}
        rows: list[InstalledRow | Path] = [*sorted(state.installed, key=lambda r: r.model.name.lower()),
                                           *state.unregistered]
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            if isinstance(row, InstalledRow):
                self._fill_installed(i, row)
            else:
                self._fill_unregistered(i, row)
        self.retranslate()

    def details(self, key: str) -> str:
        """The text and the tooltip of a row's name cell (registry name or path), "" for no such row."""
        for i in range(self.table.rowCount()):
            item = self.table.item(i, NAME)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == key:
                return f"{item.text()}\n{item.toolTip()}"
        return ""

    def _item(self, i: int, col: int, text: str, tip: str = "") -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setToolTip(tip or text)
        self.table.setItem(i, col, item)
        return item

    def _button(self, i: int, key: str, slot) -> QPushButton:
        button = QPushButton(self.table)
        button.clicked.connect(slot)
        holder = QWidget(self.table)
        box = QHBoxLayout(holder)
        box.setContentsMargins(6, 3, 6, 3)
        box.addWidget(button)
        self.table.setCellWidget(i, ACTION, holder)
        self.buttons[key] = button
        return button

    def _fill_installed(self, i: int, row: InstalledRow) -> None:
        m = row.model
        self._item(i, NAME, m.name).setData(Qt.ItemDataRole.UserRole, m.name)  # text set in retranslate
        self._item(i, FORMAT, m.format.upper() if m.format == "gguf" else "MLX")
        self._item(i, QUANT, m.quant or "–")
        size = self._item(i, SIZE, "")  # text set in retranslate (the locale's decimal sign)
        size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._item(i, PLACE, "", m.path)  # text set in retranslate
        if row.inside and row.present:
            self._button(i, m.name, lambda _c=False, n=m.name: self.deleteRequested.emit(n))
        else:
            self._button(i, m.name, lambda _c=False, n=m.name: self.forgetRequested.emit(n))

    def _fill_unregistered(self, i: int, path: Path) -> None:
        self._item(i, NAME, path.name, str(path)).setData(Qt.ItemDataRole.UserRole, str(path))
        self._item(i, FORMAT, "GGUF" if path.suffix.lower() == ".gguf" else "MLX")
        self._item(i, QUANT, "–")
        self._item(i, SIZE, "")
        self._item(i, PLACE, "", str(path))
        self._button(i, str(path), lambda _c=False, p=str(path): self.registerRequested.emit(p))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Format"), self.tr("Quantisation"),
                                              self.tr("Size"), self.tr("Location"), ""])
        self.drop_hint.setText(self.tr("Drag a .gguf file or an MLX model folder onto this window to add it. "
                                       "It is checked first; a damaged file is not added."))
        self.copy_box.setText(self.tr("Copy into the models folder"))
        self.copy_box.setToolTip(self.tr("Otherwise the model is used where it is, and stays there."))
        self.add_button.setText(self.tr("Add a model file…"))
        state = self.state
        has_rows = bool(state and (state.installed or state.unregistered))
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.empty.setText(self.tr("No models installed yet.\nDownload one from the catalogue, or drop a "
                                   ".gguf file or an MLX model folder here."))
        if state is None:
            return
        for i in range(self.table.rowCount()):
            item = self.table.item(i, NAME)
            key = item.data(Qt.ItemDataRole.UserRole) if item else None
            row = next((r for r in state.installed if r.model.name == key), None)
            place = self.table.item(i, PLACE)
            button = self.buttons.get(key)
            if row is not None:
                note = fallback_note(row.fallback_template)
                item.setText(self.tr("{name} (generic chat template)").format(name=row.model.name)
                             if note else row.model.name)
                item.setToolTip(f"{row.model.name}\n{note}" if note else row.model.name)
                self.table.item(i, SIZE).setText(size_text(row.model.size))
                if not row.present:
                    place.setText(self.tr("Files missing: {path}").format(path=row.model.path))
                elif row.inside:
                    place.setText(self.tr("Models folder"))
                else:
                    place.setText(row.model.path)
                if button is not None:
                    deletable = row.inside and row.present
                    button.setText(self.tr("Delete…") if deletable else self.tr("Forget"))
                    button.setToolTip(self.tr("Delete the model's files from the models folder") if deletable
                                      else self.tr("Remove it from this list; its files stay where they are"))
            else:
                place.setText(self.tr("Models folder (not added yet)"))
                if button is not None:
                    button.setText(self.tr("Add"))
                    button.setToolTip(self.tr("Check the model and add it to the list"))
