"""Runs the conversation store on one background thread, in order, so the GUI never waits on disk.

``await runner.call(fn, *args)`` gives the result on the loop; ``runner.submit(fn, *args)`` is for writes
nobody waits for (a streaming flush). One thread keeps the writes in the order they were made.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreRunner:
    def __init__(self, open_store: Callable[[], Any]) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._store_future = self._pool.submit(open_store)  # opening (maybe repairing) happens off the GUI

    @property
    def store(self) -> Any:
        """The store object; only to be touched from functions run by this runner."""
        return self._store_future.result()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self._pool.submit(self._run, fn, args))

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future:
        future = self._pool.submit(self._run, fn, args)
        future.add_done_callback(_log_failure)
        return future

    def _run(self, fn: Callable[..., T], args: tuple) -> T:
        return fn(self.store, *args)

    def close(self, wait: bool = True) -> None:
        """Finish queued writes (the last flush of a reply included), then close the store."""
        def _close(store: Any) -> None:
            close = getattr(store, "close", None)
            if close:
                close()

        try:
            self._pool.submit(self._run, _close, ()).result(timeout=10 if wait else 0)
        except Exception as exc:  # closing must not stop the app from quitting
            log.warning("closing the conversation store: %s", exc)
        self._pool.shutdown(wait=wait)


def _log_failure(future: concurrent.futures.Future) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("store write failed: %s", exc, exc_info=exc)
