"""The Ollama dialect (its own port, 11435 by default): /api/tags, /api/version, /api/chat, /api/generate.

It translates: a request body, checked against the request models declared here, becomes the neutral
``Generation`` that ``handler.answer`` serves, and ``OllamaAnswer`` writes the reply. Streams are NDJSON (one
object a line, the last with ``done: true`` and the counts); ``stream: false`` answers with one object.
Reasoning goes in a ``thinking`` field, as Ollama sends it, unless the request says ``think: false``.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .. import __version__
from ..core.requests import ChatMessage
from .backend import Backend, ServedModel, listed_models
from .errors import ApiError
from .fields import check, flag, messages, parse_body, prompt, section, text, think
from .handler import Generation, Sampling, answer, sampling_fields
from .jobs import Job, Reply
from .safety import read_body

# What /api/version answers: clients check it against the Ollama features they need.
OLLAMA_VERSION = "0.6.0"
MAX_TOKENS = ("num_predict",)
_REPLY_OPTIONS = (flag("stream", True), think("think"), section("options", *sampling_fields(*MAX_TOKENS)))
CHAT_REQUEST = (text("model", required=True), messages("messages"), *_REPLY_OPTIONS)
GENERATE_REQUEST = (text("model", required=True), prompt("prompt"), text("system"), *_REPLY_OPTIONS)


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
    async def chat(self, request: web.Request) -> web.StreamResponse:
        return await self._generate(request, chat=True)

    async def generate(self, request: web.Request) -> web.StreamResponse:
        return await self._generate(request, chat=False)

    async def _generate(self, request: web.Request, chat: bool) -> web.StreamResponse:
        body = parse_body(await read_body(request, self.max_body))
        values = check(CHAT_REQUEST if chat else GENERATE_REQUEST, body)
        if chat:
            msgs = values["messages"]
        else:
            system = values["system"]
            msgs = ([ChatMessage("system", system)] if system else []) + [ChatMessage("user", values["prompt"])]
        sampling = Sampling.from_checked(values["options"], *MAX_TOKENS)
        generation = Generation(values["model"], msgs, sampling, values["stream"], "ollama")
        think_on = values["think"] is not False
        return await answer(request, self.backend, generation, lambda job: OllamaAnswer(job, chat, think_on))


class OllamaAnswer:
    """A reply as Ollama writes it: NDJSON lines, or one object; the thinking only when it was not turned off."""

    content_type = "application/x-ndjson"

    def __init__(self, job: Job, chat: bool, think: bool) -> None:
        self.model, self.chat, self.think = job.model.id, chat, think
        self.started = time.perf_counter()

    def opening(self) -> list[bytes]:
        return []

    def piece(self, kind: str, text: str) -> bytes | None:
        if kind == "text":
            return _line({**self._piece(text, ""), "done": False})
        if self.think:
            return _line({**self._piece("", text), "done": False})
        return None

    def failure(self, error: ApiError) -> bytes:
        return _line({"error": error.message})

    def closing(self, reply: Reply) -> list[bytes]:
        reply.total_ms = reply.total_ms or (time.perf_counter() - self.started) * 1000.0
        return [_line(self._final(reply, "", ""))]

    def whole(self, reply: Reply) -> dict[str, Any]:
        thinking = "".join(reply.reasoning) if self.think else ""
        return self._final(reply, "".join(reply.text), thinking)

    def _piece(self, text: str, thinking: str) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "created_at": _now()}
        if self.chat:
            message = {"role": "assistant", "content": text}
            if thinking:
                message["thinking"] = thinking
            out["message"] = message
        else:
            out["response"] = text
            if thinking:
                out["thinking"] = thinking
        return out

    def _final(self, reply: Reply, text: str, thinking: str) -> dict[str, Any]:
        ns = 1_000_000
        eval_ms = max(reply.total_ms - reply.prompt_ms, 0.0)
        return {
            **self._piece(text, thinking),
            "done": True,
            "done_reason": reply.finish_reason,
            "total_duration": int(reply.total_ms * ns),
            "load_duration": 0,
            "prompt_eval_count": reply.prompt_tokens,
            "prompt_eval_duration": int(reply.prompt_ms * ns),
            "eval_count": reply.completion_tokens,
            "eval_duration": int(eval_ms * ns),
        }
