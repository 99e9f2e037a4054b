"""The user's GPUs or cluster, as the launch planner takes them: nodes, GPUs per node, memory per GPU, the
vendor and the nodes' addresses; typed as "8x80GB" or picked from the hardware presets."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRESETS_FILE = Path(__file__).with_name("hardware_presets.json")
GIB = 1024**3
VENDORS = ("nvidia", "amd", "apple", "cpu")
# GPU generations: which weight formats each can run is data (engines.json "gpu_archs").
ARCHS = ("ampere", "ada", "hopper", "blackwell", "cdna3", "apple", "cpu")
_SIZE = re.compile(r"^\s*(\d{1,5}(?:\.\d+)?)\s*(gb|gib|g|tb|tib|t)?\s*$", re.IGNORECASE)
_GPUS = re.compile(r"^\s*(\d{1,3})\s*[x×]\s*(\d{1,4}(?:\.\d+)?)\s*(gb|gib|g)?\s*$", re.IGNORECASE)


class PlanInputError(ValueError):
    """Input the planner cannot use (a hardware string, a node count); the message says which."""


@dataclass(frozen=True)
class ClusterHardware:
    """``gpu_memory_bytes`` per GPU (for vendor "cpu": the RAM one node lends). ``hosts``: the nodes'
    addresses, head first; missing ones become ``node0``, ``node1``... in the commands. ``arch``: the GPU
    generation ("" when not known: every format is assumed to run). ``ram_bytes``: system RAM per node (0 when
    not given; the expert-offload route needs it)."""

    nodes: int
    gpus_per_node: int
    gpu_memory_bytes: int
    vendor: str = "nvidia"
    hosts: tuple[str, ...] = ()
    arch: str = ""
    ram_bytes: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.nodes <= 64 or not 1 <= self.gpus_per_node <= 16:
            raise PlanInputError("nodes must be 1-64 and GPUs per node 1-16")
        if self.gpu_memory_bytes < GIB // 2 or self.gpu_memory_bytes > 4096 * GIB:
            raise PlanInputError("memory per GPU must be between 0.5 GB and 4096 GB")
        if self.vendor not in VENDORS:
            raise PlanInputError(f"vendor must be one of {', '.join(VENDORS)}")
        if self.arch and self.arch not in ARCHS:
            raise PlanInputError(f"GPU generation must be one of {', '.join(ARCHS)}")
        if self.ram_bytes < 0 or self.ram_bytes > 64 * 1024 * GIB:
            raise PlanInputError("RAM per machine must be between 0 and 64 TB")

    @property
    def total_gpus(self) -> int:
        return self.nodes * self.gpus_per_node

    def host(self, rank: int) -> str:
        return self.hosts[rank] if rank < len(self.hosts) and self.hosts[rank] else f"node{rank}"


def parse_gpus(text: str) -> tuple[int, int]:
    """``"8x80GB"`` -> (8, 80 GiB). GPU makers' "80 GB" is 80 GiB (an A100 80GB has 81920 MiB)."""
    m = _GPUS.match(text or "")
    if not m:
        raise PlanInputError(f"{text!r} is not COUNTxMEMORY such as 8x80GB")
    return int(m.group(1)), int(float(m.group(2)) * GIB)


def parse_size(text: str) -> int:
    """``"256GB"`` -> 256 GiB (memory is sold in GiB); ``"1.5TB"`` -> 1536 GiB."""
    m = _SIZE.match(text or "")
    if not m:
        raise PlanInputError(f"{text!r} is not a memory size such as 256GB")
    scale = 1024 if (m.group(2) or "g").lower().startswith("t") else 1
    return int(float(m.group(1)) * scale * GIB)


def load_presets(path: Path | None = None) -> list[dict[str, Any]]:
    return json.loads((path or PRESETS_FILE).read_text(encoding="utf-8"))["presets"]


def preset_hardware(preset_id: str, presets: list[dict[str, Any]] | None = None) -> ClusterHardware:
    for p in presets or load_presets():
        if p["id"] == preset_id:
            return ClusterHardware(int(p["nodes"]), int(p["gpus_per_node"]), int(float(p["gpu_memory_gb"]) * GIB),
                                   p["vendor"], arch=p.get("arch", ""), ram_bytes=int(float(p.get("ram_gb", 0)) * GIB))
    raise PlanInputError(f"no hardware preset {preset_id!r}")
