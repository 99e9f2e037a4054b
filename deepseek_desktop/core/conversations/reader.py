"""The reading half of the conversation store: one open connection and what is read through it.

``ConversationStore`` (the writing half) extends it; see there for the thread rule. Everything read
follows the path shown: of each message the version chosen (``tree``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..requests import ChatMessage
from . import tree
from .database import StoreError
from .search import search_fts, search_like
from .types import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    MESSAGE_SELECT,
    Conversation,
    Message,
    MessageState,
    SearchHit,
    conversation_from_row,
    message_from_row,
)

log = logging.getLogger(__name__)


class ConversationReader:
    """Reads conversations and messages. It owns the connection, the lock that serialises its use, and the
    replies being streamed now: a row marked streaming that is not one of them was cut off by a crash."""

    def __init__(self, conn: sqlite3.Connection, fts: bool) -> None:
        self._conn = conn
        self._fts = fts
        self._lock = threading.RLock()
        self._live: set[int] = set()  # the writing half adds a reply it begins and drops one it ends

    @property
    def search_uses_fts(self) -> bool:
        return self._fts

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.execute("PRAGMA optimize")
            except sqlite3.Error as exc:
                log.warning("PRAGMA optimize failed: %s", exc)
            self._conn.close()

    def get_conversation(self, conversation_id: int) -> Conversation:
        """Also finds a conversation in the trash (``deleted_at`` is set then)."""
        with self._reading() as db:
            return self._conversation(db, conversation_id)

    # -- messages: reading --

    def get_message(self, message_id: int) -> Message:
        with self._reading() as db:
            return self._message(db, message_id)

    def latest_messages(self, conversation_id: int, limit: int = 50) -> list[Message]:
        """The newest ``limit`` messages, oldest first: the first screen of a conversation."""
        return self._page(conversation_id, None, limit)

    def messages_before(self, conversation_id: int, position: int, limit: int = 50) -> list[Message]:
        """The ``limit`` messages before ``position``, oldest first: scrolling up."""
        return self._page(conversation_id, position, limit)

    def all_messages(self, conversation_id: int) -> list[Message]:
        """The path shown: of each message the version chosen."""
        return self._page(conversation_id, None, -1)

    def all_versions(self, conversation_id: int) -> list[Message]:
        """Every message of every version, parents before their children (by position, then age)."""
        with self._reading() as db:
            self._conversation(db, conversation_id)
            rows = db.execute(f"SELECT {MESSAGE_SELECT} FROM messages m WHERE m.conversation_id = ? "
                              "ORDER BY m.position, m.id", (conversation_id,)).fetchall()
            live = frozenset(self._live)
        return [message_from_row(r, live) for r in rows]

    def message_count(self, conversation_id: int) -> int:
        """Messages on the path shown (versions not shown do not count)."""
        with self._reading() as db:
            return tree.path_length(db, conversation_id)

    def chat_history(self, conversation_id: int) -> list[ChatMessage]:
        """What the model is sent: the system prompt and the finished or stopped turns, without reasoning.

        Failed and interrupted replies, and empty ones, are left out.
        """
        conv = self.get_conversation(conversation_id)
        history = [ChatMessage("system", conv.system_prompt)] if conv.system_prompt.strip() else []
        for m in self.all_messages(conversation_id):
            if m.state in (MessageState.COMPLETE, MessageState.CANCELLED) and m.content.strip():
                history.append(ChatMessage(m.role, m.content))
        return history

    def interrupted_messages(self) -> list[Message]:
        """Replies a crash cut off: marked streaming in the file but not being streamed by this store."""
        with self._reading() as db:
            rows = db.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE state = 'streaming' "
                              "ORDER BY conversation_id, position").fetchall()
            return [m for m in (message_from_row(r, self._live) for r in rows) if m.interrupted]

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Conversations (not in the trash) whose title or one message contains every word; newest first."""
        with self._reading() as db:
            return (search_fts if self._fts else search_like)(db, text, limit)

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise StoreError("store.read_failed", str(exc)) from exc

    def _page(self, conversation_id: int, before: int | None, limit: int) -> list[Message]:
        with self._reading() as db:
            rows = tree.path_rows(db, conversation_id, before, limit)
            live = frozenset(self._live)
        return [message_from_row(r, live) for r in rows]

    def _conversation(self, db: sqlite3.Connection, conversation_id: int) -> Conversation:
        row = db.execute(f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?",
                         (conversation_id,)).fetchone()
        if row is None:
            raise StoreError("store.not_found", f"conversation {conversation_id}")
        return conversation_from_row(row)

    def _message(self, db: sqlite3.Connection, message_id: int) -> Message:
        row = db.execute(f"SELECT {MESSAGE_SELECT} FROM messages m WHERE m.id = ?", (message_id,)).fetchone()
        if row is None:
            raise StoreError("store.not_found", f"message {message_id}")
        return message_from_row(row, self._live)
