"""System / Light / Dark: Qt's colour scheme (Fusion style) plus a small style sheet for the chat."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ...core.markdown.render import Theme
from .indicator_style import OUTLINES, OutlinedStyle

_SHEET = """
#userMessage {{ background-color: {user_bg}; border-radius: 10px; }}
#assistantMessage {{ background-color: transparent; }}
#roleLabel {{ font-weight: bold; }}
#statsLabel {{ color: {muted}; font-size: 11px; }}
#thinkingFrame {{ border-left: 3px solid {border}; }}
#thinkingBody {{ color: {muted}; }}
#messageAction {{ color: {muted}; }}
#emptyChat {{ color: {muted}; font-size: 15px; }}
#banner {{ background-color: {banner_bg}; border-bottom: 1px solid {border}; }}
#fitBadge {{ border-radius: 8px; padding: 2px 8px; color: white; }}
#sidebar QListWidget {{ border: 1px solid transparent; border-radius: 4px; }}
#sidebar QListWidget:focus {{ border: 1px solid palette(highlight); }}
QPlainTextEdit {{ border: 1px solid {frame}; border-radius: 3px; }}
QPlainTextEdit:focus {{ border: 1px solid {focus}; }}
#chatView {{ border: 1px solid transparent; }}
#chatView:focus {{ border: 1px solid palette(highlight); }}
"""


def apply_theme(app: QApplication, choice: str) -> Theme:
    """``choice`` is "system", "light" or "dark". Returns the markdown theme matching the result."""
    style = app.style()
    if not isinstance(style, OutlinedStyle):  # once: a new style re-polishes every widget of the app
        style = OutlinedStyle("Fusion")  # Fusion follows the colour scheme on every platform
        app.setStyle(style)  # the application takes ownership
    scheme = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(choice, Qt.ColorScheme.Unknown)
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+
        hints.setColorScheme(scheme)
    # Not every platform theme follows the hint (offscreen, older desktops): an explicit palette does.
    if choice == "dark":
        app.setPalette(_dark_palette())
    elif choice == "light":
        app.setPalette(_light_palette(style))
    else:
        app.setPalette(QPalette())
    dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    style.set_colors(*OUTLINES["dark" if dark else "light"])
    theme = Theme(dark=dark)
    sheet = _SHEET.format(
        user_bg="#2b3440" if dark else "#eef3f9",
        muted=theme.muted,
        border=theme.code_border,
        frame=OUTLINES["dark" if dark else "light"][0],
        focus=OUTLINES["dark" if dark else "light"][1],
        banner_bg="#233142" if dark else "#fff8e1",
    )
    if sheet != app.styleSheet():
        app.setStyleSheet(sheet)
    return theme


def _light_palette(style) -> QPalette:
    """Fusion's light colours, with a selection and placeholder text dark enough to read (4.5:1)."""
    p = style.standardPalette()
    p.setColor(QPalette.ColorRole.Highlight, QColor(LIGHT["highlight"]))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(LIGHT["placeholder"]))
    return p


LIGHT = {"highlight": "#2a6cb0", "placeholder": "#595959"}


def _dark_palette() -> QPalette:
    p = QPalette()
    role, c = QPalette.ColorRole, QColor
    colors = {
        role.Window: c("#1f2329"), role.WindowText: c("#e6e9ed"), role.Base: c("#181b20"),
        role.AlternateBase: c("#23272e"), role.ToolTipBase: c("#2b3038"), role.ToolTipText: c("#e6e9ed"),
        role.Text: c("#e6e9ed"), role.Button: c("#2a2f37"), role.ButtonText: c("#e6e9ed"),
        role.BrightText: c("#ff6b6b"), role.Link: c("#6cb6ff"), role.Highlight: c("#3d6fb4"),
        role.HighlightedText: c("#ffffff"), role.PlaceholderText: c("#9ba3ad"),
    }
    for r, col in colors.items():
        p.setColor(r, col)
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, r, c("#6e7681"))
    return p
