"""The hardware probe: the real machine, and the vendor tools' output through the command seam.

nvidia-smi, rocm-smi and macOS's sysctl do not exist here; the seam hands the probe what those tools
print (their documented formats), so the parsing is tested without pretending to be our own code. The GPUs
a model can run on come from the engine's device report only; a GPU a vendor tool sees that no backend
drives becomes a hint.
"""

from __future__ import annotations

import json

import psutil

from deepseek_desktop.core.devices import Device, EngineDevices
from deepseek_desktop.models.hardware import MIB, amd_gpus, apple_gpu, nvidia_gpus, probe_hardware

CPU_ONLY = EngineDevices(backends=("CPU",), cpu_variant="haswell", cpu_features=("AVX", "AVX2", "FMA"))
GIB = 1024**3


def tools(outputs: dict[str, str]):
    calls = []

    def run(argv):
        calls.append(argv)
        return outputs.get(argv[0])

    run.calls = calls
    return run


def test_probe_this_machine():
    from deepseek_desktop.engine_host.device_query import query_devices

    hw = probe_hardware(query_devices())
    assert hw.ram_total_bytes == psutil.virtual_memory().total
    assert 0 < hw.ram_available_bytes <= hw.ram_total_bytes
    assert hw.cpu_logical_cores >= hw.cpu_physical_cores >= 1
    assert hw.os and hw.machine
    data = hw.to_dict()
    assert set(data) >= {"ram_total_bytes", "gpus", "unified_memory", "apple_silicon"}


def test_nvidia_gpus_from_nvidia_smi():
    run = tools({"nvidia-smi": "NVIDIA GeForce RTX 4090, 24564, 23012\nNVIDIA RTX A6000, 49140, 48000\n"})
    gpus = nvidia_gpus(run)
    assert [g.name for g in gpus] == ["NVIDIA GeForce RTX 4090", "NVIDIA RTX A6000"]
    assert gpus[0].total_bytes == 24564 * MIB and gpus[0].free_bytes == 23012 * MIB
    assert ["nvidia-smi", "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"] in run.calls


def test_a_gpu_no_backend_drives_is_a_hint_not_a_place_to_run():
    run = tools({"nvidia-smi": "NVIDIA GeForce RTX 4090, 24564, 23012\n"})
    hw = probe_hardware(CPU_ONLY, run=run, pack_bytes=700 * 10**6)
    assert hw.gpus == () and hw.gpu_total_bytes == 0 and hw.devices == ()
    (hint,) = hw.hints
    assert (hint.vendor, hint.name, hint.remedy) == ("nvidia", "NVIDIA GeForce RTX 4090", "pack")
    assert hint.message() == ("gpu.pack_hint", {"gpu": "NVIDIA GeForce RTX 4090", "size": 700 * 10**6})


def test_a_gpu_the_engine_drives_is_where_models_run():
    card = Device("Vulkan0", "NVIDIA GeForce RTX 4090", "Vulkan", "gpu", 24 * GIB, 23 * GIB)
    engine = EngineDevices(("Vulkan", "CPU"), (card,), "haswell", ("AVX2",))
    hw = probe_hardware(engine, run=tools({"nvidia-smi": "NVIDIA GeForce RTX 4090, 24564, 23012\n"}))
    (gpu,) = hw.gpus
    assert (gpu.device, gpu.backend, gpu.vendor, gpu.free_bytes) == ("Vulkan0", "Vulkan", "nvidia", 23 * GIB)
    assert hw.hints == ()
    assert probe_hardware(engine, run=tools({}), device="cpu").gpus == ()


def test_a_software_device_only_when_chosen():
    lavapipe = Device("Vulkan0", "llvmpipe (LLVM 15.0.6, 256 bits)", "Vulkan", "gpu", 23 * GIB, 23 * GIB,
                      software=True)
    engine = EngineDevices(("Vulkan", "CPU"), (lavapipe,), "haswell", ("AVX2",))
    assert probe_hardware(engine, run=tools({})).gpus == ()
    (gpu,) = probe_hardware(engine, run=tools({}), device="Vulkan0").gpus
    assert gpu.software and gpu.name.startswith("llvmpipe")
    missing = probe_hardware(engine, run=tools({}), device="CUDA0")
    assert missing.gpus == () and missing.missing_device == "CUDA0"


def test_amd_gpus_from_rocm_smi():
    out = json.dumps({
        "card0": {"VRAM Total Memory (B)": "25753026560", "VRAM Total Used Memory (B)": "1155452928",
                  "Card series": "Navi 31 [Radeon RX 7900 XTX]"},
        "system": {"Driver version": "6.3.6"},
    })
    (gpu,) = amd_gpus(tools({"rocm-smi": out}))
    assert gpu.vendor == "amd" and gpu.name.startswith("Navi 31")
    assert gpu.total_bytes == 25753026560 and gpu.free_bytes == 25753026560 - 1155452928
    (hint,) = probe_hardware(CPU_ONLY, run=tools({"rocm-smi": out})).hints
    assert hint.remedy == "driver" and hint.message()[0] == "gpu.driver_hint"


def test_no_gpu_tools_no_gpus():
    hw = probe_hardware(CPU_ONLY, run=tools({}))
    assert hw.gpus == () and hw.gpu_total_bytes == 0 and hw.hints == ()


def test_broken_tool_output_is_ignored():
    hw = probe_hardware(CPU_ONLY, run=tools({"nvidia-smi": "Failed to initialize NVML: Driver/library version "
                                                           "mismatch\n", "rocm-smi": "not json"}))
    assert hw.gpus == () and hw.hints == ()


def test_a_broken_engine_report_means_the_cpu():
    assert EngineDevices.from_dict("nonsense").error
    report = EngineDevices.from_dict({"backends": ["CPU"], "devices": [{"name": "Vulkan0", "total_bytes": "x"}]})
    assert report.devices[0].total_bytes == 0
    assert probe_hardware(EngineDevices(error="boom"), run=tools({})).gpus == ()


def test_apple_metal_working_set():
    gib = 1024**3
    default = apple_gpu(64 * gib, 50 * gib, tools({"sysctl": ""}))
    assert default.unified and default.total_bytes == int(64 * gib * 0.75)
    small = apple_gpu(16 * gib, 10 * gib, tools({}))
    assert small.total_bytes == int(16 * gib * 2 / 3) and small.free_bytes == 10 * gib
    raised = apple_gpu(64 * gib, 60 * gib, tools({"sysctl": "57344\n"}))
    assert raised.total_bytes == 57344 * MIB
