"""``deepseek-desktop doctor``: hardware, disk space, engines and RAM disk of this computer."""

from __future__ import annotations

from .common import print_json
from .context import Command
from .models_common import guard, size_text


@guard
def run_doctor(cmd: Command) -> int:
    from ..engines.registry import engine_versions, version_problems
    from ..models.downloads.hub import hub_endpoint
    from ..models.hardware import probe_hardware
    from ..models.ramdisk import ramdisk_available
    from ..models.storage import free_space

    hw, folder = probe_hardware(), cmd.models_dir
    space, engines, problems = free_space(folder), engine_versions(), version_problems()
    data = {"hardware": hw.to_dict(), "models_dir": {**space.to_dict(), "exists": folder.is_dir()},
            "engines": {k: {"available": v is not None and k not in problems, "version": v,
                             **({"needs": problems[k]} if k in problems else {})} for k, v in engines.items()},
            "ramdisk": ramdisk_available(), "hub_endpoint": hub_endpoint()}
    if cmd.args.json:
        print_json(data)
        return 0
    print(f"System: {hw.os} {hw.machine}, {hw.cpu_physical_cores} cores ({hw.cpu_logical_cores} threads)"
          + (", Apple Silicon" if hw.apple_silicon else ""))
    print(f"Memory: {size_text(hw.ram_total_bytes)} total, {size_text(hw.ram_available_bytes)} available")
    for g in hw.gpus:
        kind = "unified memory, Metal limit" if g.unified else "VRAM"
        print(f"GPU: {g.name} ({kind} {size_text(g.total_bytes)}, {size_text(g.free_bytes)} free)")
    if not hw.gpus:
        print("GPU: none found (nvidia-smi / rocm-smi); models run on the CPU")
    inodes = "no inode limit" if space.free_inodes is None else f"{space.free_inodes:,} free inodes"
    print(f"Models folder: {folder}  ({size_text(space.free_bytes)} free, {inodes})")
    for name, v in engines.items():
        needs = f" (not supported: the engine needs {problems[name]})" if name in problems else ""
        print(f"Engine {name}: {v if v else 'not installed'}{needs}")
    rd = data["ramdisk"]
    print(f"RAM disk: {'available via ' + str(rd['method']) if rd['available'] else 'not available'}")
    return 0
