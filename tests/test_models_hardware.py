"""The hardware probe: the real machine, and the vendor tools' output through the command seam.

nvidia-smi, rocm-smi and macOS's sysctl do not exist here; the seam hands the probe what those tools
print (their documented formats), so the parsing is tested without pretending to be our own code.
"""

from __future__ import annotations

import json

import psutil

from deepseek_desktop.models.hardware import MIB, apple_gpu, probe_hardware


def tools(outputs: dict[str, str]):
    calls = []

    def run(argv):
        calls.append(argv)
        return outputs.get(argv[0])

    run.calls = calls
    return run


def test_probe_this_machine():
    hw = probe_hardware()
    assert hw.ram_total_bytes == psutil.virtual_memory().total
    assert 0 < hw.ram_available_bytes <= hw.ram_total_bytes
    assert hw.cpu_logical_cores >= hw.cpu_physical_cores >= 1
    assert hw.os and hw.machine
    data = hw.to_dict()
    assert set(data) >= {"ram_total_bytes", "gpus", "unified_memory", "apple_silicon"}


def test_nvidia_gpus_from_nvidia_smi():
    run = tools({"nvidia-smi": "NVIDIA GeForce RTX 4090, 24564, 23012\nNVIDIA RTX A6000, 49140, 48000\n"})
    hw = probe_hardware(run)
    assert [g.name for g in hw.gpus] == ["NVIDIA GeForce RTX 4090", "NVIDIA RTX A6000"]
    assert hw.gpus[0].total_bytes == 24564 * MIB and hw.gpus[0].free_bytes == 23012 * MIB
    assert hw.gpu_total_bytes == (24564 + 49140) * MIB and not hw.unified_memory
    assert ["nvidia-smi", "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"] in run.calls


def test_amd_gpus_from_rocm_smi():
    out = json.dumps({
        "card0": {"VRAM Total Memory (B)": "25753026560", "VRAM Total Used Memory (B)": "1155452928",
                  "Card series": "Navi 31 [Radeon RX 7900 XTX]"},
        "system": {"Driver version": "6.3.6"},
    })
    hw = probe_hardware(tools({"rocm-smi": out}))
    (gpu,) = hw.gpus
    assert gpu.vendor == "amd" and gpu.name.startswith("Navi 31")
    assert gpu.total_bytes == 25753026560 and gpu.free_bytes == 25753026560 - 1155452928


def test_no_gpu_tools_no_gpus():
    hw = probe_hardware(tools({}))
    assert hw.gpus == () and hw.gpu_total_bytes == 0


def test_broken_tool_output_is_ignored():
    hw = probe_hardware(tools({"nvidia-smi": "Failed to initialize NVML: Driver/library version mismatch\n",
                               "rocm-smi": "not json"}))
    assert hw.gpus == ()


def test_apple_metal_working_set():
    gib = 1024**3
    default = apple_gpu(64 * gib, 50 * gib, tools({"sysctl": ""}))
    assert default.unified and default.total_bytes == int(64 * gib * 0.75)
    small = apple_gpu(16 * gib, 10 * gib, tools({}))
    assert small.total_bytes == int(16 * gib * 2 / 3) and small.free_bytes == 10 * gib
    raised = apple_gpu(64 * gib, 60 * gib, tools({"sysctl": "57344\n"}))
    assert raised.total_bytes == 57344 * MIB
