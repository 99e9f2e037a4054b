"""What every engine shares: fitting a conversation into the context, stop strings, the stream meter."""

from __future__ import annotations

import pytest

from deepseek_desktop.core.errors import EngineError
from deepseek_desktop.core.events import Finished, ReasoningDelta, Stats, TextDelta
from deepseek_desktop.core.requests import ChatMessage
from deepseek_desktop.engines.base import StopScanner, StreamMeter, fit_to_context, history_for_model


def words(msgs):  # one token per word, the prompt as "role: content" lines
    prompt = "\n".join(f"{m['role']}: {m['content']}" for m in msgs)
    return prompt.split(), prompt


def conversation(turns: int) -> list[ChatMessage]:
    msgs = [ChatMessage("system", "be brief")]
    for i in range(turns):
        msgs += [ChatMessage("user", f"question {i} " + "x " * 20),
                 ChatMessage("assistant", f"<think>private {i}</think>answer {i} " + "y " * 20)]
    return msgs + [ChatMessage("user", "last question")]


def test_history_never_carries_reasoning():
    msgs = history_for_model(conversation(1))
    assert msgs[2] == {"role": "assistant", "content": "answer 0 " + "y " * 20}


def test_a_short_conversation_is_sent_whole():
    tokens, prompt, dropped = fit_to_context(conversation(2), 4096, 100, words)
    assert dropped == 0 and "question 0" in prompt


def test_oldest_turns_go_first_and_the_system_prompt_and_question_stay():
    tokens, prompt, dropped = fit_to_context(conversation(10), 200, 50, words)
    assert dropped > 0 and len(tokens) + 50 <= 200
    assert prompt.startswith("system: be brief") and prompt.endswith("user: last question")
    assert "question 9" in prompt and "question 0" not in prompt


def test_a_question_longer_than_the_context_is_refused_clearly():
    msgs = [ChatMessage("user", "word " * 500)]
    with pytest.raises(EngineError) as err:
        fit_to_context(msgs, 256, 64, words)
    assert err.value.message_id == "input.invalid"


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
