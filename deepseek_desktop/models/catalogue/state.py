"""The catalogue as the model manager shows it: every download judged on this computer with the user's
settings, the recommendation, and which download a bare model id means. Blocking (files, ``nvidia-smi``,
arithmetic): the window runs it on worker threads; the CLI and the first-run banner call the same
functions, so all three recommend the same model."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ...core.paths import AppPaths
from ...core.settings.store import SettingsStore
from ..hardware import HardwareInfo
from .catalogue import Catalogue, CatalogueModel, GgufQuant, MlxRepo
from .recommend import Candidate, FitOptions, Recommendation, RemoteRoute, pick_candidate, quality_ok


@dataclass(frozen=True)
class CatalogueState:
    """The catalogue with a fit verdict for every download on this computer, and the recommendation."""

    catalogue: Catalogue
    hw: HardwareInfo
    options: FitOptions
    candidates: tuple[Candidate, ...]
    recommendation: Recommendation
    hub_sizes: bool = False  # sizes confirmed by the Hub in this session

    def model(self, model_id: str) -> CatalogueModel:
        return self.catalogue.get(model_id)

    def for_model(self, model_id: str) -> list[Candidate]:
        return [c for c in self.candidates if c.model.id == model_id]

    def candidate(self, spec: str) -> Candidate | None:
        return next((c for c in self.candidates if c.spec == spec), None)

    def best_for(self, model_id: str) -> Candidate | None:
        """The download of this model the recommendation would take here (see ``recommend.pick_candidate``);
        if none runs, the one closest to running."""
        mine = self.for_model(model_id)
        if not mine:
            return None
        pick = pick_candidate([c for c in mine if c.fit.runs and quality_ok(c)], self.catalogue.advice)
        return pick or min(mine, key=lambda c: (c.fit.verdict.rank, -c.score))

    def runs(self, model_id: str) -> bool:
        return any(c.fit.runs for c in self.for_model(model_id))

    def remote_for(self, model_id: str) -> RemoteRoute | None:
        return next((r for r in self.recommendation.remote if r.model.id == model_id), None)


def open_catalogue(paths: AppPaths, catalogue_file: Path | None = None) -> Catalogue:
    """The catalogue (``catalogue_file``, else the app's own) with the Hub sizes an earlier refresh cached:
    how the window and the CLI both build it."""
    from .catalogue import hub_cache_file, load_catalogue

    return load_catalogue(catalogue_file, hub_cache=hub_cache_file(paths))


def assess(catalogue: Catalogue, hw: HardwareInfo, options: FitOptions, hub_sizes: bool = False) -> CatalogueState:
    from .recommend import candidates, recommend

    kwargs: dict[str, Any] = {"cache_type": options.cache_type, "flash_attn": options.flash_attn}
    every = candidates(catalogue, hw, options.n_ctx, **kwargs)
    rec = recommend(catalogue, hw, options.n_ctx, **kwargs)
    return CatalogueState(catalogue, hw, options, tuple(every), rec, hub_sizes)


def assess_with_settings(paths: AppPaths, settings: SettingsStore, hw: HardwareInfo,
                         catalogue_file: Path | None = None) -> CatalogueState:
    """The catalogue with the Hub sizes an earlier refresh cached, judged on ``hw`` (this computer as the engine
    sees it) with the settings' context, K/V cache and flash attention: what the model manager opens with."""
    return assess(open_catalogue(paths, catalogue_file), hw, FitOptions.from_settings(settings))


def resolve(state: CatalogueState, spec: str) -> tuple[CatalogueModel, GgufQuant | MlxRepo]:
    """``"model-id:Q4_K_M"`` or ``"model-id:mlx-4bit"``; a bare id takes the download ``models download``
    takes (the recommendation's pick among this model's downloads that run here)."""
    from .recommend import resolve_download

    return resolve_download(state.catalogue, spec, state.candidates)


class DownloadState(str, Enum):
    """How a catalogue download stands on this computer."""

    INSTALLED = "installed"
    ACTIVE = "active"  # downloading now
    PARTIAL = "partial"  # files kept from an interrupted or cancelled run
    ABSENT = ""  # nothing of it here yet


def download_state(spec: str, installed, active, partials) -> tuple[DownloadState, int]:
    """How a catalogue download stands, and the bytes already there (for ``PARTIAL``)."""
    if spec in installed:
        return DownloadState.INSTALLED, 0
    if spec in active:
        return DownloadState.ACTIVE, 0
    if partials.get(spec):
        return DownloadState.PARTIAL, partials[spec]
    return DownloadState.ABSENT, 0
