"""One API reply: a place in the engine's line, the engine's events turned into text and reasoning
pieces, real usage figures at the end.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import DeepSeekError, EngineCrashed
from ..core.events import Finished, ReasoningDelta, Stats, TextDelta, ToolCall
from ..core.requests import ChatRequest
from ..engine_host.turns import QueueFull, Turn
from .backend import Backend, ServedModel
from .errors import ApiError

log = logging.getLogger("deepseek_desktop.api_server")
RETRY_AFTER_S = 2


@dataclass
class Job:
    model: ServedModel
    request: ChatRequest
    client: str = ""
    dialect: str = "openai"


@dataclass
class Reply:
    """Filled in while the reply streams; complete once the iteration ends."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens the engine's prompt cache already held
    finish_reason: str = "stop"
    prompt_ms: float = 0.0
    total_ms: float = 0.0
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    logprobs: list[dict] = field(default_factory=list)


def clamp_max_tokens(max_tokens: int, context: int) -> int:
    """At most the model's context; a model without one (the simulator, a remote server) gets what was asked."""
    return min(max_tokens, context) if context > 0 else max_tokens


# The engine's reasons a request cannot be served, as the API answers them (400s that name the parameter).
_REQUEST_ERRORS = {"request.unsupported": "unsupported_parameter", "context.too_long": "context_length_exceeded",
                   "input.invalid": "invalid_value"}


def request_error(exc: DeepSeekError, names: dict[str, str]) -> ApiError | None:
    """The 400 for an engine's refusal; ``names`` turns the neutral parameter names into the dialect's."""
    code = _REQUEST_ERRORS.get(exc.message_id)
    if code is None:
        return None
    if exc.message_id == "context.too_long":
        message = (f"This model's maximum context length is {exc.params.get('n_ctx')} tokens; the request's "
                   f"prompt is {exc.params.get('prompt_tokens')} tokens. Shorten it"
                   f"{names.get('truncate_hint', '')}.")
        return ApiError(400, message, "invalid_request_error", names.get("context", "messages"), code)
    neutral = exc.params.get("param")
    param = names.get(neutral, neutral) if neutral else None
    what = exc.params.get("what", exc.detail)
    if neutral and param and what.startswith(neutral):
        what = param + what[len(neutral):]
    message = f"The parameter '{param}' cannot be served: {what}." if param else f"Invalid request: {what}."
    return ApiError(400, message, "invalid_request_error", param, code)


async def run(backend: Backend, job: Job, reply: Reply, names: dict[str, str] | None = None
              ) -> AsyncIterator[tuple[str, Any]]:
    """Yield ("text", TextDelta) | ("reasoning", str) | ("tool_call", ToolCall) while the engine answers;
    fill ``reply`` as it goes. ``names``: the dialect's names for the neutral parameters, for its 400s.

    The turn is given up when the caller stops listening (a client that hung up): the generation
    stops at once and the next reply in line starts.
    """
    started = time.perf_counter()
    turn = Turn("api")
    try:
        async with contextlib.aclosing(backend.turns.chat(job.request, turn, limited=True)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    reply.text.append(event.text)
                    if event.logprobs:
                        reply.logprobs.extend(event.logprobs)
                    yield "text", event
                elif isinstance(event, ReasoningDelta):
                    reply.reasoning.append(event.text)
                    yield "reasoning", event.text
                elif isinstance(event, ToolCall):
                    reply.tool_calls.append(event)
                    yield "tool_call", event
                elif isinstance(event, Stats):
                    reply.prompt_tokens = event.prompt_tokens
                    reply.completion_tokens = event.completion_tokens
                    reply.prompt_ms = event.ttft_ms
                    if event.prompt_tokens_evaluated is not None:
                        reply.cached_tokens = max(0, event.prompt_tokens - event.prompt_tokens_evaluated)
                elif isinstance(event, Finished):
                    reply.finish_reason = event.reason if event.reason in ("length", "tool_calls") else "stop"
    except QueueFull as exc:
        raise ApiError(
            503,
            f"The server is busy: {exc.waiting} requests are waiting. Try again shortly.",
            "server_error",
            None,
            "queue_full",
            {"Retry-After": str(RETRY_AFTER_S)},
        ) from None
    except EngineCrashed:
        raise ApiError(
            500,
            "The engine stopped unexpectedly; it starts again with the next load.",
            "server_error",
            None,
            "engine_crashed",
        ) from None
    except DeepSeekError as exc:
        refused = request_error(exc, names or {})
        if refused is not None:
            raise refused from None
        raise ApiError(500, f"The engine failed: {exc.message_id}.", "server_error", None, "engine_error") from None
    finally:
        turn.cancel()  # a no-op after a finished reply; stops a reply whose client left
        reply.total_ms = (time.perf_counter() - started) * 1000.0
