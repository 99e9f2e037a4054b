"""Versions of a message: a conversation is a tree, and one path through it is shown.

Regenerating a reply or editing and resending a question keeps what was there: the new message is a
*sibling* of the old one (same parent), and siblings are the versions of a message, numbered 1, 2, 3 in
the order they were made. Of each set of siblings exactly one is *chosen* (``messages.chosen``); from the
chosen first message, following the chosen child down, gives the *active path*: what the window shows,
what the model is sent, what the Markdown export writes. Switching a version changes which sibling is
chosen, and with it everything below it (each reply keeps the branch that followed it).

``position`` is the depth in the tree (0 for the first message), so versions share their position and
the path is in position order (a rescued database may skip depths; the order still holds). Functions
here take the store's connection and run inside its lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .rows import INSERT_MESSAGE, copied_message_values
from .types import MESSAGE_COLUMNS, MESSAGE_SELECT, Message

# The path as (id, position): one step a message, from a parent to its chosen child. The steps are
# subqueries that the index (parent_id, conversation_id, chosen, position) answers on its own: a join
# would read each message's row, and rows with long replies are spread over many pages.
_PATH = """
WITH RECURSIVE walk(id, position) AS (
    SELECT id, position FROM messages WHERE parent_id IS NULL AND conversation_id = :cid AND chosen
    UNION ALL
    SELECT (SELECT c.id FROM messages c WHERE c.parent_id = walk.id AND c.conversation_id = :cid AND c.chosen),
           (SELECT c.position FROM messages c WHERE c.parent_id = walk.id AND c.conversation_id = :cid AND c.chosen)
    FROM walk WHERE walk.id IS NOT NULL
), path(id, position) AS (SELECT id, position FROM walk WHERE id IS NOT NULL)
"""


# Without versions (most conversations) the path is every message: read through the position index,
# as fast as before versions existed. The partial index of unchosen messages answers "any versions?".
_ALL = "WITH path(id, position) AS (SELECT id, position FROM messages WHERE conversation_id = :cid)"
_SELECT_ONE_VERSION = ", ".join("m." + c.strip() for c in MESSAGE_COLUMNS.split(",")) + ", m.parent_id, 1, 1, 1"


def has_versions(db: sqlite3.Connection, conversation_id: int) -> bool:
    """Whether any message of the conversation has more than one version (then one is not chosen)."""
    return db.execute("SELECT 1 FROM messages WHERE conversation_id = ? AND NOT chosen LIMIT 1",
                      (conversation_id,)).fetchone() is not None


def _path(db: sqlite3.Connection, conversation_id: int) -> str:
    return _PATH if has_versions(db, conversation_id) else _ALL


def path_rows(db: sqlite3.Connection, conversation_id: int, before: int | None = None,
              limit: int = -1) -> list[tuple[Any, ...]]:
    """The active path's rows (``MESSAGE_SELECT``), oldest first: the last ``limit`` before ``before``."""
    params = {"cid": conversation_id, "before": before, "limit": limit}
    if not has_versions(db, conversation_id):  # newest first through the position index, turned round
        condition = "" if before is None else "AND m.position < :before"
        rows = db.execute(f"SELECT {_SELECT_ONE_VERSION} FROM messages m WHERE m.conversation_id = :cid "
                          f"{condition} ORDER BY m.position DESC LIMIT :limit", params).fetchall()
        rows.reverse()
        return rows
    # the page is cut from the path first, so the version figures are counted for its rows only
    condition = "" if before is None else "WHERE position < :before"
    return db.execute(
        f"{_PATH}, page AS (SELECT id FROM path {condition} ORDER BY position DESC "
        f"LIMIT :limit) SELECT {MESSAGE_SELECT} FROM page JOIN messages m ON m.id = page.id ORDER BY m.position",
        params).fetchall()


def path_length(db: sqlite3.Connection, conversation_id: int) -> int:
    return db.execute(f"{_path(db, conversation_id)} SELECT COUNT(*) FROM path",
                      {"cid": conversation_id}).fetchone()[0]


def leaf(db: sqlite3.Connection, conversation_id: int) -> tuple[int, int] | None:
    """(id, position) of the last message on the active path; None for an empty conversation."""
    row = db.execute(f"{_path(db, conversation_id)} SELECT id, position FROM path ORDER BY position DESC LIMIT 1",
                     {"cid": conversation_id}).fetchone()
    return None if row is None else (row[0], row[1])


def parent_of(db: sqlite3.Connection, message_id: int) -> tuple[int, int | None, int, str]:
    """(conversation id, parent id, position, role) of a message; KeyError when there is none."""
    row = db.execute("SELECT conversation_id, parent_id, position, role FROM messages WHERE id = ?",
                     (message_id,)).fetchone()
    if row is None:
        raise KeyError(message_id)
    return row[0], row[1], row[2], row[3]


def position_under(db: sqlite3.Connection, parent_id: int | None) -> int:
    if parent_id is None:
        return 0
    return db.execute("SELECT position + 1 FROM messages WHERE id = ?", (parent_id,)).fetchone()[0]


def choose(db: sqlite3.Connection, message_id: int) -> None:
    """Make ``message_id`` the chosen one of its siblings."""
    cid, parent_id, _, _ = parent_of(db, message_id)
    db.execute("UPDATE messages SET chosen = (id = ?) WHERE parent_id IS ? AND conversation_id = ?",
               (message_id, parent_id, cid))


def sibling(db: sqlite3.Connection, message_id: int, version: int) -> int | None:
    """The id of version ``version`` (1-based) of ``message_id``; None when there is no such version."""
    cid, parent_id, _, _ = parent_of(db, message_id)
    if version < 1:
        return None
    row = db.execute("SELECT id FROM messages WHERE parent_id IS ? AND conversation_id = ? ORDER BY id "
                     "LIMIT 1 OFFSET ?", (parent_id, cid, version - 1)).fetchone()
    return None if row is None else row[0]


def choose_path_to(db: sqlite3.Connection, message_id: int) -> None:
    """Choose ``message_id`` and every ancestor of it: the message is then on the path shown."""
    current: int | None = message_id
    while current is not None:
        choose(db, current)
        current = parent_of(db, current)[1]


def repair(db: sqlite3.Connection, conversation_id: int | None = None) -> None:
    """Give parentless messages the message before them as parent and leave exactly one chosen version
    per set of siblings. Turns a linear conversation (an old database, rescued rows) into one path.
    Every conversation, or only ``conversation_id``."""
    only = "" if conversation_id is None else f" AND conversation_id = {int(conversation_id)}"
    db.execute(f"""
        UPDATE messages SET parent_id = (
            SELECT p.id FROM messages p WHERE p.conversation_id = messages.conversation_id
              AND p.position < messages.position ORDER BY p.position DESC, p.chosen DESC, p.id DESC LIMIT 1)
        WHERE parent_id IS NULL AND EXISTS (
            SELECT 1 FROM messages p WHERE p.conversation_id = messages.conversation_id
              AND p.position < messages.position){only}""")
    db.execute(f"""
        UPDATE messages SET chosen = (id = (
            SELECT s.id FROM messages s WHERE s.parent_id IS messages.parent_id
              AND s.conversation_id = messages.conversation_id ORDER BY s.chosen DESC, s.id DESC LIMIT 1))
        WHERE 1{only}""")


def insert_copies(db: sqlite3.Connection, conversation_id: int, messages: Sequence[Message]) -> None:
    """Copy ``messages`` into a conversation with new ids. When their ids are distinct and each
    ``parent_id`` names an earlier one in the list (or is None), the versions are kept; otherwise each
    message follows the one before it."""
    keep_tree = len({m.id for m in messages}) == len(messages) and all(m.id for m in messages)
    new_ids: dict[int, tuple[int, int]] = {}  # old id -> new id, position
    previous: tuple[int, int] | None = None
    for m in messages:
        if keep_tree and (m.parent_id is None or m.parent_id in new_ids):
            parent = new_ids[m.parent_id] if m.parent_id is not None else None
        else:
            parent = previous
        position = parent[1] + 1 if parent else 0
        mid = db.execute(INSERT_MESSAGE, copied_message_values(conversation_id, position, m,
                                                               parent[0] if parent else None)).lastrowid
        previous = new_ids[m.id] = (mid, position)
    repair(db, conversation_id)


def version_info(db: sqlite3.Connection, message_id: int) -> tuple[int, int, bool]:
    """(version, number of versions, on the path shown) of a message."""
    row = db.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
    if row is None or not has_versions(db, row[0]):
        return 1, 1, True
    version, versions = db.execute(
        "SELECT (SELECT COUNT(*) FROM messages s WHERE s.parent_id IS m.parent_id "
        "AND s.conversation_id = m.conversation_id AND s.id <= m.id), (SELECT COUNT(*) FROM messages s "
        "WHERE s.parent_id IS m.parent_id AND s.conversation_id = m.conversation_id) "
        "FROM messages m WHERE m.id = ?", (message_id,)).fetchone()
    shown = db.execute(
        "WITH RECURSIVE up(parent_id, chosen) AS (SELECT parent_id, chosen FROM messages WHERE id = ? "
        "UNION ALL SELECT m.parent_id, m.chosen FROM up JOIN messages m ON m.id = up.parent_id) "
        "SELECT MIN(chosen) FROM up", (message_id,)).fetchone()[0]
    return version, versions, bool(shown)
