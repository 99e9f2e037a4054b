"""The local API server on the real Gemma GGUF (llama.cpp in the engine host), through the real clients."""

from __future__ import annotations

import concurrent.futures

import ollama
import openai
import pytest
from api_server_harness import ServedApp
from conftest import THREADS

from deepseek_desktop.api_server.app import ServerConfig
from deepseek_desktop.core.requests import LoadParams

pytestmark = pytest.mark.slow
ASK = [{"role": "user", "content": "Count from one to twenty in words, separated by commas."}]


@pytest.fixture(scope="module")
def gemma_app(gemma_path, tmp_path_factory):
    app = ServedApp(
        "llamacpp",
        LoadParams(model=str(gemma_path), n_ctx=1024, n_threads=THREADS),
        ServerConfig(openai_port=0, ollama_port=0),
        tmp_path_factory.mktemp("home"),
    ).start()
    yield app
    app.close()


@pytest.fixture
def oai(gemma_app):
    return openai.OpenAI(base_url=gemma_app.url(), api_key="none", max_retries=0)


def test_models_list_the_loaded_gguf(oai, gemma_path):
    data = oai.models.list().data
    assert data[0].id == gemma_path.stem
    assert data[0].model_extra["format"] == "gguf" and data[0].model_extra["size"] == gemma_path.stat().st_size
    assert data[0].model_extra["loaded"] is True


def test_streamed_and_whole_agree_greedy_with_real_usage(oai, gemma_path):
    model = gemma_path.stem
    whole = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=24)
    chunks = list(
        oai.chat.completions.create(
            model=model, messages=ASK, temperature=0, max_tokens=24, stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    # (not compared word for word: a reused key/value cache changes llama.cpp's float sums, and with them
    # a 270M model's greedy picks)
    assert text and whole.choices[0].message.content
    assert 0 < sum(1 for c in chunks if c.choices and c.choices[0].delta.content) <= 24
    assert whole.choices[0].finish_reason == "length" and whole.usage.completion_tokens == 24
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage.completion_tokens == 24
    assert usage.prompt_tokens == whole.usage.prompt_tokens > len(ASK[0]["content"].split())


def test_stop_strings(oai, gemma_path):
    model = gemma_path.stem
    free = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=40)
    text = free.choices[0].message.content
    # a stop string the greedy reply contains, whatever this small model writes (its third word)
    stop = text.split()[2]
    cut = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=40, stop=[stop])
    assert cut.choices[0].message.content == text.split(stop)[0]
    assert cut.choices[0].finish_reason == "stop"


def test_seed_reproducible(oai, gemma_path):
    model = gemma_path.stem
    story = [{"role": "user", "content": "Write one sentence about a cat."}]

    def sample(seed: int) -> str:
        return (
            oai.chat.completions.create(
                model=model, messages=story, temperature=1.2, top_p=1.0, seed=seed, max_tokens=24
            )
            .choices[0]
            .message.content
        )

    first = sample(1234)
    assert sample(1234) == first
    assert any(sample(s) != first for s in (1, 2, 3))


def test_closing_the_stream_after_three_chunks_frees_the_engine(gemma_app, oai, gemma_path):
    model = gemma_path.stem
    stream = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=1000, stream=True)
    for n, _ in enumerate(stream):
        if n == 2:
            break
    stream.close()
    nxt = oai.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=5)
    assert nxt.usage.completion_tokens == 5
    cancelled = [e for e in gemma_app.server.requests.entries if e.status == 499]
    assert cancelled  # the closed stream ended as "client went away", not after 1000 tokens


def test_eight_clients_at_once(gemma_app, gemma_path):
    model = gemma_path.stem

    def ask(i: int) -> str:
        c = openai.OpenAI(base_url=gemma_app.url(), api_key="none", max_retries=0)
        msgs = [{"role": "user", "content": f"Say the number {i}."}]
        if i % 2:
            return (
                c.chat.completions.create(model=model, messages=msgs, temperature=0, max_tokens=8)
                .choices[0]
                .message.content
            )
        return "".join(
            ch.choices[0].delta.content or ""
            for ch in c.chat.completions.create(model=model, messages=msgs, temperature=0, max_tokens=8, stream=True)
            if ch.choices
        )

    before = len(gemma_app.server.requests.entries)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert len(answers) == 8 and all(answers)
    statuses = [e.status for e in list(gemma_app.server.requests.entries)[before:]]
    assert statuses == [200] * 8


def test_ollama_client_chat_and_list(gemma_app, gemma_path):
    oc = ollama.Client(host=gemma_app.url("ollama"))
    assert gemma_path.stem in [m.model for m in oc.list().models]
    whole = oc.chat(model=gemma_path.stem, messages=ASK, stream=False, options={"temperature": 0, "num_predict": 12})
    parts = list(
        oc.chat(model=gemma_path.stem, messages=ASK, stream=True, options={"temperature": 0, "num_predict": 12})
    )
    assert "".join(p.message.content for p in parts) and whole.message.content
    assert whole.eval_count == 12 and parts[-1].done and parts[-1].eval_count == 12


# -- issue 21: what the API honours, or refuses by name ------------------------------------------------------

PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 20}, "age": {"type": "integer", "minimum": 0,
                                                                         "maximum": 120}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def test_json_schema_reply_validates(oai, gemma_path):
    import json

    import jsonschema

    done = oai.chat.completions.create(
        model=gemma_path.stem, temperature=0, max_tokens=60,
        messages=[{"role": "user", "content": "Describe a person as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON}},
    )
    reply = json.loads(done.choices[0].message.content)
    jsonschema.validate(reply, PERSON)
    assert done.choices[0].finish_reason == "stop"


def test_json_object_reply_and_ollama_format(gemma_app, oai, gemma_path):
    import json

    done = oai.chat.completions.create(model=gemma_path.stem, temperature=0, max_tokens=80,
                                       messages=[{"role": "user", "content": "A cat, as JSON."}],
                                       response_format={"type": "json_object"})
    text = done.choices[0].message.content
    assert text.lstrip().startswith("{")  # free JSON may run past max_tokens; when it ends, it parses
    if done.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(text), dict)
    oc = ollama.Client(host=gemma_app.url("ollama"))
    reply = oc.chat(model=gemma_path.stem, messages=[{"role": "user", "content": "A person, as JSON."}],
                    format=PERSON, options={"temperature": 0, "num_predict": 60})
    import jsonschema

    jsonschema.validate(json.loads(reply.message.content), PERSON)


def test_logprobs_whole_and_streamed(oai, gemma_path):
    import math

    done = oai.chat.completions.create(model=gemma_path.stem, messages=ASK, temperature=0, max_tokens=4,
                                       logprobs=True, top_logprobs=3)
    content = done.choices[0].logprobs.content
    assert len(content) == 4 and "".join(c.token for c in content) == done.choices[0].message.content
    for entry in content:
        assert entry.logprob <= 0 and len(entry.top_logprobs) == 3
        assert entry.top_logprobs[0].logprob >= entry.top_logprobs[-1].logprob
        assert entry.token == entry.top_logprobs[0].token  # greedy: the chosen token is the likeliest
        assert bytes(entry.bytes).decode() == entry.token
    assert sum(math.exp(t.logprob) for t in content[0].top_logprobs) <= 1.0 + 1e-6
    chunks = list(oai.chat.completions.create(model=gemma_path.stem, messages=ASK, temperature=0, max_tokens=3,
                                              logprobs=True, stream=True))
    streamed = [e for c in chunks if c.choices and c.choices[0].logprobs for e in c.choices[0].logprobs.content]
    assert len(streamed) == 3 and all(e.top_logprobs == [] for e in streamed)


def test_a_completion_continues_the_raw_prompt_with_echo(oai, gemma_path):
    done = oai.completions.create(model=gemma_path.stem, prompt="1, 2, 3, 4, 5,", temperature=0, max_tokens=6)
    assert done.usage.prompt_tokens <= 15  # BOS and the prompt alone (digits are tokens of their own), no chat turn
    assert done.choices[0].text.startswith(" 6")
    echoed = oai.completions.create(model=gemma_path.stem, prompt="1, 2, 3, 4, 5,", temperature=0, max_tokens=6,
                                    echo=True, logprobs=None)
    assert echoed.choices[0].text == "1, 2, 3, 4, 5," + done.choices[0].text
    scored = oai.completions.create(model=gemma_path.stem, prompt="1, 2, 3,", temperature=0, max_tokens=2,
                                    logprobs=2)
    lp = scored.choices[0].logprobs
    assert len(lp.tokens) == 2 and len(lp.top_logprobs[0]) == 2 and lp.text_offset[0] == 0


def test_suffix_without_fill_in_the_middle_tokens_is_a_400(oai, gemma_path):
    with pytest.raises(openai.BadRequestError) as err:
        oai.completions.create(model=gemma_path.stem, prompt="def f(", suffix="    return x\n", max_tokens=4)
    assert err.value.body["param"] == "suffix" and "fill-in-the-middle" in err.value.body["message"]


def test_unsupported_parameters_are_named(oai, gemma_path):
    with pytest.raises(openai.BadRequestError) as err:
        oai.chat.completions.create(model=gemma_path.stem, messages=ASK, max_tokens=2,
                                    extra_body={"web_search_options": {}})
    assert err.value.body["param"] == "web_search_options" and err.value.body["code"] == "unsupported_parameter"
    # Gemma's file has no chat template: the fallback defines no tool calls
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    with pytest.raises(openai.BadRequestError) as err:
        oai.chat.completions.create(model=gemma_path.stem, messages=ASK, max_tokens=2, tools=tools)
    assert err.value.body["param"] == "tools" and "fallback:gemma" in err.value.body["message"]


def test_samplers_and_logit_bias_take_effect(oai, gemma_path):
    free = oai.chat.completions.create(model=gemma_path.stem, messages=ASK, temperature=0, max_tokens=1,
                                       logprobs=True)
    first = free.choices[0].logprobs.content[0]
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(gemma_path), vocab_only=True, verbose=False)
    token = llm.tokenize(first.token.encode(), add_bos=False, special=True)[0]
    biased = oai.chat.completions.create(model=gemma_path.stem, messages=ASK, temperature=0, max_tokens=1,
                                         logit_bias={str(token): -100},
                                         extra_body={"min_p": 0.1, "typical_p": 0.9, "mirostat": 0})
    assert biased.choices[0].message.content != free.choices[0].message.content
    penal = oai.chat.completions.create(model=gemma_path.stem, messages=ASK, temperature=0, max_tokens=24,
                                        frequency_penalty=2.0, presence_penalty=2.0)
    assert penal.choices[0].message.content


def test_a_conversation_too_long_is_a_400_unless_truncation_is_asked(oai, gemma_path):
    long = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} " + "word " * 20}
            for i in range(2000)] + [{"role": "user", "content": "Say hi."}]
    with pytest.raises(openai.BadRequestError) as err:
        oai.chat.completions.create(model=gemma_path.stem, messages=long, max_tokens=2)
    assert err.value.body["code"] == "context_length_exceeded" and "1024" in err.value.body["message"]
    done = oai.chat.completions.create(model=gemma_path.stem, messages=long, max_tokens=2,
                                       extra_body={"truncation": "auto"})
    assert 0 < done.usage.prompt_tokens < 1024 and done.usage.completion_tokens >= 1
    with pytest.raises(openai.BadRequestError) as err:  # one message longer than the whole context
        oai.chat.completions.create(model=gemma_path.stem, max_tokens=2, extra_body={"truncation": "auto"},
                                    messages=[{"role": "user", "content": "word " * 3000}])
    assert err.value.body["code"] == "context_length_exceeded"


def test_cached_prompt_tokens_are_reported(oai, gemma_path):
    chat = [{"role": "system", "content": "You are terse. " * 20}, {"role": "user", "content": "Hi"}]
    oai.chat.completions.create(model=gemma_path.stem, messages=chat, temperature=0, max_tokens=1)
    again = oai.chat.completions.create(model=gemma_path.stem, messages=chat, temperature=0, max_tokens=1)
    cached = again.usage.prompt_tokens_details.cached_tokens
    assert again.usage.prompt_tokens - 2 <= cached < again.usage.prompt_tokens


def test_ollama_show_ps_and_load_calls(gemma_app, gemma_path):
    oc = ollama.Client(host=gemma_app.url("ollama"))
    shown = oc.show(gemma_path.stem)
    assert shown.details.family == "gemma3" and shown.details.quantization_level
    assert "completion" in shown.capabilities and "tools" not in shown.capabilities
    assert shown.modelinfo["gemma3.context_length"] > 0
    ps = oc.ps().models[0]
    assert ps.model == gemma_path.stem and ps.details.family == "gemma3" and ps.context_length == 1024
    loaded = oc.generate(model=gemma_path.stem)  # no prompt: Ollama's "load" call
    assert loaded.done and loaded.done_reason == "load" and loaded.response == ""
    assert oc.chat(model=gemma_path.stem, messages=[]).done_reason == "load"
    with pytest.raises(ollama.ResponseError) as err:
        oc.chat(model=gemma_path.stem, messages=ASK, options={"num_gpu": 99})
    assert err.value.status_code == 400 and "options.num_gpu" in err.value.error
    with pytest.raises(ollama.ResponseError) as err:
        oc.generate(model=gemma_path.stem, prompt="hi", images=[b"\x89PNG"])
    assert err.value.status_code == 400 and "images" in err.value.error
    raw = oc.generate(model=gemma_path.stem, prompt="1, 2, 3, 4,", raw=True,
                      options={"temperature": 0, "num_predict": 3})
    assert raw.prompt_eval_count <= 12 and raw.response.startswith(" 5")  # BOS and 11 tokens: no chat turn


@pytest.fixture(scope="module")
def v31_app(gemma_with_template, tmp_path_factory):
    """The Gemma GGUF carrying DeepSeek-V3.1's template, whose thinking the ``thinking`` switch turns on."""
    app = ServedApp(
        "llamacpp",
        LoadParams(model=str(gemma_with_template("deepseek-v3.1")), n_ctx=1024, n_threads=THREADS),
        ServerConfig(openai_port=0, ollama_port=0),
        tmp_path_factory.mktemp("home"),
    ).start()
    yield app
    app.close()


def test_ollama_think_switches_the_templates_thinking(v31_app):
    oc = ollama.Client(host=v31_app.url("ollama"))
    model = oc.ps().models[0].model
    options = {"temperature": 0, "num_predict": 8}
    on = oc.chat(model=model, messages=ASK, think=True, options=options)
    off = oc.chat(model=model, messages=ASK, think=False, options=options)
    # think on: the template opens <think> and the reply starts inside it; off: "<think></think>", no reasoning
    assert on.message.thinking and not on.message.content
    assert not off.message.thinking and off.message.content
    assert off.prompt_eval_count > on.prompt_eval_count  # the closing tag


def test_ollama_num_predict_unlimited_and_the_unload_call(v31_app):
    oc = ollama.Client(host=v31_app.url("ollama"))
    model = oc.ps().models[0].model
    counted = oc.generate(model=model, prompt="1, 2, 3, 4,", raw=True,
                          options={"temperature": 0, "num_predict": -1, "stop": ["8"]})
    assert counted.done_reason == "stop" and counted.response.startswith(" 5") and "8" not in counted.response
    unloaded = oc.generate(model=model, keep_alive=0)
    assert unloaded.done_reason == "unload" and oc.ps().models == []
    again = oc.generate(model=model, prompt="1, 2, 3, 4,", raw=True, options={"temperature": 0, "num_predict": 3})
    assert again.response.startswith(" 5") and oc.ps().models[0].model == model  # loaded again for it


@pytest.fixture(scope="module")
def budget_app(gemma_with_template, tmp_path_factory):
    """DeepSeek-V3.1's template (thinking switched on by the request), with small effort budgets."""
    from deepseek_desktop.core.settings.store import SettingsStore

    home = tmp_path_factory.mktemp("home")
    settings = SettingsStore(home / "settings.json")
    settings.set("thinking.effort_low", 6)
    settings.set("thinking.effort_medium", 12)
    app = ServedApp(
        "llamacpp",
        LoadParams(model=str(gemma_with_template("deepseek-v3.1")), n_ctx=1024, n_threads=THREADS),
        ServerConfig(openai_port=0, ollama_port=0), home, settings=settings,
    ).start()
    yield app
    app.close()


@pytest.fixture(scope="module")
def count_tokens(gemma_path):
    """The number of tokens of a text, by the model's own vocabulary."""
    import llama_cpp

    llm = llama_cpp.Llama(str(gemma_path), vocab_only=True, verbose=False)
    yield lambda text: len(llm.tokenize(text.encode(), add_bos=False, special=False))
    llm.close()


def test_reasoning_effort_maps_to_the_budgets_in_the_settings(budget_app, count_tokens):
    oc = openai.OpenAI(base_url=budget_app.url("openai"), api_key="none")
    model = oc.models.list().data[0].id

    def ask(effort):
        reply = oc.chat.completions.create(model=model, messages=ASK, temperature=0, max_tokens=40,
                                           reasoning_effort=effort)
        return reply.choices[0].message.model_extra.get("reasoning_content") or "", reply.choices[0].message.content

    low, low_answer = ask("low")
    medium, medium_answer = ask("medium")
    # thinking closed by the engine at the budget (6 and 12 tokens; re-tokenising the text may differ by one)
    assert abs(count_tokens(low) - 6) <= 1 and abs(count_tokens(medium) - 12) <= 1
    assert medium.startswith(low.rstrip()) and low_answer and medium_answer  # an answer follows the thinking
    none, none_answer = ask("none")
    assert not none and none_answer  # "none": the template switches thinking off
    with pytest.raises(openai.BadRequestError) as err:
        ask("extreme")
    assert err.value.body["param"] == "reasoning_effort"


def test_ollama_think_levels_map_to_the_same_budgets(budget_app, count_tokens):
    oc = ollama.Client(host=budget_app.url("ollama"))
    model = oc.ps().models[0].model
    options = {"temperature": 0, "num_predict": 40}
    low = oc.chat(model=model, messages=ASK, think="low", options=options)
    assert abs(count_tokens(low.message.thinking) - 6) <= 1 and low.message.content
    medium = oc.chat(model=model, messages=ASK, think="medium", options=options)
    assert abs(count_tokens(medium.message.thinking) - 12) <= 1
    on = oc.chat(model=model, messages=ASK, think=True, options=options)
    assert len(on.message.thinking) > len(medium.message.thinking)  # true: the setting, unlimited by default
