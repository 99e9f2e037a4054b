"""What every engine shares: fitting a conversation into the context, stop strings, the stream meter."""

from __future__ import annotations

import threading

import pytest

from deepseek_desktop.core.errors import EngineError
from deepseek_desktop.core.events import Finished, ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage
from deepseek_desktop.engines.base import StopScanner, StreamMeter, history_for_model
from deepseek_desktop.engines.context_fit import PromptCancelled, fit_prompt


class Words:
    """A template that writes "role: content" lines and a tokenizer of one token per word, counting its calls."""

    def __init__(self) -> None:
        self.renders = self.tokenized = self.counted = 0

    def render(self, msgs):
        self.renders += 1
        return "\n".join(f"{m['role']}: {m['content']}" for m in msgs)

    def tokenize(self, text):
        self.tokenized += 1
        return text.split()

    def count(self, text):
        self.counted += 1
        return len(text.split())


def fit(messages, n_ctx, room, truncate=True, cancel=None, words=None):
    words = words or Words()
    fitted = fit_prompt(history_for_model(messages), n_ctx, room, words.render, words.tokenize, words.count,
                        truncate=truncate, cancel=cancel)
    return fitted.tokens, fitted.text, fitted.dropped


def conversation(turns: int) -> list[ChatMessage]:
    msgs = [ChatMessage("system", "be brief")]
    for i in range(turns):
        msgs += [ChatMessage("user", f"question {i} " + "x " * 20),
                 ChatMessage("assistant", f"<think>private {i}</think>answer {i} " + "y " * 20)]
    return msgs + [ChatMessage("user", "last question")]


def test_history_never_carries_reasoning():
    msgs = history_for_model(conversation(1))
    assert msgs[2] == {"role": "assistant", "content": "answer 0 " + "y " * 20}


def test_a_message_that_only_calls_tools_has_null_content_only_where_asked():
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    msgs = [ChatMessage("user", "q"), ChatMessage("assistant", "", tool_calls=[call]),
            ChatMessage("tool", "42", tool_call_id="c1")]
    plain, openai_shape = history_for_model(msgs), history_for_model(msgs, calls_without_content=True)
    assert plain[1]["content"] == "" and openai_shape[1]["content"] is None  # a template without tools writes ""
    assert openai_shape[2] == {"role": "tool", "content": "42", "tool_call_id": "c1"}


def test_a_short_conversation_is_sent_whole():
    tokens, prompt, dropped = fit(conversation(2), 4096, 100)
    assert dropped == 0 and "question 0" in prompt


def test_oldest_turns_go_first_and_the_system_prompt_and_question_stay():
    tokens, prompt, dropped = fit(conversation(10), 200, 50)
    assert dropped > 0 and len(tokens) + 50 <= 200
    assert prompt.startswith("system: be brief") and prompt.endswith("user: last question")
    assert "question 9" in prompt and "question 0" not in prompt
    assert prompt.split("\n")[1].startswith("user: ")  # what is left starts with a question


def test_fitting_is_linear_each_message_counted_once():
    words = Words()
    msgs = conversation(1000)
    tokens, prompt, dropped = fit(msgs, 500, 50, words=words)
    assert len(tokens) + 50 <= 500 and dropped > 1900
    assert words.counted <= len(msgs)  # every message counted at most once
    assert words.renders <= 3 and words.tokenized <= 3  # the whole prompt rendered a few times, not per message


def test_without_truncation_a_conversation_that_does_not_fit_is_refused_with_its_size():
    with pytest.raises(EngineError) as err:
        fit(conversation(10), 200, 1, truncate=False)
    assert err.value.message_id == "context.too_long"
    assert err.value.params["n_ctx"] == "200" and int(err.value.params["prompt_tokens"]) > 200


def test_a_question_longer_than_the_context_is_refused_clearly():
    msgs = [ChatMessage("user", "word " * 500)]
    with pytest.raises(EngineError) as err:
        fit(msgs, 256, 64)
    assert err.value.message_id == "context.too_long"


def test_a_cancelled_request_stops_before_the_prompt_is_made():
    cancel = threading.Event()
    cancel.set()
    words = Words()
    with pytest.raises(PromptCancelled):
        fit(conversation(1000), 500, 50, cancel=cancel, words=words)
    assert words.renders == 0


def test_cancelled_while_counting_stops_at_the_next_message():
    cancel = threading.Event()
    words = Words()

    def count(text):
        words.counted += 1
        if words.counted == 10:
            cancel.set()
        return len(text.split())

    with pytest.raises(PromptCancelled):
        fit_prompt(history_for_model(conversation(1000)), 500, 50, words.render, words.tokenize, count,
                   truncate=True, cancel=cancel)
    assert words.counted == 10


def test_stop_scanner_holds_back_a_possible_stop_string():
    scanner = StopScanner(["<|end|>"])
    assert scanner.feed("Hello <|e") == ("Hello ", False)
    assert scanner.feed("nd|> more") == ("", True)
    scanner = StopScanner(["STOP"])
    assert scanner.feed("ST") == ("", False)
    assert scanner.feed("ill going") == ("STill going", False)


def test_stream_meter_counts_and_splits():
    meter = StreamMeter()
    out = meter.token("<think>plan") + meter.token("</think>Answer")
    events = out + meter.finish("stop", prompt_tokens=7)
    assert [type(e) for e in events] == [ReasoningDelta, TextDelta, Stats, Finished]
    stats = events[2]
    assert stats.completion_tokens == 2 and stats.prompt_tokens == 7 and stats.ttft_ms >= 0


def test_a_prompt_that_opens_think_starts_the_reply_inside_the_reasoning():
    meter = StreamMeter()
    meter.follow_prompt("<｜User｜>Hi<｜Assistant｜><think>\n")
    events = meter.token("weighing it") + meter.token("</think>Hello")
    assert [(type(e), e.text) for e in events] == [(ReasoningDelta, "weighing it"), (TextDelta, "Hello")]
    plain = StreamMeter()
    plain.follow_prompt("<start_of_turn>model\n")
    assert plain.token("Hello") == [TextDelta("Hello")]
