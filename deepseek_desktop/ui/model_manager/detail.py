"""The right half of the catalogue: one model's facts and its downloads, each with a fit badge for this
computer (the figures on hover) and a Download / Resume button; the remote route for models that
cannot run here."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...models.catalogue.catalogue import CatalogueModel
from ...models.catalogue.recommend import Candidate
from ...models.catalogue.state import CatalogueState, DownloadState, download_state
from ..fit_text import badge_sheet, fit_tooltip, level_text, params_text, size_text, speed_line


def purpose_text(purpose: str) -> str:
    texts = {"reasoning": QCoreApplication.translate("ModelFacts", "Reasoning"),
             "chat": QCoreApplication.translate("ModelFacts", "Chat"),
             "code": QCoreApplication.translate("ModelFacts", "Code")}
    return texts.get(purpose, purpose)


def context_text(n: int) -> str:
    return QCoreApplication.translate("ModelFacts", "{n}K").format(n=QLocale().toString(n // 1024))


class QuantRow(QObject):
    """The widgets of one download in the detail grid (not a widget itself: the grid keeps the columns
    of all rows aligned)."""

    def __init__(self, candidate: Candidate, parent: QWidget, on_download) -> None:
        super().__init__(parent)
        self.candidate = candidate
        self.spec = candidate.spec
        self.name = QLabel(candidate.quant, parent)
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.name.setObjectName("quantName")
        self.tag = QLabel(parent)
        self.tag.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.tag.setObjectName("recommendedTag")
        self.tag.hide()
        self.size = QLabel(parent)
        self.size.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.badge = QLabel(parent)
        self.badge.setStyleSheet(badge_sheet(candidate.level))
        self.speed = QLabel(parent)
        self.speed.setObjectName("mutedLabel")
        self.speed.setWordWrap(True)
        self.button = QPushButton(parent)
        self.button.setMinimumWidth(120)
        self.button.clicked.connect(lambda: on_download(self.spec))
        self.state: tuple[DownloadState, int] = (DownloadState.ABSENT, 0)  # and the partial bytes

    def widgets(self) -> list[QWidget]:
        return [self.name, self.tag, self.size, self.badge, self.speed, self.button]

    def place(self, grid: QGridLayout, row: int) -> None:
        """Two lines in ``grid`` from ``row`` on, so that it fits beside the model list at 800 pixels:
        the quant over its tag, the size, the verdict over the speed, the button."""
        grid.addWidget(self.name, row, 0)
        grid.addWidget(self.tag, row + 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.size, row, 1)
        grid.addWidget(self.badge, row, 2, Qt.AlignmentFlag.AlignLeft)  # the badge keeps its own width
        grid.addWidget(self.speed, row + 1, 1, 1, 2, Qt.AlignmentFlag.AlignTop)  # wraps under size and badge
        grid.addWidget(self.button, row, 3, 2, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def set_visible(self, visible: bool) -> None:
        for w in self.widgets():
            w.setVisible(visible and (w is not self.tag or bool(self.tag.text())))

    def retranslate(self, hw, recommended: bool) -> None:
        c = self.candidate
        self.tag.setText(self.tr("Recommended") if recommended else "")
        self.size.setText(size_text(c.size_bytes))
        self.badge.setText(level_text(c.level))
        self.badge.setToolTip(fit_tooltip(c.fit, hw, c.tokens_per_s))
        self.speed.setText(speed_line(c.speed))
        self.size.setToolTip(self.tr("Download size"))
        state, partial = self.state
        self.button.setEnabled(state not in (DownloadState.INSTALLED, DownloadState.ACTIVE))
        if state is DownloadState.INSTALLED:
            self.button.setText(self.tr("Installed"))
            self.button.setToolTip("")
        elif state is DownloadState.ACTIVE:
            self.button.setText(self.tr("Downloading…"))
            self.button.setToolTip("")
        elif state is DownloadState.PARTIAL:
            self.button.setText(self.tr("Resume"))
            self.button.setToolTip(self.tr("{done} of {total} are already downloaded.").format(
                done=size_text(partial), total=size_text(c.size_bytes)))
        else:
            self.button.setText(self.tr("Download"))
            self.button.setToolTip(self.tr("Download {size} into the models folder").format(
                size=size_text(c.size_bytes)))


class ModelDetail(QWidget):
    downloadRequested = Signal(str)  # spec
    remoteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelDetail")
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.purpose = QLabel(self)
        self.purpose.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.purpose.setObjectName("purposeChip")
        self.facts = QLabel(self)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.facts.setWordWrap(True)
        self.source = QLabel(self)
        self.source.setObjectName("mutedLabel")
        self.source.setOpenExternalLinks(True)
        self.source.setTextFormat(Qt.TextFormat.RichText)
        self.remote = QFrame(self)
        self.remote.setObjectName("card")
        self.remote_text = QLabel(self.remote)
        self.remote_text.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.remote_text.setWordWrap(True)
        self.remote_button = QPushButton(self.remote)
        self.remote_button.clicked.connect(self.remoteRequested)
        remote_row = QHBoxLayout(self.remote)
        remote_row.setContentsMargins(12, 10, 12, 10)
        remote_row.addWidget(self.remote_text, 1)
        remote_row.addWidget(self.remote_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.remote.hide()
        self.downloads_heading = QLabel(self)
        self.downloads_heading.setObjectName("sectionHeading")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(8)
        self.empty = QLabel(self)
        self.empty.setObjectName("mutedLabel")
        self.empty.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.note.setObjectName("mutedLabel")
        self.note.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.purpose, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.facts)
        layout.addWidget(self.source)
        layout.addSpacing(6)
        layout.addWidget(self.remote)
        layout.addSpacing(6)
        layout.addWidget(self.downloads_heading)
        layout.addLayout(self.grid)
        layout.addWidget(self.empty)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.rows: dict[str, QuantRow] = {}
        self.model: CatalogueModel | None = None
        self.state: CatalogueState | None = None
        self._fits_only = True
        self._local: tuple[set[str], dict[str, int], set[str]] = (set(), {}, set())
        self.show_model(None, None)

    def show_model(self, state: CatalogueState | None, model_id: str | None) -> None:
        self.state = state
        self.model = state.model(model_id) if state is not None and model_id else None
        for row in self.rows.values():
            for w in row.widgets():
                self.grid.removeWidget(w)
                w.hide()
                w.deleteLater()
            row.deleteLater()
        self.rows = {}
        if state is not None and self.model is not None:
            for i, c in enumerate(state.for_model(self.model.id)):
                row = QuantRow(c, self, self.downloadRequested.emit)
                row.place(self.grid, 2 * i)
                self.rows[c.spec] = row
            self.grid.setColumnStretch(3, 1)
        for w in (self.title, self.purpose, self.facts, self.source, self.downloads_heading, self.note):
            w.setVisible(self.model is not None)
        self.set_local(*self._local)
        self.retranslate()

    def set_fits_only(self, fits_only: bool) -> None:
        self._fits_only = fits_only
        self._apply_filter()

    def set_local(self, installed: set[str], partials: dict[str, int], active: set[str]) -> None:
        self._local = (installed, partials, active)
        for spec, row in self.rows.items():
            row.state = download_state(spec, installed, active, partials)
        self.retranslate()

    def _apply_filter(self) -> None:
        shown = 0
        for row in self.rows.values():
            visible = row.candidate.fit.runs or not self._fits_only
            row.set_visible(visible)
            shown += visible
        self.empty.setVisible(self.model is not None and shown == 0)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.PaletteChange):
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        m, state = self.model, self.state
        if m is None or state is None:
            self.empty.setText(self.tr("Choose a model on the left."))
            self.empty.setVisible(True)
            self.remote.hide()
            return
        self.title.setText(m.name)
        self.purpose.setText(purpose_text(m.purpose))
        facts = [self.tr("{params} parameters").format(params=params_text(m.params_total))]
        if m.moe:
            facts.append(self.tr("{active} active per token (mixture of experts)").format(
                active=params_text(m.params_active)))
        facts.append(self.tr("up to {ctx} tokens of context").format(ctx=context_text(m.context_length)))
        facts.append(self.tr("licence: {licence}").format(licence=licence_text(m.license)))
        facts.append(self.tr("released {date}").format(date=QLocale().toString(_date(m.released), "MMMM yyyy")))
        self.facts.setText(" · ".join(facts))
        link = self.palette().color(QPalette.ColorRole.Link).name()  # a QLabel keeps the colour it was given
        self.source.setText(self.tr("Original model: {link}").format(
            link=f'<a style="color: {link}" href="https://huggingface.co/{html.escape(m.original_repo)}">'
                 f'{html.escape(m.original_repo)}</a>'))
        route = state.remote_for(m.id)
        self.remote.setVisible(route is not None)
        if route is not None:
            self.remote_text.setText(self.tr(
                "Too big for this computer: even its smallest download needs about {need} of memory. "
                "DeepSeek's API runs it (model “{api}”), or a cluster or server of your own with an "
                "OpenAI-compatible API.").format(need=size_text(route.smallest_need_bytes), api=route.api_model))
            self.remote_button.setText(self.tr("Set up a remote server…"))
        self.downloads_heading.setText(self.tr("Downloads · GGUF from {repo}").format(repo=m.gguf_repo)
                                       if m.gguf_repo else self.tr("Downloads"))
        best = state.recommendation.best
        for spec, row in self.rows.items():
            row.retranslate(state.hw, best is not None and best.spec == spec)
        self.empty.setText(self.tr("None of this model's downloads fits this computer. "
                                   "Choose “All models” to see them anyway."))
        self.note.setText(self.tr("Estimates for {ctx} tokens of context and a {cache} context cache. "
                                  "Hover over a verdict for the figures.").format(
            ctx=QLocale().toString(state.options.n_ctx), cache=state.options.cache_type))
        self._apply_filter()


def _date(text: str):
    from PySide6.QtCore import QDate

    return QDate.fromString(text, "yyyy-MM-dd")


_BASE_LICENCE = re.compile(r"^(?P<own>[^()]+) \(base model (?P<base>[^:()]+): (?P<licence>[^()]+)\)$")
_COMMERCIAL = " (commercial use allowed)"


def licence_text(licence: str) -> str:
    """The catalogue's licence in the window's language: the licences' names stay, the notes about them are
    translated ("MIT (base model Qwen2.5: Apache-2.0)", "DeepSeek Model License (commercial use allowed)")."""
    m = _BASE_LICENCE.match(licence)
    if m:
        return QCoreApplication.translate("ModelFacts", "{own} (base model {base}: {licence})").format(**m.groupdict())
    if licence.endswith(_COMMERCIAL):
        return QCoreApplication.translate("ModelFacts", "{licence} (commercial use allowed)").format(
            licence=licence[: -len(_COMMERCIAL)])
    return licence
