"""The versions the app runs on: pyproject.toml's ranges, the lock that installs them, and the engine's
one line when another llama-cpp-python is installed."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from deepseek_desktop.cli.main import main
from deepseek_desktop.core.errors import EngineError
from deepseek_desktop.engines import registry

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCK_LINE = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)(?:\s*;\s*(.+?))?\s*\\?$")


def requirements() -> list[Requirement]:
    out = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in PROJECT["optional-dependencies"].values():
        out += [Requirement(r) for r in extra]
    return out


def lock_entries(name: str) -> list[tuple[str, str, list[str]]]:
    """(name, version, hashes) of every pin in requirements/<name>.txt."""
    entries: list[tuple[str, str, list[str]]] = []
    for line in (ROOT / "requirements" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        m = LOCK_LINE.match(line)
        if m:
            entries.append((canonicalize_name(m.group(1)), m.group(2), []))
        elif line.strip().startswith("--hash=sha256:") and entries:
            entries[-1][2].append(line.strip().split(":", 1)[1].rstrip(" \\"))
    return entries


def test_the_engine_and_pyproject_name_the_same_llama_cpp_python_range():
    llama = [r for r in requirements() if canonicalize_name(r.name) == "llama-cpp-python"]
    assert len(llama) == 2  # the engine and the test server (extra "server")
    assert {str(r.specifier) for r in llama} == {str(Requirement("x" + registry.LLAMA_CPP_PYTHON).specifier)}


def test_every_requirement_is_locked_within_its_range_with_hashes():
    locked: dict[str, list[str]] = {}
    for name, version, hashes in lock_entries("lock"):
        assert hashes, f"{name}=={version} has no hash"
        locked.setdefault(name, []).append(version)
    for req in requirements():
        versions = locked.get(canonicalize_name(req.name))
        assert versions, f"{req.name} is not in requirements/lock.txt: run make lock"
        assert any(req.specifier.contains(v, prereleases=True) for v in versions), (
            f"requirements/lock.txt has {req.name} {versions}, outside {req.specifier}: run make lock")


def test_the_build_tools_are_locked_with_hashes():
    names = {name for name, _version, hashes in lock_entries("build") if hashes}
    assert {"pip", "setuptools", "wheel", "scikit-build-core"} <= names


def test_this_environment_runs_a_llama_cpp_python_the_engine_supports():
    assert registry.version_fits(metadata.version("llama-cpp-python"), registry.LLAMA_CPP_PYTHON)


@pytest.fixture
def llama_cpp_python_0_2_90(monkeypatch):
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda dist: "0.2.90" if dist == "llama-cpp-python" else real(dist))


def test_another_llama_cpp_python_gets_one_line_naming_the_release_the_engine_needs(llama_cpp_python_0_2_90):
    with pytest.raises(EngineError) as info:
        registry.create_engine("llamacpp")
    assert info.value.message_id == "engine.wrong_version"
    assert info.value.user_text() == (
        f"The llamacpp engine needs llama-cpp-python {registry.LLAMA_CPP_PYTHON}, but 0.2.90 is installed.")


def test_doctor_says_which_llama_cpp_python_the_engine_needs(llama_cpp_python_0_2_90, capsys, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("DEEPSEEK_DESKTOP_HOME", str(tmp_path))
    assert main(["doctor", "--dir", str(tmp_path / "models")]) == 0
    out = capsys.readouterr().out
    needs = f"llama-cpp-python {registry.LLAMA_CPP_PYTHON}"
    assert f"Engine llamacpp: 0.2.90 (not supported: the engine needs {needs})" in out


def test_the_supported_release_passes_the_check():
    assert registry.version_fits("0.3.36", registry.LLAMA_CPP_PYTHON)
    assert not registry.version_fits("0.4.0", registry.LLAMA_CPP_PYTHON)
    assert not registry.version_fits("not a version", registry.LLAMA_CPP_PYTHON)
