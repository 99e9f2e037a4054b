"""Downloads through huggingface_hub from a real HTTP server on 127.0.0.1 that answers as the Hub does."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hub_server import HubServer
from hub_tmpfs import small_tmpfs_fixture  # noqa: F401 - the small_tmpfs fixture

from deepseek_desktop.models.catalogue.catalogue import load_catalogue
from deepseek_desktop.models.downloads.download import (
    STAGING,
    check_remote_name,
    download,
    partial_bytes,
    plan_files,
    plan_gguf,
)
from deepseek_desktop.models.errors import Cancelled, DownloadError, StorageError
from deepseek_desktop.models.local.inspection import check_mlx_folder
from deepseek_desktop.models.local.registry import ModelRegistry
from deepseek_desktop.models.storage import bytes_with_margin, format_bytes

REPO = "test-org/gemma-GGUF"
GEMMA_NAME = "gemma-3-270m-Q4_K_M.gguf"
DISTILL_REPO = "bartowski/DeepSeek-R1-Distill-Qwen-1.5B-GGUF"
DISTILL_FILE = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"


@pytest.fixture
def hub():
    server = HubServer().start()
    yield server
    server.stop()


@pytest.fixture
def models_dir(tmp_path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def registry(tmp_path, models_dir) -> ModelRegistry:
    return ModelRegistry(tmp_path / "installed.json", models_dir)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            h.update(block)
    return h.hexdigest()


def test_full_download_is_verified_placed_and_registered(hub, gemma_path, models_dir, registry):
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path, "README.md": b"# Gemma for tests\n"})
    plan = plan_files(REPO, [GEMMA_NAME], endpoint=hub.url)
    assert plan.files[0].sha256 == hub.hashes(REPO, GEMMA_NAME)[0], "the plan carries the Hub's LFS hash"
    events = []
    model = download(plan, models_dir, registry=registry, progress=events.append)

    target = models_dir / "test-org" / "gemma-GGUF" / GEMMA_NAME
    assert Path(model.path) == target.resolve()
    assert sha256(target) == hub.hashes(REPO, GEMMA_NAME)[0]
    assert model.format == "gguf" and model.engine == "llamacpp" and model.architecture == "gemma3"
    assert model.size == gemma_path.stat().st_size and model.quant == "Q4_K_M"
    assert registry.get(model.name).path == model.path
    assert not (models_dir / STAGING).exists(), "no partial files or notes are left behind"
    phases = [e.phase for e in events]
    assert phases[0] == "download" and phases[-1] == "done" and "verify" in phases
    done = [e.done for e in events if e.phase == "download"]
    assert done == sorted(done) and events[-1].done == events[-1].total == model.size
    assert all(e.file_count == 1 for e in events)


def test_catalogue_quant_downloads_the_listed_file(hub, gemma_path, models_dir, registry):
    hub.add_repo(DISTILL_REPO, {DISTILL_FILE: gemma_path})
    model = load_catalogue().get("deepseek-r1-distill-qwen-1.5b")
    plan = plan_gguf(model, model.quant("q4_k_m"), endpoint=hub.url)
    assert [f.name for f in plan.files] == [DISTILL_FILE]
    installed = download(plan, models_dir, registry=registry)
    assert installed.name == "deepseek-r1-distill-qwen-1.5b:Q4_K_M"
    assert installed.catalog_id == "deepseek-r1-distill-qwen-1.5b"
    assert installed.source == f"hub:{DISTILL_REPO}@{plan.revision}"


def test_cancel_keeps_the_partial_file_and_a_second_call_resumes_with_a_range(
        hub, gemma_path, models_dir, registry):
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path})
    hub.behaviour.throttle = 60_000_000
    plan = plan_files(REPO, [GEMMA_NAME], endpoint=hub.url)
    cancel = threading.Event()
    seen = [0]

    def progress(ev):
        if ev.phase == "download":
            seen[0] = max(seen[0], ev.done)
            if ev.done > 40_000_000:
                cancel.set()

    with pytest.raises(Cancelled) as info:
        download(plan, models_dir, registry=registry, progress=progress, cancel=cancel)
    assert info.value.message_id == "download.cancelled"
    kept = partial_bytes(plan, models_dir)
    # what is kept ends at the last chunk safely on disk: most of what arrived, never more
    assert 20_000_000 <= kept <= seen[0] < gemma_path.stat().st_size
    assert registry.list() == [], "nothing is installed before it is complete"
    assert not (models_dir / "test-org").exists()

    hub.behaviour.throttle = None
    model = download(plan, models_dir, registry=registry)
    assert hub.ranges()[-1] == f"bytes={kept}-", "the second run continues where the first stopped"
    assert sha256(Path(model.path)) == hub.hashes(REPO, GEMMA_NAME)[0]


def test_a_server_that_ignores_range_restarts_the_file_and_the_hash(hub, gemma_path, models_dir, registry):
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path})
    plan = plan_files(REPO, [GEMMA_NAME], endpoint=hub.url)
    cancel = threading.Event()
    hub.behaviour.throttle = 60_000_000
    with pytest.raises(Cancelled):
        download(plan, models_dir, progress=lambda ev: ev.done > 30_000_000 and cancel.set(), cancel=cancel)
    hub.behaviour.throttle, hub.behaviour.ignore_range = None, True
    model = download(plan, models_dir, registry=registry)
    assert hub.ranges()[-1] is not None, "a Range was asked for and ignored"
    assert sha256(Path(model.path)) == hub.hashes(REPO, GEMMA_NAME)[0]


def test_killed_process_resumes_where_it_stopped(hub, gemma_path, tmp_path, app_home):
    """The CLI is killed with SIGKILL mid-download; the next run continues the kept partial file."""
    hub.add_repo(DISTILL_REPO, {DISTILL_FILE: gemma_path})
    hub.behaviour.throttle = 30_000_000
    env = dict(os.environ, HF_ENDPOINT=hub.url, DEEPSEEK_DESKTOP_HOME=str(app_home))
    models = app_home / "data" / "models"
    part = models / STAGING / "bartowski" / "DeepSeek-R1-Distill-Qwen-1.5B-GGUF" / f"{DISTILL_FILE}.part"
    cmd = [sys.executable, "-m", "deepseek_desktop", "models", "download",
           "deepseek-r1-distill-qwen-1.5b:Q4_K_M", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (part.exists() and part.stat().st_size > 30_000_000):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the download did not start"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    kept = part.stat().st_size
    assert 30_000_000 < kept < gemma_path.stat().st_size

    hub.behaviour.throttle = None
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert hub.ranges()[-1] == f"bytes={kept}-"
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["type"] == "installed" and last["name"] == "deepseek-r1-distill-qwen-1.5b:Q4_K_M"
    assert sha256(Path(last["path"])) == hub.hashes(DISTILL_REPO, DISTILL_FILE)[0]
    assert not part.exists()


def test_checksum_mismatch_removes_the_file_and_says_so(hub, gemma_path, models_dir, registry):
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path}, corrupt=(GEMMA_NAME,))
    plan = plan_files(REPO, [GEMMA_NAME], endpoint=hub.url)
    with pytest.raises(DownloadError) as info:
        download(plan, models_dir, registry=registry)
    assert info.value.message_id == "download.checksum_mismatch"
    assert GEMMA_NAME in info.value.user_text() and "removed" in info.value.user_text()
    assert partial_bytes(plan, models_dir) == 0
    assert not list(models_dir.rglob("*.gguf*")), "the damaged file is gone, nothing was placed"
    assert registry.list() == []


def test_a_dropped_connection_is_resumed_by_range_and_verified(hub, gemma_path, models_dir, registry):
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path})
    hub.behaviour.drop_after, hub.behaviour.drop_times = 20_000_000, 1
    model = download(plan_files(REPO, [GEMMA_NAME], endpoint=hub.url), models_dir, registry=registry)
    ranges = hub.ranges()
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert int(ranges[1][6:-1]) <= 20_000_000
    assert sha256(Path(model.path)) == hub.hashes(REPO, GEMMA_NAME)[0]


def test_a_server_that_keeps_dropping_gives_a_clear_error_and_keeps_the_partial(
        hub, gemma_path, models_dir, registry):
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path})
    plan = plan_files(REPO, [GEMMA_NAME], endpoint=hub.url)
    hub.behaviour.drop_after, hub.behaviour.drop_times = 0, 1000
    with pytest.raises(DownloadError) as info:
        download(plan, models_dir, registry=registry)
    assert info.value.message_id == "download.interrupted" and info.value.partial_kept
    assert "resume" in info.value.user_text()
    assert registry.list() == []


def test_no_network(models_dir, registry):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError) as info:
        plan_files(REPO, [GEMMA_NAME], endpoint=f"http://127.0.0.1:{port}")
    assert info.value.message_id == "download.no_network"
    assert f"127.0.0.1:{port}" in info.value.user_text()
    assert not models_dir.exists()


def test_refused_and_unknown_repositories(hub):
    hub.add_repo(REPO, {"a.gguf": b"GGUF" * 10})
    hub.behaviour.refuse.add(REPO)
    with pytest.raises(DownloadError) as info:
        plan_files(REPO, endpoint=hub.url)
    assert info.value.message_id == "download.refused" and REPO in info.value.user_text()
    with pytest.raises(DownloadError) as info:
        plan_files("nobody/nothing", endpoint=hub.url)
    assert info.value.message_id == "download.repo_not_found"
    hub.behaviour.refuse.clear()
    with pytest.raises(DownloadError) as info:
        plan_files(REPO, ["missing.gguf"], endpoint=hub.url)
    assert info.value.message_id == "download.file_not_found"


def big_gguf(path: Path, fill: float) -> Path:
    """A valid GGUF of a few megabytes (several download chunks)."""
    import numpy as np
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), "llama")
    writer.add_block_count(1)
    for i in range(3):
        writer.add_tensor(f"blk.0.t{i}.weight", np.full((512, 1024), fill + i, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_a_changed_file_on_the_hub_restarts_instead_of_resuming(hub, models_dir, registry, tmp_path):
    old, new = big_gguf(tmp_path / "old.gguf", 1.0), big_gguf(tmp_path / "new.gguf", 2.0)
    hub.add_repo(REPO, {"m.gguf": old})
    plan = plan_files(REPO, ["m.gguf"], endpoint=hub.url)
    cancel = threading.Event()
    hub.behaviour.throttle = 4_000_000
    with pytest.raises(Cancelled):
        download(plan, models_dir, progress=lambda ev: ev.done > 2_500_000 and cancel.set(), cancel=cancel)
    assert partial_bytes(plan, models_dir) > 0
    hub.behaviour.throttle = None
    hub.add_repo(REPO, {"m.gguf": new})
    model = download(plan_files(REPO, ["m.gguf"], endpoint=hub.url), models_dir, registry=registry)
    assert hub.ranges()[-1] is None, "different content upstream: the old part is not continued"
    assert Path(model.path).read_bytes() == new.read_bytes()


def test_whole_mlx_repository(hub, tmp_path, models_dir, registry):
    pytest.importorskip("mlx_lm")
    from mlx_tiny_model import build_tiny_deepseek

    folder = build_tiny_deepseek(tmp_path / "tiny")
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    assert any(p.stat().st_size < 1024 for p in files.values()), "small files are checked by git blob id"
    hub.add_repo("mlx-community/tiny-deepseek-4bit", {**files, ".gitattributes": b"*.safetensors lfs\n"})
    plan = plan_files("mlx-community/tiny-deepseek-4bit", kind="mlx", endpoint=hub.url)
    assert ".gitattributes" not in [f.name for f in plan.files]
    model = download(plan, models_dir, registry=registry)
    assert model.format == "mlx" and model.engine == "mlx"
    check_mlx_folder(model.path)
    for name, src in files.items():
        assert (Path(model.path) / name).read_bytes() == src.read_bytes()


def test_space_is_checked_before_any_byte(hub, gemma_path, tmp_path, registry, small_tmpfs):
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path})
    plan = plan_files(REPO, [GEMMA_NAME], endpoint=hub.url)
    folder = small_tmpfs(size="64m", inodes=1000)
    with pytest.raises(StorageError) as info:
        download(plan, folder, registry=registry)
    assert info.value.message_id == "storage.no_space"
    text = info.value.user_text()
    assert str(folder) in text and "MB needed" in text and "free" in text
    assert info.value.needed_bytes > gemma_path.stat().st_size > info.value.free_bytes
    assert not (folder / STAGING).exists() and hub.ranges() == []

    few_inodes = small_tmpfs(size="600m", inodes=8)
    with pytest.raises(StorageError) as info:
        download(plan, few_inodes, registry=registry)
    assert info.value.message_id == "storage.no_inodes" and hub.ranges() == []


@pytest.mark.parametrize("name", [
    "../../../../victim.gguf", "/etc/victim.gguf", "sub/../../x.gguf", "sub\\..\\x.gguf", "C:/x.gguf",
    "C:x.gguf", "a//b.gguf", "./x.gguf", "", "x.gguf/..", "bad\x1b[2Jname.gguf", "CON/x.gguf",
])
def test_unsafe_listed_names_are_refused(name):
    with pytest.raises(DownloadError) as info:
        check_remote_name("org/repo", name)
    assert info.value.message_id == "download.unsafe_name"
    assert "\x1b" not in info.value.user_text(), "the name is shown escaped, not sent to the terminal"


@pytest.mark.parametrize("name", ["model.gguf", "Q4_K_M/model-00001-of-00002.gguf", "a.b/c..d.json"])
def test_plain_names_pass(name):
    check_remote_name("org/repo", name)


def test_a_listing_that_points_outside_refuses_the_whole_gguf_download(hub, gemma_path, tmp_path, registry):
    """The catalogue's file is looked up by its name stem: a listed ``../../`` path with that stem must not
    be written over a file outside the models folder (here one the user has)."""
    models = tmp_path / "models"
    victim = tmp_path / DISTILL_FILE
    victim.write_bytes(b"the user's own file")
    hub.add_repo(DISTILL_REPO, {f"../../../../{DISTILL_FILE}": gemma_path})
    model = load_catalogue().get("deepseek-r1-distill-qwen-1.5b")
    with pytest.raises(DownloadError) as info:
        plan_gguf(model, model.quant("Q4_K_M"), endpoint=hub.url)
    assert info.value.message_id == "download.unsafe_name"
    assert info.value.user_text() == (
        f"The model server listed a file with an unsafe name in {DISTILL_REPO} ('../../../../{DISTILL_FILE}'); "
        "nothing was downloaded.")
    assert victim.read_bytes() == b"the user's own file" and hub.ranges() == []
    assert not models.exists() and registry.list() == []


def test_one_bad_name_refuses_a_whole_mlx_repository(hub, tmp_path, registry):
    hub.add_repo("mlx-community/evil-4bit", {"config.json": b"{}", "model.safetensors": b"\0" * 2048,
                                             "/tmp/evil/tokenizer.json": b"{}"})
    with pytest.raises(DownloadError) as info:
        plan_files("mlx-community/evil-4bit", kind="mlx", endpoint=hub.url)
    assert info.value.message_id == "download.unsafe_name" and "/tmp/evil/tokenizer.json" in info.value.user_text()
    assert hub.ranges() == [] and not Path("/tmp/evil").exists()


def test_a_symlinked_folder_inside_cannot_lead_a_download_out(hub, gemma_path, tmp_path, registry):
    models = tmp_path / "models"
    outside = tmp_path / "outside"
    outside.mkdir()
    (models / "test-org" / "gemma-GGUF").mkdir(parents=True)
    (models / "test-org" / "gemma-GGUF" / "sub").symlink_to(outside)
    hub.add_repo(REPO, {f"sub/{GEMMA_NAME}": gemma_path})
    plan = plan_files(REPO, [f"sub/{GEMMA_NAME}"], endpoint=hub.url)
    with pytest.raises(StorageError) as info:
        download(plan, models, registry=registry)
    assert info.value.message_id == "storage.link_outside", "the folder's link is named, not the server blamed"
    assert str(models / "test-org" / "gemma-GGUF" / "sub") in info.value.user_text()
    assert list(outside.iterdir()) == [] and hub.ranges() == [] and registry.list() == []


def test_disk_filling_up_midway_counts_what_is_already_on_disk(hub, gemma_path, registry, small_tmpfs):
    """Another program fills the disk during the download: the message says what is still needed after
    the bytes already downloaded, and the partial file is kept for the resume."""
    hub.add_repo(REPO, {GEMMA_NAME: gemma_path})
    hub.behaviour.throttle = 40_000_000
    folder = small_tmpfs(size="300m", inodes=1000)
    plan = plan_files(REPO, [GEMMA_NAME], endpoint=hub.url)
    filler = folder.parent / "filler"
    counted_at_fill = []

    def fill_the_disk(ev):
        if ev.phase == "download" and ev.done > 60_000_000 and not filler.exists():
            counted_at_fill.append(ev.done)
            with open(filler, "wb") as fh:
                try:
                    while True:
                        fh.write(b"\0" * (1 << 20))
                        fh.flush()
                except OSError:
                    pass

    with pytest.raises(StorageError) as info:
        download(plan, folder, registry=registry, progress=fill_the_disk)
    size = gemma_path.stat().st_size
    kept = partial_bytes(plan, folder)
    # A piece is counted once written, but the file's write buffer may not have reached the disk when it
    # filled up: at most that buffer (far less than a MiB) is missing from the file.
    assert counted_at_fill[0] - (1 << 20) <= kept < size
    assert info.value.message_id == "storage.no_space"
    assert info.value.needed_bytes == bytes_with_margin(size - kept)
    assert f"{format_bytes(bytes_with_margin(size - kept))} needed" in info.value.user_text()
    assert registry.list() == []

    filler.unlink()
    hub.behaviour.throttle = None
    model = download(plan, folder, registry=registry)
    assert hub.ranges()[-1] == f"bytes={kept}-"
    assert sha256(Path(model.path)) == hub.hashes(REPO, GEMMA_NAME)[0]
