"""The terminal and the window read one settings file: the same models folder, quantisation and
generation defaults. Each CLI run is a real process with DEEPSEEK_DESKTOP_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.core.settings_store import SettingsStore, models_dir

CLI = [sys.executable, "-m", "deepseek_desktop"]


def cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=180, env=env)


def write_settings(values: dict) -> AppPaths:
    paths = AppPaths.default()  # DEEPSEEK_DESKTOP_HOME, set for every test by conftest
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"version": 1, "settings": values}), encoding="utf-8")
    return paths


def test_models_commands_use_the_models_folder_of_the_settings(tmp_path: Path):
    folder = tmp_path / "my models"
    paths = write_settings({"general.models_folder": str(folder)})
    r = cli("models", "list", "--json")
    assert r.returncode == 0, r.stderr
    assert Path(json.loads(r.stdout)["models_dir"]) == models_dir(SettingsStore(paths.settings_file), paths)
    assert Path(json.loads(r.stdout)["models_dir"]) == folder
    r = cli("models", "list", "--json", "--dir", str(tmp_path / "other"))
    assert Path(json.loads(r.stdout)["models_dir"]) == tmp_path / "other"  # an explicit --dir still wins


def test_a_damaged_settings_file_is_one_warning_line(tmp_path: Path):
    paths = AppPaths.default().ensure()
    paths.settings_file.write_text("{not json", encoding="utf-8")
    r = cli("models", "list", "--json")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("deepseek-desktop: warning:")]
    assert len(warnings) == 1 and "damaged" in warnings[0] and "Traceback" not in r.stderr
    assert Path(json.loads(r.stdout)["models_dir"]) == paths.default_models_dir


def test_one_default_quantisation_for_a_bare_model_id():
    from deepseek_desktop.models.catalog import load_catalog
    from deepseek_desktop.models.hardware import probe_hardware
    from deepseek_desktop.models.recommend import candidates, default_download, recommend, resolve_download

    catalog, hw = load_catalog(), probe_hardware()
    every = candidates(catalog, hw, 4096)
    small = catalog.get("deepseek-r1-distill-qwen-1.5b")
    model, chosen = resolve_download(catalog, small.id, every)
    assert model is small and chosen is default_download(small, every)
    per_purpose = recommend(catalog, hw, 4096).per_purpose["reasoning"]
    if per_purpose.model is small:  # the recommendation and the default download agree
        assert chosen.quant == per_purpose.quant
    # Nothing judged (or nothing that runs): the usual Q4_K_M
    assert default_download(small).quant == "Q4_K_M"
    huge = catalog.get("deepseek-r1")
    assert default_download(huge, [c for c in every if c.model is huge and not c.fit.runs]).quant == "Q4_K_M"
