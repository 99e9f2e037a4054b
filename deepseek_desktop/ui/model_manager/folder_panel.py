"""The foot of the model manager: where models are kept, how much room (bytes AND file entries) is
left there, another folder, and the RAM-disk switch with what it does (or why it is not available)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QLocale, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QFrame, QGridLayout, QLabel, QPushButton, QWidget

from ...models.storage import SpaceInfo
from ..elided_label import ElidedLabel
from ..fit_text import size_text


class ModelsFolderPanel(QFrame):
    changeRequested = Signal()
    ramDiskToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("folderPanel")
        self.heading = QLabel(self)
        self.heading.setObjectName("sectionHeading")
        self.path_label = ElidedLabel(self)  # a long path is cut in the middle; the whole one is its tooltip
        self.free_label = QLabel(self)
        self.free_label.setObjectName("mutedLabel")
        self.change_button = QPushButton(self)
        self.change_button.clicked.connect(self.changeRequested)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._open)
        self.ramdisk_box = QCheckBox(self)
        self.ramdisk_box.toggled.connect(self._on_toggled)
        self.ramdisk_note = QLabel(self)
        self.ramdisk_note.setObjectName("mutedLabel")
        self.ramdisk_note.setWordWrap(True)  # German and narrow windows: two lines, never cut
        self.free_label.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 10, 12, 12)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.heading, 0, 0)
        grid.addWidget(self.path_label, 0, 1, 1, 2)
        grid.addWidget(self.change_button, 0, 3)
        grid.addWidget(self.open_button, 0, 4)
        grid.addWidget(self.free_label, 1, 1, 1, 4)
        grid.addWidget(self.ramdisk_box, 2, 0, 1, 2)
        grid.addWidget(self.ramdisk_note, 2, 2, 1, 3)
        grid.setColumnStretch(2, 1)
        self.folder = ""
        self.space: SpaceInfo | None = None
        self.space_error = ""
        self.ramdisk: dict[str, object] | None = None
        self._setting = False
        self.retranslate()

    def set_folder(self, folder: str, space: SpaceInfo | None, error: str = "") -> None:
        self.folder, self.space, self.space_error = folder, space, error
        self.retranslate()

    def set_ramdisk(self, enabled: bool, availability: dict[str, object] | None) -> None:
        self.ramdisk = availability
        self._setting = True
        try:
            self.ramdisk_box.setChecked(enabled)
        finally:
            self._setting = False
        self.retranslate()

    def _on_toggled(self, checked: bool) -> None:
        if not self._setting:
            self.ramDiskToggled.emit(checked)

    def _open(self) -> None:
        if self.folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.folder))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Models folder"))
        self.path_label.setText(self.folder or "…")
        self.path_label.setToolTip(self.folder)
        self.change_button.setText(self.tr("Change…"))
        self.change_button.setToolTip(self.tr("Keep models in another folder, e.g. on a bigger drive"))
        self.open_button.setText(self.tr("Open"))
        self.open_button.setToolTip(self.tr("Show the folder in the file manager"))
        self.free_label.setText(self.space_text())
        self.ramdisk_box.setText(self.tr("Load models from a RAM disk"))
        available = bool(self.ramdisk and self.ramdisk.get("available"))
        self.ramdisk_box.setEnabled(available or self.ramdisk_box.isChecked())
        explanation = self.tr("Copies the model into memory before loading it: for a slow or nearly full drive.")
        tip = self.tr("A RAM disk needs free memory as large as the model file, on top of what the model "
                      "itself needs. It is emptied when the app quits.")
        if self.ramdisk is None:
            self.ramdisk_note.setText(explanation)
        elif not available:
            self.ramdisk_note.setText(self.tr("Not available here: {reason}").format(
                reason=self._unavailable_reason()))
        else:
            self.ramdisk_note.setText(explanation)
            room = self.ramdisk.get("free_bytes")
            if isinstance(room, int):
                tip += " " + self.tr("Room for a RAM disk now: {size}.").format(size=size_text(room))
        self.ramdisk_note.setToolTip(tip)
        self.ramdisk_box.setToolTip(tip)

    def space_text(self) -> str:
        if self.space_error:
            return self.space_error
        s = self.space
        if s is None:
            return self.tr("Checking the free space…")
        text = self.tr("{free} free of {total}").format(free=size_text(s.free_bytes), total=size_text(s.total_bytes))
        if s.free_inodes is None:
            return text + " · " + self.tr("no limit on the number of files")
        return text + " · " + self.tr("{inodes} file entries (inodes) free").format(
            inodes=QLocale().toString(s.free_inodes))

    def _unavailable_reason(self) -> str:
        method = (self.ramdisk or {}).get("method")
        if sys.platform == "win32" or method is None:
            return self.tr("Windows needs a third-party driver for a RAM disk.")
        if method == "hdiutil":
            return self.tr("the macOS tool hdiutil was not found.")
        return self.tr("there is no /dev/shm, and mounting a RAM disk needs administrator rights.")
