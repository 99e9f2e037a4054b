"""Versions of messages on real SQLite files: regenerate and edit keep the old ones, the chosen version
is what is shown, sent, exported and searched, and all of it survives a restart (reopening the store)
and the migration of a database from before versions existed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import garble_search_index

from deepseek_desktop.core.conversations.database import SCHEMA_VERSION
from deepseek_desktop.core.conversations.export import export_conversation, read_json_export
from deepseek_desktop.core.conversations.reply_recorder import ReplyRecorder
from deepseek_desktop.core.conversations.store import ConversationStore, StoreError
from deepseek_desktop.core.conversations.types import MessageState
from deepseek_desktop.core.requests import ChatMessage


class StepClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "data" / "conversations.sqlite3"


def open_store(path: Path, use_fts: bool | None = None) -> ConversationStore:
    return ConversationStore(path, clock=StepClock(), use_fts=use_fts)


def reply(store: ConversationStore, cid: int, text: str, version_of: int | None = None):
    """A reply streamed and finished the way the chat does it."""
    recorder = ReplyRecorder.begin(store, cid, model="m", version_of=version_of)
    store.update_streaming(recorder.message_id, text, "")
    return store.finish_message(recorder.message_id, MessageState.COMPLETE, content=text)


def shown(store: ConversationStore, cid: int) -> list[tuple[str, int, int]]:
    return [(m.content, m.version, m.versions) for m in store.all_messages(cid)]


def history(store: ConversationStore, cid: int) -> list[str]:
    return [m.content for m in store.chat_history(cid)]


def test_regenerate_keeps_every_reply_and_the_choice_survives_a_restart(db_path):
    with open_store(db_path) as store:
        cid = store.create_conversation().id
        q = store.add_message(cid, "user", "Wie hoch ist der Mount Everest?")
        a1 = reply(store, cid, "8848 m")
        a2 = reply(store, cid, "8849 m", version_of=a1.id)
        a3 = reply(store, cid, "Knapp 8,85 km", version_of=a1.id)
        assert (a3.version, a3.versions, a3.parent_id) == (3, 3, q.id)
        assert shown(store, cid) == [("Wie hoch ist der Mount Everest?", 1, 1), ("Knapp 8,85 km", 3, 3)]
        assert store.select_version(a3.id, 2).id == a2.id
        assert shown(store, cid)[-1] == ("8849 m", 2, 3)
        assert store.message_count(cid) == 2
    with open_store(db_path) as store:  # a restart
        assert shown(store, cid)[-1] == ("8849 m", 2, 3)
        assert history(store, cid) == ["Wie hoch ist der Mount Everest?", "8849 m"]
        # the conversation continues from the version shown
        store.add_message(cid, "user", "Und in Fuß?")
        assert history(store, cid)[-2:] == ["8849 m", "Und in Fuß?"]
        store.select_version(a2.id, 1)
        assert history(store, cid) == ["Wie hoch ist der Mount Everest?", "8848 m"]  # that branch has no follow-up
        store.select_version(a1.id, 2)
        assert history(store, cid)[-1] == "Und in Fuß?"  # and back: the follow-up is still under version 2


def test_regenerating_sends_the_history_before_the_reply_only(db_path):
    with open_store(db_path) as store:
        cid = store.create_conversation(system_prompt="Sei kurz.").id
        store.add_message(cid, "user", "Hallo")
        a1 = reply(store, cid, "Hallo!")
        recorder = ReplyRecorder.begin(store, cid, version_of=a1.id)
        # the new version is streaming: what the model is sent stops before it, without the old reply
        assert store.chat_history(cid) == [ChatMessage("system", "Sei kurz."), ChatMessage("user", "Hallo")]
        assert store.get_message(recorder.message_id).versions == 2


def test_edit_and_resend_keeps_the_old_question_with_its_replies(db_path):
    with open_store(db_path) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Frage eins")
        reply(store, cid, "Antwort eins")
        q2 = store.add_message(cid, "user", "Frage zwei")
        reply(store, cid, "Antwort zwei")
        q2b = store.edit_message(q2.id, "Frage zwei, besser")
        assert (q2b.version, q2b.versions, q2b.position, q2b.role) == (2, 2, q2.position, "user")
        assert [c for c, *_ in shown(store, cid)] == ["Frage eins", "Antwort eins", "Frage zwei, besser"]
        reply(store, cid, "Antwort auf die bessere Frage")
        store.select_version(q2b.id, 1)
        assert [c for c, *_ in shown(store, cid)] == ["Frage eins", "Antwort eins", "Frage zwei", "Antwort zwei"]
    with open_store(db_path) as store:
        assert shown(store, cid)[2:] == [("Frage zwei", 1, 2), ("Antwort zwei", 1, 1)]
        store.select_version(q2.id, 2)
        assert history(store, cid)[2:] == ["Frage zwei, besser", "Antwort auf die bessere Frage"]
        assert len(store.all_versions(cid)) == 6


def test_paging_follows_the_versions_shown(db_path):
    with open_store(db_path) as store:
        cid = store.create_conversation().id
        first = store.add_message(cid, "user", "0")
        for i in range(1, 10):
            store.add_message(cid, "user" if i % 2 == 0 else "assistant", str(i))
        store.edit_message(first.id, "0 neu")
        for i in range(1, 4):
            store.add_message(cid, "user" if i % 2 == 0 else "assistant", f"{i} neu")
        assert [m.content for m in store.latest_messages(cid, 2)] == ["2 neu", "3 neu"]
        assert [m.content for m in store.messages_before(cid, 2, 5)] == ["0 neu", "1 neu"]
        store.select_version(first.id, 1)
        assert [m.content for m in store.latest_messages(cid, 3)] == ["7", "8", "9"]
        assert [m.content for m in store.messages_before(cid, 7, 2)] == ["5", "6"]
        assert store.message_count(cid) == 10


def test_a_version_that_does_not_exist_is_refused(db_path):
    with open_store(db_path) as store:
        cid = store.create_conversation().id
        q = store.add_message(cid, "user", "Hallo")
        for version in (0, 2):
            with pytest.raises(StoreError) as err:
                store.select_version(q.id, version)
            assert err.value.message_id == "store.not_found"
        other = store.create_conversation().id
        with pytest.raises(StoreError):
            store.begin_reply(other, version_of=q.id)  # a message of another conversation
        assert store.message_count(other) == 0


def test_json_export_carries_every_version_and_markdown_the_one_shown(db_path, tmp_path):
    with open_store(db_path) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Nenne eine Farbe")
        a1 = reply(store, cid, "Blau")
        reply(store, cid, "Grün", version_of=a1.id)
        store.select_version(a1.id, 1)
        store.add_message(cid, "user", "Noch eine")
        reply(store, cid, "Rot")
        md = export_conversation(store, cid, tmp_path / "c.md", "markdown").read_text(encoding="utf-8")
        assert "Blau" in md and "Grün" not in md and "Rot" in md
        js = export_conversation(store, cid, tmp_path / "c.json", "json").read_text(encoding="utf-8")
        data = json.loads(js)
        assert data["version"] == 2
        by_text = {m["content"]: m for m in data["messages"]}
        assert by_text["Blau"]["parent"] == by_text["Grün"]["parent"] == by_text["Nenne eine Farbe"]["id"]
        assert (by_text["Blau"]["chosen"], by_text["Grün"]["chosen"]) == (True, False)
        conv, messages = read_json_export(js)
        copy = store.import_conversation(conv, messages)
        assert [c for c, *_ in shown(store, copy.id)] == ["Nenne eine Farbe", "Blau", "Noch eine", "Rot"]
        assert shown(store, copy.id)[1] == ("Blau", 1, 2)
        store.select_version(store.all_messages(copy.id)[1].id, 2)
        assert [c for c, *_ in shown(store, copy.id)] == ["Nenne eine Farbe", "Grün"]


def test_json_export_of_format_1_is_read_as_one_path(db_path):
    old = {"format": "deepseek-desktop.conversation", "version": 1,
           "conversation": {"title": "Alt", "system_prompt": "", "created_at": 1.0, "updated_at": 2.0},
           "messages": [{"role": "user", "content": "Frage", "created_at": 1.0},
                        {"role": "assistant", "content": "Antwort", "created_at": 2.0}]}
    conv, messages = read_json_export(json.dumps(old))
    with open_store(db_path) as store:
        copy = store.import_conversation(conv, messages)
        assert shown(store, copy.id) == [("Frage", 1, 1), ("Antwort", 1, 1)]


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts", "like"])
def test_search_finds_every_version_and_says_which(db_path, use_fts):
    with open_store(db_path, use_fts) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Welche Hauptstadt?")
        a1 = reply(store, cid, "Canberra liegt in Australien")
        reply(store, cid, "Wellington liegt in Neuseeland", version_of=a1.id)
        [hit] = store.search("Canberra")
        assert (hit.message_id, hit.version, hit.versions, hit.shown) == (a1.id, 1, 2, False)
        [hit] = store.search("Wellington")
        assert (hit.version, hit.versions, hit.shown) == (2, 2, True)
        store.show_message(a1.id)  # opening the hit shows that version
        assert history(store, cid)[-1] == "Canberra liegt in Australien"
        assert store.search("Canberra")[0].shown


# The schema of version 1 (before versions), as that version's code created it.
_SCHEMA_1 = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '', system_prompt TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL, updated_at REAL NOT NULL, deleted_at REAL);
CREATE INDEX conversations_by_activity ON conversations (deleted_at, updated_at, id);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL DEFAULT '', reasoning TEXT NOT NULL DEFAULT '', reasoning_seconds REAL,
    state TEXT NOT NULL CHECK (state IN ('complete', 'streaming', 'cancelled', 'error')),
    model TEXT NOT NULL DEFAULT '', engine TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL,
    prompt_tokens INTEGER, completion_tokens INTEGER, tokens_per_s REAL, ttft_ms REAL, finish_reason TEXT,
    error_id TEXT, error_params TEXT,
    UNIQUE (conversation_id, position));
CREATE INDEX messages_streaming ON messages (state) WHERE state = 'streaming';
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE message_fts USING fts5 (
    content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE title_fts USING fts5 (
    title, content='conversations', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.state != 'streaming' BEGIN
    INSERT INTO message_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO title_fts (rowid, title) VALUES (new.id, new.title);
END;
INSERT INTO meta (key, value) VALUES ('fts', 'ok');
PRAGMA user_version = 1;
"""


def make_schema_1_database(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA_1)
    for cid, title in ((1, "Erstes Gespräch"), (2, "Zweites Gespräch")):
        conn.execute("INSERT INTO conversations VALUES (?, ?, '', 1.0, 2.0, NULL)", (cid, title))
        for pos in range(4):
            conn.execute("INSERT INTO messages (conversation_id, position, role, content, state, created_at, "
                         "completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (cid, pos, "user" if pos % 2 == 0 else "assistant", f"Gespräch {cid} Nachricht {pos}",
                          "complete" if pos < 3 or cid == 1 else "streaming", 1.0 + pos, 10 + pos))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts", "like"])
def test_a_database_of_schema_1_becomes_one_path_per_conversation(db_path, use_fts):
    make_schema_1_database(db_path)
    with open_store(db_path, use_fts) as store:
        assert [c.title for c in store.list_conversations()] == ["Zweites Gespräch", "Erstes Gespräch"]
        msgs = store.all_messages(1)
        assert [m.content for m in msgs] == [f"Gespräch 1 Nachricht {i}" for i in range(4)]
        assert [m.parent_id for m in msgs] == [None, *(m.id for m in msgs[:-1])]
        assert [(m.version, m.versions) for m in msgs] == [(1, 1)] * 4
        assert msgs[3].stats.completion_tokens == 13
        assert [m.interrupted for m in store.all_messages(2)] == [False, False, False, True]
        assert store.search("Nachricht 2")  # the search index came through
        a4 = reply(store, 1, "Neu erzeugt", version_of=msgs[3].id)  # versions work on old conversations
        assert (a4.version, a4.versions, a4.position) == (2, 2, 3)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    with open_store(db_path) as store:  # and once more: nothing to migrate, nothing lost
        assert [m.content for m in store.all_messages(1)][-1] == "Neu erzeugt"
        assert store.search("erzeugt")[0].version == 2
        [cut_off] = store.interrupted_messages()
        store.finish_message(cut_off.id, MessageState.CANCELLED)  # kept by the user: now it is searchable
        assert {h.conversation.id for h in store.search("Nachricht 3")} == {1, 2}
    conn = sqlite3.connect(db_path)  # the search index matches the messages (FTS5's own check)
    conn.execute("INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()


def test_deleting_a_conversation_removes_every_version(db_path):
    with open_store(db_path) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Frage")
        a1 = reply(store, cid, "Eins")
        reply(store, cid, "Zwei", version_of=a1.id)
        store.purge_conversation(cid)
        assert store.search("Zwei") == [] and store.search("Eins") == []


def test_a_damaged_database_is_rescued_with_its_versions(db_path):
    with open_store(db_path) as store:
        cid = store.create_conversation().id
        store.add_message(cid, "user", "Frage")
        a1 = reply(store, cid, "Erste Antwort")
        reply(store, cid, "Zweite Antwort", version_of=a1.id)
        store.add_message(cid, "user", "Anderer Weg")  # under the second answer
        store.select_version(a1.id, 1)
        store.add_message(cid, "user", "Weiter")
    garble_search_index(db_path)  # the messages are intact
    with ConversationStore(db_path, find_cli=lambda: None) as store:
        [notice] = store.take_notices()
        assert notice.message_id == "store.corrupt_recovered"
        assert shown(store, cid) == [("Frage", 1, 1), ("Erste Antwort", 1, 2), ("Weiter", 1, 1)]
        store.select_version(a1.id, 2)  # each answer kept the branch that followed it
        assert shown(store, cid)[1:] == [("Zweite Antwort", 2, 2), ("Anderer Weg", 1, 1)]
