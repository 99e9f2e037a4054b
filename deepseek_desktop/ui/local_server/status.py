"""The local server in the status bar (on, its address, replies running and waiting) and a small view of
the recent requests: time, client, model, tokens, duration, status. Never their content."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..fit_text import elapsed_text
from ..screen_fit import ScreenFit
from .controller import LocalServerController

MAX_ROWS = 200


class RequestLogView(QDialog):
    def __init__(self, server: LocalServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("localServerLog")
        self.table = QTableWidget(0, 6, self)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.screen_fit = ScreenFit(self, QSize(640, 320))
        for entry in server.requests.entries:
            self.add(entry)
        server.logged.connect(self.add)
        self.retranslate()

    def add(self, entry) -> None:
        row = self.table.rowCount()
        if row >= MAX_ROWS:
            self.table.removeRow(0)
            row -= 1
        self.table.insertRow(row)
        tokens = f"{entry.prompt_tokens} + {entry.completion_tokens}"
        cells = (
            time.strftime("%H:%M:%S", time.localtime(entry.time)),
            entry.client,
            entry.model or "–",
            tokens,
            elapsed_text(entry.duration_ms),
            str(entry.status),
        )
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if col >= 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, col, item)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Local server: recent requests"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Client"),
                self.tr("Model"),
                self.tr("Tokens"),
                self.tr("Duration"),
                self.tr("Status"),
            ]
        )


class ServerStatusWidget(QWidget):
    def __init__(self, server: LocalServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.server = server
        self.label = QLabel(self)
        self.label.setObjectName("localServerStatus")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_button = QToolButton(self)
        self.log_button.setAutoRaise(True)
        self.log_button.clicked.connect(self.show_log)
        self.log_view: RequestLogView | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.log_button)
        server.changed.connect(self.retranslate)
        self.retranslate()

    def show_log(self) -> RequestLogView:
        if self.log_view is None:
            self.log_view = RequestLogView(self.server, self.window())
        self.log_view.show()
        self.log_view.raise_()
        return self.log_view

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        s = self.server
        self.setVisible(s.running)
        self.log_button.setText(self.tr("Requests"))
        if not s.running:
            self.label.setText("")
            return
        self.label.setText(
            self.tr("API server on {address} · {running} running, {waiting} waiting").format(
                address=s.address, running=s.replies_running, waiting=s.replies_waiting
            )
        )
        self.label.setToolTip(
            self.tr("OpenAI: {openai}\nOllama: {ollama}").format(
                openai=s.address, ollama=s.ollama_address or self.tr("off")
            )
        )


def attach_local_server(window) -> LocalServerController:
    """Build the server's controller and its status bar part for ``window`` (a ``MainWindow``)."""
    server = LocalServerController(window.services, window.engine, window)
    window.statusBar().addPermanentWidget(ServerStatusWidget(server, window))
    server.failed.connect(lambda text: window.notices.show_message(text, "error"))
    server.work.failed.connect(lambda text: window.notices.show_message(text, "error"))
    return server
