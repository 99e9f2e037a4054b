"""The MLX side of resuming conversations: mlx-lm's prompt cache in and out of a ``StateCache``.

The same two calls as llama.cpp's (``llamacpp_state``): ``restore`` before a reply puts the saved cache that
shares the longest prefix with the prompt in the engine's place, when that spares work over the cache it
holds; ``save`` after it keeps the engine's cache. The bytes are mlx-lm's own format
(``save_prompt_cache``, safetensors), inside the checked file of ``core.kv_state_files``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mlx.core as mx
from mlx_lm.models.cache import load_prompt_cache, save_prompt_cache

from ..core.requests import LoadParams
from .state_cache import MIN_TOKENS, StateCache, cache_key, common_prefix

log = logging.getLogger(__name__)

_MB = 1024 * 1024


def identity(folder: Path, params: LoadParams, prefill_step: int) -> tuple[bytes, bytes]:
    """The model folder (path, and the size and modification time of each of its files) and what changes
    the cache's values (the context, the prefill step, the mlx and mlx-lm versions)."""
    from importlib.metadata import version

    files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file())
    model = {"path": str(folder.absolute()), "files": files}
    settings = {"n_ctx": params.n_ctx, "prefill_step": prefill_step, "mlx": version("mlx"),
                "mlx_lm": version("mlx-lm"), "device": str(mx.default_device())}
    return (hashlib.sha256(json.dumps(model, sort_keys=True).encode()).digest(),
            hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).digest())


class MlxStates:
    def __init__(self, cache: StateCache) -> None:
        self.cache = cache

    @classmethod
    def for_load(cls, folder: Path, params: LoadParams, prefill_step: int) -> MlxStates | None:
        if not params.state_cache:
            return None
        model_id, settings_id = identity(folder, params, prefill_step)
        where = Path(params.state_cache_dir) if params.state_cache_dir else None
        return cls(StateCache(where, str(folder), model_id, settings_id, params.state_cache_disk_mb * _MB,
                              params.state_cache_memory_mb * _MB))

    def restore(self, held: Sequence[int], prompt: Sequence[int]) -> tuple[list[Any], list[int]] | None:
        """The saved cache and its tokens for ``prompt``, when it spares work over the ``held`` tokens."""
        candidate = self.cache.best(prompt, common_prefix(held, prompt))
        if candidate is None:
            return None
        data = candidate.read()
        if data is None:
            return None
        try:
            cache = _from_bytes(data)
        except Exception as exc:  # noqa: BLE001 - safetensors and mlx-lm raise many types on bad bytes
            log.warning("mlx-lm refused a saved prompt cache of %d tokens (%s); it is removed",
                        len(candidate.tokens), exc)
            self.cache.forget(candidate)
            return None
        offset = getattr(cache[0], "offset", None) if cache else None
        if offset != len(candidate.tokens):
            log.warning("a saved prompt cache holds %s tokens, its file says %d; it is removed", offset,
                        len(candidate.tokens))
            self.cache.forget(candidate)
            return None
        log.info("restored a saved prompt cache of %d tokens from %s", len(candidate.tokens), candidate.source)
        return cache, list(candidate.tokens)

    def save(self, cache: list[Any] | None, tokens: Sequence[int], key: str, prompt: Sequence[int]) -> None:
        if not cache or len(tokens) < MIN_TOKENS:
            return
        key, persist = cache_key(key, prompt)
        self.cache.put(key, tokens, _to_bytes(cache), persist)

    def close(self) -> None:
        self.cache.close()


def _to_bytes(cache: list[Any]) -> bytes:
    # mlx writes safetensors to a file name only
    fd, name = tempfile.mkstemp(suffix=".safetensors")
    os.close(fd)
    try:
        save_prompt_cache(name, cache)
        return Path(name).read_bytes()
    finally:
        Path(name).unlink(missing_ok=True)


def _from_bytes(data: bytes) -> list[Any]:
    fd, name = tempfile.mkstemp(suffix=".safetensors")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return load_prompt_cache(name)
    finally:
        Path(name).unlink(missing_ok=True)
