"""The domain's words, each a type written once: the engines, the formats of a model on disk, the launch
planner's engines, where a model fits, how fast it answers, and which catalogue download a spec names.

Each is a ``str`` underneath, so a value read from a file, the engine host's pipe or a request compares
equal to its member, and JSON and SQLite store it as the plain word. The texts beside each word are the
English source: the CLI prints them as they are, the window translates the ``label`` through
``QCoreApplication.translate("FitBadge", label)`` (they are marked for lupdate here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .i18n_marks import QT_TRANSLATE_NOOP


class Word(str, Enum):
    """A word of the domain: compares, hashes, formats and serialises as its value."""

    def __str__(self) -> str:
        return self.value


class ModelFormat(Word):
    """How a model lies on disk: one GGUF file (or its split parts), or an MLX folder."""

    GGUF = "gguf"
    MLX = "mlx"


class Engine(Word):
    """What answers: llama.cpp (a GGUF file), MLX (a model folder), a remote server, or the simulator."""

    LLAMACPP = "llamacpp"
    MLX = "mlx"
    REMOTE = "remote"
    SIMULATOR = "simulator"

    @property
    def model_format(self) -> ModelFormat | None:
        """The format of the model it loads from disk; None for the remote server and the simulator."""
        return _FORMATS.get(self)

    @property
    def runs_files(self) -> bool:
        """It loads a model from this computer's disk (so a RAM disk or a fit estimate applies)."""
        return self in _FORMATS

    @property
    def shown_name(self) -> str:
        """The name a person knows it by (the window translates its own for the remote and the simulator)."""
        return _SHOWN.get(self, self.value)

    @classmethod
    def for_format(cls, model_format: str) -> Engine | None:
        """The engine that runs a model of this format ("gguf" -> llama.cpp), or None."""
        return next((e for e, f in _FORMATS.items() if f == model_format), None)

    @classmethod
    def for_path(cls, path: Path) -> Engine:
        """The engine for a model on disk: MLX for a folder, llama.cpp for a file."""
        return cls.MLX if path.is_dir() else cls.LLAMACPP


_FORMATS = {Engine.LLAMACPP: ModelFormat.GGUF, Engine.MLX: ModelFormat.MLX}
_SHOWN = {Engine.LLAMACPP: "llama.cpp", Engine.MLX: "MLX"}


class LaunchEngine(Word):
    """A server that runs a model too big for one computer on the user's GPUs or cluster (the launch planner's
    engines, in its order; their rules are data: ``models/launch/engines.json``)."""

    SGLANG = "sglang"
    VLLM = "vllm"
    LLAMACPP = "llamacpp"  # llama.cpp's server with RPC workers
    LLAMACPP_EXPERTS = "llamacpp_experts"  # llama.cpp on one machine, the routed experts in system RAM
    MLX = "mlx"  # mlx_lm.server on one Mac, or several Macs with mlx.launch


@dataclass(frozen=True)
class Face:
    """How a verdict or a level is shown: the CLI's words, the window's label, the badge's colour."""

    words: str
    label: str
    colour: str


NEUTRAL_COLOUR = "#546e7a"  # a badge without a verdict: the simulator, an unknown fit


class FitVerdict(Word):
    """Where a model runs on this computer, best first."""

    GPU = "gpu"  # everything on the GPU
    PARTIAL = "partial"  # some layers on the GPU, the rest on the CPU
    CPU = "cpu"  # no usable GPU memory
    NO_FIT = "no_fit"  # not in this computer's memory

    @property
    def runs(self) -> bool:
        return self is not FitVerdict.NO_FIT

    @property
    def rank(self) -> int:
        """0 for the GPU ... 3 for does not fit: to sort by."""
        return list(FitVerdict).index(self)

    @property
    def face(self) -> Face:
        return _VERDICT_FACES[self]


_VERDICT_FACES = {
    FitVerdict.GPU: Face("runs fully on the GPU", QT_TRANSLATE_NOOP("FitBadge", "Runs on the GPU"), "#2e7d32"),
    FitVerdict.PARTIAL: Face("partial GPU offload", QT_TRANSLATE_NOOP("FitBadge", "Partly on the GPU"), "#ef8f00"),
    FitVerdict.CPU: Face("CPU only", QT_TRANSLATE_NOOP("FitBadge", "Runs on the CPU"), "#1565c0"),
    FitVerdict.NO_FIT: Face("does not fit", QT_TRANSLATE_NOOP("FitBadge", "Too big for this computer"), "#c62828"),
}


class SpeedLevel(Word):
    """How fast a download answers here, judged by the catalogue's advice."""

    FAST = "fast"
    USABLE = "usable"
    SLOW = "slow"
    DOES_NOT_FIT = "does_not_fit"

    @property
    def usable(self) -> bool:
        return self in (SpeedLevel.FAST, SpeedLevel.USABLE)

    @property
    def face(self) -> Face:
        return _LEVEL_FACES[self]


_LEVEL_FACES = {
    SpeedLevel.FAST: Face("fast", QT_TRANSLATE_NOOP("FitBadge", "Fast"), "#2e7d32"),
    SpeedLevel.USABLE: Face("usable", QT_TRANSLATE_NOOP("FitBadge", "Usable"), "#1565c0"),
    SpeedLevel.SLOW: Face("slow", QT_TRANSLATE_NOOP("FitBadge", "Slow"), "#ef8f00"),
    SpeedLevel.DOES_NOT_FIT: Face("does not fit", QT_TRANSLATE_NOOP("FitBadge", "Does not fit"), "#c62828"),
}

_MLX = re.compile(r"mlx[-_]?(\d+)[-_]?bit")


@dataclass(frozen=True)
class DownloadSpec:
    """One catalogue download named in text: ``model-id:Q4_K_M`` (a GGUF quantisation), ``model-id:mlx-4bit``
    (an MLX repository), or a bare ``model-id`` (the download is chosen later). ``download`` is the part
    after the colon as written for a GGUF quantisation, and ``mlx-<bits>bit`` for MLX."""

    model: str
    download: str = ""

    @classmethod
    def parse(cls, text: str) -> DownloadSpec:
        """``"deepseek-r1-distill-qwen-7b:Q4_K_M"``; MLX also as ``mlx4bit``, ``mlx_4_bit`` or ``MLX-4bit``."""
        model, _, download = text.partition(":")
        bits = _mlx_bits(download)
        return cls(model, mlx_download(bits) if bits is not None else download)

    @property
    def mlx_bits(self) -> int | None:
        """The bits of an MLX download, None for a GGUF quantisation or none."""
        return _mlx_bits(self.download)

    def format(self) -> str:
        return f"{self.model}:{self.download}" if self.download else self.model

    def __str__(self) -> str:
        return self.format()


def mlx_download(bits: int) -> str:
    """How a spec names an MLX download: ``mlx-4bit``."""
    return f"mlx-{bits}bit"


def _mlx_bits(download: str) -> int | None:
    m = _MLX.fullmatch(download.strip().lower())
    return int(m.group(1)) if m else None
