"""``models catalogue``, ``list``, ``info``, ``fit`` and ``recommend``: what the catalogue and the models
folder hold, and how each model fits this computer."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import print_json
from .context import Command
from .models_common import (
    gpu_words,
    guard,
    installed_path,
    is_installed,
    params_text,
    print_device_notes,
    print_fit,
    size_text,
    speed_words,
)


@guard
def run_catalogue(cmd: Command) -> int:
    from ..models.catalogue.catalogue import hub_cache_file
    from ..models.downloads.sizes import refresh_sizes

    args = cmd.args
    catalogue, refreshed = cmd.catalogue, False
    if not args.offline:
        catalogue, refreshed = refresh_sizes(catalogue, cache_file=hub_cache_file(cmd.paths), timeout=8.0)
    if args.json:
        print_json({"refreshed": refreshed, "models": [m.to_dict() for m in catalogue.models]})
        return 0
    for m in sorted(catalogue.models, key=lambda m: m.params_total):
        active = f" ({params_text(m.params_active)} active)" if m.moe else ""
        print(f"{m.id}  {params_text(m.params_total)}{active}  {m.context_length // 1024}K context  "
              f"{m.purpose}  {m.license}")
        quants = ", ".join(f"{q} {size_text(m.gguf[q].size)}" + (f" ({len(m.gguf[q].files)} parts)"
                                                            if m.gguf[q].split else "") for q in m.quants())
        print(f"    GGUF {m.gguf_repo}: {quants}")
        if m.mlx:
            print("    MLX  " + ", ".join(f"{r.repo} {size_text(r.size)}" for r in m.mlx))
    source = "from the Hugging Face Hub" if refreshed else "the catalogue's (Hub not asked or not reachable)"
    print("sizes: " + source,
          file=sys.stderr)
    return 0


@guard
def run_list(cmd: Command) -> int:
    from ..models.local.importing import discover_unregistered

    args, registry = cmd.args, cmd.registry
    installed = registry.list()
    skipped: list[Path] = []
    found = discover_unregistered(registry.models_dir, registry, skipped)
    for p in skipped:
        print(f"deepseek-desktop: warning: skipped {p}: a symbolic link loop", file=sys.stderr)
    if args.json:
        print_json({"models_dir": str(registry.models_dir),
                    "installed": [{**m.to_dict(), "present": m.present} for m in installed],
                    "unregistered": [str(p) for p in found], "skipped": [str(p) for p in skipped]})
        return 0
    if not installed:
        print("No models installed.")
    for m in installed:
        state = "" if m.present else "  [files missing]"
        print(f"{m.name}  {m.format}  {m.engine}  {size_text(m.size)}  {m.path}{state}")
    for p in found:
        print(f"not registered: {p}  (deepseek-desktop models import {p})")
    return 0


@guard
def run_info(cmd: Command) -> int:
    from ..models.fit import assess_fit
    from ..models.local.inspection import estimate_local_model, inspect_model

    args = cmd.args
    target = installed_path(args.path, cmd)
    info = inspect_model(target)
    opt = cmd.fit_options
    estimate = estimate_local_model(target, opt.n_ctx, cache_type=opt.cache_type, flash_attn=opt.flash_attn)
    hw = cmd.hardware
    fit = assess_fit(estimate, hw)
    if args.json:
        print_json({**info.to_dict(), "fit": fit.to_dict(), "hardware": hw.to_dict()})
        return 0
    print(f"{info.name}  ({info.format}, {info.architecture})")
    print(f"  path: {info.path}" + (f"  [{len(info.parts)} parts]" if info.parts else ""))
    print(f"  size: {size_text(info.size)}" + (f", {info.size_label} parameters" if info.size_label else ""))
    print(f"  quantisation: {info.quantization or '-'}   context length: {info.context_length}")
    print(f"  layers: {info.block_count}   heads: {info.head_count} (key/value {info.head_count_kv})   "
          f"embedding: {info.embedding_length}")
    print(f"  chat template: {'yes' if info.has_chat_template else 'no (a fallback will be used)'}")
    print_fit(fit, indent="  ")
    print_device_notes(hw, indent="  ")
    return 0


@guard
def run_fit(cmd: Command) -> int:
    from ..models.catalogue.recommend import fit_catalogue_model
    from ..models.catalogue.speed import assess_speed
    from ..models.errors import CatalogueError

    args = cmd.args
    catalogue = cmd.catalogue
    try:
        model, chosen = catalogue.resolve(args.model)
    except CatalogueError as exc:
        # A GGUF on disk or an installed model: estimate from its real metadata.
        if exc.message_id == "catalogue.unknown_model" and (Path(args.model).expanduser().exists()
                                                            or is_installed(args.model, cmd)):
            args.path = args.model
            return run_info(cmd)
        raise
    opt, hw = cmd.fit_options, cmd.hardware
    n_ctx = opt.n_ctx
    downloads = [chosen] if chosen is not None else [model.gguf[q] for q in model.quants()] + list(model.mlx)
    rows = []
    for dl in downloads:
        fit = fit_catalogue_model(model, dl, hw, n_ctx, cache_type=opt.cache_type, flash_attn=opt.flash_attn)
        rows.append((dl.label, dl.size, fit, assess_speed(model, dl.size, fit, hw, catalogue.advice)))
    remote = None
    if not any(f.runs for _, _, f, _ in rows) and model.api_model:
        remote = {"api_model": model.api_model, "base_url": catalogue.api_base_url}
    if args.json:
        print_json({"model": model.id, "n_ctx": min(n_ctx, model.context_length), "hardware": hw.to_dict(),
                    "fits": [{"quant": q, "size": s, **f.to_dict(), "speed": sp.to_dict()} for q, s, f, sp in rows],
                    "remote": remote})
        return 0
    print(f"{model.name} at {min(n_ctx, model.context_length)} tokens of context on this computer "
          f"({size_text(hw.ram_available_bytes)} RAM free{gpu_words(hw)}):")
    for label, size, fit, speed in rows:
        print_fit(fit, indent="  ", label=f"{label:<9} {size_text(size):>9}  ", speed=speed)
    print_device_notes(hw, indent="  ")
    if remote:
        print(f"  This computer cannot hold {model.name}. Use it remotely instead: a cluster, or DeepSeek's API "
              f"({remote['base_url']}, model {remote['api_model']}).")
    return 0


@guard
def run_recommend(cmd: Command) -> int:
    from ..models.catalogue.recommend import recommend

    hw, opt = cmd.hardware, cmd.fit_options
    rec = recommend(cmd.catalogue, hw, opt.n_ctx, cache_type=opt.cache_type, flash_attn=opt.flash_attn)
    if cmd.args.json:
        print_json({"hardware": hw.to_dict(), **rec.to_dict()})
        return 0
    if rec.best is None:
        print("No DeepSeek model fits this computer's memory.")
    else:
        b = rec.best
        print(f"Best for this computer: {b.spec}  ({b.model.name}, {size_text(b.size_bytes)}, "
              f"{b.fit.verdict.face.words})")
        print(f"  {speed_words(b.speed)}")
        if not b.level.usable:
            print("  Nothing in the catalogue is fast enough here to be comfortable; this is the fastest that fits.")
        print(f"  deepseek-desktop models download {b.spec}")
        if rec.quick is not None:
            q = rec.quick
            print(f"  for a quick first try: {q.spec}  ({size_text(q.size_bytes)}, {q.fit.verdict.face.words}; "
                  f"{speed_words(q.speed)})")
    for purpose, c in rec.per_purpose.items():
        print(f"  for {purpose}: {c.spec}  ({size_text(c.size_bytes)}, {c.fit.verdict.face.words}; "
              f"{speed_words(c.speed)})")
    for r in rec.remote:
        print(f"{r.model.name} needs at least {size_text(r.smallest_need_bytes)} of memory: use a cluster or "
              f"DeepSeek's API ({r.base_url}, model {r.api_model}) instead of downloading it.")
    print_device_notes(hw)
    return 0
