"""One editor widget per setting type, built from the schema; each reports a new value via ``changed``."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ...core.settings.schema import SettingSpec, SettingType


class DecimalSpinBox(QDoubleSpinBox):
    """Takes "0.5" and "0,5" alike, whatever the language (a German user may type either)."""

    def _normal(self, text: str) -> str:
        point = self.locale().decimalPoint()
        other = "," if point == "." else "."
        return text.replace(other, point)

    def validate(self, text: str, pos: int) -> object:
        return super().validate(self._normal(text), pos)

    def valueFromText(self, text: str) -> float:  # noqa: N802
        return super().valueFromText(self._normal(text))

    def fixup(self, text: str) -> str:
        return super().fixup(self._normal(text))


def tr_setting(text: str) -> str:
    return QCoreApplication.translate("Settings", text) if text else ""


class Field(QObject):
    """Binds one schema entry to one editor widget."""

    changed = Signal(str, object)  # key, value

    def __init__(self, spec: SettingSpec, value, parent: QWidget, default_path: str = "") -> None:
        super().__init__(parent)
        self.spec = spec
        self._default_path = default_path
        self.widget = self._build(parent)
        self.set_value(value)

    def _emit(self, value) -> None:
        if not self._setting:
            self.changed.emit(self.spec.key, value)

    def _build(self, parent: QWidget) -> QWidget:
        s, t = self.spec, self.spec.type
        self._setting = False
        if t is SettingType.BOOL:
            w = QCheckBox(parent)
            w.toggled.connect(self._emit)
        elif t is SettingType.INT:
            w = QSpinBox(parent)
            w.setRange(int(s.minimum if s.minimum is not None else -2**31), int(s.maximum or 2**31 - 1))
            w.setSingleStep(int(s.step or 1))
            w.valueChanged.connect(self._emit)
        elif t is SettingType.FLOAT:
            w = DecimalSpinBox(parent)
            w.setKeyboardTracking(False)  # saved on Enter and on leaving the field, not per keystroke
            step = s.step or 0.1
            w.setDecimals(max(0, len(f"{step:g}".split(".")[1]) if "." in f"{step:g}" else 0))
            w.setRange(s.minimum if s.minimum is not None else -1e9, s.maximum if s.maximum is not None else 1e9)
            w.setSingleStep(step)
            w.valueChanged.connect(self._emit)
        elif t is SettingType.TEXT:
            w = QPlainTextEdit(parent)
            w.setFixedHeight(100)
            w.textChanged.connect(lambda: self._emit(w.toPlainText()))
        elif t is SettingType.CHOICE:
            w = QComboBox(parent)
            for c in s.choices:
                w.addItem(tr_setting(c.label), c.value)
            w.currentIndexChanged.connect(lambda i: self._emit(w.itemData(i)))
        elif t is SettingType.DEVICE:
            w = QComboBox(parent)
            self._devices: list[tuple[str, str]] = []  # (device name, label) as the engine lists them
            self._fill_devices(w, "auto")
            w.currentIndexChanged.connect(lambda i: self._emit(w.itemData(i)))
        elif t is SettingType.PATH:
            w = QWidget(parent)
            row = QHBoxLayout(w)
            row.setContentsMargins(0, 0, 0, 0)
            self._line = QLineEdit(w)
            self._line.setPlaceholderText(self._default_path)
            self._line.editingFinished.connect(lambda: self._emit(self._line.text().strip()))
            self._browse = QPushButton(w)
            self._browse.clicked.connect(self._choose_folder)
            row.addWidget(self._line, 1)
            row.addWidget(self._browse)
        else:  # STRING
            w = QLineEdit(parent)
            w.editingFinished.connect(lambda: self._emit(w.text()))
        self._apply_minimum_label(w)
        return w

    def set_devices(self, devices: list[tuple[str, str]]) -> None:
        """The engine's devices (name, label) beside Automatic and the processor."""
        self._devices = list(devices)
        self._setting = True
        try:
            self._fill_devices(self.widget, self.widget.currentData() or "auto")
        finally:
            self._setting = False

    def _fill_devices(self, w: QComboBox, current: str) -> None:
        w.clear()
        w.addItem(QCoreApplication.translate("Settings", "Automatic"), "auto")
        w.addItem(QCoreApplication.translate("Settings", "Processor (CPU)"), "cpu")
        for name, label in self._devices:
            w.addItem(f"{name}: {label}", name)
        if w.findData(current) < 0:  # chosen earlier, not listed now (the engine has not answered, or it is gone)
            w.addItem(QCoreApplication.translate("Settings", "{device} (not found)").format(device=current), current)
        w.setCurrentIndex(w.findData(current))

    def _apply_minimum_label(self, w: QWidget) -> None:
        if isinstance(w, (QSpinBox, QDoubleSpinBox)) and self.spec.minimum_label:
            w.setSpecialValueText(tr_setting(self.spec.minimum_label))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.widget, tr_setting(self.spec.label),
                                                  self._line.text() or self._default_path)
        if folder:
            self._line.setText(folder)
            self._emit(folder)

    def set_value(self, value) -> None:
        self._setting = True
        w, t = self.widget, self.spec.type
        try:
            if t is SettingType.BOOL:
                w.setChecked(bool(value))
            elif t in (SettingType.INT, SettingType.FLOAT):
                w.setValue(value)
            elif t is SettingType.TEXT:
                if w.toPlainText() != value:
                    w.setPlainText(value)
            elif t is SettingType.CHOICE:
                w.setCurrentIndex(max(0, w.findData(value)))
            elif t is SettingType.DEVICE:
                self._fill_devices(w, value)
            elif t is SettingType.PATH:
                self._line.setText(value)
            else:
                w.setText(value)
        finally:
            self._setting = False

    def retranslate(self) -> None:
        w = self.widget
        if isinstance(w, (QSpinBox, QDoubleSpinBox)) and w.locale() != QLocale():
            w.setLocale(QLocale())  # the language changed: "0.5" becomes "0,5" at once
        self.widget.setToolTip(tr_setting(self.spec.help))
        # The form's label sits in another widget than the editor: name the editor itself.
        (self._line if self.spec.type is SettingType.PATH else w).setAccessibleName(tr_setting(self.spec.label))
        if isinstance(w, QComboBox) and self.spec.type is SettingType.DEVICE:
            self._setting = True
            try:
                self._fill_devices(w, w.currentData() or "auto")
            finally:
                self._setting = False
        elif isinstance(w, QComboBox):
            for i, c in enumerate(self.spec.choices):
                w.setItemText(i, tr_setting(c.label))
        if self.spec.type is SettingType.PATH:
            self._browse.setText(QCoreApplication.translate("SettingsDialog", "Choose…"))
        self._apply_minimum_label(w)
