"""Messages to and from their SQLite rows: the column lists and the values of one row.

Kept apart from the store so the store holds the transactions and this module the row layout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .types import Message, MessageState, MessageStats

INSERT_CONVERSATION = (
    "INSERT INTO conversations (title, system_prompt, created_at, updated_at) VALUES (?, ?, ?, ?)"
)
INSERT_MESSAGE = (
    "INSERT INTO messages (conversation_id, position, role, content, reasoning, reasoning_seconds, "
    "state, model, engine, created_at, prompt_tokens, completion_tokens, tokens_per_s, ttft_ms, "
    "finish_reason, error_id, error_params, parent_id, chosen, thinking_stopped_at, thinking_note) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def params_json(params: Mapping[str, Any] | None) -> str | None:
    return json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False) if params else None


def message_values(conversation_id: int, position: int, role: str, content: str, *, reasoning: str = "",
                   reasoning_seconds: float | None = None, state: MessageState | str = MessageState.COMPLETE,
                   model: str = "", engine: str = "", created_at: float,
                   stats: MessageStats | None = None, error_id: str | None = None,
                   error_params: Mapping[str, Any] | None = None, parent_id: int | None = None,
                   chosen: bool = True) -> tuple[Any, ...]:
    """The values for ``INSERT_MESSAGE``, in its column order (``parent_id``, ``chosen``: see
    ``tree``)."""
    stats = stats or MessageStats()
    return (conversation_id, position, role, content, reasoning, reasoning_seconds, MessageState(state).value,
            model, engine, created_at, stats.prompt_tokens, stats.completion_tokens, stats.tokens_per_s,
            stats.ttft_ms, stats.finish_reason, error_id, params_json(error_params), parent_id, int(chosen),
            stats.thinking_stopped_at, stats.thinking_note)


def copied_message_values(conversation_id: int, position: int, m: Message,
                          parent_id: int | None = None) -> tuple[Any, ...]:
    """A message copied into another conversation (an import), with everything but its place kept."""
    return message_values(conversation_id, position, m.role, m.content, reasoning=m.reasoning,
                          reasoning_seconds=m.reasoning_seconds, state=m.state, model=m.model, engine=m.engine,
                          created_at=m.created_at, stats=m.stats, error_id=m.error_id,
                          error_params=m.error_params, parent_id=parent_id, chosen=m.chosen)
