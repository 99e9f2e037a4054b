"""Which DeepSeek model and quantisation suit this computer, and when to take the remote route instead.

Every catalogue download is estimated (``fit``) at the chosen context. Among those that run, the
recommendation prefers the most capable one that still answers at a usable pace. Capability is the
parameter count (for a MoE model the geometric mean of total and active parameters, a common rule
of thumb) times a quality factor of the quantisation; the pace is a rough tokens/s from memory
bandwidth (a token reads the active weights once). The 671B models rarely fit: for them the
recommendation names the remote route (a cluster or DeepSeek's API) instead of a download that fails.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .catalog import Catalog, CatalogModel, GgufQuant, MlxRepo
from .fit import FitResult, ModelShape, assess_fit, estimate_memory
from .hardware import HardwareInfo

if TYPE_CHECKING:
    from ..core.settings_store import SettingsStore

# Relative answer quality per quantisation (perplexity studies put Q4_K_M within a few per cent of
# 16-bit; Q2_K loses clearly). Used only to rank.
QUANT_QUALITY = {"UD-IQ1_S": 0.55, "Q2_K": 0.75, "Q3_K_M": 0.88, "Q4_K_M": 0.95, "Q5_K_M": 0.97,
                 "Q6_K": 0.99, "Q8_0": 1.0, "mlx-4bit": 0.95, "mlx-8bit": 1.0}
MIN_QUALITY = 0.85  # below that only for the 671B models, where the 1.6-2 bit quants are the way in
HUGE_PARAMS = 200_000_000_000
MIN_TOKENS_PER_S = 3.0  # slower than this, a reasoning model's long answers take minutes
# Rough memory bandwidths in bytes/s. Per CPU core, because a few cores cannot saturate the bus.
CPU_BW_PER_CORE, CPU_BW_MAX = 9e9, 60e9
GPU_BW = 400e9
APPLE_BW = {"Ultra": 800e9, "Max": 400e9, "Pro": 200e9}  # by chip tier; a base M chip has ~100 GB/s
DEFAULT_CTX = 8192


@dataclass(frozen=True)
class FitOptions:
    """The settings a fit estimate depends on; a change of any of them means estimating again. The
    window and the CLI both take them from the settings, so both judge a download the same way."""

    n_ctx: int
    cache_type: str
    flash_attn: bool

    @classmethod
    def from_settings(cls, settings: SettingsStore) -> FitOptions:
        return cls(int(settings.get("generation.context_length")), str(settings.get("llamacpp.kv_cache_type")),
                   bool(settings.get("llamacpp.flash_attention")))


@dataclass(frozen=True)
class Candidate:
    model: CatalogModel
    quant: str  # "Q4_K_M", or "mlx-4bit"
    format: str  # "gguf" | "mlx"
    size_bytes: int
    fit: FitResult
    tokens_per_s: float  # rough, from memory bandwidth
    score: float

    @property
    def spec(self) -> str:
        return f"{self.model.id}:{self.quant}"

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "model": self.model.id, "name": self.model.name, "quant": self.quant,
                "format": self.format, "size": self.size_bytes, "purpose": self.model.purpose,
                "tokens_per_s_rough": round(self.tokens_per_s, 1), "score": round(self.score, 2),
                "fit": self.fit.to_dict()}


@dataclass(frozen=True)
class RemoteRoute:
    model: CatalogModel
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

    def to_dict(self) -> dict[str, Any]:
        return {"n_ctx": self.n_ctx, "best": self.best.to_dict() if self.best else None,
                "per_purpose": {k: v.to_dict() for k, v in self.per_purpose.items()},
                "remote": [r.to_dict() for r in self.remote]}


def fit_catalog_model(model: CatalogModel, download: GgufQuant | MlxRepo, hw: HardwareInfo,
                      n_ctx: int = DEFAULT_CTX, *, cache_type: str = "f16", flash_attn: bool = False) -> FitResult:
    engine = "mlx" if isinstance(download, MlxRepo) else "llamacpp"
    estimate = estimate_memory(ModelShape.from_arch(model.arch), download.size, min(n_ctx, model.context_length),
                               cache_type=cache_type, flash_attn=flash_attn, engine=engine)
    return assess_fit(estimate, hw)


def candidates(catalog: Catalog, hw: HardwareInfo, n_ctx: int = DEFAULT_CTX, *, cache_type: str = "f16",
               flash_attn: bool = False) -> list[Candidate]:
    """Every catalogue download with its fit; MLX ones only on Apple Silicon."""
    out = []
    for model in catalog.models:
        downloads: list[tuple[str, str, GgufQuant | MlxRepo]] = [(q, "gguf", model.gguf[q]) for q in model.quants()]
        if hw.apple_silicon:
            downloads += [(f"mlx-{m.bits}bit", "mlx", m) for m in model.mlx]
        for label, fmt, dl in downloads:
            fit = fit_catalog_model(model, dl, hw, n_ctx, cache_type=cache_type, flash_attn=flash_attn)
            speed = rough_tokens_per_s(model, dl.size, fit, hw)
            out.append(Candidate(model, label, fmt, dl.size, fit, speed, _capability(model, label)))
    return out


def recommend(catalog: Catalog, hw: HardwareInfo, n_ctx: int = DEFAULT_CTX, *, cache_type: str = "f16",
              flash_attn: bool = False) -> Recommendation:
    every = candidates(catalog, hw, n_ctx, cache_type=cache_type, flash_attn=flash_attn)
    runnable = [c for c in every if c.fit.runs and _quality_ok(c)]
    per_purpose = {}
    for purpose in ("reasoning", "chat", "code"):
        pick = _pick([c for c in runnable if c.model.purpose == purpose])
        if pick is not None:
            per_purpose[purpose] = pick
    best = _pick([c for c in runnable if c.model.purpose != "code"])
    remote = []
    for model in catalog.models:
        if model.params_total < HUGE_PARAMS or not model.api_model:
            continue
        mine = [c for c in every if c.model is model]
        if mine and not any(c.fit.runs for c in mine):
            need = min(c.fit.estimate.total_bytes for c in mine)
            remote.append(RemoteRoute(model, need, model.api_model, catalog.api_base_url))
    return Recommendation(best, per_purpose, tuple(remote), n_ctx)


def default_download(model: CatalogModel, every: Sequence[Candidate] = ()) -> GgufQuant | MlxRepo:
    """The download of ``model`` taken when none is named (``models download ID``, the window's
    download of a bare id): the one the recommendation would pick among this model's downloads that
    run here, else Q4_K_M, else the first GGUF, else the first MLX repository."""
    mine = [c for c in every if c.model.id == model.id and c.fit.runs and _quality_ok(c)]
    pick = _pick(mine)
    if pick is not None:
        return model.mlx_repo(int(pick.quant[4:-3])) if pick.format == "mlx" else model.gguf[pick.quant]
    quants = model.quants()
    if not quants:
        return model.mlx[0]
    return model.gguf["Q4_K_M" if "Q4_K_M" in quants else quants[0]]


def resolve_download(catalog: Catalog, spec: str, every: Sequence[Candidate] = ()
                     ) -> tuple[CatalogModel, GgufQuant | MlxRepo]:
    """``"model-id:Q4_K_M"``, ``"model-id:mlx-4bit"`` or a bare ``"model-id"`` (see ``default_download``)."""
    model, download = catalog.resolve(spec)
    return model, download if download is not None else default_download(model, every)


def rough_tokens_per_s(model: CatalogModel, size_bytes: int, fit: FitResult, hw: HardwareInfo) -> float:
    """Generation speed if memory bandwidth is the limit: each token reads the active weights once."""
    if not fit.runs:
        return 0.0
    active = size_bytes * model.params_active / model.params_total
    cpu_bw = min(CPU_BW_MAX, CPU_BW_PER_CORE * max(1, hw.cpu_physical_cores))
    gpu_bw = GPU_BW
    if hw.unified_memory:
        chip = " ".join(g.name for g in hw.gpus)
        gpu_bw = next((bw for tier, bw in APPLE_BW.items() if tier in chip), 100e9)
    if fit.verdict == "gpu":
        return gpu_bw / active
    if fit.verdict == "partial":
        share = min(1.0, fit.gpu_layers / max(1, fit.estimate.layers))
        return 1.0 / (active * share / gpu_bw + active * (1 - share) / cpu_bw)
    return cpu_bw / active


def _capability(model: CatalogModel, quant: str) -> float:
    params = math.sqrt(model.params_total * model.params_active) if model.moe else model.params_total
    return params / 1e9 * QUANT_QUALITY.get(quant, 0.9)


def _quality_ok(c: Candidate) -> bool:
    return QUANT_QUALITY.get(c.quant, 0.9) >= MIN_QUALITY or c.model.params_total >= HUGE_PARAMS


def _pick(cands: list[Candidate]) -> Candidate | None:
    if not cands:
        return None
    quick = [c for c in cands if c.tokens_per_s >= MIN_TOKENS_PER_S]
    if not quick:  # nothing is quick here: the fastest that runs
        return max(cands, key=lambda c: (c.tokens_per_s, c.score))
    tier = {"gpu": 3, "partial": 2, "cpu": 1}
    return max(quick, key=lambda c: (c.score, tier.get(c.fit.verdict, 0), c.format == "mlx", c.tokens_per_s))
