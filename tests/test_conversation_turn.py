"""One message sent: ``ConversationStore.start_turn`` writes the conversation, the question and the
reply to come in one transaction, and the recorder carries the reply from there (real SQLite files)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from deepseek_desktop.core.conversations.reply_recorder import ReplyRecorder
from deepseek_desktop.core.conversations.store import ConversationStore, StoreError
from deepseek_desktop.core.conversations.types import MessageState
from deepseek_desktop.core.events import ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.requests import ChatMessage


@pytest.fixture
def db_path() -> Path:
    return AppPaths.default().database_file


@pytest.fixture
def store(db_path):
    s = ConversationStore(db_path)
    yield s
    s.close()


def counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM messages").fetchone()[0])


def test_first_message_creates_the_conversation_names_it_and_starts_the_reply(store, db_path):
    turn = store.start_turn(None, "Was ist MLA?", system_prompt="Antworte kurz.", model="sim", engine="simulator")
    conv = turn.conversation
    assert conv.title == "Was ist MLA?" and conv.system_prompt == "Antworte kurz."
    assert store.list_conversations() == [conv]
    q, r = turn.question, turn.reply
    assert (q.conversation_id, q.position, q.role, q.content, q.state) == (conv.id, 0, "user", "Was ist MLA?",
                                                                          MessageState.COMPLETE)
    assert (r.conversation_id, r.position, r.role, r.content) == (conv.id, 1, "assistant", "")
    assert r.state is MessageState.STREAMING and not r.interrupted, "this store streams it: not cut off"
    assert (r.model, r.engine) == ("sim", "simulator")
    assert turn.history == (ChatMessage("system", "Antworte kurz."), ChatMessage("user", "Was ist MLA?"))
    assert [m.id for m in store.all_messages(conv.id)] == [q.id, r.id]
    assert counts(db_path) == (1, 2)


def test_next_message_goes_into_the_same_conversation_and_keeps_its_title(store):
    first = store.start_turn(None, "Erste Frage")
    rec = ReplyRecorder.for_message(store, first.reply)
    rec.collect(TextDelta("Erste Antwort"))
    rec.finish("stop")
    second = store.start_turn(first.conversation.id, "Zweite Frage")
    assert second.conversation.id == first.conversation.id and second.conversation.title == "Erste Frage"
    assert (second.question.position, second.reply.position) == (2, 3)
    assert [m.content for m in second.history] == ["Erste Frage", "Erste Antwort", "Zweite Frage"]


def test_a_failure_in_the_middle_of_a_turn_leaves_nothing_half_written(store, db_path):
    # the last insert of the turn (the reply) fails, as a full disk would fail it
    with sqlite3.connect(db_path) as other:
        other.execute("CREATE TRIGGER no_reply BEFORE INSERT ON messages WHEN NEW.role = 'assistant' "
                      "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(StoreError) as failed:
        store.start_turn(None, "Geht verloren?", system_prompt="S")
    assert failed.value.message_id == "store.write_failed"
    assert counts(db_path) == (0, 0), "neither the conversation nor the question was kept"
    existing = store.create_conversation("Alt")
    with pytest.raises(StoreError):
        store.start_turn(existing.id, "Auch nicht")
    assert store.all_messages(existing.id) == [] and store.get_conversation(existing.id).title == "Alt"


def test_a_turn_for_a_missing_conversation_writes_nothing(store, db_path):
    with pytest.raises(StoreError) as failed:
        store.start_turn(4711, "Wohin?")
    assert failed.value.message_id == "store.not_found"
    assert counts(db_path) == (0, 0)


def test_the_recorder_holds_the_reply_and_finish_returns_the_final_record(store):
    turn = store.start_turn(None, "Erkläre MoE")
    clock = [10.0]
    rec = ReplyRecorder.for_message(store, turn.reply, interval=0.75, clock=lambda: clock[0])
    assert rec.position == turn.reply.position
    assert rec.collect(ReasoningDelta("Hm, ")) is False  # collecting never writes
    clock[0] = 11.0
    assert rec.collect(TextDelta("Ein Router ")) is True, "due: the window asks the store's thread to write"
    assert rec.collect(TextDelta("wählt ")) is False, "asked once, not again for every piece"
    assert store.get_message(rec.message_id).content == ""
    rec.flush()
    assert store.get_message(rec.message_id).content == "Ein Router wählt "
    rec.collect(TextDelta("Experten."))
    rec.collect(Stats(prompt_tokens=3, completion_tokens=4))
    assert rec.text.content == "Ein Router wählt Experten." and rec.text.reasoning == "Hm, "
    final = rec.finish("stop")
    assert final == store.get_message(rec.message_id)
    assert final.state is MessageState.COMPLETE and final.content == "Ein Router wählt Experten."
    assert final.reasoning_seconds == 1.0 and final.stats.completion_tokens == 4
