"""What this computer has for running a model: RAM, cores, OS, Apple Silicon, and the GPUs the engine can use.

The GPUs are the devices llama.cpp's backends report (``core/devices.py``: the engine host asks ggml), under
the device setting: automatic takes the hardware GPUs, "cpu" none, a device name that device. A GPU that
the vendors' tools (``nvidia-smi``, ``rocm-smi``) see but no backend can use becomes a hint (get the GPU
pack, update the driver), never a place to run. On a Mac the Metal working-set limit stands in when ggml
reports no Metal device (MLX uses the GPU all the same). The tools go through a ``run`` seam so a test can
stand in for a tool that does not exist on its machine.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil

from ..core.devices import AUTO, Device, EngineDevices, GpuHint

# A command runner: argv -> stdout, or None when the tool is missing or fails.
Runner = Callable[[list[str]], "str | None"]

MIB = 1024 * 1024


def run_tool(argv: list[str], timeout: float = 5.0) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True)
class GpuInfo:
    name: str
    vendor: str  # "nvidia" | "amd" | "intel" | "apple" | ""
    total_bytes: int
    free_bytes: int
    unified: bool = False  # Apple Silicon: the GPU shares the system RAM
    backend: str = ""  # the ggml backend that drives it: "Vulkan", "CUDA", "Metal"
    device: str = ""  # ggml's device name: "Vulkan0"
    software: bool = False  # emulated on the CPU (llvmpipe): as slow as the CPU or slower

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_device(cls, d: Device, unified: bool = False) -> GpuInfo:
        return cls(d.description or d.name, vendor_of(d.description), d.total_bytes, d.free_bytes, unified,
                   d.backend, d.name, d.software)


@dataclass(frozen=True)
class HardwareInfo:
    os: str
    machine: str
    cpu_physical_cores: int
    cpu_logical_cores: int
    ram_total_bytes: int
    ram_available_bytes: int
    apple_silicon: bool = False
    gpus: tuple[GpuInfo, ...] = field(default_factory=tuple)  # what the engine loads models onto here
    devices: tuple[GpuInfo, ...] = field(default_factory=tuple)  # every GPU device the engine can use
    engine: EngineDevices | None = None  # the engine's own report (None: not asked)
    hints: tuple[GpuHint, ...] = field(default_factory=tuple)  # GPUs no backend can use, and the remedy
    missing_device: str = ""  # the device setting named this device, which is not there

    @property
    def gpu_total_bytes(self) -> int:
        """Memory the GPU(s) can hold a model in. Several discrete GPUs add up (llama.cpp splits layers)."""
        return sum(g.total_bytes for g in self.gpus)

    @property
    def gpu_free_bytes(self) -> int:
        return sum(g.free_bytes for g in self.gpus)

    @property
    def unified_memory(self) -> bool:
        return any(g.unified for g in self.gpus)

    @property
    def on_software_device(self) -> bool:
        return any(g.software for g in self.gpus)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["gpus"] = [g.to_dict() for g in self.gpus]
        data["devices"] = [g.to_dict() for g in self.devices]
        data["engine"] = self.engine.to_dict() if self.engine is not None else None
        data["hints"] = [h.to_dict() for h in self.hints]
        data["unified_memory"] = self.unified_memory
        return data


def probe_hardware(engine: EngineDevices, run: Runner = run_tool, device: str = AUTO,
                   pack_bytes: int = 0) -> HardwareInfo:
    """This computer, with the GPUs the engine would use under the ``device`` setting. ``engine`` is the
    engine's own device report (``engine_host.device_query.query_devices`` asks a short-lived engine host;
    inside the engine host, ``engines.ggml_backends.engine_devices``)."""
    vm = psutil.virtual_memory()
    apple = sys.platform == "darwin" and platform.machine() == "arm64"
    chosen, missing = engine.choose(device)
    gpus = [GpuInfo.from_device(d, unified=apple) for d in chosen]
    if apple and not gpus and not engine.devices and device != "cpu":
        gpus.append(apple_gpu(vm.total, vm.available, run))  # MLX runs on the GPU whatever ggml loaded
    return HardwareInfo(
        os=platform.system() or sys.platform,
        machine=platform.machine(),
        cpu_physical_cores=psutil.cpu_count(logical=False) or os.cpu_count() or 1,
        cpu_logical_cores=psutil.cpu_count(logical=True) or os.cpu_count() or 1,
        ram_total_bytes=vm.total,
        ram_available_bytes=vm.available,
        apple_silicon=apple,
        gpus=tuple(gpus),
        devices=tuple(GpuInfo.from_device(d, unified=apple) for d in engine.devices),
        engine=engine,
        hints=() if apple else tuple(gpu_hints(run, engine, pack_bytes)),
        missing_device=missing,
    )


def vendor_of(description: str) -> str:
    text = description.lower()
    for vendor, words in (("nvidia", ("nvidia", "geforce", "quadro", "tesla")), ("amd", ("amd", "radeon")),
                          ("intel", ("intel",)), ("apple", ("apple",))):
        if any(w in text for w in words):
            return vendor
    return ""


def gpu_hints(run: Runner, engine: EngineDevices, pack_bytes: int = 0) -> list[GpuHint]:
    """GPUs the vendors' tools see that no loaded backend drives: NVIDIA gets the GPU pack (CUDA), or, when a
    pack is installed and still drives no GPU, a driver update; any other a driver update (Vulkan found no GPU)."""
    driven = {vendor_of(d.description) for d in engine.devices if not d.software}
    hints = []
    for gpu in nvidia_gpus(run) + amd_gpus(run):
        if gpu.vendor in driven:
            continue
        if gpu.vendor == "nvidia" and engine.packs:
            remedy = "pack_driver"
        else:
            remedy = "pack" if gpu.vendor == "nvidia" and pack_platform() else "driver"
        hints.append(GpuHint(gpu.vendor, gpu.name, gpu.total_bytes, remedy, pack_bytes if remedy == "pack" else 0))
    return hints


def pack_platform() -> str:
    """The GPU pack's platform name for this computer ("linux-x86_64", "windows-x86_64"), "" where none is built."""
    machine = platform.machine().lower()
    if machine not in ("x86_64", "amd64"):
        return ""
    if sys.platform.startswith("linux"):
        return "linux-x86_64"
    return "windows-x86_64" if sys.platform == "win32" else ""


def nvidia_gpus(run: Runner) -> list[GpuInfo]:
    out = run(["nvidia-smi", "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"])
    gpus = []
    for line in (out or "").splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3:
            continue
        try:
            total, free = int(float(parts[1])) * MIB, int(float(parts[2])) * MIB
        except ValueError:
            continue
        gpus.append(GpuInfo(parts[0], "nvidia", total, free))
    return gpus


def amd_gpus(run: Runner) -> list[GpuInfo]:
    out = run(["rocm-smi", "--showmeminfo", "vram", "--showproductname", "--json"])
    if not out:
        return []
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        return []
    gpus = []
    for card, info in sorted(data.items()):
        if not isinstance(info, dict):
            continue
        total = _int_field(info, "VRAM Total Memory (B)")
        used = _int_field(info, "VRAM Total Used Memory (B)")
        if total is None:
            continue
        name = str(info.get("Card series") or info.get("Card model") or card)
        gpus.append(GpuInfo(name, "amd", total, total - (used or 0)))
    return gpus


def apple_gpu(ram_total: int, ram_available: int, run: Runner) -> GpuInfo:
    """Metal may wire only part of the unified memory for the GPU.

    ``iogpu.wired_limit_mb`` is set when the user raised the limit; otherwise macOS's default
    (``recommendedMaxWorkingSetSize``) is about two thirds of RAM up to 36 GB and three quarters above.
    """
    limit = 0
    out = run(["sysctl", "-n", "iogpu.wired_limit_mb"])
    if out and out.strip().isdigit():
        limit = int(out.strip()) * MIB
    if limit <= 0:
        limit = int(ram_total * (0.75 if ram_total > 36 * 1024**3 else 2 / 3))
    chip = (run(["sysctl", "-n", "machdep.cpu.brand_string"]) or "Apple Silicon").strip()
    return GpuInfo(chip, "apple", limit, min(limit, ram_available), unified=True)


def _int_field(info: dict[str, Any], key: str) -> int | None:
    try:
        return int(str(info[key]).strip())
    except (KeyError, ValueError):
        return None
