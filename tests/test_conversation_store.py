"""The conversation store on real SQLite files: persistence, paging, trash, search, damage, crashes."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from deepseek_desktop.core.conversations.reply_recorder import ReplyRecorder
from deepseek_desktop.core.conversations.store import ConversationStore, StoreError
from deepseek_desktop.core.conversations.title import title_from_question
from deepseek_desktop.core.conversations.types import MessageState, MessageStats
from deepseek_desktop.core.events import Finished, LoadProgress, ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.requests import ChatMessage


class HandClock:
    """A clock moved by the test."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class StepClock:
    """A clock that moves one second per reading, so 'newest first' does not depend on timer resolution."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def db_path() -> Path:
    return AppPaths.default().database_file


@pytest.fixture
def store(db_path):
    s = ConversationStore(db_path, clock=StepClock())
    yield s
    s.close()


def fts_consistent(path: Path) -> None:
    """FTS5's own check that the index matches the messages and titles (valid when nothing streams).

    rank = 1 makes it compare with the content tables too; it raises "malformed" when they differ.
    """
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO title_fts (title_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


# -- basics and persistence --


def test_database_lives_in_the_data_folder_in_wal_mode(store, db_path, app_home):
    assert db_path.parent == app_home / "data"
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_every_field_survives_closing_and_reopening(db_path):
    with ConversationStore(db_path) as s:
        conv = s.create_conversation(system_prompt="Antworte kurz.")
        s.add_message(conv.id, "user", "Was ist MLA?")
        s.add_message(conv.id, "assistant", "Multi-head Latent Attention.", reasoning="Der Nutzer fragt nach MLA.",
                      reasoning_seconds=2.5, model="DeepSeek-R1-Distill-Qwen-7B-Q4_K_M", engine="llamacpp",
                      stats=MessageStats(31, 12, 42.5, 180.0, "stop"))
        s.add_message(conv.id, "assistant", "Teil", state=MessageState.ERROR, error_id="engine.crashed",
                      error_params={"detail": "x"})
        before = s.all_messages(conv.id)
    with ConversationStore(db_path) as s:
        after = s.all_messages(conv.id)
        again = s.get_conversation(conv.id)
    assert after == before
    assert [m.position for m in after] == [0, 1, 2]
    answer = after[1]
    assert (answer.reasoning, answer.reasoning_seconds, answer.model, answer.engine) == (
        "Der Nutzer fragt nach MLA.", 2.5, "DeepSeek-R1-Distill-Qwen-7B-Q4_K_M", "llamacpp")
    assert answer.stats == MessageStats(31, 12, 42.5, 180.0, "stop")
    assert after[2].state is MessageState.ERROR and after[2].error_id == "engine.crashed"
    assert after[2].error_params == {"detail": "x"}
    assert again.system_prompt == "Antworte kurz." and again.title == "Was ist MLA?"


def test_first_question_names_the_conversation_once(store):
    conv = store.create_conversation()
    store.add_message(conv.id, "user", "## Wie viel RAM braucht **DeepSeek-V3** mit Q4_K_M?")
    store.add_message(conv.id, "user", "Und mit Q2_K?")
    assert store.get_conversation(conv.id).title == "Wie viel RAM braucht DeepSeek-V3 mit Q4_K_M?"
    named = store.create_conversation(title="Mein Titel")
    store.add_message(named.id, "user", "Frage")
    assert store.get_conversation(named.id).title == "Mein Titel"


def test_title_from_question():
    assert title_from_question("  Hello   world  ") == "Hello world"
    long = title_from_question("Welche Quantisierung passt auf einen Mac mit 16 GB, wenn ich lange Texte schreibe?")
    assert long.endswith("…") and len(long) <= 61 and not long[:-1].endswith(" ")
    assert title_from_question("Why does this fail?\n```python\nraise ValueError\n```") == "Why does this fail?"
    assert title_from_question("```\nprint(1)\n```") == "print(1)"
    assert title_from_question("   ") == ""


def test_list_is_newest_activity_first_and_rename_keeps_the_place(store):
    a = store.create_conversation("A")
    b = store.create_conversation("B")
    c = store.create_conversation("C")
    assert [x.title for x in store.list_conversations()] == ["C", "B", "A"]
    store.add_message(a.id, "user", "neu")
    assert [x.title for x in store.list_conversations()] == ["A", "C", "B"]
    store.rename_conversation(b.id, "  B2 ")
    assert [x.title for x in store.list_conversations()] == ["A", "C", "B2"]
    assert [x.title for x in store.list_conversations(limit=2, offset=1)] == ["C", "B2"]
    assert store.set_system_prompt(c.id, "Sei knapp.").system_prompt == "Sei knapp."


def test_unknown_ids_and_roles_are_refused(store):
    with pytest.raises(StoreError) as err:
        store.get_conversation(999)
    assert err.value.message_id == "store.not_found"
    with pytest.raises(StoreError):
        store.add_message(999, "user", "x")
    with pytest.raises(StoreError):
        store.get_message(12345)
    conv = store.create_conversation()
    with pytest.raises(ValueError):
        store.add_message(conv.id, "tool", "x")
    assert store.message_count(conv.id) == 0


# -- trash --


def test_delete_is_undoable_until_purged(store, db_path):
    keep = store.create_conversation()
    store.add_message(keep.id, "user", "Bleibt da")
    gone = store.create_conversation()
    store.add_message(gone.id, "user", "Zwiebelkuchen Rezept")
    store.delete_conversation(gone.id)
    assert [c.id for c in store.list_conversations()] == [keep.id]
    assert [c.id for c in store.list_conversations(deleted=True)] == [gone.id]
    assert store.search("Zwiebelkuchen") == []
    assert store.message_count(gone.id) == 1  # still there for undo

    store.restore_conversation(gone.id)
    assert {c.id for c in store.list_conversations()} == {keep.id, gone.id}
    assert [h.conversation.id for h in store.search("Zwiebelkuchen")] == [gone.id]

    store.delete_conversation(gone.id)
    assert store.purge_deleted(older_than_seconds=3600) == 0  # deleted just now: kept
    assert store.purge_deleted() == 1
    with pytest.raises(StoreError):
        store.get_conversation(gone.id)
    assert store.message_count(gone.id) == 0  # the cascade took the messages
    assert store.list_conversations(deleted=True) == []
    fts_consistent(db_path)


# -- paging --


@pytest.fixture
def thousand(store):
    conv = store.create_conversation()
    for i in range(1000):
        store.add_message(conv.id, "user" if i % 2 == 0 else "assistant", f"Nachricht {i}")
    return conv


def test_paging_gives_the_newest_first_screen_and_older_pages(store, thousand):
    page = store.latest_messages(thousand.id, 50)
    assert [m.position for m in page] == list(range(950, 1000))
    assert page[-1].content == "Nachricht 999"
    older = store.messages_before(thousand.id, page[0].position, 50)
    assert [m.position for m in older] == list(range(900, 950))
    assert [m.position for m in store.messages_before(thousand.id, 30, 50)] == list(range(30))
    assert store.messages_before(thousand.id, 0, 50) == []
    assert store.message_count(thousand.id) == 1000


def test_paging_queries_use_the_parent_index(store, thousand, db_path):
    # a page is read along the path of versions shown: one step per message, from a parent to its children
    conn = sqlite3.connect(db_path)
    plan = " ".join(r[-1] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE parent_id = ? AND conversation_id = ? AND chosen",
        (1, thousand.id)))
    conn.close()
    assert "messages_by_parent" in plan and "SCAN" not in plan


# -- regenerate and edit --


def test_regenerate_and_edit_and_resend(store, db_path):
    conv = store.create_conversation()
    q1 = store.add_message(conv.id, "user", "Frage eins")
    store.add_message(conv.id, "assistant", "Antwort eins")
    q2 = store.add_message(conv.id, "user", "Frage zwei")
    store.add_message(conv.id, "assistant", "Antwort zwei")
    # regenerate the last answer
    assert store.delete_messages_after(conv.id, q2.position) == 1
    store.add_message(conv.id, "assistant", "Antwort zwei, neu")
    # edit the first question and resend
    edited = store.replace_content(q1.id, "Frage eins, besser")
    assert edited.content == "Frage eins, besser" and edited.position == q1.position
    assert store.delete_messages_after(conv.id, q1.position) == 3
    store.add_message(conv.id, "assistant", "Antwort auf die bessere Frage")
    msgs = store.all_messages(conv.id)
    assert [(m.position, m.content) for m in msgs] == [(0, "Frage eins, besser"), (1, "Antwort auf die bessere Frage")]
    assert [h.message_id for h in store.search("besser")] == [msgs[1].id]
    fts_consistent(db_path)


def test_chat_history_sends_content_not_reasoning_and_skips_failures(store):
    conv = store.create_conversation(system_prompt="Du bist hilfreich.")
    store.add_message(conv.id, "user", "Hallo")
    store.add_message(conv.id, "assistant", "Hallo!", reasoning="geheimer Gedankengang")
    store.add_message(conv.id, "user", "Erzähl mehr")
    store.add_message(conv.id, "assistant", "Es war einm", state=MessageState.CANCELLED)
    store.add_message(conv.id, "assistant", "", state=MessageState.ERROR, error_id="engine.crashed")
    store.add_message(conv.id, "user", "Weiter")
    history = store.chat_history(conv.id)
    assert history == [ChatMessage("system", "Du bist hilfreich."), ChatMessage("user", "Hallo"),
                       ChatMessage("assistant", "Hallo!"), ChatMessage("user", "Erzähl mehr"),
                       ChatMessage("assistant", "Es war einm"), ChatMessage("user", "Weiter")]


# -- streaming --


def test_streaming_reply_is_flushed_finished_and_then_searchable(store, db_path):
    conv = store.create_conversation()
    store.add_message(conv.id, "user", "Erkläre Mixture of Experts")
    clock = HandClock(10.0)
    rec = ReplyRecorder.begin(store, conv.id, model="sim", engine="simulator", interval=0.75, clock=clock)
    assert rec.add(LoadProgress(1.0)) is False
    assert rec.add(ReasoningDelta("Ich überlege, ")) is False
    clock.now = 10.5
    rec.add(ReasoningDelta("was Experten sind."))
    clock.now = 12.0
    assert rec.add(TextDelta("Ein Router wählt ")) is True  # text older than the interval: written
    clock.now = 12.1
    assert rec.add(TextDelta("pro Token wenige Experten.")) is False
    rec.add(Stats(prompt_tokens=9, completion_tokens=7, ttft_ms=120.0, tokens_per_s=33.0))
    live = store.get_message(rec.message_id)
    assert live.state is MessageState.STREAMING and not live.interrupted
    assert (live.content, live.reasoning_seconds) == ("Ein Router wählt ", 2.0)
    assert store.interrupted_messages() == []
    assert store.search("Router") == []  # not indexed while it streams
    assert rec.add(Finished("stop")) is False
    done = rec.finish("stop")
    assert done.state is MessageState.COMPLETE
    assert done.content == "Ein Router wählt pro Token wenige Experten."
    assert done.reasoning == "Ich überlege, was Experten sind."
    assert done.reasoning_seconds == 2.0  # first reasoning piece to first answer piece
    assert done.stats == MessageStats(9, 7, 33.0, 120.0, "stop")
    assert [h.message_id for h in store.search("router")] == [done.id]
    fts_consistent(db_path)


def test_recorder_writes_at_most_every_interval_and_on_the_timer():
    """The flush policy on a hand-moved clock (no real time involved)."""

    store = ConversationStore(AppPaths.default().database_file)
    conv = store.create_conversation()
    clock = HandClock(100.0)
    rec = ReplyRecorder.begin(store, conv.id, interval=0.75, clock=clock)
    for i in range(10):  # ten pieces within 0.5 s: nothing written yet
        clock.now += 0.05
        assert rec.add(TextDelta(f"w{i} ")) is False
    assert store.get_message(rec.message_id).content == ""
    clock.now += 0.4  # the model pauses; the worker's timer fires
    assert rec.flush_if_due() is True
    assert store.get_message(rec.message_id).content == rec.content
    assert rec.flush_if_due() is False  # nothing new
    clock.now += 0.1
    rec.add(TextDelta("Ende"))
    assert rec.flushes == 1 and store.get_message(rec.message_id).content.endswith("w9 ")
    cancelled = rec.finish("cancelled")
    assert cancelled.state is MessageState.CANCELLED and cancelled.content.endswith("Ende")
    store.close()


def test_a_killed_app_keeps_the_flushed_reply_as_interrupted(db_path):
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from deepseek_desktop.core.conversations.store import ConversationStore
        from deepseek_desktop.core.events import ReasoningDelta, TextDelta
        from deepseek_desktop.core.conversations.reply_recorder import ReplyRecorder
        store = ConversationStore(Path({str(db_path)!r}))
        conv = store.create_conversation()
        store.add_message(conv.id, "user", "Schreib ein Gedicht")
        rec = ReplyRecorder.begin(store, conv.id, model="m", engine="simulator", interval=0.0)
        rec.add(ReasoningDelta("Reime suchen"))
        rec.add(TextDelta("Rosen sind rot,"))
        print(conv.id, rec.message_id, flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        cid, mid = map(int, proc.stdout.readline().split())
    finally:
        proc.kill()  # SIGKILL: no clean-up, no checkpoint
        proc.wait()
        proc.stdout.close()
    with ConversationStore(db_path) as s:
        [cut] = s.interrupted_messages()
        assert (cut.id, cut.conversation_id) == (mid, cid)
        assert cut.interrupted and cut.state is MessageState.STREAMING
        assert (cut.content, cut.reasoning) == ("Rosen sind rot,", "Reime suchen")
        assert s.latest_messages(cid)[-1].interrupted
        settled = s.finish_message(mid, MessageState.CANCELLED)
        assert not settled.interrupted and settled.content == "Rosen sind rot,"
        assert s.interrupted_messages() == []


def test_a_reply_streaming_in_another_session_is_reported_as_interrupted(store, db_path):
    conv = store.create_conversation()
    rec = ReplyRecorder.begin(store, conv.id, interval=0.0)
    rec.add(TextDelta("halb"))
    with ConversationStore(db_path) as next_start:
        assert [m.id for m in next_start.interrupted_messages()] == [rec.message_id]
    assert not store.get_message(rec.message_id).interrupted


def test_store_built_on_one_thread_and_used_from_one_worker(db_path):
    store = ConversationStore(db_path)
    with ThreadPoolExecutor(max_workers=1) as worker:
        conv = worker.submit(store.create_conversation).result()
        futures = [worker.submit(store.add_message, conv.id, "user", f"m{i}") for i in range(20)]
        positions = [f.result().position for f in futures]
        worker.submit(store.close).result()
    assert positions == list(range(20))


# -- search --


@pytest.fixture(params=[True, False], ids=["fts5", "like"])
def search_store(request, db_path):
    s = ConversationStore(db_path, use_fts=request.param, clock=StepClock())
    assert s.search_uses_fts is request.param
    de = s.create_conversation()
    s.add_message(de.id, "user", "Wie groß ist der Speicherbedarf für Müllers Übersetzungsmodell?")
    s.add_message(de.id, "assistant", "Für die Übersetzung brauchst du etwa 16 GB Arbeitsspeicher.",
                  reasoning="Frankfurter Würstchen")
    en = s.create_conversation()
    s.add_message(en.id, "user", "How much memory does DeepSeek-R1 need on a laptop?")
    s.add_message(en.id, "assistant", "The 7B distill at Q4_K_M needs about 5 GB of memory.")
    titled = s.create_conversation("Kochrezepte")
    s.add_message(titled.id, "user", "Ein Rezept für Käsespätzle, bitte.")
    yield s, de, en, titled
    s.close()


@pytest.mark.parametrize("query,expected", [
    ("müller", "de"), ("MÜLLER", "de"), ("muller", "de"),  # case and accents do not matter
    ("übersetz", "de"), ("Ubersetzung", "de"),  # start of a word
    ("speicherbedarf groß", "de"),  # every word, in one message
    ("Käsespätzle", "titled"), ("kochrez", "titled"),  # message text and title
    ("deepseek-r1 laptop", "en"), ("Memory", "en"), ("q4_k_m", "en"),
])
def test_search_finds_words_in_german_and_english(search_store, query, expected):
    s, de, en, titled = search_store
    ids = {"de": de.id, "en": en.id, "titled": titled.id}
    assert [h.conversation.id for h in s.search(query)] == [ids[expected]]


def test_search_points_at_the_matching_message_with_highlights(search_store):
    s, de, en, _ = search_store
    [hit] = s.search("arbeitsspeicher")
    answer = s.latest_messages(de.id)[-1]
    assert hit.message_id == answer.id
    start, end = hit.highlights[0]
    assert hit.snippet[start:end].lower() == "arbeitsspeicher"
    [title_hit] = s.search("Kochrezepte")
    assert title_hit.message_id is None


def test_search_ignores_reasoning_trash_and_syntax(search_store):
    s, de, en, titled = search_store
    assert s.search("Würstchen") == []  # reasoning is not searched
    assert s.search("") == [] and s.search("  -- ") == []
    assert s.search('"memory') == [s.search("memory")[0]]  # a stray quote is a character, not syntax
    assert s.search("memory AND OR NEAR(") == []  # operators are plain words here: nothing has them all
    s.delete_conversation(en.id)
    assert s.search("memory") == []
    both = s.create_conversation()
    s.add_message(both.id, "user", "memory again")
    assert [h.conversation.id for h in s.search("memory")] == [both.id]


def test_fts_index_is_rebuilt_after_a_session_without_fts5(db_path):
    with ConversationStore(db_path, use_fts=True) as s:
        conv = s.create_conversation()
        s.add_message(conv.id, "user", "erste Nachricht über Quantisierung")
    with ConversationStore(db_path, use_fts=False) as s:  # e.g. a Python whose SQLite lacks FTS5
        s.add_message(conv.id, "assistant", "zweite Nachricht über Destillation")
        s.replace_content(s.latest_messages(conv.id)[0].id, "erste Nachricht über Experten")
        assert [h.conversation.id for h in s.search("destillation")] == [conv.id]
    with ConversationStore(db_path, use_fts=True) as s:
        assert [h.conversation.id for h in s.search("destillation")] == [conv.id]
        assert [h.conversation.id for h in s.search("experten")] == [conv.id]
        assert [h.message_id for h in s.search("quantisierung")] == [None]  # only the title has it now
    fts_consistent(db_path)


# -- damaged, foreign or unopenable files --


def test_garbage_database_is_moved_aside_and_a_new_one_started(db_path):
    db_path.parent.mkdir(parents=True)
    garbage = bytes(random.Random(7).getrandbits(8) for _ in range(16384))
    db_path.write_bytes(garbage)
    with ConversationStore(db_path) as s:
        [notice] = s.take_notices()
        assert notice.message_id == "store.corrupt"
        moved = Path(notice.params["path"])
        assert moved.name.startswith("conversations.sqlite3.corrupt-")
        assert moved.read_bytes() == garbage  # kept exactly as it was
        assert s.list_conversations() == []
        conv = s.create_conversation()
        s.add_message(conv.id, "user", "neu angefangen")
    with ConversationStore(db_path) as s:
        assert s.take_notices() == []
        assert len(s.list_conversations()) == 1


def test_truncated_database_is_moved_aside_and_what_is_readable_recovered(db_path):
    with ConversationStore(db_path) as s:
        for i in range(40):
            conv = s.create_conversation()
            for j in range(10):
                content = f"Gespräch {i}, Nachricht {j}: " + "Inhalt " * 80
                s.add_message(conv.id, "user" if j % 2 == 0 else "assistant", content)
    whole = db_path.read_bytes()
    db_path.write_bytes(whole[: len(whole) // 2])
    with ConversationStore(db_path) as s:
        [notice] = s.take_notices()
        assert notice.message_id == "store.corrupt_recovered"
        assert Path(notice.params["path"]).read_bytes() == whole[: len(whole) // 2]
        recovered = s.list_conversations()
        assert int(notice.params["conversations"]) == len(recovered) > 0
        assert int(notice.params["messages"]) == sum(s.message_count(c.id) for c in recovered)
        for conv in recovered:  # what came back is real data, in order, not garbage (a damaged page may
            msgs = s.all_messages(conv.id)  # have taken messages from the middle, so positions may skip)
            i = conv.title.split(",")[0].removeprefix("Gespräch ")
            assert [m.position for m in msgs] == sorted({m.position for m in msgs})
            assert [m.content for m in msgs] == [
                f"Gespräch {i}, Nachricht {m.position}: " + "Inhalt " * 80 for m in msgs]
        assert sum(s.message_count(c.id) for c in recovered) > 0
        s.add_message(s.create_conversation().id, "user", "geht wieder")


def test_database_from_a_newer_version_is_refused_and_left_alone(db_path):
    ConversationStore(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as err:
        ConversationStore(db_path)
    assert err.value.message_id == "store.too_new"
    assert db_path.read_bytes() == before
    assert [p.name for p in db_path.parent.iterdir() if "corrupt" in p.name] == []


def test_unopenable_database_path_is_an_error_not_a_move(db_path):
    db_path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(StoreError) as err:
        ConversationStore(db_path)
    assert err.value.message_id == "store.open_failed"
    assert db_path.is_dir() and len(os.listdir(db_path.parent)) == 1


def test_messages_table_keeps_only_known_roles_and_states(store, db_path):
    conv = store.create_conversation()
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO messages (conversation_id, position, role, state, created_at) "
                     "VALUES (?, 0, 'user', 'bogus', 0)", (conv.id,))
    conn.close()
    assert store.message_count(conv.id) == 0


def test_a_conversation_keeps_its_thinking_budget(tmp_path):
    """Kept with the conversation (schema 3), None follows the setting again, gone with the conversation."""
    path = tmp_path / "conversations.db"
    with ConversationStore(path) as store:
        a, b = store.create_conversation("a"), store.create_conversation("b")
        assert store.thinking_budget(a.id) is None
        store.set_thinking_budget(a.id, 1024)
        store.set_thinking_budget(a.id, -1)
        store.set_thinking_budget(b.id, 256)
    with ConversationStore(path) as store:
        assert (store.thinking_budget(a.id), store.thinking_budget(b.id)) == (-1, 256)
        store.set_thinking_budget(b.id, None)
        assert store.thinking_budget(b.id) is None
        with pytest.raises(ValueError):
            store.set_thinking_budget(a.id, -5)
        store.delete_conversation(a.id)
        store.purge_deleted()
        assert store.thinking_budget(a.id) is None
