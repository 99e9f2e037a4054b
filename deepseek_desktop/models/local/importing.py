"""Models already on disk made known to the app: import one (register it where it is, or copy or move it
into the models folder), and find the ones in the models folder that the registry does not know."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from ...core.vocabulary import ModelFormat
from ..errors import AlreadyInstalled
from ..gguf.header import is_gguf_file
from ..gguf.split import split_info
from ..progress import ProgressCallback
from ..storage import (
    check_space,
    copy_files,
    existing_ancestor,
    is_inside,
    is_symlink_loop,
    move_files,
    remove_empty_folders,
    resolve_path,
)
from .inspection import LocalModelInfo, files_of, inspect_model
from .registry import InstalledModel, ModelRegistry
from .same_files import identical_installed, model_files

log = logging.getLogger(__name__)


def import_model(path: str | os.PathLike[str], models_dir: str | os.PathLike[str], registry: ModelRegistry,
                 *, mode: str = "register", name: str | None = None, progress: ProgressCallback | None = None,
                 cancel: threading.Event | None = None) -> InstalledModel:
    """Check and register a model the user already has. ``mode``: "register" (where it is), "copy" or
    "move" (into the models folder, after the space check). Raises ``ModelFileError``,
    ``StorageError`` or ``Cancelled``; the source is never changed unless a move completed."""
    if mode not in ("register", "copy", "move"):
        raise ValueError(f"unknown import mode {mode!r}")
    info = inspect_model(path)
    _refuse_identical(info, registry, name if mode == "register" else None, progress, cancel)
    models = Path(models_dir).expanduser()
    sources = files_of(info)
    if mode != "register" and not is_inside(info.path, models):
        root = models / Path(info.path).name if info.format == ModelFormat.MLX else models
        base = Path(info.path) if info.format == ModelFormat.MLX else Path(info.path).parent
        pairs = [(src, root / src.relative_to(base)) for src in sources]
        if mode == "copy" or not _same_device(sources[0], models):
            new_dirs = {d.parent for _, d in pairs}
            check_space(models, sum(s.stat().st_size for s in sources), len(pairs) + len(new_dirs))
        (copy_files if mode == "copy" else move_files)(pairs, progress, cancel)
        if mode == "move" and info.format == ModelFormat.MLX:
            remove_empty_folders(Path(info.path), Path(info.path), subtree=True, keep_stop=False)
        info = inspect_model(pairs[0][1] if info.format == ModelFormat.GGUF else root)
    return registry.add(InstalledModel(
        name or _default_name(info), info.path, info.format, info.size, parts=info.parts,
        source="import", quant=info.quantization, architecture=info.architecture,
        context_length=info.context_length))


def _refuse_identical(info: LocalModelInfo, registry: ModelRegistry, name: str | None,
                      progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
    """Raise ``AlreadyInstalled`` when the model is byte for byte one that is registered: the same files
    registered again, or a copy of them. Registering the same place under a new ``name`` renames it."""
    twin = identical_installed(model_files(info.path, info.format, info.parts), info.format, registry,
                               progress, cancel)
    if twin is None:
        return
    renaming = name and name != twin.name and resolve_path(twin.path) == resolve_path(info.path)
    if not renaming:
        raise AlreadyInstalled(twin, f"{info.path} has the same content as {twin.path}")


def discover_unregistered(models_dir: str | os.PathLike[str], registry: ModelRegistry,
                          skipped: list[Path] | None = None) -> list[Path]:
    """GGUF files (first parts) and MLX folders in the models folder that the registry does not know,
    e.g. copied there by hand or left by an interrupted registration. Symlink loops are left out with a
    warning in the log (and added to ``skipped`` when given)."""
    models = Path(models_dir).expanduser()
    if not models.is_dir():
        return []
    known = {resolve_path(p) for m in registry.list() for p in (m.path, *m.parts)}
    found = []
    for root, dirs, files in os.walk(models):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(root)
        if "config.json" in files and any(f.endswith(".safetensors") for f in files):
            if resolve_path(here) not in known:
                found.append(here)
            dirs[:] = []
            continue
        for f in sorted(files):
            split = split_info(f)
            if not f.endswith(".gguf") or (split and split[1] != 1):
                continue
            p = here / f
            if is_symlink_loop(p):
                log.warning("skipped %s in the models folder: a symbolic link loop", p)
                if skipped is not None:
                    skipped.append(p)
                continue
            if resolve_path(p) not in known and is_gguf_file(p):
                found.append(p)
    return found


def _default_name(info: LocalModelInfo) -> str:
    p = Path(info.path)
    if info.format == ModelFormat.MLX:
        return p.name
    split = split_info(p.name)
    return split[0] if split else p.stem


def _same_device(src: Path, folder: Path) -> bool:
    return src.stat().st_dev == existing_ancestor(folder).stat().st_dev
