"""Ask the engine which devices it can run on: a short-lived engine host loads ggml's backends and answers.

A separate process, like the engine host itself: a GPU driver that crashes while its devices are counted
takes that process down, not the window or the command. The answer is kept for a minute (free GPU memory
changes, the device list does not) and forgotten at once when a GPU pack is installed.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.devices import EngineDevices

if TYPE_CHECKING:
    from ..core.paths import AppPaths
    from ..models.downloads.gpu_packs import PackInfo
    from ..models.hardware import HardwareInfo
    from ..models.progress import ProgressCallback

log = logging.getLogger(__name__)

MAX_AGE_S = 60.0
TIMEOUT_S = 120.0  # a first Vulkan start compiles pipelines; a busy machine is slow


class _Memo:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.report: EngineDevices | None = None
        self.packs = ""  # the GPU packs folder the report was made with
        self.at = 0.0


_MEMO = _Memo()  # one answer per process: it is a fact about this computer, not state of a service


def query_devices(max_age_s: float = MAX_AGE_S) -> EngineDevices:
    """The engine's device report (kept for ``max_age_s``, for one data folder: its GPU packs are part of the
    answer); an error report if the engine cannot answer."""
    from ..core.paths import AppPaths

    packs = str(AppPaths.default().gpu_packs_dir)
    with _MEMO.lock:
        if _MEMO.report is not None and _MEMO.packs == packs and time.monotonic() - _MEMO.at < max_age_s:
            return _MEMO.report
        report = _ask()
        _MEMO.report, _MEMO.packs, _MEMO.at = report, packs, time.monotonic()
        return report


def probe_here(device: str = "auto", cache_dir: Path | None = None) -> HardwareInfo:
    """This computer as the engine sees it under the device setting; the GPU pack's size for a hint comes from
    the manifest cached in ``cache_dir`` (fetched by an earlier ``gpu-pack`` command or the model manager's offer)."""
    from ..models.downloads.gpu_packs import known_pack_size
    from ..models.hardware import probe_hardware

    return probe_hardware(query_devices(), device=device, pack_bytes=known_pack_size(cache_dir) if cache_dir else 0)


def install_offered_pack(paths: AppPaths, progress: ProgressCallback | None = None,
                         cancel: threading.Event | None = None) -> PackInfo:
    """The GPU pack this version's release offers for this computer and the engine's llama-cpp-python:
    downloaded (resumable, SHA-256 checked) and unpacked into the data folder; the engine loads it when it next
    starts, and the next device query asks it again. Blocking: run it on a worker thread."""
    from .. import __version__
    from ..models.downloads.gpu_packs import install_pack, offered_pack
    from ..models.hardware import pack_platform

    pack, url = offered_pack(__version__, _binding_version(), pack_platform() or "", paths.cache_dir)
    info = install_pack(pack, url, paths.gpu_packs_dir, paths.cache_dir, progress=progress, cancel=cancel)
    forget_devices()
    return info


def _binding_version() -> str:
    """The engine's llama-cpp-python, as the engine reports it (else as installed here)."""
    found = query_devices().binding_version
    if found:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama-cpp-python")
    except PackageNotFoundError:
        return ""


def forget_devices() -> None:
    """The next query asks the engine again (a GPU pack was installed or removed)."""
    with _MEMO.lock:
        _MEMO.report = None


def _ask() -> EngineDevices:
    from .client import host_command

    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        done = subprocess.run([*host_command(), "--devices"], capture_output=True, timeout=TIMEOUT_S,
                              env=dict(os.environ, PYTHONUNBUFFERED="1"), creationflags=flags, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("the engine could not be asked for its devices: %s", exc)
        return EngineDevices(error=f"{type(exc).__name__}: {exc}")
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        log.warning("the engine's device query ended with %s: %s", done.returncode, " | ".join(tail))
        return EngineDevices(error=f"exit status {done.returncode}: {' | '.join(tail)}")
    try:
        return EngineDevices.from_dict(json.loads(lines[-1]))
    except ValueError as exc:
        return EngineDevices(error=f"unreadable device report: {exc}")
