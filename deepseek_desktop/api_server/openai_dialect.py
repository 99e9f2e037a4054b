"""The OpenAI dialect under /v1: models, chat completions and completions, streamed as SSE or whole.

It translates: a request body, checked against the request models declared here, becomes the neutral
``Generation`` that ``handler.answer`` serves, and ``OpenAIAnswer`` writes the reply. DeepSeek-R1 reasoning
goes out as ``reasoning_content`` (as DeepSeek's own API sends it), never inside ``content``. Usage figures
are the engine's own token counts.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from aiohttp import web

from ..core.requests import ChatMessage
from .backend import Backend, ServedModel, listed_models
from .errors import ApiError
from .fields import check, flag, messages, parse_body, prompt, section, text, whole
from .handler import Generation, Sampling, answer, sampling_fields
from .jobs import Job, Reply
from .safety import read_body


def _sse(data: Any) -> bytes:
    return b"data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


MAX_TOKENS = ("max_tokens", "max_completion_tokens")
_REPLY_OPTIONS = (flag("stream", False), section("stream_options", flag("include_usage", False)), whole("n", 1, 1),
                  *sampling_fields(*MAX_TOKENS))
CHAT_REQUEST = (text("model", required=True), messages("messages"), *_REPLY_OPTIONS)
COMPLETION_REQUEST = (text("model", required=True), prompt("prompt", list_of_one=True), *_REPLY_OPTIONS)


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
        msgs = values["messages"] if chat else [ChatMessage("user", values["prompt"])]
        generation = Generation(values["model"], msgs, Sampling.from_checked(values, *MAX_TOKENS), values["stream"])
        include_usage = values["stream_options"]["include_usage"]
        return await answer(request, self.backend, generation, lambda job: OpenAIAnswer(job, chat, include_usage))


class OpenAIAnswer:
    """A reply as OpenAI writes it: chat completion chunks or text completions, over SSE or whole."""

    content_type = "text/event-stream"

    def __init__(self, job: Job, chat: bool, include_usage: bool) -> None:
        self.chat = chat
        self.head = {
            "id": ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24],
            "object": "chat.completion.chunk" if chat else "text_completion",
            "created": int(time.time()),
            "model": job.model.id,
            "system_fingerprint": None,
        }
        self.extra: dict[str, Any] = {"usage": None} if include_usage else {}
        self.include_usage = include_usage

    def opening(self) -> list[bytes]:
        if not self.chat:
            return []
        role = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None, "logprobs": None}
        return [_sse({**self.head, "choices": [role], **self.extra})]

    def piece(self, kind: str, text: str) -> bytes:
        key = "content" if kind == "text" else "reasoning_content"
        if self.chat:
            choice: dict[str, Any] = {"index": 0, "delta": {key: text}}
        else:
            choice = {"index": 0, "text": text if kind == "text" else ""}
            if kind != "text":
                choice["reasoning_content"] = text
        choice.update(finish_reason=None, logprobs=None)
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
        if self.chat:
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if reasoning:
                message["reasoning_content"] = reasoning
            choice: dict[str, Any] = {"index": 0, "message": message}
        else:
            choice = {"index": 0, "text": text}
            if reasoning:
                choice["reasoning_content"] = reasoning
        choice.update(finish_reason=reply.finish_reason, logprobs=None)
        return {
            **self.head,
            "object": "chat.completion" if self.chat else "text_completion",
            "choices": [choice],
            "usage": _usage(reply),
        }
