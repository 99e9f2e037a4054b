"""The GPU pack: fetched from the release (here: the local hub's release route), checked, unpacked into the
data folder, and loaded by the engine when it next starts.

No CUDA here, so the pack carries another real ggml backend library that the app's own llama.cpp leaves
out: the RPC backend of the machine's llama.cpp build, zipped by the workflow's own packaging code
(``packaging/gpu_pack.py``). The engine loading it proves the path a CUDA pack takes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hub_server import HubServer

from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.models.downloads.gpu_packs import (
    PACKS_URL_ENV,
    fetch_manifest,
    install_pack,
    installed_pack_dirs,
    known_pack_size,
    pack_for,
    packs_url,
)
from deepseek_desktop.models.errors import DownloadError
from deepseek_desktop.models.hardware import pack_platform

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
REPO, TAG = "deepseek-desktop/deepseek-desktop", "v0.1.0"


@pytest.fixture
def release(rpc_pack, monkeypatch):
    archive, entry = rpc_pack
    hub = HubServer().start()
    manifest = json.dumps({"format": 1, "packs": [entry]}).encode()
    url = hub.add_release(REPO, TAG, {archive.name: archive, "gpu-packs.json": manifest})
    monkeypatch.setenv(PACKS_URL_ENV, url)
    yield hub, url, archive, entry
    hub.stop()


def engine_report(env_home: Path) -> dict:
    r = subprocess.run([sys.executable, "-m", "deepseek_desktop.engine_host", "--devices"], capture_output=True,
                       text=True, timeout=600, env=dict(os.environ, DEEPSEEK_DESKTOP_HOME=str(env_home)))
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_the_pack_is_downloaded_checked_unpacked_and_loaded(release, app_home):
    import llama_cpp

    hub, url, archive, entry = release
    paths = AppPaths.default().ensure()
    assert packs_url("0.1.0") == url
    before = engine_report(app_home)
    assert "RPC" not in before["backends"] and before["packs"] == []  # the app's own llama.cpp leaves it out

    packs = fetch_manifest(url, paths.cache_dir)
    pack = pack_for(packs, pack_platform(), llama_cpp.__version__)
    assert pack is not None and pack.sha256 == entry["sha256"]
    assert known_pack_size(paths.cache_dir) == archive.stat().st_size  # the hint can name the size offline
    seen = []
    info = install_pack(pack, url, paths.gpu_packs_dir, paths.cache_dir, progress=seen.append)
    assert info.name == "rpc" and (paths.gpu_packs_dir / "rpc" / info.backends[0]).is_file()
    assert seen and seen[-1].phase == "done"
    assert not list(paths.cache_dir.rglob("*.zip")), "the archive is removed once unpacked"
    assert installed_pack_dirs(paths.gpu_packs_dir, llama_cpp.__version__) == [paths.gpu_packs_dir / "rpc"]

    after = engine_report(app_home)
    assert after["packs"] == ["rpc"] and "RPC" in after["backends"], after


def test_a_bad_hash_is_refused_and_nothing_is_installed(release, app_home):
    import llama_cpp

    hub, url, archive, entry = release
    paths = AppPaths.default().ensure()
    (pack,) = fetch_manifest(url, paths.cache_dir)
    wrong = type(pack)(**{**pack.to_dict(), "sha256": hashlib.sha256(b"something else").hexdigest()})
    with pytest.raises(DownloadError) as caught:
        install_pack(wrong, url, paths.gpu_packs_dir, paths.cache_dir)
    assert caught.value.message_id == "download.checksum_mismatch"
    assert installed_pack_dirs(paths.gpu_packs_dir, llama_cpp.__version__) == []
    assert not list(paths.cache_dir.rglob("*.part"))


def test_a_stopped_download_resumes_where_it_stopped(release, app_home, monkeypatch):
    import threading

    from deepseek_desktop.models.errors import Cancelled

    hub, url, archive, entry = release
    paths = AppPaths.default().ensure()
    (pack,) = fetch_manifest(url, paths.cache_dir)
    hub.behaviour.throttle = 256 * 1024  # bytes per second: the download takes several seconds
    cancel, box = threading.Event(), {}

    def progress(event) -> None:
        if event.done >= 256 * 1024:
            cancel.set()  # the user stops it (or the app is closed) a quarter of the way

    def run() -> None:
        try:
            install_pack(pack, url, paths.gpu_packs_dir, paths.cache_dir, progress=progress, cancel=cancel)
        except Cancelled as exc:
            box["stopped"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert "stopped" in box
    (part,) = paths.cache_dir.rglob("*.part")
    kept = part.stat().st_size
    assert 0 < kept < archive.stat().st_size
    hub.behaviour.throttle = None
    install_pack(pack, url, paths.gpu_packs_dir, paths.cache_dir)
    assert hub.ranges()[-1] == f"bytes={kept}-"
    assert (paths.gpu_packs_dir / "rpc" / "pack.json").is_file()


def test_a_hostile_zip_installs_nothing(release, app_home, tmp_path):
    hub, url, archive, entry = release
    paths = AppPaths.default().ensure()
    evil = tmp_path / archive.name
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("rpc/pack.json", "{}")
        zf.writestr("../outside.so", b"x")
    digest = hashlib.sha256(evil.read_bytes()).hexdigest()
    bad_url = hub.add_release(REPO, "v9", {evil.name: evil, "gpu-packs.json": json.dumps(
        {"packs": [{**entry, "size": evil.stat().st_size, "sha256": digest}]}).encode()})
    (pack,) = fetch_manifest(bad_url, paths.cache_dir)
    with pytest.raises(DownloadError) as caught:
        install_pack(pack, bad_url, paths.gpu_packs_dir, paths.cache_dir)
    assert caught.value.message_id == "gpu_pack.damaged"
    assert not (paths.gpu_packs_dir / "rpc").exists() and not (tmp_path.parent / "outside.so").exists()


def test_a_pack_for_another_version_is_not_loaded(app_home, tmp_path):
    root = tmp_path / "gpu-packs"
    (root / "old").mkdir(parents=True)
    (root / "old" / "pack.json").write_text(json.dumps({"name": "old", "backend": "CUDA", "platform": pack_platform(),
                                                        "llama_cpp_python": "0.0.1", "backends": ["x.so"]}))
    (root / "broken").mkdir()
    (root / "broken" / "pack.json").write_text("{not json")
    assert installed_pack_dirs(root, "0.3.36") == []
