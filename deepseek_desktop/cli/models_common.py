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
    from ..core.settings.store import models_dir

    return models_dir(open_settings(paths), paths).absolute()


def registry_of(args: argparse.Namespace, paths: AppPaths):
    from ..models.local.registry import ModelRegistry

    return ModelRegistry(paths.registry_file, models_dir_of(args, paths))


def catalogue_of(paths: AppPaths):
    from ..models.catalogue.state import open_catalogue

    return open_catalogue(paths)


def fit_options(args: argparse.Namespace, paths: AppPaths):
    """The settings' fit options, with the flags given on the command line instead."""
    from dataclasses import replace

    from ..models.catalogue.recommend import FitOptions

    options = FitOptions.from_settings(open_settings(paths))
    given = {"n_ctx": getattr(args, "ctx", None), "cache_type": getattr(args, "cache_type", None),
             "flash_attn": getattr(args, "flash_attn", None)}
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
    from ..models.gguf.header import format_param_count

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
    """"usable: about 9.5 tokens/s, about 2 min for 1,000 tokens" (a ``models.catalogue.speed.Speed``)."""
    from ..models.catalogue.speed import duration_words

    level = LEVELS[speed.level.value]
    if speed.tokens_per_s <= 0:
        return level
    return (f"{level}: about {speed.tokens_per_s:.1f} tokens/s, about {duration_words(speed.wait_s)} for "
            f"{speed.answer_tokens:,} tokens")


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
