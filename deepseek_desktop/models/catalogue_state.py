"""The catalogue as the model manager shows it: every download judged on this computer with the user's
settings, the recommendation, and which download a bare model id means. Blocking (files, ``nvidia-smi``,
arithmetic): the window runs it on worker threads; the CLI and the first-run banner call the same
functions, so all three recommend the same model."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..core.paths import AppPaths
from ..core.settings_store import SettingsStore
from .catalog import Catalog, CatalogModel, GgufQuant, MlxRepo
from .hardware import HardwareInfo
from .recommend import Candidate, FitOptions, Recommendation, RemoteRoute, pick_candidate, quality_ok

VERDICT_ORDER = {"gpu": 0, "partial": 1, "cpu": 2, "no_fit": 3}


@dataclass(frozen=True)
class CatalogueState:
    """The catalogue with a fit verdict for every download on this computer, and the recommendation."""

    catalog: Catalog
    hw: HardwareInfo
    options: FitOptions
    candidates: tuple[Candidate, ...]
    recommendation: Recommendation
    hub_sizes: bool = False  # sizes confirmed by the Hub in this session

    def model(self, model_id: str) -> CatalogModel:
        return self.catalog.get(model_id)

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
        pick = pick_candidate([c for c in mine if c.fit.runs and quality_ok(c)], self.catalog.advice)
        return pick or min(mine, key=lambda c: (VERDICT_ORDER.get(c.fit.verdict, 9), -c.score))

    def runs(self, model_id: str) -> bool:
        return any(c.fit.runs for c in self.for_model(model_id))

    def remote_for(self, model_id: str) -> RemoteRoute | None:
        return next((r for r in self.recommendation.remote if r.model.id == model_id), None)


def load_catalogue(catalog_file: Path | None, hub_cache: Path) -> Catalog:
    from .catalog import load_catalog

    return load_catalog(catalog_file, hub_cache=hub_cache)


def probe(device: str = "auto", cache_dir: Path | None = None) -> HardwareInfo:
    """This computer as the engine sees it under the device setting (the GPU pack's size for a hint comes
    from the manifest cached in ``cache_dir``)."""
    from .gpu_packs import known_pack_size
    from .hardware import probe_hardware

    return probe_hardware(device=device, pack_bytes=known_pack_size(cache_dir) if cache_dir else 0)


def assess(catalog: Catalog, hw: HardwareInfo, options: FitOptions, hub_sizes: bool = False) -> CatalogueState:
    from .recommend import candidates, recommend

    kwargs: dict[str, Any] = {"cache_type": options.cache_type, "flash_attn": options.flash_attn}
    every = candidates(catalog, hw, options.n_ctx, **kwargs)
    rec = recommend(catalog, hw, options.n_ctx, **kwargs)
    return CatalogueState(catalog, hw, options, tuple(every), rec, hub_sizes)


def assess_with_settings(paths: AppPaths, settings: SettingsStore, catalog_file: Path | None = None
                         ) -> CatalogueState:
    """The catalogue with the Hub sizes an earlier refresh cached, judged on this computer with the
    settings' context, K/V cache and flash attention: what the model manager opens with."""
    from .catalog import hub_cache_file

    catalog = load_catalogue(catalog_file, hub_cache_file(paths))
    options = FitOptions.from_settings(settings)
    return assess(catalog, probe(options.device, paths.cache_dir), options)


def resolve(state: CatalogueState, spec: str) -> tuple[CatalogModel, GgufQuant | MlxRepo]:
    """``"model-id:Q4_K_M"`` or ``"model-id:mlx-4bit"``; a bare id takes the download ``models download``
    takes (the recommendation's pick among this model's downloads that run here)."""
    from .recommend import resolve_download

    return resolve_download(state.catalog, spec, state.candidates)


def spec_of(model: CatalogModel, download: GgufQuant | MlxRepo) -> str:
    if isinstance(download, MlxRepo):
        return f"{model.id}:mlx-{download.bits}bit"
    return f"{model.id}:{download.quant}"


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
