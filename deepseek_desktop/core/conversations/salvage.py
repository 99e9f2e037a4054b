"""Getting conversations out of a damaged database file, which itself is never changed.

Two ways, the better first:

1. The ``sqlite3`` command-line shell's ``.recover`` reads every page on its own, so rows on pages that
   the damaged tree no longer reaches come back too. Not every shell can do it (Debian 12's is built
   without the ``sqlite_dbpage`` table it needs and fails with "SQL logic error"); any failure falls
   through to the second way.
2. Row by row through SQLite: stream the table in rowid order; where a damaged page stops the stream,
   look up the following rowids one at a time (each lookup takes its own path through the tree, so it
   reaches the pages after the damage) and stream on from the first one that answers.

Conversations and messages keep their ids, so "the conversation open last time" is still found. A message
whose conversation row is lost gets an untitled conversation rather than being dropped. Versions of messages
(schema 2) keep their parent and which one was shown; a message whose parent is lost is linked to the
message before it when the database opens (``tree.repair``). Replies keep what the thinking budget did to
them (schema 4).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_CONVERSATION_COLUMNS = "id, title, system_prompt, created_at, updated_at, deleted_at"
_MESSAGE_COLUMNS = (
    "id, conversation_id, position, role, content, reasoning, reasoning_seconds, state, model, engine, "
    "created_at, prompt_tokens, completion_tokens, tokens_per_s, ttft_ms, finish_reason, error_id, error_params")
_VERSION_COLUMNS = ", parent_id, chosen"  # schema 2 and later
_THINKING_COLUMNS = ", thinking_stopped_at, thinking_note"  # schema 4 and later
# After this many rowids in a row that all fail, the rest of the table is taken as lost (the largest rowid
# itself cannot be read when the right edge of the tree is damaged).
_MAX_FAILED_LOOKUPS = 50_000
_CLI_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Salvaged:
    conversations: int
    messages: int
    method: str  # "recover" (the sqlite3 shell) or "rows"


def find_sqlite_cli() -> str | None:
    return shutil.which("sqlite3")


def salvage(damaged: Path, conn: sqlite3.Connection, sqlite_cli: str | None = None) -> Salvaged:
    """Copy what can be read from ``damaged`` into the empty database ``conn``; never raises."""
    with tempfile.TemporaryDirectory(prefix=".recover-", dir=damaged.parent) as work:
        recovered = _recover_with_cli(sqlite_cli, damaged, Path(work)) if sqlite_cli else None
        if recovered is not None:
            result = _copy(recovered, conn, "recover")
            if result is not None:
                return result
        return _copy(damaged, conn, "rows") or Salvaged(0, 0, "rows")


def _recover_with_cli(cli: str, damaged: Path, work: Path) -> Path | None:
    """Run ``.recover`` and load its SQL into a new file; None when the shell cannot do it."""
    script, target = work / "recover.sql", work / "recovered.sqlite3"
    try:
        with script.open("wb") as out:
            run = subprocess.run([cli, "-readonly", str(damaged), ".recover"], stdout=out,
                                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=_CLI_TIMEOUT_S)
        if run.returncode != 0 or b"error" in run.stderr.lower():
            log.warning("%s .recover failed (exit %s): %s", cli, run.returncode,
                        run.stderr.decode(errors="replace").strip()[:300])
            return None
        with script.open("rb") as sql:
            load = subprocess.run([cli, str(target)], stdin=sql, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=_CLI_TIMEOUT_S)
        if load.returncode != 0:
            log.warning("loading the .recover output failed: %s", load.stderr.decode(errors="replace")[:300])
            return None
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("%s could not run .recover: %s", cli, exc)
        return None
    return target


def _copy(source: Path, conn: sqlite3.Connection, method: str) -> Salvaged | None:
    """None when ``source`` has no readable conversations or messages table at all."""
    try:
        old = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        log.warning("cannot open %s to rescue conversations: %s", source, exc)
        return None
    try:
        old.execute("PRAGMA writable_schema = ON")  # tolerate a schema that points at missing pages
        conversations = readable_rows(old, "conversations", _CONVERSATION_COLUMNS)
        version = _schema_version(old)
        columns = (_MESSAGE_COLUMNS + (_VERSION_COLUMNS if version >= 2 else "")
                   + (_THINKING_COLUMNS if version >= 4 else ""))
        messages = readable_rows(old, "messages", columns)
    finally:
        old.close()
    if conversations is None and messages is None:
        return None
    return _insert(conn, conversations or [], messages or [], method)


def _schema_version(db: sqlite3.Connection) -> int:
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0


def readable_rows(db: sqlite3.Connection, table: str, columns: str) -> list[tuple[object, ...]] | None:
    """Every row of ``table`` (first column its rowid) that SQLite can still read; None if it has no table."""
    try:
        top = db.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        top = None
    except sqlite3.DatabaseError:
        top = None  # the right edge of the tree is damaged: the failed-lookup limit ends the search
    rows: list[tuple[object, ...]] = []
    after, skipped = 0, 0
    while True:
        try:
            for row in db.execute(f"SELECT {columns} FROM {table} WHERE id > ? ORDER BY id", (after,)):
                rows.append(row)
                after = row[0]
            break
        except sqlite3.DatabaseError:
            pass
        failed = 0
        while True:  # step over the damaged page
            after += 1
            if (top is not None and after > top) or failed >= _MAX_FAILED_LOOKUPS:
                return _report(table, rows, skipped)
            try:
                row = db.execute(f"SELECT {columns} FROM {table} WHERE id = ?", (after,)).fetchone()
            except sqlite3.DatabaseError:
                failed += 1
                skipped += 1
                continue
            if row is not None:
                rows.append(row)
            break
    return _report(table, rows, skipped)


def _report(table: str, rows: list[tuple[object, ...]], skipped: int) -> list[tuple[object, ...]]:
    if skipped:
        log.warning("%d rows of %s read; %d rowids on damaged pages skipped", len(rows), table, skipped)
    return rows


def _insert(conn: sqlite3.Connection, conversations: list[tuple[object, ...]],
            messages: list[tuple[object, ...]], method: str) -> Salvaged | None:
    known = {c[0] for c in conversations}
    orphans: dict[object, list[float]] = {}
    for m in messages:
        if m[1] not in known:
            orphans.setdefault(m[1], []).append(float(m[10]) if isinstance(m[10], (int, float)) else 0.0)
    placeholders = [(cid, "", "", min(times), max(times), None) for cid, times in orphans.items()]
    try:
        conn.execute("BEGIN IMMEDIATE")
        # OR IGNORE: a row that a damaged page turned into nonsense (a NULL where the schema forbids one,
        # an unknown role) is left out instead of failing the whole rescue
        for conv in conversations + placeholders:
            conn.execute(f"INSERT OR IGNORE INTO conversations ({_CONVERSATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                         conv)
        conn.executemany(f"INSERT OR IGNORE INTO messages ({_MESSAGE_COLUMNS}, chosen{_THINKING_COLUMNS}) "
                         f"VALUES ({', '.join('?' * 21)})",
                         [(*m[:18], m[19] if len(m) > 18 else 1, *(m[20:22] if len(m) > 20 else (None, None)))
                          for m in messages])
        # parents afterwards, where they came through: a lost one would fail the foreign key, which
        # OR IGNORE does not cover
        conn.executemany("UPDATE messages SET parent_id = ? WHERE id = ? AND EXISTS (SELECT 1 FROM messages p "
                         "WHERE p.id = ? AND p.conversation_id = messages.conversation_id)",
                         [(m[18], m[0], m[18]) for m in messages if len(m) > 18 and m[18] is not None])
        n_conv = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
        n_msg = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        log.warning("the readable rows could not be copied: %s", exc)
        return None
    log.info("rescued %d conversations with %d messages (%s)", n_conv, n_msg, method)
    return Salvaged(n_conv, n_msg, method)
