"""Turn-taking on the one engine host: the chat window and the local API server answer one at a time.

Replies take turns first come, first served. Each reply has a ``Turn``: cancelling it stops that reply
(or takes it out of the line while it waits) and no other, so the window's Stop button never ends an
API client's reply and a client that hangs up never ends the window's. A limit on the line answers
callers that may be refused (the API server) with ``QueueFull`` instead of an ever longer wait.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator, Callable

from ..core.events import Event, Finished
from ..core.requests import ChatRequest
from .client import EngineHostClient


class QueueFull(Exception):
    """The line is full; try again later."""

    def __init__(self, waiting: int) -> None:
        super().__init__(f"{waiting} replies are waiting")
        self.waiting = waiting


class Turn:
    """One reply's place in the line, and the handle to stop it."""

    def __init__(self, owner: str = "") -> None:
        self.owner = owner
        self.cancelled = False
        self._client: EngineHostClient | None = None
        self._rid: int | None = None
        self.waiter: asyncio.Future[None] | None = None  # set while it waits in line

    def attach(self, client: EngineHostClient) -> int:
        """The turn has come: the id of the reply it runs as, so ``cancel`` can stop exactly it."""
        self._client, self._rid = client, client.new_id()
        return self._rid

    def detach(self) -> None:
        self._client = self._rid = None

    def cancel(self) -> None:
        """Stop this reply: out of the line if it waits, the generation stopped if it runs."""
        self.cancelled = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)
        if self._client is not None and self._rid is not None:
            self._client.cancel(self._rid)


class Turns:
    """The line in front of one ``EngineHostClient``. ``on_change(running, waiting)`` tells listeners."""

    def __init__(self, client: EngineHostClient, limit: int = 16) -> None:
        self.client = client
        self.limit = limit
        self._current: Turn | None = None
        self._line: collections.deque[Turn] = collections.deque()
        self._listeners: list[Callable[[int, int], None]] = []

    @property
    def running(self) -> int:
        return 1 if self._current is not None else 0

    @property
    def waiting(self) -> int:
        return len(self._line)

    def subscribe(self, listener: Callable[[int, int], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self.running, self.waiting)

    async def chat(self, request: ChatRequest, turn: Turn | None = None, limited: bool = False) -> AsyncIterator[Event]:
        """Wait for the turn, then stream the reply. ``limited``: raise ``QueueFull`` when the line is
        at its limit. A turn cancelled while it waits yields only ``Finished("cancelled")``."""
        turn = turn or Turn()
        await self._enter(turn, limited)
        try:
            if turn.cancelled:
                yield Finished("cancelled")
                return
            rid = turn.attach(self.client)
            async with contextlib.aclosing(self.client.chat(request, rid=rid)) as events:
                async for event in events:
                    yield event
        finally:
            turn.detach()
            self._leave(turn)

    async def _enter(self, turn: Turn, limited: bool) -> None:
        if self._current is None and not self._line:
            self._current = turn
            self._changed()
            return
        if limited and len(self._line) >= self.limit:
            raise QueueFull(len(self._line))
        turn.waiter = asyncio.get_running_loop().create_future()
        self._line.append(turn)
        self._changed()
        try:
            await turn.waiter
        except asyncio.CancelledError:
            if self._current is turn:  # the turn came just as the caller gave up: pass it on
                self._leave(turn)
            elif turn in self._line:
                self._line.remove(turn)
                self._changed()
            raise
        finally:
            turn.waiter = None
        if self._current is not turn and turn in self._line:  # cancelled while it waited
            self._line.remove(turn)
            self._changed()

    def _leave(self, turn: Turn) -> None:
        if self._current is not turn:
            self._changed()
            return
        self._current = self._line.popleft() if self._line else None
        if self._current is not None and self._current.waiter is not None and not self._current.waiter.done():
            self._current.waiter.set_result(None)
        self._changed()
