"""MLX engine (mlx-lm): Apple Silicon for users; the CPU build of MLX runs it on Linux for tests.

The model, its tokenizer and one prompt cache stay loaded across turns. Like mlx-lm's server, each
turn keeps the part of the cache that matches the start of the new prompt and trims the rest, so the
conversation so far is not evaluated again. Load and generation run on the same thread (the engine
host's model thread): mlx-lm generates on a thread-local stream.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import mlx.core as mx
from mlx_lm import load as mlx_load
from mlx_lm import stream_generate
from mlx_lm.models.cache import can_trim_prompt_cache, make_prompt_cache, trim_prompt_cache
from mlx_lm.sample_utils import make_logits_processors, make_sampler

from ..core.chat_templates import Template, choose_fallback
from ..core.errors import EngineError, ModelFileError
from ..core.events import Event
from ..core.requests import ChatRequest, LoadParams
from ..core.vocabulary import Engine
from ..models.local.inspection import check_mlx_folder
from .base import ProgressCallback, StopScanner, StreamMeter, history_for_model, refuse
from .context_fit import FittedPrompt, PromptCancelled, fit_prompt, reply_room
from .mlx_state import MlxStates
from .thinking_budget import CLOSE_TEXT, ThinkingBudget

log = logging.getLogger(__name__)

# Tokens the repetition penalty looks back on (llama.cpp's default ``repeat_last_n``).
PENALTY_WINDOW = 64


class _PromptCancelled(Exception):
    """Raised from mlx-lm's prompt progress callback to stop evaluating a long prompt."""


class MlxEngine:
    name = Engine.MLX

    def __init__(self) -> None:
        self.model: Any = None
        self.tokenizer: Any = None
        self._fallback: Template | None = None
        self._template_name = ""
        self._n_ctx = 0
        self._prefill_step = 512
        self._cache: list[Any] | None = None
        self._cache_tokens: list[int] = []  # the tokens whose keys and values are in the cache
        self._states: MlxStates | None = None  # saved conversation states (prompt caches) of this load

    # -- load -----------------------------------------------------------------------------------
    def load(self, params: LoadParams, progress: ProgressCallback | None = None) -> dict[str, Any]:
        self.unload()
        path = Path(params.model).expanduser()
        folder = check_mlx_folder(path)  # never hand mlx-lm a path it would take for a hub name
        if progress:
            progress(0.0)
        if params.seed >= 0:
            mx.random.seed(params.seed)
        started = time.perf_counter()
        try:
            model, tokenizer = mlx_load(str(path))
        except ValueError as exc:
            raise _load_error(path, folder.architecture, exc) from exc
        except Exception as exc:  # safetensors, tokenizer and JSON errors come in many types
            log.exception("mlx-lm could not load %s", path)
            raise ModelFileError("model.load_failed", f"{type(exc).__name__}: {exc}", path=path) from exc
        self.model, self.tokenizer = model, tokenizer
        self._n_ctx = params.n_ctx
        if folder.context_length and self._n_ctx > folder.context_length:
            log.warning("context of %d tokens asked, the model was trained for %d", self._n_ctx,
                        folder.context_length)
        self._prefill_step = max(32, params.n_batch)
        self._setup_template(folder.architecture)
        self._states = MlxStates.for_load(path, params, self._prefill_step)
        if progress:
            progress(1.0)
        load_ms = (time.perf_counter() - started) * 1000
        log.info("loaded %s in %.0f ms, chat template %s", path.name, load_ms, self._template_name)
        return {
            "engine": self.name,
            "name": path.name,
            "path": str(path),
            "architecture": folder.architecture,
            "quantization": folder.quantization,
            "context_length": folder.context_length,
            "size": folder.size,
            "n_ctx": self._n_ctx,
            "chat_template": self._template_name,
            "device": str(mx.default_device()),
            "load_ms": round(load_ms, 1),
        }

    def _setup_template(self, architecture: str) -> None:
        tokenizer = self.tokenizer
        if tokenizer.has_chat_template:
            self._fallback, self._template_name = None, "model"
            return

        def single(text: str) -> bool:
            return len(tokenizer.encode(text, add_special_tokens=False)) == 1

        family = "deepseek" if architecture.startswith("deepseek") else architecture
        self._fallback = choose_fallback(family, single)
        self._template_name = f"fallback:{self._fallback.name}"
        log.warning("the model folder has no chat template; using the %s fallback", self._fallback.name)

    # -- chat -----------------------------------------------------------------------------------
    def chat(self, request: ChatRequest, cancel: threading.Event) -> Iterator[Event]:
        if self.model is None:
            raise EngineError("model.none_loaded")
        refuse(request, "MLX")
        meter = StreamMeter(chat_template=self._template_name)
        p = request.params
        try:
            fitted = self._prompt_tokens(request, cancel)
        except PromptCancelled:
            yield from meter.finish("cancelled", 0)
            return
        tokens = fitted.tokens
        meter.messages_dropped = fitted.dropped
        meter.follow_prompt(fitted.text)
        if self._states is not None and (saved := self._states.restore(self._cache_tokens, tokens)) is not None:
            self._cache, self._cache_tokens = saved  # a saved state of this conversation spares work
        rest = self._reuse_cache(tokens)
        budget = max(1, min(p.max_tokens or self._n_ctx, self._n_ctx - len(tokens)))
        stops = StopScanner(list(p.stop) + list(self._fallback.stops if self._fallback else ()))
        if p.seed is not None:
            mx.random.seed(p.seed)
        penalty = p.repeat_penalty if p.repeat_penalty and p.repeat_penalty != 1.0 else None

        def on_prompt(done: int, total: int) -> None:
            if done < total and cancel.is_set():
                raise _PromptCancelled

        def generate(context: list[int], rest: list[int], room: int) -> Iterator[Any]:
            return stream_generate(
                self.model, self.tokenizer, rest, max_tokens=room,
                sampler=make_sampler(temp=p.temperature, top_p=p.top_p, top_k=p.top_k),
                logits_processors=_penalties(penalty, context[: len(context) - len(rest)]),
                prompt_cache=self._cache, prefill_step_size=self._prefill_step,
                prompt_progress_callback=on_prompt,
            )

        generator = generate(tokens, rest, budget)
        generated: list[int] = []
        thinking = ThinkingBudget(request.thinking_budget)
        reason, hit = "length", False
        try:
            while (response := next(generator, None)) is not None:
                was_reasoning = meter.splitter.in_reasoning
                generated.append(response.token)  # in the cache now, whatever happens next
                if response.finish_reason == "stop":  # an end-of-turn token: no text, no count
                    safe, hit = stops.feed(response.text)
                    yield from meter.text(safe)
                    reason = "stop"
                    break
                safe, hit = stops.feed(response.text)
                yield from meter.token(safe)
                if hit:
                    reason = "stop"
                    break
                if thinking.count(meter, was_reasoning):  # the budget is spent: the close goes into the cache
                    close = self.tokenizer.encode(CLOSE_TEXT, add_special_tokens=False)
                    yield from thinking.closed(meter, stops.flush(), len(close))
                    generator.close()  # type: ignore[attr-defined]
                    self._record_cache(tokens, generated)
                    generated += close
                    if len(generated) >= budget:
                        break  # no room left for an answer: "length"
                    context = tokens + generated
                    generator = generate(context, self._reuse_cache(context), budget - len(generated))
                    continue
                if response.finish_reason == "length":
                    reason = "length"
                    break
                if cancel.is_set():
                    reason = "cancelled"
                    break
        except _PromptCancelled:
            reason = "cancelled"
        except Exception as exc:
            self._drop_cache()  # its state is unknown after a failure inside MLX
            log.exception("generation failed")
            raise EngineError("engine.generation_failed", f"{type(exc).__name__}: {exc}") from exc
        finally:
            generator.close()
            self._record_cache(tokens, generated)
        if self._states is not None:
            self._states.save(self._cache, self._cache_tokens, request.cache_key, tokens)
        if not hit:  # text held back in case it began a stop string
            yield from meter.text(stops.flush())
        yield from meter.finish(reason, len(tokens), len(rest), thinking.stopped_at)

    def _prompt_tokens(self, request: ChatRequest, cancel: threading.Event) -> FittedPrompt:
        def tokenize(prompt: str) -> list[int]:
            # Like transformers' apply_chat_template(tokenize=True): the template writes BOS itself.
            return self.tokenizer.encode(prompt, add_special_tokens=False)

        def count(text: str) -> int:
            return len(self.tokenizer.encode(text, add_special_tokens=False))

        room = reply_room(request.params.max_tokens, self._n_ctx, request.truncate)
        return fit_prompt(history_for_model(request.messages), self._n_ctx, room, self._render, tokenize, count,
                          truncate=request.truncate, cancel=cancel)

    def _render(self, msgs: list[dict[str, str]]) -> str:
        try:
            if self._fallback is None:
                return self.tokenizer.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)
            template = jinja2.Environment().from_string(self._fallback.source)
            return template.render(messages=msgs, add_generation_prompt=True,
                                   bos_token=self.tokenizer.bos_token or "")
        except jinja2.TemplateError as exc:  # e.g. a template that allows no system message
            raise EngineError("input.invalid", f"chat template: {exc}",
                              what=f"the model's chat template refuses this conversation ({exc})") from exc

    # -- prompt cache ---------------------------------------------------------------------------
    def _reuse_cache(self, tokens: list[int]) -> list[int]:
        """Keep the cached prefix ``tokens`` starts with, trim the rest; return the tokens to evaluate."""
        if self._cache is None:
            self._cache, self._cache_tokens = make_prompt_cache(self.model), []
        cached = self._cache_tokens
        prefix = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            prefix += 1
        prefix = min(prefix, len(tokens) - 1)  # the last prompt token is evaluated for its logits
        extra = len(cached) - prefix
        if extra > 0:
            if can_trim_prompt_cache(self._cache):
                trim_prompt_cache(self._cache, extra)
            else:  # e.g. the state of a recurrent layer cannot be rewound
                self._cache, prefix = make_prompt_cache(self.model), 0
        self._cache_tokens = tokens[:prefix]
        return tokens[prefix:]

    def _record_cache(self, prompt: list[int], generated: list[int]) -> None:
        if self._cache is None:
            return
        known = prompt + generated
        # The cache's own count is the truth: a prompt cancelled half-way holds only what was evaluated.
        offset = getattr(self._cache[0], "offset", None) if self._cache else None
        if isinstance(offset, int) and offset != len(known):
            if offset < len(known):
                known = known[:offset]
            else:
                log.warning("prompt cache holds %d tokens, %d known; starting afresh", offset, len(known))
                self._drop_cache()
                return
        self._cache_tokens = known

    def _drop_cache(self) -> None:
        self._cache, self._cache_tokens = None, []

    def unload(self) -> None:
        if self._states is not None:
            self._states.close()  # writes what is still pending
            self._states = None
        if self.model is None:
            return
        self.model = self.tokenizer = None
        self._drop_cache()
        gc.collect()
        mx.clear_cache()  # hand the freed buffers back to the system, not to MLX's pool


def _penalties(penalty: float | None, cached: list[int]) -> list[Any]:
    """The repetition penalty, looking back over cached prompt tokens too: mlx-lm only shows its
    processors the tokens it evaluates, so a reused cache would otherwise change the penalty."""
    processors = make_logits_processors(repetition_penalty=penalty, repetition_context_size=PENALTY_WINDOW)
    if not processors or not cached:
        return processors
    past = mx.array(cached[-PENALTY_WINDOW:])
    return [lambda tokens, logits, f=f: f(mx.concatenate([past, tokens]), logits) for f in processors]


def _load_error(path: Path, architecture: str, exc: ValueError) -> ModelFileError:
    text = str(exc)
    log.error("mlx-lm could not load %s: %s", path, text)
    if "not supported" in text and "Model type" in text:
        return ModelFileError("model.mlx_unsupported_arch", text, arch=architecture, path=path)
    return ModelFileError("model.load_failed", text, path=path)
