"""Checking request bodies: every mistake becomes a 400 with an OpenAI-style error body, never a traceback.

Both dialects read their fields through ``Fields``, which names the parameter that is wrong, so a
client sees ``{"error": {"message", "type", "param", "code"}}`` with ``param`` set.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any

from ..core.requests import ChatMessage, GenerationParams

ROLES = ("system", "user", "assistant")
MAX_STOPS = 16


class ApiError(Exception):
    """An answer other than 200: status, message, and the OpenAI error fields."""

    def __init__(
        self,
        status: int,
        message: str,
        type_: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def bad(message: str, param: str | None = None, code: str = "invalid_value") -> ApiError:
    return ApiError(400, message, param=param, code=code)


def parse_json(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise bad("The request body is empty; a JSON object is expected.", code="invalid_json")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise bad(f"The request body is not valid JSON: {type(exc).__name__}.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise bad("The request body must be a JSON object.", code="invalid_json")
    return data


@dataclass
class Fields:
    """Typed access to one JSON object; ``prefix`` names where it sits (``options.`` in Ollama)."""

    data: dict[str, Any]
    prefix: str = ""

    def _name(self, key: str) -> str:
        return self.prefix + key

    def required_str(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            raise bad(f"'{self._name(key)}' is required.", self._name(key), "missing_required_parameter")
        if not isinstance(value, str):
            raise bad(f"'{self._name(key)}' must be a string.", self._name(key), "invalid_type")
        return value

    def optional_str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise bad(f"'{self._name(key)}' must be a string.", self._name(key), "invalid_type")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise bad(f"'{self._name(key)}' must be true or false.", self._name(key), "invalid_type")
        return value

    def number(self, key: str, low: float, high: float) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad(f"'{self._name(key)}' must be a number.", self._name(key), "invalid_type")
        if not low <= value <= high:
            raise bad(f"'{self._name(key)}' must be between {low:g} and {high:g}, got {value:g}.", self._name(key))
        return float(value)

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(f"'{self._name(key)}' must be an integer.", self._name(key), "invalid_type")
        if not low <= value <= high:
            raise bad(f"'{self._name(key)}' must be between {low} and {high}, got {value}.", self._name(key))
        return value

    def stops(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise bad(f"'{self._name(key)}' must be a string or a list of strings.", self._name(key), "invalid_type")
        if len(value) > MAX_STOPS:
            raise bad(f"'{self._name(key)}' takes at most {MAX_STOPS} strings.", self._name(key))
        return [s for s in value if s]

    def obj(self, key: str) -> Fields:
        value = self.data.get(key)
        if value is None:
            return Fields({}, self._name(key) + ".")
        if not isinstance(value, dict):
            raise bad(f"'{self._name(key)}' must be an object.", self._name(key), "invalid_type")
        return Fields(value, self._name(key) + ".")


def content_text(value: Any, param: str) -> str:
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


def messages(value: Any, param: str = "messages") -> list[ChatMessage]:
    """The conversation. Earlier assistant turns are taken without their reasoning: a
    ``reasoning_content``/``thinking`` field is ignored, and the engine strips ``<think>`` blocks."""
    if value is None:
        raise bad(f"'{param}' is required.", param, "missing_required_parameter")
    if not isinstance(value, list):
        raise bad(f"'{param}' must be a list of messages.", param, "invalid_type")
    if not value:
        raise bad(f"'{param}' must not be empty.", param)
    out = []
    for i, msg in enumerate(value):
        where = f"{param}[{i}]"
        if not isinstance(msg, dict):
            raise bad(f"'{where}' must be an object.", where, "invalid_type")
        role = msg.get("role")
        role = "system" if role == "developer" else role
        if role not in ROLES:
            raise bad(f"'{where}.role' must be one of {', '.join(ROLES)}.", f"{where}.role")
        out.append(ChatMessage(role, content_text(msg.get("content"), f"{where}.content")))
    if out[-1].role == "assistant" and not out[-1].content:
        raise bad("The last message is an empty assistant message.", f"{param}[{len(out) - 1}]")
    return out


def sampling(
    f: Fields,
    defaults: GenerationParams,
    max_tokens_keys: tuple[str, ...] = ("max_tokens",),
    top_k: str = "top_k",
    repeat_penalty: str = "repeat_penalty",
) -> GenerationParams:
    """The sampling parameters a request sets, over the user's defaults. ``max_tokens`` is clamped to the
    context later, once the model is known."""
    max_tokens = None
    for key in max_tokens_keys:
        value = f.integer(key, 1, 10_000_000)
        max_tokens = value if value is not None else max_tokens
    seed = f.integer("seed", -(2**63), 2**64 - 1)
    temperature = f.number("temperature", 0.0, 2.0)
    top_p = f.number("top_p", 0.0, 1.0)
    k = f.integer(top_k, 0, 100_000)
    penalty = f.number(repeat_penalty, 0.0, 10.0)
    for ignored in ("frequency_penalty", "presence_penalty"):
        f.number(ignored, -2.0, 2.0)
    return replace(
        defaults,
        temperature=defaults.temperature if temperature is None else temperature,
        top_p=defaults.top_p if top_p is None else top_p,
        top_k=defaults.top_k if k is None else k,
        repeat_penalty=defaults.repeat_penalty if penalty is None else penalty,
        max_tokens=defaults.max_tokens if max_tokens is None else max_tokens,
        seed=None if seed is None else seed % 2**32,
        stop=f.stops("stop"),
    )
