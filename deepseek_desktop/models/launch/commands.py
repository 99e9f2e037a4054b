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
    ports: list[dict[str, Any]] = field(default_factory=list)  # {"role", "port"}
    ports_note: str = ""
    base_url: str = ""
    served_name: str = ""
    docs: str = ""


def _drop_unset(template: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        if value is None:
            template = re.sub(r"\s--[\w-]+[ =]\{" + name + r"\}", "", template)
    return template


def fill(template: str, values: dict[str, Any]) -> str:
    text = _drop_unset(template, values).format(**{k: v for k, v in values.items() if v is not None})
    return re.sub(r" {2,}", " ", text)  # an empty value (no build flag for a CPU) leaves no double space


def _include_pattern(files: tuple[str, ...]) -> str:
    """What ``huggingface-cli download --include`` needs for every part of a (split) GGUF."""
    first = files[0]
    if len(files) == 1:
        return first
    folder, _, name = first.rpartition("/")
    if folder:
        return f"{folder}/*"
    return split_glob(name)


def render(plan: EnginePlan, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, *, bind: str = "0.0.0.0",
           bin_dir: str = "build/bin/", weights_root: str = "/models", convert: str = "") -> LaunchCommands:
    """The commands for ``plan``'s layout. ``convert``: the command that makes the precision from the
    downloaded weights (DeepSeek publishes FP8 only; BF16 is converted)."""
    multi = hw.nodes > 1
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
    }
    download_values = dict(values)
    values["weights_dir"] = repo_dir
    commands = rules["commands"]
    nodes = []
    for rank in range(hw.nodes):
        role = "head" if rank == 0 else "worker"
        entries = commands.get("every") or commands.get(role, [])
        lines = [fill(e["cmd"], {**values, "rank": rank if multi else None}) for e in entries
                 if e.get("when") != "multi_node" or multi]
        nodes.append({"rank": rank, "host": hw.host(rank), "role": role, "commands": lines})
    download = download_on = ""
    if src.repo:
        download = fill(rules["download"], download_values)
        if convert:
            download += " && " + fill(convert, {**values, "fp8_dir": fp8_dir})
        download_on = rules["download_on"]
    ports = [{"role": "head", "port": int(fill(p, values))} for p in rules.get("ports_head", [])]
    if multi:
        ports += [{"role": "worker", "port": int(fill(p, values))} for p in rules.get("ports_worker", [])]
    return LaunchCommands(
        nodes=nodes, download=download, download_on=download_on, install=fill(rules["install"], values), ports=ports,
        # The note is about the links between the nodes; one machine has none.
        ports_note=rules.get("ports_note", "") if multi else "",
        base_url=f"http://{head}:{rules['api_port']}/v1", served_name=src.id, docs=rules.get("docs", ""))
