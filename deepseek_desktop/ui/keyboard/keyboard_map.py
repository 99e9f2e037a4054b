"""Help > Keyboard shortcuts: the table of ``shortcuts.SHORTCUTS``, in the window's language."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.paths import AppPaths
from ..about import AboutDialog
from ..screen_fit import ScreenFit
from .shortcuts import SHORTCUTS, WHERE, key_text, translated


class KeyboardMapDialog(QDialog):
    @classmethod
    def show_for(cls, window: QWidget) -> KeyboardMapDialog:
        """One keyboard map per window; raised if it is open."""
        dialog = window.findChild(cls, "keyboardMap")
        if dialog is None:
            dialog = cls(window)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyboardMap")
        self.screen_fit = ScreenFit(self, QSize(880, 560))
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(len(SHORTCUTS), 3, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        # a long action wraps in its row (a small screen has no room for it on one line)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.table.setFocus()

    def rows(self) -> list[tuple[str, str, str]]:
        """(keys, what they do, where) as shown."""
        return [tuple(self.table.item(r, c).text() for c in range(3)) for r in range(self.table.rowCount())]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.intro.setText(self.tr("Every control can be reached with Tab; the one with the focus is outlined."))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action"), self.tr("Where")])
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        for row, shortcut in enumerate(SHORTCUTS):
            for col, text in enumerate(
                (key_text(shortcut), translated(shortcut.text), translated(WHERE[shortcut.where]))
            ):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, col, item)


class HelpMenu(QMenu):
    """The main window's Help menu (the keyboard shortcuts, About); it relabels itself when the language
    changes. ``paths``: the app's folders, which About shows."""

    def __init__(self, window: QMainWindow, keys_action: QAction, paths: AppPaths) -> None:
        super().__init__(window.menuBar())
        self.setObjectName("helpMenu")
        self.keys_action = keys_action
        self.addAction(keys_action)
        self.addSeparator()
        self.about_action = QAction(self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)  # in the application menu on macOS
        self.about_action.triggered.connect(lambda: AboutDialog.show_for(window, paths))
        self.addAction(self.about_action)
        window.menuBar().addMenu(self)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Help"))
        self.keys_action.setText(self.tr("&Keyboard shortcuts"))
        self.about_action.setText(self.tr("&About DeepSeek Desktop"))
