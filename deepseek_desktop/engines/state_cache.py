"""Saved conversation states of one loaded model, in memory and on disk, least recently used first out.

Engine-neutral: a state is a token prefix and the engine's bytes for it. ``best`` finds the saved state that
shares the longest prefix with a new prompt (memory first, then the files); ``put`` keeps one in memory and
hands it to a writer thread that writes the file (atomically, see ``core.kv_state_files``) and then trims the
folder to its budget, so the reply never waits on the disk. The engine host is the one process that writes
here for its model; a second app instance at worst replaces a file with its own newer one (renames are
atomic, and every file is checked before use).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import kv_state_files as files

log = logging.getLogger(__name__)

# A saved state is loaded only when it spares at least this many prompt tokens over what the context holds.
MIN_GAIN = 16
# Prompts shorter than this are not worth keeping (an API call with a short question).
MIN_TOKENS = 32


def cache_key(key: str, prompt: Sequence[int]) -> tuple[str, bool]:
    """The key to keep a state under, and whether on disk: a conversation's key (the window's requests) is
    kept on disk too; without one (the API server, the CLI) the state is kept in memory only, under the
    prompt's beginning, since nothing would remove its file with a conversation."""
    if key:
        return key, True
    return "prompt:" + hashlib.sha256(repr(list(prompt[:MIN_TOKENS * 8])).encode()).hexdigest(), False


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


@dataclass
class Candidate:
    """The best saved state for a prompt: its tokens, how many of them the prompt shares, and how to read it."""

    tokens: tuple[int, ...]
    shared: int
    key: str
    read: Callable[[], bytes | None]  # None: the file turned out damaged (and was removed)
    source: str  # "memory" or "disk"


@dataclass
class _Entry:
    tokens: tuple[int, ...]
    data: bytes


class StateCache:
    def __init__(self, folder: Path | None, model_path: str, model_id: bytes, settings_id: bytes,
                 disk_bytes: int, memory_bytes: int) -> None:
        self.folder = folder
        self.model_path = model_path
        self.model_id = model_id
        self.settings_id = settings_id
        self.disk_bytes = disk_bytes
        self.memory_bytes = memory_bytes
        self._memory: OrderedDict[str, _Entry] = OrderedDict()  # key -> state, oldest first
        self._headers: dict[str, tuple[tuple[int, int], files.StateHeader]] = {}  # file name -> (stat, header)
        self._lock = threading.Lock()  # the writer thread and the engine thread share _headers and the folder
        self._pending: dict[str, tuple[tuple[int, ...], bytes]] = {}
        self._wake: queue.Queue[bool] = queue.Queue()
        self._writer: threading.Thread | None = None

    # -- finding ------------------------------------------------------------------------------------
    def best(self, prompt: Sequence[int], have: int) -> Candidate | None:
        """The saved state sharing the longest prefix with ``prompt``, if it spares at least ``MIN_GAIN``
        tokens over the ``have`` the context already shares with it."""
        best: Candidate | None = None
        for key, entry in list(self._memory.items()):
            shared = common_prefix(entry.tokens, prompt)
            if best is None or shared > best.shared:
                best = Candidate(entry.tokens, shared, key, lambda e=entry: e.data, "memory")
        for path, header in self._disk_headers():
            shared = common_prefix(header.tokens, prompt)
            if best is None or shared > best.shared:
                best = Candidate(header.tokens, shared, "", lambda p=path, h=header: self._read(p, h), "disk")
        if best is None or best.shared < have + MIN_GAIN:
            return None
        if best.source == "memory":
            self._memory.move_to_end(best.key)
        return best

    def _disk_headers(self) -> list[tuple[Path, files.StateHeader]]:
        if self.folder is None:
            return []
        pattern = f"{files.model_tag(self.model_path)}-*-{self.settings_id.hex()[:16]}{files.SUFFIX}"
        out = []
        with self._lock:
            try:
                found = sorted(self.folder.glob(pattern))
            except OSError as exc:
                log.warning("the saved states cannot be listed: %s", exc)
                return []
            for path in found:
                try:
                    st = path.stat()
                    stamp = (st.st_mtime_ns, st.st_size)
                    known = self._headers.get(path.name)
                    if known is None or known[0] != stamp:
                        known = (stamp, files.read_header(path, self.model_id, self.settings_id))
                        self._headers[path.name] = known
                    out.append((path, known[1]))
                except FileNotFoundError:
                    self._headers.pop(path.name, None)
                except (OSError, files.StateFileError) as exc:
                    self._discard(path, exc)
        return out

    def _read(self, path: Path, header: files.StateHeader) -> bytes | None:
        with self._lock:
            try:
                data = files.read_data(path, header)
            except FileNotFoundError:
                self._headers.pop(path.name, None)
                return None
            except (OSError, files.StateFileError) as exc:
                self._discard(path, exc)
                return None
            try:
                os.utime(path)  # used: the newest for the budget's least-recently-used order
            except OSError:
                pass
            return data

    def _discard(self, path: Path, why: object) -> None:
        log.warning("saved state %s ignored and removed: %s", path.name, why)
        self._headers.pop(path.name, None)
        try:
            path.unlink()
        except OSError as exc:
            log.warning("could not remove %s: %s", path.name, exc)

    def forget(self, candidate: Candidate) -> None:
        """The engine refused this state: never offer it again."""
        if candidate.source == "memory":
            self._memory.pop(candidate.key, None)
            return
        for path, header in self._disk_headers():
            if header.tokens == candidate.tokens:
                with self._lock:
                    self._discard(path, "the engine refused it")

    # -- keeping ------------------------------------------------------------------------------------
    def put(self, key: str, tokens: Sequence[int], data: bytes, persist: bool) -> None:
        """Keep the state of conversation ``key`` in memory and, with ``persist``, write it to disk soon."""
        entry = _Entry(tuple(tokens), data)
        self._memory.pop(key, None)
        if len(data) <= self.memory_bytes:
            self._memory[key] = entry
            total = sum(len(e.data) for e in self._memory.values())
            while total > self.memory_bytes:
                _old, gone = self._memory.popitem(last=False)
                total -= len(gone.data)
        if persist and self.folder is not None and len(data) <= self.disk_bytes:
            with self._lock:
                self._pending[key] = (entry.tokens, data)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="state-writer", daemon=True)
                self._writer.start()
            self._wake.put(True)

    def _write_loop(self) -> None:
        while self._wake.get():
            while True:
                with self._lock:
                    if not self._pending:
                        break
                    key = next(iter(self._pending))
                    tokens, data = self._pending.pop(key)
                self._write(key, tokens, data)
            self._wake.task_done()
        self._wake.task_done()

    def _write(self, key: str, tokens: tuple[int, ...], data: bytes) -> None:
        assert self.folder is not None
        path = self.folder / files.file_name(self.model_path, self.settings_id, key)
        try:
            files.write_state(path, self.model_id, self.settings_id, key, tokens, data)
        except OSError as exc:  # a full or read-only disk: the state stays in memory only
            log.warning("could not save the conversation state: %s", exc)
            return
        self._trim()

    def _trim(self) -> None:
        """Remove the least recently used files of the folder (every model's) until they fit the budget."""
        assert self.folder is not None
        with self._lock:
            try:
                found = [(p, p.stat()) for p in self.folder.glob(f"*{files.SUFFIX}") if not p.name.startswith(".")]
            except OSError as exc:
                log.warning("the saved states cannot be listed: %s", exc)
                return
            stale = time.time() - 3600  # a temporary file an hour old was left by a host that was killed
            for tmp in self.folder.glob(f".tmp-*{files.SUFFIX}"):
                with contextlib.suppress(OSError):
                    if tmp.stat().st_mtime < stale:
                        tmp.unlink()
            found.sort(key=lambda item: item[1].st_mtime_ns)
            total = sum(st.st_size for _p, st in found)
            for path, st in found:
                if total <= self.disk_bytes:
                    break
                try:
                    path.unlink()
                    total -= st.st_size
                    self._headers.pop(path.name, None)
                    log.info("saved state %s removed (the folder is over its budget)", path.name)
                except OSError as exc:
                    log.warning("could not remove %s: %s", path.name, exc)

    def flush(self) -> None:
        """Wait until every state handed to ``put`` is on disk."""
        if self._writer is not None:
            self._wake.join()

    def close(self) -> None:
        self.flush()
        if self._writer is not None:
            self._wake.put(False)
            self._writer.join()
            self._writer = None
        self._memory.clear()
