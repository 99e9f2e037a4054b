"""Conversations resume without re-reading: real llama-cpp-python on the real Gemma 3 270M GGUF."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from conftest import THREADS

from deepseek_desktop.core import kv_state_files as files
from deepseek_desktop.core.events import Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engine_host.client import EngineHostClient
from deepseek_desktop.engines.llamacpp import LlamaCppEngine

pytestmark = pytest.mark.slow
GREEDY = GenerationParams(temperature=0.0, max_tokens=24)
FACTS = " ".join(f"Fact {i}: {i} times {i} is {i * i}." for i in range(30))


def conversation(question: str = "What is fact 7?") -> list[ChatMessage]:
    return [ChatMessage("system", "Answer from these facts. " + FACTS), ChatMessage("user", question)]


def engine(gemma_path, folder, on=True) -> LlamaCppEngine:
    e = LlamaCppEngine()
    e.load(LoadParams(model=str(gemma_path), n_ctx=1024, n_threads=THREADS, state_cache=on,
                      state_cache_dir=str(folder)))
    return e


def turn(e: LlamaCppEngine, msgs, key="conversation:1") -> tuple[str, Stats]:
    events = list(e.chat(ChatRequest(msgs, GREEDY, cache_key=key), threading.Event()))
    return "".join(x.text for x in events if isinstance(x, TextDelta)), next(x for x in events if isinstance(x, Stats))


def next_turn(msgs, reply) -> list[ChatMessage]:
    return msgs + [ChatMessage("assistant", reply), ChatMessage("user", "And fact 9?")]


@pytest.fixture(scope="module")
def first_turn(gemma_path, tmp_path_factory):
    """One turn saved to a folder by an engine that is then unloaded (as at the app's exit)."""
    folder = tmp_path_factory.mktemp("states")
    e = engine(gemma_path, folder)
    msgs = conversation()
    reply, _ = turn(e, msgs)
    e.unload()
    return folder, next_turn(msgs, reply)


@pytest.fixture(scope="module")
def re_read(gemma_path, first_turn, tmp_path_factory):
    """The next turn with nothing saved: the whole conversation evaluated."""
    e = engine(gemma_path, tmp_path_factory.mktemp("off"), on=False)
    try:
        return turn(e, first_turn[1])
    finally:
        e.unload()


def test_after_a_restart_the_next_turn_reads_only_what_is_new_and_answers_the_same(gemma_path, first_turn,
                                                                                    re_read, tmp_path):
    folder, msgs = first_turn
    copy = tmp_path / "states"
    copy.mkdir()
    for p in folder.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    e = engine(gemma_path, copy)
    try:
        reply, stats = turn(e, msgs)
    finally:
        e.unload()
    want, full = re_read
    assert full.prompt_tokens_evaluated == full.prompt_tokens == stats.prompt_tokens
    assert stats.prompt_tokens_evaluated < 30  # the new question and the template around it
    assert reply == want  # greedy: the same tokens out


def test_a_state_llama_cpp_refuses_is_removed_and_the_turn_re_reads(gemma_path, first_turn, re_read, tmp_path,
                                                                    caplog):
    """A file whose header is right but whose data is not a state of this context (written with the right
    checksum, so only llama.cpp can tell): refused, removed, and the reply is still right."""
    folder, msgs = first_turn
    (saved,) = list(folder.iterdir())
    raw = saved.read_bytes()
    model_id, settings_id = raw[12:44], raw[44:76]  # the header's identities (see core.kv_state_files)
    good = files.read_header(saved, model_id, settings_id)
    forged = tmp_path / saved.name
    files.write_state(forged, model_id, settings_id, "conversation:1", good.tokens, b"\xff" * 4096)
    e = engine(gemma_path, tmp_path)
    try:
        with caplog.at_level(logging.WARNING):
            reply, stats = turn(e, msgs)
    finally:
        e.unload()
    assert "refused" in caplog.text
    assert stats.prompt_tokens_evaluated == stats.prompt_tokens
    assert reply == re_read[0]
    assert not any(p.read_bytes().endswith(b"\xff" * 4096) for p in tmp_path.glob("*.kvstate"))


def test_switching_back_to_a_conversation_restores_it_from_memory(gemma_path, tmp_path):
    e = engine(gemma_path, tmp_path / "states")
    try:
        a = conversation()
        reply_a, _ = turn(e, a, key="conversation:1")
        b = [ChatMessage("system", "You are terse."), ChatMessage("user", "Name a colour. " * 20)]
        turn(e, b, key="conversation:2")  # the context now holds conversation 2
        _, back = turn(e, next_turn(a, reply_a), key="conversation:1")
    finally:
        e.unload()
    assert back.prompt_tokens_evaluated < 30


def test_with_the_setting_off_nothing_is_kept(gemma_path, tmp_path):
    e = engine(gemma_path, tmp_path, on=False)
    try:
        turn(e, conversation())
    finally:
        e.unload()
    assert list(tmp_path.iterdir()) == []


def test_through_the_engine_host_a_new_host_resumes_from_the_folder(gemma_path, tmp_path):
    """The app's case: the host gets the folder in the load parameters; a new host after a restart uses it."""
    load = LoadParams(model=str(gemma_path), n_ctx=1024, n_threads=THREADS, state_cache_dir=str(tmp_path))
    msgs = conversation()

    async def one_turn(messages):
        client = EngineHostClient()
        await client.start()
        try:
            await client.load("llamacpp", load)
            events = [e async for e in client.chat(ChatRequest(messages, GREEDY, cache_key="conversation:5"))]
        finally:
            await client.stop(timeout=60)
        return "".join(x.text for x in events if isinstance(x, TextDelta)), next(x for x in events
                                                                                  if isinstance(x, Stats))

    reply, first = asyncio.run(one_turn(msgs))
    (saved,) = tmp_path.iterdir()  # written before the host ended
    assert saved.name.startswith(f"{files.model_tag(gemma_path)}-{files.key_tag('conversation:5')}-")
    _, second = asyncio.run(one_turn(next_turn(msgs, reply)))
    assert first.prompt_tokens_evaluated == first.prompt_tokens
    assert second.prompt_tokens_evaluated < 30


def test_without_a_conversation_key_states_are_kept_in_memory_only(gemma_path, tmp_path):
    """The API server's requests carry no conversation: two clients taking turns each resume from memory,
    and nothing is written (no conversation would ever remove the file)."""
    e = engine(gemma_path, tmp_path)
    try:
        a = conversation()
        reply_a, _ = turn(e, a, key="")
        turn(e, [ChatMessage("system", "You are terse."), ChatMessage("user", "Name a colour. " * 20)], key="")
        _, back = turn(e, next_turn(a, reply_a), key="")
    finally:
        e.unload()
    assert back.prompt_tokens_evaluated < 30
    assert list(tmp_path.iterdir()) == []
