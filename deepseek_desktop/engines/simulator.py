"""The offline simulator: answers from a data file of topics when no model is there.

No model, no network, deterministic. Streams word by word at a configurable pace and opens with a short
reasoning block, so every part of the chat display can be used without a model.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from ..core.events import Event
from ..core.requests import ChatRequest, LoadParams
from ..core.vocabulary import Engine
from .base import ProgressCallback, StreamMeter, refuse
from .simulator_advice import fill
from .thinking_budget import ThinkingBudget

# Like a 7B model at Q4 on a laptop GPU: ~25 tokens/s.
DEFAULT_WORDS_PER_SECOND = 25.0

_GERMAN_WORDS = frozenset((
    "der die das und ist nicht ich du wie was welche welches welcher kann können mein meine ein eine "
    "einen für mit auf läuft zu von bei wer bist sind hat haben gibt es mir dich mich warum wieso brauche "
    "brauchen viel wieviel wie viel speicher rechner erkläre erklär über oder auch noch schon nur sehr "
    "gut"
).split())
_ENGLISH_WORDS = frozenset((
    "the is and not i you how what which can my a an for with on run runs to of who are does do has have "
    "there me why need much many memory computer explain about or also only very good it this that"
).split())
_WORD = re.compile(r"[\wäöüß.+-]+", re.IGNORECASE)
_PIECES = re.compile(r"\s*\S+")


@lru_cache(maxsize=1)
def load_topics() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data/simulator_topics.json").read_text(encoding="utf-8")
    return json.loads(text)


def detect_language(text: str) -> str:
    """'de' or 'en' by counting common words (umlauts and ß count for German)."""
    words = [w.lower() for w in _WORD.findall(text)]
    de = sum(w in _GERMAN_WORDS for w in words) + 2 * len(re.findall(r"[äöüß]", text.lower()))
    en = sum(w in _ENGLISH_WORDS for w in words)
    return "de" if de > en else "en"


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    left = r"\b" if keyword[0].isalnum() else ""
    right = r"\b" if keyword[-1].isalnum() else ""
    return re.compile(left + re.escape(keyword.lower()) + right)


@lru_cache(maxsize=1)
def _topic_patterns() -> list[tuple[dict[str, Any], list[re.Pattern[str]]]]:
    out = []
    for topic in load_topics()["topics"]:
        keywords = {k for lang in topic["keywords"].values() for k in lang}
        out.append((topic, [_keyword_pattern(k) for k in sorted(keywords)]))
    return out


def pick_topic(question: str) -> dict[str, Any] | None:
    """The topic whose keywords match the question best (most matches, then longest), or None."""
    q = question.lower()
    best, best_score = None, (0, 0)
    for topic, patterns in _topic_patterns():
        hits = [p.pattern for p in patterns if p.search(q)]
        score = (len(hits), sum(len(h) for h in hits))
        if score > best_score:
            best, best_score = topic, score
    return best


def compose_reply(question: str) -> tuple[str, str, str]:
    """(language, reasoning, answer) for a question; deterministic."""
    lang = detect_language(question)
    topic = pick_topic(question) or load_topics()["fallback"]
    # "Which model fits": the model manager's recommendation for this computer, not a fixed table.
    answer = fill(topic["answer"][lang], lang, load_topics()["machine_advice"])
    return lang, topic["reasoning"][lang], answer


class SimulatorEngine:
    name = Engine.SIMULATOR

    def __init__(self) -> None:
        self._pace = DEFAULT_WORDS_PER_SECOND
        self._loaded = False

    def load(self, params: LoadParams, progress: ProgressCallback | None = None) -> dict[str, Any]:
        load_topics()
        self._pace = params.words_per_second or DEFAULT_WORDS_PER_SECOND
        self._loaded = True
        if progress:
            progress(1.0)
        return {"name": "DeepSeek Desktop simulator", "engine": self.name, "context_length": 0,
                "chat_template": "simulator", "words_per_second": self._pace}

    def chat(self, request: ChatRequest, cancel: threading.Event) -> Iterator[Event]:
        refuse(request, "simulator")
        meter = StreamMeter(chat_template="simulator")
        question = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
        _lang, reasoning, answer = compose_reply(question)
        # think=False: the simulated template switches thinking off, as DeepSeek-V3.1's does
        text = answer if request.think is False else f"<think>\n{reasoning}\n</think>\n\n{answer}"
        prompt_tokens = sum(len(m.content.split()) for m in request.messages)
        delay = 1.0 / self._pace if self._pace > 0 else 0.0
        max_tokens = request.params.max_tokens or 0
        reason = "stop"
        thinking = ThinkingBudget(request.thinking_budget)
        pieces = _PIECES.findall(text)
        n = 0
        while n < len(pieces):
            piece = pieces[n]
            if max_tokens and n >= max_tokens:
                reason = "length"
                break
            # wait() returns at once when cancelled, so a stop is immediate at any pace
            if delay and cancel.wait(delay):
                reason = "cancelled"
                break
            if cancel.is_set():
                reason = "cancelled"
                break
            was_reasoning = meter.splitter.in_reasoning
            yield from meter.token(piece)
            n += 1
            if thinking.count(meter, was_reasoning):  # the budget is spent: the answer comes next
                yield from thinking.closed(meter)
                pieces = pieces[:n] + _PIECES.findall(answer)
        yield from meter.finish(reason, prompt_tokens, prompt_tokens, thinking.stopped_at)

    def unload(self) -> None:
        self._loaded = False
