"""The reading half of the conversation store, and the transaction helpers both halves use.

``ConversationStore`` (the writing half) derives from it; see there for the thread rule. Everything
read follows the path shown: of each message the version chosen (``tree``).
"""

from __future__ import annotations

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


class ConversationReader:
    """Reads conversations and messages; the connection, lock and live replies belong to the store."""

    _conn: sqlite3.Connection
    _lock: threading.RLock
    _live: set[int]
    _fts: bool

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
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError("store.write_failed", str(exc)) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError("store.write_failed", str(exc)) from exc
                raise

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
