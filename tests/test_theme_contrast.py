"""WCAG 2.1 contrast of the real colours of both themes: text 4.5:1 against its background, outlines
and the keyboard focus 3:1 (non-text contrast). The colours come from the palettes and style sheets
the app applies; outlines are also read back from what the style actually paints."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
)

from deepseek_desktop.ui.appearance.indicator_style import OUTLINES
from deepseek_desktop.ui.appearance.theme import apply_theme
from deepseek_desktop.ui.model_manager.style import manager_style_sheet
from deepseek_desktop.ui.notice_bar import STYLES, NoticeBar

R = QPalette.ColorRole
TEXT, NON_TEXT = 4.5, 3.0


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a, b) -> float:
    la, lb = sorted((luminance(QColor(a)), luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def over(background: QColor, color: QColor) -> QColor:
    """``color`` (with alpha) painted over an opaque ``background``."""
    a = color.alphaF()
    return QColor.fromRgbF(*(background.getRgbF()[i] * (1 - a) + color.getRgbF()[i] * a for i in range(3)))


@pytest.fixture(params=["light", "dark"])
def theme(request, qapp):
    t = apply_theme(qapp, request.param)
    yield request.param, t
    apply_theme(qapp, "light")


def test_contrast_of_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_text_roles_are_legible(theme, qapp):
    name, t = theme
    p = qapp.palette()
    pairs = {
        "window text": (R.WindowText, R.Window), "field text": (R.Text, R.Base),
        "button text": (R.ButtonText, R.Button), "selected text": (R.HighlightedText, R.Highlight),
        "placeholder in a field": (R.PlaceholderText, R.Base),
        "muted text on the window": (R.PlaceholderText, R.Window),
        "link": (R.Link, R.Window), "link in a field": (R.Link, R.Base), "tooltip": (R.ToolTipText, R.ToolTipBase),
    }
    low = {k: round(contrast(p.color(fg), p.color(bg)), 2) for k, (fg, bg) in pairs.items()}
    assert {k: v for k, v in low.items() if v < TEXT} == {}, name
    window, base = p.color(R.Window), p.color(R.Base)
    for colour in (t.muted, t.link, t.error):  # chat: stats line, links, the error line under a reply
        assert contrast(colour, window) >= TEXT and contrast(colour, base) >= TEXT, (name, colour)


def test_outlines_and_focus_stand_out(theme, qapp):
    name, _t = theme
    p = qapp.palette()
    outline, focus = OUTLINES[name]
    for colour in (outline, focus):
        assert contrast(colour, p.color(R.Base)) >= NON_TEXT, (name, colour)
        assert contrast(colour, p.color(R.Window)) >= NON_TEXT, (name, colour)


def _strongest(image, rect, background: QColor) -> float:
    return max(contrast(image.pixelColor(x, y), background)
               for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1))


@pytest.mark.parametrize("kind", [QCheckBox, QRadioButton])
def test_an_unchecked_indicator_is_painted_with_a_visible_outline(theme, qapp, qtbot, kind):
    name, _t = theme
    box = kind("Option")
    qtbot.addWidget(box)
    box.resize(box.sizeHint())
    image = box.grab().toImage()
    option = QStyleOptionButton()
    option.initFrom(box)
    element = (QStyle.SubElement.SE_CheckBoxIndicator if kind is QCheckBox
               else QStyle.SubElement.SE_RadioButtonIndicator)
    rect = box.style().subElementRect(element, option, box)
    assert _strongest(image, rect, qapp.palette().color(R.Base)) >= NON_TEXT, name
    assert _strongest(image, rect, qapp.palette().color(R.Window)) >= NON_TEXT, name


@pytest.mark.parametrize("kind", [QLineEdit, QDoubleSpinBox, QComboBox, QPlainTextEdit])
def test_an_input_field_has_a_visible_border(theme, qapp, qtbot, kind):
    name, _t = theme
    field = kind()
    qtbot.addWidget(field)
    field.resize(200, 40)
    image = field.grab().toImage()
    y = image.height() // 2
    left_edge = [image.pixelColor(x, y) for x in range(0, 3)]
    assert max(contrast(c, qapp.palette().color(R.Base)) for c in left_edge) >= NON_TEXT, (name, kind)
    assert max(contrast(c, qapp.palette().color(R.Window)) for c in left_edge) >= NON_TEXT, (name, kind)


def test_the_keyboard_focus_ring_stands_out(theme, qapp, qtbot):
    name, _t = theme
    field = QLineEdit()
    qtbot.addWidget(field)
    field.resize(200, 40)
    field.show()
    field.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    image = field.grab().toImage()
    edge = [image.pixelColor(x, image.height() // 2) for x in range(0, 3)]
    focus = QColor(OUTLINES[name][1])
    assert min(contrast(c, focus) for c in edge) < 1.2, "the ring is painted in the focus colour"
    assert max(contrast(c, qapp.palette().color(R.Base)) for c in edge) >= NON_TEXT, name


@pytest.mark.parametrize("kind", sorted(STYLES))
def test_notice_text_and_close_button_are_legible(theme, qapp, qtbot, kind):
    name, _t = theme
    bar = NoticeBar()
    qtbot.addWidget(bar)
    bar.show_message("Something to say", kind)
    light_bg, light_fg, dark_bg, dark_fg = STYLES[kind]
    bg, fg = (dark_bg, dark_fg) if name == "dark" else (light_bg, light_fg)
    assert contrast(fg, bg) >= TEXT
    button = bar.close_button
    assert button.text() == "✕"
    assert button.palette().color(button.foregroundRole()) == QColor(fg), "the ✕ has the notice's text colour"
    image = button.grab().toImage()
    assert _strongest(image, image.rect(), QColor(bg)) >= NON_TEXT, "the ✕ as painted"


def test_the_selected_model_keeps_legible_text(theme, qapp):
    name, _t = theme
    p = qapp.palette()
    sheet = manager_style_sheet(p)
    found = re.search(r"#modelList::item:selected \{ background-color: rgba\((\d+), (\d+), (\d+), (\d+)\)", sheet)
    assert found, sheet
    r, g, b, a = (int(v) for v in found.groups())
    selected = over(p.color(R.Base), QColor(r, g, b, a))
    assert contrast(p.color(R.WindowText), selected) >= TEXT, name  # the model's name
    assert contrast(p.color(R.PlaceholderText), selected) >= TEXT, name  # size, purpose, context


def test_a_drop_down_with_the_keyboard_focus_has_a_two_pixel_ring(theme, qapp, qtbot):
    """One pixel of the focus colour around a drop-down was hard to find: the ring is two pixels wide."""
    from PySide6.QtCore import Qt

    name, _t = theme
    combo = QComboBox()
    combo.addItems(["Deutsch", "English"])
    qtbot.addWidget(combo)
    combo.resize(200, 30)
    combo.show()
    combo.activateWindow()
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(combo.hasFocus)
    image = combo.grab().toImage()
    focus = QColor(OUTLINES[name][1])
    y = image.height() // 2
    ring = [x for x in range(0, 4) if contrast(image.pixelColor(x, y), focus) < 1.3]
    assert len(ring) >= 2, (name, [image.pixelColor(x, y).name() for x in range(4)])


def test_dialog_buttons_carry_no_icons(qapp):
    """Some desktops give dialog buttons icons (a dark ✗ on Close that vanished on the dark theme): the
    app's style says no."""
    from PySide6.QtWidgets import QDialogButtonBox

    apply_theme(qapp, "dark")
    try:
        assert qapp.style().styleHint(QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons) == 0
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close | QDialogButtonBox.StandardButton.Ok)
        assert all(b.icon().isNull() for b in box.buttons())
        box.deleteLater()
    finally:
        apply_theme(qapp, "light")
