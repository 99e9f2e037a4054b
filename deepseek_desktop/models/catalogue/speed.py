"""How fast a download answers here, and whether that is fast enough to be worth using.

One estimate (``tokens_per_s``): generation is limited by memory bandwidth, since each token reads the
active weights once. The catalogue's "advice" block turns it into a level: a reasoning model that thinks
for a thousand tokens needs more speed than a chat model giving a short answer. ``bench/
bench_speed_estimate.py`` compares the estimate with tokens/s measured on a real GGUF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.vocabulary import FitVerdict, SpeedLevel
from ..fit import FitResult
from ..hardware import HardwareInfo
from .catalogue import Advice, CatalogueModel

# Rough memory bandwidths in bytes/s that generation reaches. Per CPU core, because a few cores cannot
# saturate the bus. Checked with bench/bench_speed_estimate.py on the project's 2-core, 24 GB test machine
# (Gemma 3 270M Q4_K_M, 247 MB of weights, 128 tokens, 2 threads): best measured 54.0 tokens/s against
# an estimate of 73.0, a ratio of 0.74, while other jobs already loaded the machine (load average 1.9;
# runs under heavier load fell far lower and say nothing about the estimate). Within the roughness the
# levels allow, and a 270M model with a 262,144-token vocabulary pays more per-token overhead besides
# the weights than the 1.5B-8B models the advice is about, so the constant stays at 9 GB/s per core. If
# measurements on larger models confirm ~0.75, 7e9 is the figure to use.
CPU_BW_PER_CORE, CPU_BW_MAX = 9e9, 60e9
GPU_BW = 400e9
# A GPU emulated on the CPU (Mesa's llvmpipe through Vulkan) is slower than the CPU backend on the same
# cores: bench/bench_backends.py measured Gemma 3 270M generating at about a sixteenth of the CPU's pace.
SOFTWARE_GPU_SHARE = 1 / 16
APPLE_BW = {"Ultra": 800e9, "Max": 400e9, "Pro": 200e9}  # by chip tier; a base M chip has ~100 GB/s
# What generation reaches of the bandwidth bound: the measurement above (54.0 of 73.0 tokens/s, 0.74). Applied to
# every estimate the app shows (the model manager, the first-run banner, the toolbar's badge, `models recommend`,
# the simulator's advice): "fast" said of a download that then runs at three quarters of that pace was not true.
# The bandwidths of GPUs and Apple chips are what their memory can move; llama.cpp's kernels do not move it all
# either, so the same share is taken there until a measurement says otherwise.
ACHIEVED_SHARE = 0.74


@dataclass(frozen=True)
class Speed:
    """A download's pace here: the level, the rough tokens/s, and the wait for a typical answer."""

    level: SpeedLevel
    tokens_per_s: float
    answer_tokens: int  # a typical answer of the model's purpose

    @property
    def wait_s(self) -> float:
        """Seconds for a typical answer; 0 when it does not run."""
        return self.answer_tokens / self.tokens_per_s if self.tokens_per_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level.value, "tokens_per_s": round(self.tokens_per_s, 1),
                "answer_tokens": self.answer_tokens, "wait_s": round(self.wait_s)}


def tokens_per_s(model: CatalogueModel, size_bytes: int, fit: FitResult, hw: HardwareInfo) -> float:
    """Generation speed if memory bandwidth is the limit: each token reads the active weights once."""
    return weights_tokens_per_s(size_bytes * model.params_active / model.params_total, fit, hw)


def weights_tokens_per_s(active_bytes: float, fit: FitResult, hw: HardwareInfo) -> float:
    """The same estimate from the bytes of weights each token reads (a GGUF on disk has no catalogue entry)."""
    if not fit.runs:
        return 0.0
    active = active_bytes
    cpu_bw = min(CPU_BW_MAX, CPU_BW_PER_CORE * max(1, hw.cpu_physical_cores))
    gpu_bw = GPU_BW
    if hw.unified_memory:
        chip = " ".join(g.name for g in hw.gpus)
        gpu_bw = next((bw for tier, bw in APPLE_BW.items() if tier in chip), 100e9)
    elif hw.on_software_device:
        gpu_bw = cpu_bw * SOFTWARE_GPU_SHARE
    if fit.verdict is FitVerdict.GPU:
        bound = gpu_bw / active
    elif fit.verdict is FitVerdict.PARTIAL:
        share = min(1.0, fit.gpu_layers / max(1, fit.estimate.layers))
        bound = 1.0 / (active * share / gpu_bw + active * (1 - share) / cpu_bw)
    else:
        bound = cpu_bw / active
    return bound * ACHIEVED_SHARE


def classify(rate: float, purpose: str, fit: FitResult, advice: Advice) -> SpeedLevel:
    if not fit.runs:
        return SpeedLevel.DOES_NOT_FIT
    minimum = advice.minimum(purpose)
    if rate >= minimum * advice.fast_factor:
        return SpeedLevel.FAST
    return SpeedLevel.USABLE if rate >= minimum else SpeedLevel.SLOW


def assess_speed(model: CatalogueModel, size_bytes: int, fit: FitResult, hw: HardwareInfo, advice: Advice) -> Speed:
    """The level of a (model, download, machine): the estimate judged by the catalogue's advice."""
    rate = tokens_per_s(model, size_bytes, fit, hw)
    return Speed(classify(rate, model.purpose, fit, advice), rate, advice.answer_length(model.purpose))


def duration_parts(seconds: float) -> tuple[int, int, int]:
    """(hours, minutes, seconds) as a wait or a download is shown: seconds under a minute, whole minutes
    (rounded) under an hour, then hours and minutes. The CLI, the simulator and the window word them."""
    s = max(0, round(seconds))
    if s < 60:
        return 0, 0, s
    if s < 3600:
        return 0, (s + 30) // 60, 0
    hours, minutes = divmod((s + 30) // 60, 60)
    return hours, minutes, 0


def duration_words(seconds: float) -> str:
    """"45 s", "12 min", "1 h 5 min" (the units read the same in English and German)."""
    hours, minutes, secs = duration_parts(seconds)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{secs} s"
