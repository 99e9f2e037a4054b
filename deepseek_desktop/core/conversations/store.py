"""Conversations and their messages in SQLite, in the app's data folder.

Written as it happens: a message is saved when it completes, a streaming reply is flushed at least once
a second (``ReplyRecorder`` does the timing), so killing the app loses at most a second of text.
Deleting a conversation moves it to the trash first, so the sidebar can offer "Undo".
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..notices import Notice, NoticeBox
from . import tree
from .database import StoreError, open_database
from .reader import ConversationReader
from .rows import INSERT_CONVERSATION, INSERT_MESSAGE, message_values, params_json
from .salvage import find_sqlite_cli
from .title import title_from_question
from .types import (
    CONVERSATION_COLUMNS,
    ROLES,
    Conversation,
    Message,
    MessageState,
    MessageStats,
    Turn,
    conversation_from_row,
)

log = logging.getLogger(__name__)

__all__ = ["ConversationStore", "StoreError"]


class ConversationStore(ConversationReader):
    """Every conversation of the app, in one SQLite file (WAL, synchronous=NORMAL, foreign keys on).

    Thread rule: build it, then call it from ONE worker thread only, never from the GUI thread. The
    GUI submits every call to a single-thread executor, so calls run one at a time, in the order they
    were made. The one connection is opened with ``check_same_thread=False`` for that hand-over; a lock
    serialises calls as well, so a call from a wrong thread waits instead of corrupting anything.

    Results are frozen dataclasses that may be handed to the GUI thread. Failures raise ``StoreError``
    with a message id (``store.not_found``, ``store.write_failed``, ``store.read_failed``); opening
    raises ``store.open_failed`` or ``store.too_new``. A damaged file is moved aside and reported by
    ``take_notices()`` (``store.corrupt`` / ``store.corrupt_recovered``).

    Versions (``tree``): regenerating (``begin_reply(..., version_of=id)``) and editing
    (``edit_message``) add a sibling of the message instead of deleting anything; ``select_version``
    switches between siblings. Reading (pages, ``all_messages``, ``chat_history``) follows the path of
    the versions shown; ``all_versions`` gives the whole tree. New messages continue that path.

    Streaming: ``start_turn`` (or ``begin_reply``) -> ``update_streaming`` (each flush is one row update,
    not indexed for search yet) -> ``finish_message``. A reply still marked streaming that this store did not begin was
    cut off by a crash: it comes back with ``Message.interrupted`` set (see ``interrupted_messages``);
    ``finish_message(id, MessageState.CANCELLED)`` settles it if the user keeps it.

    ``use_fts``: None uses FTS5 when SQLite has it. False (an SQLite without FTS5, or tests) turns the
    index triggers off in the file; the next open with FTS5 indexes everything again. Damage found
    while running raises ``store.read_failed``/``store.write_failed``; the next start's integrity
    check then moves the file aside.
    """

    def __init__(self, path: Path, *, use_fts: bool | None = None,
                 clock: Callable[[], float] = time.time,
                 find_cli: Callable[[], str | None] = find_sqlite_cli) -> None:
        """``find_cli`` names the ``sqlite3`` shell whose ``.recover`` rescues a damaged file (None: none)."""
        opened = open_database(path, use_fts, find_cli)
        super().__init__(opened.conn, opened.fts)
        self.path = path
        self._clock = clock
        self._notices = NoticeBox()
        if opened.moved_to is not None:
            rescued = opened.salvaged
            if rescued is not None and (rescued.conversations or rescued.messages):
                self._notices.add("store.corrupt_recovered", path=opened.moved_to,
                                  conversations=rescued.conversations, messages=rescued.messages)
            else:
                self._notices.add("store.corrupt", path=opened.moved_to)

    @classmethod
    def open_or_in_memory(cls, path: Path, **options: Any) -> ConversationStore:
        """How the app opens its store: a database that cannot be opened or is from a newer version is
        left exactly as it is, and this session keeps its conversations in memory, with a notice saying so
        (``store.open_failed_session`` / ``store.too_new_session``), instead of a window without history
        whose every chat fails."""
        try:
            return cls(path, **options)
        except (StoreError, OSError) as exc:
            too_new = isinstance(exc, StoreError) and exc.message_id == "store.too_new"
            message_id = "store.too_new_session" if too_new else "store.open_failed_session"
            log.error("conversation database %s unusable (%s); this session keeps conversations in memory",
                      path, exc)
        store = cls(Path(":memory:"), **options)
        store._notices.add(message_id, path=path)
        return store

    def take_notices(self) -> list[Notice]:
        return self._notices.take()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- conversations --

    def create_conversation(self, title: str = "", system_prompt: str = "") -> Conversation:
        now = self._clock()
        with self._writing() as db:
            cid = db.execute(INSERT_CONVERSATION, (title, system_prompt, now, now)).lastrowid
        return Conversation(cid, title, system_prompt, now, now)

    def list_conversations(self, limit: int | None = None, offset: int = 0, *,
                           deleted: bool = False) -> list[Conversation]:
        """Newest activity first; ``deleted=True`` lists the trash, most recently deleted first."""
        where, order = (("deleted_at IS NOT NULL", "deleted_at DESC, id DESC") if deleted
                        else ("deleted_at IS NULL", "updated_at DESC, id DESC"))
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE {where} ORDER BY {order} "
                "LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset)).fetchall()
        return [conversation_from_row(r) for r in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> Conversation:
        """Renaming does not count as activity: the conversation keeps its place in the list."""
        return self._update_conversation(conversation_id, "title = ?", (title.strip(),))

    def set_system_prompt(self, conversation_id: int, system_prompt: str) -> Conversation:
        return self._update_conversation(conversation_id, "system_prompt = ?", (system_prompt,))

    def thinking_budget(self, conversation_id: int) -> int | None:
        """The conversation's own thinking budget (``core.thinking``: -1 off, 0 unlimited, else tokens);
        None: it follows the setting."""
        with self._reading() as db:
            row = db.execute("SELECT budget FROM conversation_thinking WHERE conversation_id = ?",
                             (conversation_id,)).fetchone()
        return None if row is None else int(row[0])

    def set_thinking_budget(self, conversation_id: int, budget: int | None) -> None:
        """Keep the conversation's own thinking budget; None: follow the setting again."""
        if budget is not None and budget < -1:
            raise ValueError(f"thinking budget {budget}")
        with self._writing() as db:
            if budget is None:
                db.execute("DELETE FROM conversation_thinking WHERE conversation_id = ?", (conversation_id,))
            else:
                db.execute("INSERT INTO conversation_thinking (conversation_id, budget) VALUES (?, ?) "
                           "ON CONFLICT (conversation_id) DO UPDATE SET budget = excluded.budget",
                           (conversation_id, budget))

    def delete_conversation(self, conversation_id: int) -> Conversation:
        """Move to the trash (undo with ``restore_conversation``; ``purge_deleted`` empties the trash)."""
        return self._update_conversation(conversation_id, "deleted_at = COALESCE(deleted_at, ?)",
                                         (self._clock(),))

    def restore_conversation(self, conversation_id: int) -> Conversation:
        return self._update_conversation(conversation_id, "deleted_at = NULL", ())

    def purge_conversation(self, conversation_id: int) -> None:
        """Delete for good, with all messages (the foreign key cascades, the search index follows)."""
        with self._writing() as db:
            if db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount == 0:
                raise StoreError("store.not_found", f"conversation {conversation_id}")

    def purge_deleted(self, older_than_seconds: float = 0.0) -> int:
        """Empty the trash of conversations deleted at least ``older_than_seconds`` ago; returns how many."""
        with self._writing() as db:
            return db.execute("DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?",
                              (self._clock() - older_than_seconds,)).rowcount

    # -- messages: writing --

    def add_message(self, conversation_id: int, role: str, content: str, *, version_of: int | None = None,
                    **fields: Any) -> Message:
        """Append a message to the path shown (``fields``: see ``rows.message_values``); with
        ``version_of``, add it as a new version of that message instead (shown from now on). The first user
        message of an untitled conversation also names it."""
        with self._writing() as db:
            mid = self._insert_message(db, conversation_id, role, content, self._clock(), version_of=version_of,
                                       **fields)
        return self._settled(mid, fields.get("state"))

    def start_turn(self, conversation_id: int | None, question: str, *, system_prompt: str = "",
                   model: str = "", engine: str = "") -> Turn:
        """One message sent, in ONE transaction: the conversation (created when ``conversation_id`` is None),
        the question, the empty streaming reply to come. When any part fails, nothing of it is written."""
        now = self._clock()
        with self._writing() as db:
            if conversation_id is None:
                conversation_id = db.execute(INSERT_CONVERSATION, ("", system_prompt, now, now)).lastrowid
            qid = self._insert_message(db, conversation_id, "user", question, now)
            rid = self._insert_message(db, conversation_id, "assistant", "", now, model=model, engine=engine,
                                       state=MessageState.STREAMING)
        reply = self._settled(rid, MessageState.STREAMING)
        return Turn(self.get_conversation(conversation_id), self.get_message(qid), reply,
                    tuple(self.chat_history(conversation_id)))

    def begin_reply(self, conversation_id: int, model: str = "", engine: str = "", *,
                    version_of: int | None = None) -> Message:
        """An empty assistant message in state streaming, to be filled by ``update_streaming``; with
        ``version_of`` a new version of that reply (regenerate), which keeps the old one."""
        return self.add_message(conversation_id, "assistant", "", model=model, engine=engine, state="streaming",
                                version_of=version_of)

    def edit_message(self, message_id: int, content: str) -> Message:
        """Edit and resend: the edited text becomes a new version of the message; the old one and the
        replies that followed it are kept. The new version has no reply yet."""
        old = self.get_message(message_id)
        return self.add_message(old.conversation_id, old.role, content, version_of=message_id)

    def select_version(self, message_id: int, version: int) -> Message:
        """Show version ``version`` (1-based) of ``message_id``; returns it. What follows it is the path
        that was shown under that version last time. Not activity: the list order stays."""
        with self._writing() as db:
            chosen = tree.sibling(db, self._message(db, message_id).id, version)
            if chosen is None:
                raise StoreError("store.not_found", f"version {version} of message {message_id}")
            tree.choose(db, chosen)
            return self._message(db, chosen)

    def show_message(self, message_id: int) -> Message:
        """Choose the versions that put ``message_id`` on the path shown (e.g. for a search hit)."""
        with self._writing() as db:
            self._message(db, message_id)
            tree.choose_path_to(db, message_id)
            return self._message(db, message_id)

    def update_streaming(self, message_id: int, content: str, reasoning: str,
                         reasoning_seconds: float | None = None) -> None:
        """Save the reply so far (the whole text, so a lost flush is repaired by the next one)."""
        with self._lock:
            try:
                changed = self._conn.execute(
                    "UPDATE messages SET content = ?, reasoning = ?, reasoning_seconds = ? "
                    "WHERE id = ? AND state = 'streaming'",
                    (content, reasoning, reasoning_seconds, message_id)).rowcount
            except sqlite3.Error as exc:
                raise StoreError("store.write_failed", str(exc)) from exc
        if changed == 0:
            raise StoreError("store.not_found", f"no streaming message {message_id}")

    def finish_message(self, message_id: int, state: MessageState | str, *, content: str | None = None,
                       reasoning: str | None = None, reasoning_seconds: float | None = None,
                       stats: MessageStats | None = None, error_id: str | None = None,
                       error_params: Mapping[str, Any] | None = None) -> Message:
        """End a reply: complete, cancelled (text so far kept) or error. Now it becomes searchable."""
        state = MessageState(state)
        if state is MessageState.STREAMING:
            raise ValueError("finish_message needs a final state")
        sets = ["state = ?", "content = COALESCE(?, content)", "reasoning = COALESCE(?, reasoning)",
                "reasoning_seconds = COALESCE(?, reasoning_seconds)", "error_id = ?", "error_params = ?"]
        values: list[Any] = [state.value, content, reasoning, reasoning_seconds, error_id,
                             params_json(error_params)]
        if stats is not None:
            sets += ["prompt_tokens = ?", "completion_tokens = ?", "tokens_per_s = ?", "ttft_ms = ?",
                     "finish_reason = ?", "thinking_stopped_at = ?", "thinking_note = ?"]
            values += [stats.prompt_tokens, stats.completion_tokens, stats.tokens_per_s, stats.ttft_ms,
                       stats.finish_reason, stats.thinking_stopped_at, stats.thinking_note]
        with self._writing() as db:
            self._update_message(db, message_id, ", ".join(sets), values)
            self._live.discard(message_id)
            return self._message(db, message_id)

    def replace_content(self, message_id: int, content: str) -> Message:
        """Edit a message in place, without keeping the old text (``edit_message`` keeps it)."""
        with self._writing() as db:
            self._update_message(db, message_id, "content = ?", [content])
            return self._message(db, message_id)

    def delete_messages_after(self, conversation_id: int, position: int) -> int:
        """Delete every message after ``position``, of every version; returns how many."""
        with self._writing() as db:
            self._conversation(db, conversation_id)
            ids = [r[0] for r in db.execute("SELECT id FROM messages WHERE conversation_id = ? AND position > ?",
                                            (conversation_id, position))]
            db.execute("DELETE FROM messages WHERE conversation_id = ? AND position > ?",
                       (conversation_id, position))
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (self._clock(), conversation_id))
            self._live.difference_update(ids)
            return len(ids)

    def import_conversation(self, conversation: Conversation, messages: Sequence[Message]) -> Conversation:
        """Add a copy (e.g. from a JSON export) as a new conversation; ids and positions are new.

        Messages with distinct ids whose ``parent_id`` names an earlier one in the list keep their versions
        (``chosen`` says which is shown); otherwise each follows the one before it."""
        with self._writing() as db:
            cid = db.execute(INSERT_CONVERSATION, (conversation.title, conversation.system_prompt,
                                                   conversation.created_at, conversation.updated_at)).lastrowid
            tree.insert_copies(db, cid, messages)
            return self._conversation(db, cid)

    # -- internals --

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

    def _insert_message(self, db: sqlite3.Connection, conversation_id: int, role: str, content: str, now: float,
                        version_of: int | None = None, **fields: Any) -> int:
        """A new message at the end of the path shown, or with ``version_of`` beside that message."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        conv = self._conversation(db, conversation_id)
        if version_of is None:
            parent_id = (tree.leaf(db, conversation_id) or (None,))[0]
        else:
            parent_id = self._parent(db, version_of, conversation_id)
        db.execute("UPDATE messages SET chosen = 0 WHERE parent_id IS ? AND conversation_id = ?",
                   (parent_id, conversation_id))
        position = tree.position_under(db, parent_id)
        mid = db.execute(INSERT_MESSAGE, message_values(conversation_id, position, role, content, created_at=now,
                                                        parent_id=parent_id, **fields)).lastrowid
        if role == "user" and not conv.title:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?",
                       (title_from_question(content), conversation_id))
        db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return mid

    def _settled(self, message_id: int, state: MessageState | str | None) -> Message:
        """The message just committed; a streaming one is this store's own from now on (not interrupted)."""
        if state is not None and MessageState(state) is MessageState.STREAMING:
            self._live.add(message_id)
        return self.get_message(message_id)

    def _parent(self, db: sqlite3.Connection, message_id: int, conversation_id: int) -> int | None:
        try:
            cid, parent_id, _, _ = tree.parent_of(db, message_id)
        except KeyError:
            raise StoreError("store.not_found", f"message {message_id}") from None
        if cid != conversation_id:
            raise StoreError("store.not_found", f"message {message_id} in conversation {conversation_id}")
        return parent_id

    def _update_conversation(self, conversation_id: int, assignment: str, params: tuple[Any, ...]) -> Conversation:
        with self._writing() as db:
            db.execute(f"UPDATE conversations SET {assignment} WHERE id = ?", (*params, conversation_id))
            return self._conversation(db, conversation_id)

    def _update_message(self, db: sqlite3.Connection, message_id: int, assignment: str, values: list[Any]) -> None:
        row = db.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise StoreError("store.not_found", f"message {message_id}")
        db.execute(f"UPDATE messages SET {assignment} WHERE id = ?", (*values, message_id))
        db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (self._clock(), row[0]))
