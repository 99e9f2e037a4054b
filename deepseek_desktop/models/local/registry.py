"""The registry of installed models, a JSON file at ``AppPaths.registry_file``.

A model is registered once it is complete and checked: a finished and verified download, or a GGUF
or MLX folder the user imported (where it is, or copied/moved into the models folder). The file is
read again for every operation, so the CLI and the window see each other's changes; writes are
atomic (temporary file + rename).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ...core.files.atomic import aside_name, write_atomic
from ...core.files.json_file import parse_json
from ...core.files.lock import file_lock
from ...core.files.regular import read_regular_bytes
from ...core.kv_state_files import remove_model as remove_model_states
from ...core.paths import AppPaths
from ...core.vocabulary import Engine, ModelFormat
from ..errors import ModelManagerError, StorageError
from ..storage import is_inside, remove_empty_folders, resolve_path

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: str  # a GGUF file (the first part of a split model) or an MLX folder
    format: str  # a ModelFormat, as the registry file has it
    size: int
    engine: str = ""  # the Engine that runs it (llama.cpp for GGUF, MLX for MLX folders)
    parts: tuple[str, ...] = ()  # every file of a split GGUF, the first one included
    source: str = "import"  # "import", or "hub:<repo>@<revision>"
    catalog_id: str = ""
    quant: str = ""
    architecture: str = ""
    context_length: int = 0
    added: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))

    def __post_init__(self) -> None:
        if not self.engine:
            object.__setattr__(self, "engine", Engine.for_format(self.format) or "")

    @property
    def present(self) -> bool:
        return all(Path(p).exists() for p in (self.parts or (self.path,)))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["parts"] = list(self.parts)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> InstalledModel:
        """An entry as read from the registry file; ``ValueError`` unless every field has its type."""
        if not isinstance(data, dict):
            raise ValueError(f"an entry is {type(data).__name__}, not an object")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("name", "path", "format"):
            if not isinstance(values.get(key), str) or not values[key]:
                raise ValueError(f"{key} is missing or not a string")
        for key in ("size", "context_length"):
            v = values.get(key, 0)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"{key} is {v!r}, not a size")
        parts = values.get("parts") or []
        if not isinstance(parts, list) or not all(isinstance(p, str) and p for p in parts):
            raise ValueError("parts is not a list of paths")
        values["parts"] = tuple(parts)
        for key, v in values.items():
            if key not in ("size", "context_length", "parts") and not isinstance(v, str):
                raise ValueError(f"{key} is {type(v).__name__}, not a string")
        for text in (*(v for v in values.values() if isinstance(v, str)), *values["parts"]):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:  # bytes that were not UTF-8 in the file (surrogate-escaped)
                raise ValueError(f"{text!r} is not valid UTF-8") from exc
        for path in (values["path"], *values["parts"]):
            if "\x00" in path:  # no file system takes it: every later use would be a ValueError
                raise ValueError(f"the path {path!r} holds a NUL character")
        return cls(**values)


class ModelRegistry:
    def __init__(self, registry_file: str | os.PathLike[str], models_dir: str | os.PathLike[str],
                 states_dir: str | os.PathLike[str] | None = None) -> None:
        self.file = Path(registry_file)
        self.models_dir = Path(models_dir)
        self.states_dir = Path(states_dir) if states_dir is not None else None  # conversations' saved states
        self._lock = threading.Lock()
        self._lock_file = self.file.with_name(self.file.name + ".lock")  # writers of every process take it

    # -- reading --
    def list(self) -> list[InstalledModel]:
        with self._lock:
            return self._load()

    def get(self, name: str) -> InstalledModel:
        for m in self.list():
            if m.name == name:
                return m
        raise ModelManagerError("model.not_registered", f"{name!r} is not in {self.file}", name=name)

    def find(self, name_or_path: str) -> InstalledModel:
        """By name, or by the path of its file or folder."""
        for m in self.list():
            if m.name == name_or_path:
                return m
        target = Path(name_or_path).expanduser()
        if target.exists():
            resolved = resolve_path(target)
            for m in self.list():
                if resolve_path(m.path) == resolved:
                    return m
        raise ModelManagerError("model.not_registered", f"{name_or_path!r} is not in {self.file}",
                                name=name_or_path)

    def find_by_path(self, path: str | os.PathLike[str]) -> InstalledModel | None:
        resolved = resolve_path(Path(path).expanduser())
        for m in self.list():
            if resolve_path(m.path) == resolved:
                return m
        return None

    # -- writing --
    def add(self, model: InstalledModel) -> InstalledModel:
        """Register ``model``. The same path registered again replaces its entry; a name already used
        by another path gets a suffix (-2, -3 ...). Returns the entry as stored."""
        with self._lock, file_lock(self._lock_file):
            models = self._load()
            resolved = resolve_path(model.path)
            models = [m for m in models if resolve_path(m.path) != resolved]
            taken = {m.name for m in models}
            name, n = model.name, 2
            while name in taken:
                name, n = f"{model.name}-{n}", n + 1
            stored = InstalledModel(**{**model.__dict__, "name": name})
            models.append(stored)
            self._save(models)
            return stored

    def forget(self, name: str) -> InstalledModel:
        """Unregister without touching any file."""
        with self._lock, file_lock(self._lock_file):
            models = self._load()
            hit = next((m for m in models if m.name == name), None)
            if hit is None:
                raise ModelManagerError("model.not_registered", f"{name!r} is not in {self.file}", name=name)
            self._save([m for m in models if m.name != name])
            return hit

    def remove(self, name_or_path: str) -> InstalledModel:
        """Delete a model's files and unregister it. Only files inside the models folder are deleted:
        anything else raises ``StorageError("storage.outside_models_dir")`` and nothing changes.
        An unregistered model file or folder inside the models folder can be removed by its path."""
        try:
            model = self.find(name_or_path)
        except ModelManagerError:
            model = self._unregistered_model(Path(name_or_path).expanduser())
        targets = [Path(p) for p in (model.parts or (model.path,))]
        for t in targets:
            if not is_inside(t, self.models_dir):
                raise StorageError("storage.outside_models_dir", f"{t} is outside {self.models_dir}",
                                   path=t, folder=self.models_dir)
        for t in targets:
            if t.is_dir() and not t.is_symlink():
                shutil.rmtree(t)
            else:
                t.unlink(missing_ok=True)
        for t in targets:
            remove_empty_folders(t.parent.resolve(), self.models_dir.resolve())
        if self.states_dir is not None:  # the saved conversation states of this model file go with it
            remove_model_states(self.states_dir, model.path)
        if self.find_by_path(model.path) is not None:
            self.forget(model.name)
        return model

    def _unregistered_model(self, path: Path) -> InstalledModel:
        if not path.exists():
            raise ModelManagerError("model.not_registered", f"{path} is neither a name nor a file", name=path)
        if not is_inside(path, self.models_dir):
            raise StorageError("storage.outside_models_dir", f"{path} is outside {self.models_dir}",
                               path=path, folder=self.models_dir)
        from ..gguf.header import is_gguf_file
        from ..gguf.split import gguf_parts

        if path.is_dir() and (path / "config.json").is_file():
            return InstalledModel(path.name, str(path), ModelFormat.MLX, 0)
        if path.is_file() and is_gguf_file(path):
            parts = gguf_parts(path)
            return InstalledModel(path.name, str(parts[0]), ModelFormat.GGUF, 0,
                                  parts=tuple(str(p) for p in parts) if len(parts) > 1 else ())
        raise ModelManagerError("model.not_registered", f"{path} is no model file", name=path)

    def _load(self) -> list[InstalledModel]:
        try:
            raw = read_regular_bytes(self.file)  # a FIFO in its place would block every command
        except FileNotFoundError:
            return []
        try:
            # surrogateescape: a stray non-UTF-8 byte inside one entry spoils that entry, not the file.
            data = parse_json(raw.decode("utf-8", errors="surrogateescape"))
            entries = data["models"]
            if not isinstance(entries, list):
                raise TypeError(f"models is {type(entries).__name__}, not a list")
        except (ValueError, KeyError, TypeError) as exc:
            # Nothing in it can be read: keep the damaged file for the user and start afresh. The model
            # files themselves are untouched and ``discover_unregistered`` finds them again.
            aside = aside_name(self.file, "damaged", time.strftime("%Y%m%d-%H%M%S"))
            os.replace(self.file, aside)
            log.warning("installed-model registry %s unreadable (%s); moved to %s", self.file, exc, aside)
            return []
        models = []
        bad = []
        for index, entry in enumerate(entries):
            try:
                models.append(InstalledModel.from_dict(entry))
            except (ValueError, TypeError) as exc:
                bad.append((index, exc))
        if bad:
            # Keep the good entries; the file as it was stays beside it, so the dropped ones are not lost.
            aside = aside_name(self.file, "damaged", time.strftime("%Y%m%d-%H%M%S"))
            shutil.copy2(self.file, aside)
            for index, exc in bad:
                log.warning("installed-model registry %s: entry %d dropped (%s); the file as it was is %s",
                            self.file, index, exc, aside)
            self._save(models)
        return models

    def _save(self, models: list[InstalledModel]) -> None:
        data = {"version": 1, "models": [m.to_dict() for m in sorted(models, key=lambda m: m.name)]}
        write_atomic(self.file, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))


def registry_for(paths: AppPaths, folder: str | os.PathLike[str]) -> ModelRegistry:
    """The app's registry of installed models (``paths.registry_file``) for the models folder ``folder``: how
    the window, the CLI and the local server open it."""
    return ModelRegistry(paths.registry_file, folder, paths.kv_states_dir)
