"""The user's settings in a JSON file, checked against the schema, with change callbacks.

File layout (``AppPaths.settings_file``)::

    {"version": 1,
     "settings": {"generation.temperature": 0.7, ...},   # only what the user set; the rest are defaults
     "state": {"window_geometry": "...", ...}}            # UI state the app remembers, not in the pane

Only values the user set are written, so a better default in a later version reaches everyone who
never touched that setting. Keys this version does not know (written by a newer one) are kept and
written back, so going back and forth between versions loses nothing.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import DeepSeekError
from ..files.atomic import aside_name, write_atomic
from ..files.json_file import CorruptJson, UnreadableJson, has_lone_surrogates, read_json_file
from ..notices import Notice, NoticeBox
from ..paths import AppPaths
from ..requests import EXPERTS_IN_RAM, GenerationParams, LoadParams
from .schema import SettingsSchema, SettingValueError

log = logging.getLogger(__name__)

FILE_VERSION = 1

# Keys of the UI state section. Values must be JSON: geometry as base64 text of saveGeometry().
STATE_WINDOW_GEOMETRY = "window_geometry"
STATE_LAST_CONVERSATION = "last_conversation_id"
STATE_LAST_MODEL = "last_model"

Observer = Callable[[str, Any], None]


class SettingsError(DeepSeekError):
    """A value was refused (``settings.invalid_value``) or the file could not be written."""

    message_id = "settings.save_failed"


class SettingsStore:
    """Settings and remembered UI state, persisted atomically on every change.

    Use it from the GUI thread; callbacks run in the thread that made the change. A lock makes a
    call from another thread safe, but then its callbacks run in that thread too.
    """

    def __init__(self, path: Path, schema: SettingsSchema | None = None, *, background: bool = False) -> None:
        """``background=True`` writes the file on a thread of its own (the GUI never waits on the
        disk); a failed write then becomes a notice instead of an exception. ``close()`` waits for it."""
        self.path = path
        self._writer = (concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="settings")
                        if background else None)
        self.schema = schema or SettingsSchema()
        self._values: dict[str, Any] = {}
        self._unknown: dict[str, Any] = {}
        self._state: dict[str, Any] = {}
        self._observers: list[Observer] = []
        self._notices = NoticeBox()
        self._lock = threading.RLock()
        self._read_only = False  # the file exists but cannot be read: never write over it
        self._load()

    # -- reading --

    def get(self, key: str) -> Any:
        spec = self.schema.spec(key)
        with self._lock:
            value = self._values.get(key, spec.default)
        return _copy(value)

    def values(self) -> dict[str, Any]:
        """Every setting with its current value (defaults included)."""
        return {spec.key: self.get(spec.key) for spec in self.schema}

    def is_default(self, key: str) -> bool:
        self.schema.spec(key)
        with self._lock:
            return key not in self._values

    def take_notices(self) -> list[Notice]:
        """What the user should be told once (a damaged file moved aside, values reset)."""
        return self._notices.take()

    # -- changing --

    def set(self, key: str, value: Any) -> None:
        self.set_many({key: value})

    def set_many(self, values: Mapping[str, Any]) -> None:
        """Validate all values first, so a bad one changes nothing; then save once and notify.

        Raises ``KeyError`` for a key the schema does not know (a bug in the caller),
        ``SettingsError("settings.invalid_value")`` for a value that does not fit, and
        ``SettingsError("settings.save_failed")`` when the file cannot be written (the new values
        then still apply for this session).
        """
        clean: dict[str, Any] = {}
        for key, value in values.items():
            spec = self.schema.spec(key)
            try:
                clean[key] = spec.validate(value)
            except SettingValueError as exc:
                raise SettingsError("settings.invalid_value", exc.reason, key=key) from None
        with self._lock:
            changed = {k: v for k, v in clean.items() if self.get(k) != v}
            self._values.update(clean)
            save_error = self._save_collecting_error()
        self._notify(changed)
        if save_error is not None:
            raise save_error

    def reset(self, key: str) -> None:
        """Back to the default (and to future defaults)."""
        spec = self.schema.spec(key)
        with self._lock:
            if key not in self._values:
                return
            old = self._values.pop(key)
            save_error = self._save_collecting_error()
        self._notify({key: _copy(spec.default)} if old != spec.default else {})
        if save_error is not None:
            raise save_error

    def subscribe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(key, new_value)`` after each change; returns a function that unsubscribes."""
        with self._lock:
            self._observers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._observers:
                    self._observers.remove(callback)

        return unsubscribe

    # -- remembered UI state (not part of the schema or the settings pane) --

    def get_state(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return _copy(self._state.get(key, default))

    def set_state(self, key: str, value: Any) -> None:
        """Remember a JSON value (``None`` forgets it). Raises ``TypeError`` for a non-JSON value. Text that
        is not valid Unicode (a file name's bytes that are not UTF-8) cannot be saved: it is not remembered."""
        json.dumps(value)
        if has_lone_surrogates(value):
            log.warning("state %s not remembered: %r is not valid Unicode", key, value)
            value = None
        with self._lock:
            if value is None:
                self._state.pop(key, None)
            else:
                self._state[key] = _copy(value)
            save_error = self._save_collecting_error()
        if save_error is not None:
            raise save_error

    # -- file --

    def _load(self) -> None:
        try:
            # One byte that is not UTF-8 spoils the value it is in (checked below), not the whole file.
            data = read_json_file(self.path, bad_bytes="surrogateescape")
            if not isinstance(data, dict):
                raise CorruptJson("the top level is not an object")
            settings, state = data.get("settings", {}), data.get("state", {})
            if not isinstance(settings, dict) or not isinstance(state, dict):
                raise CorruptJson("'settings' or 'state' is not an object")
        except FileNotFoundError:
            return
        except UnreadableJson as exc:
            # Not damaged, only out of reach (permissions, a folder in its place): moving it or writing
            # over it would lose what the user set, so this session keeps its changes in memory only.
            log.error("settings file %s cannot be read (%s); defaults are used and nothing is saved", self.path,
                      exc)
            self._read_only = True
            self._notices.add("settings.unreadable", path=self.path)
            return
        except CorruptJson as exc:
            self._move_aside(f"is not valid: {exc}")
            return
        if isinstance(data.get("version"), int) and data["version"] > FILE_VERSION:
            log.info("settings file version %s is newer than %s; unknown keys are kept", data["version"],
                     FILE_VERSION)
        rejected = []
        for key, value in settings.items():
            if key not in self.schema:
                # kept for the version that knows it, unless it could not be written back
                if has_lone_surrogates([key, value]):
                    log.warning("unknown setting %r in %s is not valid Unicode; dropped", key, self.path)
                else:
                    self._unknown[key] = value
                continue
            try:
                self._values[key] = self.schema.spec(key).validate(value)
            except SettingValueError as exc:
                log.warning("setting %s in %s is unusable (%s); the default is used", key, self.path,
                            exc.reason)
                rejected.append(key)
        if rejected:
            self._notices.add("settings.values_reset", keys=", ".join(rejected))
        for key, value in state.items():
            if has_lone_surrogates([key, value]):
                log.warning("remembered state %r in %s is not valid Unicode; forgotten", key, self.path)
            else:
                self._state[key] = value

    def _move_aside(self, reason: str) -> None:
        target = aside_name(self.path, "corrupt", time.strftime("%Y%m%d-%H%M%S"))
        try:
            self.path.replace(target)
            log.warning("settings file %s %s; moved to %s, defaults are used", self.path, reason, target)
        except OSError as exc:
            log.error("settings file %s %s and could not be moved aside (%s)", self.path, reason, exc)
            target = self.path
        self._notices.add("settings.corrupt", path=target)

    def _save_collecting_error(self) -> SettingsError | None:
        if self._read_only:
            log.info("settings file %s could not be read at start; the change applies to this session only",
                     self.path)
            return None
        data = {
            "version": FILE_VERSION,
            "settings": {**self._unknown, **self._values},
            "state": self._state,
        }
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if self._writer is not None:  # one thread, in order: the last write holds the last values
            self._writer.submit(self._write, text, True)
            return None
        return self._write(text)

    def _write(self, text: str, report: bool = False) -> SettingsError | None:
        try:
            write_atomic(self.path, text.encode("utf-8"))
        except OSError as exc:
            log.error("cannot write settings file %s: %s", self.path, exc)
            if report:
                self._notices.add("settings.save_failed", path=self.path)
            return SettingsError("settings.save_failed", str(exc), path=self.path)
        return None

    def close(self) -> None:
        """Wait until every change is on disk."""
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    def _notify(self, changed: dict[str, Any]) -> None:
        with self._lock:
            observers = list(self._observers)
        for key, value in changed.items():
            for callback in observers:
                try:
                    callback(key, _copy(value))
                except Exception:
                    # one broken listener must not stop the others from hearing about the change
                    log.exception("settings observer %r failed for %s", callback, key)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(v) if isinstance(v, dict) else v for v in value]
    if isinstance(value, dict):
        return dict(value)
    return value


# -- what the rest of the app builds from the settings --


def generation_params(settings: SettingsStore) -> GenerationParams:
    return GenerationParams(
        temperature=settings.get("generation.temperature"),
        top_p=settings.get("generation.top_p"),
        top_k=settings.get("generation.top_k"),
        repeat_penalty=settings.get("generation.repeat_penalty"),
        max_tokens=settings.get("generation.max_tokens"),
    )


def load_params(settings: SettingsStore, model: str = "") -> LoadParams:
    """Load parameters for local engines; the remote engine's URL and key are filled in by the caller."""
    threads = settings.get("llamacpp.threads")
    return LoadParams(
        model=model,
        n_ctx=settings.get("generation.context_length"),
        device=settings.get("llamacpp.device"),
        n_gpu_layers=settings.get("llamacpp.gpu_layers"),
        n_threads=threads or None,
        n_batch=settings.get("llamacpp.batch_size"),
        flash_attn=settings.get("llamacpp.flash_attention"),
        kv_cache_type=settings.get("llamacpp.kv_cache_type"),
        tensor_overrides=(EXPERTS_IN_RAM,) if settings.get("llamacpp.experts_in_ram") else (),
        prompt_lookup=settings.get("llamacpp.prompt_lookup"),
        draft_model=settings.get("llamacpp.draft_model"),
        registry_file=str(AppPaths.default().registry_file),
        state_cache=settings.get("llamacpp.state_cache"),
        state_cache_dir=str(AppPaths.default().kv_states_dir),
        state_cache_disk_mb=settings.get("llamacpp.state_cache_disk_mb"),
        state_cache_memory_mb=settings.get("llamacpp.state_cache_memory_mb"),
        words_per_second=settings.get("simulator.words_per_second"),
    )


def models_dir(settings: SettingsStore, paths: AppPaths) -> Path:
    """The models folder, always absolute (the schema refuses a relative one)."""
    folder = settings.get("general.models_folder")
    return (Path(folder).expanduser() if folder else paths.default_models_dir).absolute()
