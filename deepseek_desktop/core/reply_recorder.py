"""Saving a reply while it streams, so a crash or kill loses at most about a second of it.

The worker that receives the engine's events feeds them to a ``ReplyRecorder``, and also calls
``flush_if_due()`` from a timer every 0.25 s: when the model pauses, no new event would otherwise
trigger the write of text that arrived just before the pause. With the default ``interval`` of
0.75 s no text stays unsaved for longer than one second.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .conversation_store import ConversationStore
from .conversation_types import Message, MessageState, MessageStats
from .errors import DeepSeekError
from .events import Event, ReasoningDelta, Stats, TextDelta

_STATE_FOR_REASON = {"cancelled": MessageState.CANCELLED, "error": MessageState.ERROR}


class ReplyRecorder:
    """Collects one reply's text and reasoning and writes them to the store (same thread as the store)."""

    def __init__(self, store: ConversationStore, message_id: int, interval: float = 0.75,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self.message_id = message_id
        self._interval = interval
        self._clock = clock
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._stats: Stats | None = None
        self._unsaved_since: float | None = None
        self._reasoning_started: float | None = None
        self._reasoning_ended: float | None = None
        self.flushes = 0
        self.position = -1  # the message's place in its conversation, once ``begin`` made it

    @classmethod
    def begin(cls, store: ConversationStore, conversation_id: int, model: str = "", engine: str = "",
              version_of: int | None = None, **kwargs: object) -> ReplyRecorder:
        """Create the streaming message (with ``version_of``: a new version of that reply) and a recorder."""
        message = store.begin_reply(conversation_id, model=model, engine=engine, version_of=version_of)
        recorder = cls(store, message.id, **kwargs)  # type: ignore[arg-type]
        recorder.position = message.position
        return recorder

    @property
    def content(self) -> str:
        return "".join(self._text)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    @property
    def reasoning_seconds(self) -> float | None:
        """How long the model thought: first reasoning piece to first answer piece (or to now)."""
        if self._reasoning_started is None:
            return None
        end = self._reasoning_ended if self._reasoning_ended is not None else self._clock()
        return round(end - self._reasoning_started, 3)

    def add(self, event: Event) -> bool:
        """Take one event; returns True when this call wrote to the store."""
        now = self._clock()
        if isinstance(event, ReasoningDelta):
            if self._reasoning_started is None:
                self._reasoning_started = now
            self._reasoning.append(event.text)
        elif isinstance(event, TextDelta):
            if self._reasoning_started is not None and self._reasoning_ended is None:
                self._reasoning_ended = now
            self._text.append(event.text)
        elif isinstance(event, Stats):
            self._stats = event
            return False
        else:
            return False  # Finished is handled by finish(); LoadProgress is not part of the reply
        if self._unsaved_since is None:
            self._unsaved_since = now
        return self.flush_if_due()

    def flush_if_due(self) -> bool:
        if self._unsaved_since is None or self._clock() - self._unsaved_since < self._interval:
            return False
        self.flush()
        return True

    def flush(self) -> None:
        if self._unsaved_since is None:
            return
        self._store.update_streaming(self.message_id, self.content, self.reasoning, self.reasoning_seconds)
        self._unsaved_since = None
        self.flushes += 1

    def finish(self, reason: str = "stop", error: DeepSeekError | None = None) -> Message:
        """Write the whole reply with its figures; ``reason`` as in ``events.Finished``."""
        if self._reasoning_started is not None and self._reasoning_ended is None:
            self._reasoning_ended = self._clock()
        state = MessageState.ERROR if error is not None else _STATE_FOR_REASON.get(reason, MessageState.COMPLETE)
        self._unsaved_since = None
        return self._store.finish_message(
            self.message_id, state, content=self.content, reasoning=self.reasoning,
            reasoning_seconds=self.reasoning_seconds, stats=MessageStats.from_event(self._stats, reason),
            error_id=error.message_id if error is not None else None,
            error_params=error.params if error is not None else None,
        )
