"""A reply while it streams: its one copy of the text, and saving it so a crash loses at most a second.

``ReplyText`` holds what arrived (the window shows it, nothing else keeps a copy). ``ReplyRecorder``
writes it to the store. The window's thread feeds events with ``collect`` (no disk access); when a write
is due, it asks the store's thread to ``flush``; a timer asks ``write_due()`` every 0.25 s, because when
the model pauses no new event would trigger the write of text that arrived just before the pause. With
the default ``interval`` of 0.75 s no text stays unsaved for longer than one second. ``finish`` writes
the whole reply and returns the final record.

One thread may also do both with ``add`` (collect, and write when due).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..errors import DeepSeekError
from ..events import Event, ReasoningDelta, Stats, TextDelta
from .store import ConversationStore
from .types import Message, MessageState, MessageStats

_STATE_FOR_REASON = {"cancelled": MessageState.CANCELLED, "error": MessageState.ERROR}


class ReplyText:
    """The text and reasoning of one reply as they arrive; fed on one thread, read on others (hence the lock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._reasoning_started: float | None = None
        self._reasoning_ended: float | None = None
        self.stats: Stats | None = None
        self.version = 0  # grows with every piece of text or reasoning: a reader knows when to show again

    def add(self, event: Event, now: float | None = None) -> bool:
        """Take one event; True when it added text or reasoning."""
        now = self._clock() if now is None else now
        with self._lock:
            if isinstance(event, ReasoningDelta):
                if self._reasoning_started is None:
                    self._reasoning_started = now
                self._reasoning.append(event.text)
            elif isinstance(event, TextDelta):
                if self._reasoning_started is not None and self._reasoning_ended is None:
                    self._reasoning_ended = now
                self._text.append(event.text)
            else:
                if isinstance(event, Stats):
                    self.stats = event
                return False  # Finished ends the reply (``finish``); LoadProgress is not part of it
            self.version += 1
            return True

    def end_reasoning(self) -> None:
        with self._lock:
            if self._reasoning_started is not None and self._reasoning_ended is None:
                self._reasoning_ended = self._clock()

    @property
    def content(self) -> str:
        with self._lock:
            return _joined(self._text)

    @property
    def reasoning(self) -> str:
        with self._lock:
            return _joined(self._reasoning)

    @property
    def thinking(self) -> bool:
        """The model is reasoning now: reasoning came, the answer has not started yet."""
        return self._reasoning_started is not None and self._reasoning_ended is None

    @property
    def reasoning_seconds(self) -> float | None:
        """How long the model thought: first reasoning piece to first answer piece (or to now)."""
        started, ended = self._reasoning_started, self._reasoning_ended
        if started is None:
            return None
        return round((ended if ended is not None else self._clock()) - started, 3)

    def snapshot(self) -> tuple[int, str, str, float | None]:
        """(version, content, reasoning, reasoning seconds), read together."""
        with self._lock:
            version, content, reasoning = self.version, _joined(self._text), _joined(self._reasoning)
        return version, content, reasoning, self.reasoning_seconds


def _joined(pieces: list[str]) -> str:
    # joined once per read and kept joined, so reading once per frame does not redo the whole reply
    if len(pieces) > 1:
        pieces[:] = ["".join(pieces)]
    return pieces[0] if pieces else ""


class ReplyRecorder:
    """Writes one reply's ``ReplyText`` to the store (``flush``, ``finish``: on the store's thread)."""

    def __init__(self, store: ConversationStore, message_id: int, interval: float = 0.75,
                 clock: Callable[[], float] = time.monotonic, position: int = -1) -> None:
        self._store = store
        self.message_id = message_id
        self.position = position  # the message's place in its conversation
        self.text = ReplyText(clock)
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._unsaved_since: float | None = None
        self._write_asked = False
        self.flushes = 0

    @classmethod
    def begin(cls, store: ConversationStore, conversation_id: int, model: str = "", engine: str = "",
              version_of: int | None = None, **kwargs: object) -> ReplyRecorder:
        """Create the streaming message (with ``version_of``: a new version of that reply) and a recorder."""
        message = store.begin_reply(conversation_id, model=model, engine=engine, version_of=version_of)
        return cls.for_message(store, message, **kwargs)

    @classmethod
    def for_message(cls, store: ConversationStore, message: Message, **kwargs: object) -> ReplyRecorder:
        """A recorder for a streaming message already written (``ConversationStore.start_turn``)."""
        return cls(store, message.id, position=message.position, **kwargs)  # type: ignore[arg-type]

    @property
    def content(self) -> str:
        return self.text.content

    @property
    def reasoning(self) -> str:
        return self.text.reasoning

    @property
    def reasoning_seconds(self) -> float | None:
        return self.text.reasoning_seconds

    def collect(self, event: Event) -> bool:
        """Take one event, without touching the store; True when a write is due (``flush``) and not asked yet."""
        now = self._clock()
        if not self.text.add(event, now):
            return False
        with self._lock:
            if self._unsaved_since is None:
                self._unsaved_since = now
            return self._ask_write(now)

    def write_due(self) -> bool:
        """For the timer: True when unsaved text has waited long enough and no write is asked yet."""
        with self._lock:
            return self._ask_write(self._clock())

    def _ask_write(self, now: float) -> bool:
        if self._write_asked or self._unsaved_since is None or now - self._unsaved_since < self._interval:
            return False
        self._write_asked = True
        return True

    def add(self, event: Event) -> bool:
        """Collect one event and write when due (one thread doing both); True when this call wrote."""
        return self.collect(event) and self._write()

    def flush_if_due(self) -> bool:
        return self.write_due() and self._write()

    def flush(self) -> None:
        self._write()

    def _write(self) -> bool:
        with self._lock:
            self._write_asked = False
            if self._unsaved_since is None:
                return False
        now = self._clock()
        version, content, reasoning, seconds = self.text.snapshot()
        self._store.update_streaming(self.message_id, content, reasoning, seconds)
        with self._lock:  # text that came during the write is unsaved since the write began, at the latest
            self._unsaved_since = None if self.text.version == version else now
        self.flushes += 1
        return True

    def finish(self, reason: str = "stop", error: DeepSeekError | None = None) -> Message:
        """Write the whole reply with its figures; ``reason`` as in ``events.Finished``. Returns the final record."""
        self.text.end_reasoning()
        state = MessageState.ERROR if error is not None else _STATE_FOR_REASON.get(reason, MessageState.COMPLETE)
        with self._lock:
            self._unsaved_since = None
        _version, content, reasoning, seconds = self.text.snapshot()
        return self._store.finish_message(
            self.message_id, state, content=content, reasoning=reasoning, reasoning_seconds=seconds,
            stats=MessageStats.from_event(self.text.stats, reason),
            error_id=error.message_id if error is not None else None,
            error_params=error.params if error is not None else None,
        )
