"""What one engine's layout on the user's hardware needs per GPU, before any command is written.

What must fit on each GPU: its share of the weights (the catalogue's real GGUF sizes, or parameters x bytes
for FP8/BF16), the KV cache of the layers it holds, and a fixed per-GPU overhead (CUDA context, activations,
graphs). DeepSeek's MLA caches one compressed latent per token and layer (kv_lora_rank + the RoPE part), and
tensor parallelism does not split it: every tensor-parallel rank holds the whole latent of its layers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ...core.vocabulary import Engine
from ..catalogue.catalogue import CatalogueModel
from ..fit import EXPERT_TENSOR, ModelShape, estimate_memory
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
    # The routed experts' share of ``weights_bytes`` (llama.cpp's expert offload keeps them in system RAM).
    expert_bytes: int = 0


# Unsloth's dynamic quantisations keep attention and the shared parts at 4 bits or more; a plain quantisation
# has them at its own width. Below this many bytes per weight the non-expert part is counted at 4.5 bits.
_MIN_NON_EXPERT_BYTES = 4.5 / 8


def _expert_bytes(model: CatalogueModel, size: int) -> int:
    routed = model.arch.routed_expert_params
    if not routed:
        return 0
    non_expert = model.params_total - routed
    return max(0, size - int(non_expert * max(size / model.params_total, _MIN_NON_EXPERT_BYTES)))


def catalogue_source(model: CatalogueModel, precision: str, engines: dict[str, Any]) -> ModelSource:
    shape = ModelShape.from_arch(model.arch)
    p = precision.strip().upper()
    if p == "MLX":
        repo = model.mlx_repo(4)
        return ModelSource(model.id, model.name, "MLX 4-bit", "MLX", repo.size, shape, repo.repo,
                           api_model=model.api_model)
    if p in engines["precisions"]:
        rule = engines["precisions"][p]
        per_param = float(rule["bytes_per_param"])
        repo = rule["repos"].get(model.id, "") if "repos" in rule else model.original_repo
        return ModelSource(model.id, model.name, p, p, int(model.params_total * per_param), shape,
                           repo, api_model=model.api_model)
    q = model.quant(precision)
    if shape.attention == "mla" and not model.gguf_mla_cache:
        shape = without_mla_cache(shape)
    return ModelSource(model.id, model.name, q.quant, "GGUF", q.size, shape, model.gguf_repo, q.files,
                       api_model=model.api_model, expert_bytes=_expert_bytes(model, q.size))


def without_mla_cache(shape: ModelShape) -> ModelShape:
    """How llama.cpp caches a DeepSeek GGUF converted before its MLA change: every head's full key (192) and
    value (128), 40,960 values per token and layer instead of the 576 of the latent."""
    return replace(shape, attention="gqa", kv_lora_rank=0)


def gguf_source(path: Path) -> ModelSource:
    """A GGUF on this computer (all parts of a split file count): its real tensor sizes and shape, and whether
    its K/V cache is the MLA latent (from the header's ``attention.key_length_mla``)."""
    from ..gguf.header import read_gguf_header
    from ..gguf.split import split_info

    header = read_gguf_header(path)
    headers = [header]
    info = split_info(path.name)
    if info and info[2] > 1:
        from ..gguf.split import part_name

        headers = [read_gguf_header(path.with_name(part_name(info[0].rsplit("/", 1)[-1], i, info[2])))
                   for i in range(1, info[2] + 1)]
    size = sum(h.path.stat().st_size for h in headers)
    experts = sum(t.n_bytes for h in headers for t in h.tensors if EXPERT_TENSOR.search(t.name))
    return ModelSource(path.stem, str(header.metadata.get("general.name") or path.stem),
                       header.quantization or "GGUF", "GGUF", size, ModelShape.from_gguf(header),
                       local_file=str(path), expert_bytes=experts)


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "quant" | "ctx" | "gpus" | "precision" | "api"
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
    # Why a plan is unsupported or cannot be sized: "vendor", "format" (the engine does not read it), "arch" (the
    # GPUs cannot compute in it, e.g. FP8 on an A100), "one_machine", "ram" (the RAM was not given).
    reason: str = ""
    # Expert offload (llama.cpp): the routed experts' bytes in system RAM and the RAM usable for them; layers
    # whose experts stay in RAM (all of them: ``--override-tensor``; fewer: ``--n-cpu-moe``).
    ram_need: int = 0
    ram_usable: int = 0
    cpu_moe_layers: int = 0
    kv_cache: str = ""  # "latent" (MLA) | "full" (every head's K and V)
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
    api_key_setup: str = ""
    notes: list[str] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)  # {"id", "flags", "purpose"}

    @property
    def fits(self) -> bool:
        return self.verdict == "fits"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def layout_for(engine: str, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, ctx: int) -> EnginePlan:
    """Size one engine on this hardware (no commands yet)."""
    plan = EnginePlan(engine, rules["name"], "fits", src.precision, ctx, weights_bytes=src.weights_bytes)
    arch_formats = rules.get("arch_formats")
    for reason, bad in (("vendor", hw.vendor not in rules["vendors"]), ("format", src.fmt not in rules["formats"]),
                        ("arch", arch_formats is not None and src.fmt not in arch_formats)):
        if bad:
            plan.verdict, plan.reason = "unsupported", reason
            return plan
    shape = src.shape
    plan.kv_cache = "latent" if shape.attention == "mla" else "full"
    usable = float(rules.get("vendor_usable_fraction", {}).get(hw.vendor, rules["usable_fraction"]))
    plan.usable_per_gpu = int(hw.gpu_memory_bytes * usable)
    overhead = rules.get("vendor_overhead_gib", {}).get(hw.vendor, rules["gpu_overhead_gib"])
    plan.overhead_per_gpu = int(float(overhead) * GIB)
    layout = rules["layout"]
    if layout == "experts_in_ram":
        return _experts_in_ram(plan, rules, src, hw, ctx)
    if layout == "mlx_pipeline":
        return _mlx_pipeline(plan, rules, src, hw, ctx)
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


def _experts_in_ram(plan: EnginePlan, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware,
                    ctx: int) -> EnginePlan:
    """One machine: every layer on its GPU(s) except the routed experts, which llama.cpp reads from system RAM
    (``--override-tensor ".ffn_.*_exps.=CPU"``). Experts of later layers move to the GPUs while they have room
    (``--n-cpu-moe N`` keeps the first N layers' experts in RAM)."""
    shape = src.shape
    if hw.nodes > 1:
        plan.verdict, plan.reason = "unsupported", "one_machine"
        return plan
    if not src.expert_bytes:
        plan.verdict, plan.reason = "unsupported", "format"  # not a mixture-of-experts model
        return plan
    est = estimate_memory(shape, src.weights_bytes, ctx, cache_type=rules["cache_type"],
                          flash_attn=bool(rules["flash_attn"]))
    gpus = hw.gpus_per_node
    plan.devices = gpus
    plan.gpu_layers = shape.layers + 1
    plan.layers_per_device = math.ceil(shape.layers / gpus)
    plan.usable_per_gpu = int(hw.gpu_memory_bytes * float(rules["usable_fraction"]))
    plan.overhead_per_gpu = int(float(rules["gpu_overhead_gib"]) * GIB) + math.ceil(
        (est.compute_bytes + est.output_bytes) / gpus)
    plan.kv_per_gpu = math.ceil(est.kv_cache_bytes / gpus)
    non_expert = src.weights_bytes - src.expert_bytes
    spare = gpus * (plan.usable_per_gpu - plan.kv_per_gpu - plan.overhead_per_gpu) - non_expert
    per_layer = src.expert_bytes / shape.layers  # dense layers have none; spread evenly this errs to RAM
    on_gpu_layers = max(0, min(shape.layers, math.floor(spare / per_layer))) if spare > 0 else 0
    plan.cpu_moe_layers = shape.layers - on_gpu_layers
    experts_on_gpu = int(per_layer * on_gpu_layers)
    plan.weights_per_gpu = math.ceil((non_expert + experts_on_gpu) / gpus)
    plan.need_per_gpu = plan.weights_per_gpu + plan.kv_per_gpu + plan.overhead_per_gpu
    plan.ram_need = src.expert_bytes - experts_on_gpu
    plan.ram_usable = int(hw.ram_bytes * float(rules["ram_usable_fraction"]))
    if not hw.ram_bytes:
        plan.reason = "ram"
    if plan.need_per_gpu > plan.usable_per_gpu or plan.ram_need > plan.ram_usable:
        plan.verdict = "no_fit"
    return plan


def _mlx_pipeline(plan: EnginePlan, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware,
                  ctx: int) -> EnginePlan:
    """Macs: one Mac holds the whole model, or ``mlx.launch`` runs ``mlx_lm.server --pipeline`` with a share of
    the layers on each. macOS wires at most about three quarters of unified memory for the GPU unless
    ``iogpu.wired_limit_mb`` is raised; the plan raises it to ``usable_fraction``."""
    shape = src.shape
    est = estimate_memory(shape, src.weights_bytes, ctx, engine=Engine.MLX)
    nodes = hw.nodes
    plan.devices = nodes
    plan.pp = nodes
    plan.layers_per_device = math.ceil(shape.layers / nodes)
    plan.usable_per_gpu = int(hw.gpu_memory_bytes * float(rules["usable_fraction"]))
    plan.overhead_per_gpu = int(float(rules["gpu_overhead_gib"]) * GIB) + est.compute_bytes
    plan.weights_per_gpu = math.ceil(src.weights_bytes * plan.layers_per_device / shape.layers)
    plan.kv_per_gpu = math.ceil(est.kv_cache_bytes * plan.layers_per_device / shape.layers)
    plan.need_per_gpu = plan.weights_per_gpu + plan.kv_per_gpu + plan.overhead_per_gpu
    if plan.need_per_gpu > plan.usable_per_gpu:
        plan.verdict = "no_fit"
    return plan


def _largest_tp(heads: int, gpus: int, step: int = 1) -> int:
    """The largest size <= gpus that divides the attention heads (and is a multiple of ``step``, the nodes)."""
    for tp in range(gpus, 0, -1):
        if heads % tp == 0 and tp % step == 0:
            return tp
    return 0
