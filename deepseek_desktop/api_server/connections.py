"""Connections the server holds: a bounded number, none idle or slow for long.

A client that opens connections and sends a byte a second (or nothing) must not hold the server's file
descriptors: with macOS's default limit of 256 they would lock everyone else out. So

- at most ``limit`` connections are open; one more gets a 503 with ``Retry-After`` and is closed;
- a connection must send a whole request head within ``head_timeout`` seconds of opening, or of the end of its
  previous reply (the idle time between keep-alive requests), else it is closed;
- a request body must arrive within ``body_timeout`` seconds (408 otherwise, in ``read_body``);
- a streamed reply whose client stops reading for ``write_timeout`` seconds is ended (its generation stops).

A request being answered has no deadline of its own: a long reply may stream for minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

log = logging.getLogger("deepseek_desktop.api_server")
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 2\r\n"
         b"Connection: close\r\nContent-Length: 95\r\n\r\n"
         b'{"error": {"message": "Too many open connections.", "type": "server_error", "code": "too_busy"}}')


@dataclass(frozen=True)
class Limits:
    connections: int = 100
    head_timeout: float = 15.0
    body_timeout: float = 30.0
    write_timeout: float = 60.0


class ConnectionGuard:
    """Counts one server's connections and closes those over the limit or past their deadline."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        # connection (aiohttp's handler) -> (its transport, by when a request head must have come)
        self._deadlines: dict[Any, tuple[Any, float | None]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def open(self) -> int:
        return len(self._deadlines)

    def attach(self, server: web.Server) -> None:
        """Watch ``server``'s connections (its hooks are wrapped; aiohttp has no limit or head timeout)."""
        made, lost = server.connection_made, server.connection_lost

        def connection_made(handler: Any, transport: Any) -> None:
            made(handler, transport)
            if len(self._deadlines) >= self.limits.connections:
                log.warning("refused a connection: %d are open", len(self._deadlines))
                with contextlib.suppress(Exception):
                    transport.write(_BUSY)
                transport.close()
                return
            self._deadlines[handler] = (transport, self._loop_time() + self.limits.head_timeout)
            if self._sweeper is None or self._sweeper.done():
                self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

        def connection_lost(handler: Any, exc: BaseException | None = None) -> None:
            self._deadlines.pop(handler, None)
            lost(handler, exc)

        server.connection_made = connection_made  # type: ignore[method-assign]
        server.connection_lost = connection_lost  # type: ignore[method-assign]

    def request_started(self, request: web.Request) -> None:
        entry = self._deadlines.get(request.protocol)
        if entry is not None:
            self._deadlines[request.protocol] = (entry[0], None)

    def request_finished(self, request: web.Request) -> None:
        entry = self._deadlines.get(request.protocol)
        if entry is not None:
            self._deadlines[request.protocol] = (entry[0], self._loop_time() + self.limits.head_timeout)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep(self) -> None:
        step = min(1.0, self.limits.head_timeout / 4)
        while self._deadlines:
            await asyncio.sleep(step)
            now = self._loop_time()
            for handler, (transport, deadline) in list(self._deadlines.items()):
                if transport.is_closing():
                    self._deadlines.pop(handler, None)
                elif deadline is not None and now > deadline:
                    self._deadlines.pop(handler, None)
                    transport.close()

    @staticmethod
    def _loop_time() -> float:
        return asyncio.get_running_loop().time()
