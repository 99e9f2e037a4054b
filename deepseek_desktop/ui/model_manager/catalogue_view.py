"""The catalogue tab: search, the fits / all filter, this computer in one line, the list of models with
the verdict of each one's best download, and the selected model's details."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.vocabulary import FitVerdict, SpeedLevel
from ...models.catalogue.catalogue import CatalogueModel
from ...models.catalogue.state import CatalogueState
from ...models.hardware import HardwareInfo
from ..device_text import gpu_name, hint_lines
from ..elided_label import ElidedLabel
from ..fit_text import badge_sheet, level_text, params_text, size_text, verdict_text
from .detail import ModelDetail, context_text, purpose_text

ID_ROLE = Qt.ItemDataRole.UserRole


class ModelListEntry(QWidget):
    """One line of the model list: name, size and purpose, and how its best download runs here."""

    def __init__(self, model: CatalogueModel, level: SpeedLevel | None, verdict: FitVerdict | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.level, self.verdict = model, level, verdict
        # The whole name, wrapped after its hyphens when the list is narrow ("DeepSeek-R1-Distill-" / "Qwen-14B"):
        # names differ at their end, so a name cut short ("DeepSeek-R1-Distill-Qw…") told nothing apart.
        self.name = QLabel(self)
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # a catalogue's names: never read as HTML
        self.name.setWordWrap(True)
        self.name.setText(model.name.replace("-", "-\u200b"))  # a zero-width space: a place to wrap
        self.name.setToolTip(model.name)
        self.name.setAccessibleName(model.name)
        self.name.setObjectName("entryName")
        self.facts = ElidedLabel(self)
        self.facts.setObjectName("mutedLabel")
        self.badge = QLabel(self)
        self.badge.setStyleSheet(badge_sheet(level))
        text = QVBoxLayout()
        text.setSpacing(1)
        text.addWidget(self.name)
        text.addWidget(self.facts)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 7, 10, 7)
        row.addLayout(text, 1)
        row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        self.retranslate()

    def retranslate(self) -> None:
        m = self.model
        self.facts.set_text(" · ".join((params_text(m.params_total), purpose_text(m.purpose),
                                        context_text(m.context_length))))
        # The speed level of its best download; where it runs is on hover, the figures in the details.
        self.badge.setText(level_text(self.level))
        self.badge.setVisible(bool(self.badge.text()))
        self.badge.setToolTip(self.tr("Best download: {verdict}").format(verdict=verdict_text(self.verdict))
                              if self.verdict else "")


class CatalogueView(QWidget):
    downloadRequested = Signal(str)  # spec
    remoteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._apply_filter())
        self.fits_button = QRadioButton(self)
        self.all_button = QRadioButton(self)
        self.fits_button.setChecked(True)
        self._filter_group = QButtonGroup(self)
        self._filter_group.addButton(self.fits_button)
        self._filter_group.addButton(self.all_button)
        self.fits_button.toggled.connect(lambda _c: self._apply_filter())
        self.hardware = QLabel(self)
        self.hardware.setObjectName("mutedLabel")
        self.hardware.setWordWrap(True)
        self.pack_button = QPushButton(self)  # the GPU pack, when a GPU here needs it (see gpu_pack_offer)
        self.pack_button.setVisible(False)
        self.model_list = QListWidget(self)
        self.model_list.setObjectName("modelList")
        self.model_list.setMinimumWidth(240)
        self.model_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.model_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.model_list.currentItemChanged.connect(self._on_current)
        self.model_list.viewport().installEventFilter(self)  # a narrower list: names wrap, entries grow
        self.detail = ModelDetail(self)
        self.detail.downloadRequested.connect(self.downloadRequested)
        self.detail.remoteRequested.connect(self.remoteRequested)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.detail)
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("emptyState")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.placeholder)
        self.list_stack.addWidget(self.model_list)
        splitter = QSplitter(self)
        splitter.addWidget(self.list_stack)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 760])  # at 800 pixels the details keep room for a download row
        splitter.setChildrenCollapsible(False)
        filters = QHBoxLayout()
        filters.setSpacing(12)
        filters.addWidget(self.search, 2)
        self.show_label = QLabel(self)
        filters.addWidget(self.show_label)
        filters.addWidget(self.fits_button)
        filters.addWidget(self.all_button)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(filters)
        hardware_row = QHBoxLayout()
        hardware_row.addWidget(self.hardware, 1)
        hardware_row.addWidget(self.pack_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(hardware_row)
        layout.addWidget(splitter, 1)
        self.state: CatalogueState | None = None
        self._error = ""
        self.retranslate()

    # -- data -------------------------------------------------------------------------------------
    def set_state(self, state: CatalogueState | None, error: str = "") -> None:
        current = self.current_model_id()
        self.state, self._error = state, error
        self.model_list.blockSignals(True)
        self.model_list.clear()
        if state is not None:
            for m in sorted(state.catalogue.models, key=lambda m: (m.params_total, m.name)):
                best = state.best_for(m.id)
                entry = ModelListEntry(m, best.level if best else None, best.fit.verdict if best else None,
                                       self.model_list)
                item = QListWidgetItem(self.model_list)
                item.setData(ID_ROLE, m.id)
                # Width 1: the entry takes the list's width instead of widening it; its height follows (_fit_entries)
                item.setSizeHint(QSize(1, entry.sizeHint().height() + 2))
                self.model_list.setItemWidget(item, entry)
        self.model_list.blockSignals(False)
        self._fit_entries()
        self.list_stack.setCurrentWidget(self.model_list if state is not None else self.placeholder)
        self.retranslate()
        wanted = current
        if wanted is None and state is not None and state.recommendation.best is not None:
            wanted = state.recommendation.best.model.id
        self._apply_filter(select=wanted)

    def set_local(self, installed: set[str], partials: dict[str, int], active: set[str]) -> None:
        self.detail.set_local(installed, partials, active)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.model_list.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_entries()
        return False

    def _fit_entries(self) -> None:
        """Each entry as tall as its wrapped name needs at the list's width."""
        width = self.model_list.viewport().width()
        for i in range(self.model_list.count()):
            item = self.model_list.item(i)
            entry = self.model_list.itemWidget(item)
            if entry is not None:
                height = entry.heightForWidth(width) if entry.hasHeightForWidth() else entry.sizeHint().height()
                if item.sizeHint().height() != height + 2:
                    item.setSizeHint(QSize(1, height + 2))

    @property
    def fits_only(self) -> bool:
        return self.fits_button.isChecked()

    def set_fits_only(self, fits_only: bool) -> None:
        (self.fits_button if fits_only else self.all_button).setChecked(True)

    def current_model_id(self) -> str | None:
        item = self.model_list.currentItem()
        return item.data(ID_ROLE) if item is not None and not item.isHidden() else None

    def item_for(self, model_id: str) -> QListWidgetItem | None:
        for i in range(self.model_list.count()):
            item = self.model_list.item(i)
            if item.data(ID_ROLE) == model_id:
                return item
        return None

    def visible_model_ids(self) -> list[str]:
        return [self.model_list.item(i).data(ID_ROLE) for i in range(self.model_list.count())
                if not self.model_list.item(i).isHidden()]

    def select_model(self, model_id: str) -> None:
        item = self.item_for(model_id)
        if item is None:
            return
        if item.isHidden():  # asked for explicitly (the recommendation's "Show"): show everything
            self.search.clear()
            self.set_fits_only(False)
        self.model_list.setCurrentItem(item)
        self.model_list.scrollToItem(item)

    def _apply_filter(self, select: str | None = None) -> None:
        state = self.state
        text = self.search.text().strip().lower()
        for i in range(self.model_list.count()):
            item = self.model_list.item(i)
            model_id = item.data(ID_ROLE)
            m = state.model(model_id) if state is not None else None
            hit = m is not None and (not text or text in m.name.lower() or text in m.id
                                     or text in purpose_text(m.purpose).lower())
            runs = state is not None and state.runs(model_id)
            item.setHidden(not hit or (self.fits_only and not runs))
        self.detail.set_fits_only(self.fits_only)
        wanted = select or self.current_model_id()
        item = self.item_for(wanted) if wanted else None
        if item is None or item.isHidden():
            visible = self.visible_model_ids()
            item = self.item_for(visible[0]) if visible else None
        if item is not None:
            if self.model_list.currentItem() is item and self.detail.model is not None \
                    and self.detail.model.id == item.data(ID_ROLE) and self.detail.state is state:
                return
            self.model_list.setCurrentItem(item)
            self._on_current(item, None)
        else:
            self.model_list.setCurrentItem(None)
            self.detail.show_model(state, None)
            if state is not None and self.model_list.count():
                self.detail.empty.setText(self.tr("No model matches. Choose “All models” or change the search."))

    def _on_current(self, item: QListWidgetItem | None, _previous) -> None:
        model_id = item.data(ID_ROLE) if item is not None and not item.isHidden() else None
        if self.detail.model is not None and self.detail.model.id == model_id and self.detail.state is self.state:
            return
        self.detail.show_model(self.state, model_id)

    # -- language ---------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search models"))
        self.search.setAccessibleName(self.tr("Search models"))
        self.show_label.setText(self.tr("Show:"))
        self.fits_button.setText(self.tr("Fits this computer"))
        self.fits_button.setToolTip(self.tr("Only models and downloads that run in this computer's memory"))
        self.all_button.setText(self.tr("All models"))
        for i in range(self.model_list.count()):
            entry = self.model_list.itemWidget(self.model_list.item(i))
            if isinstance(entry, ModelListEntry):
                entry.retranslate()
                spoken = (entry.name.text(), entry.facts.text(), entry.badge.toolTip())  # the row is a widget
                self.model_list.item(i).setData(Qt.ItemDataRole.AccessibleTextRole, " · ".join(spoken))
        if self._error:
            self.placeholder.setText(self._error)
        else:
            self.placeholder.setText(self.tr("Reading the catalogue and checking this computer…"))
        self.hardware.setText(self._hardware_text(self.state.hw, self.state.options.n_ctx) if self.state else "")

    def _hardware_text(self, hw: HardwareInfo, n_ctx: int) -> str:
        loc = QLocale()
        parts = [self.tr("This computer: {free} of {total} memory free").format(
            free=size_text(hw.ram_available_bytes), total=size_text(hw.ram_total_bytes))]
        if hw.unified_memory:
            parts.append(self.tr("{gpu} (unified memory, {usable} for the GPU)").format(
                gpu=hw.gpus[0].name, usable=size_text(hw.gpu_total_bytes)))
        elif hw.gpus:
            parts.append(self.tr("GPU: {names}, {free} of {total} free").format(
                names=", ".join(gpu_name(g) for g in hw.gpus), free=size_text(hw.gpu_free_bytes),
                total=size_text(hw.gpu_total_bytes)))
        else:
            parts.append(self.tr("no GPU the engine can use"))
        parts.append(self.tr("{n} cores").format(n=loc.toString(hw.cpu_physical_cores)))
        parts.append(self.tr("estimates for {ctx} tokens of context").format(ctx=loc.toString(n_ctx)))
        return "\n".join([" · ".join(parts), *hint_lines(hw)])
