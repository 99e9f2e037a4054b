"""The models folder as the model manager shows it: installed models, files not registered yet,
downloads kept half done, free space. Blocking (``statvfs``, the registry's JSON file): the window runs
it on worker threads."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core.paths import AppPaths
from ..core.settings.store import SettingsStore, models_dir
from ..core.vocabulary import DownloadSpec, ModelFormat
from .catalogue.catalogue import Catalogue, CatalogueModel, GgufQuant, MlxRepo
from .downloads.download import DownloadPlan
from .downloads.hub import RepoFile
from .local.registry import InstalledModel, registry_for
from .storage import SpaceInfo


@dataclass(frozen=True)
class InstalledRow:
    model: InstalledModel
    inside: bool  # its files are in the models folder (deletable) or registered where they are
    present: bool
    fallback_template: str = ""  # the generic chat template used for a model that brings none

    @property
    def spec(self) -> str:
        return DownloadSpec(self.model.catalog_id, self.model.quant).format() if self.model.catalog_id else ""


@dataclass(frozen=True)
class LocalState:
    folder: Path
    browse_from: Path | None = None  # the folder, or its nearest existing parent (for a folder dialog)
    installed: tuple[InstalledRow, ...] = ()
    unregistered: tuple[Path, ...] = ()
    space: SpaceInfo | None = None
    partials: dict[str, int] = field(default_factory=dict)  # spec -> bytes already downloaded
    error: BaseException | None = None  # the registry or the folder could not be read

    def installed_specs(self) -> set[str]:
        return {r.spec for r in self.installed if r.spec and r.present}


def read_local(paths: AppPaths, settings: SettingsStore, catalogue: Catalogue | None) -> LocalState:
    from .local.importing import discover_unregistered
    from .local.template_check import fallback_template
    from .storage import existing_ancestor, free_space, is_inside

    folder = models_dir(settings, paths).absolute()
    try:
        browse_from = existing_ancestor(folder)
        space = free_space(folder)  # of the folder, or of the nearest parent while it is not made yet
        registry = registry_for(paths, folder)
        rows = tuple(InstalledRow(m, all(is_inside(p, folder) for p in (m.parts or (m.path,))), m.present,
                                  fallback_template(m.path) if m.present else "")
                     for m in registry.list())
        unregistered = tuple(discover_unregistered(folder, registry))
    except (OSError, ValueError) as exc:
        return LocalState(folder, error=exc)
    partials = partial_downloads(catalogue, folder) if catalogue is not None else {}
    return LocalState(folder, browse_from, rows, unregistered, space, partials)


def offline_plan(model: CatalogueModel, download: GgufQuant | MlxRepo) -> DownloadPlan:
    """A plan built from the catalogue alone (no Hub request): enough to find its partial files."""
    spec = model.spec(download).format()
    if isinstance(download, MlxRepo):
        return DownloadPlan(download.repo, "", (), ModelFormat.MLX, spec, "", model.id, download.label)
    files = tuple(RepoFile(name, 0, None, None) for name in download.files)
    return DownloadPlan(model.gguf_repo, "", files, ModelFormat.GGUF, spec, "", model.id, download.label)


def partial_of(model: CatalogueModel, download: GgufQuant | MlxRepo, folder: Path) -> int:
    """Bytes already on disk for this download, kept from an interrupted or cancelled run."""
    from .downloads.download import partial_bytes

    plan = offline_plan(model, download)
    if plan.kind == ModelFormat.MLX:  # an MLX repository's file list needs the Hub; its staging folder is its own
        return sum(p.stat().st_size for p in plan.staging(folder).rglob("*.part") if p.is_file())
    return partial_bytes(plan, folder)


def partial_downloads(catalogue: Catalogue, folder: Path) -> dict[str, int]:
    """Bytes kept from interrupted downloads, by catalogue spec (they survive a restart of the app)."""
    from .downloads.download import STAGING

    out: dict[str, int] = {}
    if not (folder / STAGING).is_dir():
        return out
    for model in catalogue.models:
        for download in [model.gguf[q] for q in model.quants()] + list(model.mlx):
            have = partial_of(model, download, folder)
            if have:
                out[model.spec(download).format()] = have
    return out


def discard_partial(model: CatalogueModel, download: GgufQuant | MlxRepo, folder: Path) -> None:
    """Delete the kept partial files of one download. A GGUF repository holds every quantisation, so
    only this one's files go (``downloads.download.discard_staging`` removes the repository's whole
    staging folder, the other quantisations' partial files included)."""
    from .downloads.download import STAGING, discard_staging
    from .storage import remove_empty_folders

    plan = offline_plan(model, download)
    if plan.kind == ModelFormat.MLX:
        discard_staging(plan, folder)
        return
    staging = plan.staging(folder)
    for f in plan.files:
        for p in (staging / f"{f.name}.part", staging / f"{f.name}.part.json"):
            p.unlink(missing_ok=True)
    for d in sorted({(staging / f.name).parent for f in plan.files}, key=lambda p: len(p.parts), reverse=True):
        remove_empty_folders(d, folder / STAGING, keep_stop=False)


def plan_download(model: CatalogueModel, download: GgufQuant | MlxRepo, endpoint: str | None) -> DownloadPlan:
    from .downloads.download import plan_gguf, plan_mlx

    if isinstance(download, MlxRepo):
        return plan_mlx(model, download, endpoint=endpoint)
    return plan_gguf(model, download, endpoint=endpoint)


def check_folder(folder: Path, default: Path) -> tuple[Path, bool]:
    """A folder the user chose for models: it must exist (or be made) and take files. Returns it and
    whether it is the app's own default folder."""
    from .storage import ensure_writable

    folder = Path(folder).expanduser().absolute()
    ensure_writable(folder)
    return folder, same_folder(folder, default)


def ramdisk_state() -> dict[str, object]:
    from .ramdisk import ramdisk_available

    return ramdisk_available()


def same_folder(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return False


