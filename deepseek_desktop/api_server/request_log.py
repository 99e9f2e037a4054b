"""The log of recent requests, for the window's log view and the app's log: sizes and figures, never content."""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("deepseek_desktop.api_server")


@dataclass(frozen=True)
class LogEntry:
    time: float
    client: str
    dialect: str
    path: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    duration_ms: float
    status: int
    request_bytes: int


class RequestLog:
    """The last requests, for the window's log view. Sizes and figures only, never content."""

    def __init__(self, size: int = 200) -> None:
        self.entries: collections.deque[LogEntry] = collections.deque(maxlen=size)
        self._listeners: list[Callable[[LogEntry], None]] = []

    def subscribe(self, listener: Callable[[LogEntry], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def add(self, entry: LogEntry) -> None:
        self.entries.append(entry)
        log.info(
            "%s %s %s model=%s status=%d in=%dB tokens=%d+%d %.0fms",
            entry.client,
            entry.dialect,
            entry.path,
            entry.model or "-",
            entry.status,
            entry.request_bytes,
            entry.prompt_tokens,
            entry.completion_tokens,
            entry.duration_ms,
        )
        for listener in list(self._listeners):
            listener(entry)
