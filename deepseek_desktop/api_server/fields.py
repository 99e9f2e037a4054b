"""Requests declared as typed models, and the one place that checks them.

A dialect declares each request it takes as a tuple of fields, in the order they are checked: a field
has a key, a kind and, for numbers, its range (as llama-cpp-python's server declares its requests with
pydantic). ``check`` reads a JSON object through such a model; every mistake is a 400 with an
OpenAI-style body whose ``param`` names the field, never a traceback. The first mistake in the declared
order is the one reported.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..core.requests import ChatMessage
from .errors import bad

ROLES = ("system", "user", "assistant")
MAX_STOPS = 16


class Kind(Enum):
    TEXT = "text"
    FLAG = "flag"  # true or false
    WHOLE = "whole"  # an integer (2.0 counts as 2)
    NUMBER = "number"  # finite
    STOPS = "stops"  # a string or a list of strings
    SECTION = "section"  # an object with fields of its own
    MESSAGES = "messages"  # the conversation
    PROMPT = "prompt"  # one string (OpenAI also takes a list of one)
    THINK = "think"  # Ollama's thinking switch: true, false or a level


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    default: Any = None
    required: bool = False
    fields: tuple[Field, ...] = ()  # a section's own
    list_of_one: bool = False  # a prompt may come as a list holding one string


def text(key: str, *, required: bool = False) -> Field:
    return Field(key, Kind.TEXT, required=required)


def flag(key: str, default: bool) -> Field:
    return Field(key, Kind.FLAG, default=default)


def whole(key: str, low: int, high: int) -> Field:
    return Field(key, Kind.WHOLE, low, high)


def number(key: str, low: float, high: float) -> Field:
    return Field(key, Kind.NUMBER, low, high)


def stops(key: str) -> Field:
    return Field(key, Kind.STOPS)


def section(key: str, *fields: Field) -> Field:
    return Field(key, Kind.SECTION, fields=fields)


def messages(key: str) -> Field:
    return Field(key, Kind.MESSAGES, required=True)


def prompt(key: str, *, list_of_one: bool = False) -> Field:
    return Field(key, Kind.PROMPT, required=True, list_of_one=list_of_one)


def think(key: str) -> Field:
    return Field(key, Kind.THINK)


def parse_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object."""
    if not raw.strip():
        raise bad("The request body is empty; a JSON object is expected.", code="invalid_json")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise bad(f"The request body is not valid JSON: {type(exc).__name__}.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise bad("The request body must be a JSON object.", code="invalid_json")
    return data


def check(model: Sequence[Field], data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The values of ``data`` by key, each checked against its field in the declared order; a field left
    out has its default (None for most)."""
    return {f.key: _CHECKS[f.kind](f, data.get(f.key), prefix + f.key) for f in model}


def _text(f: Field, value: Any, name: str) -> str | None:
    if value is None and f.required:
        raise bad(f"'{name}' is required.", name, "missing_required_parameter")
    if value is not None and not isinstance(value, str):
        raise bad(f"'{name}' must be a string.", name, "invalid_type")
    return value


def _flag(f: Field, value: Any, name: str) -> bool:
    if value is None:
        return f.default
    if not isinstance(value, bool):
        raise bad(f"'{name}' must be true or false.", name, "invalid_type")
    return value


def _number(f: Field, value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise bad(f"'{name}' must be a number.", name, "invalid_type")
    if not f.low <= value <= f.high:
        raise bad(f"'{name}' must be between {f.low:g} and {f.high:g}, got {value:g}.", name)
    return float(value)


def _whole(f: Field, value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"'{name}' must be an integer.", name, "invalid_type")
    if not f.low <= value <= f.high:
        raise bad(f"'{name}' must be between {f.low} and {f.high}, got {value}.", name)
    return value


def _stops(f: Field, value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise bad(f"'{name}' must be a string or a list of strings.", name, "invalid_type")
    if len(value) > MAX_STOPS:
        raise bad(f"'{name}' takes at most {MAX_STOPS} strings.", name)
    return [s for s in value if s]


def _section(f: Field, value: Any, name: str) -> dict[str, Any]:
    if value is None:
        value = {}
    elif not isinstance(value, dict):
        raise bad(f"'{name}' must be an object.", name, "invalid_type")
    return check(f.fields, value, name + ".")


def _content(value: Any, param: str) -> str:
    """A message's content: a string, null, or a list of text parts (OpenAI's content parts)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for i, part in enumerate(value):
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise bad("Only text content parts are supported.", f"{param}[{i}]", "invalid_type")
            texts.append(part["text"])
        return "".join(texts)
    raise bad(f"'{param}' must be a string or a list of text parts.", param, "invalid_type")


def _messages(f: Field, value: Any, name: str) -> list[ChatMessage]:
    """The conversation. Earlier assistant turns are taken without their reasoning: a
    ``reasoning_content``/``thinking`` field is ignored, and the engine strips ``<think>`` blocks."""
    if value is None:
        raise bad(f"'{name}' is required.", name, "missing_required_parameter")
    if not isinstance(value, list):
        raise bad(f"'{name}' must be a list of messages.", name, "invalid_type")
    if not value:
        raise bad(f"'{name}' must not be empty.", name)
    out = []
    for i, msg in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(msg, dict):
            raise bad(f"'{where}' must be an object.", where, "invalid_type")
        role = msg.get("role")
        role = "system" if role == "developer" else role
        if role not in ROLES:
            raise bad(f"'{where}.role' must be one of {', '.join(ROLES)}.", f"{where}.role")
        out.append(ChatMessage(role, _content(msg.get("content"), f"{where}.content")))
    if out[-1].role == "assistant" and not out[-1].content:
        raise bad("The last message is an empty assistant message.", f"{name}[{len(out) - 1}]")
    return out


def _prompt(f: Field, value: Any, name: str) -> str:
    if f.list_of_one and isinstance(value, list) and len(value) == 1:
        value = value[0]
    return _text(f, value, name)


def _think(f: Field, value: Any, name: str) -> bool | str | None:
    if value is not None and not isinstance(value, (bool, str)):
        raise bad(f"'{name}' must be true, false or a level.", name, "invalid_type")
    return value


_CHECKS: dict[Kind, Callable[[Field, Any, str], Any]] = {
    Kind.TEXT: _text, Kind.FLAG: _flag, Kind.WHOLE: _whole, Kind.NUMBER: _number, Kind.STOPS: _stops,
    Kind.SECTION: _section, Kind.MESSAGES: _messages, Kind.PROMPT: _prompt, Kind.THINK: _think,
}
