"""Marks for texts that Qt's ``lupdate`` extracts although core/ may not import Qt.

``QT_TRANSLATE_NOOP("Settings", "Temperature")`` returns the English text unchanged. lupdate finds
the literal call when it scans the file, and the UI translates at display time with
``QCoreApplication.translate("Settings", text)``. Only literal strings work: lupdate reads the source,
it does not run it.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - lupdate looks for this exact name
    return text
