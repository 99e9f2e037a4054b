"""Search over conversation titles and message text: FTS5 when SQLite has it, LIKE otherwise.

Every word typed must occur (as the start of a word, so "Speicher" finds "Speicherbedarf") in the
title or in one message. Case and accents do not matter ("muller" finds "Müller"). Reasoning text is
not searched: it is the model's scratch work, and would drown real answers in hits. A reply that is
still streaming (or was interrupted) is not searchable until it ends.

unicode61 splits words at spaces and punctuation, so Chinese or Japanese text without spaces is found
only by whole runs of characters; the LIKE search finds any part of them.

Every version of a message is searched (a regenerated reply, the question before an edit); a hit says
which version it is in and whether that version is the one shown (``SearchHit.version``, ``shown``).
"""

from __future__ import annotations

import sqlite3

from .database import fold
from .tree import version_info
from .types import CONVERSATION_COLUMNS, SearchHit, conversation_from_row

_MARK_START, _MARK_END = "\ue000", "\ue001"  # private-use characters, never in real text
_ELLIPSIS = "…"
_SNIPPET_WORDS = 12
_SNIPPET_CHARS = 80  # LIKE snippets: characters around the first match
_NOT_WORD = "\"'()[]{}<>.,;:!?*`"


def words_of(text: str) -> list[str]:
    return [w for w in text.split() if any(ch.isalnum() for ch in w)]


def fts_query(words: list[str]) -> str:
    """Each word as a quoted prefix phrase, so no user input is read as FTS5 syntax (AND, NEAR, ")."""
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)


def search_fts(conn: sqlite3.Connection, text: str, limit: int) -> list[SearchHit]:
    words = words_of(text)
    if not words:
        return []
    query = fts_query(words)
    columns = ", ".join(f"c.{c.strip()}" for c in CONVERSATION_COLUMNS.split(","))
    rows = conn.execute(
        f"""
        WITH in_messages AS (
            SELECT m.conversation_id AS cid, MAX(m.id) AS mid
            FROM message_fts JOIN messages m ON m.id = message_fts.rowid
            WHERE message_fts MATCH :q
            GROUP BY m.conversation_id
        ), in_titles AS (
            SELECT rowid AS cid FROM title_fts WHERE title_fts MATCH :q
        )
        SELECT {columns}, m.id
        FROM conversations c
        LEFT JOIN in_messages im ON im.cid = c.id
        LEFT JOIN messages m ON m.id = im.mid
        WHERE c.deleted_at IS NULL
          AND (im.cid IS NOT NULL OR c.id IN (SELECT cid FROM in_titles))
        ORDER BY c.updated_at DESC, c.id DESC
        LIMIT :limit
        """,
        {"q": query, "limit": limit},
    ).fetchall()
    # Snippets only for the hits shown. "+rowid" keeps the id list away from FTS5, which would
    # otherwise run the whole match once per id (ten times slower for a common word).
    message_ids = [r[6] for r in rows if r[6] is not None]
    snippets: dict[int, str] = {}
    if message_ids:
        marks = ", ".join("?" * len(message_ids))
        snippets = dict(conn.execute(
            f"SELECT rowid, snippet(message_fts, 0, '{_MARK_START}', '{_MARK_END}', '{_ELLIPSIS}', "
            f"{_SNIPPET_WORDS}) FROM message_fts WHERE message_fts MATCH ? AND +rowid IN ({marks})",
            [query, *message_ids],
        ).fetchall())
    hits = []
    for row in rows:
        snippet, spans = _unmark(snippets.get(row[6], "")) if row[6] is not None else ("", ())
        hits.append(_hit(conn, row, row[6], snippet, spans))
    return hits


def search_like(conn: sqlite3.Connection, text: str, limit: int) -> list[SearchHit]:
    # quotes and brackets around a word are not part of it (FTS5 ignores them the same way)
    words = [fold(w.strip(_NOT_WORD)) for w in words_of(text)]
    if not words:
        return []
    patterns = ["%" + _escape_like(w) + "%" for w in words]
    in_message = " AND ".join("dd_fold(m.content) LIKE ? ESCAPE '\\'" for _ in patterns)
    in_title = " AND ".join("dd_fold(c.title) LIKE ? ESCAPE '\\'" for _ in patterns)
    columns = ", ".join(f"c.{c.strip()}" for c in CONVERSATION_COLUMNS.split(","))
    rows = conn.execute(
        f"""
        SELECT * FROM (
            SELECT {columns},
                (SELECT m.id FROM messages m
                 WHERE m.conversation_id = c.id AND m.state != 'streaming' AND {in_message}
                 ORDER BY m.position DESC, m.id DESC LIMIT 1) AS mid,
                ({in_title}) AS title_match
            FROM conversations c WHERE c.deleted_at IS NULL
        )
        WHERE mid IS NOT NULL OR title_match
        ORDER BY updated_at DESC, id DESC
        LIMIT ?
        """,
        [*patterns, *patterns, limit],
    ).fetchall()
    hits = []
    for row in rows:
        mid = row[6]
        snippet, spans = ("", ())
        if mid is not None:
            content = conn.execute("SELECT content FROM messages WHERE id = ?", (mid,)).fetchone()[0]
            snippet, spans = _like_snippet(content, words)
        hits.append(_hit(conn, row, mid, snippet, spans))
    return hits


def _hit(conn: sqlite3.Connection, row: tuple, message_id: int | None, snippet: str,
         spans: tuple[tuple[int, int], ...]) -> SearchHit:
    version, versions, shown = version_info(conn, message_id) if message_id is not None else (1, 1, True)
    return SearchHit(conversation_from_row(row), message_id, snippet, spans, version, versions, shown)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove the match marks from an FTS5 snippet and return where they were."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = None
    for ch in marked:
        if ch == _MARK_START:
            start = length
        elif ch == _MARK_END and start is not None:
            spans.append((start, length))
            start = None
        else:
            out.append(" " if ch == "\n" else ch)
            length += 1
    return "".join(out), tuple(spans)


def _like_snippet(content: str, words: list[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    # fold() may change lengths (ß -> ss, ligatures), so match positions are found per character
    folded_chars = [fold(ch) for ch in content]
    folded = "".join(folded_chars)
    offsets = []  # offsets[i] = index in ``content`` of folded character i
    for i, piece in enumerate(folded_chars):
        offsets.extend([i] * len(piece))
    offsets.append(len(content))
    found = [(folded.find(w), w) for w in words]
    found = [(pos, w) for pos, w in found if pos >= 0]
    if not found:
        return content[:_SNIPPET_CHARS], ()
    first = min(pos for pos, _ in found)
    lo = max(0, offsets[first] - _SNIPPET_CHARS // 2)
    hi = min(len(content), lo + _SNIPPET_CHARS)
    prefix = _ELLIPSIS if lo > 0 else ""
    snippet = prefix + content[lo:hi] + (_ELLIPSIS if hi < len(content) else "")
    spans = []
    for pos, w in found:
        start, end = offsets[pos], offsets[min(pos + len(w), len(offsets) - 1)]
        if lo <= start and end <= hi:
            spans.append((start - lo + len(prefix), end - lo + len(prefix)))
    return snippet.replace("\n", " "), tuple(sorted(spans))
