"""The thinking budget: how much a reasoning model may think before it must answer.

One value says it everywhere (the setting, a conversation's choice, the API's ``reasoning_effort`` and
Ollama's ``think``): ``OFF`` (-1) asks the chat template to switch thinking off, ``UNLIMITED`` (0) lets the
model think until it stops, and a positive number is the most reasoning tokens before the engine closes the
thinking itself. The window, the CLI and the API server all turn settings into a request here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .i18n_marks import QT_TRANSLATE_NOOP

OFF = -1
UNLIMITED = 0
# The levels OpenAI's ``reasoning_effort`` and Ollama's ``think`` take; each maps to a budget setting.
# "minimal" is the least effort a setting offers (the low one), "none" switches thinking off.
EFFORT_SETTINGS = {"minimal": "thinking.effort_low", "low": "thinking.effort_low",
                   "medium": "thinking.effort_medium", "high": "thinking.effort_high"}
EFFORTS = ("none", *EFFORT_SETTINGS)
# The choices the window offers per conversation, besides following the setting.
CONVERSATION_CHOICES = (UNLIMITED, 256, 1024, 4096, OFF)


class Settings(Protocol):
    def get(self, key: str) -> Any: ...


class SchemaDefaults:
    """The schema's defaults, read like settings (a server run without the user's settings)."""

    def get(self, key: str) -> Any:
        from .settings.schema import SettingsSchema

        return SettingsSchema().spec(key).default


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


def setting_value(settings: Settings) -> int:
    """The thinking budget the settings give for a conversation that chose none of its own."""
    mode = settings.get("thinking.mode")
    if mode == "off":
        return OFF
    if mode == "budget":
        return int(settings.get("thinking.budget_tokens"))
    return UNLIMITED


def effort_value(settings: Settings, effort: str) -> int:
    """The budget for one of ``EFFORTS`` (the API's ``reasoning_effort``, Ollama's levels)."""
    if effort == "none":
        return OFF
    return int(settings.get(EFFORT_SETTINGS[effort]))


def request_value(settings: Settings, think: bool | None, effort: str | None) -> int:
    """The budget an API request asks: Ollama's ``think`` (False: off; True: the setting) or a level
    (``effort``, OpenAI's ``reasoning_effort`` or Ollama's level); neither: the setting."""
    if effort is not None:
        return effort_value(settings, effort)
    if think is False:
        return OFF
    value = setting_value(settings)
    return UNLIMITED if think is True and value == OFF else value  # asked to think: it thinks


def request_fields(value: int, think: bool | None = None) -> dict[str, Any]:
    """``ChatRequest``'s ``think`` and ``thinking_budget`` for a budget value; ``think``: what the caller
    asked of the chat template (True is kept, so templates that need the switch turn thinking on)."""
    chosen = from_value(value)
    return {"think": False if chosen.think is False else think, "thinking_budget": chosen.budget}


def api_fields(settings: Settings, think: bool | None, effort: str | None) -> dict[str, Any]:
    """``ChatRequest``'s thinking fields for an API request: Ollama's ``think`` and a level (``effort``: OpenAI's
    ``reasoning_effort`` or Ollama's level). A level other than "none" asks for thinking, as ``think: true``."""
    if effort is not None and effort != "none":
        think = True
    return request_fields(request_value(settings, think, effort), think)


def effort_for_budget(budget: int) -> str:
    """The OpenAI ``reasoning_effort`` nearest a budget, for servers that take a level and no number: the
    default budgets' bounds (up to 1,024 tokens low, up to 4,096 medium, more high)."""
    return "low" if budget <= 1024 else "medium" if budget <= 4096 else "high"


def conversation_value(settings: Settings, chosen: int | None) -> int:
    """A conversation's own choice, else the setting."""
    return setting_value(settings) if chosen is None else chosen


# What ``Stats.thinking_note`` can say besides "" (the remote engine sets it; see ``events.Stats``).
NOTES = ("low", "medium", "high", "not_applied")


def known_note(note: object) -> str | None:
    """``note`` when it is one of ``NOTES``, else None (nothing to tell, or nothing this version knows)."""
    return note if isinstance(note, str) and note in NOTES else None


# What a reply's stats say about the thinking budget, with "%1" for the number or the level.
STOPPED = QT_TRANSLATE_NOOP("Thinking", "Thinking stopped at %1 tokens (budget)")
SENT_AS_EFFORT = QT_TRANSLATE_NOOP("Thinking", "Thinking budget sent to the server as reasoning effort \"%1\"")
NOT_APPLIED = QT_TRANSLATE_NOOP("Thinking", "The server takes no thinking budget: it was not applied")


def stats_note(stopped_at: int | None, note: str) -> tuple[str, int | str] | None:
    """What to tell about the thinking budget after a reply (a ``Stats``' two fields): a source text from
    above and its argument, or None when there is nothing to tell."""
    if stopped_at is not None:
        return STOPPED, stopped_at
    if note == "not_applied":
        return NOT_APPLIED, ""
    if note:
        return SENT_AS_EFFORT, note
    return None


def english_note(stopped_at: int | None, note: str) -> str:
    """``stats_note`` in English (the CLI), numbers grouped by thousands."""
    said = stats_note(stopped_at, note)
    if said is None:
        return ""
    text, arg = said
    return text.replace("%1", f"{arg:,}" if isinstance(arg, int) else arg)
