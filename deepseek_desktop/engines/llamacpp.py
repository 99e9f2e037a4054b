"""llama.cpp engine (llama-cpp-python).

One ``Llama`` stays loaded across turns. Our generation loop (``llamacpp_loop.py``) keeps the tokens it
has evaluated in llama-cpp-python's bookkeeping and only evaluates what differs from the previous turn's
prompt, so a conversation's shared prefix is not computed again. The prompt is built with the model's own
chat template from its GGUF metadata (llama-cpp-python's ``Jinja2ChatFormatter``), or a fallback named in
the stats.
"""

from __future__ import annotations

import codecs
import collections
import ctypes
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
import llama_cpp
import llama_cpp.llama_cpp as llama_lowlevel
from llama_cpp import llama_chat_format

from ..core.chat_templates import choose_fallback
from ..core.devices import EngineDevices, Placement
from ..core.errors import EngineError, ModelFileError
from ..core.events import Event
from ..core.reasoning import CLOSE_TAG, OPEN_TAG
from ..core.requests import EXPERTS_IN_RAM, ChatRequest, LoadParams
from ..core.vocabulary import Engine
from ..models.fit import OffloadPlan, plan_offload
from ..models.gguf.header import check_gguf
from ..models.hardware import HardwareInfo, probe_hardware
from ..models.local.inspection import estimate_local_model
from .base import ProgressCallback, StopScanner, StreamMeter, history_for_model, refuse
from .context_fit import FittedPrompt, PromptCancelled, fit_prompt, reply_room, too_long
from .draft_pairing import PairedDraft, pair_drafter
from .ggml_backends import process_backends
from .llamacpp_loop import PromptLookup, TokenLoop
from .llamacpp_sampling import Logprobs, sampler_for
from .llamacpp_state import LlamaStates
from .output_grammar import output_grammar
from .reply_shaping import ReplyShaper
from .tensor_overrides import tensor_overrides
from .thinking_budget import CLOSE_TEXT, ThinkingBudget
from .thread_probe import ThreadChoice, choose_threads
from .thread_probe import candidates as thread_candidates
from .tool_calls import ToolCallReader, ToolFormat, tool_format

log = logging.getLogger(__name__)

# llama.cpp's type for each K/V cache precision the settings offer ("llamacpp.kv_cache_type").
CACHE_TYPES = {"f16": llama_cpp.GGML_TYPE_F16, "q8_0": llama_cpp.GGML_TYPE_Q8_0, "q4_0": llama_cpp.GGML_TYPE_Q4_0}
# Prompts longer than this many new tokens get an abort callback while they are evaluated, so Stop
# works during a long prompt too. Not during generation: the callback runs once per graph node.
_ABORTABLE_PROMPT = 64


class _LlamaLog:
    """Receives llama.cpp's log. Keeps recent lines (load errors are only told there) and passes
    warnings and errors to stderr, which the app keeps for its crash report."""

    def __init__(self) -> None:
        self.lines = _RecentLines(maxlen=200)
        self._partial = ""
        self._level = 0
        self._callback = llama_cpp.llama_log_callback(self._on_log)  # keep a reference: C holds it
        llama_cpp.llama_log_set(self._callback, ctypes.c_void_p(0))

    # ggml's enum: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5 (continues the previous line).
    # (llama-cpp-python's _logger.py still documents an older numbering.)
    _WARN, _CONT = 3, 5

    def _on_log(self, level: int, text: bytes, _user: ctypes.c_void_p) -> None:
        if level == self._CONT:
            level = self._level
        self._level = level
        piece = self._partial + text.decode("utf-8", errors="replace")
        *done, self._partial = piece.split("\n")
        for line in done:
            self.lines.append(line)
            if level >= self._WARN:
                os.write(2, (line + "\n").encode("utf-8", errors="replace"))

    def mark(self) -> int:
        return self.lines.mark()

    def since(self, mark: int) -> list[str]:
        return self.lines.since(mark)


class _RecentLines(collections.deque):
    """The last lines, and how many ever came in."""

    def __init__(self, maxlen: int) -> None:
        super().__init__(maxlen=maxlen)
        self.count_in = 0

    def append(self, line: str) -> None:
        self.count_in += 1
        super().append(line)

    def mark(self) -> int:
        return self.count_in

    def since(self, mark: int) -> list[str]:
        """The lines after ``mark`` that are still kept (counted, not indexed: the kept lines are a window)."""
        new = min(self.count_in - mark, len(self))
        return list(self)[len(self) - new:] if new > 0 else []


_LOG: _LlamaLog | None = None


def _llama_log() -> _LlamaLog:
    global _LOG  # one per process: llama.cpp has a single process-wide log callback
    if _LOG is None:
        _LOG = _LlamaLog()
    return _LOG


def chat_formatter(llm: llama_cpp.Llama, architecture: str
                   ) -> tuple[llama_chat_format.Jinja2ChatFormatter, str, tuple[str, ...], str]:
    """The model's chat template from its GGUF metadata, else the fallback for its architecture: the formatter,
    the template's name ("gguf" or "fallback:<name>"), the fallback's stop strings and the BOS text."""
    model = llm._model
    eos_id, bos_id = llm.token_eos(), llm.token_bos()
    eos = model.token_get_text(eos_id) if eos_id != -1 else ""
    bos = model.token_get_text(bos_id) if bos_id != -1 else ""
    template = llm.metadata.get("tokenizer.chat_template")
    stops: tuple[str, ...] = ()
    if template:
        name = "gguf"
    else:
        def single(text: str) -> bool:
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)) == 1

        chosen = choose_fallback(architecture, single)
        template, name, stops = chosen.source, f"fallback:{chosen.name}", chosen.stops
        log.warning("the GGUF has no chat template; using the %s fallback", chosen.name)
    return llama_chat_format.Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos), name, stops, bos


def default_threads() -> int:
    try:
        import psutil

        return psutil.cpu_count(logical=False) or os.cpu_count() or 1
    except ImportError:
        return os.cpu_count() or 1


class LlamaCppEngine:
    name = Engine.LLAMACPP

    def __init__(self) -> None:
        self.llm: llama_cpp.Llama | None = None
        self._formatter: llama_chat_format.Jinja2ChatFormatter | None = None
        self._template_name = ""
        self._template_stops: tuple[str, ...] = ()
        self._bos_text = ""
        self._n_ctx = 0
        self._prompt_lookup = False
        self._draft: PairedDraft | None = None  # the draft model of this load, if one was paired
        self._abort = threading.Event()
        self._abort_cb = llama_cpp.ggml_abort_callback(lambda _data: self._abort.is_set())
        self._abort_callback_on = False
        self._states: LlamaStates | None = None  # saved conversation states (K/V cache) of this load

    # -- load -----------------------------------------------------------------------------------
    def load(self, params: LoadParams, progress: ProgressCallback | None = None) -> dict[str, Any]:
        self.unload()
        path = Path(params.model).expanduser()
        header = check_gguf(path)  # missing / not GGUF / truncated: a clear error, no crash in C
        if params.kv_cache_type not in CACHE_TYPES:
            raise EngineError("input.invalid", f"K/V cache type {params.kv_cache_type!r}",
                              what=f"kv_cache_type={params.kv_cache_type}")
        # llama.cpp can only quantise the V cache with flash attention on.
        flash_attn = params.flash_attn or params.kv_cache_type != "f16"
        try:
            report = process_backends().report()
        except (OSError, RuntimeError) as exc:
            raise EngineError("engine.no_backend", str(exc), reason=str(exc)) from exc
        attempts, hw = _plan(path, params, report, flash_attn)
        logbook = _llama_log()
        started = time.perf_counter()
        llm, used, failure = self._load_with_fallback(path, header.architecture, params, attempts, flash_attn,
                                                       logbook, progress)
        self.llm = llm
        self._n_ctx = llm.n_ctx()
        self._prompt_lookup = params.prompt_lookup
        self._setup_template(llm, header.architecture)
        self._abort_callback_on = False
        threads = self._choose_threads(llm, params, used, hw.cpu_physical_cores)
        self._draft, draft_info = pair_drafter(params, path, llm, used, hw, flash_attn, lambda draft, plan: self._open(
            draft, replace(params, model=str(draft), tensor_overrides=(), n_threads=threads.threads), plan,
            flash_attn, None))
        self._states = LlamaStates.for_load(path, params, llm, flash_attn, used.devices, used.gpu_layers)
        load_ms = (time.perf_counter() - started) * 1000
        n_layer = int(llama_cpp.llama_model_n_layer(llm.model))
        offloaded = min(n_layer + 1, used.gpu_layers if used.gpu_layers >= 0 else n_layer + 1) if used.devices else 0
        names = [report.device(n) for n in used.devices]
        fallback_id = "" if not failure else ("gpu.fewer_layers" if used.devices else "gpu.cpu_instead")
        placement = Placement(devices=tuple(d.description or d.name for d in names if d), backend=(
            names[0].backend if names and names[0] else ""), gpu_layers=offloaded, layers=n_layer + 1,
            cpu_label=report.cpu_label, threads=threads.threads, fallback=fallback_id, fallback_detail=failure)
        info = {
            "engine": self.name,
            **header.summary(),
            "n_ctx": self._n_ctx,
            "n_threads": threads.threads,
            "threads": threads.to_dict(),
            "n_gpu_layers": offloaded,
            "devices": list(used.devices),
            "placement": placement.to_dict(),
            "cpu_variant": report.cpu_variant,
            "flash_attn": flash_attn,
            "kv_cache_type": params.kv_cache_type,
            "tensor_overrides": list(params.tensor_overrides),
            "chat_template": self._template_name,
            "chat_template_source": self._formatter.template if self._formatter else "",
            "capabilities": self._capabilities(),
            "load_ms": round(load_ms, 1),
            **draft_info,
        }
        log.info("loaded %s in %.0f ms on %s, %d threads (%s), chat template %s", path.name, load_ms,
                 placement.summary(), threads.threads, threads.reason, self._template_name)
        return info

    def _capabilities(self) -> list[str]:
        """What the loaded model can do, in Ollama's words: completion; tools (its template defines tool calls);
        insert (fill-in-the-middle tokens); thinking (its template has reasoning)."""
        assert self.llm is not None
        template = self._formatter.template if self._formatter else ""
        vocab = self.llm._model.vocab
        fim = llama_cpp.LLAMA_TOKEN_NULL not in (llama_cpp.llama_vocab_fim_pre(vocab),
                                                  llama_cpp.llama_vocab_fim_suf(vocab),
                                                  llama_cpp.llama_vocab_fim_mid(vocab))
        return ["completion"] + (["tools"] if tool_format(template) else []) + (["insert"] if fim else []) \
            + (["thinking"] if OPEN_TAG in template else [])

    def _load_with_fallback(self, path: Path, arch: str, params: LoadParams, attempts: list[OffloadPlan],
                            flash_attn: bool, logbook: _LlamaLog, progress: ProgressCallback | None
                            ) -> tuple[llama_cpp.Llama, OffloadPlan, str]:
        """Load with the first attempt that works: if the GPU cannot take the model (out of memory, a driver
        error), the next. Returns the model, the attempt that worked and, if it was not the first, why."""
        failure = ""
        for attempt in attempts:
            mark = logbook.mark()
            try:
                llm = self._open(path, params, attempt, flash_attn, progress)
            except (ValueError, RuntimeError) as exc:
                lines = logbook.since(mark)
                if not attempt.devices:
                    raise _load_error(path, arch, lines, exc) from exc
                failure = _gpu_failure(lines, exc)
                log.warning("loading %s with %d GPU layers on %s failed: %s", path.name, attempt.gpu_layers,
                            ",".join(attempt.devices), failure)
                continue
            if attempt is attempts[0]:
                return llm, attempt, ""
            log.warning("%s: loaded with %d GPU layers after the GPU failed: %s", path.name, attempt.gpu_layers,
                        failure)
            return llm, attempt, failure
        raise AssertionError("the last attempt is the CPU, which raises")  # pragma: no cover

    def _open(self, path: Path, params: LoadParams, plan: OffloadPlan, flash_attn: bool,
              progress: ProgressCallback | None) -> llama_cpp.Llama:
        kv_type = CACHE_TYPES[params.kv_cache_type]
        threads = params.n_threads or default_threads()
        devices = process_backends().handles(list(plan.devices))
        with _model_defaults(progress, devices), tensor_overrides(params.tensor_overrides):
            return llama_cpp.Llama(
                model_path=str(path),
                n_ctx=params.n_ctx,
                n_batch=params.n_batch,
                n_ubatch=params.n_batch,
                n_threads=threads,
                n_threads_batch=threads,
                n_gpu_layers=plan.gpu_layers,
                split_mode=llama_cpp.LLAMA_SPLIT_MODE_LAYER,
                main_gpu=plan.main_gpu,
                tensor_split=list(plan.tensor_split) or None,
                flash_attn=flash_attn,
                type_k=kv_type,
                type_v=kv_type,
                rope_freq_scale=params.rope_freq_scale,
                seed=params.seed if params.seed >= 0 else llama_cpp.LLAMA_DEFAULT_SEED,
                verbose=False,
            )

    def _choose_threads(self, llm: llama_cpp.Llama, params: LoadParams, plan: OffloadPlan,
                        cores: int) -> ThreadChoice:
        """The thread count the setting gives, else the fastest in a short probe on this model."""
        if params.n_threads:
            return ThreadChoice(params.n_threads, {}, "setting")
        if plan.devices and plan.gpu_layers < 0:
            return ThreadChoice(default_threads(), {}, "gpu")  # every layer on the GPU: the CPU waits
        probe = _DecodeProbe(llm)
        try:
            choice = choose_threads(probe.decode, thread_candidates(cores))
        finally:
            probe.reset()
        _set_threads(llm, choice.threads)
        log.info("threads measured (ms per token): %s; chose %d", choice.measured, choice.threads)
        return choice

    def _setup_template(self, llm: llama_cpp.Llama, architecture: str) -> None:
        self._formatter, self._template_name, self._template_stops, self._bos_text = chat_formatter(llm, architecture)

    # -- chat -----------------------------------------------------------------------------------
    # What a request may ask beyond a plain chat reply (core.requests.FEATURES); llama.cpp's samplers too.
    SUPPORTED = frozenset({"tools", "response_format", "logprobs", "prompt", "suffix"})

    def chat(self, request: ChatRequest, cancel: threading.Event) -> Iterator[Event]:
        llm = self.llm
        if llm is None:
            raise EngineError("model.none_loaded")
        refuse(request, "llama.cpp", self.SUPPORTED, samplers=True)
        p = request.params
        fmt = self._tool_format(request)
        grammar = output_grammar(request, fmt)
        meter = StreamMeter(chat_template=self._template_name)
        try:
            prompt = self._prompt(request, cancel, close_thinking=grammar is not None and not grammar.lazy)
        except PromptCancelled:
            yield from meter.finish("cancelled", 0)
            return
        tokens = prompt.tokens
        meter.messages_dropped = prompt.dropped
        meter.follow_prompt(prompt.text)
        if self._states is not None:
            self._states.restore(llm, tokens)  # a saved state of this conversation, if it spares work
        evaluated = _tokens_to_evaluate(llm, tokens)
        budget = max(1, min(p.max_tokens or self._n_ctx, self._n_ctx - len(tokens)))
        stops = StopScanner(list(p.stop) + ([s for s in self._template_stops if s] if request.prompt is None else []))
        markers = self._single_tokens(fmt.markers) if fmt is not None and grammar is not None else {}
        sampler = sampler_for(llm, p, grammar, [t for m, t in markers.items() if m == fmt.opening] if fmt else [])
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        vocab = llm._model.vocab
        piece = _PieceReader(vocab, set(markers.values()))
        shaper = None
        logprobs = None
        if grammar is not None and fmt is not None or request.logprobs is not None:
            shaper = ReplyShaper(ToolCallReader(fmt) if fmt is not None and grammar is not None else None,
                                 request.logprobs is not None)
            if request.logprobs is not None:
                logprobs = Logprobs(llm, request.logprobs, piece)
        reason = "length"
        # Cancel during a long prompt: llama.cpp checks the abort callback inside llama_decode.
        watcher = _CancelWatcher(cancel, self._abort) if evaluated > _ABORTABLE_PROMPT else None
        self._abort.clear()
        if watcher:
            self._set_abort_callback(True)
            watcher.start()
        # Speculation where the sampler's choice at each drafted position is all that matters (no grammar,
        # whose state would have to be rolled back, no logprobs, which read the last position's logits): the
        # paired draft model, else prompt lookup.
        speculate = grammar is None and logprobs is None
        lookup = (self._draft or (PromptLookup() if self._prompt_lookup else None)) if speculate else None
        loop = TokenLoop(llm, sampler, lookup)
        meter.drafter = self._draft.name if lookup is not None and lookup is self._draft else ""
        generator = loop.generate(tokens)
        thinking = ThinkingBudget(request.thinking_budget if request.prompt is None else None)
        n = 0
        hit = False
        try:
            for token in generator:
                was_reasoning = meter.splitter.in_reasoning
                if watcher:
                    watcher.stop()
                    self._set_abort_callback(False)
                    watcher = None
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    reason = "stop"
                    break
                n += 1
                if shaper is None:
                    safe, hit = stops.feed(decoder.decode(piece(token)))
                    yield from meter.token(safe)
                else:
                    if logprobs is not None:
                        shaper.token_logprobs(logprobs.entry(token))
                    safe, hit = stops.feed(decoder.decode(piece(token)))
                    yield from shaper.shape(meter.token(safe))
                if hit:
                    reason = "stop"
                    break
                if thinking.count(meter, was_reasoning):  # the budget is spent: close the thinking, go on
                    close = self._close_tokens()
                    events = thinking.closed(meter, stops.flush() + decoder.decode(b"", final=True), len(close))
                    yield from (shaper.shape(events) if shaper is not None else events)
                    loop.force(close, accept=grammar is None)  # a grammar may refuse forced tokens
                    n += len(close)
                if cancel.is_set():
                    reason = "cancelled"
                    break
                if n >= budget:
                    reason = "length"
                    break
        except RuntimeError as exc:
            if not self._abort.is_set():
                raise EngineError("engine.generation_failed", str(exc)) from exc
            reason = "cancelled"
        finally:
            generator.close()
            loop.close()
            meter.draft_acceptance = loop.accepted / loop.drafted if loop.drafted else None
            sampler.close()
            if watcher:
                watcher.stop()
                self._set_abort_callback(False)
        if self._states is not None:
            self._states.save(llm, request.cache_key, tokens)  # what the context holds now, for next time
        rest = [] if hit else meter.text(stops.flush() + decoder.decode(b"", final=True))
        if shaper is not None:
            rest = shaper.flush(rest)
            if shaper.called and reason == "stop":
                reason = "tool_calls"
        yield from rest
        yield from meter.finish(reason, len(tokens), evaluated, thinking.stopped_at)

    def _close_tokens(self) -> list[int]:
        """The tokens of the model's end-of-thinking text."""
        assert self.llm is not None
        return self.llm.tokenize(CLOSE_TEXT.encode("utf-8"), add_bos=False, special=True)

    def _tool_format(self, request: ChatRequest) -> ToolFormat | None:
        """The tool-call format of the model's chat template, when the request offers tools."""
        if not request.tools or request.tool_choice == "none" or request.prompt is not None:
            return None
        fmt = tool_format(self._formatter.template if self._formatter else "")
        if fmt is None:
            raise EngineError("request.unsupported", f"tools with chat template {self._template_name}",
                              what=f"tools (the model's chat template, {self._template_name}, defines no tool "
                              "calls)", param="tools")
        return fmt

    def _single_tokens(self, texts: tuple[str, ...]) -> dict[str, int]:
        """The texts that are one (special) token of this model's vocabulary, with that token."""
        assert self.llm is not None
        out = {}
        for text in texts:
            ids = self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
            if len(ids) == 1:
                out[text] = ids[0]
        return out

    def _prompt(self, request: ChatRequest, cancel: threading.Event, close_thinking: bool) -> FittedPrompt:
        """The prompt's tokens: the conversation through the chat template, fitted to the context; or, for a
        completion, the raw text (with the fill-in-the-middle tokens around a suffix)."""
        llm = self.llm
        assert llm is not None and self._formatter is not None
        if request.prompt is not None:
            tokens = self._infill(request.prompt, request.suffix) if request.suffix is not None \
                else self._tokenize(request.prompt)
            if len(tokens) >= self._n_ctx:
                raise too_long(len(tokens), self._n_ctx)
            return FittedPrompt(tokens, request.prompt)
        formatter = self._formatter
        tools = request.tools if request.tools and request.tool_choice != "none" else None
        switch = {} if request.think is None else {"enable_thinking": request.think, "thinking": request.think}
        close = close_thinking or request.think is False

        def render(msgs: list[dict[str, Any]]) -> str:
            try:
                text = formatter(messages=msgs, tools=tools, **switch).prompt
            except (jinja2.TemplateError, ValueError, TypeError) as exc:
                raise EngineError("input.invalid", f"chat template: {exc}",
                                  what=f"the model's chat template refuses this conversation ({exc})") from exc
            if close and text.rstrip().endswith(OPEN_TAG):  # as llama.cpp does when thinking is off
                text += CLOSE_TAG
            return text

        def count(text: str) -> int:
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

        room = reply_room(request.params.max_tokens, self._n_ctx, request.truncate)
        history = history_for_model(request.messages, calls_without_content=tool_format(formatter.template) is not None)
        return fit_prompt(history, self._n_ctx, room, render, self._tokenize, count,
                          truncate=request.truncate, cancel=cancel)

    def _infill(self, prefix: str, suffix: str) -> list[int]:
        """Fill in the middle, llama.cpp's prefix-suffix-middle order, for models with FIM tokens."""
        llm = self.llm
        assert llm is not None
        vocab = llm._model.vocab
        pre, suf, mid = (f(vocab) for f in (llama_cpp.llama_vocab_fim_pre, llama_cpp.llama_vocab_fim_suf,
                                            llama_cpp.llama_vocab_fim_mid))
        if llama_cpp.LLAMA_TOKEN_NULL in (pre, suf, mid):
            raise EngineError("request.unsupported", "no FIM tokens", param="suffix",
                              what="suffix (this model has no fill-in-the-middle tokens)")

        def tok(text: str) -> list[int]:
            return llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)

        head = [llm.token_bos()] if llm._model.add_bos_token() and llm.token_bos() != -1 else []
        return head + [pre] + tok(prefix) + [suf] + tok(suffix) + [mid]

    def _tokenize(self, prompt: str) -> list[int]:
        llm = self.llm
        assert llm is not None
        # Add BOS when the model wants one, unless the template already wrote it.
        add_bos = llm._model.add_bos_token() and not (self._bos_text and prompt.startswith(self._bos_text))
        return llm.tokenize(prompt.encode("utf-8"), add_bos=add_bos, special=True)

    def _set_abort_callback(self, on: bool) -> None:
        if self.llm is None or on == self._abort_callback_on:
            return
        cb = self._abort_cb if on else llama_cpp.ggml_abort_callback(0)
        llama_cpp.llama_set_abort_callback(self.llm.ctx, cb, None)
        self._abort_callback_on = on

    def unload(self) -> None:
        if self._states is not None:
            self._states.close()  # writes what is still pending
            self._states = None
        if self._draft is not None:
            self._draft.close()
            self._draft = None
        if self.llm is not None:
            self.llm.close()
            self.llm = None
            self._formatter = None


class _PieceReader:
    """Token -> bytes with one reusable buffer (``Llama.detokenize`` allocates per call). Special tokens come
    out empty, except those in ``shown`` (a tool-call format's markers, which must be read)."""

    def __init__(self, vocab: Any, shown: set[int] | None = None) -> None:
        self._vocab = vocab
        self._size = 256
        self._buf = ctypes.create_string_buffer(self._size)
        self._shown = shown or set()

    def __call__(self, token: int) -> bytes:
        special = token in self._shown
        n = llama_cpp.llama_token_to_piece(self._vocab, token, self._buf, self._size, 0, special)
        if n > self._size:  # a very long piece: grow once and retry
            self._size = n
            self._buf = ctypes.create_string_buffer(n)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, self._buf, self._size, 0, special)
        return self._buf.raw[:max(n, 0)]


class _CancelWatcher:
    """Copies the request's cancel flag to the abort flag llama.cpp polls, while a prompt evaluates."""

    def __init__(self, cancel: threading.Event, abort: threading.Event) -> None:
        self._cancel, self._abort = cancel, abort
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prompt-cancel", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            if self._cancel.wait(0.05):
                self._abort.set()
                return

    def stop(self) -> None:
        self._done.set()


def _tokens_to_evaluate(llm: llama_cpp.Llama, tokens: list[int]) -> int:
    """How many prompt tokens the loop will evaluate, given what it evaluated last turn."""
    prefix = llama_cpp.Llama.longest_token_prefix(llm._input_ids.tolist(), tokens) if llm.n_tokens else 0
    reuse = prefix - 1 if prefix == len(tokens) else prefix
    return len(tokens) - max(reuse, 0)


class _model_defaults:
    """``Llama`` builds its model parameters itself, from the defaults it asks llama.cpp for. For the duration
    of one load (the model thread is the only one that loads) those defaults carry what ``Llama`` has no
    argument for: the progress callback and the devices to load onto (a NULL-terminated list; an empty list
    means the CPU only, where NULL would mean every GPU)."""

    def __init__(self, progress: ProgressCallback | None, devices: list[int]) -> None:
        self._progress = progress
        self._devices = (ctypes.c_void_p * (len(devices) + 1))(*devices, None)  # kept alive during the load
        self._original: Any = None

    def __enter__(self) -> None:
        callback = None
        if self._progress is not None:
            progress = self._progress
            last = [-1.0]

            def on_progress(fraction: float, _user: ctypes.c_void_p) -> bool:
                if fraction - last[0] >= 0.02 or fraction >= 1.0:
                    last[0] = fraction
                    progress(fraction)
                return True

            callback = llama_cpp.llama_progress_callback(on_progress)
        self._callback = callback
        original = llama_lowlevel.llama_model_default_params
        devices = ctypes.cast(self._devices, ctypes.c_void_p)

        def defaults() -> Any:
            params = original()
            if callback is not None:
                params.progress_callback = callback
            params.devices = devices
            return params

        self._original = original
        llama_lowlevel.llama_model_default_params = defaults

    def __exit__(self, *exc: object) -> None:
        if self._original is not None:
            llama_lowlevel.llama_model_default_params = self._original


def _plan(path: Path, params: LoadParams, report: EngineDevices, flash_attn: bool
          ) -> tuple[list[OffloadPlan], HardwareInfo]:
    """The offload the fit computes for the device setting, with the memory free right now, and what to try
    if the GPU cannot take it: half the layers, then the CPU."""
    hw = probe_hardware(report, run=_no_tools, device=params.device)
    if hw.missing_device:
        log.warning("device %s not found: the automatic choice instead", hw.missing_device)
    if not hw.gpus:
        return [OffloadPlan((), 0)], hw
    estimate = estimate_local_model(path, params.n_ctx, cache_type=params.kv_cache_type, flash_attn=flash_attn,
                                    n_ubatch=params.n_batch)
    plan = plan_offload(estimate, hw, params.n_gpu_layers, experts_in_ram=EXPERTS_IN_RAM in params.tensor_overrides)
    if not plan.devices:
        return [plan], hw
    layers = plan.gpu_layers if plan.gpu_layers >= 0 else estimate.layers + 1
    tries = [plan]
    if layers > 1:
        tries.append(replace(plan, gpu_layers=layers // 2, verdict="partial"))
    return tries + [OffloadPlan((), 0)], hw


def _no_tools(_argv: list[str]) -> None:
    return None  # the host needs no vendor tools: hints are for the advice, not the load


def _gpu_failure(log_lines: list[str], exc: Exception) -> str:
    """The line of llama.cpp's log that says what went wrong on the GPU, else the exception."""
    for line in reversed(log_lines):
        low = line.lower()
        if any(w in low for w in ("out of memory", "failed to allocate", "alloc", "error", "failed")):
            return line.strip()[:300]
    return str(exc)[:300]


class _DecodeProbe:
    """One-token decodes for the thread probe, undone afterwards (llama-cpp-python's next evaluation starts
    at its token count, and ``reset`` sets that to zero)."""

    def __init__(self, llm: llama_cpp.Llama) -> None:
        self.llm = llm
        token = llm.token_bos()
        self.token = token if token >= 0 else 0
        self.limit = max(8, min(llm.n_ctx() - 1, 64))

    def decode(self, threads: int) -> None:
        if self.llm.n_tokens >= self.limit:
            self.llm.reset()
        _set_threads(self.llm, threads)
        self.llm.eval([self.token])

    def reset(self) -> None:
        self.llm.reset()


def _set_threads(llm: llama_cpp.Llama, threads: int) -> None:
    llama_cpp.llama_set_n_threads(llm.ctx, threads, threads)
    llm.n_threads = llm.n_threads_batch = threads
    llm.context_params.n_threads = llm.context_params.n_threads_batch = threads


def _load_error(path: Path, arch: str, log_lines: list[str], exc: Exception) -> ModelFileError:
    detail = "\n".join(line for line in log_lines if line.strip())[-2000:] or str(exc)
    for line in log_lines:
        log.error("llama.cpp: %s", line)
    if "unknown model architecture" in detail:
        return ModelFileError("model.unsupported_arch", detail, arch=arch or "?", path=path)
    return ModelFileError("model.load_failed", detail, path=path)
