"""The last step between the stream meter's events and the reply: tool calls read out of the answer's text,
and each token's log probabilities put on the text it became. Engines use it only for the requests that ask
for either, so a plain reply pays nothing for it."""

from __future__ import annotations

from typing import Any

from ..core.events import Event, ReasoningDelta, TextDelta, ToolCall
from .tool_calls import ToolCallReader


class ReplyShaper:
    def __init__(self, tools: ToolCallReader | None = None, logprobs: bool = False) -> None:
        self.tools = tools
        self.logprobs = logprobs
        self.called = False  # a tool call was made: the reply ends with finish reason "tool_calls"
        self._pending: list[dict[str, Any]] = []

    def token_logprobs(self, entry: dict[str, Any]) -> None:
        """The log probabilities of the token whose text comes next."""
        self._pending.append(entry)

    def shape(self, events: list[Event]) -> list[Event]:
        out: list[Event] = []
        for event in events:
            if isinstance(event, TextDelta) and self.tools is not None:
                text, calls = self.tools.feed(event.text)
                if text:
                    out.append(TextDelta(text))
                out.extend(calls)
                self.called = self.called or bool(calls)
            else:
                out.append(event)
        return self._attach(out)

    def flush(self, events: list[Event]) -> list[Event]:
        """The meter's last events (held-back text); then whatever the tool reader still held."""
        out = self.shape(events)
        if self.tools is not None:
            text, calls = self.tools.flush()
            out += ([TextDelta(text)] if text else []) + list(calls)
            self.called = self.called or bool(calls)
        return self._attach(out)

    def _attach(self, events: list[Event]) -> list[Event]:
        if not self.logprobs or not self._pending:
            return events
        for i, event in enumerate(events):
            if isinstance(event, TextDelta):
                events[i] = TextDelta(event.text, self._pending)
                self._pending = []
                return events
        if any(isinstance(e, (ReasoningDelta, ToolCall)) for e in events):
            self._pending = []  # the tokens became reasoning or a call, which carry no log probabilities
        return events
