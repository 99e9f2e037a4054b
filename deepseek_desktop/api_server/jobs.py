"""One API reply: a place in the engine's line, the engine's events turned into text and reasoning
pieces, real usage figures at the end.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..core.errors import DeepSeekError, EngineCrashed
from ..core.events import Finished, ReasoningDelta, Stats, TextDelta
from ..core.requests import ChatMessage, ChatRequest, GenerationParams
from ..engine_host.turns import QueueFull, Turn
from .backend import Backend, ServedModel
from .errors import ApiError

log = logging.getLogger("deepseek_desktop.api_server")
RETRY_AFTER_S = 2


@dataclass
class Job:
    model: ServedModel
    messages: list[ChatMessage]
    params: GenerationParams
    client: str = ""
    dialect: str = "openai"


@dataclass
class Reply:
    """Filled in while the reply streams; complete once the iteration ends."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    prompt_ms: float = 0.0
    total_ms: float = 0.0
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)


def clamp_max_tokens(max_tokens: int, context: int) -> int:
    """At most the model's context; a model without one (the simulator, a remote server) gets what was asked."""
    return min(max_tokens, context) if context > 0 else max_tokens


async def run(backend: Backend, job: Job, reply: Reply) -> AsyncIterator[tuple[str, str]]:
    """Yield ("text" | "reasoning", piece) while the engine answers; fill ``reply`` as it goes.

    The turn is given up when the caller stops listening (a client that hung up): the generation
    stops at once and the next reply in line starts.
    """
    started = time.perf_counter()
    turn = Turn("api")
    try:
        request = ChatRequest(job.messages, job.params)
        async with contextlib.aclosing(backend.turns.chat(request, turn, limited=True)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    reply.text.append(event.text)
                    yield "text", event.text
                elif isinstance(event, ReasoningDelta):
                    reply.reasoning.append(event.text)
                    yield "reasoning", event.text
                elif isinstance(event, Stats):
                    reply.prompt_tokens = event.prompt_tokens
                    reply.completion_tokens = event.completion_tokens
                    reply.prompt_ms = event.ttft_ms
                elif isinstance(event, Finished):
                    reply.finish_reason = "length" if event.reason == "length" else "stop"
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
        raise ApiError(500, f"The engine failed: {exc.message_id}.", "server_error", None, "engine_error") from None
    finally:
        turn.cancel()  # a no-op after a finished reply; stops a reply whose client left
        reply.total_ms = (time.perf_counter() - started) * 1000.0
