"""Writers of the installed-model registry at the same moment lose nothing: two importers in the window,
a finished download and the CLI each use their own ModelRegistry on the same file."""

from __future__ import annotations

import subprocess
import sys
import threading

from deepseek_desktop.models.local.registry import InstalledModel, ModelRegistry


def entry(n: int, folder) -> InstalledModel:
    return InstalledModel(f"model-{n}", str(folder / f"model-{n}.gguf"), "gguf", 1000 + n)


def test_threads_with_their_own_registries_lose_no_entry(tmp_path):
    file, folder = tmp_path / "registry.json", tmp_path / "models"
    start = threading.Barrier(8)

    def add(n: int) -> None:
        registry = ModelRegistry(file, folder)  # each its own instance, as the window's parts have
        start.wait()
        for k in range(10):
            registry.add(entry(n * 10 + k, folder))

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m.name for m in ModelRegistry(file, folder).list()) == sorted(f"model-{n}" for n in range(80))


def test_processes_lose_no_entry(tmp_path):
    file, folder = tmp_path / "registry.json", tmp_path / "models"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from deepseek_desktop.models.local.registry import InstalledModel, ModelRegistry\n"
        "r = ModelRegistry(sys.argv[1], sys.argv[2])\n"
        "for k in range(15):\n"
        "    n = int(sys.argv[3]) * 100 + k\n"
        "    r.add(InstalledModel(f'model-{n}', str(Path(sys.argv[2]) / f'model-{n}.gguf'), 'gguf', n))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(file), str(folder), str(p)]) for p in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    names = {m.name for m in ModelRegistry(file, folder).list()}
    assert names == {f"model-{p * 100 + k}" for p in range(3) for k in range(15)}
