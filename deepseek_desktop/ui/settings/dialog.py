"""The settings pane, generated from the schema. Changes apply at once (language and theme live)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...core.settings.schema import GROUPS, Applies, SettingType
from ...core.settings.store import SettingsError
from ...models.hardware import GpuInfo
from ..background import BackgroundWork
from ..device_text import gpu_name
from ..error_text import describe
from ..notice_bar import NoticeBar
from ..screen_fit import ScreenFit
from .endpoints import EndpointsEditor
from .fields import Field, tr_setting
from .server_key import ServerKeyRow

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    """Made and reused by the main window's ``OtherWindows`` (``MainWindow.open_settings``)."""

    def __init__(self, services, parent: QWidget | None = None, server=None) -> None:
        """``server``: the local API server as the window runs it (``LocalServerController``: ``changed``,
        ``running``, ``address``, ``ollama_address``); its page says where it listens."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.services = services
        self.settings = services.settings
        self.server = server
        self.server_status: QLabel | None = None  # on the local server's page
        self.screen_fit = ScreenFit(self, QSize(820, 600))
        self.pages = QListWidget(self)
        self.pages.setFixedWidth(190)
        self.stack = QStackedWidget(self)
        self.notice = NoticeBar(self)
        self.fields: dict[str, Field | EndpointsEditor] = {}
        self._labels: list[tuple[QLabel, str, str]] = []  # label, kind, key
        self.server_key: ServerKeyRow | None = None  # on the local server's page
        self.server_key_label: QLabel | None = None
        for group in GROUPS:
            self.pages.addItem("")
            self.stack.addWidget(self._page(group.name))
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.pages.setCurrentRow(0)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.close)
        self.defaults_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ResetRole)
        self.defaults_button.clicked.connect(self._restore_page_defaults)
        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        self._unsubscribe = self.settings.subscribe(self._on_external_change)
        self.work = BackgroundWork(self)
        self.work.run(self._list_devices())
        self.retranslate()

    async def _list_devices(self) -> None:
        """The device setting's choices: what the engine lists (asked off the GUI thread)."""
        import asyncio

        from ...engine_host.device_query import query_devices

        report = await asyncio.to_thread(query_devices)
        field = self.fields.get("llamacpp.device")
        if isinstance(field, Field) and isValid(field.widget):
            field.set_devices([(d.name, gpu_name(GpuInfo.from_device(d))) for d in report.devices])

    def show_page(self, name: str) -> None:
        """Turn to the page of the settings group ``name`` ("general", "remote", …); unknown names are ignored."""
        names = [g.name for g in GROUPS]
        if name in names:
            self.pages.setCurrentRow(names.index(name))

    def _page(self, group: str) -> QWidget:
        inner = QWidget()
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        default_models = str(self.services.paths.default_models_dir)
        for spec in self.settings.schema.in_group(group):
            value = self.settings.get(spec.key)
            if spec.type is SettingType.ENDPOINTS:
                editor = EndpointsEditor(spec.key, value, self.services.secrets, inner)
                editor.changed.connect(self._store)
                editor.keyMessage.connect(self.notice.show_message)
                self.fields[spec.key] = editor
                form.addRow(editor)
                continue
            field = Field(spec, value, inner, default_path=default_models)
            field.changed.connect(self._store)
            self.fields[spec.key] = field
            label = QLabel(inner)
            label.setBuddy(field.widget)
            self._labels.append((label, "label", spec.key))
            column = QWidget(inner)
            # The column takes the form's whole width, so a wrapped help text gets the height it needs.
            column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            col = QVBoxLayout(column)
            col.setContentsMargins(0, 0, 0, 6)
            col.setSpacing(2)
            wide = spec.type in (SettingType.PATH, SettingType.TEXT, SettingType.STRING)
            col.addWidget(field.widget, 0, Qt.AlignmentFlag(0) if wide else Qt.AlignmentFlag.AlignLeft)
            if spec.help or spec.applies is Applies.NEXT_LOAD:
                hint = QLabel(column)
                hint.setWordWrap(True)
                hint.setObjectName("statsLabel")
                self._labels.append((hint, "help", spec.key))
                col.addWidget(hint)
            form.addRow(label, column)
        if group == "server":
            self.server_status = QLabel(inner)
            self.server_status.setObjectName("serverAddress")
            self.server_status.setWordWrap(True)
            self.server_status.setTextFormat(Qt.TextFormat.PlainText)
            self.server_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.insertRow(0, self.server_status)
            if self.server is not None:
                self.server.changed.connect(self._show_server_status)
            self.server_key = ServerKeyRow(self.services.secrets, inner)
            self.server_key.keyMessage.connect(self.notice.show_message)
            self.server_key_label = QLabel(inner)
            form.addRow(self.server_key_label, self.server_key)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not to an invisible stop around them
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        return scroll

    def _show_server_status(self) -> None:
        """Where the local server listens (the status bar's line, here where it is switched on), or that it is off."""
        if self.server_status is None:
            return
        server = self.server
        if server is None or not server.running:
            self.server_status.setText(self.tr("The server is off."))
            return
        text = self.tr("The server is on. OpenAI-compatible: {openai}").format(openai=server.address)
        if server.ollama_address:
            text += "\n" + self.tr("Ollama-compatible: {ollama}").format(ollama=server.ollama_address)
        self.server_status.setText(text)

    def _store(self, key: str, value) -> None:
        try:
            self.settings.set(key, value)
        except SettingsError as exc:
            self.notice.show_message(describe(exc), "error")
            field = self.fields.get(key)
            if field is not None:
                field.set_value(self.settings.get(key))

    def _on_external_change(self, key: str, value) -> None:
        field = self.fields.get(key)
        if field is not None:
            field.set_value(value)

    def _restore_page_defaults(self) -> None:
        group = GROUPS[self.pages.currentRow()].name
        for spec in self.settings.schema.in_group(group):
            self.settings.reset(spec.key)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for i, group in enumerate(GROUPS):
            self.pages.item(i).setText(tr_setting(group.label))
        for field in self.fields.values():
            field.retranslate()
        for label, kind, key in self._labels:
            spec = self.settings.schema.spec(key)
            if kind == "label":
                label.setText(tr_setting(spec.label) + ":")
            else:
                parts = [tr_setting(spec.help)] if spec.help else []
                if spec.applies is Applies.NEXT_LOAD:
                    parts.append(self.tr("Takes effect when a model is loaded next."))
                label.setText(" ".join(parts))
        self.defaults_button.setText(self.tr("Restore defaults on this page"))
        self._show_server_status()
        if self.server_key_label is not None:
            self.server_key_label.setText(self.tr("API key:"))
