"""What the conversation store hands out: conversations, messages with their figures, search hits.

Plain frozen dataclasses, so the worker thread can pass them to the GUI thread as they are.
Times are seconds since 1970 (UTC), as ``time.time()`` gives them.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..events import Stats
from ..requests import ChatMessage
from ..thinking import known_note

ROLES = ("system", "user", "assistant")


class MessageState(str, Enum):
    COMPLETE = "complete"
    STREAMING = "streaming"  # being written; after a crash: interrupted (see Message.interrupted)
    CANCELLED = "cancelled"  # the user stopped it; the text so far is kept
    ERROR = "error"  # the engine failed; error_id says why


@dataclass(frozen=True)
class MessageStats:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tokens_per_s: float | None = None
    ttft_ms: float | None = None
    finish_reason: str | None = None  # "stop", "length", "cancelled", "error"
    # The thinking budget (schema 4): the reasoning tokens after which the engine closed the thinking, and
    # what a remote server was asked instead (one of ``thinking.NOTES``); as ``events.Stats`` says them.
    thinking_stopped_at: int | None = None
    thinking_note: str | None = None

    @classmethod
    def from_event(cls, stats: Stats | None, finish_reason: str | None = None) -> MessageStats:
        if stats is None:
            return cls(finish_reason=finish_reason)
        return cls(stats.prompt_tokens, stats.completion_tokens, stats.tokens_per_s, stats.ttft_ms,
                   finish_reason, stats.thinking_stopped_at, known_note(stats.thinking_note))

    def is_empty(self) -> bool:
        return self == MessageStats()


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str  # "" until the first question names it; the UI shows "New conversation"
    system_prompt: str
    created_at: float
    updated_at: float  # last activity; the sidebar sorts by it, newest first
    deleted_at: float | None = None  # set while it sits in the trash (undo possible)


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    position: int  # 0, 1, 2 ... depth in the conversation; the order of display (versions share it)
    role: str
    content: str  # the answer (or the question); what is sent back to the model
    reasoning: str  # R1's thinking; shown folded, never sent back
    reasoning_seconds: float | None
    state: MessageState
    model: str
    engine: str
    created_at: float
    stats: MessageStats = field(default_factory=MessageStats)
    error_id: str | None = None  # a message id from core/errors.py when state is ERROR
    error_params: dict[str, str] = field(default_factory=dict)
    # True when the row says "streaming" but no reply of this session is writing it: the app
    # stopped (crash, kill, power loss) while the reply came in. The UI shows it as interrupted.
    interrupted: bool = False
    # Versions (regenerate, edit and resend): the message this one answers or follows (None for the
    # first), and its number among the messages with the same parent, 1-based: "version of versions".
    parent_id: int | None = None
    version: int = 1
    versions: int = 1
    chosen: bool = True  # the version shown; the conversation continues from it


@dataclass(frozen=True)
class Turn:
    """One message sent, as ``ConversationStore.start_turn`` wrote it: what the window and the engine need."""

    conversation: Conversation  # created with this turn when there was none; named after its first question
    question: Message
    reply: Message  # empty, streaming: the reply to come
    history: tuple[ChatMessage, ...]  # what the model is sent (``chat_history``), the question included


@dataclass(frozen=True)
class SearchHit:
    conversation: Conversation
    message_id: int | None  # the newest matching message; None when only the title matched
    snippet: str  # text around the match ("..." where cut); "" for a title match
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) of matched words in ``snippet``
    version: int = 1  # which version of its message the match is in ("2 / 3"); 1 / 1 without versions
    versions: int = 1
    shown: bool = True  # False: the match is in a version not on the path shown now


CONVERSATION_COLUMNS = "id, title, system_prompt, created_at, updated_at, deleted_at"
# The columns a message has had since schema 1 (the migration to schema 2 copies these).
MESSAGE_COLUMNS_V1 = (
    "id, conversation_id, position, role, content, reasoning, reasoning_seconds, state, model, engine, "
    "created_at, prompt_tokens, completion_tokens, tokens_per_s, ttft_ms, finish_reason, error_id, "
    "error_params"
)
THINKING_COLUMNS = "thinking_stopped_at, thinking_note"  # schema 4
MESSAGE_COLUMNS = f"{MESSAGE_COLUMNS_V1}, {THINKING_COLUMNS}"
# The columns above (of ``messages m``), then the parent, the version number, the number of versions and
# whether it is the chosen one. Siblings are numbered in the order they were made.
MESSAGE_SELECT = (
    ", ".join("m." + c.strip() for c in MESSAGE_COLUMNS.split(","))
    + ", m.parent_id, (SELECT COUNT(*) FROM messages s WHERE s.parent_id IS m.parent_id "
    "AND s.conversation_id = m.conversation_id AND s.id <= m.id), (SELECT COUNT(*) FROM messages s "
    "WHERE s.parent_id IS m.parent_id AND s.conversation_id = m.conversation_id), m.chosen"
)


def conversation_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Conversation:
    return Conversation(*row[:6])


def message_from_row(row: sqlite3.Row | tuple[Any, ...], live: set[int] | frozenset[int]) -> Message:
    """``row`` holds ``MESSAGE_COLUMNS``, or ``MESSAGE_SELECT`` with the version figures."""
    (mid, cid, position, role, content, reasoning, reasoning_seconds, state, model, engine, created_at,
     prompt_tokens, completion_tokens, tokens_per_s, ttft_ms, finish_reason, error_id, error_params,
     thinking_stopped_at, thinking_note) = row[:20]
    parent_id, version, versions, chosen = tuple(row[20:24]) if len(row) >= 24 else (None, 1, 1, True)
    state = MessageState(state)
    return Message(
        mid, cid, position, role, content, reasoning, reasoning_seconds, state, model, engine, created_at,
        MessageStats(prompt_tokens, completion_tokens, tokens_per_s, ttft_ms, finish_reason,
                     # a file edited by hand or rescued from damaged pages: shown only when it makes sense
                     thinking_stopped_at if type(thinking_stopped_at) is int and thinking_stopped_at >= 0 else None,
                     known_note(thinking_note)),
        error_id, json.loads(error_params) if error_params else {},
        interrupted=state is MessageState.STREAMING and mid not in live,
        parent_id=parent_id, version=version, versions=versions, chosen=bool(chosen),
    )
