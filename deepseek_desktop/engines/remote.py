"""Remote engine: an OpenAI-compatible chat server (DeepSeek's API, vLLM or SGLang clusters,
llama.cpp servers) through the ``openai`` package.

The engine host calls ``chat`` as a plain generator on its model thread, so the engine owns a private
asyncio loop and runs it in short steps: one step per chunk, or until the cancel flag is seen. Cancel is
an asyncio task cancellation, which closes the HTTP response at once, even while the server is silent
before its headers or between chunks. The TLS defaults of ``openai`` stay as they are (verification on).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import openai

from ..core.errors import EngineError, RemoteError
from ..core.events import Event, ReasoningDelta, Stats
from ..core.requests import ChatRequest, LoadParams
from ..core.server_url import check_base_url
from ..core.thinking import effort_for_budget
from ..core.vocabulary import Engine
from .base import ProgressCallback, StopScanner, StreamMeter, history_for_model, refuse
from .remote_errors import SecretFilter, display_url, remote_error

log = logging.getLogger(__name__)

DEEPSEEK_API = "https://api.deepseek.com"
CONNECT_TIMEOUT = 10.0
# Long: a reasoning model on a busy cluster can think for minutes before its first token, and servers
# that stream keep-alive comments reset this clock. A silent server ends the reply after this time.
READ_TIMEOUT = 300.0
LIST_TIMEOUT = 15.0
_POLL = 0.02  # how often a waiting chat looks at the cancel flag (seconds)
_CLOSE_WAIT = 0.15  # how long a cancelled request may take to close its connection
_NO_KEY = "no-key"  # sent when the user has none: local servers ignore it, the openai client needs one

_MODELS_SHOWN = 5  # in the "which model?" line; the log has them all
_NO_ROUTE = (404, 405)  # statuses of a server that has no GET /models
_END = object()
_CANCELLED = object()


class RemoteEngine:
    name = Engine.REMOTE

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: openai.AsyncOpenAI | None = None
        self._url = ""
        self._model = ""
        self._secret = ""
        self._filter: SecretFilter | None = None
        self._official = False  # DeepSeek's own API: OpenAI's parameters only
        self._stream_options = True  # False once the server refused ``stream_options``
        self._effort = True  # False once the server refused ``reasoning_effort``
        self._told_no_usage = False

    # -- load -----------------------------------------------------------------------------------
    def load(self, params: LoadParams, progress: ProgressCallback | None = None) -> dict[str, Any]:
        self.unload()
        url = _check_url(params.base_url or DEEPSEEK_API)
        self._secret = params.api_key or ""
        if self._secret:
            self._filter = SecretFilter(self._secret)
            self._filter.install()
        self._url, self._model = url, params.model.strip()
        self._official = urlsplit(url).hostname == urlsplit(DEEPSEEK_API).hostname
        self._loop = asyncio.new_event_loop()
        self._client = self._make_client(url)
        started = time.perf_counter()
        try:
            listed = self._loop.run_until_complete(self._list_models())
            if listed is not None:
                self._model = _choose_model(self._model, listed)
            elif not self._model:
                raise EngineError("input.invalid", "GET /models is not supported here",
                                  what="the server does not list its models: give the model name")
        except Exception as exc:
            error = exc if isinstance(exc, EngineError) else remote_error(
                exc, url=self._url, model=self._model, secret=self._secret)
            self.unload()
            raise error from None  # the original may quote the key
        models_check = "listed" if listed is not None else "not listed by the server"
        if progress:
            progress(1.0)
        ms = (time.perf_counter() - started) * 1000
        log.info("remote server %s answers (%.0f ms); model %s, %s", display_url(self._url), ms, self._model,
                 models_check)
        return {
            "engine": self.name, "name": self._model, "base_url": display_url(self._url),
            "models": listed or [], "model_check": models_check, "chat_template": "server",
            "connect_ms": round(ms, 1),
        }

    def _make_client(self, url: str) -> openai.AsyncOpenAI:
        client = openai.AsyncOpenAI(
            api_key=self._secret or _NO_KEY, base_url=url, max_retries=0,
            timeout=openai.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
        )
        # The openai client takes an organisation and project from OPENAI_* variables; those belong
        # to an OpenAI account and are not to be sent to DeepSeek or a private server.
        client.organization = client.project = None
        return client

    async def _list_models(self) -> list[str] | None:
        """Model ids from GET /models; None when the server has no such endpoint."""
        assert self._client is not None
        try:
            page = await self._client.models.list(timeout=LIST_TIMEOUT)
        except openai.APIStatusError as exc:
            if exc.status_code not in _NO_ROUTE:
                raise
            # Perhaps the base URL lacks the /v1 that vLLM and llama.cpp put their API under.
            if urlsplit(self._url).path.rstrip("/").endswith("/v1"):
                log.info("the server has no /models endpoint (HTTP %s)", exc.status_code)
                return None
            with_v1 = self._url.rstrip("/") + "/v1"
            try:
                page = await self._client.with_options(base_url=with_v1).models.list(timeout=LIST_TIMEOUT)
            except openai.APIStatusError as again:
                if again.status_code not in _NO_ROUTE:
                    raise
                log.info("the server has no /models endpoint, with or without /v1")
                return None
            log.info("the server's API is under %s; using that", display_url(with_v1))
            await self._client.close()
            self._url, self._client = with_v1, self._make_client(with_v1)
        data = getattr(page, "data", None)
        if not isinstance(data, list):
            raise RemoteError("remote.bad_response", f"GET /models answered {type(page).__name__}")
        return [m.id for m in data if isinstance(getattr(m, "id", None), str)]

    # -- chat -----------------------------------------------------------------------------------
    def chat(self, request: ChatRequest, cancel: threading.Event) -> Iterator[Event]:
        if self._client is None or self._loop is None:
            raise EngineError("model.none_loaded")
        refuse(request, "remote")
        loop = self._loop
        meter = StreamMeter(chat_template="server")
        stops = StopScanner(list(request.params.stop))
        queue: asyncio.Queue[Any] = asyncio.Queue()
        args = self._request_args(request)
        task = loop.create_task(self._pump(args, queue))
        usage: Any = None
        finish: str | None = None
        reason, hit, complete, received = "", False, False, False
        try:
            while not hit:
                item = loop.run_until_complete(_next_item(queue, cancel))
                if item is _CANCELLED:
                    reason = "cancelled"
                    break
                if item is _END:
                    complete = True
                    break
                if isinstance(item, BaseException):
                    error = remote_error(item, url=self._url, model=self._model, secret=self._secret,
                                         partial=received)
                    yield from meter.text(stops.flush())  # what came before the error is the user's
                    raise error from None
                usage = getattr(item, "usage", None) or usage
                for choice in item.choices or ():
                    delta = choice.delta
                    reasoning = _text(delta, "reasoning_content") or _text(delta, "reasoning")
                    content = delta.content if delta is not None else None
                    if reasoning or content:
                        received = True
                        meter.token("")  # one chunk, counted as one token unless usage says better
                    if reasoning:
                        yield ReasoningDelta(reasoning)
                    if content:
                        safe, hit = stops.feed(content)
                        yield from meter.text(safe)
                    finish = choice.finish_reason or finish
                    if hit:
                        break
        finally:
            if not task.done():  # cancelled, stopped by a stop string, or the consumer went away
                task.cancel()
                loop.run_until_complete(asyncio.wait({task}, timeout=_CLOSE_WAIT))
        if not hit:
            yield from meter.text(stops.flush())
        if not reason:
            reason = "stop" if hit else _finish_reason(finish, self._url, received)
        events = meter.finish(reason, *self._usage_figures(usage, meter, complete))
        if request.thinking_budget:  # the server counts no tokens for us: say what it was asked, or that it was not
            note = args.get("reasoning_effort", "not_applied")
            events = [replace(e, thinking_note=note) if isinstance(e, Stats) else e for e in events]
        yield from events

    def _request_args(self, request: ChatRequest) -> dict[str, Any]:
        p = request.params
        # Reasoning is never sent back: DeepSeek's API refuses it, and it only costs tokens elsewhere.
        messages = history_for_model(request.messages, calls_without_content=True)  # as OpenAI sends it
        args: dict[str, Any] = {"model": self._model, "messages": messages, "stream": True,
                                "temperature": p.temperature, "top_p": p.top_p}
        if p.max_tokens:
            args["max_tokens"] = p.max_tokens
        if p.stop:
            args["stop"] = list(p.stop)
        if p.seed is not None:
            args["seed"] = p.seed
        if self._stream_options:
            args["stream_options"] = {"include_usage": True}
        if request.thinking_budget and self._effort and not self._official:  # DeepSeek's API has no such level
            args["reasoning_effort"] = effort_for_budget(request.thinking_budget)
        extra: dict[str, Any] = {}
        if not self._official:  # vLLM, SGLang and llama.cpp sample with these too
            if p.top_k > 0:
                extra["top_k"] = p.top_k
            if p.repeat_penalty and p.repeat_penalty != 1.0:
                extra["repetition_penalty"] = extra["repeat_penalty"] = p.repeat_penalty
        if extra:
            args["extra_body"] = extra
        return args

    async def _pump(self, args: dict[str, Any], queue: asyncio.Queue[Any]) -> None:
        """Read the stream into ``queue``: chunks, then ``_END`` or the exception that ended it."""
        assert self._client is not None
        try:
            try:
                stream = await self._client.chat.completions.create(**args)
            except openai.BadRequestError as exc:
                refused = [k for k in ("stream_options", "reasoning_effort")
                           if k in args and k in str(exc.body or exc.message)]
                if not refused:
                    raise
                log.info("the server refuses %s; asking again without", refused[0])
                if refused[0] == "stream_options":
                    self._stream_options = False  # token counts will be estimated
                else:
                    self._effort = False  # the thinking budget is not applied, and the stats say so
                args.pop(refused[0])
                stream = await self._client.chat.completions.create(**args)
            async with stream:
                async for chunk in stream:
                    queue.put_nowait(chunk)
            queue.put_nowait(_END)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # handed to the chat loop, which maps it to a RemoteError
            queue.put_nowait(exc)

    def _usage_figures(self, usage: Any, meter: StreamMeter, complete: bool) -> tuple[int, int | None]:
        """(prompt tokens, prompt tokens evaluated) from the server's usage, or from counting."""
        if usage is None:
            # Only a stream read to its end proves the server sends none; usage comes last.
            if complete and not self._told_no_usage:
                log.warning("the server sent no usage figures; counting chunks as tokens instead")
                self._told_no_usage = True
            return 0, None
        if isinstance(usage.completion_tokens, int):
            meter.completion_tokens = usage.completion_tokens
        prompt = usage.prompt_tokens if isinstance(usage.prompt_tokens, int) else 0
        details = getattr(usage, "prompt_tokens_details", None)
        cached = getattr(details, "cached_tokens", None) if details is not None else None
        if cached is None:
            cached = _extra(usage, "prompt_cache_hit_tokens")  # DeepSeek's name for it
        return prompt, (prompt - cached if isinstance(cached, int) else None)

    def unload(self) -> None:
        if self._loop is not None:
            if self._client is not None:
                try:
                    self._loop.run_until_complete(self._client.close())
                except Exception as exc:  # closing idle connections must not stop an unload
                    log.debug("closing the client: %s", type(exc).__name__)
            self._loop.close()
        self._loop, self._client = None, None
        if self._filter is not None:
            self._filter.remove()
            self._filter = None
        self._secret = ""
        self._stream_options, self._told_no_usage = True, False


async def _next_item(queue: asyncio.Queue[Any], cancel: threading.Event) -> Any:
    getter = asyncio.ensure_future(queue.get())
    while not getter.done():
        if cancel.is_set():
            getter.cancel()
            return _CANCELLED
        await asyncio.wait({getter}, timeout=_POLL)
    return getter.result()


def _extra(obj: Any, name: str) -> Any:
    """A field the OpenAI schema lacks (``reasoning_content``), kept by the client's models."""
    if obj is None:
        return None
    value = getattr(obj, name, None)
    if value is None:
        value = (getattr(obj, "model_extra", None) or {}).get(name)
    return value


def _text(obj: Any, name: str) -> str:
    value = _extra(obj, name)
    return value if isinstance(value, str) else ""


def _finish_reason(finish: str | None, url: str, received: bool) -> str:
    if finish is None:
        raise RemoteError("remote.stream_cut" if received else "remote.connection",
                          "the stream ended before the reply was complete", url=display_url(url))
    if finish in ("stop", "length"):
        return finish
    log.info("finish reason %r reported as stop", finish)
    return "stop"


def _check_url(url: str) -> str:
    url = check_base_url(url)  # the app and the CLI checked it too; the host may be driven by others
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        log.warning("%s is not encrypted (http://): the conversation and any key travel in clear text",
                    display_url(url))
    return url.rstrip("/")


def _choose_model(wanted: str, listed: list[str]) -> str:
    if wanted:
        if wanted not in listed:
            raise RemoteError("remote.not_found", "the server offers: " + ", ".join(listed[:20]), model=wanted)
        return wanted
    if len(listed) == 1:
        return listed[0]
    if not listed:
        raise EngineError("input.invalid", "GET /models listed none",
                          what="the server lists no models: give the model name")
    shown = ", ".join(m[:80] for m in listed[:_MODELS_SHOWN]) + (", …" if len(listed) > _MODELS_SHOWN else "")
    raise EngineError("remote.which_model", "the server offers: " + ", ".join(listed[:100]),
                      count=len(listed), models=shown)
