"""What failed in the main window, in one translated line each (called only when it did, so in the language
of that moment)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def list_failed() -> str:
    return QCoreApplication.translate("MainWindow", "The list of conversations could not be read.")


def open_failed() -> str:
    return QCoreApplication.translate("MainWindow", "The conversation could not be opened.")


def rename_failed() -> str:
    return QCoreApplication.translate("MainWindow", "The conversation could not be renamed.")


def delete_failed() -> str:
    return QCoreApplication.translate("MainWindow", "The conversation could not be deleted.")


def undo_failed() -> str:
    return QCoreApplication.translate("MainWindow", "The conversation could not be restored.")


def system_prompt_failed() -> str:
    return QCoreApplication.translate("MainWindow", "The system prompt could not be saved.")


def models_failed() -> str:
    return QCoreApplication.translate("MainWindow", "The list of models could not be read.")
