"""The engine host process. ``python -m deepseek_desktop.engine_host``.

One thread (the main thread) owns the model: it loads and generates. A reader thread takes messages off
stdin; ``cancel`` and ``ping`` are handled there at once, everything else is queued for the model thread.
stdout carries only protocol frames: file descriptor 1 is pointed at stderr, so a C library that prints
cannot corrupt the stream.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
import traceback
from typing import Any, BinaryIO

from ..core.errors import DeepSeekError, EngineError
from ..core.events import LoadProgress, to_dict
from ..core.requests import ChatRequest, load_params_from_dict
from ..engines.registry import create_engine
from .protocol import ProtocolError, encode, read_frame

log = logging.getLogger("deepseek_desktop.engine_host")


class Host:
    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._write_lock = threading.Lock()
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._cancels: dict[int, threading.Event] = {}
        self._cancels_lock = threading.Lock()
        self.engine = None
        self.engine_name = ""

    # -- output ---------------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        frame = encode(message)
        with self._write_lock:
            self._out.write(frame)
            self._out.flush()

    # -- reader thread --------------------------------------------------------------------------
    def read_loop(self, stream: BinaryIO) -> None:
        try:
            while True:
                msg = read_frame(stream)
                if msg is None:
                    break
                op = msg.get("op")
                if op == "cancel":
                    self._cancel(msg.get("target"))
                elif op == "ping":
                    self.send({"id": msg.get("id"), "ok": True, "result": {"pid": os.getpid()}})
                elif op == "shutdown":
                    break
                else:
                    if op == "chat":
                        with self._cancels_lock:
                            self._cancels[msg["id"]] = threading.Event()
                    self._inbox.put(msg)
        except (ProtocolError, OSError, ValueError) as exc:
            log.error("control stream broken: %s", exc)
        finally:
            self._cancel(None)  # the app is gone or wants us to stop: end any reply now
            self._inbox.put(None)

    def _cancel(self, target: int | None) -> None:
        with self._cancels_lock:
            events = list(self._cancels.values()) if target is None else [self._cancels.get(target)]
        for ev in events:
            if ev is not None:
                ev.set()

    # -- model thread ---------------------------------------------------------------------------
    def run(self) -> None:
        while True:
            msg = self._inbox.get()
            if msg is None:
                break
            rid = msg.get("id")
            try:
                result = self._handle(msg)
                self.send({"id": rid, "ok": True, "result": result})
            except DeepSeekError as exc:
                log.warning("request %s failed: %s", msg.get("op"), exc)
                self.send({"id": rid, "ok": False, "error": exc.to_dict()})
            except Exception as exc:  # an engine bug must not end the host silently
                log.error("request %s crashed:\n%s", msg.get("op"), traceback.format_exc())
                err = EngineError("engine.generation_failed", f"{type(exc).__name__}: {exc}")
                self.send({"id": rid, "ok": False, "error": err.to_dict()})
            finally:
                with self._cancels_lock:
                    self._cancels.pop(rid, None)
        self._unload()

    def _handle(self, msg: dict[str, Any]) -> dict[str, Any]:
        op, rid = msg.get("op"), msg.get("id")
        if op == "load":
            return self._load(rid, msg.get("engine", ""), msg.get("params", {}))
        if op == "chat":
            return self._chat(rid, msg.get("request", {}))
        if op == "unload":
            self._unload()
            return {}
        raise EngineError("input.invalid", f"unknown operation {op!r}", what=op)

    def _load(self, rid: int, engine_name: str, params: dict[str, Any]) -> dict[str, Any]:
        self._unload()
        load_params = load_params_from_dict(params)
        log.info("loading %s with %s", engine_name, load_params.redacted())
        engine = create_engine(engine_name)

        def progress(fraction: float) -> None:
            self.send({"id": rid, "event": to_dict(LoadProgress(round(float(fraction), 4)))})

        info = engine.load(load_params, progress)
        self.engine, self.engine_name = engine, engine_name
        return info

    def _chat(self, rid: int, request: dict[str, Any]) -> dict[str, Any]:
        if self.engine is None:
            raise EngineError("model.none_loaded")
        with self._cancels_lock:
            cancel = self._cancels.setdefault(rid, threading.Event())
        for event in self.engine.chat(ChatRequest.from_dict(request), cancel):
            self.send({"id": rid, "event": to_dict(event)})
        return {}

    def _unload(self) -> None:
        if self.engine is not None:
            log.info("unloading %s", self.engine_name)
            try:
                self.engine.unload()
            finally:
                self.engine, self.engine_name = None, ""
                give_memory_back()


def give_memory_back() -> None:
    """Unloading means the memory is back. Measured (bench/bench_host_memory.py): after 250 chats the idle
    host held ~140 MiB of Python objects in reference cycles that no later allocation triggers a collection
    for, and glibc kept ~46 MiB of freed heap; raw llama-cpp-python behaves the same, so it is no leak."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl): nothing to trim
            pass


def report_devices(out: BinaryIO) -> int:
    """``--devices``: load ggml's backends, write their devices as one JSON line, end."""
    import json

    from ..engines.ggml_backends import engine_devices

    report = engine_devices()
    out.write((json.dumps(report.to_dict()) + "\n").encode("utf-8"))
    out.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=os.environ.get("DEEPSEEK_DESKTOP_HOST_LOG", "INFO"),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Ctrl+C in a terminal reaches the whole process group; the app decides when the host ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from C code go to stderr, not into the protocol stream
    sys.stdout = sys.stderr
    if argv[:1] == ["--devices"]:
        return report_devices(out)
    host = Host(out)
    reader = threading.Thread(target=host.read_loop, args=(sys.stdin.buffer,), name="control", daemon=True)
    reader.start()
    log.info("engine host %d ready", os.getpid())
    host.run()
    return 0
