"""What the llama.cpp engine can run on, as ggml itself reports it: the backends it loaded and their devices.

The engine host asks ggml (``engines/ggml_backends.py``); everything that gives advice (fit, recommend,
doctor, the model manager, the status bar) reads this report, so advice never names a device the engine
cannot use. Vendor tools (``nvidia-smi``) only add a hint that a backend is missing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

AUTO = "auto"  # the device setting: the engine's hardware GPUs, else the CPU
CPU = "cpu"  # the device setting: the CPU backend only

# ggml's enum ggml_backend_dev_type, in its order.
DEVICE_KINDS = ("cpu", "gpu", "igpu", "accel", "meta")

# The most telling feature a CPU variant was built for, best first (what the status bar shows).
_CPU_FEATURE_RANK = ("AMX_INT8", "AVX512_BF16", "AVX512_VNNI", "AVX512", "AVX_VNNI", "AVX2", "AVX", "SSE3",
                     "SME2", "SME", "SVE2", "SVE", "MATMUL_INT8", "DOTPROD", "NEON", "VSX", "RISCV_V")
_FEATURE_WORDS = {"AMX_INT8": "AMX", "AVX512_BF16": "AVX-512", "AVX512_VNNI": "AVX-512", "AVX512": "AVX-512",
                  "AVX_VNNI": "AVX-VNNI", "SSE3": "SSE"}


@dataclass(frozen=True)
class Device:
    """One device of a loaded ggml backend (the CPU backend's device is not listed)."""

    name: str  # ggml's device name: "Vulkan0", "CUDA0", "MTL0"
    description: str  # what the driver calls it: "NVIDIA GeForce RTX 4090", "llvmpipe (LLVM 15.0.6, 256 bits)"
    backend: str  # the backend's name: "Vulkan", "CUDA", "Metal"
    kind: str  # one of DEVICE_KINDS
    total_bytes: int
    free_bytes: int
    software: bool = False  # emulated on the CPU (Mesa's llvmpipe): never picked automatically

    @property
    def label(self) -> str:
        """"Vulkan · NVIDIA GeForce RTX 4090"."""
        return f"{self.backend} · {self.description or self.name}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Device:
        return cls(name=str(data.get("name", "")), description=str(data.get("description", "")),
                   backend=str(data.get("backend", "")), kind=str(data.get("kind", "gpu")),
                   total_bytes=_int(data.get("total_bytes")), free_bytes=_int(data.get("free_bytes")),
                   software=bool(data.get("software", False)))


@dataclass(frozen=True)
class EngineDevices:
    """The engine's answer: which backends loaded, their devices, and the CPU variant ggml chose."""

    backends: tuple[str, ...] = ()
    devices: tuple[Device, ...] = ()
    cpu_variant: str = ""  # the CPU backend library ggml picked: "haswell", "zen4", "x64", "apple_m1"...
    cpu_features: tuple[str, ...] = ()  # what that variant was built for: "AVX2", "AVX512", "NEON"...
    packs: tuple[str, ...] = ()  # GPU packs from the data folder that loaded ("cuda12")
    error: str = ""  # why the engine could not be asked; then nothing beyond the CPU is assumed
    binding_version: str = ""  # the engine's llama-cpp-python: a GPU pack is built for one version

    @property
    def cpu_label(self) -> str:
        """"AVX2", "AVX-512", "NEON" (the variant's best feature), else the variant's name."""
        best = next((f for f in _CPU_FEATURE_RANK if f in self.cpu_features), "")
        return _FEATURE_WORDS.get(best, best) or self.cpu_variant

    def device(self, name: str) -> Device | None:
        return next((d for d in self.devices if d.name == name), None)

    def hardware_gpus(self) -> tuple[Device, ...]:
        """What automatic uses: dedicated GPUs, else integrated ones; never a software device."""
        real = [d for d in self.devices if not d.software]
        dedicated = tuple(d for d in real if d.kind == "gpu")
        return dedicated or tuple(d for d in real if d.kind == "igpu")

    def choose(self, setting: str) -> tuple[tuple[Device, ...], str]:
        """The devices a model loads onto for the device setting, and the setting's device name when it is
        not there (then the automatic choice is used)."""
        if setting == CPU:
            return (), ""
        if setting and setting != AUTO:
            chosen = self.device(setting)
            if chosen is not None:
                return (chosen,), ""
            return self.hardware_gpus(), setting
        return self.hardware_gpus(), ""

    def to_dict(self) -> dict[str, Any]:
        return {"backends": list(self.backends), "devices": [d.to_dict() for d in self.devices],
                "cpu_variant": self.cpu_variant, "cpu_features": list(self.cpu_features),
                "cpu_label": self.cpu_label, "packs": list(self.packs), "error": self.error,
                "binding_version": self.binding_version}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EngineDevices:
        """From the engine's JSON answer; anything malformed becomes an error report, never an exception."""
        if not isinstance(data, dict):
            return cls(error="the engine's device report is not an object")
        try:
            return cls(backends=tuple(str(b) for b in data.get("backends") or ()),
                       devices=tuple(Device.from_dict(d) for d in data.get("devices") or () if isinstance(d, dict)),
                       cpu_variant=str(data.get("cpu_variant") or ""),
                       cpu_features=tuple(str(f) for f in data.get("cpu_features") or ()),
                       packs=tuple(str(p) for p in data.get("packs") or ()), error=str(data.get("error") or ""),
                       binding_version=str(data.get("binding_version") or ""))
        except (TypeError, ValueError) as exc:
            return cls(error=f"the engine's device report is malformed: {exc}")


@dataclass(frozen=True)
class GpuHint:
    """A GPU a vendor tool reports that no loaded backend can use, and what would help."""

    vendor: str  # "nvidia" | "amd"
    name: str
    total_bytes: int
    remedy: str  # "pack": get the GPU pack; "driver": Vulkan saw no GPU; "pack_driver": the pack saw none either
    pack_bytes: int = 0  # the GPU pack's download size, when known

    def message(self) -> tuple[str, dict[str, Any]]:
        """The message id (core/errors.py) and its parameters; ``size`` is in bytes, for the caller to word."""
        if self.remedy == "pack":
            if self.pack_bytes:
                return "gpu.pack_hint", {"gpu": self.name, "size": self.pack_bytes}
            return "gpu.pack_hint_unsized", {"gpu": self.name}
        if self.remedy == "pack_driver":
            return "gpu.pack_driver_hint", {"gpu": self.name}
        return "gpu.driver_hint", {"gpu": self.name}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Placement:
    """Where a loaded model runs, as the engine reports it after the load."""

    devices: tuple[str, ...] = ()  # descriptions of the devices holding layers; empty: the CPU
    backend: str = ""  # "Vulkan", "CUDA", "Metal"; "" on the CPU
    gpu_layers: int = 0
    layers: int = 0  # the model's layers plus the output layer, as llama.cpp counts offloadable layers
    cpu_label: str = ""  # "AVX2"
    threads: int = 0
    fallback: str = ""  # a message id when the load used fewer GPU layers or the CPU than planned
    fallback_detail: str = ""  # what llama.cpp said went wrong on the GPU

    @property
    def on_gpu(self) -> bool:
        return bool(self.devices) and self.gpu_layers > 0

    def summary(self) -> str:
        """"GPU · Vulkan · NVIDIA GeForce RTX 4090 · 49/49 layers" or "CPU · AVX2 · 2 threads" (English, for
        logs and the terminal; the window words it in its language)."""
        threads = f"{self.threads} thread{'s' if self.threads != 1 else ''}"
        if self.on_gpu:
            return " · ".join(["GPU", self.backend, ", ".join(self.devices),
                               f"{self.gpu_layers}/{self.layers} layers", threads])
        return " · ".join(p for p in ("CPU", self.cpu_label, threads) if p)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["devices"] = list(self.devices)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Placement:
        if not isinstance(data, dict):
            return cls()
        return cls(devices=tuple(str(d) for d in data.get("devices") or ()), backend=str(data.get("backend") or ""),
                   gpu_layers=_int(data.get("gpu_layers")), layers=_int(data.get("layers")),
                   cpu_label=str(data.get("cpu_label") or ""), threads=_int(data.get("threads")),
                   fallback=str(data.get("fallback") or ""), fallback_detail=str(data.get("fallback_detail") or ""))


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0
