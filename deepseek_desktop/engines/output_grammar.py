"""The grammar (llama.cpp's GBNF) that holds the reply to what the request asked: JSON, or JSON matching a
schema (``response_format``); the model's tool-call format with each tool's arguments matching its
parameters' schema (``tools``).

As llama.cpp does it: with ``tool_choice`` "required" (or one named function) the reply is the block of calls
from its first token; with "auto" the grammar is lazy, free text until the model writes the format's opening
marker, then held to well-formed calls. JSON schemas become grammar rules through llama-cpp-python's
``SchemaConverter`` (its ``json_schema_to_gbnf``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from llama_cpp.llama_grammar import JSON_GBNF, SchemaConverter

from ..core.errors import EngineError
from ..core.requests import ChatRequest
from .tool_calls import CALL_BEGIN, CALL_END, SEP, ToolFormat

_REGEX_SPECIAL = set("\\^$.|?*+()[]{}")


@dataclass(frozen=True)
class Grammar:
    text: str
    lazy: bool = False
    trigger_words: tuple[str, ...] = field(default=())  # for a lazy grammar: what switches it on


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def regex_escape(text: str) -> str:
    """A literal for llama.cpp's trigger patterns (std::regex, ECMAScript)."""
    return "".join("\\" + c if c in _REGEX_SPECIAL else c for c in text)


def _converter() -> SchemaConverter:
    return SchemaConverter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)


# Keywords llama-cpp-python's SchemaConverter would pass over: a reply could break them, so they are refused.
_UNHELD = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems", "not",
           "minProperties", "maxProperties", "contains", "if", "then", "else", "dependentRequired",
           "dependentSchemas", "patternProperties", "propertyNames")
_SUBSCHEMAS = ("items", "additionalProperties", "prefixItems", "anyOf", "oneOf", "allOf")
MAX_ENUMERATED = 1000


def held_schema(schema: Any, param: str, depth: int = 0) -> Any:
    """``schema`` as the grammar can hold it: an integer between two bounds becomes the list of its values
    (at most ``MAX_ENUMERATED``); a keyword the grammar cannot hold is a ``request.unsupported`` naming it."""
    if depth > 64:
        raise EngineError("request.unsupported", f"{param}: schema nested too deep", param=param,
                          what=f"{param} (a JSON schema nested more than 64 deep)")
    if isinstance(schema, list):
        return [held_schema(s, param, depth + 1) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    low, high = out.get("minimum"), out.get("maximum")
    if out.get("type") == "integer" and isinstance(low, int) and isinstance(high, int) \
            and 0 <= high - low < MAX_ENUMERATED:
        out = {k: v for k, v in out.items() if k not in ("type", "minimum", "maximum")}
        out["enum"] = list(range(low, high + 1))
    for key in _UNHELD:
        if key in out:
            raise EngineError("request.unsupported", f"{param}: JSON schema keyword {key}", param=param,
                              what=f"{param} (the JSON schema keyword '{key}' cannot be held by a grammar"
                              + (f"; an integer range of at most {MAX_ENUMERATED} values can" if key in
                                 ("minimum", "maximum") else "") + ")")
    for key in _SUBSCHEMAS:
        if isinstance(out.get(key), (dict, list)):
            out[key] = held_schema(out[key], param, depth + 1)
    for key in ("properties", "$defs", "definitions"):
        if isinstance(out.get(key), dict):
            out[key] = {k: held_schema(v, param, depth + 1) for k, v in out[key].items()}
    return out


def _schema_rule(converter: SchemaConverter, schema: Any, name: str, param: str) -> str:
    """The rule for ``schema``; a schema the converter cannot read is the request's mistake (a 400)."""
    if not isinstance(schema, dict):
        raise EngineError("request.unsupported", f"{param}: not a JSON schema object", what=param, param=param)
    schema = held_schema(schema, param)
    try:
        resolved = converter.resolve_refs(schema, "request")
        return converter.visit(resolved, name)
    except (ValueError, KeyError, TypeError, AssertionError, RecursionError, NotImplementedError) as exc:
        raise EngineError("request.unsupported", f"{param}: {type(exc).__name__}: {exc}",
                          what=f"{param} (the JSON schema: {exc})", param=param) from exc


def response_grammar(response_format: dict[str, Any]) -> Grammar | None:
    """JSON for ``{"type": "json_object"}``, JSON matching the schema for ``{"type": "json_schema", "schema"}``."""
    kind = response_format.get("type")
    if kind == "json_object" and not response_format.get("schema"):
        return Grammar(JSON_GBNF)
    if kind in ("json_object", "json_schema"):
        converter = _converter()
        _schema_rule(converter, response_format.get("schema"), "", "response_format")
        return Grammar(converter.format_grammar())
    return None


def _chosen_tools(request: ChatRequest) -> list[dict[str, Any]]:
    choice = request.tool_choice
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        chosen = [t for t in request.tools if t["function"]["name"] == name]
        if not chosen:
            raise EngineError("request.unsupported", f"tool_choice names {name!r}, not among the tools",
                              what=f"tool_choice names the function {name!r}, which is not among the tools",
                              param="tool_choice")
        return chosen
    return request.tools


def tools_grammar(request: ChatRequest, fmt: ToolFormat) -> Grammar:
    """The block of calls in ``fmt``, each call's arguments matching its tool's parameters."""
    converter = _converter()
    calls = []
    for i, tool in enumerate(_chosen_tools(request)):
        function = tool["function"]
        name = function["name"]
        params = function.get("parameters") or {"type": "object"}
        args = _schema_rule(converter, params, f"tool-{i}-args", "tools")
        if fmt.name == "deepseek-r1":
            rule = f'{_literal(CALL_BEGIN + "function" + SEP + name + chr(10) + "```json" + chr(10))} {args} ' \
                   f'{_literal(chr(10) + "```" + CALL_END)}'
        elif fmt.name == "deepseek-v3.1":
            rule = f"{_literal(CALL_BEGIN + name + SEP)} {args} {_literal(CALL_END)}"
        else:  # hermes: {"name": ..., "arguments": ...} inside <tool_call> ... </tool_call>
            rule = (f'"<tool_call>\\n{{\\"name\\": " {_literal(_literal(name))} ", \\"arguments\\": " {args} '
                    f'"}}\\n</tool_call>"')
        calls.append(converter._add_rule(f"tool-{i}-call", rule))
    one = " | ".join(calls)
    parallel = request.parallel_tool_calls and not isinstance(request.tool_choice, dict)  # a named one: one call
    many = f"( {one} )" + ("+" if parallel else "")
    if fmt.name == "hermes":
        root = f"{many} space"
    else:
        root = f"{_literal(fmt.opening)} {many} {_literal(fmt.closing)} space"
    converter._add_rule("root", root)
    lazy = request.tool_choice == "auto"
    return Grammar(converter.format_grammar(), lazy, (fmt.opening,) if lazy else ())


def output_grammar(request: ChatRequest, fmt: ToolFormat | None) -> Grammar | None:
    """The grammar for what ``request`` asks, or None for free text."""
    wants_tools = bool(request.tools) and request.tool_choice != "none"
    if wants_tools and request.response_format is not None:
        raise EngineError("request.unsupported", "tools together with response_format",
                          what="tools together with response_format", param="response_format")
    if wants_tools:
        assert fmt is not None
        return tools_grammar(request, fmt)
    if request.response_format is not None:
        return response_grammar(request.response_format)
    return None
