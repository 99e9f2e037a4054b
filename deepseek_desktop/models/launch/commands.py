"""The commands of a launch plan, per node, from the engine's templates in ``engines.json``.

A template is one shell line with ``{placeholders}``. A placeholder whose value does not apply to this layout
(``--rpc`` on one machine, ``--node-rank`` without a second node) is left out together with its flag, so one
template serves every layout.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from ...core.requests import EXPERTS_IN_RAM
from ..gguf.split import split_glob
from .cluster import ClusterHardware
from .layout import EnginePlan, ModelSource


@dataclass(frozen=True)
class LaunchCommands:
    """What a plan's reader runs: per node (``{"rank", "host", "role", "commands"}``), the download, the
    install, the ports to open, and where the app connects afterwards."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    download: str = ""
    download_on: str = ""  # "every" node or the "head" only
    install: str = ""
    # {"role", "port", "access"}: "clients" (the API, with its key), "private" (between the nodes only: no
    # authentication), "local" (127.0.0.1 on that machine).
    ports: list[dict[str, Any]] = field(default_factory=list)
    ports_note: str = ""
    base_url: str = ""
    served_name: str = ""
    docs: str = ""
    api_key_setup: str = ""  # the line that makes $LAUNCH_API_KEY, run before the server
    notes: list[str] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)  # {"id", "flags", "purpose"}


def _drop_unset(template: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        if value is None:
            template = re.sub(r"\s--[\w-]+[ =]\{" + name + r"\}", "", template)
    return template


def fill(template: str, values: dict[str, Any]) -> str:
    text = _drop_unset(template, values).format(**{k: v for k, v in values.items() if v is not None})
    return re.sub(r" {2,}", " ", text)  # an empty value (no build flag for a CPU) leaves no double space


EXPERTS_TO_RAM = f'--override-tensor "{EXPERTS_IN_RAM}"'


def _expert_flags(plan: EnginePlan) -> str | None:
    """Every routed expert in RAM (the override pattern, also understood by older builds), or the first N layers'
    experts (``--n-cpu-moe``) when the GPUs have room for the rest."""
    if not plan.cpu_moe_layers:
        return None
    if plan.cpu_moe_layers >= plan.gpu_layers - 1:
        return EXPERTS_TO_RAM
    return f"--n-cpu-moe {plan.cpu_moe_layers}"


def _options(plan: EnginePlan, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware,
             values: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for o in rules.get("options", []):
        if src.fmt not in o.get("formats", [src.fmt]) or (o.get("archs") and hw.arch not in o["archs"]):
            continue
        out.append({"id": o["id"], "flags": fill(o["flags"], values), "purpose": o["purpose"]})
    return out


def _include_pattern(files: tuple[str, ...]) -> str:
    """What ``huggingface-cli download --include`` needs for every part of a (split) GGUF."""
    first = files[0]
    if len(files) == 1:
        return first
    folder, _, name = first.rpartition("/")
    if folder:
        return f"{folder}/*"
    return split_glob(name)


def render(plan: EnginePlan, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, *, bind: str = "",
           bin_dir: str = "build/bin/", weights_root: str = "/models", convert: str = "", quant_flags: str = "",
           common: dict[str, Any] | None = None) -> LaunchCommands:
    """The commands for ``plan``'s layout. ``convert``: the command that makes the precision from the
    downloaded weights (DeepSeek publishes FP8 only; BF16 is converted). ``bind``: where the API listens (default
    127.0.0.1 on one machine, every address on a cluster's head); it always asks for $LAUNCH_API_KEY.
    ``common``: the engines file's shared blocks ("api_key", "download_tool")."""
    common = common or {}
    multi = hw.nodes > 1
    bind = bind or ("0.0.0.0" if multi else "127.0.0.1")
    head = hw.host(0)
    fp8_dir = f"{weights_root.rstrip('/')}/{src.repo.rsplit('/', 1)[-1]}" if src.repo else weights_root
    repo_dir = f"{fp8_dir}-{src.precision.lower()}" if convert else fp8_dir
    if src.local_file:
        model_file = src.local_file
    elif src.files:
        model_file = f"{repo_dir}/{src.files[0]}"
    else:
        model_file = repo_dir
    workers = [hw.host(r) for r in range(1, hw.nodes)]
    values: dict[str, Any] = {
        "head": head, "bind": bind, "bin": bin_dir, "served_name": src.id, "ctx": plan.ctx,
        "api_port": rules["api_port"], "dist_port": rules["dist_port"], "weights_dir": fp8_dir,
        "repo": src.repo or None, "model_file": shlex.quote(model_file),
        "tp": plan.tp, "pp": plan.pp if plan.pp > 1 else None, "nodes": hw.nodes if multi else None,
        "dist_init": f"{head}:{rules['dist_port']}" if multi else None,
        "rpc_list": ",".join(f"{w}:{rules['dist_port']}" for w in workers) or None,
        "gpu_layers": plan.gpu_layers if plan.gpu_layers else None,
        "tensor_split": ",".join(str(x) for x in plan.tensor_split) or None,
        "cache_type": rules.get("cache_type"),
        "build_flag": rules.get("build_flags", {}).get(hw.vendor, ""),
        "include": _include_pattern(src.files) if src.files else None,
        "quant_flags": quant_flags,
        "executor": "ray" if multi else "mp",
        "expert_flags": _expert_flags(plan) or "",
        "wired_mb": int(plan.usable_per_gpu / 1024**2),
        "mlx_backend": "ring",
        "host_list": ",".join(hw.host(r) for r in range(hw.nodes)),
    }
    download_values = dict(values)
    values["weights_dir"] = repo_dir
    commands = rules["commands"]
    nodes = []
    for rank in range(hw.nodes):
        role = "head" if rank == 0 else "worker"
        entries = commands.get("every") or commands.get(role, [])
        lines = [fill(e["cmd"], {**values, "rank": rank if multi else None, "host": hw.host(rank)}) for e in entries
                 if _applies(e, multi)]
        nodes.append({"rank": rank, "host": hw.host(rank), "role": role, "commands": lines})
    download = download_on = ""
    if src.repo:
        download = fill(rules["download"], download_values)
        if convert:
            download += " && " + fill(convert, {**values, "fp8_dir": fp8_dir})
        download_on = rules["download_on"]
    loopback = bind.startswith("127.") or bind in ("localhost", "::1")
    ports = [{"role": "head", "port": int(fill(p["port"], values)),
              "access": "local" if loopback and p["access"] == "clients" else p["access"]}
             for p in rules.get("ports_head", []) if _applies(p, multi)]
    if multi:
        ports += [{"role": "worker", "port": int(fill(p["port"], values)), "access": p["access"]}
                  for p in rules.get("ports_worker", [])]
    install = fill(rules.get("install_multi_node", rules["install"]) if multi else rules["install"], values)
    notes = [rules[k] for k in ("install_note",) if rules.get(k)]
    if download:
        tool = common.get("download_tool", {})
        install += f" && {tool['install']}" if tool.get("install") else ""
        notes += [tool["note"]] if tool.get("note") else []
    key = common.get("api_key", {}) if rules.get("api_key", True) else {}
    notes += [key["note"]] if key.get("note") else []
    local_api = any(p["access"] == "local" for p in ports)
    if local_api and rules.get("api_key", True):
        notes.append(fill(LOOPBACK_NOTE, values))
    return LaunchCommands(
        nodes=nodes, download=download, download_on=download_on, install=install, ports=ports,
        # The note is about the links between the nodes (and a server without a key); one machine has none.
        ports_note=fill(rules.get("ports_note", ""), values) if multi or not rules.get("api_key", True) else "",
        base_url=f"http://{'127.0.0.1' if local_api else head}:{rules['api_port']}/v1",
        served_name=values["weights_dir"] if rules.get("served_name_is_path") else src.id,
        docs=rules.get("docs", ""), api_key_setup=key.get("setup", ""), notes=notes,
        options=_options(plan, rules, src, hw, values))


LOOPBACK_NOTE = ("The API listens on 127.0.0.1 only: run the app on {head}, reach it through an SSH tunnel "
                 "(ssh -N -L {api_port}:127.0.0.1:{api_port} {head}), or plan with the address it should listen on "
                 "(--bind); it asks for the key either way.")


def _applies(entry: dict[str, Any], multi: bool) -> bool:
    when = entry.get("when")
    return when is None or (when == "multi_node") == multi
