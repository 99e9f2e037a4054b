"""Tool-call formats: which one a template defines, reading calls out of a streamed reply, and the grammars
that hold a reply to them (compiled by llama.cpp against a real vocabulary)."""

from __future__ import annotations

import json

import pytest
from gguf_templates import template

from deepseek_desktop.core.errors import EngineError
from deepseek_desktop.core.requests import ChatRequest
from deepseek_desktop.engines.output_grammar import held_schema, output_grammar
from deepseek_desktop.engines.tool_calls import (
    DEEPSEEK_R1,
    DEEPSEEK_V3_1,
    HERMES,
    ToolCallReader,
    template_arguments,
    tool_format,
)

R1_REPLY = ("Let me look.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n"
            '{"city": "Paris"}\n```<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n```json\n'
            '{"city": "Paris"}```<｜tool▁call▁end｜><｜tool▁calls▁end｜>')
V31_REPLY = ('<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{"city": "XYZCITY"}<｜tool▁call▁end｜>'
             "<｜tool▁calls▁end｜>")
HERMES_REPLY = ('Sure.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n</tool_call>'
                '<tool_call>\n{"name": "get_time", "arguments": "{\\"city\\": \\"Rome\\"}"}\n</tool_call>')
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


def test_each_real_template_names_its_format():
    assert tool_format(template("deepseek-r1")) is DEEPSEEK_R1
    assert tool_format(template("deepseek-v3.1")) is DEEPSEEK_V3_1
    assert tool_format(template("qwen2.5")) is HERMES
    assert tool_format("{% for m in messages %}{{ m.content }}{% endfor %}") is None


def feed_in_pieces(fmt, reply, size):
    reader = ToolCallReader(fmt)
    text, calls = [], []
    for i in range(0, len(reply), size):
        t, c = reader.feed(reply[i:i + size])
        text.append(t)
        calls += c
    t, c = reader.flush()
    return "".join(text) + t, calls + c


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
@pytest.mark.parametrize(("fmt", "reply", "text", "expected"), [
    (DEEPSEEK_R1, R1_REPLY, "Let me look.", [("get_weather", {"city": "Paris"}), ("get_time", {"city": "Paris"})]),
    (DEEPSEEK_V3_1, V31_REPLY, "", [("get_time", {"city": "XYZCITY"})]),
    (HERMES, HERMES_REPLY, "Sure.\n", [("get_weather", {"city": "Rome"}), ("get_time", {"city": "Rome"})]),
])
def test_calls_are_read_whatever_the_pieces(fmt, reply, text, expected, size):
    got_text, calls = feed_in_pieces(fmt, reply, size)
    assert got_text == text
    assert [(c.name, json.loads(c.arguments)) for c in calls] == expected
    assert [c.index for c in calls] == list(range(len(expected))) and len({c.id for c in calls}) == len(calls)


def test_text_that_only_looks_like_a_marker_is_given_back():
    text, calls = feed_in_pieces(HERMES, "a <tool_ maybe, and <tool_call> never closed {oops", 2)
    assert calls == [] and text == "a <tool_ maybe, and <tool_call> never closed {oops"
    text, calls = feed_in_pieces(DEEPSEEK_R1, "x < y and <｜tool▁calls▁begin｜>garbage", 4)
    assert calls == [] and text == "x < y and <｜tool▁calls▁begin｜>garbage"


def test_a_block_cut_before_its_end_keeps_its_finished_calls():
    cut = R1_REPLY.removesuffix("<｜tool▁calls▁end｜>")
    text, calls = feed_in_pieces(DEEPSEEK_R1, cut, 5)
    assert [c.name for c in calls] == ["get_weather", "get_time"] and text == "Let me look."


def test_arguments_go_back_to_templates_as_objects():
    calls = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
             {"id": "c2", "function": {"name": "g", "arguments": "not json"}}]
    out = template_arguments(calls)
    assert out[0]["function"]["arguments"] == {"a": 1} and out[1]["function"]["arguments"] == "not json"
    assert out[1]["type"] == "function"


@pytest.fixture(scope="module")
def vocab(gemma_path):
    import llama_cpp

    return llama_cpp.Llama(model_path=str(gemma_path), vocab_only=True, verbose=False)


@pytest.mark.parametrize("fmt", [DEEPSEEK_R1, DEEPSEEK_V3_1, HERMES])
@pytest.mark.parametrize("choice", ["auto", "required", {"type": "function", "function": {"name": "get_weather"}}])
def test_tool_grammars_compile_in_llama_cpp(vocab, fmt, choice):
    import llama_cpp

    grammar = output_grammar(ChatRequest([], tools=TOOLS, tool_choice=choice), fmt)
    assert grammar.lazy == (choice == "auto")
    made = llama_cpp.llama_sampler_init_grammar(vocab._model.vocab, grammar.text.encode(), b"root")
    assert made
    llama_cpp.llama_sampler_free(made)


def test_schemas_the_grammar_cannot_hold_are_refused_by_keyword():
    small = held_schema({"type": "integer", "minimum": 1, "maximum": 5}, "response_format")
    assert small == {"enum": [1, 2, 3, 4, 5]}
    with pytest.raises(EngineError) as err:
        held_schema({"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}}, "response_format")
    assert err.value.params["param"] == "response_format" and "minimum" in err.value.params["what"]
