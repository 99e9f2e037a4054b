"""What the ``models`` and ``doctor`` commands share: the services built per command from the paths (no
globals), the guard that turns an error into one line on stderr, and the texts for sizes and fits."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.errors import DeepSeekError
from ..core.paths import AppPaths
from .common import fail, open_settings, report

VERDICTS = {"gpu": "runs fully on the GPU", "partial": "partial GPU offload", "cpu": "CPU only",
           "no_fit": "does not fit"}
LEVELS = {"fast": "fast", "usable": "usable", "slow": "slow", "does_not_fit": "does not fit"}


def models_dir_of(args: argparse.Namespace, paths: AppPaths) -> Path:
    if args.dir:
        return Path(args.dir).expanduser().absolute()
    from ..core.settings_store import models_dir

    return models_dir(open_settings(paths), paths).absolute()


def registry_of(args: argparse.Namespace, paths: AppPaths):
    from ..models.installed import ModelRegistry

    return ModelRegistry(paths.registry_file, models_dir_of(args, paths))


def catalog_of(paths: AppPaths):
    from ..models.catalog import hub_cache_file, load_catalog

    return load_catalog(hub_cache=hub_cache_file(paths))


def fit_options(args: argparse.Namespace, paths: AppPaths):
    """The settings' fit options, with the flags given on the command line instead."""
    from dataclasses import replace

    from ..models.recommend import FitOptions

    options = FitOptions.from_settings(open_settings(paths))
    given = {"n_ctx": getattr(args, "ctx", None), "cache_type": getattr(args, "cache_type", None),
             "flash_attn": getattr(args, "flash_attn", None), "device": getattr(args, "device", None)}
    return replace(options, **{k: v for k, v in given.items() if v is not None})


def guard(fn):
    def wrapper(args: argparse.Namespace, paths: AppPaths) -> int:
        try:
            return fn(args, paths)
        except DeepSeekError as exc:
            return report(exc)
        except OSError as exc:
            return fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    return wrapper


def size_text(n: int) -> str:
    from ..models.storage import format_bytes

    return format_bytes(n)


def params_text(n: int) -> str:
    from ..models.gguf_header import format_param_count

    return format_param_count(n)


def is_installed(name: str, args: argparse.Namespace, paths: AppPaths) -> bool:
    return any(m.name == name for m in registry_of(args, paths).list())


def installed_path(name_or_path: str, args: argparse.Namespace, paths: AppPaths) -> Path:
    p = Path(name_or_path).expanduser()
    if p.exists():
        return p
    from ..models.errors import ModelManagerError

    try:
        return Path(registry_of(args, paths).find(name_or_path).path)
    except ModelManagerError:
        from ..core.errors import ModelFileError

        raise ModelFileError("model.not_found", f"{p} does not exist and is no installed model", path=p) from None


def speed_words(speed: Any) -> str:
    """"usable: about 9.5 tokens/s, about 2 min for 1,000 tokens" (a ``models.speed.Speed``)."""
    from ..models.speed import duration_words

    level = LEVELS[speed.level.value]
    if speed.tokens_per_s <= 0:
        return level
    return (f"{level}: about {speed.tokens_per_s:.1f} tokens/s, about {duration_words(speed.wait_s)} for "
            f"{speed.answer_tokens:,} tokens")


def hardware_of(device: str, paths: AppPaths):
    """This computer as the engine sees it under the device setting, with the GPU pack's size for a hint."""
    from ..models.hardware import probe_hardware

    return probe_hardware(device=device, pack_bytes=pack_size(paths))


def pack_size(paths: AppPaths) -> int:
    from ..models.gpu_packs import known_pack_size

    return known_pack_size(paths.cache_dir)


def gpu_words(hw: Any) -> str:
    """", GPU llvmpipe (Vulkan, emulated on the CPU) 23.0 GB free" for the GPUs the fit counts, else ""."""
    parts = []
    for g in hw.gpus:
        kind = ", emulated on the CPU" if g.software else ""
        parts.append(f"GPU {g.name} ({g.backend or g.vendor}{kind}) {size_text(g.free_bytes)} free")
    return "".join(f", {p}" for p in parts)


def print_device_notes(hw: Any, indent: str = "") -> None:
    """The hints (a GPU no engine can use) and a missing chosen device, one line each."""
    from ..core.errors import error_text

    if hw.missing_device:
        print(f"{indent}{error_text('gpu.device_missing', {'device': hw.missing_device})}")
    for hint in hw.hints:
        message_id, params = hint.message()
        if "size" in params:
            params["size"] = size_text(params["size"])
        print(f"{indent}{error_text(message_id, params)}")
        if hint.remedy == "pack":
            print(f"{indent}  deepseek-desktop gpu-pack install")
    if hw.engine is not None and hw.engine.error:
        print(f"{indent}The engine could not be asked which devices it can use ({hw.engine.error}); "
              "the advice counts the CPU only.")


def print_fit(fit: Any, indent: str = "", label: str = "", speed: Any = None) -> None:
    e = fit.estimate
    verdict = VERDICTS[fit.verdict]
    if fit.verdict == "partial":
        verdict += f" ({fit.gpu_layers} of {e.layers} layers on the GPU)"
    print(f"{indent}{label}{verdict}: needs {size_text(e.total_bytes)} (weights {size_text(e.weights_bytes)}, "
          f"KV cache {size_text(e.kv_cache_bytes)}, buffers {size_text(e.compute_bytes + e.output_bytes)})"
          + ("; would fit if other programs freed memory" if fit.fits_if_freed else ""))
    if speed is not None and fit.runs:
        print(f"{indent}{' ' * len(label)}{speed_words(speed)}")
