"""One translated line for every error message id.

The English texts live once, in ``core.errors.MESSAGES``, marked ``QT_TRANSLATE_NOOP("Errors", ...)``;
here they are translated at display time (so a live language switch takes effect) and then filled in.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..core.errors import MESSAGES, DeepSeekError


def translated_template(message_id: str) -> str:
    """The translated line for ``message_id`` with its ``{placeholders}`` still open; an unknown id as it is."""
    english = MESSAGES.get(message_id)
    if english is None:
        return message_id
    return QCoreApplication.translate("Errors", english)


def error_message(message_id: str, params: dict[str, str] | None = None) -> str:
    text = translated_template(message_id)
    try:
        return text.format(**(params or {}))
    except (KeyError, IndexError, ValueError):  # a placeholder the caller did not give, a stray brace
        return text


def describe(exc: BaseException, *, downloaded: bool = False) -> str:
    """One line for ``exc``. ``downloaded``: the file it is about is one this app downloaded, so an incomplete
    one can be downloaded again (a file from elsewhere is only said to be incomplete)."""
    if isinstance(exc, DeepSeekError):
        message_id = exc.message_id
        if downloaded and message_id == "model.incomplete":
            message_id = "model.incomplete_download"
        return error_message(message_id, exc.params)
    return QCoreApplication.translate("Errors", "Something went wrong: {error}").format(error=exc)
