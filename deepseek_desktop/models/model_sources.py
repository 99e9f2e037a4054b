"""The models the toolbar offers: installed ones (the model manager's registry), remote endpoints from
the settings, and the simulator; and the load parameters for each."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..core.model_choice import ModelChoice
from ..core.requests import LoadParams
from ..core.settings.store import SettingsStore, load_params, models_dir
from ..core.vocabulary import Engine

SIMULATOR = ModelChoice(Engine.SIMULATOR, "", "Simulator")


def remote_choices(settings: SettingsStore) -> list[ModelChoice]:
    out = []
    for ep in settings.get("remote.endpoints") or []:
        label = f"{ep['name']} · {ep['model']}" if ep.get("model") else ep["name"]
        out.append(ModelChoice(Engine.REMOTE, ep.get("model", ""), label, base_url=ep["base_url"], endpoint=ep["name"]))
    return out


def installed_choices(paths, settings: SettingsStore) -> list[ModelChoice]:
    """Installed models from the registry (runs on a worker thread: it reads files)."""
    from .local.registry import registry_for

    registry = registry_for(paths, models_dir(settings, paths))
    return [ModelChoice(m.engine, str(m.path), m.name, size_bytes=m.size)
            for m in registry.list() if m.present and m.engine in (Engine.LLAMACPP, Engine.MLX)]


def downloaded_paths(paths, settings: SettingsStore) -> set[str]:
    """The installed models this app downloaded (their registry entry names the Hub repository they came
    from): an incomplete one of these can be downloaded again. Runs on a worker thread."""
    from .local.registry import registry_for

    registry = registry_for(paths, models_dir(settings, paths))
    return {str(m.path) for m in registry.list() if m.source.startswith("hub:")}


def params_for(choice: ModelChoice, settings: SettingsStore, api_key: str = "") -> LoadParams:
    params = load_params(settings, choice.model)
    if choice.engine is Engine.REMOTE:
        params = replace(params, base_url=choice.base_url, api_key=api_key)
    return params


def choice_to_state(choice: ModelChoice) -> dict:
    return {"engine": choice.engine, "model": choice.model, "label": choice.label,
            "base_url": choice.base_url, "endpoint": choice.endpoint}


def choice_from_state(data: object) -> ModelChoice | None:
    if not isinstance(data, dict) or "engine" not in data:
        return None
    try:
        choice = ModelChoice(**{k: str(v) for k, v in data.items() if k in
                                ("engine", "model", "label", "base_url", "endpoint")})
    except (TypeError, ValueError):  # a field missing, or a word that is no engine (an older or newer app's)
        return None
    if choice.engine.runs_files and not Path(choice.model).exists():
        return None  # the file was moved or deleted since
    return choice


def initial_choice(choices: list[ModelChoice], last_state: object, default_engine: str) -> ModelChoice:
    """The model to load at start from ``choices``: the last one used (``last_state``, as ``choice_to_state``
    saved it) if it is still offered, else the first of ``default_engine`` ("auto": any engine but the
    simulator), else the simulator."""
    last = choice_from_state(last_state)
    if last is not None and any(c.key == last.key for c in choices):
        return next(c for c in choices if c.key == last.key)
    for c in choices:
        if default_engine in (c.engine, "auto") and c.engine is not Engine.SIMULATOR:
            return c
    return SIMULATOR
