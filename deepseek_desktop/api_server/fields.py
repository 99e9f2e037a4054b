"""Requests declared as typed models, and the one place that checks them.

A dialect declares each request it takes as a tuple of fields, in the order they are checked: a field
has a key, a kind and, for numbers, its range (as llama-cpp-python's server declares its requests with
pydantic). ``check`` reads a JSON object through such a model; every mistake is a 400 with an
OpenAI-style body whose ``param`` names the field, never a traceback. The first mistake in the declared
order is the one reported. A key the model does not declare is refused with a 400 that names it
(``unsupported_parameter``): a parameter is never silently ignored. A key sent as null counts as left out.
The conversation's own kinds (messages, tools, output formats) are in ``message_fields``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .errors import bad

MAX_STOPS = 16
MAX_LOGIT_BIAS = 1024


class Kind(Enum):
    TEXT = "text"
    FLAG = "flag"  # true or false
    WHOLE = "whole"  # an integer (2.0 counts as 2)
    NUMBER = "number"  # finite
    STOPS = "stops"  # a string or a list of strings
    SECTION = "section"  # an object with fields of its own
    PROMPT = "prompt"  # one string (OpenAI also takes a list of one)
    THINK = "think"  # Ollama's thinking switch: true, false or a level (kept as its text)
    CHOICE = "choice"  # one of the field's ``choices``
    BIAS = "bias"  # logit_bias: {token id: -100 ... 100}
    ACCEPTED = "accepted"  # taken and, by its meaning, without effect here (an end-user id, metadata)


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
    choices: tuple[Any, ...] = ()


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


def prompt(key: str, *, list_of_one: bool = False) -> Field:
    return Field(key, Kind.PROMPT, required=True, list_of_one=list_of_one)


def think(key: str) -> Field:
    return Field(key, Kind.THINK)


def choice(key: str, *choices: Any, default: Any = None) -> Field:
    return Field(key, Kind.CHOICE, default=default, choices=choices)


def bias(key: str) -> Field:
    return Field(key, Kind.BIAS)


def accepted(key: str) -> Field:
    return Field(key, Kind.ACCEPTED)


def custom(key: str, kind: Any, **kw: Any) -> Field:
    """A field of a kind registered with ``register`` (the conversation's own kinds)."""
    return Field(key, kind, **kw)


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
    out has its default (None for most). A key the model does not declare is refused."""
    declared = {f.key for f in model}
    for key, value in data.items():
        if key not in declared and value is not None:
            raise unsupported(prefix + key)
    return {f.key: _CHECKS[f.kind](f, data.get(f.key), prefix + f.key) for f in model}


def unsupported(name: str, why: str = "") -> Exception:
    return bad(f"The parameter '{name}' is not supported by this server{': ' + why if why else ''}.", name,
               "unsupported_parameter")


def register(kind: Any, checker: Callable[[Field, Any, str], Any]) -> None:
    _CHECKS[kind] = checker


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


def _prompt(f: Field, value: Any, name: str) -> str:
    if f.list_of_one and isinstance(value, list) and len(value) == 1:
        value = value[0]
    return _text(f, value, name)


def _think(f: Field, value: Any, name: str) -> bool | str | None:
    """True, False, None, or a level ("high", "medium", "low"): thinking on, with that level's budget."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("high", "medium", "low"):
        return value
    raise bad(f"'{name}' must be true, false or one of high, medium, low.", name, "invalid_type")


def _choice(f: Field, value: Any, name: str) -> Any:
    if value is None:
        return f.default
    if isinstance(value, bool) or value not in f.choices:
        raise bad(f"'{name}' must be one of {', '.join(map(str, f.choices))}.", name)
    return value


def _bias(f: Field, value: Any, name: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_LOGIT_BIAS:
        raise bad(f"'{name}' must be an object of at most {MAX_LOGIT_BIAS} token ids and biases.", name,
                  "invalid_type")
    out = {}
    for token, b in value.items():
        if not str(token).isdigit():
            raise bad(f"'{name}' keys must be token ids, got {token!r}.", name)
        if isinstance(b, bool) or not isinstance(b, (int, float)) or not -100 <= b <= 100:
            raise bad(f"'{name}' biases must be numbers between -100 and 100.", name)
        out[str(int(token))] = float(b)
    return out


def _accepted(f: Field, value: Any, name: str) -> Any:
    return value


_CHECKS: dict[Any, Callable[[Field, Any, str], Any]] = {
    Kind.TEXT: _text, Kind.FLAG: _flag, Kind.WHOLE: _whole, Kind.NUMBER: _number, Kind.STOPS: _stops,
    Kind.SECTION: _section, Kind.PROMPT: _prompt, Kind.THINK: _think, Kind.CHOICE: _choice,
    Kind.BIAS: _bias, Kind.ACCEPTED: _accepted,
}
