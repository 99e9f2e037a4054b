"""A Hub that misbehaves, and a models folder with links planted in it: every download ends with a clear
line, stops at once when cancelled, writes nowhere but inside the models folder and nothing past the
listed size. The local Hub (hub_server.py) trickles, goes silent after its headers, sends too much or
answers with a web page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hub_server import HubServer
from test_models_download import DISTILL_FILE, DISTILL_REPO, REPO, big_gguf, sha256

from deepseek_desktop.models.downloads.download import STAGING, check_remote_name, download, partial_bytes, plan_files
from deepseek_desktop.models.downloads.transfer import StallRule
from deepseek_desktop.models.errors import Cancelled, DownloadError, StorageError
from deepseek_desktop.models.local.registry import ModelRegistry

# A rule the tests can wait out: less than 1 kB a second over one second is a stall; one retry.
QUICK = StallRule(min_rate=1000, window=1.0, retries=1)
HANG_GUARD = 120  # seconds; only for a test that would otherwise never end


@pytest.fixture
def hub():
    server = HubServer().start()
    yield server
    server.stop()


@pytest.fixture
def models(tmp_path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def registry(tmp_path, models) -> ModelRegistry:
    return ModelRegistry(tmp_path / "installed.json", models)


@pytest.fixture
def small(tmp_path) -> Path:
    """A valid GGUF of a few megabytes."""
    return big_gguf(tmp_path / "small.gguf", 1.0)


def run_in_thread(fn):
    """Call ``fn`` on a thread; returns (thread, box) where box gets "result" or "error"."""
    box: dict = {}

    def target():
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - looked at by the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


# -- the minimum-speed rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("misbehaviour", ["trickle", "silent_after_headers"])
def test_a_hub_that_trickles_or_goes_silent_is_a_stall_retried_then_a_clear_line(
        hub, small, models, registry, misbehaviour):
    hub.add_repo(REPO, {"m.gguf": small})
    if misbehaviour == "trickle":
        hub.behaviour.trickle = 0.05  # 20 bytes a second: alive, and useless
    else:
        hub.behaviour.silent_after_headers = True
    plan = plan_files(REPO, ["m.gguf"], endpoint=hub.url)
    thread, box = run_in_thread(lambda: download(plan, models, registry=registry, stall=QUICK))
    thread.join(HANG_GUARD)
    assert not thread.is_alive(), "the download never gave up"
    error = box["error"]
    assert isinstance(error, DownloadError) and error.message_id == "download.stalled", error
    assert error.partial_kept and "m.gguf" in error.user_text() and "stalled" in error.user_text()
    assert len(hub.ranges()) == 1 + QUICK.retries, "a stall is retried (with a Range from what arrived)"
    assert registry.list() == []
    if misbehaviour == "trickle":
        kept = partial_bytes(plan, models)
        assert kept > 0, "what arrived is kept for a resume"
        hub.behaviour.trickle = None
        model = download(plan, models, registry=registry, stall=QUICK)
        assert hub.ranges()[-1] == f"bytes={kept}-"
        assert Path(model.path).read_bytes() == small.read_bytes()


def test_a_slow_but_steady_hub_is_no_stall(hub, small, models, registry):
    hub.add_repo(REPO, {"m.gguf": small})
    hub.behaviour.throttle = 2_000_000  # bytes a second, far above the rule
    model = download(plan_files(REPO, ["m.gguf"], endpoint=hub.url), models, registry=registry, stall=QUICK)
    assert len(hub.ranges()) == 1 and Path(model.path).read_bytes() == small.read_bytes()


@pytest.mark.parametrize("misbehaviour", ["trickle", "silent_after_headers"])
def test_cancel_is_seen_at_once_while_a_read_waits(hub, small, models, registry, misbehaviour):
    """Cancelled while the socket read waits for bytes that do not come: ``Cancelled``, not an error after
    the read timed out (the default rule's window is 30 s; the hang guard is far above)."""
    hub.add_repo(REPO, {"m.gguf": small})
    setattr(hub.behaviour, misbehaviour, 0.5 if misbehaviour == "trickle" else True)
    plan = plan_files(REPO, ["m.gguf"], endpoint=hub.url)
    cancel = threading.Event()
    thread, box = run_in_thread(lambda: download(plan, models, registry=registry, cancel=cancel))
    assert hub.body_requested.wait(HANG_GUARD)
    cancel.set()
    thread.join(HANG_GUARD)
    assert not thread.is_alive()
    assert isinstance(box.get("error"), Cancelled), box
    assert box["error"].message_id == "download.cancelled"
    assert len(hub.ranges()) == 1, "no retry after a cancel"


@pytest.mark.parametrize("misbehaviour", ["trickle", "silent_after_headers"])
def test_ctrl_c_stops_the_cli_download_with_status_130(hub, small, app_home, misbehaviour):
    """The real CLI: SIGINT while it waits on a Hub that trickles or says nothing after its headers."""
    hub.add_repo(DISTILL_REPO, {DISTILL_FILE: small})
    setattr(hub.behaviour, misbehaviour, 0.5 if misbehaviour == "trickle" else True)
    env = dict(os.environ, HF_ENDPOINT=hub.url, DEEPSEEK_DESKTOP_HOME=str(app_home))
    proc = subprocess.Popen([sys.executable, "-m", "deepseek_desktop", "models", "download",
                             "deepseek-r1-distill-qwen-1.5b:Q4_K_M"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hub.body_requested.wait(HANG_GUARD), proc.stderr.read() if proc.poll() is not None else ""
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=HANG_GUARD)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    assert len(hub.ranges()) == 1


# -- what a response may be ----------------------------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_body_larger_than_the_listing_is_stopped_at_the_listed_size_and_refused(
        hub, small, models, registry, declared):
    hub.add_repo(REPO, {"m.gguf": small})
    hub.behaviour.extra_body, hub.behaviour.extra_declared = 300_000_000, declared
    plan = plan_files(REPO, ["m.gguf"], endpoint=hub.url)
    size = small.stat().st_size
    seen = []
    with pytest.raises(DownloadError) as info:
        download(plan, models, registry=registry, stall=QUICK, progress=lambda ev: seen.append(ev.done))
    assert info.value.message_id == "download.too_large"
    assert "m.gguf" in info.value.user_text()
    assert max(seen) <= size, "not a byte past the listed size was written"
    part = models / STAGING / REPO / "m.gguf.part"
    assert not part.exists() or part.stat().st_size <= size
    assert registry.list() == [] and not (models / "test-org" / "gemma-GGUF").exists()


def test_a_web_page_in_place_of_the_file_is_refused_and_not_kept(hub, small, models, registry):
    hub.add_repo(REPO, {"m.gguf": small})
    hub.behaviour.html_page = True
    plan = plan_files(REPO, ["m.gguf"], endpoint=hub.url)
    with pytest.raises(DownloadError) as info:
        download(plan, models, registry=registry, stall=QUICK)
    assert info.value.message_id == "download.not_the_file" and "interrupted" not in info.value.user_text()
    assert partial_bytes(plan, models) == 0
    assert len(hub.ranges()) == 1, "not retried as if the connection had dropped"


# -- links in the models folder ------------------------------------------------------------------------


def test_an_owner_folder_that_links_out_is_not_written_into(hub, small, tmp_path, models, registry):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    models.mkdir()
    (models / "test-org").symlink_to(elsewhere)
    hub.add_repo(REPO, {"m.gguf": small})
    plan = plan_files(REPO, ["m.gguf"], endpoint=hub.url)
    with pytest.raises(StorageError) as info:
        download(plan, models, registry=registry)
    assert info.value.message_id == "storage.link_outside"
    assert str(models / "test-org") in info.value.user_text() and "server" not in info.value.user_text()
    assert list(elsewhere.iterdir()) == [] and hub.ranges() == []


def test_a_downloads_folder_that_links_out_is_not_written_into(hub, small, tmp_path, models, registry):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    models.mkdir()
    (models / STAGING).symlink_to(elsewhere)
    hub.add_repo(REPO, {"m.gguf": small})
    with pytest.raises(StorageError) as info:
        download(plan_files(REPO, ["m.gguf"], endpoint=hub.url), models, registry=registry)
    assert info.value.message_id == "storage.link_outside"
    assert list(elsewhere.iterdir()) == [] and hub.ranges() == []


def test_a_planted_partial_file_link_is_never_written_through(hub, small, tmp_path, models, registry):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"the user's own file\n")
    staging = models / STAGING / REPO
    staging.mkdir(parents=True)
    (staging / "m.gguf.part").symlink_to(victim)
    hub.add_repo(REPO, {"m.gguf": small})
    plan = plan_files(REPO, ["m.gguf"], endpoint=hub.url)
    # with a note that says the part belongs to this very file, so that it would be continued
    from deepseek_desktop.models.downloads.download import _note, _write_note

    f = plan.files[0]
    _write_note(_note(staging, f), {"size": f.size, "sha256": f.sha256, "blob_id": f.blob_id,
                                    "revision": plan.revision})
    model = download(plan, models, registry=registry)
    assert victim.read_bytes() == b"the user's own file\n"
    assert Path(model.path).read_bytes() == small.read_bytes()
    assert hub.ranges() == [None], "the file started again from its first byte"


def test_a_finished_file_that_is_a_link_is_named(hub, small, tmp_path, models, registry):
    victim = tmp_path / "victim.gguf"
    victim.write_bytes(b"the user's own file\n")
    (models / "test-org" / "gemma-GGUF").mkdir(parents=True)
    (models / "test-org" / "gemma-GGUF" / "m.gguf").symlink_to(victim)
    hub.add_repo(REPO, {"m.gguf": small})
    with pytest.raises(StorageError) as info:
        download(plan_files(REPO, ["m.gguf"], endpoint=hub.url), models, registry=registry)
    assert info.value.message_id == "storage.link_in_place"
    assert str(models / "test-org" / "gemma-GGUF" / "m.gguf") in info.value.user_text()
    assert "unsafe name" not in info.value.user_text()
    assert victim.read_bytes() == b"the user's own file\n" and hub.ranges() == []


def test_links_that_stay_inside_the_models_folder_are_fine(hub, small, tmp_path, models, registry):
    (models / "real-org").mkdir(parents=True)
    (models / "test-org").symlink_to(models / "real-org")
    hub.add_repo(REPO, {"m.gguf": small})
    model = download(plan_files(REPO, ["m.gguf"], endpoint=hub.url), models, registry=registry)
    assert (models / "real-org" / "gemma-GGUF" / "m.gguf").read_bytes() == small.read_bytes()
    assert sha256(Path(model.path)) == sha256(small)


# -- names from the listing ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a" * 300 + ".gguf", "sub/" + "é" * 130 + ".gguf", "del\x7fname.gguf",
                                  "evil\u202egguf.exe", "c1\x9bname.gguf", "zero\u200bwidth.gguf"])
def test_names_no_file_system_takes_or_that_hide_what_they_are_are_refused(name):
    with pytest.raises(DownloadError) as info:
        check_remote_name("org/repo", name)
    assert info.value.message_id == "download.unsafe_name"


def test_a_long_name_refuses_the_plan_before_any_byte(hub, small, models, registry):
    long_name = "x" * 250 + ".gguf"
    hub.add_repo(REPO, {"m.gguf": small, long_name: b"GGUF"})
    with pytest.raises(DownloadError) as info:
        plan_files(REPO, endpoint=hub.url)
    assert info.value.message_id == "download.unsafe_name"
    assert hub.ranges() == [] and not models.exists()
