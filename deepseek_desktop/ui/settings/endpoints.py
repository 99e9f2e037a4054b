"""Remote servers: name, base URL, model; the API key goes to the OS keyring, never to a file."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.settings.schema import SettingValueError, validate_endpoints
from ..background import BackgroundWork

log = logging.getLogger(__name__)
COLUMNS = ("name", "base_url", "model")


class EndpointsEditor(QWidget):
    changed = Signal(str, object)  # "remote.endpoints", list of dicts
    keyMessage = Signal(str, str)  # text, kind

    def __init__(self, key: str, endpoints: list[dict], secrets_provider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._secrets = secrets_provider  # () -> SecretStore (its first use may touch D-Bus: off the GUI)
        self.work = BackgroundWork(self)
        self.work.failed.connect(lambda text: self.keyMessage.emit(text, "error"))
        self.table = QTableWidget(0, 3, self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.itemChanged.connect(self._on_edit)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self._add)
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(self._remove)
        self.key_prompt: QInputDialog | None = None  # the open API-key prompt, if any
        self.key_button = QPushButton(self)
        self.key_button.clicked.connect(self._set_key)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # names from a catalogue, server or disk
        self.problem.setStyleSheet("color: #c0392b;")
        self.problem.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.key_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.hint)
        self._filling = False
        self.set_value(endpoints)
        self.retranslate()

    def set_value(self, endpoints: list[dict]) -> None:
        self._filling = True
        self.table.setRowCount(0)
        for ep in endpoints:
            self._append_row(ep)
        self._filling = False
        self.problem.clear()

    def _append_row(self, ep: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, name in enumerate(COLUMNS):
            self.table.setItem(row, col, QTableWidgetItem(ep.get(name, "")))

    def value(self) -> list[dict]:
        rows = []
        for r in range(self.table.rowCount()):
            rows.append({name: (self.table.item(r, c).text() if self.table.item(r, c) else "")
                         for c, name in enumerate(COLUMNS)})
        return rows

    def _on_edit(self, _item) -> None:
        if self._filling:
            return
        try:
            clean = validate_endpoints(self.key, self.value())
        except SettingValueError as exc:  # shown, not saved, until the row is complete
            self.problem.setText(self.tr("Not saved yet: {reason}").format(reason=exc.reason))
            return
        self.problem.clear()
        self.changed.emit(self.key, clean)

    def _add(self) -> None:
        self._filling = True
        self._append_row({"name": self.tr("DeepSeek API"), "base_url": "https://api.deepseek.com",
                          "model": "deepseek-chat"})
        self._filling = False
        self._on_edit(None)
        self.table.selectRow(self.table.rowCount() - 1)

    def _remove(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        name = self.table.item(row, 0).text() if self.table.item(row, 0) else ""
        self.table.removeRow(row)
        self._on_edit(None)
        if name:
            self.work.run(asyncio.to_thread(lambda: self._secrets().delete(name)), _keyring_failed)

    def _set_key(self) -> None:
        row = self.table.currentRow()
        if row < 0 or not self.table.item(row, 0):
            self.problem.setText(self.tr("Select a server first."))
            return
        name = self.table.item(row, 0).text()
        self.work.run(self._ask_key(name), _keyring_failed)

    async def _ask_key(self, name: str) -> None:
        # whether a keyring exists is asked off the GUI thread (it may touch D-Bus), and said before OK
        secrets = await asyncio.to_thread(self._secrets)
        persistent = await asyncio.to_thread(lambda: secrets.persistent)
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("API key"))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        if persistent:
            dialog.setLabelText(self.tr("API key for {name} (kept in the system keyring):").format(name=name))
        else:
            dialog.setLabelText(self.tr("API key for {name}. No system keyring is available: the key is kept "
                                        "only until the app quits.").format(name=name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda key: self._key_entered(name, key))
        self.key_prompt = dialog
        dialog.open()

    def _key_entered(self, name: str, key: str) -> None:
        if key.strip():
            self.work.run(self._store_key(name, key.strip()), _keyring_failed)

    async def _store_key(self, name: str, key: str) -> None:
        secrets = await asyncio.to_thread(self._secrets)
        await asyncio.to_thread(secrets.set, name, key)
        if secrets.persistent:
            self.keyMessage.emit(self.tr("The API key for {name} is stored in the system keyring.").format(name=name),
                                 "info")
        else:
            self.keyMessage.emit(self.tr("No system keyring is available: the key for {name} is kept only until "
                                         "the app quits.").format(name=name), "error")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Base URL"), self.tr("Model")])
        self.add_button.setText(self.tr("Add server"))
        self.remove_button.setText(self.tr("Remove"))
        self.key_button.setText(self.tr("Set API key…"))
        self.hint.setText(self.tr("OpenAI-compatible servers: DeepSeek's API, vLLM, SGLang or llama.cpp. "
                                  "With a remote server, your messages leave this computer."))


def _keyring_failed() -> str:
    return QCoreApplication.translate("EndpointsEditor", "The system keyring could not be changed.")
