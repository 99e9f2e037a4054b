"""FIFOs where a model's files should be: opening one for reading waits for a writer, forever. Every
command that a user or a folder hands such a path gets one line (or skips it) and ends; the app never
opens anything but a regular file there. (A FIFO as settings.json: test_settings_every_value.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deepseek_desktop.core.errors import ModelFileError
from deepseek_desktop.core.files.regular import NotRegularFile, open_regular, read_regular_bytes
from deepseek_desktop.core.paths import AppPaths

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")

HANG_GUARD = 120  # seconds: a command that waits on a FIFO would never end


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deepseek_desktop", *args], capture_output=True, text=True,
                          timeout=HANG_GUARD, cwd=cwd)


def mlx_folder(folder: Path, fifo: str) -> Path:
    """An MLX model folder whose file ``fifo`` is a FIFO, the others as a check would want them."""
    folder.mkdir(parents=True)
    files = {"config.json": json.dumps({"model_type": "deepseek_v3"}).encode(),
             "tokenizer.json": b"{}", "tokenizer_config.json": b"{}",
             "model.safetensors": b"\x02\x00\x00\x00\x00\x00\x00\x00{}"}
    for name, data in files.items():
        if name == fifo:
            os.mkfifo(folder / name)
        else:
            (folder / name).write_bytes(data)
    return folder


def test_open_regular_refuses_a_fifo_a_folder_and_a_device_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile):
        open_regular(tmp_path / "pipe")
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path)
    with pytest.raises(NotRegularFile):
        read_regular_bytes("/dev/zero")
    (tmp_path / "file").write_bytes(b"data")
    with open_regular(tmp_path / "file") as fh:
        assert fh.read() == b"data"
    with pytest.raises(OSError):
        read_regular_bytes(tmp_path / "file", limit=3)


def test_a_fifo_named_like_a_model_in_the_models_folder_is_skipped():
    paths = AppPaths.default().ensure()
    models = paths.default_models_dir
    models.mkdir(parents=True)
    os.mkfifo(models / "m.gguf")
    r = cli("models", "list", "--json")
    assert r.returncode == 0, r.stderr
    assert "m.gguf" not in r.stdout
    r = cli("models", "list")
    assert r.returncode == 0 and "Traceback" not in r.stderr


def guarded(fn, *fifos: Path):
    """``fn()`` on a thread; if it is still waiting after the hang guard, the FIFOs get a writer (so that the
    test process can end) and the test fails."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.update(result=fn()), daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    if thread.is_alive():
        for fifo in fifos:
            with open(fifo, "wb"):
                pass
        pytest.fail(f"{fn} waits on a FIFO")
    return box.get("result")


def test_the_window_reads_a_models_folder_with_a_fifo():
    from deepseek_desktop.core.settings.store import SettingsStore
    from deepseek_desktop.models.folder_state import read_local

    paths = AppPaths.default().ensure()
    paths.default_models_dir.mkdir(parents=True)
    os.mkfifo(paths.default_models_dir / "m.gguf")
    state = guarded(lambda: read_local(paths, SettingsStore(paths.settings_file), None),
                    paths.default_models_dir / "m.gguf")
    assert state.error is None and state.unregistered == ()


@pytest.mark.parametrize("fifo", ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"])
def test_an_mlx_folder_with_a_fifo_is_refused_in_one_line(tmp_path, fifo):
    folder = mlx_folder(tmp_path / "tiny-mlx", fifo)
    for args in (("models", "info", str(folder)), ("models", "import", str(folder)),
                 ("chat", "--model", str(folder), "--engine", "mlx", "--prompt", "hi")):
        r = cli(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        [line] = r.stderr.strip().splitlines()
        assert line.startswith("deepseek-desktop: error:") and str(folder) in line, args


@pytest.mark.parametrize("fifo", ["config.json", "model.safetensors"])
def test_check_mlx_folder_says_which_file_is_not_a_file(tmp_path, fifo):
    from deepseek_desktop.models.local.inspection import check_mlx_folder

    folder = mlx_folder(tmp_path / "tiny-mlx", fifo)

    def check():
        try:
            check_mlx_folder(folder)
        except ModelFileError as exc:
            return exc
        return None

    error = guarded(check, folder / fifo)
    assert isinstance(error, ModelFileError) and fifo in error.detail


def test_a_fifo_given_as_a_gguf_is_refused_in_one_line(tmp_path):
    os.mkfifo(tmp_path / "m.gguf")
    for args in (("models", "info", str(tmp_path / "m.gguf")), ("models", "import", str(tmp_path / "m.gguf")),
                 ("chat", "--model", str(tmp_path / "m.gguf"), "--prompt", "hi")):
        r = cli(*args)
        assert r.returncode == 2, (args, r.stderr)
        [line] = r.stderr.strip().splitlines()
        assert line.startswith("deepseek-desktop: error:"), args
