"""Downloads from the Hugging Face Hub into the models folder: resumable, verified, cancellable.

huggingface_hub gives the listing, the URLs, the headers and the translation of the Hub's errors; the
bytes are read by ``transfer.py`` (Range requests, retries on dropped connections, a minimum-speed rule,
a cancel seen within a quarter of a second, never a byte past the listed size). Since version 1.x
huggingface_hub's own downloads use a process-unique temporary file that is deleted on failure, so
nothing survives a killed process; and it checks sizes, not hashes. So each file goes to
``<models>/.downloads/<owner>/<repo>/<file>.part`` beside a small JSON note of what it is (size, SHA-256,
revision). A later run continues that file where it stopped, if the Hub still serves the same content.
The SHA-256 is computed while writing and compared with the Hub's LFS hash; only when every file is
complete and verified are they renamed into place and registered. Every place written to is inside the
models folder itself, whatever symbolic links lie on the way, and a partial file is never opened
through a link.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import __version__
from ...core.errors import ModelFileError
from ...core.files.atomic import write_atomic
from ...core.files.json_file import parse_json
from ...core.files.regular import read_regular_bytes
from ...core.vocabulary import ModelFormat
from ..catalogue.catalogue import CatalogueModel, GgufQuant, MlxRepo, _hub_files_for
from ..errors import Cancelled, DownloadError, ModelManagerError, StorageError
from ..hashing import HashingWriter, git_blob_sha1
from ..local.registry import InstalledModel, ModelRegistry
from ..progress import Meter, ProgressCallback
from ..storage import bytes_with_margin, check_space, ensure_writable, format_bytes, free_space, remove_empty_folders
from .hub import RepoFile, RepoListing, hub_endpoint, hub_errors, repo_listing
from .places import check_inside, check_remote_name, clear_the_way, part_size
from .transfer import StallRule, fetch

log = logging.getLogger(__name__)

STAGING = ".downloads"
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
             progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
             stall: StallRule | None = None) -> InstalledModel:
    """Fetch, verify, move into place, register. Blocking; run it on a worker thread.

    Raises ``StorageError`` (space or inodes, checked before any byte; a link out of the models folder),
    ``DownloadError`` (network, refused, stalled, too large, checksum) or ``Cancelled``. After an
    interruption or a cancel the partial files stay for the next call to continue; after a checksum
    mismatch the damaged file is removed. ``stall``: the minimum-speed rule (``transfer.StallRule``).
    """
    models = Path(models_dir).expanduser().absolute()
    if registry is not None and any(m.name == plan.name and m.present for m in registry.list()):
        raise ModelManagerError("model.already_installed", f"{plan.name} is registered", name=plan.name)
    placed, meter = _fetch_all(plan, models, progress, cancel, stall)
    model = _installed_entry(plan, plan.destination(models), placed)
    if registry is not None:
        model = registry.add(model)
    meter.emit(force=True, phase="done")
    return model


def fetch_files(plan: DownloadPlan, root: Path, *, progress: ProgressCallback | None = None,
                cancel: threading.Event | None = None, stall: StallRule | None = None) -> list[Path]:
    """Fetch and verify every file of ``plan`` into ``plan.destination(root)``, resuming from
    ``root/.downloads``, and register nothing (the GPU packs). The same errors as ``download``."""
    placed, meter = _fetch_all(plan, Path(root).absolute(), progress, cancel, stall)
    meter.emit(force=True, phase="done")
    return placed


def _fetch_all(plan: DownloadPlan, root: Path, progress: ProgressCallback | None,
               cancel: threading.Event | None, stall: StallRule | None) -> tuple[list[Path], Meter]:
    staging, dest = plan.staging(root), plan.destination(root)
    check_inside(root, (dest, staging), [f.name for f in plan.files])
    _check_space(plan, root, staging, dest)  # before anything is written, the folder itself included
    ensure_writable(root)
    staging.mkdir(parents=True, exist_ok=True)
    meter = Meter("download", plan.total_bytes, progress, cancel, file_count=len(plan.files))
    lock_file = staging.parent / f"{staging.name}.lock"
    try:
        with _exclusive(lock_file, plan.repo):
            for index, f in enumerate(plan.files, 1):
                meter.start_file(f.name, index)
                _fetch_one(plan, f, staging, meter, progress, cancel, stall or StallRule())
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
    return sum(part_size(_part(staging, f)) for f in plan.files)


def discard_staging(plan: DownloadPlan, models_dir: str | os.PathLike[str]) -> None:
    """Delete the repository's whole staging folder: the partial files of every quantisation in it."""
    staging = plan.staging(Path(models_dir))
    shutil.rmtree(staging, ignore_errors=True)
    remove_empty_folders(staging.parent, Path(models_dir) / STAGING, subtree=True, keep_stop=False)


def _resumable_bytes(staging: Path, f: RepoFile) -> int:
    """What of ``f`` is on disk and will be continued (a part of another revision starts again)."""
    state = _read_note(_note(staging, f))
    expected = {"size": f.size, "sha256": f.sha256, "blob_id": f.blob_id}
    if {k: state.get(k) for k in expected} != expected:
        return 0
    have = part_size(_part(staging, f))
    return have if have <= f.size else 0


def _still_needed(plan: DownloadPlan, staging: Path) -> int:
    return sum(max(0, f.size - _resumable_bytes(staging, f)) for f in plan.files)


def _check_space(plan: DownloadPlan, models: Path, staging: Path, dest: Path) -> None:
    new_files = sum(0 if part_size(_part(staging, f)) else 2 for f in plan.files)  # the .part and its note
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


def _fetch_one(plan: DownloadPlan, f: RepoFile, staging: Path, meter: Meter, progress: ProgressCallback | None,
               cancel: threading.Event | None, stall: StallRule) -> None:
    from huggingface_hub.utils import build_hf_headers

    part, note = _part(staging, f), _note(staging, f)
    clear_the_way(part)
    expected = {"size": f.size, "sha256": f.sha256, "blob_id": f.blob_id}
    state = _read_note(note)
    if {k: state.get(k) for k in expected} != expected or part_size(part) > f.size:
        # Another revision of the file (or no note at all): what is on disk cannot be continued.
        part.unlink(missing_ok=True)
        state = dict(expected, revision=plan.revision)
        part.parent.mkdir(parents=True, exist_ok=True)
        _write_note(note, state)
    have = part_size(part)
    if state.get("verified") and have == f.size:
        meter.done += f.size
        return
    if have:
        log.info("resuming %s at %d of %d bytes", f.name, have, f.size)
    rehash = Meter("verify", have, progress, cancel, file_count=meter.file_count) if have else None
    if rehash is not None:
        rehash.name, rehash.file_index = f.name, meter.file_index
    try:
        writer = HashingWriter(part, rehash)
    except OSError as exc:
        raise DownloadError("download.failed", f"{part}: {exc}", partial_kept=True, file=f.name) from exc
    meter.done += have
    url = plan.url_of(f, state.get("revision") or plan.revision)
    headers = build_hf_headers(library_name="deepseek-desktop", library_version=__version__)
    out_of_space: OSError | None = None
    try:
        with hub_errors(plan.endpoint, plan.repo, f.name):
            try:
                fetch(url, writer, have=have, size=f.size, headers=headers, name=f.name, meter=meter,
                      cancel=cancel, rule=stall)
            except OSError as exc:
                if type(exc) is not OSError:
                    raise  # huggingface_hub's HTTP errors are OSError subclasses: hub_errors maps them
                if exc.errno in _NO_SPACE:
                    out_of_space = exc
                else:
                    raise DownloadError("download.failed", str(exc), partial_kept=True, file=f.name) from exc
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
        try:
            check_gguf(_part(staging, f))
        except ModelFileError as exc:  # named as the file will be, and said of our own download
            message_id = "model.incomplete_download" if exc.message_id == "model.incomplete" else exc.message_id
            raise ModelFileError(message_id, exc.detail, **{**exc.params, "file": Path(f.name).name}) from exc


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
        data = parse_json(read_regular_bytes(note, limit=64 * 1024))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_note(note: Path, state: dict[str, Any]) -> None:
    write_atomic(note, json.dumps(state).encode("utf-8"))
