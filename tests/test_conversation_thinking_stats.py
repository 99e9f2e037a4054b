"""What the thinking budget did to a reply, kept with the message (schema 4) on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import garble_search_index

from deepseek_desktop.core.conversations import database
from deepseek_desktop.core.conversations.database import SCHEMA_VERSION
from deepseek_desktop.core.conversations.reply_recorder import ReplyRecorder
from deepseek_desktop.core.conversations.store import ConversationStore, StoreError
from deepseek_desktop.core.conversations.types import MessageState, MessageStats
from deepseek_desktop.core.events import ReasoningDelta, Stats, TextDelta


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "conversations.sqlite3"


def record_reply(store: ConversationStore, cid: int, stats: Stats) -> int:
    """A reply written as the window writes one: streamed through a recorder, its stats at the end."""
    rec = ReplyRecorder.begin(store, cid, model="DeepSeek-R1-Distill-Qwen-1.5B", engine="llamacpp", interval=0.0)
    rec.add(ReasoningDelta("Erst überlegen, dann"))
    rec.add(TextDelta("Die Antwort."))
    rec.add(stats)
    return rec.finish("stop").id


def test_a_reply_keeps_where_the_budget_stopped_the_thinking(db_path):
    with ConversationStore(db_path) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Warum ist der Himmel blau?")
        cut = record_reply(store, cid, Stats(prompt_tokens=12, completion_tokens=1090, tokens_per_s=31.0,
                                             ttft_ms=90.0, thinking_stopped_at=1024))
        store.add_message(cid, "user", "Und nachts?")
        remote = record_reply(store, cid, Stats(completion_tokens=40, thinking_note="medium"))
        store.add_message(cid, "user", "Und am Mars?")
        plain = record_reply(store, cid, Stats(completion_tokens=30))
    with ConversationStore(db_path) as store:  # a new instance: what the next start reads
        stats = {m.id: m.stats for m in store.all_messages(cid)}
    assert stats[cut] == MessageStats(12, 1090, 31.0, 90.0, "stop", thinking_stopped_at=1024)
    assert (stats[remote].thinking_stopped_at, stats[remote].thinking_note) == (None, "medium")
    assert (stats[plain].thinking_stopped_at, stats[plain].thinking_note) == (None, None)


def test_a_note_no_engine_writes_is_not_kept(db_path):
    """``thinking_note`` is one of a few words (the remote engine's); anything else says nothing."""
    with ConversationStore(db_path) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Frage")
        mid = record_reply(store, cid, Stats(completion_tokens=3, thinking_note="<b>" + "x" * 10_000))
        assert store.get_message(mid).stats.thinking_note is None
    conn = sqlite3.connect(db_path)  # and a file edited by hand is read the same way
    conn.execute("UPDATE messages SET thinking_note = 'egal', thinking_stopped_at = 'viel' WHERE id = ?", (mid,))
    conn.commit()
    conn.close()
    with ConversationStore(db_path) as store:
        stats = store.get_message(mid).stats
    assert (stats.thinking_stopped_at, stats.thinking_note) == (None, None)


# The schema 3 tables, as that version's code created them (the FTS part is unchanged since).
_SCHEMA_3 = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '', system_prompt TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL, updated_at REAL NOT NULL, deleted_at REAL);
CREATE INDEX conversations_by_activity ON conversations (deleted_at, updated_at, id);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    chosen INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL DEFAULT '', reasoning TEXT NOT NULL DEFAULT '', reasoning_seconds REAL,
    state TEXT NOT NULL CHECK (state IN ('complete', 'streaming', 'cancelled', 'error')),
    model TEXT NOT NULL DEFAULT '', engine TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL,
    prompt_tokens INTEGER, completion_tokens INTEGER, tokens_per_s REAL, ttft_ms REAL, finish_reason TEXT,
    error_id TEXT, error_params TEXT);
CREATE INDEX messages_by_position ON messages (conversation_id, position);
CREATE INDEX messages_by_parent ON messages (parent_id, conversation_id, chosen, position);
CREATE INDEX messages_not_chosen ON messages (conversation_id) WHERE NOT chosen;
CREATE INDEX messages_streaming ON messages (state) WHERE state = 'streaming';
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE conversation_thinking (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    budget INTEGER NOT NULL CHECK (budget >= -1));
"""


def make_schema_3_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(_SCHEMA_3 + database._FTS_TABLES + database._FTS_TRIGGERS
                       + "INSERT INTO meta (key, value) VALUES ('fts', 'ok');")
    conn.execute("INSERT INTO conversations VALUES (1, 'Altes Gespräch', '', 1.0, 2.0, NULL)")
    conn.execute("INSERT INTO conversation_thinking VALUES (1, 256)")
    conn.execute("INSERT INTO messages (id, conversation_id, position, role, content, state, created_at) "
                 "VALUES (1, 1, 0, 'user', 'Eine alte Frage', 'complete', 1.0)")
    conn.execute("INSERT INTO messages (id, conversation_id, parent_id, position, role, content, state, "
                 "created_at, completion_tokens, finish_reason) "
                 "VALUES (2, 1, 1, 1, 'assistant', 'Eine alte Antwort', 'complete', 2.0, 7, 'stop')")
    conn.execute("PRAGMA user_version = 3")
    conn.close()


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts", "like"])
def test_a_database_of_schema_3_opens_and_keeps_the_budget_from_then_on(db_path, use_fts):
    make_schema_3_database(db_path)
    with ConversationStore(db_path, use_fts=use_fts) as store:
        old_question, old_reply = store.all_messages(1)
        assert (old_reply.content, old_reply.stats) == ("Eine alte Antwort", MessageStats(None, 7, None, None, "stop"))
        assert store.thinking_budget(1) == 256
        assert [h.message_id for h in store.search("alte Antwort")] == [old_reply.id]
        store.add_message(1, "user", "Eine neue Frage")
        new = record_reply(store, 1, Stats(completion_tokens=300, thinking_stopped_at=256))
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with ConversationStore(db_path, use_fts=use_fts) as store:  # once more: nothing to migrate, nothing lost
        assert [m.content for m in store.all_messages(1)] == [
            "Eine alte Frage", "Eine alte Antwort", "Eine neue Frage", "Die Antwort."]
        assert store.get_message(new).stats.thinking_stopped_at == 256


def test_a_database_of_schema_4_is_too_new_for_the_code_of_schema_3(db_path, monkeypatch):
    with ConversationStore(db_path) as store:
        store.add_message(store.create_conversation().id, "user", "Frage")
    before = db_path.read_bytes()
    monkeypatch.setattr(database, "SCHEMA_VERSION", 3)  # the check as the version before this one runs it
    with pytest.raises(StoreError) as err:
        ConversationStore(db_path)
    assert err.value.message_id == "store.too_new"
    assert db_path.read_bytes() == before


def test_a_damaged_database_is_rescued_with_the_budget_figures(db_path):
    with ConversationStore(db_path) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Frage")
        mid = record_reply(store, cid, Stats(completion_tokens=9, thinking_stopped_at=64))
    garble_search_index(db_path)  # the messages are intact
    with ConversationStore(db_path, find_cli=lambda: None) as store:
        [notice] = store.take_notices()
        assert notice.message_id == "store.corrupt_recovered"
        reply = store.get_message(mid)
        assert (reply.state, reply.stats.thinking_stopped_at) == (MessageState.COMPLETE, 64)
