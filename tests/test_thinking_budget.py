"""The thinking budget on the real Gemma 3 270M GGUF, with DeepSeek-R1's chat template (the prompt ends inside
``<think>``, so the reply starts in the reasoning), in process and through the engine host."""

from __future__ import annotations

import threading

import pytest
from conftest import THREADS

from deepseek_desktop.core.events import ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage, ChatRequest, GenerationParams, LoadParams
from deepseek_desktop.engines.thinking_budget import CLOSE_TEXT

pytestmark = pytest.mark.slow
QUESTION = [ChatMessage("user", "Why is the sky blue? Think it through step by step.")]


@pytest.fixture(scope="module")
def engine(gemma_with_template):
    from deepseek_desktop.engines.llamacpp import LlamaCppEngine

    engine = LlamaCppEngine()
    engine.load(LoadParams(model=str(gemma_with_template("deepseek-r1")), n_ctx=2048, n_threads=THREADS))
    yield engine
    engine.unload()


def ask(engine, budget, max_tokens=96, think=True):
    request = ChatRequest(QUESTION, GenerationParams(temperature=0.0, max_tokens=max_tokens), think=think,
                          thinking_budget=budget)
    return list(engine.chat(request, threading.Event()))


def parts(events):
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    answer = "".join(e.text for e in events if isinstance(e, TextDelta))
    return reasoning, answer, next(e for e in events if isinstance(e, Stats))


def test_thinking_ends_at_the_budget_and_an_answer_follows(engine):
    unlimited = ask(engine, None)
    reasoning, answer, stats = parts(unlimited)
    assert stats.thinking_stopped_at is None
    assert not answer  # Gemma never writes R1's closing tag: unlimited, it thinks to the end of max_tokens
    budget = 12
    events = ask(engine, budget)
    cut, answer, stats = parts(events)
    assert stats.thinking_stopped_at == budget
    # exactly the budget's tokens of reasoning: the same text the unlimited reply began with
    tokens = engine.llm.tokenize(cut.encode(), add_bos=False, special=False)
    assert abs(len(tokens) - budget) <= 1  # re-tokenising the text may merge or split one piece
    assert reasoning.startswith(cut.rstrip())
    assert answer.strip()  # the model answered after the forced close
    assert events[-1].reason in ("stop", "length")
    # contract 1: llama-cpp-python's bookkeeping is the tokens in the cache, the forced close among them
    close = engine.llm.tokenize(CLOSE_TEXT.encode(), add_bos=False, special=True)
    held = engine.llm.input_ids[: engine.llm.n_tokens].tolist()
    assert any(held[i:i + len(close)] == close for i in range(len(held)))


def test_an_unlimited_budget_changes_nothing(engine):
    def reply(budget):
        return [e for e in ask(engine, budget) if not isinstance(e, Stats)]  # timings differ

    plain = reply(None)
    assert reply(0) == plain  # 0 and None: both unlimited
    assert reply(10_000) == plain  # a budget never reached changes no token
