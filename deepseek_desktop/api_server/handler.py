"""The one request handler both dialects share, and the neutral request they translate into.

As in Ollama's ``middleware/openai.go``, a dialect only translates: in, a checked request body becomes a
``Generation``; out, an ``Answer`` writes the reply the dialect's way (SSE or NDJSON chunks, one JSON object,
an error inside an open stream). Everything between is here, once: the model the request names, the user's
sampling defaults under what it sets, ``max_tokens`` clamped to the context, the reply's place in the
engine's line, streaming or waiting for the whole reply, and the figures for the request log.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from aiohttp import web

from ..core import thinking
from ..core.requests import ChatMessage, ChatRequest, GenerationParams
from .backend import Backend, pick_model
from .errors import ApiError
from .fields import Field, choice, number, stops, whole
from .jobs import Job, Reply, clamp_max_tokens, run
from .safety import LOG_KEY, open_stream, write_or_give_up

log = logging.getLogger(__name__)

UNLIMITED = 10_000_000  # "as many tokens as the context holds" (Ollama's num_predict -1 and -2)
# llama.cpp's samplers beyond the four every engine has; a request that sets one needs an engine that has it.
_SAMPLERS = ("min_p", "typical_p", "frequency_penalty", "presence_penalty", "mirostat", "mirostat_tau",
             "mirostat_eta")


def sampling_fields(*max_tokens_keys: str, low: int = 1) -> tuple[Field, ...]:
    """The sampling parameters both dialects take, with their ranges; the dialect names its max-tokens keys
    (the last one given wins; below 1 means as many as the context holds, where ``low`` allows it)."""
    return (
        *(whole(key, low, UNLIMITED) for key in max_tokens_keys),
        whole("seed", -(2**63), 2**64 - 1),
        number("temperature", 0.0, 2.0),
        number("top_p", 0.0, 1.0),
        whole("top_k", 0, 100_000),
        number("repeat_penalty", 0.0, 10.0),
        number("frequency_penalty", -2.0, 2.0),
        number("presence_penalty", -2.0, 2.0),
        number("min_p", 0.0, 1.0),
        number("typical_p", 0.0, 1.0),
        choice("mirostat", 0, 1, 2),
        number("mirostat_tau", 0.0, 100.0),
        number("mirostat_eta", 0.0, 1.0),
        stops("stop"),
    )


@dataclass(frozen=True)
class Sampling:
    """What a request sets of the sampling; None leaves the user's setting (or the engine's default)."""

    max_tokens: int | None = None
    seed: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    repeat_penalty: float | None = None
    stop: tuple[str, ...] = ()
    samplers: tuple[tuple[str, float], ...] = ()  # llama.cpp's other samplers the request sets
    logit_bias: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_checked(cls, values: Mapping[str, Any], *max_tokens_keys: str) -> Sampling:
        """From the values of ``sampling_fields(*max_tokens_keys)`` as ``fields.check`` returned them."""
        max_tokens = None
        for key in max_tokens_keys:
            max_tokens = values[key] if values[key] is not None else max_tokens
        if max_tokens is not None and max_tokens < 1:
            max_tokens = UNLIMITED
        samplers = tuple((k, values[k]) for k in _SAMPLERS if values.get(k) is not None)
        return cls(max_tokens, values["seed"], values["temperature"], values["top_p"], values["top_k"],
                   values["repeat_penalty"], tuple(values["stop"]), samplers,
                   tuple((values.get("logit_bias") or {}).items()))

    def over(self, defaults: GenerationParams) -> GenerationParams:
        """The user's defaults with what the request sets in their place (a seed only when the request has one)."""
        return replace(
            defaults,
            temperature=defaults.temperature if self.temperature is None else self.temperature,
            top_p=defaults.top_p if self.top_p is None else self.top_p,
            top_k=defaults.top_k if self.top_k is None else self.top_k,
            repeat_penalty=defaults.repeat_penalty if self.repeat_penalty is None else self.repeat_penalty,
            max_tokens=defaults.max_tokens if self.max_tokens is None else self.max_tokens,
            seed=None if self.seed is None else self.seed % 2**32,
            stop=list(self.stop),
            logit_bias=dict(self.logit_bias),
            **{k: (int(v) if k == "mirostat" else v) for k, v in self.samplers},
        )


@dataclass(frozen=True)
class Generation:
    """One request for a reply, in neither dialect."""

    model: str  # as the request names it
    messages: list[ChatMessage]
    sampling: Sampling = field(default_factory=Sampling)
    stream: bool = False
    dialect: str = "openai"  # for the request log and the names of refused parameters
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] = "auto"
    parallel_tool_calls: bool = True
    response_format: dict[str, Any] | None = None
    logprobs: int | None = None  # alternatives per token; None: no log probabilities
    truncate: bool = False  # the API refuses a conversation that does not fit, unless asked to cut it
    think: bool | None = None
    prompt: str | None = None  # a completion: continue this text as it is
    suffix: str | None = None
    effort: str | None = None  # OpenAI's reasoning_effort or Ollama's think level (``core.thinking.EFFORTS``)

    def request(self, params: GenerationParams, settings: thinking.Settings | None = None) -> ChatRequest:
        """The engine's request; the thinking budget from ``think``/``effort`` and the thinking ``settings``."""
        fields = thinking.api_fields(settings or thinking.SchemaDefaults(), self.think, self.effort)
        return ChatRequest(self.messages, params, list(self.tools), self.tool_choice, self.parallel_tool_calls,
                           self.response_format, self.logprobs, self.truncate, prompt=self.prompt,
                           suffix=self.suffix, **fields)


class Answer(Protocol):
    """How a dialect writes a reply. Made for one job before the engine starts on it."""

    content_type: str  # of a streamed reply

    def opening(self) -> Iterable[bytes]:
        """What a stream starts with, once the first piece (or an error) came."""

    def piece(self, kind: str, value: Any) -> bytes | None:
        """A piece of the reply: ("text", TextDelta), ("reasoning", str) or ("tool_call", ToolCall); None: not
        sent."""

    def failure(self, error: ApiError) -> bytes:
        """An error once the stream is open (its status went out with the 200)."""

    def closing(self, reply: Reply) -> Iterable[bytes]:
        """What ends a stream: the finish reason, the figures."""

    def whole(self, reply: Reply) -> dict[str, Any]:
        """The reply in one object, when the request did not ask for a stream."""


async def answer(request: web.Request, backend: Backend, generation: Generation,
                 make_answer: Callable[[Job], Answer], names: dict[str, str] | None = None) -> web.StreamResponse:
    """The reply to ``generation``, written by the dialect's ``make_answer(job)``; ``names`` spells the neutral
    parameters the dialect's way, for the 400s an engine's refusal becomes."""
    model = await pick_model(backend, generation.model)
    params = generation.sampling.over(backend.defaults())
    params.max_tokens = clamp_max_tokens(params.max_tokens, model.context_length)
    request[LOG_KEY]["model"] = model.id
    job = Job(model, generation.request(params, backend.thinking_settings()), request.remote or "", generation.dialect)
    out = make_answer(job)
    reply = Reply()
    try:
        if generation.stream:
            return await _stream(request, backend, job, reply, out, names or {})
        async with contextlib.aclosing(run(backend, job, reply, names)) as pieces:
            async for _ in pieces:
                pass
    finally:
        request[LOG_KEY].update(prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens)
    return web.json_response(out.whole(reply))


async def _stream(request: web.Request, backend: Backend, job: Job, reply: Reply, out: Answer,
                  names: dict[str, str]) -> web.StreamResponse:
    pieces = run(backend, job, reply, names)
    async with contextlib.aclosing(pieces):
        # The first piece (or an error: a full line, a model that fails) comes before the 200 goes out.
        first = await anext(pieces, None)
        response = await open_stream(request, out.content_type)
        for chunk in out.opening():
            await write_or_give_up(request, response, chunk)
        try:
            piece = first
            while piece is not None:
                chunk = out.piece(*piece)
                if chunk is not None:
                    await write_or_give_up(request, response, chunk)
                piece = await anext(pieces, None)
        except ApiError as exc:
            await write_or_give_up(request, response, out.failure(exc))
            return response
    for chunk in out.closing(reply):
        await write_or_give_up(request, response, chunk)
    try:
        await response.write_eof()
    except ConnectionResetError:
        # The whole answer went out; the client (the openai library does) closed after the last line,
        # before the empty chunk that ends the body. It was served.
        log.debug("client closed before the end of the body of a finished stream")
    return response
