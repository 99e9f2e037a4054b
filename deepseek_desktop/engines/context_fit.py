"""Fitting a conversation into the model's context, in time linear in its length.

The conversation is rendered and tokenized once; when it does not fit and the request allows it (the
window), each message is counted once and the oldest turns are dropped by their counted tokens, then the
rest is rendered once more to check (again only when the template's own markers made the count miss). A
request that does not allow it (the API) is refused with ``context.too_long``. Every step looks at the
request's cancel flag, so a client that hangs up does not hold the engine while a long prompt is prepared.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.errors import EngineError

log = logging.getLogger(__name__)
Message = dict[str, Any]


class PromptCancelled(Exception):
    """The request was cancelled while its prompt was being prepared."""


@dataclass
class FittedPrompt:
    tokens: list[int]
    text: str
    dropped: int = 0  # the oldest messages left out


def reply_room(max_tokens: int, n_ctx: int, truncate: bool) -> int:
    """Tokens the prompt must leave free. A conversation the window trims keeps room for a real reply; one
    the API refuses only needs room for a single token (the reply's budget is cut to what is left)."""
    return min(max_tokens or 256, n_ctx // 4) if truncate else 1


def too_long(prompt_tokens: int, n_ctx: int) -> EngineError:
    return EngineError("context.too_long", f"prompt of {prompt_tokens} tokens, context {n_ctx}",
                       prompt_tokens=prompt_tokens, n_ctx=n_ctx)


def fit_prompt(messages: list[Message], n_ctx: int, room: int, render: Callable[[list[Message]], str],
               tokenize: Callable[[str], list[int]], count: Callable[[str], int], *, truncate: bool,
               cancel: threading.Event | None = None) -> FittedPrompt:
    """The prompt for ``messages`` (``render`` applies the chat template, ``tokenize`` the whole prompt,
    ``count`` one message's text). Drops the oldest turns (never a system message or the last one) only with
    ``truncate``; raises ``context.too_long`` when it cannot fit, ``PromptCancelled`` once ``cancel`` is set."""

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise PromptCancelled

    check()
    text = render(messages)
    check()
    tokens = tokenize(text)
    check()
    if len(tokens) + room <= n_ctx:
        return FittedPrompt(tokens, text)
    order = [i for i, m in enumerate(messages[:-1]) if m["role"] != "system"]  # droppable, oldest first
    if not truncate or not order:
        if len(tokens) < n_ctx and truncate:
            return FittedPrompt(tokens, text)
        raise too_long(len(tokens), n_ctx)
    costs = {}
    for i in order:  # each message counted once
        check()
        costs[i] = count(str(messages[i].get("content") or ""))
    overhead = max(0.0, (len(tokens) - sum(costs.values())) / len(messages))  # the template's markers
    kept = set(range(len(messages)))
    pos = 0
    while True:
        need = len(tokens) + room - n_ctx
        while need > 0 and pos < len(order):
            kept.discard(order[pos])
            need -= costs[order[pos]] + overhead
            pos += 1
        # the rest starts with a question (templates expect user and assistant turns in turn)
        while pos < len(order) and messages[order[pos]]["role"] != "user":
            kept.discard(order[pos])
            pos += 1
        check()
        text = render([m for i, m in enumerate(messages) if i in kept])
        check()
        tokens = tokenize(text)
        if len(tokens) + room <= n_ctx or (pos >= len(order) and len(tokens) < n_ctx):
            log.info("left out the %d oldest messages to fit the context of %d tokens", pos, n_ctx)
            return FittedPrompt(tokens, text, pos)
        if pos >= len(order):
            raise too_long(len(tokens), n_ctx)
