"""make package on Linux, for real: freeze the checkout, build the .deb, install it with apt-get, use only
the installed files (the workflow's smoke test: CLI, simulator in German and English, the Gemma GGUF
through the frozen engine host, the window offscreen; the Gemma GGUF on the best CPU variant and on lavapipe's
Vulkan device; then the desktop's MIME and default-app answers), then remove it and find nothing left.

Slow (a PyInstaller build), and it installs a system package: it runs as root (CI, this machine). Without
root it unpacks the .deb into a scratch root with dpkg-deb and checks the same files there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import THREADS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

from deepseek_desktop import __version__  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("dpkg-deb"),
                       reason="the .deb is built on Debian-like Linux"),
]
TOOLS = ("desktop-file-validate", "appstreamcli", "xdg-mime", "mimetype", "update-mime-database",
         "update-desktop-database")
DEB_LIMIT = 120 * 1000 * 1000
IS_ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> Path:
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        pytest.fail(f"make sysdeps installs {missing}")
    import linux_deb
    from make_packages import freeze

    dist = tmp_path_factory.mktemp("dist")
    frozen = freeze(dist=dist)
    return linux_deb.build_deb(frozen, out_dir=dist, level=1)  # the release's xz -6 is only smaller


def apt(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # another apt-get (a test beside this one, the system's own) holds dpkg's lock: wait for it
    return subprocess.run(["apt-get", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", *args],
                          env=env, capture_output=True, text=True, timeout=600)


def package_installed() -> bool:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "deepseek-desktop"], capture_output=True, text=True)
    return "install ok installed" in out.stdout


@pytest.fixture(scope="module")
def installed(deb, tmp_path_factory):
    """The prefix the package's files are in: / after apt-get install, or a scratch root."""
    if IS_ROOT:
        if package_installed():  # left by an earlier run: same version would not be reinstalled
            assert apt("purge", "deepseek-desktop").returncode == 0
        r = apt("install", str(deb))
        assert r.returncode == 0, r.stdout + r.stderr
        files = subprocess.run(["dpkg-query", "-L", "deepseek-desktop"], capture_output=True, text=True,
                               check=True).stdout.split()
        yield Path("/"), files
        return
    scratch = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(scratch)], check=True)
    share = scratch / "usr" / "share"
    subprocess.run(["update-mime-database", str(share / "mime")], check=True)
    subprocess.run(["update-desktop-database", str(share / "applications")], check=True)
    yield scratch, []


def test_the_deb_is_small_enough(deb):
    assert deb.name == f"deepseek-desktop_{__version__}_{linux_arch()}.deb"
    assert deb.stat().st_size <= DEB_LIMIT, f"{deb.stat().st_size / 1e6:.1f} MB"
    info = subprocess.run(["dpkg-deb", "--field", str(deb), "Version", "Depends"], capture_output=True, text=True,
                          check=True).stdout
    assert f"Version: {__version__}" in info and "libxcb-cursor0" in info


def linux_arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()


def test_the_installed_app_passes_the_workflows_smoke_test(installed, gemma_path, tmp_path):
    """packaging/smoke_test.py, as the packages workflow runs it after installing each package: --version,
    simulator chats in German and English, the Gemma GGUF through the frozen engine host (the app starting
    itself with --engine-host), doctor, the window offscreen."""
    prefix, _ = installed
    if prefix == Path("/"):
        assert shutil.which("deepseek-desktop") == "/usr/bin/deepseek-desktop"
        exe = "/usr/bin/deepseek-desktop"
    else:
        exe = str(prefix / "opt" / "deepseek-desktop" / "deepseek-desktop")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "LANG": "C.UTF-8", "TMPDIR": str(tmp_path)}
    r = subprocess.run([sys.executable, str(ROOT / "packaging" / "smoke_test.py"), "--cli", exe,
                        "--model", str(gemma_path)], env=env, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    steps = [line for line in r.stdout.splitlines() if line.startswith("ok ")]
    assert len(steps) == 6 and r.stdout.rstrip().endswith("smoke test passed"), r.stdout


def run_installed(prefix: Path, *args: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    exe = "deepseek-desktop" if prefix == Path("/") else str(prefix / "opt" / "deepseek-desktop" / "deepseek-desktop")
    # only the installed files: no checkout, no virtualenv on any path
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "DEEPSEEK_DESKTOP_HOME": str(home / "app"),
           "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=home)


def app_lib_dir(prefix: Path) -> Path:
    return prefix / "opt" / "deepseek-desktop" / "_internal" / "llama_cpp" / "lib"


def best_variant(lib: Path) -> str:
    """The CPU variant with the highest score on this CPU, each variant asked itself."""
    import ctypes

    scores = {}
    for path in lib.glob("libggml-cpu-*.so"):
        so = ctypes.CDLL(str(path))
        so.ggml_backend_score.restype = ctypes.c_int
        scores[path.stem.removeprefix("libggml-cpu-")] = so.ggml_backend_score()
    return max(scores, key=scores.get)


def test_the_package_carries_the_cpu_variants_and_vulkan(installed):
    prefix, _ = installed
    lib = app_lib_dir(prefix)
    variants = sorted(p.name for p in lib.glob("libggml-cpu-*.so"))
    # Every variant of the build (a release: all fourteen; make's: the baseline and this CPU's best).
    import llama_cpp.llama_cpp as lowlevel

    built = sorted(p.name for p in Path(lowlevel._base_path).glob("libggml-cpu-*.so"))
    assert variants == built and "libggml-cpu-x64.so" in variants and len(variants) >= 2
    assert (lib / "libggml-vulkan.so").is_file() and (lib / "libllama.so").is_file()
    bundled = {p.name for p in (prefix / "opt" / "deepseek-desktop").rglob("libvulkan.so*")}
    assert bundled == set(), "the Vulkan loader is the system's (the .deb recommends libvulkan1)"


def installed_chat(prefix: Path, gemma_path: Path, home: Path, *flags: str) -> dict:
    r = run_installed(prefix, "chat", "--model", str(gemma_path), "--prompt", "The capital of France is", "--json",
                      "--max-tokens", "8", "--temperature", "0", "--ctx", "1024", *flags, home=home)
    assert r.returncode == 0, r.stderr[-3000:]
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert any(e["type"] == "text" for e in events)
    return next(e for e in events if e["type"] == "loaded")


def test_the_installed_app_answers_on_the_best_cpu_variant_and_on_vulkan(installed, gemma_path, tmp_path):
    prefix, _ = installed
    loaded = installed_chat(prefix, gemma_path, tmp_path, "--threads", str(THREADS))
    assert loaded["cpu_variant"] == best_variant(app_lib_dir(prefix)) and loaded["placement"]["devices"] == []
    r = run_installed(prefix, "doctor", "--json", home=tmp_path)
    devices = json.loads(r.stdout)["hardware"]["devices"]
    soft = [d for d in devices if d["software"] and d["backend"] == "Vulkan"]
    if not soft:
        pytest.skip("no software Vulkan device here (make sysdeps installs mesa-vulkan-drivers)")
    on_gpu = installed_chat(prefix, gemma_path, tmp_path, "--device", soft[0]["device"], "--threads", str(THREADS))
    where = on_gpu["placement"]
    assert where["backend"] == "Vulkan" and where["gpu_layers"] == where["layers"], where


def test_the_desktop_knows_gguf_files(installed, tmp_path):
    prefix, _ = installed
    share = prefix / "usr" / "share"
    app_id = "io.github.deepseekdesktop.DeepSeekDesktop"
    desktop = share / "applications" / f"{app_id}.desktop"
    subprocess.run(["desktop-file-validate", str(desktop)], check=True)
    subprocess.run(["appstreamcli", "validate", "--no-net", str(share / "metainfo" / f"{app_id}.metainfo.xml")],
                   check=True)
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{app_id}.svg").exists()
    model = tmp_path / "x.gguf"
    model.write_bytes(b"GGUF\3\0\0\0" + bytes(64))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_DIRS": f"{share}:/usr/share"}
    ftype = subprocess.run(["xdg-mime", "query", "filetype", str(model)], env=env, capture_output=True, text=True)
    assert ftype.stdout.strip() == "application/x-gguf", ftype
    default = subprocess.run(["xdg-mime", "query", "default", "application/x-gguf"], env=env, capture_output=True,
                             text=True)
    assert default.stdout.strip() == f"{app_id}.desktop", default


def test_removing_the_package_leaves_nothing(installed):
    """Last in this file: it removes what the tests above installed."""
    prefix, files = installed
    if prefix != Path("/"):
        pytest.skip("without root nothing was installed")
    r = apt("purge", "deepseek-desktop")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not package_installed()
    left = [f for f in files if f.startswith(("/opt", "/usr")) and Path(f).exists() and not Path(f).is_dir()]
    assert left == []
    assert not Path("/opt/deepseek-desktop").exists()
    assert not Path("/usr/share/mime/application/x-gguf.xml").exists(), "the MIME database was refreshed"
    mime_cache = Path("/usr/share/applications/mimeinfo.cache")
    assert not mime_cache.exists() or "deepseekdesktop" not in mime_cache.read_text()
