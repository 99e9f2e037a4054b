"""``deepseek-desktop gpu-pack [install|remove]``: the GPU pack (llama.cpp's CUDA backend) for this computer.

Without a subcommand: what is installed, and what this version's release offers for this computer. The
pack goes into the data folder; the engine loads it the next time it starts.
"""

from __future__ import annotations

import argparse

from .. import __version__
from .common import print_json
from .context import Command
from .models_common import guard, size_text


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("gpu-pack", parents=[common], help="the GPU pack (CUDA) for an NVIDIA graphics card")
    p.add_argument("action", nargs="?", choices=("status", "install", "remove"), default="status")
    p.set_defaults(handler=run_gpu_pack)


@guard
def run_gpu_pack(cmd: Command) -> int:
    import llama_cpp

    from ..engine_host.device_query import forget_devices
    from ..models.downloads.gpu_packs import fetch_manifest, installed_pack_dirs, pack_for, packs_url
    from ..models.hardware import pack_platform

    args, paths = cmd.args, cmd.paths.ensure()
    version, platform = llama_cpp.__version__, pack_platform()
    installed = installed_pack_dirs(paths.gpu_packs_dir, version)
    if args.action == "remove":
        import shutil

        for folder in installed:
            shutil.rmtree(folder)
        forget_devices()
        names = [f.name for f in installed]
        print_json({"removed": names}) if args.json else print(f"Removed: {', '.join(names) or 'nothing'}")
        return 0
    if args.action == "status":
        url = packs_url(__version__)
        pack = pack_for(fetch_manifest(url, paths.cache_dir), platform, version) if platform else None
        data = {"installed": [f.name for f in installed], "available": pack.to_dict() if pack else None,
                "platform": platform, "url": url}
        if args.json:
            print_json(data)
            return 0
        print(f"Installed: {', '.join(data['installed']) or 'none'}")
        print(f"For this computer: {pack.name} ({pack.backend}, {size_text(pack.size)})" if pack
              else "For this computer: none")
        return 0
    from ..engine_host.device_query import install_offered_pack
    from .models_install import run_with_progress

    result = run_with_progress(lambda progress, cancel: install_offered_pack(paths, progress, cancel), args.json)
    if isinstance(result, int):
        return result
    if args.json:
        print_json({"type": "installed", **result.to_dict()})
    else:
        print(f"Installed the GPU pack {result.name} ({result.backend}); it is used from the next engine start.")
    return 0
