"""The thinking budget: how much a reasoning model may think before it must answer.

One value says it everywhere (the setting, a conversation's choice, the API's ``reasoning_effort`` and
Ollama's ``think``): ``OFF`` (-1) asks the chat template to switch thinking off, ``UNLIMITED`` (0) lets the
model think until it stops, and a positive number is the most reasoning tokens before the engine closes the
thinking itself. The window, the CLI and the API server all turn settings into a request here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

OFF = -1
UNLIMITED = 0
# The levels OpenAI's ``reasoning_effort`` and Ollama's ``think`` take; each maps to a budget setting.
# "minimal" is the least effort a setting offers (the low one), "none" switches thinking off.
EFFORT_SETTINGS = {"minimal": "thinking.effort_low", "low": "thinking.effort_low",
                   "medium": "thinking.effort_medium", "high": "thinking.effort_high"}
EFFORTS = ("none", *EFFORT_SETTINGS)
# The choices the window offers per conversation, besides following the setting.
CONVERSATION_CHOICES = (UNLIMITED, 256, 1024, 4096, OFF)


class _Settings(Protocol):
    def get(self, key: str) -> Any: ...


@dataclass(frozen=True)
class Thinking:
    """What a request carries: ``think`` (False: switched off by the template) and ``budget`` (None: unlimited)."""

    think: bool | None = None
    budget: int | None = None


def from_value(value: int) -> Thinking:
    """A budget value (``OFF``, ``UNLIMITED`` or a number of tokens) as the request's two fields."""
    if value == OFF:
        return Thinking(think=False)
    if value <= UNLIMITED:
        return Thinking()
    return Thinking(budget=value)


def setting_value(settings: _Settings) -> int:
    """The thinking budget the settings give for a conversation that chose none of its own."""
    mode = settings.get("thinking.mode")
    if mode == "off":
        return OFF
    if mode == "budget":
        return int(settings.get("thinking.budget_tokens"))
    return UNLIMITED


def effort_value(settings: _Settings, effort: str) -> int:
    """The budget for one of ``EFFORTS`` (the API's ``reasoning_effort``, Ollama's levels)."""
    if effort == "none":
        return OFF
    return int(settings.get(EFFORT_SETTINGS[effort]))


def conversation_value(settings: _Settings, chosen: int | None) -> int:
    """A conversation's own choice, else the setting."""
    return setting_value(settings) if chosen is None else chosen
