"""The GitHub workflows as data: what actionlint (make lint) cannot know is our rule. Actions pinned by
commit, a read-only token except where a release is made, no checkout token left behind, secrets only on
the steps that sign, uploads that fail when a file is missing, PowerShell steps that stop at a failing
program, and every package installed and run before it is uploaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, job, step


@pytest.fixture(scope="module")
def packages() -> dict:
    return load("packages.yml")


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_actions_are_pinned_by_commit_with_the_version_beside_it(name):
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, rest in uses:
        assert PINNED.match(action), action
        assert re.match(r"\s+# v\d+\.\d+\.\d+$", rest), f"{action}: say which version the commit is"
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    for _, _, step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_only_the_release_job_may_write_and_only_on_a_tag(packages):
    writers = {name: job for name, job in packages["jobs"].items() if "permissions" in job}
    assert list(writers) == ["release"]
    release = writers["release"]
    assert release["permissions"] == {"contents": "write"}
    assert release["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert sorted(release["needs"]) == ["cuda-pack-linux", "cuda-pack-windows", "linux", "macos", "windows"]
    run = "\n".join(step.get("run", "") for step in release["steps"])
    assert "sha256sum" in run and "SHA256SUMS.txt" in run and "gh release create" in run


def test_secrets_reach_only_the_steps_that_sign(packages):
    for job in packages["jobs"].values():
        for key, value in job.get("env", {}).items():  # a job may know whether a secret is set, not its value
            if "secrets." in str(value):
                assert re.fullmatch(r"\$\{\{ (secrets\.\w+ != '' && )*secrets\.\w+ != '' \}\}", value), key
    for job_name, _, step in steps(packages):
        texts = [str(v) for v in step.get("env", {}).values()] + [str(step.get("run", "")),
                                                                   str(step.get("with", ""))]
        if any("secrets." in t for t in texts):
            assert "sign" in step["name"].lower(), (job_name, step["name"])


def test_uploads_fail_when_a_file_is_missing(packages):
    uploads = [step for _, _, step in steps(packages) if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 5  # the three packages and the two GPU packs
    assert all(step["with"]["if-no-files-found"] == "error" for step in uploads)


def test_powershell_steps_stop_at_a_failing_command(packages):
    windows = packages["jobs"]["windows"]
    assert windows["defaults"]["run"]["shell"] == "pwsh"
    for step in windows["steps"]:
        run = step.get("run")
        if not run:
            continue
        assert run.startswith("$ErrorActionPreference = 'Stop'\n"), step["name"]
        native = re.search(r"^\s*(python|npm|pip)\b", run, re.M)
        if native:
            assert "$PSNativeCommandUseErrorActionPreference = $true" in run, step["name"]
        for started in re.findall(r"\$(\w+) = Start-Process", run):
            assert f"${started}.ExitCode -ne 0" in run, step["name"]


def test_each_package_is_installed_and_its_app_run_before_the_upload(packages):
    for job_name in ("linux", "macos", "windows"):
        job = packages["jobs"][job_name]
        names = [step.get("name", step.get("uses", "")) for step in job["steps"]]
        runs = [str(step.get("run", "")) for step in job["steps"]]
        installs = [i for i, n in enumerate(names) if n.startswith("Install") and "as a user would" in n]
        smoke = [i for i, r in enumerate(runs) if "packaging/smoke_test.py" in r and "--model gemma" in r]
        upload = [i for i, n in enumerate(names) if n.startswith("actions/upload-artifact@")]
        assert installs and smoke and upload, job_name
        assert installs[0] < smoke[0] < upload[0], job_name
    windows_smoke = next(r for r in map(str, (s.get("run", "") for s in packages["jobs"]["windows"]["steps"]))
                         if "smoke_test.py" in r)
    assert "--window" in windows_smoke and "DeepSeek Desktop.exe" in windows_smoke
    macos_smoke = next(str(s["run"]) for s in packages["jobs"]["macos"]["steps"] if "smoke_test.py" in s.get("run", ""))
    assert "--app" in macos_smoke and "--mlx" in macos_smoke


def test_llama_cpp_is_built_by_the_build_script_with_every_cpu_variant_and_vulkan(packages):
    """packaging/build_llama.py decides the flags (every CPU variant, never -march=native); CI adds only the
    Vulkan SDK where the system's headers are too old (Ubuntu 22.04) or missing (Windows)."""
    assert "LLAMA_X86_64" not in packages.get("env", {})
    for job_name in ("linux", "macos", "windows"):
        names = [s.get("name", "") for s in packages["jobs"][job_name]["steps"]]
        install = next(s for s in packages["jobs"][job_name]["steps"] if s.get("name") == "Install (from the lock)")
        assert "CMAKE_ARGS" not in install.get("env", {}), job_name
        if job_name != "macos":
            assert names.index(next(n for n in names if n.startswith("Vulkan SDK"))) < names.index(
                "Install (from the lock)"), job_name
    for job_name in ("cuda-pack-linux", "cuda-pack-windows"):
        runs = "\n".join(str(s.get("run", "")) for s in packages["jobs"][job_name]["steps"])
        assert "packaging/gpu_pack.py cuda" in runs, job_name
