"""What this computer has for running a model: RAM, cores, OS, Apple Silicon, GPU memory.

GPU memory comes from the vendors' tools (``nvidia-smi``, ``rocm-smi``) or, on a Mac, from the Metal
working-set limit. Those commands go through a ``run`` seam so a test can stand in for a tool that
does not exist on its machine.
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
    vendor: str  # "nvidia" | "amd" | "apple"
    total_bytes: int
    free_bytes: int
    unified: bool = False  # Apple Silicon: the GPU shares the system RAM

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HardwareInfo:
    os: str
    machine: str
    cpu_physical_cores: int
    cpu_logical_cores: int
    ram_total_bytes: int
    ram_available_bytes: int
    apple_silicon: bool = False
    gpus: tuple[GpuInfo, ...] = field(default_factory=tuple)

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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["gpus"] = [g.to_dict() for g in self.gpus]
        data["unified_memory"] = self.unified_memory
        return data


def probe_hardware(run: Runner = run_tool) -> HardwareInfo:
    vm = psutil.virtual_memory()
    apple = sys.platform == "darwin" and platform.machine() == "arm64"
    gpus: list[GpuInfo] = []
    if apple:
        gpus.append(apple_gpu(vm.total, vm.available, run))
    else:
        gpus.extend(nvidia_gpus(run))
        gpus.extend(amd_gpus(run))
    return HardwareInfo(
        os=platform.system() or sys.platform,
        machine=platform.machine(),
        cpu_physical_cores=psutil.cpu_count(logical=False) or os.cpu_count() or 1,
        cpu_logical_cores=psutil.cpu_count(logical=True) or os.cpu_count() or 1,
        ram_total_bytes=vm.total,
        ram_available_bytes=vm.available,
        apple_silicon=apple,
        gpus=tuple(gpus),
    )


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
