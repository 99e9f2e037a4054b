"""A launch plan for a model too big for one computer: on the user's GPUs or cluster, per distributed engine.

The parallel layout follows each engine's rules (``engines.json``): SGLang runs one tensor-parallel group
across all nodes; vLLM runs tensor parallelism inside a node and pipeline stages across nodes; llama.cpp
splits whole layers over its devices, the RPC workers' first. ``layout`` sizes one engine on the hardware
(``cluster``), ``commands`` writes its commands. When a plan does not fit, ``suggestions`` holds the smallest
changes that would.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ...core.vocabulary import LaunchEngine
from ..catalogue.catalogue import Catalogue, CatalogueModel
from ..errors import CatalogueError
from .cluster import ClusterHardware, PlanInputError
from .commands import render
from .layout import EnginePlan, ModelSource, Suggestion, catalogue_source, gguf_source, layout_for

ENGINES_FILE = Path(__file__).with_name("engines.json")
ENGINE_ORDER = tuple(LaunchEngine)
DEFAULT_CTX = 32768


def load_engines(path: Path | None = None) -> dict[str, Any]:
    return json.loads((path or ENGINES_FILE).read_text(encoding="utf-8"))


def _suggest(engine: str, rules: dict[str, Any], src: ModelSource, hw: ClusterHardware, ctx: int,
             model: CatalogueModel | None) -> list[Suggestion]:
    """The smallest changes that make a plan fit: a smaller quantisation, a shorter context, more GPUs."""
    out: list[Suggestion] = []
    if src.fmt == "GGUF" and model is not None:
        smaller = [q for q in reversed(model.quants()) if model.gguf[q].size < src.weights_bytes]
        for q in smaller:
            if layout_for(engine, rules, replace(src, precision=q, weights_bytes=model.gguf[q].size), hw, ctx).fits:
                out.append(Suggestion("quant", quant=q))
                break
    shorter = ctx // 2
    while shorter >= 2048:
        if layout_for(engine, rules, src, hw, shorter).fits:
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
    if src.fmt not in ("GGUF", "MLX") and model is not None:
        # The other published precisions these GPUs compute in, each with the GPUs it needs (SGLang's table for
        # an A100: BF16 on 4 x 8, INT8 on 2 x 8, AWQ on 8).
        engines = load_engines()
        for p in _runnable_precisions(engines, engine, model, rules):
            if p == src.precision:
                continue
            other = catalogue_source(model, p, engines)
            if layout_for(engine, rules, other, hw, ctx).fits:
                out.append(Suggestion("precision", quant=p))
                continue
            need = _more_gpus(engine, rules, other, hw, ctx)
            if need is not None:
                out.append(Suggestion("gpus", quant=p, nodes=need.nodes, gpus_per_node=need.gpus_per_node))
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
        if layout_for(engine, rules, src, candidate, ctx).fits:
            return candidate
    return None


def engine_rules(engines: dict[str, Any], engine: str, hw: ClusterHardware) -> dict[str, Any]:
    """One engine's rules, with the formats the user's GPU generation can compute in (None: not known)."""
    rules = dict(engines["engines"][engine])
    arch = engines.get("gpu_archs", {}).get(hw.arch or ("apple" if hw.vendor == "apple" else ""))
    rules["arch_formats"] = arch["formats"] if arch else None
    return rules


def plan_engine(engine: str, src: ModelSource, hw: ClusterHardware, ctx: int, *, engines: dict[str, Any] | None = None,
                model: CatalogueModel | None = None, bind: str = "", bin_dir: str = "build/bin/",
                weights_root: str = "/models", api_port: int | None = None, dist_port: int | None = None
                ) -> EnginePlan:

    engines = engines or load_engines()
    rules = engine_rules(engines, engine, hw)
    rules.update({k: v for k, v in (("api_port", api_port), ("dist_port", dist_port)) if v})
    plan = layout_for(engine, rules, src, hw, ctx)
    if plan.verdict == "no_fit":
        plan.suggestions = _suggest(engine, rules, src, hw, ctx, model)
    elif plan.verdict == "unsupported":
        if plan.reason == "arch" and model is not None:
            plan.suggestions = [Suggestion("precision", quant=p) for p in _runnable_precisions(engines, engine, model,
                                                                                               rules)]
        if src.api_model:
            plan.suggestions.append(Suggestion("api", api_model=src.api_model))
    if plan.verdict != "unsupported":
        precision = engines["precisions"].get(src.precision, {}) if src.fmt not in ("GGUF", "MLX") else {}
        commands = render(plan, rules, src, hw, bind=bind, bin_dir=bin_dir, weights_root=weights_root,
                          convert=precision.get("convert", ""), quant_flags=precision.get("flags", {}).get(engine, ""),
                          common=engines)
        plan = replace(plan, **asdict(commands))
    return plan


def _runnable_precisions(engines: dict[str, Any], engine: str, model: CatalogueModel, rules: dict[str, Any]
                         ) -> list[str]:
    """The published precisions this engine reads and these GPUs compute in, for this model."""
    allowed = rules.get("arch_formats") or []
    return [p for p, r in engines["precisions"].items()
            if p in rules["formats"] and p in allowed and ("repos" not in r or model.id in r["repos"])]


def plan_launch(catalogue: Catalogue | None, spec: str, hw: ClusterHardware, *, ctx: int | None = None,
                engine_ids: tuple[str, ...] = ENGINE_ORDER, **kwargs: Any) -> list[EnginePlan]:
    """Plans for ``spec`` ("deepseek-v3", "deepseek-v3:Q4_K_M", "deepseek-r1:FP8" or a GGUF path) per engine.

    Without a precision, SGLang and vLLM get FP8 and llama.cpp the largest quantisation that fits.
    """
    engines = load_engines()
    for e in engine_ids:
        if e not in engines["engines"]:
            raise PlanInputError(f"unknown engine {e!r} (known: {', '.join(engines['engines'])})")
    model: CatalogueModel | None = None
    path = Path(spec).expanduser()
    if spec.lower().endswith(".gguf") and path.is_file():
        sources = dict.fromkeys(engine_ids, gguf_source(path))
    else:
        if catalogue is None:
            raise CatalogueError("catalogue.unknown_model", f"no catalogue for {spec!r}", model=spec)
        model_id, _, precision = spec.partition(":")
        model = catalogue.get(model_id)
        sources = {e: _default_source(e, engines, model, precision, hw, ctx or DEFAULT_CTX) for e in engine_ids}
    plans = []
    for e, src in sources.items():
        n_ctx = min(ctx or DEFAULT_CTX, model.context_length if model else ctx or DEFAULT_CTX)
        plans.append(plan_engine(e, src, hw, n_ctx, engines=engines, model=model, **kwargs))
    return plans


def _default_source(engine: str, engines: dict[str, Any], model: CatalogueModel, precision: str,
                    hw: ClusterHardware, ctx: int) -> ModelSource:
    rules = engine_rules(engines, engine, hw)
    wanted = precision.strip()
    native = wanted.upper() in engines["precisions"]
    if "MLX" in rules["formats"]:
        # The 4-bit MLX weights (mlx-community); another precision, or a model without them, is not for this route.
        if model.mlx and (not wanted or wanted.upper() == "MLX"):
            return catalogue_source(model, "MLX", engines)
        return catalogue_source(model, wanted or "FP8", engines)
    if "GGUF" in rules["formats"]:
        if wanted and not native:
            return catalogue_source(model, wanted, engines)
        quants = model.quants()
        if not quants:
            return catalogue_source(model, "FP8", engines)  # no GGUF: the plan says "unsupported"
        for q in reversed(quants):
            src = catalogue_source(model, q, engines)
            if layout_for(engine, rules, src, hw, ctx).fits:
                return src
        return catalogue_source(model, "Q4_K_M" if "Q4_K_M" in model.gguf else quants[0], engines)
    if wanted:
        return catalogue_source(model, wanted if native else "FP8", engines)
    # The published precisions in the engine's order of preference (FP8 first) that these GPUs compute in; the
    # first that fits, else the first.
    candidates = _runnable_precisions(engines, engine, model, rules) or ["FP8"]
    sources = [catalogue_source(model, p, engines) for p in candidates]
    return next((s for s in sources if layout_for(engine, rules, s, hw, ctx).fits), sources[0])
