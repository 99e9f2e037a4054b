"""What one engine's layout on the user's hardware needs per GPU, before any command is written.

What must fit on each GPU: its share of the weights (the catalogue's real GGUF sizes, or parameters x bytes
for FP8/BF16), the KV cache of the layers it holds, and a fixed per-GPU overhead (CUDA context, activations,
graphs). DeepSeek's MLA caches one compressed latent per token and layer (kv_lora_rank + the RoPE part), and
tensor parallelism does not split it: every tensor-parallel rank holds the whole latent of its layers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue.catalogue import CatalogueModel
from ..fit import ModelShape, estimate_memory
from .cluster import GIB, ClusterHardware


@dataclass(frozen=True)
class ModelSource:
    """What is served: a catalogue model at a precision, or a GGUF file on this computer."""

    id: str
    name: str
    precision: str  # "FP8" | "BF16" | a GGUF quantisation
    fmt: str  # "FP8" | "BF16" | "GGUF"
    weights_bytes: int
    shape: ModelShape
    repo: str = ""  # where the weights are downloaded from ("" for a local file)
    files: tuple[str, ...] = ()
    local_file: str = ""
    api_model: str = ""


def catalogue_source(model: CatalogueModel, precision: str, engines: dict[str, Any]) -> ModelSource:
    shape = ModelShape.from_arch(model.arch)
    p = precision.strip().upper()
    if p in engines["precisions"]:
        per_param = float(engines["precisions"][p]["bytes_per_param"])
        return ModelSource(model.id, model.name, p, p, int(model.params_total * per_param), shape,
                           model.original_repo, api_model=model.api_model)
    q = model.quant(precision)
    return ModelSource(model.id, model.name, q.quant, "GGUF", q.size, shape, model.gguf_repo, q.files,
                       api_model=model.api_model)


def gguf_source(path: Path) -> ModelSource:
    """A GGUF on this computer (all parts of a split file count): its real tensor sizes and shape."""
    from ..gguf.header import read_gguf_header

    header = read_gguf_header(path)
    return ModelSource(path.stem, str(header.metadata.get("general.name") or path.stem),
                       header.quantization or "GGUF", "GGUF",
                       path.stat().st_size, ModelShape.from_gguf(header), local_file=str(path))


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "quant" | "ctx" | "gpus" | "api"
    quant: str = ""
    ctx: int = 0
    nodes: int = 0
    gpus_per_node: int = 0
    api_model: str = ""


@dataclass
class EnginePlan:
    engine: str
    name: str
    verdict: str  # "fits" | "no_fit" | "unsupported" (vendor or format the engine cannot run)
    precision: str
    ctx: int
    tp: int = 1
    pp: int = 1
    devices: int = 0  # GPUs (llama.cpp: devices incl. CPU nodes) the layout uses
    gpu_layers: int = 0
    tensor_split: tuple[int, ...] = ()
    layers_per_device: int = 0
    weights_per_gpu: int = 0
    kv_per_gpu: int = 0
    overhead_per_gpu: int = 0
    need_per_gpu: int = 0
    usable_per_gpu: int = 0
    weights_bytes: int = 0
    idle_gpus: int = 0
    suggestions: list[Suggestion] = field(default_factory=list)
    # The commands (``commands.LaunchCommands``, filled in by ``plan.plan_engine``), flat beside the figures:
    # ``to_dict`` is what ``models plan --json`` prints.
    nodes: list[dict[str, Any]] = field(default_factory=list)  # {"rank","host","role","commands"}
    download: str = ""
    download_on: str = ""
    install: str = ""
    ports: list[dict[str, Any]] = field(default_factory=list)  # {"role", "port"}
    ports_note: str = ""
    base_url: str = ""
    served_name: str = ""
    docs: str = ""

    @property
    def fits(self) -> bool:
        return self.verdict == "fits"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def layout_for(engine: str, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, ctx: int) -> EnginePlan:
    """Size one engine on this hardware (no commands yet)."""
    plan = EnginePlan(engine, rules["name"], "fits", src.precision, ctx, weights_bytes=src.weights_bytes)
    fmt_ok = src.fmt in rules["formats"]
    if hw.vendor not in rules["vendors"] or not fmt_ok:
        plan.verdict = "unsupported"
        return plan
    shape = src.shape
    usable = float(rules.get("vendor_usable_fraction", {}).get(hw.vendor, rules["usable_fraction"]))
    plan.usable_per_gpu = int(hw.gpu_memory_bytes * usable)
    overhead = rules.get("vendor_overhead_gib", {}).get(hw.vendor, rules["gpu_overhead_gib"])
    plan.overhead_per_gpu = int(float(overhead) * GIB)
    layout = rules["layout"]
    if layout in ("tp_across_nodes", "tp_in_node_pp_across_nodes"):
        latent = shape.kv_lora_rank + shape.rope_dim if shape.attention == "mla" else 0
        kv_per_token_layer = (latent or shape.kv_heads * (shape.key_dim + shape.value_dim)) * rules[
            "kv_bytes_per_element"]
        if layout == "tp_across_nodes":
            # One group over every GPU; each node brings tp / nnodes of them.
            tp = _largest_tp(shape.heads, hw.total_gpus, step=hw.nodes)
            pp = 1
        else:
            tp, pp = _largest_tp(shape.heads, hw.gpus_per_node), hw.nodes
        if tp == 0:
            plan.verdict = "no_fit"  # no tensor-parallel size divides the heads on this many GPUs
            return plan
        if not latent:
            kv_per_token_layer /= tp  # GQA heads are split over the tensor-parallel ranks; an MLA latent is not
        plan.tp, plan.pp, plan.devices = tp, pp, tp * pp
        plan.idle_gpus = hw.total_gpus - tp * pp
        stage_layers = math.ceil(shape.layers / pp)
        plan.layers_per_device = stage_layers
        plan.weights_per_gpu = math.ceil(src.weights_bytes / (tp * pp))
        plan.kv_per_gpu = int(ctx * stage_layers * kv_per_token_layer)
    else:
        devices = hw.total_gpus
        est = estimate_memory(shape, src.weights_bytes, ctx, cache_type=rules["cache_type"],
                              flash_attn=bool(rules["flash_attn"]))
        per_device = math.ceil(shape.layers / devices)
        plan.devices = devices
        plan.layers_per_device = per_device
        plan.weights_per_gpu = math.ceil(src.weights_bytes * per_device / shape.layers)
        plan.kv_per_gpu = math.ceil(est.kv_cache_bytes * per_device / shape.layers)
        plan.overhead_per_gpu += est.compute_bytes + est.output_bytes
        if hw.vendor == "cpu":
            # The head's CPU is not an offload device: it keeps its share of layers, the workers get the rest.
            workers = devices - hw.gpus_per_node
            plan.gpu_layers = min(shape.layers, per_device * workers)
            plan.tensor_split = (1,) * workers if workers > 1 else ()
        else:
            plan.gpu_layers = shape.layers + 1  # + the output layer
            # Proportional to memory, in llama.cpp's device order (RPC devices first); equal GPUs -> equal shares.
            gb = round(hw.gpu_memory_bytes / GIB)
            plan.tensor_split = (gb,) * devices if devices > 1 else ()
    plan.need_per_gpu = plan.weights_per_gpu + plan.kv_per_gpu + plan.overhead_per_gpu
    if plan.devices == 0 or plan.need_per_gpu > plan.usable_per_gpu:
        plan.verdict = "no_fit"
    return plan


def _largest_tp(heads: int, gpus: int, step: int = 1) -> int:
    """The largest size <= gpus that divides the attention heads (and is a multiple of ``step``, the nodes)."""
    for tp in range(gpus, 0, -1):
        if heads % tp == 0 and tp % step == 0:
            return tp
    return 0
