"""One file's bytes from the Hub, read so that no server can hold a download hostage.

huggingface_hub's ``http_get`` blocks in a socket read for as long as its timeout (10 s) and retries five
times: a Hub that sends headers and then nothing held the download (and Ctrl+C) for about 50 s, and one
that sends a byte a second held it forever. Here a thread of its own does the HTTP and hands each piece
over a small queue; the download's thread waits on that queue a quarter of a second at a time, so it sees
a cancel at once and keeps the clock of the minimum-speed rule (curl's ``--speed-limit``/``--speed-time``):
less than ``StallRule.min_rate`` bytes a second over ``StallRule.window`` seconds is a stall, retried with
a Range request, and after ``StallRule.retries`` stalls a clear ``download.stalled``. Giving up on a
request shuts its socket down, which ends the reading thread's blocked read at once.

What a response may be is checked before a byte of it is written: no more than the listing's size (a
body that goes past it is stopped there and refused), and not a web page in place of the file.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..errors import DownloadError
from ..progress import Meter
from ..storage import format_bytes

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
POLL = 0.25  # how often the download's thread looks at the cancel event and the clock
MAX_DROPS = 5  # connections cut without a byte in between, as huggingface_hub allowed
RETRY_WAIT = 1.0
_ERROR_BODY_MAX = 64 * 1024
_QUEUE_PIECES = 16  # pieces in flight between the two threads (at most 64 KiB each from httpcore)


@dataclass(frozen=True)
class StallRule:
    """Less than ``min_rate`` bytes per second, measured over ``window`` seconds, is a stall (the wait for
    the response's headers included); a file gives up after ``retries`` stalls."""

    min_rate: int = 1024
    window: float = 30.0
    retries: int = 3


class _Stalled(Exception):
    pass


class _Dropped(Exception):
    """The body ended before its end (the connection was cut)."""


def fetch(url: str, writer: Any, *, have: int, size: int, headers: dict[str, str], name: str, meter: Meter,
          cancel: threading.Event | None, rule: StallRule) -> None:
    """Append bytes ``have``..``size`` of the file at ``url`` to ``writer`` (a ``HashingWriter`` positioned at
    its end). Raises ``Cancelled``, ``DownloadError`` (stalled, too large, not the file) and what httpx and
    huggingface_hub raise for the rest (``hub_errors`` translates those)."""
    import httpx2

    stalls = drops = 0
    with _client() as client:
        while have < size or (have == size == 0):
            start = have
            try:
                have = _one_response(client, url, writer, have, size, headers, name, meter, cancel, rule)
                if have >= size:
                    return
                raise _Dropped(f"the body ended at {have} of {size} bytes")
            except _Stalled as exc:
                stalls += 1
                log.warning("download of %s stalled (%s), %d of %d stalls allowed", name, exc, stalls, rule.retries)
                if stalls > rule.retries:
                    raise DownloadError("download.stalled", str(exc), partial_kept=True, file=name,
                                        rate=format_bytes(rule.min_rate), seconds=f"{rule.window:g}") from None
            except (_Dropped, httpx2.TransportError) as exc:
                have = writer.tell()
                drops = 0 if have > start else drops + 1
                log.warning("download of %s cut at %d of %d bytes (%s), try %d of %d", name, have, size, exc,
                            drops, MAX_DROPS)
                if drops > MAX_DROPS:
                    if isinstance(exc, _Dropped):
                        raise DownloadError("download.interrupted", str(exc), partial_kept=True, file=name) from None
                    raise
            have = writer.tell()
            if cancel is not None and cancel.wait(RETRY_WAIT):
                meter.check_cancel()
            elif cancel is None:
                time.sleep(RETRY_WAIT)


def _client():
    import httpx2

    # A client per file: its fresh connections announce their sockets (the trace below), so that a
    # request given up on can be cut at once, also before its headers came.
    return httpx2.Client(follow_redirects=True, trust_env=True)


def _one_response(client, url: str, writer: Any, have: int, size: int, headers: dict[str, str], name: str,
                  meter: Meter, cancel: threading.Event | None, rule: StallRule) -> int:
    """One GET from ``have`` on; returns how much of the file is on disk after it."""
    request_headers = dict(headers)
    if have:
        request_headers["Range"] = f"bytes={have}-"
    reader = _Reader(client, url, request_headers, rule)
    clock = _SpeedClock(rule)
    try:
        kind, response = _next(reader, clock, meter, cancel)
        if kind != "head":
            raise AssertionError(kind)
        have, remaining = _accept(response, writer, have, size, name, meter)
        start = have
        while True:
            kind, piece = _next(reader, clock, meter, cancel)
            if kind == "end":
                return have
            if len(piece) > remaining:
                # Not a byte past the listed size: what this response wrote is taken back and it is refused.
                writer.truncate(start)
                meter.add(start - have)
                raise DownloadError("download.too_large", f"more than the {remaining} bytes left of {size}",
                                    partial_kept=start > 0, file=name, size=format_bytes(size))
            writer.write(piece)
            have += len(piece)
            remaining -= len(piece)
            clock.add(len(piece))
            meter.add(len(piece))  # raises Cancelled
    finally:
        reader.stop()


def _next(reader: _Reader, clock: _SpeedClock, meter: Meter, cancel: threading.Event | None) -> tuple[str, Any]:
    """The reading thread's next item; meanwhile the cancel event and the speed rule are watched."""
    while True:
        try:
            kind, value = reader.items.get(timeout=POLL)
        except queue.Empty:
            kind, value = "", None
        if cancel is not None and cancel.is_set():
            meter.check_cancel()
        if kind == "error":
            raise value
        if kind:
            return kind, value
        clock.check()


def _accept(response, writer: Any, have: int, size: int, name: str, meter: Meter) -> tuple[int, int]:
    """Check the status and headers; returns (bytes of the file on disk, bytes this body may bring)."""
    from huggingface_hub.utils import hf_raise_for_status

    if response.status_code >= 400:
        hf_raise_for_status(response)
    if response.status_code not in (200, 206):
        raise DownloadError("download.failed", f"HTTP {response.status_code} for {name}", partial_kept=have > 0,
                            file=name)
    if have and response.status_code == 200:
        # The server ignored the Range header: the file starts again, and so does its hash.
        log.info("the server ignored the Range request for %s; starting it again", name)
        writer.truncate(0)
        meter.add(-have)
        have = 0
    if response.status_code == 206:
        first = _range_start(response.headers.get("Content-Range", ""))
        if first != have:
            raise DownloadError("download.failed", f"asked for bytes from {have}, got Content-Range "
                                f"{response.headers.get('Content-Range')!r}", partial_kept=have > 0, file=name)
    remaining = size - have
    encoded = response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
    length = _content_length(response)
    web_page = response.headers.get("Content-Type", "").lower().startswith(("text/html", "application/xhtml"))
    wants_page = name.lower().endswith((".html", ".htm"))
    if length is not None and not encoded:
        if length > remaining:
            raise DownloadError("download.too_large", f"Content-Length {length}, {remaining} bytes left of {size}",
                                partial_kept=have > 0, file=name, size=format_bytes(size))
        if response.status_code == 200 and length != size:
            raise DownloadError("download.not_the_file", f"HTTP 200 with {length} bytes of "
                                f"{response.headers.get('Content-Type')!r}, the listing says {size}",
                                partial_kept=False, file=name)
    elif web_page and not wants_page:
        raise DownloadError("download.not_the_file", f"a web page ({response.headers.get('Content-Type')!r}) "
                            "without a length", partial_kept=have > 0, file=name)
    return have, remaining


def _content_length(response) -> int | None:
    try:
        value = int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _range_start(content_range: str) -> int | None:
    # "bytes 100-199/200"
    unit, _, rest = content_range.strip().partition(" ")
    first = rest.partition("-")[0]
    return int(first) if unit == "bytes" and first.isdigit() else None


class _SpeedClock:
    """The minimum-speed rule over windows of ``rule.window`` seconds, from the request on."""

    def __init__(self, rule: StallRule) -> None:
        self.rule = rule
        self.start = time.monotonic()
        self.bytes = 0

    def add(self, n: int) -> None:
        self.bytes += n
        self.check()

    def check(self) -> None:
        elapsed = time.monotonic() - self.start
        if elapsed < self.rule.window:
            return
        if self.bytes < self.rule.min_rate * elapsed:
            raise _Stalled(f"{self.bytes} bytes in {elapsed:.1f} s")
        self.start, self.bytes = time.monotonic(), 0


class _Reader:
    """The HTTP request on a thread of its own: ("head", response), then ("data", bytes)... and ("end", None),
    or ("error", exception). ``stop`` lets it go at once, its socket shut down."""

    def __init__(self, client, url: str, headers: dict[str, str], rule: StallRule) -> None:
        import httpx2

        self.items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_QUEUE_PIECES)
        self._stopped = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        # The read timeout only ends a thread that was let go before its connection announced a socket:
        # the rule above judges the speed.
        timeout = httpx2.Timeout(connect=CONNECT_TIMEOUT, read=rule.window + 5, write=CONNECT_TIMEOUT,
                                 pool=CONNECT_TIMEOUT)
        self._thread = threading.Thread(target=self._run, args=(client, url, headers, timeout),
                                        name="download-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                if self._stopped.is_set():
                    _shut(sock)

    def _run(self, client, url: str, headers: dict[str, str], timeout) -> None:
        import httpx2

        try:
            with client.stream("GET", url, headers=headers, timeout=timeout,
                               extensions={"trace": self._trace}) as response:
                if response.status_code >= 400:
                    body = b""
                    for piece in response.iter_bytes():
                        body += piece
                        if len(body) >= _ERROR_BODY_MAX or self._stopped.is_set():
                            break
                    response = httpx2.Response(response.status_code, headers=response.headers,
                                               content=body[:_ERROR_BODY_MAX], request=response.request)
                    self._put("head", response)
                    return
                self._put("head", response)
                for piece in response.iter_bytes():
                    if self._stopped.is_set():
                        return
                    if piece:
                        self._put("data", piece)
                self._put("end", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the download's thread
            if not self._stopped.is_set():
                self._put("error", exc)

    def _put(self, kind: str, value: Any) -> None:
        while not self._stopped.is_set():
            try:
                self.items.put((kind, value), timeout=POLL)
                return
            except queue.Full:
                continue


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket (whose shutdown would drop its TLS state under
    # the reading thread's feet): the blocked read returns at once.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
