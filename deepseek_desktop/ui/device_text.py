"""Where models run, in the window's words: the GPUs a fit counts, the hints for a GPU no backend can use, and
the status bar's line for a loaded model ("GPU · Vulkan · NVIDIA GeForce RTX 4090 · 49/49 layers")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from ..core.devices import Placement
from .error_text import error_message

translate = QCoreApplication.translate  # a name lupdate recognises


def gpu_name(gpu) -> str:
    """A GPU of ``HardwareInfo``: its name, and "emulated on the processor" for a software device."""
    if gpu.software:
        return translate("DeviceText", "{name} (emulated on the processor)").format(name=gpu.name)
    return gpu.name


def hint_lines(hw) -> list[str]:
    """One translated line per GPU that no loaded backend drives (get the GPU pack, update the driver), and
    one when the chosen device is not there."""
    lines = []
    if hw.missing_device:
        lines.append(error_message("gpu.device_missing", {"device": hw.missing_device}))
    for hint in hw.hints:
        message_id, params = hint.message()
        if "size" in params:
            params["size"] = QLocale().formattedDataSize(int(params["size"]), 1,
                                                         QLocale.DataSizeFormat.DataSizeSIFormat)
        lines.append(error_message(message_id, params))
    return lines


def placement_text(where: Placement) -> str:
    loc = QLocale()
    threads = (translate("DeviceText", "1 thread") if where.threads == 1 else
               translate("DeviceText", "{n} threads").format(n=loc.toString(where.threads))) if where.threads else ""
    if where.on_gpu:
        parts = [translate("DeviceText", "GPU"), where.backend, ", ".join(where.devices),
                 translate("DeviceText", "{n}/{total} layers").format(n=loc.toString(where.gpu_layers),
                                                                      total=loc.toString(where.layers))]
    else:
        parts = [translate("DeviceText", "CPU"), where.cpu_label]
    return " · ".join(p for p in [*parts, threads] if p)


def fallback_text(where: Placement) -> str:
    """The one line for a GPU that could not take the model, or ""."""
    if not where.fallback:
        return ""
    return error_message(where.fallback, {"reason": where.fallback_detail, "layers": str(where.gpu_layers),
                                          "total": str(where.layers)})
