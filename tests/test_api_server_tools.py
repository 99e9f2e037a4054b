"""Tool calls through the local API server on a real GGUF whose chat template defines tools: the Gemma 3 270M
file carrying DeepSeek-R1's own template (its tool-call format) and Qwen 2.5's (Hermes' ``<tool_call>``),
with the real ``openai`` and ``ollama`` clients.

Gemma is a small base model: it does not decide to call a tool by itself, so the OpenAI tests ask for a call
(``tool_choice`` "required" or a named function: the reply is held to the format by a grammar, as llama.cpp
does), and the Ollama test (which has no tool choice) shows the model earlier calls in the conversation, which
it then follows; the lazy grammar holds the call it starts."""

from __future__ import annotations

import json

import jsonschema
import ollama
import openai
import pytest
from api_server_harness import ServedApp
from conftest import THREADS

from deepseek_desktop.api_server.app import ServerConfig
from deepseek_desktop.core.requests import LoadParams

pytestmark = pytest.mark.slow
WEATHER = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 24}}, "required": ["city"],
           "additionalProperties": False}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city now",
                                           "parameters": WEATHER}},
         {"type": "function", "function": {"name": "get_time", "description": "The time in a city now",
                                           "parameters": WEATHER}}]
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


def serve(path, home) -> ServedApp:
    return ServedApp("llamacpp", LoadParams(model=str(path), n_ctx=1024, n_threads=THREADS),
                     ServerConfig(openai_port=0, ollama_port=0), home).start()


@pytest.fixture(scope="module")
def r1_app(gemma_with_template, tmp_path_factory):
    app = serve(gemma_with_template("deepseek-r1"), tmp_path_factory.mktemp("home"))
    yield app
    app.close()


@pytest.fixture(scope="module")
def qwen_app(gemma_with_template, tmp_path_factory):
    app = serve(gemma_with_template("qwen2.5"), tmp_path_factory.mktemp("home"))
    yield app
    app.close()


def model_id(app) -> str:
    return openai.OpenAI(base_url=app.url(), api_key="none").models.list().data[0].id


def test_required_tool_call_whole_then_the_result_goes_back(r1_app):
    oai = openai.OpenAI(base_url=r1_app.url(), api_key="none", max_retries=0)
    model = model_id(r1_app)
    done = oai.chat.completions.create(model=model, messages=ASK, tools=TOOLS, tool_choice="required",
                                       parallel_tool_calls=False, temperature=0, max_tokens=160)
    choice = done.choices[0]
    assert choice.finish_reason == "tool_calls" and not choice.message.content
    (call,) = choice.message.tool_calls
    assert call.type == "function" and call.function.name in ("get_weather", "get_time") and call.id
    jsonschema.validate(json.loads(call.function.arguments), WEATHER)
    # the call and its result go back; the template renders them (the prompt grows by both)
    back = [*ASK, choice.message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 degrees"}]
    after = oai.chat.completions.create(model=model, messages=back, tools=TOOLS, temperature=0, max_tokens=4)
    assert after.choices[0].finish_reason in ("stop", "length")
    assert after.usage.prompt_tokens > done.usage.prompt_tokens + 20


def test_named_function_streamed(r1_app):
    oai = openai.OpenAI(base_url=r1_app.url(), api_key="none", max_retries=0)
    chunks = list(oai.chat.completions.create(
        model=model_id(r1_app), messages=ASK, tools=TOOLS, temperature=0, max_tokens=160, stream=True,
        tool_choice={"type": "function", "function": {"name": "get_time"}}))
    deltas = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert [d.function.name for d in deltas] == ["get_time"] and deltas[0].index == 0 and deltas[0].id
    jsonschema.validate(json.loads("".join(d.function.arguments for d in deltas)), WEATHER)
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert not "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).strip()


def test_ollama_tool_call_after_earlier_calls(qwen_app):
    oc = ollama.Client(host=qwen_app.url("ollama"))
    history = []
    for city, weather in [("Paris", "Sunny"), ("Berlin", "Rainy"), ("Madrid", "Hot")]:
        history += [
            {"role": "user", "content": f"What is the weather in {city}?"},
            {"role": "assistant", "content": "",
             "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": city}}}]},
            {"role": "tool", "tool_name": "get_weather", "content": weather},
            {"role": "assistant", "content": f"It is {weather.lower()} in {city}."},
        ]
    history.append({"role": "user", "content": "What is the weather in Rome?"})
    whole = oc.chat(model=model_id(qwen_app), messages=history, tools=TOOLS,
                    options={"temperature": 0, "num_predict": 48})
    first = whole.message.tool_calls[0]
    assert first.function.name == "get_weather" and first.function.arguments == {"city": "Rome"}
    parts = list(oc.chat(model=model_id(qwen_app), messages=history, tools=TOOLS, stream=True,
                         options={"temperature": 0, "num_predict": 48}))
    streamed = [c for p in parts for c in (p.message.tool_calls or [])]
    assert streamed[0].function.arguments == {"city": "Rome"} and parts[-1].done


def test_tool_requests_the_grammar_cannot_hold_are_named(qwen_app):
    oai = openai.OpenAI(base_url=qwen_app.url(), api_key="none", max_retries=0)
    with pytest.raises(openai.BadRequestError) as err:  # a schema keyword the grammar cannot hold
        oai.chat.completions.create(
            model=model_id(qwen_app), messages=ASK, tool_choice="required", max_tokens=8,
            tools=[{"type": "function", "function": {"name": "f", "parameters": {
                "type": "object", "properties": {"n": {"type": "number", "multipleOf": 3}}}}}])
    assert err.value.body["param"] == "tools" and "multipleOf" in err.value.body["message"]
    with pytest.raises(openai.BadRequestError) as err:
        oai.chat.completions.create(model=model_id(qwen_app), messages=ASK, tools=TOOLS, max_tokens=8,
                                    tool_choice={"type": "function", "function": {"name": "nope"}})
    assert err.value.body["param"] == "tool_choice"
