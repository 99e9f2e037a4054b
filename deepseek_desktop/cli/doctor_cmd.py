"""``deepseek-desktop doctor``: hardware, the devices llama.cpp can run on, disk space, engines and RAM disk."""

from __future__ import annotations

from .common import print_json
from .context import Command
from .models_common import guard, print_device_notes, size_text


@guard
def run_doctor(cmd: Command) -> int:
    from ..engines.registry import engine_versions, version_problems
    from ..models.downloads.hub import hub_endpoint
    from ..models.ramdisk import ramdisk_available
    from ..models.storage import free_space

    device, threads = cmd.settings.get("llamacpp.device"), cmd.settings.get("llamacpp.threads")
    hw, folder = cmd.hardware, cmd.models_dir
    space, engines, problems = free_space(folder), engine_versions(), version_problems()
    data = {"hardware": hw.to_dict(), "device_setting": device, "threads": threads or "measured at each load",
            "models_dir": {**space.to_dict(), "exists": folder.is_dir()},
            "engines": {k: {"available": v is not None and k not in problems, "version": v,
                             **({"needs": problems[k]} if k in problems else {})} for k, v in engines.items()},
            "ramdisk": ramdisk_available(), "hub_endpoint": hub_endpoint()}
    if cmd.args.json:
        print_json(data)
        return 0
    print(f"System: {hw.os} {hw.machine}, {hw.cpu_physical_cores} cores ({hw.cpu_logical_cores} threads)"
          + (", Apple Silicon" if hw.apple_silicon else ""))
    print(f"Memory: {size_text(hw.ram_total_bytes)} total, {size_text(hw.ram_available_bytes)} available")
    print_devices(hw, device, threads)
    inodes = "no inode limit" if space.free_inodes is None else f"{space.free_inodes:,} free inodes"
    print(f"Models folder: {folder}  ({size_text(space.free_bytes)} free, {inodes})")
    for name, v in engines.items():
        needs = f" (not supported: the engine needs {problems[name]})" if name in problems else ""
        print(f"Engine {name}: {v if v else 'not installed'}{needs}")
    rd = data["ramdisk"]
    print(f"RAM disk: {'available via ' + str(rd['method']) if rd['available'] else 'not available'}")
    return 0


def print_devices(hw, device: str, threads: int) -> None:
    """What llama.cpp loaded and can run on (ggml's own answer), and where a model goes with these settings."""
    engine = hw.engine
    if engine is not None and not engine.error:
        variant = f"{engine.cpu_variant} ({engine.cpu_label})" if engine.cpu_variant else engine.cpu_label
        print(f"llama.cpp: backends {', '.join(engine.backends) or 'none'}; CPU variant {variant or '?'}"
              + (f"; GPU packs {', '.join(engine.packs)}" if engine.packs else ""))
    for g in hw.devices:
        kind = "unified memory" if g.unified else ("emulated on the CPU, used only when chosen" if g.software
                                                   else "VRAM")
        print(f"GPU {g.device}: {g.name} ({g.backend}, {kind}: {size_text(g.total_bytes)}, "
              f"{size_text(g.free_bytes)} free)")
    if not hw.devices:
        print("GPU: none the engine can use")
    where = (" + ".join(f"GPU {g.device} ({g.name})" for g in hw.gpus) if hw.gpus
             else f"CPU{' (' + engine.cpu_label + ')' if engine and engine.cpu_label else ''}")
    print(f"Models run on: {where}  (device setting: {device})")
    print(f"Threads: {threads} (the setting)" if threads else
          "Threads: the fastest count, measured on each model after it loads")
    print_device_notes(hw)
