"""Things a service wants the user to know once, e.g. "the settings file was damaged and moved aside".

A service collects them while it works (often at start-up, before any window exists); the UI takes
them with ``take_notices()`` and shows each one once, translated by its message id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import error_text


@dataclass(frozen=True)
class Notice:
    message_id: str
    params: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """The English line (CLI, logs); the GUI translates ``message_id`` itself."""
        return error_text(self.message_id, self.params)


class NoticeBox:
    """The list a service keeps until the UI takes it."""

    def __init__(self) -> None:
        self._pending: list[Notice] = []

    def add(self, message_id: str, **params: object) -> None:
        self._pending.append(Notice(message_id, {k: str(v) for k, v in params.items()}))

    def take(self) -> list[Notice]:
        out, self._pending = self._pending, []
        return out
