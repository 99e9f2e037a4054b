"""Downloads from the Hugging Face Hub into the models folder: resumable, verified, cancellable.

huggingface_hub does the HTTP (``http_get``: Range requests, retries on dropped connections). What it
does not do is kept here: since version 1.x its own downloads use a process-unique temporary file that
is deleted on failure, so nothing survives a killed process; and it checks sizes, not hashes. So each
file goes to ``<models>/.downloads/<owner>/<repo>/<file>.part`` beside a small JSON note of what it
is (size, SHA-256, revision). A later run continues that file where it stopped, if the Hub still
serves the same content. The SHA-256 is computed while writing and compared with the Hub's LFS hash;
only when every file is complete and verified are they renamed into place and registered.
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import __version__
from ...core.files.atomic import write_atomic
from ...core.files.json_file import parse_json
from ...core.vocabulary import ModelFormat
from ..catalogue.catalogue import CatalogueModel, GgufQuant, MlxRepo, _hub_files_for
from ..errors import Cancelled, DownloadError, ModelManagerError, StorageError
from ..hashing import HashingWriter, git_blob_sha1
from ..local.registry import InstalledModel, ModelRegistry
from ..progress import Meter, ProgressCallback
from ..storage import bytes_with_margin, check_space, ensure_writable, format_bytes, free_space, remove_empty_folders
from .hub import RepoFile, RepoListing, hub_endpoint, hub_errors, repo_listing

log = logging.getLogger(__name__)

STAGING = ".downloads"
# huggingface_hub reads the body in 10 MB pieces; progress and cancel can only act between pieces,
# which on a slow line means many seconds. 1 MiB keeps a cancel prompt.
CHUNK = 1024 * 1024
_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
# Files an MLX repository holds that a model does not need.
_SKIP = {".gitattributes"}


@dataclass(frozen=True)
class DownloadPlan:
    """What one download will fetch. Build it with ``plan_gguf``/``plan_mlx``/``plan_files``."""

    repo: str
    revision: str
    files: tuple[RepoFile, ...]
    kind: ModelFormat
    name: str  # the name it gets in the registry
    endpoint: str
    catalog_id: str = ""
    quant: str = ""
    direct: bool = False  # files straight from ``endpoint``/name (a release), not the Hub's resolve URLs

    def __post_init__(self) -> None:
        # Every plan is made here, whichever function built it: the one place the Hub's names are checked.
        for f in self.files:
            check_remote_name(self.repo, f.name)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def destination(self, models_dir: Path) -> Path:
        owner, _, repo = self.repo.partition("/")
        return Path(models_dir) / owner / repo

    def staging(self, models_dir: Path) -> Path:
        owner, _, repo = self.repo.partition("/")
        return Path(models_dir) / STAGING / owner / repo

    def url_of(self, f: RepoFile, revision: str) -> str:
        if self.direct:
            from urllib.parse import quote

            return f"{self.endpoint.rstrip('/')}/{quote(f.name)}"
        from huggingface_hub import hf_hub_url

        return hf_hub_url(self.repo, f.name, revision=revision, endpoint=self.endpoint)


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def check_remote_name(repo: str, name: str) -> None:
    """Refuse a file name from the Hub's listing that could land outside the model's folder: it must be
    a relative POSIX path of plain segments (no ``..``, no absolute or drive path, no backslash)."""
    segments = name.split("/")
    problem = ""
    if not name or "\\" in name or any(ord(c) < 32 for c in name):
        problem = "empty, a backslash or a control character"
    elif name.startswith("/") or ":" in name:
        problem = "an absolute or drive path (or a colon)"
    elif any(seg in ("", ".", "..") for seg in segments):
        problem = "an empty, '.' or '..' segment"
    elif any(seg.split(".")[0].upper() in _WINDOWS_RESERVED or seg.endswith((" ", ".")) for seg in segments):
        problem = "a name Windows reserves"
    if problem:
        log.warning("refused file name %r listed in %s: %s", name, repo, problem)
        raise DownloadError("download.unsafe_name", f"{name!r} in the listing of {repo}: {problem}",
                            repo=repo, file=repr(name))


def _check_inside(plan: DownloadPlan, models: Path) -> None:
    """The names are plain, but a folder on the way may be a symlink: every target must resolve inside."""
    for root in (plan.destination(models), plan.staging(models)):
        base = root.resolve()
        for f in plan.files:
            if not (root / f.name).resolve().is_relative_to(base):
                raise DownloadError("download.unsafe_name", f"{f.name} resolves outside {base}",
                                    repo=plan.repo, file=f.name)


def plan_gguf(model: CatalogueModel, quant: GgufQuant, *, endpoint: str | None = None) -> DownloadPlan:
    """Ask the Hub which files make up this quantisation (all parts of a split GGUF) and their hashes."""
    listing = repo_listing(model.gguf_repo, endpoint=endpoint)
    names = _hub_files_for(quant, {f.name: f.size for f in listing.files})
    if not names:
        raise DownloadError("download.file_not_found", f"{quant.files[0]} not in {model.gguf_repo}",
                            repo=model.gguf_repo, file=quant.files[0])
    return DownloadPlan(listing.repo, listing.revision, tuple(listing.file(n) for n in names), ModelFormat.GGUF,
                        model.spec(quant).format(), hub_endpoint(endpoint), model.id, quant.label)


def plan_mlx(model: CatalogueModel, mlx: MlxRepo, *, endpoint: str | None = None) -> DownloadPlan:
    listing = repo_listing(mlx.repo, endpoint=endpoint)
    files = tuple(f for f in listing.files if f.name not in _SKIP)
    return DownloadPlan(listing.repo, listing.revision, files, ModelFormat.MLX, model.spec(mlx).format(),
                        hub_endpoint(endpoint), model.id, mlx.label)


def plan_files(repo: str, files: list[str] | None = None, *, kind: str = ModelFormat.GGUF, name: str = "",
               endpoint: str | None = None) -> DownloadPlan:
    """Any repository: the named files, or (``files=None``) the whole repository."""
    listing: RepoListing = repo_listing(repo, endpoint=endpoint)
    chosen = tuple(listing.file(n) for n in files) if files else tuple(
        f for f in listing.files if f.name not in _SKIP)
    return DownloadPlan(repo, listing.revision, chosen, kind, name or repo.split("/")[-1], hub_endpoint(endpoint))


def download(plan: DownloadPlan, models_dir: str | os.PathLike[str], *, registry: ModelRegistry | None = None,
             progress: ProgressCallback | None = None, cancel: threading.Event | None = None) -> InstalledModel:
    """Fetch, verify, move into place, register. Blocking; run it on a worker thread.

    Raises ``StorageError`` (space or inodes, checked before any byte), ``DownloadError`` (network,
    refused, checksum) or ``Cancelled``. After an interruption or a cancel the partial files stay for
    the next call to continue; after a checksum mismatch the damaged file is removed.
    """
    models = Path(models_dir).expanduser()
    if registry is not None and any(m.name == plan.name and m.present for m in registry.list()):
        raise ModelManagerError("model.already_installed", f"{plan.name} is registered", name=plan.name)
    placed, meter = _fetch_all(plan, models, progress, cancel)
    model = _installed_entry(plan, plan.destination(models), placed)
    if registry is not None:
        model = registry.add(model)
    meter.emit(force=True, phase="done")
    return model


def fetch(plan: DownloadPlan, root: Path, *, progress: ProgressCallback | None = None,
          cancel: threading.Event | None = None) -> list[Path]:
    """Fetch and verify every file of ``plan`` into ``plan.destination(root)``, resuming from
    ``root/.downloads``, and register nothing (the GPU packs). The same errors as ``download``."""
    placed, meter = _fetch_all(plan, Path(root), progress, cancel)
    meter.emit(force=True, phase="done")
    return placed


def _fetch_all(plan: DownloadPlan, root: Path, progress: ProgressCallback | None,
               cancel: threading.Event | None) -> tuple[list[Path], Meter]:
    from huggingface_hub import constants

    staging, dest = plan.staging(root), plan.destination(root)
    _check_inside(plan, root)
    _check_space(plan, root, staging, dest)  # before anything is written, the folder itself included
    ensure_writable(root)
    constants.DOWNLOAD_CHUNK_SIZE = min(constants.DOWNLOAD_CHUNK_SIZE, CHUNK)
    staging.mkdir(parents=True, exist_ok=True)
    meter = Meter("download", plan.total_bytes, progress, cancel, file_count=len(plan.files))
    lock_file = staging.parent / f"{staging.name}.lock"
    try:
        with _exclusive(lock_file, plan.repo):
            for index, f in enumerate(plan.files, 1):
                meter.start_file(f.name, index)
                _fetch_one(plan, f, staging, meter, progress, cancel)
            meter.emit(force=True, phase="verify")
            if plan.kind == ModelFormat.GGUF:
                _check_gguf_parts(plan, staging)
            placed = _move_into_place(plan, staging, dest)
    except Cancelled as exc:
        raise Cancelled("download.cancelled", exc.detail) from exc
    remove_empty_folders(staging, root / STAGING, subtree=True, keep_stop=False)
    return placed, meter


def partial_bytes(plan: DownloadPlan, models_dir: str | os.PathLike[str]) -> int:
    """Bytes already on disk for this plan (kept from an interrupted run)."""
    staging = plan.staging(Path(models_dir))
    return sum(_part(staging, f).stat().st_size for f in plan.files if _part(staging, f).exists())


def discard_staging(plan: DownloadPlan, models_dir: str | os.PathLike[str]) -> None:
    """Delete the repository's whole staging folder: the partial files of every quantisation in it."""
    staging = plan.staging(Path(models_dir))
    shutil.rmtree(staging, ignore_errors=True)
    remove_empty_folders(staging.parent, Path(models_dir) / STAGING, subtree=True, keep_stop=False)


def _resumable_bytes(staging: Path, f: RepoFile) -> int:
    """What of ``f`` is on disk and will be continued (a part of another revision starts again)."""
    part = _part(staging, f)
    state = _read_note(_note(staging, f))
    expected = {"size": f.size, "sha256": f.sha256, "blob_id": f.blob_id}
    if not part.exists() or {k: state.get(k) for k in expected} != expected:
        return 0
    have = part.stat().st_size
    return have if have <= f.size else 0


def _still_needed(plan: DownloadPlan, staging: Path) -> int:
    return sum(max(0, f.size - _resumable_bytes(staging, f)) for f in plan.files)


def _check_space(plan: DownloadPlan, models: Path, staging: Path, dest: Path) -> None:
    new_files = sum(0 if _part(staging, f).exists() else 2 for f in plan.files)  # the .part and its note
    new_dirs: set[Path] = set()
    for f in plan.files:
        for leaf in (_part(staging, f).parent, (dest / f.name).parent):
            new_dirs.update(d for d in (leaf, *leaf.parents) if d.is_relative_to(models) and not d.exists())
    check_space(models, _still_needed(plan, staging), new_files + len(new_dirs))


def _out_of_space(plan: DownloadPlan, staging: Path, exc: OSError) -> StorageError:
    """The disk filled up during the download (something else wrote to it): say what is still needed,
    counting what is already on disk, and what is free now."""
    need = bytes_with_margin(_still_needed(plan, staging))
    free = free_space(staging).free_bytes
    return StorageError("storage.no_space", f"{exc}; {need} bytes still needed, {free} free",
                        needed_bytes=need, free_bytes=free, folder=staging, needed=format_bytes(need),
                        free=format_bytes(free))


def _fetch_one(plan: DownloadPlan, f: RepoFile, staging: Path, meter: Meter,
               progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    part, note = _part(staging, f), _note(staging, f)
    expected = {"size": f.size, "sha256": f.sha256, "blob_id": f.blob_id}
    state = _read_note(note)
    if {k: state.get(k) for k in expected} != expected or (part.exists() and part.stat().st_size > f.size):
        # Another revision of the file (or no note at all): what is on disk cannot be continued.
        part.unlink(missing_ok=True)
        state = dict(expected, revision=plan.revision)
        part.parent.mkdir(parents=True, exist_ok=True)
        _write_note(note, state)
    if state.get("verified") and part.exists() and part.stat().st_size == f.size:
        meter.done += f.size
        return
    have = part.stat().st_size if part.exists() else 0
    if have:
        log.info("resuming %s at %d of %d bytes", f.name, have, f.size)
    rehash = Meter("verify", have, progress, cancel, file_count=meter.file_count) if have else None
    if rehash is not None:
        rehash.name, rehash.file_index = f.name, meter.file_index
    writer = HashingWriter(part, rehash)
    meter.done += have
    url = plan.url_of(f, state.get("revision") or plan.revision)
    bar = functools.partial(_Bar, meter)
    out_of_space: OSError | None = None
    try:
        with hub_errors(plan.endpoint, plan.repo, f.name):
            try:
                http_get(url, writer, resume_size=have, expected_size=f.size, tqdm_class=bar,  # type: ignore[arg-type]
                         headers=build_hf_headers(library_name="deepseek-desktop", library_version=__version__))
            except ValueError as exc:  # e.g. huggingface_hub's limit for one plain-HTTP file (50 GB)
                raise DownloadError("download.failed", str(exc), partial_kept=True, file=f.name) from exc
            except OSError as exc:
                if type(exc) is not OSError:
                    raise  # huggingface_hub's HTTP errors are OSError subclasses: hub_errors maps them
                if exc.errno in _NO_SPACE:
                    out_of_space = exc
                elif exc.errno is not None:
                    raise DownloadError("download.failed", str(exc), partial_kept=True, file=f.name) from exc
                else:
                    # huggingface_hub's size check ("Consistency check failed"): the body ended early.
                    raise DownloadError("download.interrupted", str(exc), partial_kept=True, file=f.name) from exc
    finally:
        try:
            writer.close()
        except OSError as exc:  # the last buffered bytes did not fit either; a resume re-reads the file
            if exc.errno not in _NO_SPACE:
                raise DownloadError("download.failed", str(exc), partial_kept=True, file=f.name) from exc
            out_of_space = out_of_space or exc
    if out_of_space is not None:
        raise _out_of_space(plan, staging, out_of_space) from out_of_space
    _verify(f, part, note, writer.hexdigest(), state)


def _verify(f: RepoFile, part: Path, note: Path, sha256: str, state: dict[str, Any]) -> None:
    if f.sha256:
        ok, detail = sha256 == f.sha256, f"sha256 {sha256}, the Hub says {f.sha256}"
    elif f.blob_id:
        actual = git_blob_sha1(part)
        ok, detail = actual == f.blob_id, f"git blob {actual}, the Hub says {f.blob_id}"
    else:
        ok, detail = part.stat().st_size == f.size, f"size {part.stat().st_size}, the Hub says {f.size}"
    if not ok:
        part.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
        raise DownloadError("download.checksum_mismatch", detail, file=f.name)
    _write_note(note, {**state, "verified": True})


def _check_gguf_parts(plan: DownloadPlan, staging: Path) -> None:
    """The Hub's hash proves the bytes are the repository's; this proves they are a usable GGUF."""
    from ..gguf.header import check_gguf

    ggufs = [f for f in plan.files if f.name.endswith(".gguf")]
    if not ggufs:
        raise DownloadError("download.file_not_found", f"no .gguf file in {[f.name for f in plan.files]}",
                            repo=plan.repo, file="*.gguf")
    for f in ggufs:
        check_gguf(_part(staging, f))


def _move_into_place(plan: DownloadPlan, staging: Path, dest: Path) -> list[Path]:
    placed = []
    for f in plan.files:
        target = dest / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(_part(staging, f), target)
        _note(staging, f).unlink(missing_ok=True)
        placed.append(target)
    return placed


def _installed_entry(plan: DownloadPlan, dest: Path, placed: list[Path]) -> InstalledModel:
    source = f"hub:{plan.repo}@{plan.revision}"
    if plan.kind == ModelFormat.MLX:
        return InstalledModel(plan.name, str(dest.resolve()), ModelFormat.MLX, plan.total_bytes, source=source,
                              catalog_id=plan.catalog_id, quant=plan.quant)
    from ..gguf.header import read_gguf_header

    ggufs = [p.resolve() for p in placed if p.name.endswith(".gguf")]
    header = read_gguf_header(ggufs[0])
    return InstalledModel(plan.name, str(ggufs[0]), ModelFormat.GGUF, plan.total_bytes,
                          parts=tuple(str(p) for p in ggufs) if len(ggufs) > 1 else (),
                          source=source, catalog_id=plan.catalog_id, quant=plan.quant or header.quantization,
                          architecture=header.architecture, context_length=header.context_length)


class _Bar:
    """Stands in for the tqdm bar huggingface_hub drives: its updates feed our meter, which raises
    ``Cancelled`` when the cancel event is set (the chunk in hand is then not written)."""

    def __init__(self, meter: Meter, **_kwargs: Any) -> None:
        self.meter = meter

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        self.meter.add(n)


class _exclusive:
    """One download of a repository at a time, across processes (the .part files are shared)."""

    def __init__(self, lock_file: Path, repo: str) -> None:
        self.lock_file, self.repo = lock_file, repo
        self._cm: Any = None

    def __enter__(self) -> None:
        from filelock import Timeout
        from huggingface_hub.utils import WeakFileLock

        self._cm = WeakFileLock(self.lock_file, timeout=1.0)
        try:
            self._cm.__enter__()
        except Timeout as exc:
            raise DownloadError("download.busy", str(exc), partial_kept=True, file=self.repo) from exc

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)
        # Removed by its holder only; left behind it would keep .downloads from ever being empty.
        self.lock_file.unlink(missing_ok=True)


def _part(staging: Path, f: RepoFile) -> Path:
    return staging / f"{f.name}.part"


def _note(staging: Path, f: RepoFile) -> Path:
    return staging / f"{f.name}.part.json"


def _read_note(note: Path) -> dict[str, Any]:
    try:
        data = parse_json(note.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_note(note: Path, state: dict[str, Any]) -> None:
    write_atomic(note, json.dumps(state).encode("utf-8"))
