"""A damaged conversation database: what SQLite can still read comes back, the user is told how much,
and the damaged file is kept. Real SQLite files built by the real store, damaged on disk."""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from deepseek_desktop.core.conversations.salvage import find_sqlite_cli
from deepseek_desktop.core.conversations.store import ConversationStore
from deepseek_desktop.core.conversations.types import MessageStats
from deepseek_desktop.core.paths import AppPaths

WORDS = ("Quantisierung Kontextfenster Speicher Antwort Modell Schicht Aufmerksamkeit Experte Router Cache "
         "token latency memory layer expert weights prompt reply context window 量化 模型 上下文").split()


@dataclass(frozen=True)
class Chats:
    data: bytes  # the database file, checkpointed (no -wal)
    middle: int  # offset of the middle page of the messages table (the middle of the file is the search index)
    messages: dict[int, tuple[int, int, str, str, str]]  # id -> conversation, position, role, content, reasoning
    titles: dict[int, str]


@pytest.fixture(scope="module")
def chats(tmp_path_factory) -> Chats:
    """About 1,000 messages in 120 conversations, written the way the app writes them: conversations
    interleaved over time, short questions, replies from a few words to several pages (overflow pages)."""
    path = tmp_path_factory.mktemp("chats") / "conversations.sqlite3"
    rnd = random.Random(2026)
    messages, titles = {}, {}
    with ConversationStore(path) as store:
        open_convs: list[int] = []
        for _ in range(1000):
            if not open_convs or (len(titles) < 120 and rnd.random() < 0.13):
                conv = store.create_conversation()
                titles[conv.id] = ""
                open_convs.append(conv.id)
            cid = rnd.choice(open_convs[-6:])  # a few chats are active at a time
            role = "user" if store.message_count(cid) % 2 == 0 else "assistant"
            size = rnd.choice((8, 30, 120, 400, 1500)) if role == "assistant" else rnd.randint(4, 40)
            content = " ".join(rnd.choice(WORDS) for _ in range(size))
            reasoning = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 60))) if role == "assistant" else ""
            stats = MessageStats(prompt_tokens=rnd.randint(10, 900), completion_tokens=size, tokens_per_s=42.5,
                                 ttft_ms=180.0, finish_reason="stop") if role == "assistant" else None
            m = store.add_message(cid, role, content, reasoning=reasoning, model="gemma-3-270m", engine="llamacpp",
                                  stats=stats)
            messages[m.id] = (cid, m.position, role, content, reasoning)
        titles = {c.id: c.title for c in store.list_conversations()}
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [p for (p,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'messages' ORDER BY pageno")]
    conn.close()
    assert len(messages) == 1000 and len(titles) >= 100
    return Chats(path.read_bytes(), (pages[len(pages) // 2] - 1) * page_size, messages, titles)


def damage(chats: Chats, how: str) -> bytes:
    data = chats.data
    if how == "half":
        return data[: len(data) // 2]
    return data[:chats.middle] + random.Random(40).randbytes(40 * 1024) + data[chats.middle + 40 * 1024:]


def readable_ids(path: Path, table: str, ids) -> set[int]:
    """Which of the original rows SQLite can still read whole from the damaged file, asked one by one."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    conn.execute("PRAGMA writable_schema = ON")  # the schema may name pages that are gone
    found = set()
    for rowid in ids:
        try:
            if conn.execute(f"SELECT * FROM {table} WHERE id = ?", (rowid,)).fetchone():
                found.add(rowid)
        except sqlite3.DatabaseError:
            pass
    conn.close()
    return found


def check_recovered(store: ConversationStore, chats: Chats, damaged: bytes, *, exact: bool = True
                    ) -> tuple[int, int]:
    """Assert the notice, the kept original and that every row is exactly what was written."""
    [notice] = store.take_notices()
    assert notice.message_id == "store.corrupt_recovered"
    moved = Path(notice.params["path"])
    assert moved.name.startswith("conversations.sqlite3.corrupt-") and moved.read_bytes() == damaged
    convs = store.list_conversations()
    got = {}
    for conv in convs:
        for m in store.all_messages(conv.id):
            got[m.id] = (conv.id, m.position, m.role, m.content, m.reasoning)
    assert all(chats.messages[mid] == row for mid, row in got.items())  # nothing garbled
    readable = readable_ids(moved, "messages", chats.messages)
    readable_convs = readable_ids(moved, "conversations", chats.titles)
    # nothing readable is left behind (.recover also finds rows the damaged tree no longer leads to)
    assert (set(got) == readable) if exact else (set(got) >= readable)
    # a message whose conversation row is lost keeps an untitled conversation of its own
    assert {c.id for c in convs} == readable_convs | {row[0] for row in got.values()}
    for conv in convs:
        assert conv.title == (chats.titles[conv.id] if conv.id in readable_convs else "")
    assert (notice.params["conversations"], notice.params["messages"]) == (str(len(convs)), str(len(got)))
    assert f"{len(convs)} conversations with {len(got)} messages were recovered" in notice.text()
    return len(convs), len(got)


@pytest.fixture
def no_cli(monkeypatch, tmp_path):
    """Point the lookup for the sqlite3 shell at an empty folder: the row-by-row rescue runs."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert find_sqlite_cli() is None


@pytest.mark.parametrize("how", ["half", "garbage"])
def test_row_by_row_rescue_recovers_every_readable_message(chats, how, no_cli):
    db = AppPaths.default().database_file
    db.parent.mkdir(parents=True)
    damaged = damage(chats, how)
    db.write_bytes(damaged)
    with ConversationStore(db) as store:
        n_conv, n_msg = check_recovered(store, chats, damaged)
        if how == "half":  # about half the file's pages: about half of everything
            assert n_conv > 60 and n_msg > 400
        else:  # 40 KB of garbage costs only the rows on those ten pages
            assert n_conv > 110 and n_msg > 900
        store.add_message(store.create_conversation().id, "user", "geht weiter")
    with ConversationStore(db) as store:
        assert store.take_notices() == []
        assert len(store.list_conversations()) == n_conv + 1


def _recover_works(cli: str | None, tmp: Path) -> bool:
    if cli is None:
        return False
    probe = tmp / "probe.sqlite3"
    sqlite3.connect(probe).execute("CREATE TABLE t (x)").connection.close()
    run = subprocess.run([cli, str(probe), ".recover"], capture_output=True, text=True, timeout=60)
    return run.returncode == 0 and "CREATE TABLE" in run.stdout


def test_a_sqlite3_shell_whose_recover_fails_is_not_trusted(chats, tmp_path, caplog):
    """Debian 12's sqlite3 lacks the sqlite_dbpage table .recover needs ("SQL logic error")."""
    cli = find_sqlite_cli()
    if cli is None or _recover_works(cli, tmp_path):
        pytest.skip("needs a sqlite3 shell on PATH whose .recover fails")
    db = AppPaths.default().database_file
    db.parent.mkdir(parents=True)
    damaged = damage(chats, "garbage")
    db.write_bytes(damaged)
    with caplog.at_level(logging.WARNING), ConversationStore(db) as store:
        check_recovered(store, chats, damaged)
    assert ".recover failed" in caplog.text
    assert not [p for p in db.parent.iterdir() if p.name.startswith(".recover-")]  # its scratch files are gone


@pytest.mark.parametrize("how", ["half", "garbage"])
def test_rescue_through_the_sqlite3_shell_recover(chats, how, tmp_path, caplog):
    cli = find_sqlite_cli()
    if not _recover_works(cli, tmp_path):
        pytest.skip("no sqlite3 shell with a working .recover on PATH (Debian 12's lacks sqlite_dbpage)")
    db = AppPaths.default().database_file
    db.parent.mkdir(parents=True)
    damaged = damage(chats, how)
    db.write_bytes(damaged)
    with caplog.at_level(logging.INFO), ConversationStore(db) as store:
        check_recovered(store, chats, damaged, exact=False)
    assert "(recover)" in caplog.text


def test_a_database_with_its_first_page_destroyed_starts_afresh_and_keeps_the_file(chats, no_cli):
    db = AppPaths.default().database_file
    db.parent.mkdir(parents=True)
    damaged = os.urandom(4096) + chats.data[4096:]
    db.write_bytes(damaged)
    with ConversationStore(db) as store:
        [notice] = store.take_notices()
        assert notice.message_id == "store.corrupt"
        assert Path(notice.params["path"]).read_bytes() == damaged
        assert store.list_conversations() == []



def test_a_damaged_file_and_its_wal_are_kept_byte_for_byte_and_the_wal_rows_recovered(tmp_path, no_cli):
    """The app died (its -wal not yet copied into the file), then the file was damaged. Closing a
    read-write connection would checkpoint the -wal into the damaged file; nothing may change it."""
    live = tmp_path / "live" / "conversations.sqlite3"
    store = ConversationStore(live)
    for i in range(30):
        conv = store.create_conversation()
        for j in range(10):
            store.add_message(conv.id, "user" if j % 2 == 0 else "assistant", f"{i}/{j} " + "Wort " * 300)
    sqlite3.connect(live).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    for i in range(5):  # these are only in the -wal
        store.add_message(store.create_conversation().id, "user", f"spät {i}")
    db = AppPaths.default().database_file
    db.parent.mkdir(parents=True)
    for suffix in ("", "-wal", "-shm"):  # the files as a crash leaves them
        (db.parent / (db.name + suffix)).write_bytes((live.parent / (live.name + suffix)).read_bytes())
    store.close()
    whole = db.read_bytes()
    db.write_bytes(whole[: len(whole) // 2])
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.name != "conversations.sqlite3-shm"}
    assert len(before["conversations.sqlite3-wal"]) > 0
    with ConversationStore(db) as store:
        [notice] = store.take_notices()
        assert notice.message_id == "store.corrupt_recovered"
        moved = Path(notice.params["path"])
        titles = [c.title for c in store.list_conversations()]
        assert [f"spät {i}" for i in range(5)] == sorted(t for t in titles if t.startswith("spät"))
    for name, data in before.items():
        assert (db.parent / name.replace("conversations.sqlite3", moved.name)).read_bytes() == data
