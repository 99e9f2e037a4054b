"""The OpenAI dialect under /v1: models, chat completions and completions, streamed as SSE or whole.

DeepSeek-R1 reasoning goes out as ``reasoning_content`` (as DeepSeek's own API sends it), never inside
``content``. Usage figures are the engine's own token counts.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from typing import Any

from aiohttp import web

from ..core.requests import ChatMessage
from .backend import Backend, listed_models, pick_model
from .jobs import Job, Reply, clamp_max_tokens, run
from .safety import LOG_KEY, open_stream, read_body
from .validation import ApiError, Fields, bad, messages, parse_json, sampling


def _sse(data: Any) -> bytes:
    return b"data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


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
    def _model_entry(model: Any, loaded: bool) -> dict[str, Any]:
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
    async def _job(self, request: web.Request, chat: bool) -> tuple[Job, bool, bool]:
        f = Fields(parse_json(await read_body(request, self.max_body)))
        name = f.required_str("model")
        if chat:
            msgs = messages(f.data.get("messages"))
        else:
            prompt = f.data.get("prompt")
            if isinstance(prompt, list) and len(prompt) == 1:
                prompt = prompt[0]
            if prompt is None:
                raise bad("'prompt' is required.", "prompt", "missing_required_parameter")
            if not isinstance(prompt, str):
                raise bad("'prompt' must be a string.", "prompt", "invalid_type")
            msgs = [ChatMessage("user", prompt)]
        stream = f.boolean("stream", False)
        include_usage = f.obj("stream_options").boolean("include_usage", False)
        f.integer("n", 1, 1)
        params = sampling(f, self.backend.defaults(), ("max_tokens", "max_completion_tokens"))
        model = await pick_model(self.backend, name)
        params.max_tokens = clamp_max_tokens(params.max_tokens, params.max_tokens, model.context_length)
        request[LOG_KEY]["model"] = model.id
        return Job(model, msgs, params, request.remote or ""), stream, include_usage

    async def chat_completions(self, request: web.Request) -> web.StreamResponse:
        job, stream, include_usage = await self._job(request, chat=True)
        return await self._answer(request, job, stream, include_usage, chat=True)

    async def completions(self, request: web.Request) -> web.StreamResponse:
        job, stream, include_usage = await self._job(request, chat=False)
        return await self._answer(request, job, stream, include_usage, chat=False)

    async def _answer(
        self, request: web.Request, job: Job, stream: bool, include_usage: bool, chat: bool
    ) -> web.StreamResponse:
        reply = Reply()
        rid = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24]
        head = {
            "id": rid,
            "object": "chat.completion.chunk" if chat else "text_completion",
            "created": int(time.time()),
            "model": job.model.id,
            "system_fingerprint": None,
        }
        try:
            if stream:
                return await self._stream(request, job, reply, head, include_usage, chat)
            async with contextlib.aclosing(run(self.backend, job, reply)) as pieces:
                async for _ in pieces:
                    pass
        finally:
            request[LOG_KEY].update(prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens)
        text, reasoning = "".join(reply.text), "".join(reply.reasoning)
        if chat:
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if reasoning:
                message["reasoning_content"] = reasoning
            choice: dict[str, Any] = {"index": 0, "message": message}
        else:
            choice = {"index": 0, "text": text}
            if reasoning:
                choice["reasoning_content"] = reasoning
        choice.update(finish_reason=reply.finish_reason, logprobs=None)
        body = {
            **head,
            "object": "chat.completion" if chat else "text_completion",
            "choices": [choice],
            "usage": _usage(reply),
        }
        return web.json_response(body)

    async def _stream(
        self, request: web.Request, job: Job, reply: Reply, head: dict[str, Any], include_usage: bool, chat: bool
    ) -> web.StreamResponse:
        pieces = run(self.backend, job, reply)
        async with contextlib.aclosing(pieces):
            # The first piece (or an error: a full line, a model that fails) comes before the 200 goes out.
            first = await anext(pieces, None)
            response = await open_stream(request, "text/event-stream")
            extra = {"usage": None} if include_usage else {}
            if chat:
                await response.write(
                    _sse(
                        {
                            **head,
                            "choices": [
                                {
                                    "index": 0,
                                    "delta": {"role": "assistant", "content": ""},
                                    "finish_reason": None,
                                    "logprobs": None,
                                }
                            ],
                            **extra,
                        }
                    )
                )
            try:
                piece = first
                while piece is not None:
                    kind, text = piece
                    key = "content" if kind == "text" else "reasoning_content"
                    if chat:
                        choice: dict[str, Any] = {"index": 0, "delta": {key: text}}
                    else:
                        choice = {"index": 0, "text": text if kind == "text" else ""}
                        if kind != "text":
                            choice["reasoning_content"] = text
                    choice.update(finish_reason=None, logprobs=None)
                    await response.write(_sse({**head, "choices": [choice], **extra}))
                    piece = await anext(pieces, None)
            except ApiError as exc:
                await response.write(_sse(exc.body()))
                return response
        last: dict[str, Any] = {"index": 0, "finish_reason": reply.finish_reason, "logprobs": None}
        last.update({"delta": {}} if chat else {"text": ""})
        await response.write(_sse({**head, "choices": [last], **extra}))
        if include_usage:
            await response.write(_sse({**head, "choices": [], "usage": _usage(reply)}))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
