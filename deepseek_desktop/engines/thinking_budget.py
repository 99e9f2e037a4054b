"""Counting the reasoning tokens of a reply against the request's thinking budget.

The engine feeds every generated token's text through its ``StreamMeter`` and then asks ``count``; when it
says the budget is spent, the engine writes ``CLOSE_TEXT`` into the model's context as if the model had written
it (llama.cpp: the generation loop's ``TokenLoop.force``; MLX: the close appended to its prompt cache) and
streams it through the meter, which ends the reasoning there. The model then answers. The same logic serves
every engine, so the count means the same thing everywhere: tokens the model generated inside its thinking
block.
"""

from __future__ import annotations

from ..core.events import ReasoningDelta, TextDelta
from ..core.reasoning import CLOSE_TAG
from .base import StreamMeter

# What DeepSeek-R1 writes to end its thinking (and its distills, and QwQ): the tag on its own line.
CLOSE_TEXT = f"\n{CLOSE_TAG}\n\n"


class ThinkingBudget:
    """Counts reasoning tokens; ``spent`` once the budget is reached (never with no budget)."""

    def __init__(self, budget: int | None) -> None:
        self.budget = budget if budget and budget > 0 else None
        self.counted = 0
        self.stopped_at: int | None = None  # set when the engine closed the thinking

    def count(self, meter: StreamMeter, was_reasoning: bool) -> bool:
        """After one generated token: count it if it was generated inside the thinking (``was_reasoning``:
        the splitter's state before the token's text) and is still there. True: close the thinking now."""
        if self.budget is None or self.stopped_at is not None:
            return False
        if was_reasoning and meter.splitter.in_reasoning:
            self.counted += 1
        elif meter.splitter.in_reasoning:  # the token that opened the thinking: the next ones count
            return False
        return self.counted >= self.budget

    def closed(self, meter: StreamMeter, held: str = "", forced_tokens: int = 0) -> list[TextDelta | ReasoningDelta]:
        """The engine closed the thinking: stream what was ``held`` back (still reasoning), then the close as
        the end of the reasoning; the ``forced_tokens`` are part of the reply (they fill the context)."""
        self.stopped_at = self.counted
        meter.completion_tokens += forced_tokens
        return meter.text(held) + meter.text(CLOSE_TEXT)

