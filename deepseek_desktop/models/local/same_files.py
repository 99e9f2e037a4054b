"""Is the model being imported byte for byte one that is installed already?

Cheap before dear: a model whose files differ in number or size is ruled out by ``stat`` alone; one
that matches is compared by a fingerprint (the SHA-256 of each file's first and last MiB), and only when
those agree too by the full SHA-256 of every file. Blocking: the GUI calls it on a worker thread,
with the rest of the import.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from ...core.files.regular import open_regular
from ...core.vocabulary import ModelFormat
from ..hashing import sha256_file
from ..progress import ProgressCallback
from ..storage import resolve_path
from .registry import InstalledModel, ModelRegistry

EDGE = 1024 * 1024  # bytes hashed at each end of a file for the fingerprint


def model_files(path: str | os.PathLike[str], fmt: str, parts: tuple[str, ...] = ()) -> list[tuple[str, Path]]:
    """The files of a model, each with the key it is matched by: its place among a GGUF's parts, its
    path inside an MLX folder."""
    if fmt == ModelFormat.MLX:
        root = Path(path)
        return [(f.relative_to(root).as_posix(), f) for f in sorted(root.rglob("*")) if f.is_file()]
    return [(str(i), Path(p)) for i, p in enumerate(parts or (str(path),))]


def identical_installed(files: list[tuple[str, Path]], fmt: str, registry: ModelRegistry,
                        progress: ProgressCallback | None = None,
                        cancel: threading.Event | None = None) -> InstalledModel | None:
    """The installed model whose files are the same bytes as ``files`` (from ``model_files``), or None."""
    mine = {key: (p, p.stat().st_size) for key, p in files}
    fingerprints: dict[Path, str] = {}
    full: dict[Path, str] = {}

    def fingerprint(p: Path) -> str:
        if p not in fingerprints:
            fingerprints[p] = _fingerprint(p)
        return fingerprints[p]

    def digest(p: Path) -> str:
        if p not in full:
            full[p] = sha256_file(p, progress, cancel)
        return full[p]

    for model in registry.list():
        if model.format != fmt or not model.present:
            continue
        try:
            theirs = {key: (p, p.stat().st_size) for key, p in model_files(model.path, model.format, model.parts)}
        except OSError:
            continue
        if theirs.keys() != mine.keys() or any(theirs[k][1] != mine[k][1] for k in mine):
            continue
        pairs = [(mine[k][0], theirs[k][0]) for k in mine if resolve_path(mine[k][0]) != resolve_path(theirs[k][0])]
        try:
            if all(fingerprint(a) == fingerprint(b) for a, b in pairs) and all(
                    digest(a) == digest(b) for a, b in pairs):
                return model
        except OSError:
            continue
    return None


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        digest.update(fh.read(EDGE))
        if size > EDGE:
            fh.seek(max(EDGE, size - EDGE))
            digest.update(fh.read(EDGE))
    return digest.hexdigest()
