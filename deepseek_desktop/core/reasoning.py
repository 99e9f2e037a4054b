"""Split DeepSeek-R1 output into reasoning and answer.

R1 writes ``<think> ... </think>`` before its answer. Some chat templates already put the opening
``<think>`` into the prompt, so the model's output starts inside the reasoning and only the closing
tag appears. Tags may be cut across token boundaries ("<th" + "ink>"), so text that could be the start
of a tag is held back until the next piece decides it.
"""

from __future__ import annotations

from collections.abc import Iterator

from .events import ReasoningDelta, TextDelta

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


class ReasoningSplitter:
    """Feed text pieces; get ``ReasoningDelta`` / ``TextDelta`` events back.

    States: ``start`` (leading whitespace may precede an opening tag), ``reasoning``, ``answer``.
    ``starts_in_reasoning=True`` is for templates that end the prompt with ``<think>``.
    """

    def __init__(self, starts_in_reasoning: bool = False) -> None:
        self._state = "reasoning" if starts_in_reasoning else "start"
        self._pending = ""
        self._after_close = False  # strip the blank lines R1 puts after </think>
        self.saw_reasoning = starts_in_reasoning

    @property
    def in_reasoning(self) -> bool:
        """Inside the thinking block: what comes now is reasoning."""
        return self._state == "reasoning"

    def feed(self, piece: str) -> list[TextDelta | ReasoningDelta]:
        self._pending += piece
        return list(self._drain(final=False))

    def flush(self) -> list[TextDelta | ReasoningDelta]:
        return list(self._drain(final=True))

    def _drain(self, final: bool) -> Iterator[TextDelta | ReasoningDelta]:
        while self._pending:
            if self._state == "start":
                stripped = self._pending.lstrip()
                if stripped.startswith(OPEN_TAG):
                    self._pending = stripped[len(OPEN_TAG):]
                    self._state = "reasoning"
                    self.saw_reasoning = True
                    continue
                if (not stripped or OPEN_TAG.startswith(stripped)) and not final:
                    return  # could still become "<think>"
                self._state = "answer"
                continue
            if self._state == "reasoning":
                idx = self._pending.find(CLOSE_TAG)
                if idx >= 0:
                    before, self._pending = self._pending[:idx], self._pending[idx + len(CLOSE_TAG):]
                    if before:
                        yield ReasoningDelta(before)
                    self._state = "answer"
                    self._after_close = True
                    continue
                keep = 0 if final else _partial_suffix(self._pending, CLOSE_TAG)
                out = self._pending[: len(self._pending) - keep]
                self._pending = self._pending[len(self._pending) - keep:]
                if out:
                    yield ReasoningDelta(out)
                return
            # answer
            if self._after_close:
                stripped = self._pending.lstrip()
                if not stripped and not final:
                    self._pending = ""
                    return
                self._pending = stripped
                self._after_close = False
                continue
            out, self._pending = self._pending, ""
            if out:
                yield TextDelta(out)
            return


def strip_reasoning(text: str) -> str:
    """Remove a ``<think>...</think>`` block from a finished reply (reasoning is never sent back)."""
    splitter = ReasoningSplitter()
    events = splitter.feed(text) + splitter.flush()
    return "".join(e.text for e in events if isinstance(e, TextDelta))
