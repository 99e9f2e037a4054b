"""The Ollama dialect (its own port, 11435 by default): /api/tags, /api/ps, /api/show, /api/version,
/api/chat, /api/generate.

It translates: a request body, checked against the request models declared here, becomes the neutral
``Generation`` that ``handler.answer`` serves, and ``OllamaAnswer`` writes the reply. Streams are NDJSON (one
object a line, the last with ``done: true`` and the counts); ``stream: false`` answers with one object.
Reasoning goes in a ``thinking`` field, as Ollama sends it; ``think: false`` asks the chat template to switch
thinking off (where it can) and sends none. Tool calls go in ``message.tool_calls`` with the arguments as an
object. A generate without a prompt (or a chat without messages) is Ollama's "load the model" call, with
``keep_alive: 0`` its "unload" call. Errors are Ollama's ``{"error": "text"}``.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .. import __version__
from ..core.events import ToolCall
from ..core.requests import ChatMessage
from .backend import Backend, ServedModel, listed_models, matches, pick_model
from .errors import ApiError, bad
from .fields import Field, check, flag, parse_body, register, section, text, think, unsupported, whole
from .handler import Generation, Sampling, answer, sampling_fields
from .jobs import Job, Reply
from .message_fields import keep_alive, messages, ollama_format, tools
from .safety import read_body

# What /api/version answers: clients check it against the Ollama features they need.
OLLAMA_VERSION = "0.12.0"
MAX_TOKENS = ("num_predict",)


def refused(key: str, why: str) -> Field:
    """A parameter Ollama has and this server cannot honour: a 400 that says why, when it is given."""
    return Field(key, "refused", default=why)


def _refused(f: Field, value: Any, name: str) -> None:
    if value not in (None, "", [], {}, False):
        raise unsupported(name, f.default)


register("refused", _refused)

_OPTIONS = section("options", *sampling_fields(*MAX_TOKENS, low=-2), whole("num_ctx", 1, 10_000_000))
_REPLY_OPTIONS = (flag("stream", True), think("think"), ollama_format("format"), _OPTIONS, keep_alive("keep_alive"),
                  flag("logprobs", False), whole("top_logprobs", 0, 20), flag("truncate", False))
CHAT_REQUEST = (text("model", required=True), messages("messages", ollama=True), tools("tools"), *_REPLY_OPTIONS)
GENERATE_REQUEST = (text("model", required=True), text("prompt"), text("suffix"), text("system"), flag("raw", False),
                    refused("images", "the loaded model reads text only"),
                    refused("template", "the model's own chat template is used"),
                    refused("context", "send the conversation as messages to /api/chat instead"),
                    *_REPLY_OPTIONS)
SHOW_REQUEST = (text("model"), text("name"), flag("verbose", False))
NAMES = {"response_format": "format", "prompt": "raw", "truncate_hint": ', or send "truncate": true to leave out '
         "the oldest messages", "min_p": "options.min_p", "typical_p": "options.typical_p",
         "frequency_penalty": "options.frequency_penalty", "presence_penalty": "options.presence_penalty",
         "mirostat": "options.mirostat"}


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _line(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _details(model: ServedModel) -> dict[str, Any]:
    facts = model.facts
    return {
        "parent_model": "",
        "format": model.format,
        "family": facts.get("architecture", ""),
        "families": [facts["architecture"]] if facts.get("architecture") else None,
        "parameter_size": facts.get("size_label", ""),
        "quantization_level": facts.get("quantization", ""),
    }


def _thinking(think: bool | str | None) -> dict[str, Any]:
    """Ollama's ``think``: true, false, or a level ("low", "medium", "high": thinking on, with that level's
    budget from the settings)."""
    return {"think": True, "effort": think} if isinstance(think, str) else {"think": think}


def _generation(values: dict[str, Any], chat: bool) -> Generation:
    options = values["options"]
    sampling = Sampling.from_checked(options, *MAX_TOKENS)
    logprobs = (values["top_logprobs"] or 0) if values["logprobs"] else None
    common = {"stream": values["stream"], "dialect": "ollama", "response_format": values["format"],
              "logprobs": logprobs, "truncate": values["truncate"], **_thinking(values["think"])}
    if chat:
        return Generation(values["model"], values["messages"], sampling, tools=values["tools"], **common)
    if values["raw"]:
        if values["system"]:
            raise unsupported("system", "a raw prompt is sent as it is, without a system prompt")
        return Generation(values["model"], [], sampling, prompt=values["prompt"] or "", suffix=values["suffix"],
                          **common)
    if values["suffix"] is not None:
        return Generation(values["model"], [], sampling, prompt=values["prompt"] or "", suffix=values["suffix"],
                          **common)
    system = values["system"]
    msgs = ([ChatMessage("system", system)] if system else []) + [ChatMessage("user", values["prompt"] or "")]
    return Generation(values["model"], msgs, sampling, **common)


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
            web.post("/api/show", self.show),
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
        return {"name": model.id, "model": model.id, "modified_at": modified, "size": model.size, "digest": "",
                "details": _details(model)}

    async def tags(self, request: web.Request) -> web.Response:
        return web.json_response({"models": [self._entry(m) for m, _ in listed_models(self.backend)]})

    async def ps(self, request: web.Request) -> web.Response:
        loaded = self.backend.loaded()
        if loaded is None:
            return web.json_response({"models": []})
        gpu_layers = int(loaded.facts.get("n_gpu_layers") or 0)
        entry = {**self._entry(loaded), "expires_at": "0001-01-01T00:00:00Z",  # kept loaded until unloaded
                 "size_vram": loaded.size if gpu_layers else 0, "context_length": loaded.context_length}
        return web.json_response({"models": [entry]})

    async def show(self, request: web.Request) -> web.Response:
        values = check(SHOW_REQUEST, parse_body(await read_body(request, self.max_body)))
        name = values["model"] or values["name"]
        if not name:
            raise bad("'model' is required.", "model", "missing_required_parameter")
        for model, _loaded in listed_models(self.backend):
            if matches(model, name):
                return web.json_response(self._shown(model))
        raise ApiError(404, f"model '{name}' not found", param="model", code="model_not_found")

    def _shown(self, model: ServedModel) -> dict[str, Any]:
        facts = model.facts
        arch = facts.get("architecture", "")
        info: dict[str, Any] = {"general.architecture": arch, "general.parameter_count": facts.get("parameters", 0)}
        if arch:
            info[f"{arch}.context_length"] = facts.get("context_length", model.context_length)
        modified = datetime.fromtimestamp(model.created, UTC).isoformat().replace("+00:00", "Z")
        return {
            "license": "",
            "modelfile": "",
            "parameters": f"num_ctx {model.context_length}" if model.context_length else "",
            "template": facts.get("chat_template_source", ""),
            "details": _details(model),
            "model_info": info,
            "capabilities": list(facts.get("capabilities") or (["completion"] if facts else [])),
            "modified_at": modified,
        }

    # -- generation -----------------------------------------------------------------------------
    async def chat(self, request: web.Request) -> web.StreamResponse:
        return await self._generate(request, chat=True)

    async def generate(self, request: web.Request) -> web.StreamResponse:
        return await self._generate(request, chat=False)

    async def _generate(self, request: web.Request, chat: bool) -> web.StreamResponse:
        body = parse_body(await read_body(request, self.max_body))
        values = check(CHAT_REQUEST if chat else GENERATE_REQUEST, body)
        if (not values["messages"]) if chat else (values["prompt"] in (None, "") and values["suffix"] is None):
            return await self._load_or_unload(values, chat)
        num_ctx = values["options"]["num_ctx"]
        generation = _generation(values, chat)
        model = await pick_model(self.backend, generation.model)
        if num_ctx and model.context_length and num_ctx > model.context_length:
            raise bad(f"'options.num_ctx' asks for {num_ctx} tokens; the loaded model runs with a context of "
                      f"{model.context_length} (start `deepseek-desktop serve` with --ctx {num_ctx}).",
                      "options.num_ctx")
        think_on = values["think"] is not False
        return await answer(request, self.backend, generation, lambda job: OllamaAnswer(job, chat, think_on),
                            {**NAMES, "context": "messages" if chat else "prompt"})

    async def _load_or_unload(self, values: dict[str, Any], chat: bool) -> web.Response:
        """Ollama's load call (no prompt, no messages), or its unload call (the same with ``keep_alive: 0``)."""
        model = await pick_model(self.backend, values["model"])
        reason = "load"
        if values["keep_alive"] == 0:
            await self.backend.unload()
            reason = "unload"
        out: dict[str, Any] = {"model": model.id, "created_at": _now(), "done": True, "done_reason": reason}
        out.update({"message": {"role": "assistant", "content": ""}} if chat else {"response": ""})
        return web.json_response(out)


class OllamaAnswer:
    """A reply as Ollama writes it: NDJSON lines, or one object; the thinking only when it was not turned off."""

    content_type = "application/x-ndjson"

    def __init__(self, job: Job, chat: bool, think: bool) -> None:
        self.model, self.chat, self.think = job.model.id, chat, think
        self.started = time.perf_counter()

    def opening(self) -> list[bytes]:
        return []

    def piece(self, kind: str, value: Any) -> bytes | None:
        if kind == "text":
            out = {**self._piece(value.text, ""), "done": False}
            if value.logprobs:
                out["logprobs"] = value.logprobs
            return _line(out)
        if kind == "tool_call":
            out = self._piece("", "")
            out["message"]["tool_calls"] = [_tool_call(value)]
            return _line({**out, "done": False})
        if self.think:
            return _line({**self._piece("", value), "done": False})
        return None

    def failure(self, error: ApiError) -> bytes:
        return _line({"error": error.message})

    def closing(self, reply: Reply) -> list[bytes]:
        reply.total_ms = reply.total_ms or (time.perf_counter() - self.started) * 1000.0
        return [_line(self._final(reply, "", ""))]

    def whole(self, reply: Reply) -> dict[str, Any]:
        thinking = "".join(reply.reasoning) if self.think else ""
        out = self._final(reply, "".join(reply.text), thinking)
        if reply.tool_calls and self.chat:
            out["message"]["tool_calls"] = [_tool_call(c) for c in reply.tool_calls]
        if reply.logprobs:
            out["logprobs"] = reply.logprobs
        return out

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
            "done_reason": "stop" if reply.finish_reason == "tool_calls" else reply.finish_reason,
            "total_duration": int(reply.total_ms * ns),
            "load_duration": 0,
            "prompt_eval_count": reply.prompt_tokens,
            "prompt_eval_duration": int(reply.prompt_ms * ns),
            "eval_count": reply.completion_tokens,
            "eval_duration": int(eval_ms * ns),
        }


def _tool_call(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "function": {"index": call.index, "name": call.name,
                                        "arguments": json.loads(call.arguments)}}

