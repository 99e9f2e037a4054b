"""The OpenAI dialect under /v1: models, chat completions and completions, streamed as SSE or whole.

It translates: a request body, checked against the request models declared here, becomes the neutral
``Generation`` that ``handler.answer`` serves, and ``OpenAIAnswer`` writes the reply. DeepSeek-R1 reasoning
goes out as ``reasoning_content`` (as DeepSeek's own API sends it), never inside ``content``; tool calls as
``tool_calls`` (whole, each in one chunk when streamed); log probabilities in OpenAI's two shapes (chat and
completions). Usage figures are the engine's own token counts, with the prompt tokens its cache held.
A completion continues the raw prompt (no chat template); ``echo`` puts the prompt in front, ``suffix``
fills in the middle where the model has the tokens for it.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from aiohttp import web

from ..core import thinking
from ..core.events import ToolCall
from .backend import Backend, ServedModel, listed_models
from .errors import ApiError, bad
from .fields import accepted, bias, check, choice, flag, parse_body, prompt, section, text, whole
from .handler import Generation, Sampling, answer, sampling_fields
from .jobs import Job, Reply
from .message_fields import messages, response_format, tool_choice, tools
from .safety import read_body


def _sse(data: Any) -> bytes:
    return b"data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


def _usage(reply: Reply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
    }


MAX_TOKENS = ("max_tokens", "max_completion_tokens")
# Taken and, by their meaning, without effect on a local reply: ids for the caller's own bookkeeping.
_IDS = (accepted("user"), accepted("metadata"), accepted("safety_identifier"), accepted("prompt_cache_key"),
        choice("service_tier", "auto", "default"), choice("store", False))
_REPLY_OPTIONS = (flag("stream", False), section("stream_options", flag("include_usage", False)), whole("n", 1, 1),
                  *sampling_fields(*MAX_TOKENS), bias("logit_bias"), *_IDS)
CHAT_REQUEST = (text("model", required=True), messages("messages"), *_REPLY_OPTIONS,
                flag("logprobs", False), whole("top_logprobs", 0, 20), tools("tools"), tool_choice("tool_choice"),
                flag("parallel_tool_calls", True), response_format("response_format"),
                choice("truncation", "auto", "disabled", default="disabled"),
                choice("reasoning_effort", *thinking.EFFORTS))
COMPLETION_REQUEST = (text("model", required=True), prompt("prompt", list_of_one=True), text("suffix"),
                      flag("echo", False), whole("logprobs", 0, 5), whole("best_of", 1, 1), *_REPLY_OPTIONS)
# The neutral parameter names as this dialect spells them, for the 400s the engine's refusals become.
NAMES = {"truncate_hint": ', or send "truncation": "auto" to leave out the oldest messages'}
COMPLETION_NAMES = {"context": "prompt"}


def chat_generation(values: dict[str, Any]) -> Generation:
    if values["top_logprobs"] is not None and not values["logprobs"]:
        raise bad("'top_logprobs' needs 'logprobs': true.", "top_logprobs")
    return Generation(
        values["model"], values["messages"], Sampling.from_checked(values, *MAX_TOKENS), values["stream"],
        tools=values["tools"], tool_choice=values["tool_choice"], parallel_tool_calls=values["parallel_tool_calls"],
        response_format=values["response_format"],
        logprobs=(values["top_logprobs"] or 0) if values["logprobs"] else None,
        truncate=values["truncation"] == "auto",
        effort=values["reasoning_effort"],  # a budget from the settings; "none": thinking off
    )


def completion_generation(values: dict[str, Any]) -> Generation:
    if values["echo"] and values["logprobs"] is not None:
        raise ApiError(400, "'echo' together with 'logprobs' would need the prompt's log probabilities, which "
                       "this server does not compute.", param="echo", code="unsupported_parameter")
    return Generation(values["model"], [], Sampling.from_checked(values, *MAX_TOKENS), values["stream"],
                      logprobs=values["logprobs"], prompt=values["prompt"], suffix=values["suffix"])


class OpenAIRoutes:
    def __init__(self, backend: Backend, max_body: int) -> None:
        self.backend = backend
        self.max_body = max_body

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/v1/models", self.models),
            web.get("/v1/models/{name:.+}", self.model),
            web.post("/v1/chat/completions", self.chat_completions),
            web.post("/v1/completions", self.completions),
        ]

    # -- models ---------------------------------------------------------------------------------
    @staticmethod
    def _model_entry(model: ServedModel, loaded: bool) -> dict[str, Any]:
        return {
            "id": model.id,
            "object": "model",
            "created": model.created,
            "owned_by": "deepseek-desktop",
            "format": model.format,
            "size": model.size,
            "context_length": model.context_length,
            "loaded": loaded,
        }

    async def models(self, request: web.Request) -> web.Response:
        data = [self._model_entry(m, loaded) for m, loaded in listed_models(self.backend)]
        return web.json_response({"object": "list", "data": data})

    async def model(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        for m, loaded in listed_models(self.backend):
            if name in (m.id, m.path):
                return web.json_response(self._model_entry(m, loaded))
        raise ApiError(404, f"The model {name!r} does not exist.", "invalid_request_error", "model", "model_not_found")

    # -- generation -----------------------------------------------------------------------------
    async def chat_completions(self, request: web.Request) -> web.StreamResponse:
        return await self._generate(request, chat=True)

    async def completions(self, request: web.Request) -> web.StreamResponse:
        return await self._generate(request, chat=False)

    async def _generate(self, request: web.Request, chat: bool) -> web.StreamResponse:
        body = parse_body(await read_body(request, self.max_body))
        values = check(CHAT_REQUEST if chat else COMPLETION_REQUEST, body)
        generation = chat_generation(values) if chat else completion_generation(values)
        include_usage = values["stream_options"]["include_usage"]
        echo = "" if chat or not values["echo"] else values["prompt"]
        return await answer(request, self.backend, generation,
                            lambda job: OpenAIAnswer(job, chat, include_usage, echo),
                            NAMES if chat else COMPLETION_NAMES)


class OpenAIAnswer:
    """A reply as OpenAI writes it: chat completion chunks or text completions, over SSE or whole."""

    content_type = "text/event-stream"

    def __init__(self, job: Job, chat: bool, include_usage: bool, echo: str = "") -> None:
        self.chat = chat
        self.echo = echo
        self.head = {
            "id": ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24],
            "object": "chat.completion.chunk" if chat else "text_completion",
            "created": int(time.time()),
            "model": job.model.id,
            "system_fingerprint": None,
        }
        self.extra: dict[str, Any] = {"usage": None} if include_usage else {}
        self.include_usage = include_usage
        self.offset = len(echo)  # completions' text_offset

    def opening(self) -> list[bytes]:
        if not self.chat:
            if not self.echo:
                return []
            echo = {"index": 0, "text": self.echo, "finish_reason": None, "logprobs": None}
            return [_sse({**self.head, "choices": [echo], **self.extra})]
        role = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None, "logprobs": None}
        return [_sse({**self.head, "choices": [role], **self.extra})]

    def piece(self, kind: str, value: Any) -> bytes:
        choice: dict[str, Any] = {"index": 0}
        logprobs = None
        if kind == "tool_call":
            choice["delta"] = {"tool_calls": [_tool_call(value, streamed=True)]}
        elif self.chat:
            key = "content" if kind == "text" else "reasoning_content"
            choice["delta"] = {key: value.text if kind == "text" else value}
            if kind == "text" and value.logprobs:
                logprobs = {"content": value.logprobs}
        elif kind == "text":
            choice["text"] = value.text
            if value.logprobs:
                logprobs = self._completion_logprobs(value.logprobs)
        else:
            choice.update(text="", reasoning_content=value)
        choice.update(finish_reason=None, logprobs=logprobs)
        return _sse({**self.head, "choices": [choice], **self.extra})

    def failure(self, error: ApiError) -> bytes:
        return _sse(error.body())

    def closing(self, reply: Reply) -> list[bytes]:
        last: dict[str, Any] = {"index": 0, "finish_reason": reply.finish_reason, "logprobs": None}
        last.update({"delta": {}} if self.chat else {"text": ""})
        out = [_sse({**self.head, "choices": [last], **self.extra})]
        if self.include_usage:
            out.append(_sse({**self.head, "choices": [], "usage": _usage(reply)}))
        out.append(b"data: [DONE]\n\n")
        return out

    def whole(self, reply: Reply) -> dict[str, Any]:
        text, reasoning = "".join(reply.text), "".join(reply.reasoning)
        logprobs = None
        if self.chat:
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if reasoning:
                message["reasoning_content"] = reasoning
            if reply.tool_calls:
                message["content"] = text or None
                message["tool_calls"] = [_tool_call(call) for call in reply.tool_calls]
            choice: dict[str, Any] = {"index": 0, "message": message}
            if reply.logprobs:
                logprobs = {"content": reply.logprobs}
        else:
            choice = {"index": 0, "text": self.echo + text}
            if reasoning:
                choice["reasoning_content"] = reasoning
            if reply.logprobs:
                logprobs = self._completion_logprobs(reply.logprobs)
        choice.update(finish_reason=reply.finish_reason, logprobs=logprobs)
        return {
            **self.head,
            "object": "chat.completion" if self.chat else "text_completion",
            "choices": [choice],
            "usage": _usage(reply),
        }

    def _completion_logprobs(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """The legacy completions shape: parallel lists, the alternatives as {token: logprob}."""
        offsets = []
        for entry in entries:
            offsets.append(self.offset)
            self.offset += len(entry["token"])
        return {
            "tokens": [e["token"] for e in entries],
            "token_logprobs": [e["logprob"] for e in entries],
            "top_logprobs": [{t["token"]: t["logprob"] for t in e["top_logprobs"]} for e in entries],
            "text_offset": offsets,
        }


def _tool_call(call: ToolCall, streamed: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": call.id, "type": "function", "function": {"name": call.name,
                                                                          "arguments": call.arguments}}
    return {"index": call.index, **out} if streamed else out
