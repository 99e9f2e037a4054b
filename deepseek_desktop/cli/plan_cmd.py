"""``deepseek-desktop models plan``: how to run a model too big for one computer on your GPUs or cluster."""

from __future__ import annotations

import argparse
from typing import Any

from ..core.vocabulary import LaunchEngine
from .common import fail, print_json
from .context import Command

_VERDICTS = {"fits": "fits", "no_fit": "does not fit", "unsupported": "cannot run on this hardware"}


def add_plan_parser(msub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = msub.add_parser("plan", parents=[common], help="launch commands for a model on your GPUs or cluster")
    p.add_argument("model", metavar="ID[:QUANT]", nargs="?",
                   help="a catalogue id with FP8, BF16 or a GGUF quantisation (deepseek-v3:Q4_K_M), or a GGUF path")
    p.add_argument("--gpus", metavar="COUNTxMEMORY", help="GPUs per node and memory per GPU, e.g. 8x80GB")
    p.add_argument("--nodes", type=int, default=1, help="number of machines (default 1)")
    p.add_argument("--vendor", default="nvidia", choices=("nvidia", "amd", "apple", "cpu"))
    p.add_argument("--gpu-arch", choices=("ampere", "ada", "hopper", "blackwell", "cdna3", "apple"),
                   help="the GPUs' generation, for the formats they compute in (ampere: A100, RTX 30 have no FP8)")
    p.add_argument("--ram", metavar="SIZE", help="system RAM per machine, e.g. 256GB (for the experts-in-RAM route)")
    p.add_argument("--preset", help="a hardware preset instead of --gpus/--nodes (see --list-presets)")
    p.add_argument("--list-presets", action="store_true", help="list the hardware presets and exit")
    p.add_argument("--engine", choices=[e.value for e in LaunchEngine], action="append",
                   help="only this engine (repeatable; default: all)")
    p.add_argument("--ctx", type=int, default=None, help="context length in tokens (default 32768)")
    p.add_argument("--hosts", help="the nodes' addresses, head first, comma-separated (default node0, node1...)")
    p.add_argument("--bind", default="", help="address the API listens on (default 127.0.0.1 on one machine, "
                                             "0.0.0.0 on a cluster's head; always with an API key)")
    p.add_argument("--api-port", type=int, help="the API port (default: the engine's)")
    p.add_argument("--rpc-port", type=int, help="the port between the nodes (default: the engine's)")
    p.add_argument("--bin-dir", default="build/bin/", help="where llama.cpp's programs are (default build/bin/)")
    p.set_defaults(handler=run_plan)
    return p


def hardware_from_args(args: argparse.Namespace):
    from dataclasses import replace

    from ..models.launch.cluster import ClusterHardware, parse_gpus, parse_size, preset_hardware

    hosts = tuple(h.strip() for h in (args.hosts or "").split(",") if h.strip())
    ram = parse_size(args.ram) if args.ram else None
    if args.preset:
        hw = preset_hardware(args.preset)
        return replace(hw, hosts=hosts, arch=args.gpu_arch or hw.arch,
                       ram_bytes=hw.ram_bytes if ram is None else ram)
    if not args.gpus:
        raise ValueError("give --gpus COUNTxMEMORY (e.g. 8x80GB) or --preset")
    count, memory = parse_gpus(args.gpus)
    arch = args.gpu_arch or ("apple" if args.vendor == "apple" else "")
    return ClusterHardware(args.nodes, count, memory, args.vendor, hosts, arch, ram or 0)


def run_plan(cmd: Command) -> int:
    from ..core.errors import DeepSeekError
    from ..models.launch.cluster import PlanInputError, load_presets
    from ..models.launch.plan import ENGINE_ORDER, plan_launch
    from .common import report

    args = cmd.args
    if args.list_presets:
        presets = load_presets()
        if args.json:
            print_json(presets)
        else:
            for p in presets:
                machines = f"{p['nodes']} machines × " if p["nodes"] > 1 else ""
                print(f"{p['id']:<22} {machines}{p['gpus_per_node']} × {p['gpu']}")
        return 0
    if not args.model:
        return fail("name the model to plan, e.g. deepseek-r1:Q4_K_M (or --list-presets)")
    bin_dir = args.bin_dir if args.bin_dir.endswith("/") else args.bin_dir + "/"
    try:
        hw = hardware_from_args(args)
        if args.ctx is not None and not 256 <= args.ctx <= 1_048_576:
            raise PlanInputError("--ctx must be between 256 and 1048576")
        plans = plan_launch(cmd.catalogue, args.model, hw, ctx=args.ctx,
                            engine_ids=tuple(args.engine or ENGINE_ORDER), bind=args.bind, bin_dir=bin_dir,
                            api_port=args.api_port, dist_port=args.rpc_port)
    except DeepSeekError as exc:
        return report(exc)
    except (PlanInputError, ValueError) as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"{exc.strerror or exc}: {exc.filename}")
    hardware = {"nodes": hw.nodes, "gpus_per_node": hw.gpus_per_node, "gpu_memory_bytes": hw.gpu_memory_bytes,
                "vendor": hw.vendor, "arch": hw.arch, "ram_bytes": hw.ram_bytes,
                "hosts": [hw.host(r) for r in range(hw.nodes)]}
    if args.json:
        print_json({"model": args.model, "hardware": hardware, "plans": [p.to_dict() for p in plans]})
        return 0
    print(f"{args.model} on {hw.nodes} node(s) × {hw.gpus_per_node} {hw.vendor.upper()} device(s) of "
          f"{_gb(hw.gpu_memory_bytes)}" + (f" and {_gb(hw.ram_bytes)} of RAM each" if hw.ram_bytes else ""))
    for plan in plans:
        print()
        _print_plan(plan)
    return 0


def _gb(n: int) -> str:
    # GPU makers' "80 GB" are GiB; the figures here are compared with them.
    return f"{n / 1024**3:.1f} GiB"


def suggestion_text(s: Any, plan: Any) -> str:
    if s.kind == "quant":
        return f"the smaller quantisation {s.quant}"
    if s.kind == "ctx":
        return f"a context of {s.ctx} tokens"
    if s.kind == "precision":
        return f"the {s.quant} weights"
    if s.kind == "gpus":
        return (f"{s.nodes * s.gpus_per_node} GPUs ({s.nodes} node(s) × {s.gpus_per_node})"
                + (f" with {s.quant}" if s.quant else ""))
    return f"DeepSeek's API (model {s.api_model})"


_REASONS = {
    "vendor": "This engine does not run on these devices.",
    "format": "This engine does not read these weights.",
    "arch": "These GPUs cannot compute in this format (no FP8 before Ada/Hopper).",
    "one_machine": "This route is for one machine.",
}
_ACCESS = {"clients": "the API, with its key", "private": "private network only: no authentication",
           "local": "this machine only"}


def _print_plan(plan: Any) -> None:
    print(f"{plan.name} · {plan.precision} · {plan.ctx} tokens: {_VERDICTS[plan.verdict]}")
    if plan.verdict == "unsupported":
        print("  " + _REASONS.get(plan.reason, _REASONS["format"]))
        if plan.suggestions:
            print("  It would run with: " + "; or ".join(suggestion_text(s, plan) for s in plan.suggestions))
        return
    if plan.engine == LaunchEngine.LLAMACPP_EXPERTS:
        where = ("every routed expert in RAM" if plan.cpu_moe_layers >= plan.gpu_layers - 1 else
                 f"the experts of {plan.cpu_moe_layers} layers in RAM" if plan.cpu_moe_layers else "all on the GPUs")
        print(f"  Layout: every layer on {plan.devices} GPU(s), {where}: {_gb(plan.ram_need)} of "
              + (f"{_gb(plan.ram_usable)} usable RAM" if plan.ram_usable else "RAM (give --ram to check it)"))
    elif plan.engine == LaunchEngine.MLX:
        print(f"  Layout: {plan.devices} Mac(s)" + (f", a pipeline of {plan.pp} stages" if plan.pp > 1 else ""))
    elif plan.engine == LaunchEngine.LLAMACPP:
        print(f"  Layout: {plan.devices} device(s), up to {plan.layers_per_device} layers each"
              + (f", tensor split {','.join(map(str, plan.tensor_split))}" if plan.tensor_split else ""))
    else:
        print(f"  Layout: tensor parallel {plan.tp}" + (f" × pipeline {plan.pp}" if plan.pp > 1 else "")
              + (f" over {len(plan.nodes)} nodes" if len(plan.nodes) > 1 else "")
              + (f" ({plan.idle_gpus} GPU(s) idle: {plan.tp} must divide the attention heads)" if plan.idle_gpus
                 else ""))
    print(f"  Per GPU: {_gb(plan.weights_per_gpu)} weights + {_gb(plan.kv_per_gpu)} KV cache + "
          f"{_gb(plan.overhead_per_gpu)} overhead = {_gb(plan.need_per_gpu)} of {_gb(plan.usable_per_gpu)} usable")
    if plan.kv_cache == "full" and plan.engine in (LaunchEngine.LLAMACPP, LaunchEngine.LLAMACPP_EXPERTS):
        print("  These GGUFs predate llama.cpp's MLA cache (April 2025): it keeps every head's K and V, "
              "71 times the latent.")
    if not plan.fits:
        if plan.suggestions:
            print("  It would fit with: " + "; or ".join(suggestion_text(s, plan) for s in plan.suggestions))
        return
    print(f"  Install: {plan.install}")
    for note in plan.notes:
        print(f"  Note: {note}")
    if plan.api_key_setup:
        print(f"  API key (on the head, before the server): {plan.api_key_setup}")
    if plan.download:
        where = "on every node" if plan.download_on == "every" else "on the head node only"
        print(f"  Download ({where}): {plan.download}")
    for node in plan.nodes:
        print(f"  {node['host']} ({node['role']}):")
        for line in node["commands"]:
            print(f"    $ {line}")
    ports = "; ".join(f"{p['port']} on the {p['role']} ({_ACCESS[p['access']]})" for p in plan.ports)
    print(f"  Ports: {ports}. {plan.ports_note}".rstrip())
    for option in plan.options:
        print(f"  Optional, {option['purpose']}: add {option['flags']}")
    key = " and the API key" if plan.api_key_setup else ""
    print(f"  The app connects to {plan.base_url} with model {plan.served_name}{key}.")
