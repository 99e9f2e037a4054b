"""Help > About: the version, the licences of the app and of what it is built on, and the folders where
the app keeps its data, settings and log (each with a button that opens it in the file manager)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core.licences import APP_LICENCE, COMPONENTS, installed_version
from ..core.paths import AppPaths
from .screen_fit import ScreenFit


class AboutDialog(QDialog):
    @classmethod
    def show_for(cls, window: QWidget, paths: AppPaths) -> AboutDialog:
        """One About window per main window; raised if it is open."""
        dialog = window.findChild(cls, "aboutDialog")
        if dialog is None:
            dialog = cls(paths, window)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.paths = paths
        self.screen_fit = ScreenFit(self, QSize(640, 560))
        self.title = QLabel(self)
        self.title.setObjectName("sectionHeading")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.folders: dict[str, tuple[QLabel, QLabel, QPushButton, Path]] = {}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, (key, path) in enumerate((("data", paths.data_dir), ("config", paths.config_dir),
                                           ("log", paths.log_dir))):
            name, shown = QLabel(self), QLabel(str(path), self)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            button = QPushButton(self)
            button.clicked.connect(lambda _checked=False, p=path: self.open_folder(p))
            name.setBuddy(button)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(shown, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
            self.folders[key] = (name, shown, button, path)
        self.parts_heading = QLabel(self)
        self.table = QTableWidget(len(COMPONENTS), 3, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, component in enumerate(COMPONENTS):
            version = installed_version(component)
            for col, text in enumerate((component.name, version or "–", component.licence)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, col, item)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(grid)
        layout.addWidget(self.parts_heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()

    def open_folder(self, path: Path) -> bool:
        """Show ``path`` in the file manager (made first: the log folder exists only once something was logged)."""
        path.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("About DeepSeek Desktop"))
        self.title.setText(self.tr("DeepSeek Desktop {version}").format(version=__version__))
        self.summary.setText(self.tr(
            "Chat with DeepSeek models on this computer, on a server of your own or through DeepSeek's API. Free "
            "software under the {licence} licence. Your conversations, settings and models stay in the folders "
            "below.").format(licence=APP_LICENCE))
        names = {"data": self.tr("Data (conversations, models):"), "config": self.tr("Settings:"),
                 "log": self.tr("Log:")}
        for key, (name, _shown, button, _path) in self.folders.items():
            name.setText(names[key])
            button.setText(self.tr("Open"))
            button.setAccessibleName(self.tr("Open the folder: {folder}").format(folder=names[key].rstrip(":")))
        self.parts_heading.setText(self.tr("Built on:"))
        self.table.setHorizontalHeaderLabels([self.tr("Part"), self.tr("Version"), self.tr("Licence")])
        self.table.setAccessibleName(self.tr("The parts the app is built on, with their licences"))
