"""What the ``models`` and ``doctor`` commands share: the guard that turns an error into one line on stderr,
and the texts for sizes, speeds and fits (the words of the verdicts and levels are the vocabulary's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import DeepSeekError
from ..core.vocabulary import FitVerdict
from .common import fail, report
from .context import Command


def guard(fn):
    def wrapper(cmd: Command) -> int:
        try:
            return fn(cmd)
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


def is_installed(name: str, cmd: Command) -> bool:
    return any(m.name == name for m in cmd.registry.list())


def installed_path(name_or_path: str, cmd: Command) -> Path:
    p = Path(name_or_path).expanduser()
    if p.exists():
        return p
    from ..models.errors import ModelManagerError

    try:
        return Path(cmd.registry.find(name_or_path).path)
    except ModelManagerError:
        from ..core.errors import ModelFileError

        raise ModelFileError("model.not_found", f"{p} does not exist and is no installed model", path=p) from None


def speed_words(speed: Any) -> str:
    """"usable: about 9.5 tokens/s, about 2 min for 1,000 tokens" (a ``models.catalogue.speed.Speed``)."""
    from ..models.catalogue.speed import duration_words

    level = speed.level.face.words
    if speed.tokens_per_s <= 0:
        return level
    return (f"{level}: about {speed.tokens_per_s:.1f} tokens/s, about {duration_words(speed.wait_s)} for "
            f"{speed.answer_tokens:,} tokens")


def print_fit(fit: Any, indent: str = "", label: str = "", speed: Any = None) -> None:
    e = fit.estimate
    verdict = fit.verdict.face.words
    if fit.experts_in_ram:
        verdict += (f" (every layer on the GPU, the experts' {size_text(e.expert_bytes)} in RAM: "
                    "--experts-in-ram --gpu-layers -1)")
    elif fit.verdict is FitVerdict.PARTIAL:
        verdict += f" ({fit.gpu_layers} of {e.layers} layers on the GPU)"
    print(f"{indent}{label}{verdict}: needs {size_text(e.total_bytes)} (weights {size_text(e.weights_bytes)}, "
          f"KV cache {size_text(e.kv_cache_bytes)}, buffers {size_text(e.compute_bytes + e.output_bytes)})"
          + ("; would fit if other programs freed memory" if fit.fits_if_freed else ""))
    if speed is not None and fit.runs:
        print(f"{indent}{' ' * len(label)}{speed_words(speed)}")


def gpu_words(hw: Any) -> str:
    """", GPU llvmpipe (Vulkan, emulated on the CPU) 2.1 GB free" for the GPUs the fit counts, else ""."""
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
