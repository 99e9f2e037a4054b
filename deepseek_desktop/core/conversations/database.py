"""Opening the conversation database: pragmas, schema, full-text index, and what to do when it is damaged.

A database that SQLite reports as corrupt (garbage bytes, a truncated file, a failed integrity check)
is renamed to ``conversations.sqlite3.corrupt-<time>`` together with its ``-wal``/``-shm`` files, so
nothing is overwritten, and a fresh database takes its place. What can still be read from the damaged
file is copied into the new one (``salvage``).
"""

from __future__ import annotations

import logging
import sqlite3
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeepSeekError
from ..files.atomic import aside_name
from . import tree
from .salvage import Salvaged, salvage
from .types import MESSAGE_COLUMNS_V1

log = logging.getLogger(__name__)

# 2: versions of messages (parent_id, chosen; see tree.py). 3: a conversation's own thinking budget
# (conversation_thinking; a new table, which the CREATE ... IF NOT EXISTS below adds to a schema 2 file).
# 4: what the thinking budget did to a reply (thinking_stopped_at, thinking_note; two columns added).
SCHEMA_VERSION = 4

_TABLES = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL
);
CREATE INDEX IF NOT EXISTS conversations_by_activity ON conversations (deleted_at, updated_at, id);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    chosen INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT '',
    reasoning_seconds REAL,
    state TEXT NOT NULL CHECK (state IN ('complete', 'streaming', 'cancelled', 'error')),
    model TEXT NOT NULL DEFAULT '',
    engine TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    tokens_per_s REAL,
    ttft_ms REAL,
    finish_reason TEXT,
    error_id TEXT,
    error_params TEXT,
    thinking_stopped_at INTEGER,
    thinking_note TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_position ON messages (conversation_id, position);
CREATE INDEX IF NOT EXISTS messages_by_parent ON messages (parent_id, conversation_id, chosen, position);
CREATE INDEX IF NOT EXISTS messages_not_chosen ON messages (conversation_id) WHERE NOT chosen;
CREATE INDEX IF NOT EXISTS messages_streaming ON messages (state) WHERE state = 'streaming';
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversation_thinking (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    budget INTEGER NOT NULL CHECK (budget >= -1)
);
"""

# unicode61 folds case and, with remove_diacritics 2, finds "Müller" when "muller" is typed.
_FTS_TABLES = """
CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5 (
    content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS title_fts USING fts5 (
    title, content='conversations', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
"""

# A streaming reply is indexed when it ends, not at every one-second flush: the flush stays one cheap
# row update. External-content FTS must be told the exact old text to forget, which these triggers
# guarantee because every change of an indexed row passes through them.
_FTS_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages
WHEN new.state != 'streaming' BEGIN
    INSERT INTO message_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages
WHEN old.state != 'streaming' BEGIN
    INSERT INTO message_fts (message_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF content, state ON messages
WHEN old.state != 'streaming' OR new.state != 'streaming' BEGIN
    INSERT INTO message_fts (message_fts, rowid, content)
        SELECT 'delete', old.id, old.content WHERE old.state != 'streaming';
    INSERT INTO message_fts (rowid, content) SELECT new.id, new.content WHERE new.state != 'streaming';
END;
CREATE TRIGGER IF NOT EXISTS conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO title_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER IF NOT EXISTS conversations_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO title_fts (title_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER IF NOT EXISTS conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO title_fts (title_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO title_fts (rowid, title) VALUES (new.id, new.title);
END;
"""
_FTS_TRIGGER_NAMES = (
    "messages_fts_insert", "messages_fts_delete", "messages_fts_update",
    "conversations_fts_insert", "conversations_fts_delete", "conversations_fts_update",
)

_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


class StoreError(DeepSeekError):
    """The conversation database could not do what was asked; ``message_id`` says what."""

    message_id = "store.write_failed"


class _Damaged(Exception):
    """The integrity check found problems (SQLite itself raised nothing)."""


@dataclass
class OpenedDatabase:
    conn: sqlite3.Connection
    fts: bool
    moved_to: Path | None = None  # where a damaged database went
    salvaged: Salvaged | None = None  # what was copied out of it


def open_database(path: Path, use_fts: bool | None = None,
                  find_cli: Callable[[], str | None] = lambda: None) -> OpenedDatabase:
    """Open (or create) the database; move a damaged one aside and rescue what it still holds.

    ``use_fts=None`` uses FTS5 if present. ``find_cli`` names the ``sqlite3`` shell for ``.recover``; it is
    asked only when a file is damaged (None: the rescue reads row by row).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = None
    try:
        conn = _connect(path, check=True)
        return OpenedDatabase(conn, _prepare(conn, path, use_fts))
    except (sqlite3.DatabaseError, _Damaged) as exc:
        if conn is not None:
            conn.close()
        if not isinstance(exc, _Damaged) and not is_corruption(exc):
            raise StoreError("store.open_failed", str(exc), path=path) from exc
        moved_to = _move_aside(path)
        log.error("conversation database %s is damaged (%s); moved to %s", path, exc, moved_to)
    conn = _connect(path)
    fts = _prepare(conn, path, use_fts)
    rescued = salvage(moved_to, conn, find_cli())
    conn.execute("BEGIN IMMEDIATE")
    tree.repair(conn)  # rescued rows come without their parents: one path each
    conn.execute("COMMIT")
    return OpenedDatabase(conn, fts, moved_to, rescued)


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def fold(text: str | None) -> str:
    """Case- and accent-free text for the LIKE search, to match what FTS5's unicode61 finds."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _connect(path: Path, check: bool = False) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; the store opens its own with BEGIN IMMEDIATE.
    # check_same_thread=False: the store is built on one thread and used on its worker thread; the
    # store's lock (and its one-thread rule) keeps the connection from being used concurrently.
    if check and _checked_read_only(path):
        check = False
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    if check:  # before anything writes (switching to WAL rewrites the header), so a refused file stays as it is
        try:
            _check(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError("store.too_new", f"schema {version} > {SCHEMA_VERSION}", path=path)
        except BaseException:
            conn.close()
            raise
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() not in ("wal", "memory"):
        log.warning("conversation database %s runs in %s mode, not WAL", path, mode)
    conn.execute("PRAGMA synchronous = NORMAL")  # in WAL: a crash of the app loses nothing committed
    conn.execute("PRAGMA foreign_keys = ON")
    conn.create_function("dd_fold", 1, fold, deterministic=True)
    return conn


def _checked_read_only(path: Path) -> bool:
    """Run the checks on a read-only connection; False when one cannot be had here (then the read-write
    connection runs them). Closing a read-write connection checkpoints the -wal into the file, which
    would change a damaged or refused file before it is moved aside or left alone."""
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        _check(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise
        return False
    finally:
        conn.close()
    if version > SCHEMA_VERSION:
        raise StoreError("store.too_new", f"schema {version} > {SCHEMA_VERSION}", path=path)
    return True


def _check(conn: sqlite3.Connection) -> None:
    # quick_check reads every page once (about 30 ms for 25 MB): damage is found now, not halfway
    # through a reply. It also makes SQLite report a garbage file as "not a database".
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        raise _Damaged("; ".join(str(r[0]) for r in rows[:5]))


def _prepare(conn: sqlite3.Connection, path: Path, use_fts: bool | None) -> bool:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if 0 < version < 2:
        _migrate_to_tree(conn, path)
    if 0 < version < 4:
        _add_thinking_columns(conn, path)
    conn.executescript("BEGIN IMMEDIATE;" + _TABLES + f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
    if use_fts is None:
        use_fts = _fts5_available(conn)
    if use_fts:
        _enable_fts(conn)
    else:
        _disable_fts(conn)
    return use_fts


def _migrate_to_tree(conn: sqlite3.Connection, path: Path) -> None:
    """Schema 1 -> 2: messages get a parent and a chosen flag, and versions may share a position, so the
    table is rebuilt (SQLite cannot drop the old UNIQUE (conversation_id, position)). Ids stay, so the
    search index stays valid; its triggers went with the old table and ``_enable_fts`` makes them again."""
    log.info("conversation database %s: adding message versions (schema 1 -> 2)", path)
    columns = MESSAGE_COLUMNS_V1
    conn.execute("PRAGMA foreign_keys = OFF")  # must be set outside a transaction
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # the search triggers come back with _enable_fts; without them here, the rename below need not
            # read triggers that name FTS5 tables (an SQLite without FTS5 could not)
            for name in _FTS_TRIGGER_NAMES:
                conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            conn.execute(_messages_table_sql().replace("IF NOT EXISTS messages (", "messages_v2 (", 1))
            conn.execute(f"INSERT INTO messages_v2 ({columns}) SELECT {columns} FROM messages")
            conn.execute("DROP TABLE messages")
            conn.execute("ALTER TABLE messages_v2 RENAME TO messages")
            conn.execute("CREATE INDEX messages_by_position ON messages (conversation_id, position)")
            conn.execute("CREATE INDEX messages_by_parent ON messages (parent_id, conversation_id, chosen, position)")
            tree.repair(conn)
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.IntegrityError("foreign key check failed after the migration")
            conn.execute("PRAGMA user_version = 2")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _add_thinking_columns(conn: sqlite3.Connection, path: Path) -> None:
    """Schema 3 -> 4: two columns for what the thinking budget did to a reply; NULL for the replies before.
    A file that came through ``_migrate_to_tree`` has them already (its table was made from ``_TABLES``)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        have = {row[1] for row in conn.execute("PRAGMA table_info(messages)")}
        missing = [(name, kind) for name, kind in (("thinking_stopped_at", "INTEGER"), ("thinking_note", "TEXT"))
                   if have and name not in have]
        if missing:
            log.info("conversation database %s: keeping the thinking budget's figures (schema 3 -> 4)", path)
        for name, kind in missing:
            conn.execute(f"ALTER TABLE messages ADD COLUMN {name} {kind}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _messages_table_sql() -> str:
    start = _TABLES.index("CREATE TABLE IF NOT EXISTS messages (")
    return _TABLES[start:_TABLES.index(");", start) + 1]


def _fts5_available(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5 (x)")
        conn.execute("DROP TABLE temp.fts5_probe")
        return True
    except sqlite3.OperationalError:
        log.warning("SQLite has no FTS5; conversation search uses LIKE")
        return False


def _enable_fts(conn: sqlite3.Connection) -> None:
    # executescript commits what is pending, so BEGIN/COMMIT live inside the script itself
    conn.executescript("BEGIN IMMEDIATE;" + _FTS_TABLES + _FTS_TRIGGERS + "COMMIT;")
    if conn.execute("SELECT value FROM meta WHERE key = 'fts'").fetchone() == ("ok",):
        return
    # a new index, or the triggers were off for a while (a session without FTS5): index everything
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO message_fts (message_fts) VALUES ('delete-all')")
        conn.execute("INSERT INTO message_fts (rowid, content) "
                     "SELECT id, content FROM messages WHERE state != 'streaming'")
        conn.execute("INSERT INTO title_fts (title_fts) VALUES ('rebuild')")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('fts', 'ok')")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _disable_fts(conn: sqlite3.Connection) -> None:
    # Triggers that write into a missing FTS5 module would make every insert fail; the index is
    # marked stale and rebuilt the next time FTS5 is there.
    conn.execute("BEGIN IMMEDIATE")
    for name in _FTS_TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('fts', 'stale')")
    conn.execute("COMMIT")


def _move_aside(path: Path) -> Path:
    target = aside_name(path, "corrupt", time.strftime("%Y%m%d-%H%M%S"))
    for suffix in ("", "-wal", "-shm"):
        src = path.with_name(path.name + suffix)
        if src.exists():
            # keep the names paired (x.corrupt-T and x.corrupt-T-wal) so SQLite can open them together
            src.replace(target.with_name(target.name + suffix))
    return target
