"""MLX conversations resume without re-reading: real mlx-lm (CPU build) on a tiny random DeepSeek-V3."""

from __future__ import annotations

import logging
import threading

import pytest

pytest.importorskip("mlx_lm")

from mlx_tiny_model import tiny_model_folders  # noqa: E402

from deepseek_desktop.core import kv_state_files as files  # noqa: E402
from deepseek_desktop.core.events import Stats, TextDelta  # noqa: E402
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams  # noqa: E402
from deepseek_desktop.engines.mlx_engine import MlxEngine  # noqa: E402

GREEDY = GenerationParams(temperature=0.0, max_tokens=16)
LONG = " ".join(["The quick brown fox jumps over the lazy dog while the cat sleeps in the sun."] * 8)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_model_folders(tmp_path_factory.getbasetemp())


def engine(folder, states, on=True) -> MlxEngine:
    e = MlxEngine()
    e.load(LoadParams(model=str(folder), n_ctx=2048, state_cache=on, state_cache_dir=str(states)))
    return e


def turn(e, msgs) -> tuple[str, Stats]:
    events = list(e.chat(ChatRequest(msgs, GREEDY, cache_key="conversation:3"), threading.Event()))
    return "".join(x.text for x in events if isinstance(x, TextDelta)), next(x for x in events if isinstance(x, Stats))


def two_turns(tiny, states) -> tuple[list[ChatMessage], str]:
    msgs = [ChatMessage("system", LONG), ChatMessage("user", "Write a short story about the sea.")]
    e = engine(tiny["v3"], states)
    try:
        reply, _ = turn(e, msgs)
    finally:
        e.unload()
    return msgs + [ChatMessage("assistant", reply), ChatMessage("user", "Name three colours.")], reply


def test_after_a_restart_the_next_turn_reads_only_what_is_new_and_answers_the_same(tiny, tmp_path):
    msgs, _ = two_turns(tiny, tmp_path / "states")
    assert len(list((tmp_path / "states").iterdir())) == 1
    e = engine(tiny["v3"], tmp_path / "states")
    try:
        resumed, stats = turn(e, msgs)
    finally:
        e.unload()
    off = engine(tiny["v3"], tmp_path / "off", on=False)
    try:
        want, full = turn(off, msgs)
    finally:
        off.unload()
    assert full.prompt_tokens_evaluated == full.prompt_tokens == stats.prompt_tokens
    assert stats.prompt_tokens_evaluated < stats.prompt_tokens // 2
    assert resumed == want
    assert not (tmp_path / "off").exists()


def test_a_prompt_cache_mlx_refuses_is_removed_and_the_turn_re_reads(tiny, tmp_path, caplog):
    states = tmp_path / "states"
    msgs, _ = two_turns(tiny, states)
    (saved,) = states.iterdir()
    raw = saved.read_bytes()
    good = files.read_header(saved, raw[12:44], raw[44:76])
    files.write_state(saved, raw[12:44], raw[44:76], "conversation:3", good.tokens, b"not safetensors")
    e = engine(tiny["v3"], states)
    try:
        with caplog.at_level(logging.WARNING):
            _, stats = turn(e, msgs)
    finally:
        e.unload()
    assert "refused" in caplog.text
    assert stats.prompt_tokens_evaluated == stats.prompt_tokens
