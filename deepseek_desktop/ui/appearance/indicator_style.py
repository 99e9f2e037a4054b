"""Fusion with outlines that can be seen: check boxes, radio buttons and input fields.

Fusion draws these outlines a little darker than the window colour, which on a dark window is almost
black on black (about 1.1:1). This style draws them again over Fusion's, in a colour chosen for the
theme (at least 3:1 against the field, WCAG 2.1 non-text contrast), and the keyboard focus in a colour
that stands out as well: two pixels wide on drop-downs, spin boxes and fields, where one pixel of it was
hard to find. Dialog buttons carry no icons: some desktops give Close a dark ✗ that vanished on the dark
theme, and the word says it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QStyleOptionComplex, QWidget

# outline, keyboard focus — per theme; the contrast test reads these
OUTLINES = {"light": ("#767676", "#1f5fa8"), "dark": ("#8b949e", "#6cb6ff")}

_PE = QStyle.PrimitiveElement
_ST = QStyle.StateFlag
_OUTLINED = (_PE.PE_IndicatorCheckBox, _PE.PE_IndicatorRadioButton, _PE.PE_FrameLineEdit, _PE.PE_Frame)


class OutlinedStyle(QProxyStyle):
    def __init__(self, base: str = "Fusion") -> None:
        super().__init__(base)
        self.outline = QColor(OUTLINES["light"][0])
        self.focus = QColor(OUTLINES["light"][1])

    def set_colors(self, outline: str, focus: str) -> None:
        self.outline, self.focus = QColor(outline), QColor(focus)

    def styleHint(self, hint, option=None, widget=None, return_data=None) -> int:  # noqa: N802
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, return_data)

    def drawPrimitive(self, element, option: QStyleOption, painter: QPainter,  # noqa: N802
                      widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _OUTLINED:
            return
        # a check box or radio button shows the focus only when it came by keyboard; a field always
        keyboard = element in (_PE.PE_FrameLineEdit, _PE.PE_Frame) or bool(option.state & _ST.State_KeyboardFocusChange)
        painter.save()
        painter.setPen(QPen(self._color(option, keyboard), self._width(option, keyboard)))
        painter.setBrush(QColor(0, 0, 0, 0))
        rect = QRectF(option.rect)
        if element == _PE.PE_Frame:
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
        else:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if element == _PE.PE_IndicatorCheckBox:
            painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        elif element == _PE.PE_IndicatorRadioButton:
            center = QPointF(option.rect.center()) + QPointF(1, 1)
            radius = (option.rect.width() + (option.rect.width() + 1) % 2) / 2.0 - 1
            painter.drawEllipse(center, radius, radius)
        elif element == _PE.PE_FrameLineEdit:
            inset = self._width(option, keyboard) / 2
            painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), 2, 2)
        painter.restore()

    def drawComplexControl(self, control, option: QStyleOptionComplex, painter: QPainter,  # noqa: N802
                           widget: QWidget | None = None) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control in (QStyle.ComplexControl.CC_SpinBox, QStyle.ComplexControl.CC_ComboBox) and option.frame:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            width = self._width(option, True)
            painter.setPen(QPen(self._color(option, True), width))
            painter.setBrush(QColor(0, 0, 0, 0))
            inset = width / 2
            painter.drawRoundedRect(QRectF(option.rect).adjusted(inset, inset, -inset, -inset), 2, 2)
            painter.restore()

    @staticmethod
    def _width(option: QStyleOption, keyboard: bool) -> float:
        return 2.0 if bool(option.state & _ST.State_HasFocus) and keyboard else 1.0

    def _color(self, option: QStyleOption, keyboard: bool) -> QColor:
        focused = bool(option.state & _ST.State_HasFocus) and keyboard
        color = QColor(self.focus if focused else self.outline)
        if not option.state & _ST.State_Enabled:
            color.setAlpha(110)
        return color
