"""The one interface every engine implements, and the bookkeeping they share."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Protocol

from ..core.errors import EngineError
from ..core.events import Event, Finished, ReasoningDelta, Stats, TextDelta
from ..core.reasoning import OPEN_TAG, ReasoningSplitter, strip_reasoning
from ..core.requests import ChatMessage, ChatRequest, LoadParams
from .tool_calls import template_arguments

log = logging.getLogger(__name__)
ProgressCallback = Callable[[float], None]


class Engine(Protocol):
    """Load a model, stream chat replies as typed events, cancel, unload.

    All methods except ``cancel`` are called from one thread (the engine host's model thread).
    ``cancel`` may be called from any thread; the reply ends within one token.
    """

    name: str

    def load(self, params: LoadParams, progress: ProgressCallback | None = None) -> dict[str, Any]:
        """Load the model; return facts about it (name, context length, chat template...)."""
        ...

    def chat(self, request: ChatRequest, cancel: threading.Event) -> Iterator[Event]:
        """Stream the reply to ``request``; stop soon after ``cancel`` is set."""
        ...

    def unload(self) -> None:
        """Free the model (and its memory)."""
        ...


class StreamMeter:
    """Turns raw text pieces into events and keeps the figures for the final ``Stats``.

    ``ttft_ms`` is measured from construction (the moment the request reached the engine) to the
    first generated token; tokens/s over the span from the first to the last token.
    """

    def __init__(self, starts_in_reasoning: bool = False, chat_template: str = "") -> None:
        self.started = time.perf_counter()
        self.first_token_at: float | None = None
        self.last_token_at: float | None = None
        self.completion_tokens = 0
        self.splitter = ReasoningSplitter(starts_in_reasoning)
        self.chat_template = chat_template
        self.messages_dropped = 0  # the oldest messages left out to fit the context
        self.draft_acceptance: float | None = None  # speculative decoding: the share of drafted tokens accepted
        self.drafter = ""  # the draft model's name ("" for prompt lookup)

    def follow_prompt(self, prompt: str) -> None:
        """A template that ends the prompt with ``<think>`` makes the reply start inside the reasoning."""
        self.splitter = ReasoningSplitter(starts_in_reasoning=prompt.rstrip().endswith(OPEN_TAG))

    def token(self, piece: str, n_tokens: int = 1) -> list[TextDelta | ReasoningDelta]:
        now = time.perf_counter()
        if self.first_token_at is None:
            self.first_token_at = now
        self.last_token_at = now
        self.completion_tokens += n_tokens
        return self.splitter.feed(piece) if piece else []

    def text(self, piece: str) -> list[TextDelta | ReasoningDelta]:
        """Text that belongs to no new token (held-back bytes at the end)."""
        return self.splitter.feed(piece) if piece else []

    def finish(self, reason: str, prompt_tokens: int, prompt_tokens_evaluated: int | None = None,
               thinking_stopped_at: int | None = None) -> list[Event]:
        events: list[Event] = list(self.splitter.flush())
        stats = self.stats(prompt_tokens, prompt_tokens_evaluated)
        events.append(replace(stats, thinking_stopped_at=thinking_stopped_at) if thinking_stopped_at is not None
                      else stats)
        events.append(Finished(reason))
        return events

    def stats(self, prompt_tokens: int, prompt_tokens_evaluated: int | None = None) -> Stats:
        ttft = tps = 0.0
        if self.first_token_at is not None:
            ttft = (self.first_token_at - self.started) * 1000.0
            span = (self.last_token_at or self.first_token_at) - self.first_token_at
            if self.completion_tokens > 1 and span > 0:
                tps = (self.completion_tokens - 1) / span
        return Stats(
            prompt_tokens=prompt_tokens,
            completion_tokens=self.completion_tokens,
            ttft_ms=round(ttft, 2),
            tokens_per_s=round(tps, 2),
            prompt_tokens_evaluated=prompt_tokens_evaluated,
            chat_template=self.chat_template,
            messages_dropped=self.messages_dropped,
            draft_acceptance=self.draft_acceptance,
            drafter=self.drafter,
        )


class StopScanner:
    """Finds user stop strings in streamed text, holding back what could be the start of one."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = [s for s in stops if s]
        self._held = ""

    def feed(self, piece: str) -> tuple[str, bool]:
        """Return (text that is safe to emit, whether a stop string was hit)."""
        if not self.stops:
            return piece, False
        text = self._held + piece
        hits = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        if hits:
            self._held = ""
            return text[: min(hits)], True
        keep = 0
        for s in self.stops:
            for n in range(min(len(s) - 1, len(text)), 0, -1):
                if text.endswith(s[:n]):
                    keep = max(keep, n)
                    break
        self._held = text[len(text) - keep:]
        return text[: len(text) - keep], False

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held


def history_for_model(messages: list[ChatMessage], calls_without_content: bool = False) -> list[dict[str, Any]]:
    """The conversation as chat templates take it; earlier reasoning is never sent back to the model. An
    assistant's tool calls and a tool message's call id go along (templates that define tools read them);
    ``calls_without_content``: a message that only calls tools has null content, as OpenAI sends it (for the
    templates that define tools; others would write "None")."""
    out: list[dict[str, Any]] = []
    for m in messages:
        item: dict[str, Any] = {"role": m.role,
                                "content": strip_reasoning(m.content) if m.role == "assistant" else m.content}
        if m.tool_calls:
            item["tool_calls"] = template_arguments(m.tool_calls)
            if not item["content"] and calls_without_content:
                item["content"] = None
        if m.tool_call_id:
            item["tool_call_id"] = m.tool_call_id
        if m.name:
            item["name"] = m.name
        out.append(item)
    return out


_FEATURE_WORDS = {"tools": "tool calls", "response_format": "JSON output held by a grammar",
                  "logprobs": "log probabilities", "prompt": "continuing a raw prompt (a text completion)",
                  "suffix": "fill-in-the-middle"}


def refuse(request: ChatRequest, engine: str, supported: frozenset[str] = frozenset(),
           samplers: bool = False) -> None:
    """Raise ``request.unsupported`` for the first thing ``request`` asks that ``engine`` cannot do: a feature
    not in ``supported`` (names from ``core.requests.FEATURES``), or, without ``samplers``, a llama.cpp sampler
    beyond temperature, top-p, top-k and repeat penalty."""
    asked = [f for f in request.features() if f not in supported]
    if not samplers:
        asked += request.params.changed_samplers()
    if asked:
        name = asked[0]
        what = f"{name} ({_FEATURE_WORDS.get(name, 'this sampler')}, which the {engine} engine does not do)"
        raise EngineError("request.unsupported", name, what=what, param=name)
