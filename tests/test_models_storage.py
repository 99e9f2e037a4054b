"""Free bytes and inodes on real file systems, copying and moving with progress, cancel and clean-up."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import pytest
from hub_tmpfs import small_tmpfs_fixture  # noqa: F401 - the small_tmpfs fixture

from deepseek_desktop.models.errors import Cancelled, StorageError
from deepseek_desktop.models.storage import (
    check_space,
    copy_files,
    format_bytes,
    free_space,
    is_inside,
    move_files,
    remove_empty_folders,
)


def test_free_space_of_a_real_folder_and_of_one_not_made_yet(tmp_path):
    st = os.statvfs(tmp_path)
    info = free_space(tmp_path / "not" / "yet")
    assert info.folder == str(tmp_path / "not" / "yet")
    assert abs(info.free_bytes - st.f_bavail * st.f_frsize) < 64 * 1024 * 1024
    assert info.free_inodes is not None and info.free_inodes > 0
    check_space(tmp_path, 1024, 3)


def test_refuses_when_bytes_are_short(small_tmpfs):
    folder = small_tmpfs(size="8m", inodes=1000)
    with pytest.raises(StorageError) as info:
        check_space(folder, 8 * 1024 * 1024, 1)
    exc = info.value
    assert exc.message_id == "storage.no_space"
    assert exc.needed_bytes == math.ceil(8 * 1024 * 1024 * 1.05), "the size plus a 5 % margin"
    assert exc.free_bytes <= 8 * 1024 * 1024
    line = exc.user_text()
    assert str(folder) in line and format_bytes(exc.needed_bytes) in line and format_bytes(exc.free_bytes) in line
    check_space(folder, 4 * 1024 * 1024, 1)  # fits with the 5 % margin


def test_refuses_when_inodes_are_short_although_bytes_are_plenty(small_tmpfs):
    folder = small_tmpfs(size="64m", inodes=40)
    info = free_space(folder)
    assert info.free_inodes is not None and info.free_inodes < 40
    with pytest.raises(StorageError) as caught:
        check_space(folder, 1024, 20)
    assert caught.value.message_id == "storage.no_inodes"
    assert "inodes" in caught.value.user_text() and str(folder) in caught.value.user_text()


def test_no_inode_check_where_the_file_system_reports_none(tmp_path):
    class Btrfs:  # what os.statvfs returns on btrfs: no fixed inode table
        f_bavail, f_frsize, f_blocks, f_files, f_favail = 1000, 4096, 2000, 0, 0

    info = free_space(tmp_path, statvfs=lambda _: Btrfs)
    assert info.free_inodes is None and info.free_bytes == 4096000
    check_space(tmp_path, 1000, 10_000, statvfs=lambda _: Btrfs)


def test_copy_with_progress_then_cancel_leaves_nothing(tmp_path):
    src = [tmp_path / "a.bin", tmp_path / "b.bin"]
    for i, p in enumerate(src):
        p.write_bytes(bytes([i]) * (20 * 1024 * 1024))
    events = []
    dst = tmp_path / "out"
    copy_files([(s, dst / s.name) for s in src], progress=events.append)
    assert [p.read_bytes() for p in (dst / "a.bin", dst / "b.bin")] == [p.read_bytes() for p in src]
    assert events[-1].phase == "done" and events[-1].done == events[-1].total == 40 * 1024 * 1024

    cancel = threading.Event()
    again = tmp_path / "again"

    def stop_in_second_file(ev):
        if ev.file_index == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        copy_files([(s, again / s.name) for s in src], progress=stop_in_second_file, cancel=cancel)
    assert not [p for p in again.rglob("*") if p.is_file()], "all or nothing: the first copy is removed too"
    assert all(p.exists() for p in src)


def test_copy_refuses_to_overwrite(tmp_path):
    src, dst = tmp_path / "m.gguf", tmp_path / "dst" / "m.gguf"
    src.write_bytes(b"new")
    dst.parent.mkdir()
    dst.write_bytes(b"precious")
    with pytest.raises(StorageError) as info:
        copy_files([(src, dst)])
    assert info.value.message_id == "storage.exists" and dst.read_bytes() == b"precious"


def test_move_renames_on_one_file_system_and_copies_across(tmp_path):
    src = tmp_path / "m.gguf"
    src.write_bytes(b"x" * 1000)
    inode = src.stat().st_ino
    moved = tmp_path / "models" / "m.gguf"
    move_files([(src, moved)])
    assert not src.exists() and moved.stat().st_ino == inode, "same file system: a rename"

    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system")
    other = shm / f"deepseek-desktop-test-{os.getpid()}"
    other.mkdir()
    try:
        across = other / "m.gguf"
        move_files([(moved, across)])
        assert not moved.exists() and across.read_bytes() == b"x" * 1000
    finally:
        for p in other.iterdir():
            p.unlink()
        other.rmdir()


def test_is_inside_resolves_symlinks(tmp_path):
    models = tmp_path / "models"
    (models / "sub").mkdir(parents=True)
    outside = tmp_path / "elsewhere.gguf"
    outside.write_bytes(b"x")
    (models / "sub" / "link.gguf").symlink_to(outside)
    assert is_inside(models / "sub", models)
    assert not is_inside(models, models)
    assert not is_inside(models / "sub" / "link.gguf", models), "a symlink out of the folder is outside"
    assert not is_inside(models / ".." / "elsewhere.gguf", models)


def test_format_bytes():
    assert format_bytes(0) == "0 B"
    assert format_bytes(4_680_000_000) == "4.68 GB"
    assert format_bytes(42_520_000_000) == "42.5 GB"
    assert format_bytes(404_000_000_000) == "404 GB"


def test_sha256_file_with_progress_and_cancel(gemma_path):
    import hashlib

    from deepseek_desktop.models.hashing import sha256_file

    events = []
    digest = sha256_file(gemma_path, progress=events.append)
    assert digest == hashlib.sha256(gemma_path.read_bytes()).hexdigest()
    assert events[-1].phase == "hash" and events[-1].done == gemma_path.stat().st_size
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        sha256_file(gemma_path, cancel=cancel)


def test_remove_empty_folders_keeps_the_root_and_any_folder_that_holds_something(tmp_path):
    root = tmp_path / "models"
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "keep" / "inner").mkdir(parents=True)
    (root / "keep" / "model.gguf").write_bytes(b"GGUF")
    remove_empty_folders(root / "a" / "b" / "c", root)
    assert not (root / "a").exists() and root.is_dir()  # up to the root, not the root itself
    remove_empty_folders(root / "keep" / "inner", root)
    assert not (root / "keep" / "inner").exists() and (root / "keep" / "model.gguf").is_file()
    remove_empty_folders(root / "keep", root, subtree=True)  # holds a file: stays
    assert (root / "keep").is_dir()
    remove_empty_folders(tmp_path / "elsewhere", root)  # outside the stop: nothing happens
    (tmp_path / "other").mkdir()
    remove_empty_folders(tmp_path / "other", root)
    assert (tmp_path / "other").is_dir()


def test_remove_empty_folders_subtree_and_stop_itself(tmp_path):
    staging = tmp_path / "models" / ".downloads"
    (staging / "owner" / "repo" / "sub" / "deeper").mkdir(parents=True)
    (staging / "owner" / "repo" / "sub2").mkdir()
    remove_empty_folders(staging / "owner" / "repo", staging, subtree=True, keep_stop=False)
    assert not staging.exists() and (tmp_path / "models").is_dir()
    (staging / "owner" / "repo").mkdir(parents=True)
    (staging / "owner" / "other.part").write_bytes(b"x")
    remove_empty_folders(staging / "owner" / "repo", staging, subtree=True, keep_stop=False)
    assert not (staging / "owner" / "repo").exists() and (staging / "owner" / "other.part").is_file()
