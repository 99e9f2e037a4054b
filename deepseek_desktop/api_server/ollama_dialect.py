"""The Ollama dialect (its own port, 11435 by default): /api/tags, /api/version, /api/chat, /api/generate.

Streams are NDJSON (one object a line, the last with ``done: true`` and the counts); ``stream: false``
answers with one object. Reasoning goes in a ``thinking`` field, as Ollama sends it.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .. import __version__
from ..core.requests import ChatMessage
from .backend import Backend, ServedModel, listed_models, pick_model
from .jobs import Job, Reply, clamp_max_tokens, run
from .safety import LOG_KEY, open_stream, read_body
from .validation import ApiError, Fields, bad, messages, parse_json, sampling

# What /api/version answers: clients check it against the Ollama features they need.
OLLAMA_VERSION = "0.6.0"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _line(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class OllamaRoutes:
    def __init__(self, backend: Backend, max_body: int) -> None:
        self.backend = backend
        self.max_body = max_body

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.root),
            web.get("/api/version", self.version),
            web.get("/api/tags", self.tags),
            web.get("/api/ps", self.ps),
            web.post("/api/chat", self.chat),
            web.post("/api/generate", self.generate),
        ]

    async def root(self, request: web.Request) -> web.Response:
        return web.Response(text="Ollama is running")  # what clients probe for

    async def version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": OLLAMA_VERSION, "deepseek_desktop": __version__})

    @staticmethod
    def _entry(model: ServedModel) -> dict[str, Any]:
        modified = datetime.fromtimestamp(model.created, UTC).isoformat().replace("+00:00", "Z")
        return {
            "name": model.id,
            "model": model.id,
            "modified_at": modified,
            "size": model.size,
            "digest": "",
            "details": {
                "format": model.format,
                "family": "",
                "families": None,
                "parameter_size": "",
                "quantization_level": "",
            },
        }

    async def tags(self, request: web.Request) -> web.Response:
        return web.json_response({"models": [self._entry(m) for m, _ in listed_models(self.backend)]})

    async def ps(self, request: web.Request) -> web.Response:
        loaded = self.backend.loaded()
        return web.json_response({"models": [self._entry(loaded)] if loaded else []})

    # -- generation -----------------------------------------------------------------------------
    async def _job(self, request: web.Request, chat: bool) -> tuple[Job, bool, bool]:
        f = Fields(parse_json(await read_body(request, self.max_body)))
        name = f.required_str("model")
        if chat:
            msgs = messages(f.data.get("messages"))
        else:
            prompt = f.optional_str("prompt")
            if prompt is None:
                raise bad("'prompt' is required.", "prompt", "missing_required_parameter")
            system = f.optional_str("system")
            msgs = ([ChatMessage("system", system)] if system else []) + [ChatMessage("user", prompt)]
        stream = f.boolean("stream", True)
        think = f.data.get("think")
        if think is not None and not isinstance(think, (bool, str)):
            raise bad("'think' must be true, false or a level.", "think", "invalid_type")
        params = sampling(f.obj("options"), self.backend.defaults(), ("num_predict",))
        model = await pick_model(self.backend, name)
        params.max_tokens = clamp_max_tokens(params.max_tokens, params.max_tokens, model.context_length)
        request[LOG_KEY]["model"] = model.id
        return Job(model, msgs, params, request.remote or "", "ollama"), stream, think is not False

    async def chat(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, *await self._job(request, chat=True), chat=True)

    async def generate(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, *await self._job(request, chat=False), chat=False)

    def _piece(self, job: Job, chat: bool, text: str, thinking: str) -> dict[str, Any]:
        out: dict[str, Any] = {"model": job.model.id, "created_at": _now()}
        if chat:
            message = {"role": "assistant", "content": text}
            if thinking:
                message["thinking"] = thinking
            out["message"] = message
        else:
            out["response"] = text
            if thinking:
                out["thinking"] = thinking
        return out

    def _final(self, job: Job, reply: Reply, chat: bool, text: str, thinking: str) -> dict[str, Any]:
        ns = 1_000_000
        eval_ms = max(reply.total_ms - reply.prompt_ms, 0.0)
        return {
            **self._piece(job, chat, text, thinking),
            "done": True,
            "done_reason": reply.finish_reason,
            "total_duration": int(reply.total_ms * ns),
            "load_duration": 0,
            "prompt_eval_count": reply.prompt_tokens,
            "prompt_eval_duration": int(reply.prompt_ms * ns),
            "eval_count": reply.completion_tokens,
            "eval_duration": int(eval_ms * ns),
        }

    async def _answer(
        self, request: web.Request, job: Job, stream: bool, think: bool, chat: bool
    ) -> web.StreamResponse:
        reply = Reply()
        try:
            if stream:
                return await self._stream(request, job, reply, think, chat)
            async with contextlib.aclosing(run(self.backend, job, reply)) as pieces:
                async for _ in pieces:
                    pass
        finally:
            request[LOG_KEY].update(prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens)
        thinking = "".join(reply.reasoning) if think else ""
        return web.json_response(self._final(job, reply, chat, "".join(reply.text), thinking))

    async def _stream(
        self, request: web.Request, job: Job, reply: Reply, think: bool, chat: bool
    ) -> web.StreamResponse:
        started = time.perf_counter()
        pieces = run(self.backend, job, reply)
        async with contextlib.aclosing(pieces):
            first = await anext(pieces, None)  # errors before the first piece still get their status
            response = await open_stream(request, "application/x-ndjson")
            try:
                piece = first
                while piece is not None:
                    kind, text = piece
                    if kind == "text":
                        await response.write(_line({**self._piece(job, chat, text, ""), "done": False}))
                    elif think:
                        await response.write(_line({**self._piece(job, chat, "", text), "done": False}))
                    piece = await anext(pieces, None)
            except ApiError as exc:
                await response.write(_line({"error": exc.message}))
                return response
        reply.total_ms = reply.total_ms or (time.perf_counter() - started) * 1000.0
        await response.write(_line(self._final(job, reply, chat, "", "")))
        await response.write_eof()
        return response
