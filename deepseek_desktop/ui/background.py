"""Background work on the asyncio loop that reports its failure (after Anki's ``CollectionOp``/``QueryOp``).

A bare ``asyncio.ensure_future`` loses an exception to "Task exception was never retrieved" in the log,
and the user sees nothing. Every coroutine the window starts goes through ``BackgroundWork.run``: it keeps
the task alive (asyncio holds tasks only weakly), logs a failure with its traceback, and emits one
translated line on ``failed`` for the window's notice bar.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from ..core.errors import DeepSeekError
from .error_text import describe

log = logging.getLogger(__name__)

# What failed, as a translated line; called only when it did (so it is translated in the current language).
FailureText = Callable[[], str]


class BackgroundWork(QObject):
    failed = Signal(str)  # one translated line for the user

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task] = set()

    def run(self, coro: Coroutine[Any, Any, Any], what: FailureText | None = None,
            on_failure: Callable[[BaseException], None] | None = None) -> asyncio.Task:
        """Start ``coro``. On failure: log it, then either ``on_failure(exc)`` shows it where it belongs,
        or ``failed`` reports it: a ``DeepSeekError`` says itself what went wrong, ``what`` is the line
        for anything else.
        """
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._done(t, what, on_failure))
        return task

    def _done(self, task: asyncio.Task, what: FailureText | None, on_failure) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        name = getattr(task.get_coro(), "__qualname__", "?")
        log.error("background work %s failed: %s", name, exc, exc_info=exc)
        if on_failure is not None:
            on_failure(exc)
        else:
            self.failed.emit(failure_line(exc, what))

    @property
    def running(self) -> int:
        return sum(1 for t in self._tasks if not t.done())


def failure_line(exc: BaseException, what: FailureText | None = None) -> str:
    if isinstance(exc, DeepSeekError):
        return describe(exc)
    if what is not None:
        return what()
    return QCoreApplication.translate("Errors", "Something went wrong; the details are in the log.")
