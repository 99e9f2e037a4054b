"""Typed events that an engine streams for one chat request.

Modelled on mlx-lm's ``GenerationResponse``: small frozen dataclasses that cross the engine host's
pipe as JSON (``to_dict`` / ``event_from_dict``) and arrive in the CLI and the GUI unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer."""

    text: str
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
    type: str = field(default="stats", init=False)


@dataclass(frozen=True)
class Finished:
    """The reply is over. ``reason`` is ``stop``, ``length``, ``cancelled`` or ``error``."""

    reason: str
    type: str = field(default="finished", init=False)


@dataclass(frozen=True)
class LoadProgress:
    """Progress of a model load, 0.0 ... 1.0."""

    fraction: float
    type: str = field(default="load_progress", init=False)


Event = TextDelta | ReasoningDelta | Stats | Finished | LoadProgress

_EVENT_TYPES: dict[str, type] = {
    "text": TextDelta,
    "reasoning": ReasoningDelta,
    "stats": Stats,
    "finished": Finished,
    "load_progress": LoadProgress,
}


def to_dict(event: Event) -> dict[str, Any]:
    return asdict(event)


def event_from_dict(data: dict[str, Any]) -> Event:
    kind = data.get("type")
    cls = _EVENT_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown event type {kind!r}")
    fields = {k: v for k, v in data.items() if k != "type"}
    return cls(**fields)
