"""A small Hugging Face Hub on 127.0.0.1 for download tests: the routes huggingface_hub calls, real bytes.

Routes (as the Hub answers them, and GitHub its release files):
  GET  /api/models/{owner}/{name}[/revision/{rev}]   model_info; with ?blobs=true sizes, blob ids, LFS sha256
  HEAD/GET /{owner}/{name}/resolve/{rev}/{path}      the file, with Range support (206 + Content-Range)
  HEAD/GET /{owner}/{name}/releases/download/{tag}/{file}   a release's file (GPU packs), the same way

Misbehaviour on demand, to test the client's answers: ``throttle`` (bytes per second), ``drop_after``
(close the connection after that many body bytes, for the next ``drop_times`` GETs), ``corrupt``
(serve different bytes than the listed hash), ``refuse`` (403 GatedRepo), ``ignore_range`` (200 and
the whole file although a Range was asked for), ``trickle`` (one body byte every that many seconds),
``silent_after_headers`` (the headers, then nothing until the client hangs up), ``extra_body`` (that many
bytes more than the file, counted in Content-Length or, with ``extra_declared=False``, sent without one
until the connection closes), ``html_page`` (200 and a web page in place of any file). ``requests`` logs
every request with its Range header; ``body_requested`` is set at each file GET.
"""

from __future__ import annotations

import hashlib
import json
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LFS_MIN = 1024  # files at least this big are served as LFS files (sha256 in the listing)
CHUNK = 64 * 1024


@dataclass
class HubFile:
    name: str
    source: Path | bytes
    corrupt: bool = False

    @property
    def size(self) -> int:
        return len(self.source) if isinstance(self.source, bytes) else self.source.stat().st_size

    @property
    def lfs(self) -> bool:
        return self.size >= LFS_MIN

    def read(self, start: int, end: int) -> bytes:
        if isinstance(self.source, bytes):
            return self.source[start:end]
        with open(self.source, "rb") as fh:
            fh.seek(start)
            return fh.read(end - start)


@dataclass
class Behaviour:
    throttle: int | None = None  # bytes per second for file bodies
    drop_after: int | None = None
    drop_times: int = 0
    refuse: set[str] = field(default_factory=set)
    ignore_range: bool = False  # answer 200 with the whole file, as some CDNs do
    trickle: float | None = None  # seconds between single body bytes
    silent_after_headers: bool = False
    extra_body: int = 0
    extra_declared: bool = True
    html_page: bool = False


class HubServer:
    def __init__(self) -> None:
        self.repos: dict[str, dict[str, HubFile]] = {}
        self.releases: dict[str, dict[str, HubFile]] = {}  # "owner/name@tag" -> files
        self.behaviour = Behaviour()
        self.requests: list[tuple[str, str, str | None]] = []
        self._hashes: dict[tuple[str, str], tuple[str, str]] = {}
        self._lock = threading.Lock()
        self.body_requested = threading.Event()
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add_repo(self, repo: str, files: dict[str, Path | bytes], corrupt: tuple[str, ...] = ()) -> None:
        self.repos[repo] = {name: HubFile(name, src, name in corrupt) for name, src in files.items()}
        for f in self.repos[repo].values():
            self._hashes[(repo, f.name)] = _hashes(f)

    def add_release(self, repo: str, tag: str, files: dict[str, Path | bytes], corrupt: tuple[str, ...] = ()) -> str:
        """Files of a release; returns the URL they are under (what the app's GPU packs URL points to)."""
        key = f"{repo}@{tag}"
        self.releases[key] = {name: HubFile(name, src, name in corrupt) for name, src in files.items()}
        for f in self.releases[key].values():
            self._hashes[(key, f.name)] = _hashes(f)
        return f"{self.url}/{repo}/releases/download/{tag}"

    def start(self) -> HubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def hashes(self, repo: str, name: str) -> tuple[str, str]:
        """(sha256, git blob sha1) of the true content."""
        return self._hashes[(repo, name)]

    def ranges(self) -> list[str | None]:
        return [r for method, path, r in self.requests
                if method == "GET" and ("/resolve/" in path or "/releases/download/" in path)]

    def listing(self, repo: str, blobs: bool) -> dict:
        siblings = []
        for f in self.repos[repo].values():
            entry: dict = {"rfilename": f.name}
            if blobs:
                sha256, sha1 = self._hashes[(repo, f.name)]
                entry.update(size=f.size, blobId=sha1)
                if f.lfs:
                    entry["lfs"] = {"size": f.size, "sha256": sha256, "pointerSize": 134}
            siblings.append(entry)
        return {"_id": repo, "id": repo, "modelId": repo, "sha": COMMIT, "private": False,
                "tags": ["gguf"], "siblings": siblings}


_HASH_CACHE: dict[tuple[str, int, int], tuple[str, str]] = {}


def _hashes(f: HubFile) -> tuple[str, str]:
    if isinstance(f.source, Path):  # the Gemma file is served by many tests: hash it once
        st = f.source.stat()
        key = (str(f.source), st.st_size, st.st_mtime_ns)
        if key not in _HASH_CACHE:
            _HASH_CACHE[key] = _compute_hashes(f)
        return _HASH_CACHE[key]
    return _compute_hashes(f)


def _compute_hashes(f: HubFile) -> tuple[str, str]:
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(usedforsecurity=False)
    sha1.update(b"blob %d\0" % f.size)
    pos = 0
    while pos < f.size:
        block = f.read(pos, min(f.size, pos + 8 * 1024 * 1024))
        sha256.update(block)
        sha1.update(block)
        pos += len(block)
    return sha256.hexdigest(), sha1.hexdigest()


_API = re.compile(r"^/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?/?$")
_RESOLVE = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")
_RELEASE = re.compile(r"^/([^/]+/[^/]+)/releases/download/([^/]+)/([^/]+)$")


def _handler_for(hub: HubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            self._serve(body=True)

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def _serve(self, body: bool) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            with hub._lock:
                hub.requests.append((self.command, path, self.headers.get("Range")))
            if m := _API.match(path):
                repo = m.group(1)
                if repo in hub.behaviour.refuse:
                    return self._error(403, "GatedRepo", "Access to this model is restricted.")
                if repo not in hub.repos:
                    return self._error(404, "RepoNotFound", "Repository not found")
                data = json.dumps(hub.listing(repo, "blobs=true" in (parts.query or ""))).encode()
                return self._send(200, {"Content-Type": "application/json"}, data if body else b"",
                                  length=len(data))
            if m := _RESOLVE.match(path):
                repo, _rev, name = m.groups()
                if repo in hub.behaviour.refuse:
                    return self._error(403, "GatedRepo", "Access to this model is restricted.")
                if repo not in hub.repos:
                    return self._error(404, "RepoNotFound", "Repository not found")
                f = hub.repos[repo].get(name)
                if f is None:
                    return self._error(404, "EntryNotFound", "Entry not found")
                return self._file(repo, f, body)
            if m := _RELEASE.match(path):
                key = f"{m.group(1)}@{m.group(2)}"
                f = hub.releases.get(key, {}).get(m.group(3))
                if f is None:
                    return self._error(404, "", "Not Found")
                return self._file(key, f, body)
            return self._error(404, "", "Not found")

        def _file(self, repo: str, f: HubFile, body: bool) -> None:
            b = hub.behaviour
            if body:
                hub.body_requested.set()
            if b.html_page:
                page = b"<!doctype html><html><body><h1>Sign in to continue</h1></body></html>\n"
                return self._send(200, {"Content-Type": "text/html; charset=utf-8"}, page if body else b"",
                                  length=len(page))
            sha256, sha1 = hub.hashes(repo, f.name)
            etag = sha256 if f.lfs else sha1
            start, end, status = 0, f.size, 200
            rng = self.headers.get("Range")
            if rng and not hub.behaviour.ignore_range and (m := re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())):
                start = int(m.group(1))
                end = int(m.group(2)) + 1 if m.group(2) else f.size
                status = 206
                if start >= f.size:
                    return self._send(416, {"Content-Range": f"bytes */{f.size}"}, b"", length=0)
            headers = {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes",
                       "ETag": f'"{etag}"', "X-Repo-Commit": COMMIT}
            if f.lfs:
                headers.update({"X-Linked-Etag": f'"{sha256}"', "X-Linked-Size": str(f.size)})
            if status == 206:
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{f.size}"
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if b.extra_body and not b.extra_declared:
                self.send_header("Connection", "close")  # the body ends when the connection does
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(end - start + b.extra_body))
            self.end_headers()
            if not body:
                return
            self.wfile.flush()
            if b.silent_after_headers:
                return self._silence()
            if b.trickle:
                return self._trickle(f, start, end)
            drop_at = None
            with hub._lock:
                b = hub.behaviour
                if b.drop_after is not None and b.drop_times > 0:
                    b.drop_times -= 1
                    drop_at = start + b.drop_after
            pos = start
            while pos < end:
                if drop_at is not None and pos >= drop_at:
                    self._drop()
                    return
                stop = min(end, pos + CHUNK, drop_at if drop_at is not None and drop_at > pos else end)
                block = f.read(pos, stop)
                if f.corrupt and pos <= f.size // 2 < stop:
                    i = f.size // 2 - pos
                    block = block[:i] + bytes([block[i] ^ 0xFF]) + block[i + 1:]
                try:
                    self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):
                    return
                pos = stop
                if hub.behaviour.throttle:
                    time.sleep(len(block) / hub.behaviour.throttle)
            extra = b.extra_body
            while extra > 0:
                try:
                    self.wfile.write(b"\0" * min(extra, CHUNK))
                except (BrokenPipeError, ConnectionResetError):
                    return
                extra -= CHUNK

        def _client_gone(self, wait: float) -> bool:
            """Whether the client hung up (or the server is stopping), waiting at most ``wait`` seconds."""
            if hub.stopping.is_set():
                return True
            readable, _, _ = select.select([self.connection], [], [], wait)
            if not readable:
                return hub.stopping.is_set()
            try:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                return True

        def _silence(self) -> None:
            while not self._client_gone(0.2):
                pass
            self.close_connection = True

        def _trickle(self, f: HubFile, start: int, end: int) -> None:
            for pos in range(start, end):
                try:
                    self.wfile.write(f.read(pos, pos + 1))
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return
                if self._client_gone(hub.behaviour.trickle or 0):
                    self.close_connection = True
                    return

        def _drop(self) -> None:
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.close_connection = True

        def _error(self, status: int, code: str, message: str) -> None:
            data = json.dumps({"error": message}).encode()
            headers = {"Content-Type": "application/json", "X-Error-Message": message}
            if code:
                headers["X-Error-Code"] = code
            self._send(status, headers, data if self.command != "HEAD" else b"", length=len(data))

        def _send(self, status: int, headers: dict[str, str], data: bytes, length: int) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if data:
                self.wfile.write(data)

    return Handler


def main() -> None:
    """Serve files from the command line: ``python tests/hub_server.py owner/repo FILE...`` (for trying
    the CLI by hand against a local Hub)."""
    import sys

    hub = HubServer()
    hub.add_repo(sys.argv[1], {Path(p).name: Path(p) for p in sys.argv[2:]})
    hub.start()
    print(hub.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        hub.stop()


if __name__ == "__main__":
    main()
