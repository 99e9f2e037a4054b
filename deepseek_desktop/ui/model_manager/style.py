"""The model manager's style sheet, made from the palette so it suits the light and the dark theme."""

from __future__ import annotations

from PySide6.QtGui import QPalette


def manager_style_sheet(pal: QPalette) -> str:
    muted = pal.color(QPalette.ColorRole.PlaceholderText).name()
    mid = pal.color(QPalette.ColorRole.Mid).name()
    card = pal.color(QPalette.ColorRole.AlternateBase).name()
    link = pal.color(QPalette.ColorRole.Link).name()
    hl = pal.color(QPalette.ColorRole.Highlight)
    selected = f"rgba({hl.red()}, {hl.green()}, {hl.blue()}, 60)"  # a tint: the entry's text stays legible
    return f"""
        #card {{ background-color: {card}; border: 1px solid {mid}; border-radius: 8px; }}
        #card QLabel {{ background: transparent; }}
        #sectionHeading {{ font-weight: 600; }}
        #detailTitle {{ font-size: 18px; font-weight: 600; }}
        #entryName, #quantName, #downloadTitle {{ font-weight: 600; }}
        #mutedLabel {{ color: {muted}; }}
        #emptyState {{ color: {muted}; font-size: 14px; }}
        #purposeChip {{ color: {muted}; border: 1px solid {mid}; border-radius: 9px; padding: 1px 8px; }}
        #recommendedTag {{ color: {link}; font-weight: 600; }}
        #folderPanel, #downloadsPanel {{ border-top: 1px solid {mid}; }}
        #modelList {{ border: 1px solid {mid}; border-radius: 6px; }}
        #modelList::item {{ border-bottom: 1px solid {card}; }}
        #modelList::item:selected {{ background-color: {selected}; }}
    """
