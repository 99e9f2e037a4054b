"""The reasoning splitter must give the same result however the model's output is cut into tokens."""

from __future__ import annotations

import pytest

from deepseek_desktop.core.events import ReasoningDelta, TextDelta
from deepseek_desktop.core.reasoning import ReasoningSplitter, strip_reasoning

CASES = [
    # (model output, starts_in_reasoning, expected reasoning, expected answer)
    ("<think>\nLet me add 2 and 2.\n</think>\n\nThe answer is 4.", False, "\nLet me add 2 and 2.\n",
     "The answer is 4."),
    ("  <think>short</think>Answer", False, "short", "Answer"),
    ("No reasoning here, just <b>text</b>.", False, "", "No reasoning here, just <b>text</b>."),
    ("Mentions </think> without opening", False, "", "Mentions </think> without opening"),
    ("already thinking\n</think>\n\nAnswer <think> kept", True, "already thinking\n", "Answer <think> kept"),
    ("<think></think>Empty thoughts", False, "", "Empty thoughts"),
    ("<thinker>not a tag</thinker>", False, "", "<thinker>not a tag</thinker>"),
    ("<think>never closed", False, "never closed", ""),
    ("<", False, "", "<"),
]


def run(pieces: list[str], starts_in_reasoning: bool) -> tuple[str, str]:
    splitter = ReasoningSplitter(starts_in_reasoning)
    events = [e for p in pieces for e in splitter.feed(p)] + splitter.flush()
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    answer = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert all(e.text for e in events), "no empty deltas"
    return reasoning, answer


@pytest.mark.parametrize("text,starts,reasoning,answer", CASES)
def test_every_single_cut(text, starts, reasoning, answer):
    assert run([text], starts) == (reasoning, answer)
    for i in range(len(text) + 1):
        assert run([text[:i], text[i:]], starts) == (reasoning, answer), f"cut at {i}"


@pytest.mark.parametrize("text,starts,reasoning,answer", CASES)
def test_every_pair_of_cuts_and_char_by_char(text, starts, reasoning, answer):
    assert run(list(text), starts) == (reasoning, answer)
    n = len(text)
    for i in range(n + 1):
        for j in range(i, n + 1):
            assert run([text[:i], text[i:j], text[j:]], starts) == (reasoning, answer), (i, j)


def test_reasoning_streams_before_the_close_tag_arrives():
    splitter = ReasoningSplitter()
    assert splitter.feed("<think>") == []
    out = splitter.feed("step one, ")
    assert out == [ReasoningDelta("step one, ")]
    # a possible start of </think> is held back, then released when it turns out not to be one
    assert splitter.feed("a </th") == [ReasoningDelta("a ")]
    assert splitter.feed("ing") == [ReasoningDelta("</thing")]


def test_strip_reasoning_for_history():
    assert strip_reasoning("<think>plan</think>\n\nHello") == "Hello"
    assert strip_reasoning("Hello") == "Hello"
