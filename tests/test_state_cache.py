"""Saved conversation states: the file format and its checks, the memory and disk budgets, removal."""

from __future__ import annotations

import logging
import os
import struct

import pytest

from deepseek_desktop.core import kv_state_files as files
from deepseek_desktop.engines.state_cache import MIN_GAIN, StateCache, common_prefix

MODEL, SETTINGS = files.digest("model"), files.digest("settings")
MODEL_PATH = "/models/m.gguf"
TOKENS = list(range(1, 101))
DATA = bytes(range(256)) * 40


def cache(folder, **kw) -> StateCache:
    args = {"disk_bytes": 1 << 30, "memory_bytes": 1 << 30, "model_id": MODEL, "settings_id": SETTINGS} | kw
    return StateCache(folder, MODEL_PATH, **args)


def saved(folder, key="conversation:1", tokens=TOKENS, data=DATA) -> os.PathLike:
    c = cache(folder)
    c.put(key, tokens, data, persist=True)
    c.close()
    (path,) = [p for p in folder.iterdir() if p.name.endswith(files.SUFFIX) and files.key_tag(key) in p.name]
    return path


def test_a_file_round_trips_and_is_found_for_a_longer_prompt(tmp_path):
    path = saved(tmp_path)
    header = files.read_header(path, MODEL, SETTINGS)
    assert header.tokens == tuple(TOKENS)
    assert files.read_data(path, header) == DATA
    fresh = cache(tmp_path)  # a new process: nothing in memory
    found = fresh.best(TOKENS + [7, 8, 9], have=0)
    assert found is not None and found.source == "disk" and found.shared == len(TOKENS)
    assert found.read() == DATA


def test_nothing_is_offered_when_it_spares_too_little(tmp_path):
    c = cache(tmp_path)
    c.put("k", TOKENS, DATA, persist=False)
    assert c.best(TOKENS, have=len(TOKENS) - MIN_GAIN + 1) is None  # the context already holds nearly all
    assert c.best([999] + TOKENS, have=0) is None  # nothing in common
    assert c.best(TOKENS[:50] + [999], have=0).shared == 50


def _rewrite(path, change):
    raw = bytearray(path.read_bytes())
    change(raw)
    path.write_bytes(bytes(raw))


BAD = {
    "truncated": lambda raw: raw.__delitem__(slice(len(raw) - 10, None)),
    "too_long": lambda raw: raw.extend(b"more"),
    "short_header": lambda raw: raw.__delitem__(slice(40, None)),
    "not_a_state_file": lambda raw: raw.__setitem__(slice(0, 8), b"GGUF\0\0\0\0"),
    "other_version": lambda raw: raw.__setitem__(slice(8, 12), struct.pack("<I", 99)),
    "foreign_model": lambda raw: raw.__setitem__(slice(12, 44), files.digest("another model")),
    "other_settings": lambda raw: raw.__setitem__(slice(44, 76), files.digest("n_ctx 8192")),
    "token_count": lambda raw: raw.__setitem__(slice(108, 112), struct.pack("<I", 0)),
    "damaged_tokens": lambda raw: raw.__setitem__(200, raw[200] ^ 0xFF),
    "damaged_data": lambda raw: raw.__setitem__(len(raw) - 1, raw[-1] ^ 0xFF),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_file_is_ignored_removed_and_logged(tmp_path, caplog, kind):
    path = saved(tmp_path)
    _rewrite(path, BAD[kind])
    with caplog.at_level(logging.WARNING):
        found = cache(tmp_path).best(TOKENS + [1], have=0)
        if found is not None:  # the header was fine, the data is not: found out when it is read
            assert found.read() is None
    assert not path.exists()
    assert path.name in caplog.text and "removed" in caplog.text


def test_the_header_checks_name_what_is_wrong(tmp_path):
    path = saved(tmp_path)
    with pytest.raises(files.StateFileError, match="another model"):
        files.read_header(path, files.digest("x"), SETTINGS)
    with pytest.raises(files.StateFileError, match="other settings"):
        files.read_header(path, MODEL, files.digest("x"))


def test_states_of_other_settings_stay_for_their_own_load(tmp_path):
    """A state saved with other settings has another name: a load with these settings does not even open it."""
    other = cache(tmp_path, settings_id=files.digest("n_ctx 8192"))
    other.put("conversation:1", TOKENS, DATA, persist=True)
    other.close()
    assert cache(tmp_path).best(TOKENS, have=0) is None
    assert len(list(tmp_path.iterdir())) == 1


def test_memory_keeps_the_most_recently_used_within_its_budget(tmp_path):
    c = cache(None, memory_bytes=2 * len(DATA))
    for key, first in (("a", 1000), ("b", 2000), ("c", 3000)):
        c.put(key, list(range(first, first + 100)), DATA, persist=False)
    assert c.best(list(range(1000, 1100)), have=0) is None  # "a" went first
    assert c.best(list(range(2000, 2100)), have=0).key == "b"
    c.put("d", list(range(4000, 4100)), DATA, persist=False)  # "c" is now the least recently used
    assert c.best(list(range(3000, 3100)), have=0) is None
    assert c.best(list(range(2000, 2100)), have=0) is not None


def test_the_folder_keeps_the_most_recently_used_within_its_budget(tmp_path):
    oldest = saved(tmp_path, "conversation:0")
    size = len(oldest.read_bytes())
    os.utime(oldest, ns=(10**9, 10**9))  # used long ago
    c = cache(tmp_path, disk_bytes=2 * size + 10)
    for n in (1, 2):
        c.put(f"conversation:{n}", [n] + TOKENS, DATA, persist=True)
    c.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and all(files.key_tag("conversation:0") not in n for n in names)


def test_a_state_larger_than_the_budget_is_not_written(tmp_path):
    c = cache(tmp_path, disk_bytes=len(DATA) // 2, memory_bytes=len(DATA) // 2)
    c.put("conversation:1", TOKENS, DATA, persist=True)
    c.close()
    assert list(tmp_path.iterdir()) == []
    assert c.best(TOKENS, have=0) is None


def test_removal_by_conversation_and_by_model(tmp_path):
    saved(tmp_path, files.conversation_key(1))
    saved(tmp_path, files.conversation_key(2))
    assert files.remove_conversations(tmp_path, [1, 99]) == 1
    assert [files.key_tag(files.conversation_key(2)) in p.name for p in tmp_path.iterdir()] == [True]
    assert files.remove_model(tmp_path, "/models/other.gguf") == 0
    assert files.remove_model(tmp_path, MODEL_PATH) == 1
    assert list(tmp_path.iterdir()) == []
    assert files.remove_conversations(tmp_path / "missing", [1]) == 0


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path, monkeypatch):
    path = saved(tmp_path)
    before = path.read_bytes()

    def full_disk(*_a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    c = cache(tmp_path)
    c.put("conversation:1", TOKENS + [5], DATA, persist=True)
    c.close()
    assert path.read_bytes() == before  # the old state is whole
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_common_prefix():
    assert common_prefix([1, 2, 3], [1, 2, 4]) == 2
    assert common_prefix([], [1]) == 0
    assert common_prefix([1, 2], [1, 2, 3]) == 2


def test_a_temporary_file_left_by_a_killed_host_goes_once_it_is_old(tmp_path):
    left = tmp_path / f".tmp-abc{files.SUFFIX}"
    left.write_bytes(b"half a state")
    recent = tmp_path / f".tmp-def{files.SUFFIX}"
    recent.write_bytes(b"being written by another instance")
    os.utime(left, (1, 1))
    saved(tmp_path)
    assert not left.exists() and recent.exists()


def test_a_conversation_s_states_go_when_the_trash_is_emptied_not_when_it_is_deleted(tmp_path):
    """Deleting moves a conversation to the trash (undo works, and so does resuming); the window empties the
    trash at its next start, and the saved states of what it purges go then."""
    from deepseek_desktop.core.conversations.store import ConversationStore
    from deepseek_desktop.ui.main_window import _empty_trash

    states = tmp_path / "states"
    with ConversationStore(tmp_path / "c.sqlite3") as store:
        kept, gone = store.create_conversation("kept"), store.create_conversation("gone")
        for c in (kept, gone):
            saved(states, files.conversation_key(c.id))
        store.delete_conversation(gone.id)
        assert len(list(states.iterdir())) == 2  # in the trash: still resumable after an undo
        _empty_trash(states, store)
        assert [c.id for c in store.list_conversations()] == [kept.id]
    (left,) = states.iterdir()
    assert files.key_tag(files.conversation_key(kept.id)) in left.name


def test_removing_a_model_removes_its_states(tmp_path):
    from deepseek_desktop.models.local.registry import ModelRegistry

    models, states = tmp_path / "models", tmp_path / "states"
    models.mkdir()
    gguf = models / "m.gguf"
    gguf.write_bytes(b"GGUF" + bytes(64))
    c = StateCache(states, str(gguf), MODEL, SETTINGS, 1 << 30, 1 << 30)
    c.put("conversation:1", TOKENS, DATA, persist=True)
    c.close()
    other = saved(states, "conversation:2")  # another model's
    ModelRegistry(tmp_path / "installed.json", models, states).remove(str(gguf))
    assert not gguf.exists()
    assert list(states.iterdir()) == [other]


def test_the_conversation_key_crosses_the_pipe_to_the_engine_host():
    from deepseek_desktop.core.requests import ChatMessage, ChatRequest, LoadParams, load_params_from_dict

    request = ChatRequest([ChatMessage("user", "hi")], cache_key=files.conversation_key(7))
    assert ChatRequest.from_dict(request.to_dict()).cache_key == "conversation:7"
    assert ChatRequest.from_dict({"messages": []}).cache_key == ""  # an older peer: memory only
    load = LoadParams(model="m.gguf", state_cache_dir="/data/kv-states", state_cache_disk_mb=100)
    assert load_params_from_dict(load.redacted()) == load


def test_the_settings_give_the_engine_the_data_folder_and_the_budgets(tmp_path):
    from deepseek_desktop.core.paths import AppPaths
    from deepseek_desktop.core.settings.store import SettingsStore, load_params

    settings = SettingsStore(tmp_path / "settings.json")
    settings.set("llamacpp.state_cache_disk_mb", 512)
    params = load_params(settings, "m.gguf")
    assert params.state_cache and params.state_cache_disk_mb == 512 and params.state_cache_memory_mb == 1024
    assert params.state_cache_dir == str(AppPaths.default().kv_states_dir)
    settings.set("llamacpp.state_cache", False)
    assert not load_params(settings, "m.gguf").state_cache
