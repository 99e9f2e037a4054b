"""Live language switching: install Qt translators; widgets retranslate on QEvent.LanguageChange."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

LANGUAGES = ("de", "en")


def translations_dir() -> Path:
    return Path(str(resources.files("deepseek_desktop").joinpath("translations")))


def resolve(choice: str) -> str:
    """'system' -> the system's language if we have it, else English."""
    if choice in LANGUAGES:
        return choice
    name = QLocale.system().name()[:2]
    return name if name in LANGUAGES else "en"


class LanguageManager:
    """Owns the app's translators. ``apply`` swaps them; Qt then sends every widget a LanguageChange."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.language = ""

    def apply(self, choice: str) -> str:
        language = resolve(choice)
        if language == self.language:
            return language
        for tr in self._installed:
            self._app.removeTranslator(tr)
        self._installed = []
        ours = QTranslator(self._app)  # English has one too: it holds the plural forms ("1 token")
        if ours.load(f"deepseek_desktop_{language}", str(translations_dir())):
            self._installed.append(ours)
        else:
            log.warning("no translation file for %s in %s", language, translations_dir())
        if language != "en":
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            qt = QTranslator(self._app)
            if qt.load(f"qtbase_{language}", qt_dir):  # standard dialog buttons, context menus
                self._installed.append(qt)
        QLocale.setDefault(QLocale(language))  # before the LanguageChange: widgets read it then
        for tr in self._installed:
            self._app.installTranslator(tr)
        self.language = language
        return language
