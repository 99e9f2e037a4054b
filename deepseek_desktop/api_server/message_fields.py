"""The conversation's own field kinds: messages (with tool calls and tool results), tools, the tool choice
and the output formats, as each dialect writes them. Checked here, once, into the neutral shapes the engine
takes (``core.requests``): tool calls in OpenAI's shape with the arguments as JSON text, an output format as
``{"type": "json_object" | "json_schema", "schema": ...}``."""

from __future__ import annotations

import json
import re
from typing import Any

from ..core.requests import ChatMessage
from .errors import bad
from .fields import Field, custom, register, unsupported

ROLES = ("system", "user", "assistant", "tool")
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_TOOLS = 128


def messages(key: str, *, ollama: bool = False) -> Field:
    return custom(key, "ollama_messages" if ollama else "messages", required=True)


def tools(key: str) -> Field:
    return custom(key, "tools")


def tool_choice(key: str) -> Field:
    return custom(key, "tool_choice", default="auto")


def response_format(key: str) -> Field:
    return custom(key, "response_format")


def ollama_format(key: str) -> Field:
    return custom(key, "ollama_format")


def keep_alive(key: str) -> Field:
    return custom(key, "keep_alive")


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
                kind = part.get("type") if isinstance(part, dict) else None
                raise unsupported(f"{param}[{i}]", f"only text content parts are taken, not {kind!r} (the "
                                  "loaded model reads text only)")
            texts.append(part["text"])
        return "".join(texts)
    raise bad(f"'{param}' must be a string or a list of text parts.", param, "invalid_type")


def _tool_calls(value: Any, param: str, ollama: bool) -> list[dict[str, Any]]:
    """An assistant's tool calls, as OpenAI writes them (Ollama: arguments as an object, the id optional)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad(f"'{param}' must be a list of tool calls.", param, "invalid_type")
    out = []
    for i, call in enumerate(value):
        where = f"{param}[{i}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise bad(f"'{where}' must be a tool call with a function name.", where, "invalid_type")
        args = function.get("arguments", {} if ollama else "")
        if isinstance(args, dict):
            args = json.dumps(args, ensure_ascii=False)
        if not isinstance(args, str):
            raise bad(f"'{where}.function.arguments' must be a JSON object or its text.",
                      f"{where}.function.arguments", "invalid_type")
        call_id = call.get("id") or f"call_{i}"
        out.append({"id": str(call_id), "type": "function", "function": {"name": function["name"], "arguments": args}})
    return out


def _messages(f: Field, value: Any, name: str, ollama: bool = False) -> list[ChatMessage]:
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
        if msg.get("images"):
            raise unsupported(f"{where}.images", "the loaded model reads text only")
        calls = _tool_calls(msg.get("tool_calls"), f"{where}.tool_calls", ollama) if role == "assistant" else []
        call_id = msg.get("tool_call_id")
        tool_name = msg.get("tool_name") or msg.get("name")
        out.append(ChatMessage(role, _content(msg.get("content"), f"{where}.content"), calls,
                               call_id if isinstance(call_id, str) and role == "tool" else "",
                               tool_name if isinstance(tool_name, str) and role == "tool" else ""))
    if out and out[-1].role == "assistant" and not out[-1].content and not out[-1].tool_calls:
        raise bad("The last message is an empty assistant message.", f"{name}[{len(out) - 1}]")
    if len(out) > 1 and out[-1].role == out[-2].role == "assistant":
        raise bad("The conversation ends with two assistant messages; only the last may be a reply to continue.",
                  f"{name}[{len(out) - 1}]")
    return out


def _ollama_messages(f: Field, value: Any, name: str) -> list[ChatMessage]:
    if isinstance(value, list) and not value:
        return []  # Ollama's "load the model" call
    return _messages(f, value, name, ollama=True)


def _tools(f: Field, value: Any, name: str) -> list[dict[str, Any]]:
    """Function tools in OpenAI's shape (Ollama's is the same): name, description, parameters (a schema)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_TOOLS:
        raise bad(f"'{name}' must be a list of at most {MAX_TOOLS} tools.", name, "invalid_type")
    out, seen = [], set()
    for i, tool in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(tool, dict) or tool.get("type", "function") != "function":
            raise unsupported(f"{where}.type", "only function tools are taken")
        function = tool.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str) \
                or not _NAME.match(function["name"]):
            raise bad(f"'{where}.function.name' must be a name of letters, digits, _ . : or -.",
                      f"{where}.function.name")
        if function["name"] in seen:
            raise bad(f"'{where}.function.name' repeats the tool {function['name']!r}.", f"{where}.function.name")
        seen.add(function["name"])
        params = function.get("parameters", {"type": "object", "properties": {}})
        if not isinstance(params, dict):
            raise bad(f"'{where}.function.parameters' must be a JSON schema object.",
                      f"{where}.function.parameters", "invalid_type")
        entry = {"name": function["name"], "parameters": params}
        if isinstance(function.get("description"), str):
            entry["description"] = function["description"]
        out.append({"type": "function", "function": entry})
    return out


def _tool_choice(f: Field, value: Any, name: str) -> str | dict[str, Any]:
    if value is None:
        return f.default
    if value in ("auto", "none", "required"):
        return value
    if isinstance(value, dict) and value.get("type", "function") == "function" \
            and isinstance((value.get("function") or {}).get("name"), str):
        return {"type": "function", "function": {"name": value["function"]["name"]}}
    raise bad(f"'{name}' must be auto, none, required or {{\"type\": \"function\", \"function\": {{\"name\": ...}}}}.",
              name)


def _response_format(f: Field, value: Any, name: str) -> dict[str, Any] | None:
    """OpenAI's: text (nothing to do), json_object, or json_schema with ``{"name", "schema", "strict"}``."""
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":  # llama.cpp's server also takes a schema here
        schema = value.get("schema")
        if schema is None:
            return {"type": "json_object"}
        if not isinstance(schema, dict):
            raise bad(f"'{name}.schema' must be a JSON schema object.", f"{name}.schema", "invalid_type")
        return {"type": "json_schema", "schema": schema}
    if kind == "json_schema":
        spec = value.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        if not isinstance(schema, dict):
            raise bad(f"'{name}.json_schema.schema' must be a JSON schema object.", f"{name}.json_schema.schema")
        return {"type": "json_schema", "schema": schema}
    raise bad(f"'{name}.type' must be text, json_object or json_schema.", f"{name}.type")


def _ollama_format(f: Field, value: Any, name: str) -> dict[str, Any] | None:
    """Ollama's ``format``: "json", or a JSON schema object."""
    if value in (None, ""):
        return None
    if value == "json":
        return {"type": "json_object"}
    if isinstance(value, dict):
        return {"type": "json_schema", "schema": value}
    raise bad(f"'{name}' must be \"json\" or a JSON schema object.", name)


_DURATION = re.compile(r"^-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h)?$")


def _keep_alive(f: Field, value: Any, name: str) -> float | None:
    """Ollama's keep_alive: seconds, or a duration ("5m", "1h", "-1"); only 0 (unload now) changes anything."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and _DURATION.match(value.strip()):
        number = float(re.sub(r"[a-zµ]+$", "", value.strip()))
        return number
    raise bad(f"'{name}' must be a number of seconds or a duration such as \"5m\".", name)


register("messages", _messages)
register("ollama_messages", _ollama_messages)
register("tools", _tools)
register("tool_choice", _tool_choice)
register("response_format", _response_format)
register("ollama_format", _ollama_format)
register("keep_alive", _keep_alive)
