"""Which DeepSeek model and quantisation suit this computer, and when to take the remote route instead.

Every catalogue download is estimated (``fit``) at the chosen context and given a speed level
(``speed``: fast, usable, slow, does not fit, by the catalogue's "advice" block). The recommendation
takes the largest model that fits and is at least usable; on the CPU it takes that model's preferred
quantisation (Q4_K_M: a faster answer matters more there than the last per cent of quality), on a GPU
the best quality that is still usable. If nothing is usable, the fastest download that fits. Size is
the parameter count (for a MoE model the geometric mean of total and active parameters, a common rule
of thumb). The 671B models rarely fit: for them the recommendation names the remote route (a cluster
or DeepSeek's API) instead of a download that fails.

The best pick may be a long download (10 GB for DeepSeek-V2-Lite on a 16 GB laptop): beside it the
recommendation names a quick first try, the smallest model that is still usable here (at the preferred
quantisation), when it is at most half the best pick's download.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core.vocabulary import Engine, FitVerdict, ModelFormat, SpeedLevel
from ..fit import FitResult, ModelShape, assess_fit, estimate_memory
from ..hardware import HardwareInfo
from .catalogue import Advice, Catalogue, CatalogueModel, GgufQuant, MlxRepo
from .speed import Speed, assess_speed

if TYPE_CHECKING:
    from ...core.settings.store import SettingsStore

# Relative answer quality per quantisation (perplexity studies put Q4_K_M within a few per cent of
# 16-bit; Q2_K loses clearly). Used only to rank.
QUANT_QUALITY = {"UD-IQ1_S": 0.55, "Q2_K": 0.75, "Q3_K_M": 0.88, "Q4_K_M": 0.95, "Q5_K_M": 0.97,
                 "Q6_K": 0.99, "Q8_0": 1.0, "mlx-4bit": 0.95, "mlx-8bit": 1.0}
MIN_QUALITY = 0.85  # below that only for the 671B models, where the 1.6-2 bit quants are the way in
QUICK_MAX_SHARE = 0.5  # a quick first try is at most this share of the best pick's download
HUGE_PARAMS = 200_000_000_000
DEFAULT_CTX = 8192


@dataclass(frozen=True)
class FitOptions:
    """The settings a fit estimate depends on; a change of any of them means estimating again. The
    window and the CLI both take them from the settings, so both judge a download the same way."""

    n_ctx: int
    cache_type: str
    flash_attn: bool
    device: str = "auto"  # the device setting: which of the engine's devices the fit counts

    @classmethod
    def from_settings(cls, settings: SettingsStore) -> FitOptions:
        return cls(int(settings.get("generation.context_length")), str(settings.get("llamacpp.kv_cache_type")),
                   bool(settings.get("llamacpp.flash_attention")), str(settings.get("llamacpp.device")))


@dataclass(frozen=True)
class Candidate:
    model: CatalogueModel
    download: GgufQuant | MlxRepo
    fit: FitResult
    speed: Speed
    score: float

    @property
    def quant(self) -> str:
        """"Q4_K_M", or "mlx-4bit"."""
        return self.download.label

    @property
    def format(self) -> ModelFormat:
        return self.download.model_format

    @property
    def size_bytes(self) -> int:
        return self.download.size

    @property
    def spec(self) -> str:
        return self.model.spec(self.download).format()

    @property
    def tokens_per_s(self) -> float:
        """Rough, from memory bandwidth (``speed.tokens_per_s``)."""
        return self.speed.tokens_per_s

    @property
    def level(self) -> SpeedLevel:
        return self.speed.level

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "model": self.model.id, "name": self.model.name, "quant": self.quant,
                "format": self.format, "size": self.size_bytes, "purpose": self.model.purpose,
                "tokens_per_s_rough": round(self.tokens_per_s, 1), "score": round(self.score, 2),
                "speed": self.speed.to_dict(), "fit": self.fit.to_dict()}


@dataclass(frozen=True)
class RemoteRoute:
    model: CatalogueModel
    smallest_need_bytes: int  # memory its smallest download needs
    api_model: str
    base_url: str

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model.id, "name": self.model.name, "smallest_need": self.smallest_need_bytes,
                "api_model": self.api_model, "base_url": self.base_url}


@dataclass(frozen=True)
class Recommendation:
    best: Candidate | None
    per_purpose: dict[str, Candidate]
    remote: tuple[RemoteRoute, ...]
    n_ctx: int
    advice: Advice = field(default_factory=Advice)
    quick: Candidate | None = None  # a much smaller download that is still usable, to try first

    def to_dict(self) -> dict[str, Any]:
        return {"n_ctx": self.n_ctx, "advice": self.advice.to_dict(),
                "best": self.best.to_dict() if self.best else None,
                "quick": self.quick.to_dict() if self.quick else None,
                "per_purpose": {k: v.to_dict() for k, v in self.per_purpose.items()},
                "remote": [r.to_dict() for r in self.remote]}


def fit_catalogue_model(model: CatalogueModel, download: GgufQuant | MlxRepo, hw: HardwareInfo,
                      n_ctx: int = DEFAULT_CTX, *, cache_type: str = "f16", flash_attn: bool = False) -> FitResult:
    engine = Engine.MLX if isinstance(download, MlxRepo) else Engine.LLAMACPP
    estimate = estimate_memory(ModelShape.from_arch(model.arch), download.size, min(n_ctx, model.context_length),
                               cache_type=cache_type, flash_attn=flash_attn, engine=engine)
    return assess_fit(estimate, hw)


def candidates(catalogue: Catalogue, hw: HardwareInfo, n_ctx: int = DEFAULT_CTX, *, cache_type: str = "f16",
               flash_attn: bool = False) -> list[Candidate]:
    """Every catalogue download with its fit; MLX ones only on Apple Silicon."""
    out = []
    for model in catalogue.models:
        downloads: list[GgufQuant | MlxRepo] = [model.gguf[q] for q in model.quants()]
        if hw.apple_silicon:
            downloads += model.mlx
        for dl in downloads:
            fit = fit_catalogue_model(model, dl, hw, n_ctx, cache_type=cache_type, flash_attn=flash_attn)
            speed = assess_speed(model, dl.size, fit, hw, catalogue.advice)
            out.append(Candidate(model, dl, fit, speed, _capability(model, dl.label)))
    return out


def recommend(catalogue: Catalogue, hw: HardwareInfo, n_ctx: int = DEFAULT_CTX, *, cache_type: str = "f16",
              flash_attn: bool = False) -> Recommendation:
    every = candidates(catalogue, hw, n_ctx, cache_type=cache_type, flash_attn=flash_attn)
    runnable = [c for c in every if c.fit.runs and quality_ok(c)]
    per_purpose = {}
    for purpose in ("reasoning", "chat", "code"):
        pick = pick_candidate([c for c in runnable if c.model.purpose == purpose], catalogue.advice)
        if pick is not None:
            per_purpose[purpose] = pick
    best = pick_candidate([c for c in runnable if c.model.purpose != "code"], catalogue.advice)
    quick = quick_first_try(runnable, best, catalogue.advice)
    remote = []
    for model in catalogue.models:
        if model.params_total < HUGE_PARAMS or not model.api_model:
            continue
        mine = [c for c in every if c.model is model]
        if mine and not any(c.fit.runs for c in mine):
            need = min(c.fit.estimate.total_bytes for c in mine)
            remote.append(RemoteRoute(model, need, model.api_model, catalogue.api_base_url))
    return Recommendation(best, per_purpose, tuple(remote), n_ctx, catalogue.advice, quick)


def quick_first_try(runnable: Sequence[Candidate], best: Candidate | None, advice: Advice) -> Candidate | None:
    """The smallest model (not a code model) that is usable here, at the download the recommendation would
    take of it, when that is at most ``QUICK_MAX_SHARE`` of the best pick's download; else None."""
    if best is None or not best.level.usable:
        return None
    small = [c for c in runnable if c.model.purpose != "code" and c.level.usable
             and c.size_bytes <= best.size_bytes * QUICK_MAX_SHARE]
    if not small:
        return None
    smallest = min(_size(c.model) for c in small)
    return pick_candidate([c for c in small if _size(c.model) == smallest], advice)


def default_download(model: CatalogueModel, every: Sequence[Candidate] = (), advice: Advice | None = None
                     ) -> GgufQuant | MlxRepo:
    """The download of ``model`` taken when none is named (``models download ID``, the window's
    download of a bare id): the one the recommendation would pick among this model's downloads that
    run here (if none is usable, the preferred CPU quantisation when it runs); if none runs, the
    advice's CPU quantisation (Q4_K_M), else the first GGUF, else the first MLX repository."""
    advice = advice or Advice()
    mine = [c for c in every if c.model.id == model.id and c.fit.runs and quality_ok(c)]
    if not any(c.level.usable for c in mine):  # slow whatever the download: the usual quantisation
        mine = [c for c in mine if c.quant == advice.cpu_quant] or mine
    pick = pick_candidate(mine, advice)
    if pick is not None:  # the same download of ``model`` (its sizes may be newer than the candidate's)
        dl = pick.download
        return model.mlx_repo(dl.bits) if isinstance(dl, MlxRepo) else model.gguf[dl.quant]
    quants = model.quants()
    if not quants:
        return model.mlx[0]
    return model.gguf[advice.cpu_quant if advice.cpu_quant in quants else quants[0]]


def resolve_download(catalogue: Catalogue, spec: str, every: Sequence[Candidate] = ()
                     ) -> tuple[CatalogueModel, GgufQuant | MlxRepo]:
    """``"model-id:Q4_K_M"``, ``"model-id:mlx-4bit"`` or a bare ``"model-id"`` (see ``default_download``)."""
    model, download = catalogue.resolve(spec)
    return model, download if download is not None else default_download(model, every, catalogue.advice)


def _size(model: CatalogueModel) -> float:
    """Billions of parameters; a MoE model counts as the geometric mean of its total and active ones."""
    params = math.sqrt(model.params_total * model.params_active) if model.moe else model.params_total
    return params / 1e9


def _capability(model: CatalogueModel, quant: str) -> float:
    return _size(model) * QUANT_QUALITY.get(quant, 0.9)


def quality_ok(c: Candidate) -> bool:
    return QUANT_QUALITY.get(c.quant, 0.9) >= MIN_QUALITY or c.model.params_total >= HUGE_PARAMS


def pick_candidate(cands: list[Candidate], advice: Advice) -> Candidate | None:
    """The largest model that is at least usable (on the CPU its preferred quantisation, on a GPU its best
    quality); if none is usable, the fastest one that runs."""
    if not cands:
        return None
    usable = [c for c in cands if c.level.usable]
    if not usable:
        return max(cands, key=lambda c: (c.tokens_per_s, c.score))
    preferred = QUANT_QUALITY.get(advice.cpu_quant, 0.9)

    def usefulness(c: Candidate) -> tuple:
        on_cpu = c.fit.verdict is not FitVerdict.GPU
        # A model usable on the CPU only below the preferred quantisation (a 6.7B squeezed to Q3_K_M) comes
        # after the models usable at it: the lost quality is worth more than the extra parameters.
        squeezed = on_cpu and QUANT_QUALITY.get(c.quant, 0.9) < preferred and c.model.params_total < HUGE_PARAMS
        return (not squeezed, round(_size(c.model), 3), on_cpu and c.quant == advice.cpu_quant, c.score,
                -c.fit.verdict.rank, c.format is ModelFormat.MLX, c.tokens_per_s)

    return max(usable, key=usefulness)
