"""A launch plan for a model too big for one computer: on the user's GPUs or cluster, per distributed engine.

What must fit on each GPU: its share of the weights (the catalogue's real GGUF sizes, or parameters x bytes
for FP8/BF16), the KV cache of the layers it holds, and a fixed per-GPU overhead (CUDA context, activations,
graphs). DeepSeek's MLA caches one compressed latent per token and layer (kv_lora_rank + the RoPE part), and
tensor parallelism does not split it: every tensor-parallel rank holds the whole latent of its layers.

The parallel layout follows each engine's rules (``engines.json``): SGLang runs one
tensor-parallel group across all nodes; vLLM runs tensor parallelism inside a node and pipeline stages across
nodes; llama.cpp splits whole layers over its devices, the RPC workers' first. The commands are rendered by
``commands``. When a plan does not fit, ``suggestions`` holds the smallest changes that would.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..catalogue.catalogue import Catalog, CatalogModel
from ..errors import CatalogError
from ..fit import ModelShape, estimate_memory

ENGINES_FILE = Path(__file__).with_name("engines.json")
PRESETS_FILE = Path(__file__).with_name("hardware_presets.json")
GIB = 1024**3
VENDORS = ("nvidia", "amd", "apple", "cpu")
ENGINE_ORDER = ("sglang", "vllm", "llamacpp")
DEFAULT_CTX = 32768
_GPUS = re.compile(r"^\s*(\d{1,3})\s*[x×]\s*(\d{1,4}(?:\.\d+)?)\s*(gb|gib|g)?\s*$", re.IGNORECASE)


class PlanInputError(ValueError):
    """Input the planner cannot use (a hardware string, a node count); the message says which."""


@dataclass(frozen=True)
class ClusterHardware:
    """``gpu_memory_bytes`` per GPU (for vendor "cpu": the RAM one node lends). ``hosts``: the nodes'
    addresses, head first; missing ones become ``node0``, ``node1``... in the commands."""

    nodes: int
    gpus_per_node: int
    gpu_memory_bytes: int
    vendor: str = "nvidia"
    hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.nodes <= 64 or not 1 <= self.gpus_per_node <= 16:
            raise PlanInputError("nodes must be 1-64 and GPUs per node 1-16")
        if self.gpu_memory_bytes < GIB // 2 or self.gpu_memory_bytes > 4096 * GIB:
            raise PlanInputError("memory per GPU must be between 0.5 GB and 4096 GB")
        if self.vendor not in VENDORS:
            raise PlanInputError(f"vendor must be one of {', '.join(VENDORS)}")

    @property
    def total_gpus(self) -> int:
        return self.nodes * self.gpus_per_node

    def host(self, rank: int) -> str:
        return self.hosts[rank] if rank < len(self.hosts) and self.hosts[rank] else f"node{rank}"


def parse_gpus(text: str) -> tuple[int, int]:
    """``"8x80GB"`` -> (8, 80 GiB). GPU makers' "80 GB" is 80 GiB (an A100 80GB has 81920 MiB)."""
    m = _GPUS.match(text or "")
    if not m:
        raise PlanInputError(f"{text!r} is not COUNTxMEMORY such as 8x80GB")
    return int(m.group(1)), int(float(m.group(2)) * GIB)


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


def load_engines(path: Path | None = None) -> dict[str, Any]:
    return json.loads((path or ENGINES_FILE).read_text(encoding="utf-8"))


def load_presets(path: Path | None = None) -> list[dict[str, Any]]:
    return json.loads((path or PRESETS_FILE).read_text(encoding="utf-8"))["presets"]


def preset_hardware(preset_id: str, presets: list[dict[str, Any]] | None = None) -> ClusterHardware:
    for p in presets or load_presets():
        if p["id"] == preset_id:
            return ClusterHardware(int(p["nodes"]), int(p["gpus_per_node"]), int(float(p["gpu_memory_gb"]) * GIB),
                                   p["vendor"])
    raise PlanInputError(f"no hardware preset {preset_id!r}")


def catalog_source(model: CatalogModel, precision: str, engines: dict[str, Any]) -> ModelSource:
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


def _layout(engine: str, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, ctx: int) -> EnginePlan:
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


def _suggest(engine: str, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, ctx: int,
             model: CatalogModel | None) -> list[Suggestion]:
    """The smallest changes that make a plan fit: a smaller quantisation, a shorter context, more GPUs."""
    out: list[Suggestion] = []
    if src.fmt == "GGUF" and model is not None:
        smaller = [q for q in reversed(model.quants()) if model.gguf[q].size < src.weights_bytes]
        for q in smaller:
            if _layout(engine, rules, replace(src, precision=q, weights_bytes=model.gguf[q].size), hw, ctx).fits:
                out.append(Suggestion("quant", quant=q))
                break
    shorter = ctx // 2
    while shorter >= 2048:
        if _layout(engine, rules, src, hw, shorter).fits:
            out.append(Suggestion("ctx", ctx=shorter))
            break
        shorter //= 2
    more = _more_gpus(engine, rules, src, hw, ctx)
    if more is not None:
        out.append(Suggestion("gpus", nodes=more.nodes, gpus_per_node=more.gpus_per_node))
    if src.fmt == "GGUF" and model is not None and model.quants() and not any(s.kind == "quant" for s in out):
        # No quantisation fits these GPUs: the smallest one needs the fewest more.
        smallest = model.quants()[0]
        if model.gguf[smallest].size < src.weights_bytes:
            small = replace(src, precision=smallest, weights_bytes=model.gguf[smallest].size)
            fewer = _more_gpus(engine, rules, small, hw, ctx)
            if fewer is not None and (more is None or fewer.total_gpus < more.total_gpus):
                out.append(Suggestion("gpus", quant=smallest, nodes=fewer.nodes, gpus_per_node=fewer.gpus_per_node))
    if src.api_model:
        out.append(Suggestion("api", api_model=src.api_model))
    return out


def _more_gpus(engine: str, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, ctx: int
               ) -> ClusterHardware | None:
    # First fill a single machine up to 8 GPUs, then add whole nodes like the ones the user has.
    tries = []
    if hw.nodes == 1:
        tries += [replace(hw, gpus_per_node=g) for g in range(hw.gpus_per_node + 1, 9)]
    base = max(hw.gpus_per_node, 8) if hw.nodes == 1 and hw.vendor in ("nvidia", "amd") else hw.gpus_per_node
    tries += [replace(hw, nodes=n, gpus_per_node=base) for n in range(hw.nodes + 1, 33)]
    for candidate in tries:
        if _layout(engine, rules, src, candidate, ctx).fits:
            return candidate
    return None


def plan_engine(engine: str, src: ModelSource, hw: ClusterHardware, ctx: int, *, engines: dict[str, Any] | None = None,
                model: CatalogModel | None = None, bind: str = "0.0.0.0", bin_dir: str = "build/bin/",
                weights_root: str = "/models", api_port: int | None = None, dist_port: int | None = None
                ) -> EnginePlan:
    from .commands import render

    engines = engines or load_engines()
    rules = dict(engines["engines"][engine])
    rules.update({k: v for k, v in (("api_port", api_port), ("dist_port", dist_port)) if v})
    plan = _layout(engine, rules, src, hw, ctx)
    if plan.verdict == "no_fit":
        plan.suggestions = _suggest(engine, rules, src, hw, ctx, model)
    elif plan.verdict == "unsupported" and src.api_model:
        plan.suggestions = [Suggestion("api", api_model=src.api_model)]
    if plan.verdict != "unsupported":
        convert = engines["precisions"].get(src.precision, {}).get("convert", "") if src.fmt != "GGUF" else ""
        render(plan, rules, src, hw, bind=bind, bin_dir=bin_dir, weights_root=weights_root, convert=convert)
    return plan


def plan_launch(catalog: Catalog | None, spec: str, hw: ClusterHardware, *, ctx: int | None = None,
                engine_ids: tuple[str, ...] = ENGINE_ORDER, **kwargs: Any) -> list[EnginePlan]:
    """Plans for ``spec`` ("deepseek-v3", "deepseek-v3:Q4_K_M", "deepseek-r1:FP8" or a GGUF path) per engine.

    Without a precision, SGLang and vLLM get FP8 and llama.cpp the largest quantisation that fits.
    """
    engines = load_engines()
    for e in engine_ids:
        if e not in engines["engines"]:
            raise PlanInputError(f"unknown engine {e!r} (known: {', '.join(engines['engines'])})")
    model: CatalogModel | None = None
    path = Path(spec).expanduser()
    if spec.lower().endswith(".gguf") and path.is_file():
        sources = dict.fromkeys(engine_ids, gguf_source(path))
    else:
        if catalog is None:
            raise CatalogError("catalog.unknown_model", f"no catalogue for {spec!r}", model=spec)
        model_id, _, precision = spec.partition(":")
        model = catalog.get(model_id)
        sources = {e: _default_source(e, engines, model, precision, hw, ctx or DEFAULT_CTX) for e in engine_ids}
    plans = []
    for e, src in sources.items():
        n_ctx = min(ctx or DEFAULT_CTX, model.context_length if model else ctx or DEFAULT_CTX)
        plans.append(plan_engine(e, src, hw, n_ctx, engines=engines, model=model, **kwargs))
    return plans


def _default_source(engine: str, engines: dict[str, Any], model: CatalogModel, precision: str,
                    hw: ClusterHardware, ctx: int) -> ModelSource:
    rules = engines["engines"][engine]
    wanted = precision.strip()
    native = wanted.upper() in engines["precisions"]
    if "GGUF" in rules["formats"]:
        if wanted and not native:
            return catalog_source(model, wanted, engines)
        quants = model.quants()
        if not quants:
            return catalog_source(model, "FP8", engines)  # no GGUF: the plan says "unsupported"
        for q in reversed(quants):
            src = catalog_source(model, q, engines)
            if _layout(engine, rules, src, hw, ctx).fits:
                return src
        return catalog_source(model, "Q4_K_M" if "Q4_K_M" in model.gguf else quants[0], engines)
    return catalog_source(model, wanted if native else "FP8", engines)
