"""The llama.cpp side of resuming conversations: sequence 0's K/V cache in and out of a ``StateCache``.

Two calls around a reply (the generation loop is not involved): ``restore`` before it loads the saved state
that shares the longest prefix with the prompt, when that spares work over what the context holds;
``save`` after it keeps what the context holds now. Both keep llama-cpp-python's bookkeeping true:
``llm.input_ids[:llm.n_tokens]`` are exactly the tokens in the cache, so ``generate`` reuses the prefix and
evaluates only the rest. Only the K/V cells are kept (``llama_state_seq_get_data``), not the logits
(llama-cpp-python's ``save_state`` copies its scores, n_tokens x n_vocab floats): ``generate`` always
evaluates at least the prompt's last token again, which gives the logits.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import llama_cpp

from ..core.requests import LoadParams
from .state_cache import MIN_TOKENS, StateCache, cache_key, common_prefix

log = logging.getLogger(__name__)

_MB = 1024 * 1024


def identity(path: Path, params: LoadParams, llm: llama_cpp.Llama, flash_attn: bool,
             devices: Sequence[str], gpu_layers: int) -> tuple[bytes, bytes]:
    """What a saved state must match: the model file (absolute path, size, modification time), and everything
    that changes the layout or the values of the cache (context, cache type, attention kernel, batch sizes,
    rope, the llama.cpp build, where the layers run)."""
    st = path.stat()
    model = {"path": str(path.absolute()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    settings = {"n_ctx": llm.n_ctx(), "kv_cache_type": params.kv_cache_type, "flash_attn": flash_attn,
                "n_batch": llm.n_batch, "n_ubatch": llm.context_params.n_ubatch,
                "rope_freq_scale": params.rope_freq_scale, "llama_cpp": llama_cpp.__version__,
                "devices": list(devices), "gpu_layers": gpu_layers}
    return (hashlib.sha256(json.dumps(model, sort_keys=True).encode()).digest(),
            hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).digest())


class LlamaStates:
    def __init__(self, cache: StateCache) -> None:
        self.cache = cache
        self.restored = 0  # tokens the last ``restore`` loaded

    @classmethod
    def for_load(cls, path: Path, params: LoadParams, llm: llama_cpp.Llama, flash_attn: bool,
                 devices: Sequence[str], gpu_layers: int) -> LlamaStates | None:
        """The states of this load, or None when the setting is off."""
        if not params.state_cache:
            return None
        model_id, settings_id = identity(path, params, llm, flash_attn, devices, gpu_layers)
        folder = Path(params.state_cache_dir) if params.state_cache_dir else None
        return cls(StateCache(folder, str(path), model_id, settings_id, params.state_cache_disk_mb * _MB,
                              params.state_cache_memory_mb * _MB))

    def restore(self, llm: llama_cpp.Llama, prompt: Sequence[int]) -> int:
        """Load the best saved state for ``prompt`` into sequence 0 if it spares work; the tokens loaded."""
        self.restored = 0
        have = common_prefix(llm.input_ids[:llm.n_tokens].tolist(), prompt) if llm.n_tokens else 0
        candidate = self.cache.best(prompt, have)
        if candidate is None:
            return 0
        data = candidate.read()
        if data is None:
            return 0
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_cpp.llama_state_seq_set_data(llm.ctx, buf, len(data), 0) != len(data):
            # llama.cpp refused it (another layout): the sequence may be half written, so start empty
            log.warning("llama.cpp refused a saved state of %d tokens; it is removed", len(candidate.tokens))
            self.cache.forget(candidate)
            llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(llm.ctx), 0, -1, -1)
            llm.n_tokens = 0
            return 0
        n = len(candidate.tokens)
        llm.input_ids[:n] = candidate.tokens
        llm.n_tokens = n
        self.restored = n
        log.info("restored a saved state of %d tokens from %s (%d shared with the prompt, %d were in the "
                 "context)", n, candidate.source, candidate.shared, have)
        return n

    def save(self, llm: llama_cpp.Llama, key: str, prompt: Sequence[int]) -> None:
        """Keep sequence 0's state under ``key`` (a conversation); without a key, in memory only, under the
        prompt's beginning (clients of the API server that send the same conversation again)."""
        n = llm.n_tokens
        if n < MIN_TOKENS:
            return
        size = llama_cpp.llama_state_seq_get_size(llm.ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        got = llama_cpp.llama_state_seq_get_data(llm.ctx, buf, size, 0)
        if not 0 < got <= size:
            log.warning("llama.cpp gave no state for the conversation (%d of %d bytes)", got, size)
            return
        key, persist = cache_key(key, prompt)
        self.cache.put(key, llm.input_ids[:n].tolist(), ctypes.string_at(buf, got), persist)

    def close(self) -> None:
        self.cache.close()

