"""How llama.cpp picks the next token for one request, and what it tells about the choice.

``sampler_for`` builds llama.cpp's sampler chain from the request: logit bias, the penalties (repeat,
frequency, presence), the grammar (eager or lazy), then greedy, mirostat or top-k / typical / top-p / min-p /
temperature, in the order llama-cpp-python's own ``_init_sampler`` uses. ``Logprobs`` reads the log
probabilities of the token just chosen and of the best alternatives from the logits it was chosen from.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp._internals import LlamaSampler

from ..core.errors import EngineError
from ..core.requests import GenerationParams
from .output_grammar import Grammar, regex_escape

MAX_LOGIT_BIAS = 1024


def _bias(p: GenerationParams, n_vocab: int) -> dict[int, float]:
    bias: dict[int, float] = {}
    for key, value in p.logit_bias.items():
        try:
            token = int(key)
        except ValueError:
            token = -1
        if not 0 <= token < n_vocab:
            raise EngineError("request.unsupported", f"logit_bias: token {key!r}",
                              what=f"logit_bias names the token {key!r}, which this model's vocabulary lacks",
                              param="logit_bias")
        bias[token] = float(value)
    return bias


def _add_grammar(sampler: LlamaSampler, vocab: Any, grammar: Grammar, trigger_tokens: list[int]) -> None:
    text = grammar.text.encode("utf-8")
    if grammar.lazy:
        words = [regex_escape(w).encode("utf-8") for w in grammar.trigger_words]
        patterns = (ctypes.c_char_p * max(1, len(words)))(*words)
        tokens = (llama_cpp.llama_token * max(1, len(trigger_tokens)))(*trigger_tokens)
        made = llama_cpp.llama_sampler_init_grammar_lazy_patterns(
            vocab, text, b"root", patterns, len(words), tokens, len(trigger_tokens))
    else:
        made = llama_cpp.llama_sampler_init_grammar(vocab, text, b"root")
    if not made:  # llama.cpp could not parse it (its log says why)
        raise EngineError("request.unsupported", "the grammar was refused by llama.cpp",
                          what="the grammar made from this request (llama.cpp refused it)", param="response_format")
    llama_cpp.llama_sampler_chain_add(sampler.sampler, made)


def sampler_for(llm: llama_cpp.Llama, p: GenerationParams, grammar: Grammar | None = None,
                trigger_tokens: list[int] | None = None) -> LlamaSampler:
    n_vocab = llm.n_vocab()
    seed = p.seed if p.seed is not None else llama_cpp.LLAMA_DEFAULT_SEED
    sampler = LlamaSampler()
    bias = _bias(p, n_vocab)
    if bias:
        sampler.add_logit_bias(n_vocab, bias)
    sampler.add_penalties(n_vocab, llm.last_n_tokens_size, p.repeat_penalty, p.frequency_penalty,
                          p.presence_penalty)
    if grammar is not None:
        _add_grammar(sampler, llm._model.vocab, grammar, trigger_tokens or [])
    if p.temperature <= 0.0:
        sampler.add_greedy()
    elif p.mirostat == 1:
        sampler.add_mirostat(n_vocab, seed, p.mirostat_tau, p.mirostat_eta, 100)
    elif p.mirostat == 2:
        sampler.add_mirostat_v2(seed, p.mirostat_tau, p.mirostat_eta)
    else:
        sampler.add_top_k(p.top_k)
        sampler.add_typical(p.typical_p, 1)
        sampler.add_top_p(p.top_p, 1)
        sampler.add_min_p(p.min_p, 1)
        sampler.add_temp(p.temperature)
        sampler.add_dist(seed)
    return sampler


class Logprobs:
    """The log probability of each chosen token and of the ``top`` most likely ones, from the model's logits
    (before any sampler: what the model thought, as OpenAI reports it)."""

    def __init__(self, llm: llama_cpp.Llama, top: int, piece) -> None:
        self._ctx = llm.ctx
        self._n_vocab = llm.n_vocab()
        self._top = max(0, top)
        self._piece = piece  # token -> bytes

    def entry(self, token: int) -> dict[str, Any]:
        pointer = llama_cpp.llama_get_logits_ith(self._ctx, -1)
        logits = np.ctypeslib.as_array(pointer, shape=(self._n_vocab,)).astype(np.float64)
        peak = logits.max()
        logz = peak + math.log(float(np.exp(logits - peak).sum()))
        out = self._one(token, float(logits[token] - logz))
        if self._top:
            best = np.argpartition(-logits, self._top)[: self._top]
            best = best[np.argsort(-logits[best])]
            out["top_logprobs"] = [self._one(int(t), float(logits[t] - logz)) for t in best]
        else:
            out["top_logprobs"] = []
        return out

    def _one(self, token: int, logprob: float) -> dict[str, Any]:
        raw = self._piece(token)
        return {"token": raw.decode("utf-8", errors="replace"), "logprob": round(logprob, 6), "bytes": list(raw)}
