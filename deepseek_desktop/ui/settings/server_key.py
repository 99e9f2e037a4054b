"""The local server's API key: set or removed from the settings, kept in the OS keyring, never shown."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...core.secrets import LOCAL_SERVER_KEY
from ..background import BackgroundWork


class ServerKeyRow(QWidget):
    """"Set API key…" and "Remove" with a line saying whether a key is stored and where."""

    keyMessage = Signal(str, str)  # text, kind: for the dialog's notice bar

    def __init__(self, secrets_provider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._secrets = secrets_provider  # () -> SecretStore; keyring calls run off the GUI thread
        self.work = BackgroundWork(self)
        self.work.failed.connect(lambda text: self.keyMessage.emit(text, "error"))
        self.has_key: bool | None = None  # None until the keyring has been asked
        self.persistent = True
        self.key_prompt: QInputDialog | None = None
        self.set_button = QPushButton(self)
        self.set_button.clicked.connect(self._ask)
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(lambda: self.work.run(self._store("")))
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.state.setObjectName("statsLabel")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.state)
        self.retranslate()
        self.work.run(self._look())

    async def _look(self) -> None:
        secrets = await asyncio.to_thread(self._secrets)
        self.persistent = await asyncio.to_thread(lambda: secrets.persistent)
        self.has_key = bool(await asyncio.to_thread(secrets.get, LOCAL_SERVER_KEY))
        self.retranslate()

    def _ask(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("API key"))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        if self.persistent:
            dialog.setLabelText(self.tr("The key other programs must send (Authorization: Bearer …). It is kept "
                                        "in the system keyring:"))
        else:
            dialog.setLabelText(self.tr("The key other programs must send. No system keyring is available: the "
                                        "key is kept only until the app quits."))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda key: key.strip() and self.work.run(self._store(key.strip())))
        self.key_prompt = dialog
        dialog.open()

    async def _store(self, key: str) -> None:
        secrets = await asyncio.to_thread(self._secrets)
        if key:
            await asyncio.to_thread(secrets.set, LOCAL_SERVER_KEY, key)
        else:
            await asyncio.to_thread(secrets.delete, LOCAL_SERVER_KEY)
        await self._look()
        self.keyMessage.emit(self.tr("The local server's API key is stored.") if key
                             else self.tr("The local server's API key is removed."), "info")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.set_button.setText(self.tr("Set API key…"))
        self.remove_button.setText(self.tr("Remove key"))
        self.remove_button.setEnabled(bool(self.has_key))
        if self.has_key is None:
            self.state.setText("")
        elif self.has_key:
            self.state.setText(self.tr("A key is set. Requests from other computers must send it."))
        else:
            self.state.setText(self.tr("No key is set: the server can only listen on this computer (127.0.0.1)."))
