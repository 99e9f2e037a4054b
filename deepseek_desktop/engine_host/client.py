"""Asyncio client for the engine host, shared by the CLI and the GUI.

The host runs as a child process. Two reader threads (frames on stdout, log lines on stderr) hand
everything to the event loop with ``call_soon_threadsafe``, so the client works on any asyncio loop,
qasync's included, and the loop's thread never blocks on the pipe.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, replace
from typing import Any

from ..core.errors import EngineCrashed, error_from_dict
from ..core.events import Event, LoadProgress, ReasoningDelta, Stats, TextDelta, event_from_dict
from ..core.requests import ChatRequest, LoadParams
from .protocol import ProtocolError, encode, read_frame

log = logging.getLogger("deepseek_desktop.engine_host.client")



class _Result:
    """The final answer to a request, as it travels through a queue after the request's events."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def host_command() -> list[str]:
    """How to start the host: the module under Python, or the frozen app with a flag."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--engine-host"]
    return [sys.executable, "-m", "deepseek_desktop.engine_host"]


class EngineHostClient:
    """Start, talk to, and restart one engine host process.

    Every exit listener (``add_exit_listener``; ``on_exit`` in the constructor adds one) is called on the
    loop as ``listener(crash: EngineCrashed | None)`` when the host ends: with the crash for an unexpected
    end, with None after ``stop()``.
    """

    def __init__(
        self,
        command: list[str] | None = None,
        env: dict[str, str] | None = None,
        stderr_lines: int = 60,
        on_exit: Callable[[EngineCrashed | None], None] | None = None,
    ) -> None:
        self._command = command or host_command()
        self._env = env
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=stderr_lines)
        self._proc: subprocess.Popen[bytes] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[int, asyncio.Queue[Any] | asyncio.Future[Any]] = {}
        self._chats: set[int] = set()
        self._ids = itertools.count(1)
        self._stopping = False
        self._write_lock = threading.Lock()
        self._exit_listeners: list[Callable[[EngineCrashed | None], None]] = []
        if on_exit is not None:
            self.add_exit_listener(on_exit)
        self.last_crash: EngineCrashed | None = None

    def add_exit_listener(self, listener: Callable[[EngineCrashed | None], None]) -> None:
        """Call ``listener(crash)`` whenever the host ends (``crash`` is None after ``stop()``)."""
        self._exit_listeners.append(listener)

    def remove_exit_listener(self, listener: Callable[[EngineCrashed | None], None]) -> None:
        if listener in self._exit_listeners:
            self._exit_listeners.remove(listener)

    # -- life cycle -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def stderr_tail(self) -> str:
        return "\n".join(self._stderr_tail)

    async def start(self) -> None:
        """Start the host and wait until it answers."""
        if self.running:
            return
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._stderr_tail.clear()
        env = dict(os.environ if self._env is None else self._env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window on Windows
        proc = subprocess.Popen(
            self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, creationflags=flags,
        )
        self._proc = proc
        err_thread = threading.Thread(target=self._read_stderr, args=(proc,), name="host-stderr", daemon=True)
        err_thread.start()
        threading.Thread(
            target=self._read_stdout, args=(proc, err_thread), name="host-stdout", daemon=True
        ).start()
        await self._request({"op": "ping"})

    async def stop(self, timeout: float = 3.0) -> None:
        """Ask the host to finish, then make sure it is gone."""
        proc = self._proc
        if proc is None:
            return
        self._stopping = True
        with contextlib.suppress(OSError, ValueError):
            self._write({"op": "shutdown"})
            proc.stdin.close()  # type: ignore[union-attr]
        try:
            await asyncio.wait_for(asyncio.to_thread(proc.wait), timeout)
        except TimeoutError:
            log.warning("engine host %d did not stop, killing it", proc.pid)
            proc.kill()
            await asyncio.to_thread(proc.wait)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def kill(self) -> None:
        """Kill the host at once (used on app exit when it does not answer)."""
        if self._proc and self._proc.poll() is None:
            self._proc.kill()

    # -- requests -------------------------------------------------------------------------------
    async def load(
        self, engine: str, params: LoadParams, on_progress: Callable[[float], None] | None = None
    ) -> dict[str, Any]:
        """Load a model in the host (replacing any loaded one). Returns facts about the model."""
        if not self.running:
            await self.start()
        rid = next(self._ids)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._pending[rid] = queue
        try:
            self._send_or_crash({"op": "load", "id": rid, "engine": engine, "params": asdict(params)})
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, _Result):
                    return item.value
                if isinstance(item, LoadProgress) and on_progress:
                    on_progress(item.fraction)
        finally:
            self._pending.pop(rid, None)

    async def unload(self) -> None:
        if self.running:
            await self._request({"op": "unload"})

    async def ping(self) -> dict[str, Any]:
        return await self._request({"op": "ping"})

    def new_id(self) -> int:
        """A request id to pass to ``chat``, so the caller can ``cancel`` exactly that reply."""
        return next(self._ids)

    async def chat(self, request: ChatRequest, rid: int | None = None) -> AsyncIterator[Event]:
        """Stream the reply. Raises ``EngineCrashed`` if the host dies, or the engine's typed error.

        ``Stats.ttft_ms`` is replaced by the time this client saw the first token, so it includes
        the trip through the host's pipe.
        """
        if not self.running:
            raise self.last_crash or EngineCrashed("the engine host is not running")
        rid = next(self._ids) if rid is None else rid
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._pending[rid] = queue
        self._chats.add(rid)
        finished = False
        sent_at = time.perf_counter()
        first_at: float | None = None
        try:
            self._send_or_crash({"op": "chat", "id": rid, "request": request.to_dict()})
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    finished = True
                    raise item
                if isinstance(item, _Result):
                    finished = True
                    return
                if first_at is None and isinstance(item, (TextDelta, ReasoningDelta)):
                    first_at = time.perf_counter()
                if isinstance(item, Stats) and first_at is not None:
                    item = replace(item, ttft_ms=round((first_at - sent_at) * 1000.0, 2))
                yield item
        finally:
            self._chats.discard(rid)
            self._pending.pop(rid, None)
            if not finished:  # the caller stopped listening: stop generating too
                self.cancel(rid)

    def cancel(self, rid: int | None = None) -> None:
        """Stop the reply ``rid`` (default: every reply in progress). Returns at once."""
        targets = list(self._chats) if rid is None else [rid]
        for target in targets:
            with contextlib.suppress(OSError, ValueError):
                self._write({"op": "cancel", "target": target})

    @property
    def busy(self) -> bool:
        return bool(self._chats)

    async def _request(self, message: dict[str, Any]) -> Any:
        rid = next(self._ids)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        try:
            self._send_or_crash({**message, "id": rid})
            return await fut
        finally:
            self._pending.pop(rid, None)

    # -- plumbing -------------------------------------------------------------------------------
    def _write(self, message: dict[str, Any]) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise OSError("engine host not running")
        frame = encode(message)
        with self._write_lock:
            proc.stdin.write(frame)
            proc.stdin.flush()

    def _send_or_crash(self, message: dict[str, Any]) -> None:
        """Send a request, or fail it at once: an answer to a request that was never sent never comes."""
        try:
            self._write(message)
        except (OSError, ValueError) as exc:
            # The pipe is closed: the host is gone or going (the stdout reader logs its last words).
            log.info("engine host pipe closed: %s", exc)
            raise EngineCrashed(f"cannot send to the engine host: {exc}") from None

    def _read_stdout(self, proc: subprocess.Popen[bytes], err_thread: threading.Thread) -> None:
        assert proc.stdout is not None
        try:
            while True:
                frame = read_frame(proc.stdout)
                if frame is None:
                    break
                self._post(self._dispatch, frame)
        except (ProtocolError, OSError, ValueError) as exc:
            log.error("engine host sent garbage: %s", exc)
            proc.kill()
        returncode = proc.wait()
        err_thread.join(timeout=2.0)  # so the crash report has the host's last words
        self._post(self._on_exit, proc, returncode)

    def _read_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for raw in iter(proc.stderr.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                self._stderr_tail.append(line)
                log.debug("host: %s", line)

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(fn, *args)

    def _dispatch(self, frame: dict[str, Any]) -> None:
        target = self._pending.get(frame.get("id", -1))
        if target is None:
            return  # a late frame for a reply nobody listens to any more
        if "event" in frame:
            item: Any = event_from_dict(frame["event"])
        elif frame.get("ok"):
            item = frame.get("result") or {}
        else:
            item = error_from_dict(frame.get("error") or {})
        if isinstance(target, asyncio.Queue):
            target.put_nowait(item if "event" in frame or isinstance(item, BaseException) else _Result(item))
        elif not target.done():
            if isinstance(item, BaseException):
                target.set_exception(item)
            else:
                target.set_result(item)

    def _on_exit(self, proc: subprocess.Popen[bytes], returncode: int) -> None:
        if proc is not self._proc:
            return  # an old host that was replaced
        self._proc = None
        crash = None
        if not self._stopping:
            tail = self.stderr_tail()
            crash = EngineCrashed(tail, returncode)
            self.last_crash = crash
            log.error("engine host exited with %s; last output:\n%s", returncode, tail)
        error = crash or EngineCrashed("the engine host was stopped", returncode)
        for target in list(self._pending.values()):
            if isinstance(target, asyncio.Queue):
                target.put_nowait(error)
            elif not target.done():
                target.set_exception(error)
        self._pending.clear()
        self._chats.clear()
        for listener in list(self._exit_listeners):
            listener(crash)
