"""One window per data folder, and model files that reach it from the desktop.

The first launch takes ``app.lock`` in the data folder and listens on a local socket there. A second
launch (``deepseek-desktop model.gguf``, a double-click in the file manager) finds the lock taken,
hands its files to the socket, and exits; the running window comes to the front and imports them the
way a drop on the window does. macOS delivers Finder double-clicks and Dock drops as QFileOpenEvent
instead of arguments: the same route.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024  # a few hundred paths; anything larger is not one of ours
_UNIX_PATH_MAX = 100  # sockaddr_un holds 108 bytes; stay below it


@dataclass
class Claim:
    """The result of trying to become the one running window."""

    lock: QLockFile | None
    problem: str = ""  # "" (we run), "running" (another window has the folder), "unwritable"
    folder: Path | None = None  # the folder that cannot be written
    reason: str = ""  # the system's words for why


def server_name(data_dir: Path) -> str:
    """The socket in the data folder; a hashed name when the path is too long for a Unix socket
    (Qt then puts it in the temp folder) and on Windows, where local sockets are named pipes."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    path = data_dir / "app.sock"
    if sys.platform != "win32" and len(os.fsencode(path)) < _UNIX_PATH_MAX:
        return str(path)
    return f"deepseek-desktop-{digest}"


def claim_instance(paths) -> Claim:
    """Create the folders, prove the data folder takes a file, then take the lock."""
    try:
        paths.ensure()
        with tempfile.TemporaryFile(dir=paths.data_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        folder = Path(exc.filename) if exc.filename else paths.data_dir
        log.error("cannot write to %s: %s", folder, exc)
        return Claim(None, "unwritable", folder, exc.strerror or str(exc))
    lock = QLockFile(str(paths.data_dir / "app.lock"))
    lock.setStaleLockTime(0)  # a lock left by a crashed instance is taken over (its pid is gone)
    if lock.tryLock(200):
        return Claim(lock)
    if lock.error() == QLockFile.LockError.LockFailedError:
        log.info("another instance holds %s", paths.data_dir / "app.lock")
        return Claim(None, "running")
    log.error("cannot lock %s: %s", paths.data_dir / "app.lock", lock.error())
    return Claim(None, "unwritable", paths.data_dir, os.strerror(13))


def hand_over(name: str, files: list[str], timeout: float = 5.0) -> bool:
    """Send ``files`` to the running window and ask it to come to the front. Blocking, but only in a
    second launch that has no window: it waits for the first one to answer, then exits."""
    message = json.dumps({"open": files, "activate": True}).encode("utf-8") + b"\n"
    deadline = time.monotonic() + timeout
    while True:  # the first instance may hold the lock but not listen yet (it is starting)
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(500):
            break
        if time.monotonic() > deadline:
            log.warning("the running instance does not answer on %s: %s", name, socket.errorString())
            return False
        time.sleep(0.1)
    socket.write(QByteArray(message))
    socket.waitForBytesWritten(1000)
    reply = b""
    while b"\n" not in reply and time.monotonic() < deadline and socket.waitForReadyRead(500):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.startswith(b"ok")


def parse_message(data: bytes) -> tuple[list[Path], bool]:
    """What a second launch sent: a JSON object with the paths to open. Anything else is refused."""
    obj = json.loads(data.decode("utf-8"))
    if not isinstance(obj, dict):
        raise ValueError("not an object")
    files = obj.get("open", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and f and "\0" not in f for f in files):
        raise ValueError("'open' is not a list of paths")
    return [Path(f) for f in files], bool(obj.get("activate", False))


class InstanceLink(QObject):
    """The running window's side: the socket server, the macOS file-open events, and the files that
    arrive before the window exists (they wait for ``attach``)."""

    filesReceived = Signal(list)  # list[Path], for tests and logging

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._window = None
        self._pending: list[Path] = []

    def listen(self) -> bool:
        QLocalServer.removeServer(self.name)  # a socket file left by a crash; we hold the lock
        if not self._server.listen(self.name):
            log.warning("no hand-over socket at %s: %s", self.name, self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    def attach(self, window) -> None:
        """From now on files go to ``window.offer_model_file``; the ones that came early go now."""
        self._window = window
        pending, self._pending = self._pending, []
        for path in pending:
            window.offer_model_file(path)

    def deliver(self, files: list[Path], activate: bool = False) -> None:
        self.filesReceived.emit(list(files))
        if self._window is None:
            self._pending.extend(files)
            return
        if activate or files:
            self._window.bring_to_front()
        for path in files:
            self._window.offer_model_file(path)

    # -- the socket -------------------------------------------------------------------------------
    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._on_ready(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _on_ready(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if b"\n" not in buffer:
            if len(buffer) > MAX_MESSAGE:
                log.warning("hand-over message too long (%d bytes); dropped", len(buffer))
                socket.abort()
            return
        try:
            files, activate = parse_message(bytes(buffer).split(b"\n", 1)[0])
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
            log.warning("hand-over message refused: %s", exc)
            socket.write(QByteArray(b"error\n"))
            socket.disconnectFromServer()
            return
        socket.write(QByteArray(b"ok\n"))
        socket.flush()
        socket.disconnectFromServer()
        log.info("a second launch handed over %d file(s)", len(files))
        self.deliver(files, activate)

    # -- macOS: Finder double-click, Dock drop ----------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FileOpen:
            path = event.file() or event.url().toLocalFile()
            if path:
                self.deliver([Path(path)], activate=True)
            return True
        return super().eventFilter(obj, event)
