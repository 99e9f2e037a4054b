"""Typed events that an engine streams for one chat request.

Modelled on mlx-lm's ``GenerationResponse``: small frozen dataclasses that cross the engine host's
pipe as JSON (``to_dict`` / ``event_from_dict``) and arrive in the CLI and the GUI unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer. ``logprobs``, when the request asked for them: one entry per token of the
    piece, ``{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}, ...]}``."""

    text: str
    logprobs: list[dict[str, Any]] | None = None
    type: str = field(default="text", init=False)


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of DeepSeek-R1 style reasoning (the part inside ``<think>...</think>``)."""

    text: str
    type: str = field(default="reasoning", init=False)


@dataclass(frozen=True)
class Stats:
    """Figures for one finished (or cancelled) reply."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_ms: float = 0.0
    tokens_per_s: float = 0.0
    # Prompt tokens that were evaluated for this turn; fewer than prompt_tokens when the
    # engine reused the key/value cache of an earlier turn.
    prompt_tokens_evaluated: int | None = None
    chat_template: str = ""
    # The oldest messages left out because the conversation did not fit the context.
    messages_dropped: int = 0
    # Speculative decoding: the share (0..1) of the drafted tokens the model accepted; None when none were drafted.
    draft_acceptance: float | None = None
    # Who drafted: the draft model's name; "" for prompt lookup (or no speculation).
    drafter: str = ""
    # The reasoning tokens after which the engine closed the thinking (the budget was spent); None: it was not.
    thinking_stopped_at: int | None = None
    # A budget the engine could not count itself (a remote server): "low", "medium" or "high" when it was sent
    # as OpenAI's reasoning_effort, "not_applied" when the server takes none; "" otherwise.
    thinking_note: str = ""
    type: str = field(default="stats", init=False)


@dataclass(frozen=True)
class ToolCall:
    """A call of one of the request's tools, parsed from the model's output. ``arguments`` is JSON text."""

    index: int
    id: str
    name: str
    arguments: str
    type: str = field(default="tool_call", init=False)


@dataclass(frozen=True)
class Finished:
    """The reply is over. ``reason`` is ``stop``, ``length``, ``tool_calls``, ``cancelled`` or ``error``."""

    reason: str
    type: str = field(default="finished", init=False)


@dataclass(frozen=True)
class LoadProgress:
    """Progress of a model load, 0.0 ... 1.0."""

    fraction: float
    type: str = field(default="load_progress", init=False)


Event = TextDelta | ReasoningDelta | ToolCall | Stats | Finished | LoadProgress

_EVENT_TYPES: dict[str, type] = {
    "text": TextDelta,
    "reasoning": ReasoningDelta,
    "tool_call": ToolCall,
    "stats": Stats,
    "finished": Finished,
    "load_progress": LoadProgress,
}


def to_dict(event: Event) -> dict[str, Any]:
    if isinstance(event, (TextDelta, ReasoningDelta)):  # one per token: no ``asdict`` (a deep copy) for these
        data: dict[str, Any] = {"type": event.type, "text": event.text}
        if isinstance(event, TextDelta) and event.logprobs is not None:
            data["logprobs"] = event.logprobs
        return data
    return asdict(event)


def event_from_dict(data: dict[str, Any]) -> Event:
    kind = data.get("type")
    cls = _EVENT_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown event type {kind!r}")
    fields = {k: v for k, v in data.items() if k != "type"}
    return cls(**fields)
