"""Help > Keyboard shortcuts: the table of ``shortcuts.SHORTCUTS``, in the window's language."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
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
        self.resize(880, 560)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.table = QTableWidget(len(SHORTCUTS), 3, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line a shortcut: the dialog is wide enough
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
    """The main window's Help menu; it relabels itself when the language changes."""

    def __init__(self, window: QMainWindow, keys_action: QAction) -> None:
        super().__init__(window.menuBar())
        self.setObjectName("helpMenu")
        self.keys_action = keys_action
        self.addAction(keys_action)
        window.menuBar().addMenu(self)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setTitle(self.tr("&Help"))
        self.keys_action.setText(self.tr("&Keyboard shortcuts"))
