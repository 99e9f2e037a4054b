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


def plan_engine(engine: str, src: ModelSource, hw: ClusterHardware, ctx: int, *, engines: dict[str, Any] | None = None,
                model: CatalogueModel | None = None, bind: str = "0.0.0.0", bin_dir: str = "build/bin/",
                weights_root: str = "/models", api_port: int | None = None, dist_port: int | None = None
                ) -> EnginePlan:

    engines = engines or load_engines()
    rules = dict(engines["engines"][engine])
    rules.update({k: v for k, v in (("api_port", api_port), ("dist_port", dist_port)) if v})
    plan = layout_for(engine, rules, src, hw, ctx)
    if plan.verdict == "no_fit":
        plan.suggestions = _suggest(engine, rules, src, hw, ctx, model)
    elif plan.verdict == "unsupported" and src.api_model:
        plan.suggestions = [Suggestion("api", api_model=src.api_model)]
    if plan.verdict != "unsupported":
        convert = engines["precisions"].get(src.precision, {}).get("convert", "") if src.fmt != "GGUF" else ""
        commands = render(plan, rules, src, hw, bind=bind, bin_dir=bin_dir, weights_root=weights_root,
                          convert=convert)
        plan = replace(plan, **asdict(commands))
    return plan


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
    rules = engines["engines"][engine]
    wanted = precision.strip()
    native = wanted.upper() in engines["precisions"]
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
    return catalogue_source(model, wanted if native else "FP8", engines)
