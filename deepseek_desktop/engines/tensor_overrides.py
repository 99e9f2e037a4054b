"""Tensor buffer overrides for llama.cpp: put the tensors whose names match a pattern in a chosen buffer type.

This is ``llama-server --override-tensor PATTERN=BUFFER`` for the app's own engine. llama-cpp-python 0.3.36 does
not offer it on ``Llama``, but its ``llama_model_params`` has the C field ``tensor_buft_overrides`` (a
NULL-terminated array of ``{const char * pattern; ggml_backend_buffer_type_t buft;}``). The buffer types are
found the way llama.cpp's own argument parser finds them: by name among the devices' buffer types ("CPU",
"CUDA0", "Vulkan0"...).

The use that matters: a mixture-of-experts model (DeepSeek V3/R1, V2-Lite) with every layer on the GPU except
the routed experts, which stay in system RAM (``EXPERTS_IN_RAM``).
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from contextlib import contextmanager

import llama_cpp.llama_cpp as llama_lowlevel

from ..core.errors import EngineError
from ..core.requests import EXPERTS_IN_RAM  # noqa: F401  (the override the app and the launch plans use)
from .ggml_backends import process_backends

_ENTRY = re.compile(r"^(?P<pattern>[^=]+)=(?P<buft>[A-Za-z0-9_]+)$")


class _Override(ctypes.Structure):
    _fields_ = [("pattern", ctypes.c_char_p), ("buft", ctypes.c_void_p)]


def parse_overrides(entries: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """``["pattern=CPU", ...]`` -> [(pattern, buffer type name)]; a malformed entry or a pattern that is not a
    regular expression is an ``EngineError`` naming it."""
    out = []
    for entry in entries:
        m = _ENTRY.match(entry.strip())
        if not m:
            raise EngineError("input.invalid", f"tensor override {entry!r} is not PATTERN=BUFFER",
                              what=f"tensor_overrides={entry}")
        try:
            re.compile(m.group("pattern"))
        except re.error as exc:
            raise EngineError("input.invalid", f"tensor override pattern {m.group('pattern')!r}: {exc}",
                              what=f"tensor_overrides={entry}") from exc
        out.append((m.group("pattern"), m.group("buft")))
    return out


def _ggml() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    backends = process_backends()
    backends.load()  # with loadable backends, ggml knows no device (and no buffer type) before this
    lib_dir = backends.lib_dir
    names = {p.name for p in lib_dir.iterdir()} if lib_dir.is_dir() else set()

    def load(stem: str) -> ctypes.CDLL:
        for name in (f"lib{stem}.so", f"lib{stem}.dylib", f"{stem}.dll"):
            if name in names:
                return ctypes.CDLL(str(lib_dir / name))
        return ctypes.CDLL(f"lib{stem}.so")  # an installation that puts ggml elsewhere on the loader's path

    ggml, base = load("ggml"), load("ggml-base")
    ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
    ggml.ggml_backend_dev_get.restype = ctypes.c_void_p
    ggml.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    base.ggml_backend_dev_buffer_type.restype = ctypes.c_void_p
    base.ggml_backend_dev_buffer_type.argtypes = [ctypes.c_void_p]
    base.ggml_backend_buft_name.restype = ctypes.c_char_p
    base.ggml_backend_buft_name.argtypes = [ctypes.c_void_p]
    return ggml, base


def buffer_types() -> dict[str, int]:
    """Every device's buffer type by name, as llama.cpp's ``--override-tensor`` knows them."""
    ggml, base = _ggml()
    out: dict[str, int] = {}
    for i in range(ggml.ggml_backend_dev_count()):
        buft = base.ggml_backend_dev_buffer_type(ggml.ggml_backend_dev_get(i))
        if buft:
            out[base.ggml_backend_buft_name(buft).decode()] = buft
    return out


@contextmanager
def tensor_overrides(entries: tuple[str, ...]) -> Iterator[None]:
    """While a ``Llama`` is built inside this block, its model parameters carry these overrides. ``Llama`` makes
    its parameters from ``llama_model_default_params`` itself, so the overrides are put into the defaults for the
    duration of one load (the model thread is the only one that loads). The array is kept alive until the
    model has been read, which is all llama.cpp needs."""
    if not entries:
        yield
        return
    wanted = parse_overrides(entries)
    known = buffer_types()
    missing = [b for _, b in wanted if b not in known]
    if missing:
        raise EngineError("input.invalid", f"unknown buffer type {missing[0]!r} (known: {', '.join(sorted(known))})",
                          what=f"tensor_overrides={','.join(entries)}")
    array = (_Override * (len(wanted) + 1))()
    patterns = [p.encode() for p, _ in wanted]  # referenced by the array until the load ends
    for i, (pattern, (_, buft)) in enumerate(zip(patterns, wanted, strict=True)):
        array[i].pattern = pattern
        array[i].buft = known[buft]
    original = llama_lowlevel.llama_model_default_params

    def defaults_with_overrides():
        params = original()
        params.tensor_buft_overrides = ctypes.cast(array, ctypes.c_void_p)
        return params

    llama_lowlevel.llama_model_default_params = defaults_with_overrides
    try:
        yield
    finally:
        llama_lowlevel.llama_model_default_params = original
        del patterns
