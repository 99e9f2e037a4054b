"""``deepseek-desktop models ...`` and ``deepseek-desktop doctor``: the model manager in the terminal.

Every command takes ``--json`` (machine-readable output on stdout) and ``--dir`` (the models folder;
default: the one chosen in the settings, else the app's own). Bad input exits with status 2 and one
line on stderr.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from ..core.errors import DeepSeekError
from ..core.paths import AppPaths
from .common import EXIT_INTERRUPTED, fail, open_settings, print_json, report
from .plan_cmd import add_plan_parser

_VERDICTS = {"gpu": "runs fully on the GPU", "partial": "partial GPU offload", "cpu": "CPU only",
             "no_fit": "does not fit"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    common.add_argument("--dir", metavar="FOLDER", help="the models folder (default: the one in the settings)")
    ctx = argparse.ArgumentParser(add_help=False)
    # Unset, these are the window's settings: a model judged here is judged as the model manager judges it.
    ctx.add_argument("--ctx", type=int, default=None,
                     help="context length in tokens (default: the context length in the settings)")
    ctx.add_argument("--cache-type", default=None, choices=("f16", "q8_0", "q4_0"),
                     help="KV cache type (default: the K/V cache precision in the settings)")
    ctx.add_argument("--flash-attn", action=argparse.BooleanOptionalAction, default=None,
                     help="estimate with flash attention (default: the flash attention setting)")

    models = sub.add_parser("models", help="find, check, download and manage models")
    msub = models.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)
    p = msub.add_parser("catalog", parents=[common], help="the DeepSeek models the app knows")
    p.add_argument("--offline", action="store_true", help="do not ask the Hub for current file sizes")
    p.set_defaults(handler=run_catalog)
    msub.add_parser("list", parents=[common], help="installed models").set_defaults(handler=run_list)
    p = msub.add_parser("info", parents=[common, ctx], help="check a GGUF file or MLX folder")
    p.add_argument("path", help="a GGUF file, an MLX folder or an installed model's name")
    p.set_defaults(handler=run_info)
    p = msub.add_parser("fit", parents=[common, ctx], help="will a model run on this computer")
    p.add_argument("model", metavar="ID[:QUANT]", help="a catalogue id (quantisation optional) or a GGUF path")
    p.set_defaults(handler=run_fit)
    p = msub.add_parser("recommend", parents=[common, ctx], help="the best DeepSeek model for this computer")
    p.set_defaults(handler=run_recommend)
    p = msub.add_parser("download", parents=[common], help="download a model into the models folder")
    p.add_argument("model", metavar="ID[:QUANT]", help="a catalogue id, optionally :QUANT or :mlx-4bit")
    p.set_defaults(handler=run_download)
    p = msub.add_parser("import", parents=[common], help="register a GGUF file or MLX folder you have")
    p.add_argument("path")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--copy", action="store_true", help="copy it into the models folder")
    how.add_argument("--move", action="store_true", help="move it into the models folder")
    p.add_argument("--name", help="the name to list it under")
    p.set_defaults(handler=run_import)
    p = msub.add_parser("remove", parents=[common], help="delete an installed model (inside the models folder)")
    p.add_argument("name", help="an installed model's name or path")
    p.add_argument("--forget", action="store_true", help="only unregister it; keep the files")
    p.set_defaults(handler=run_remove)
    add_plan_parser(msub, common)
    p = sub.add_parser("doctor", parents=[common], help="hardware, disk space and engines of this computer")
    p.set_defaults(handler=run_doctor)


# -- services, built per command from the paths (no globals) --
def _models_dir(args: argparse.Namespace, paths: AppPaths) -> Path:
    if args.dir:
        return Path(args.dir).expanduser().absolute()
    from ..core.settings_store import models_dir

    return models_dir(open_settings(paths), paths).absolute()


def _registry(args: argparse.Namespace, paths: AppPaths):
    from ..models.installed import ModelRegistry

    return ModelRegistry(paths.registry_file, _models_dir(args, paths))


def _catalog(paths: AppPaths):
    from ..models.catalog import hub_cache_file, load_catalog

    return load_catalog(hub_cache=hub_cache_file(paths))


def _fit_options(args: argparse.Namespace, paths: AppPaths):
    """The settings' fit options, with the flags given on the command line instead."""
    from dataclasses import replace

    from ..models.recommend import FitOptions

    options = FitOptions.from_settings(open_settings(paths))
    given = {"n_ctx": getattr(args, "ctx", None), "cache_type": getattr(args, "cache_type", None),
             "flash_attn": getattr(args, "flash_attn", None)}
    return replace(options, **{k: v for k, v in given.items() if v is not None})


def _guard(fn):
    def wrapper(args: argparse.Namespace, paths: AppPaths) -> int:
        try:
            return fn(args, paths)
        except DeepSeekError as exc:
            return report(exc)
        except OSError as exc:
            return fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    return wrapper


def _size(n: int) -> str:
    from ..models.storage import format_bytes

    return format_bytes(n)


def _params(n: int) -> str:
    from ..models.gguf_header import format_param_count

    return format_param_count(n)


# -- commands --
@_guard
def run_catalog(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..models.catalog import hub_cache_file, refresh_sizes

    catalog, refreshed = _catalog(paths), False
    if not args.offline:
        catalog, refreshed = refresh_sizes(catalog, cache_file=hub_cache_file(paths), timeout=8.0)
    if args.json:
        print_json({"refreshed": refreshed, "models": [m.to_dict() for m in catalog.models]})
        return 0
    for m in sorted(catalog.models, key=lambda m: m.params_total):
        active = f" ({_params(m.params_active)} active)" if m.moe else ""
        print(f"{m.id}  {_params(m.params_total)}{active}  {m.context_length // 1024}K context  "
              f"{m.purpose}  {m.license}")
        quants = ", ".join(f"{q} {_size(m.gguf[q].size)}" + (f" ({len(m.gguf[q].files)} parts)"
                                                            if m.gguf[q].split else "") for q in m.quants())
        print(f"    GGUF {m.gguf_repo}: {quants}")
        if m.mlx:
            print("    MLX  " + ", ".join(f"{r.repo} {_size(r.size)}" for r in m.mlx))
    source = "from the Hugging Face Hub" if refreshed else "the catalogue's (Hub not asked or not reachable)"
    print("sizes: " + source,
          file=sys.stderr)
    return 0


@_guard
def run_list(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..models.local_models import discover_unregistered

    registry = _registry(args, paths)
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
        print(f"{m.name}  {m.format}  {m.engine}  {_size(m.size)}  {m.path}{state}")
    for p in found:
        print(f"not registered: {p}  (deepseek-desktop models import {p})")
    return 0


@_guard
def run_info(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..models.fit import assess_fit
    from ..models.hardware import probe_hardware
    from ..models.local_models import estimate_local_model, inspect_model

    target = _installed_path(args.path, args, paths)
    info = inspect_model(target)
    opt = _fit_options(args, paths)
    estimate = estimate_local_model(target, opt.n_ctx, cache_type=opt.cache_type, flash_attn=opt.flash_attn)
    fit = assess_fit(estimate, probe_hardware())
    if args.json:
        print_json({**info.to_dict(), "fit": fit.to_dict()})
        return 0
    print(f"{info.name}  ({info.format}, {info.architecture})")
    print(f"  path: {info.path}" + (f"  [{len(info.parts)} parts]" if info.parts else ""))
    print(f"  size: {_size(info.size)}" + (f", {info.size_label} parameters" if info.size_label else ""))
    print(f"  quantisation: {info.quantization or '-'}   context length: {info.context_length}")
    print(f"  layers: {info.block_count}   heads: {info.head_count} (key/value {info.head_count_kv})   "
          f"embedding: {info.embedding_length}")
    print(f"  chat template: {'yes' if info.has_chat_template else 'no (a fallback will be used)'}")
    _print_fit(fit, indent="  ")
    return 0


@_guard
def run_fit(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..models.catalog import GgufQuant
    from ..models.errors import CatalogError
    from ..models.hardware import probe_hardware
    from ..models.recommend import fit_catalog_model

    hw, catalog = probe_hardware(), _catalog(paths)
    try:
        model, chosen = catalog.resolve(args.model)
    except CatalogError as exc:
        # A GGUF on disk or an installed model: estimate from its real metadata.
        if exc.message_id == "catalog.unknown_model" and (Path(args.model).expanduser().exists()
                                                          or _is_installed(args.model, args, paths)):
            args.path = args.model
            return run_info(args, paths)
        raise
    opt = _fit_options(args, paths)
    n_ctx = opt.n_ctx
    downloads = [chosen] if chosen is not None else [model.gguf[q] for q in model.quants()] + list(model.mlx)
    rows = []
    for dl in downloads:
        fit = fit_catalog_model(model, dl, hw, n_ctx, cache_type=opt.cache_type, flash_attn=opt.flash_attn)
        label = dl.quant if isinstance(dl, GgufQuant) else f"mlx-{dl.bits}bit"
        rows.append((label, dl.size, fit))
    remote = None
    if not any(f.runs for _, _, f in rows) and model.api_model:
        remote = {"api_model": model.api_model, "base_url": catalog.api_base_url}
    if args.json:
        print_json({"model": model.id, "n_ctx": min(n_ctx, model.context_length), "hardware": hw.to_dict(),
                    "fits": [{"quant": q, "size": s, **f.to_dict()} for q, s, f in rows], "remote": remote})
        return 0
    print(f"{model.name} at {min(n_ctx, model.context_length)} tokens of context on this computer "
          f"({_size(hw.ram_available_bytes)} RAM free" + (f", {_size(hw.gpu_free_bytes)} GPU memory" if hw.gpus else "")
          + "):")
    for label, size, fit in rows:
        _print_fit(fit, indent="  ", label=f"{label:<9} {_size(size):>9}  ")
    if remote:
        print(f"  This computer cannot hold {model.name}. Use it remotely instead: a cluster, or DeepSeek's API "
              f"({remote['base_url']}, model {remote['api_model']}).")
    return 0


@_guard
def run_recommend(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..models.hardware import probe_hardware
    from ..models.recommend import recommend

    hw, opt = probe_hardware(), _fit_options(args, paths)
    rec = recommend(_catalog(paths), hw, opt.n_ctx, cache_type=opt.cache_type, flash_attn=opt.flash_attn)
    if args.json:
        print_json({"hardware": hw.to_dict(), **rec.to_dict()})
        return 0
    if rec.best is None:
        print("No DeepSeek model fits this computer's memory.")
    else:
        b = rec.best
        print(f"Best for this computer: {b.spec}  ({b.model.name}, {_size(b.size_bytes)}, "
              f"{_VERDICTS[b.fit.verdict]}, about {b.tokens_per_s:.0f} tokens/s)")
        print(f"  deepseek-desktop models download {b.spec}")
    for purpose, c in rec.per_purpose.items():
        print(f"  for {purpose}: {c.spec}  ({_size(c.size_bytes)}, {_VERDICTS[c.fit.verdict]})")
    for r in rec.remote:
        print(f"{r.model.name} needs at least {_size(r.smallest_need_bytes)} of memory: use a cluster or "
              f"DeepSeek's API ({r.base_url}, model {r.api_model}) instead of downloading it.")
    return 0


@_guard
def run_download(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..models.catalog import MlxRepo
    from ..models.download import download, plan_gguf, plan_mlx
    from ..models.hardware import probe_hardware
    from ..models.recommend import candidates, resolve_download

    catalog = _catalog(paths)
    model, chosen = catalog.resolve(args.model)
    if chosen is None:  # no quantisation named: the one the model manager would take, judged the same way
        opt = _fit_options(args, paths)
        every = candidates(catalog, probe_hardware(), opt.n_ctx, cache_type=opt.cache_type,
                           flash_attn=opt.flash_attn)
        model, chosen = resolve_download(catalog, args.model, every)
    plan = (plan_mlx(model, chosen) if isinstance(chosen, MlxRepo) else plan_gguf(model, chosen))
    registry = _registry(args, paths)
    result = _run_with_progress(lambda progress, cancel: download(
        plan, registry.models_dir, registry=registry, progress=progress, cancel=cancel), args.json)
    if isinstance(result, int):
        return result
    if args.json:
        print_json({"type": "installed", **result.to_dict()})
    else:
        print(f"Installed {result.name}: {result.path}")
    return 0


@_guard
def run_import(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..models.local_models import import_model

    mode = "copy" if args.copy else "move" if args.move else "register"
    registry = _registry(args, paths)
    result = _run_with_progress(lambda progress, cancel: import_model(
        args.path, registry.models_dir, registry, mode=mode, name=args.name, progress=progress, cancel=cancel),
        args.json)
    if isinstance(result, int):
        return result
    if args.json:
        print_json({"type": "installed", **result.to_dict()})
    else:
        print(f"Registered {result.name} ({result.format}, {_size(result.size)}): {result.path}")
    return 0


@_guard
def run_remove(args: argparse.Namespace, paths: AppPaths) -> int:
    registry = _registry(args, paths)
    removed = registry.forget(registry.find(args.name).name) if args.forget else registry.remove(args.name)
    if args.json:
        print_json({"removed": removed.to_dict(), "files_deleted": not args.forget})
    else:
        print(f"{'Unregistered' if args.forget else 'Removed'} {removed.name}")
    return 0


@_guard
def run_doctor(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..engines.registry import engine_versions
    from ..models.hardware import probe_hardware
    from ..models.hub import hub_endpoint
    from ..models.ramdisk import ramdisk_available
    from ..models.storage import free_space

    hw, folder = probe_hardware(), _models_dir(args, paths)
    space, engines = free_space(folder), engine_versions()
    data = {"hardware": hw.to_dict(), "models_dir": {**space.to_dict(), "exists": folder.is_dir()},
            "engines": {k: {"available": v is not None, "version": v} for k, v in engines.items()},
            "ramdisk": ramdisk_available(), "hub_endpoint": hub_endpoint()}
    if args.json:
        print_json(data)
        return 0
    print(f"System: {hw.os} {hw.machine}, {hw.cpu_physical_cores} cores ({hw.cpu_logical_cores} threads)"
          + (", Apple Silicon" if hw.apple_silicon else ""))
    print(f"Memory: {_size(hw.ram_total_bytes)} total, {_size(hw.ram_available_bytes)} available")
    for g in hw.gpus:
        kind = "unified memory, Metal limit" if g.unified else "VRAM"
        print(f"GPU: {g.name} ({kind} {_size(g.total_bytes)}, {_size(g.free_bytes)} free)")
    if not hw.gpus:
        print("GPU: none found (nvidia-smi / rocm-smi); models run on the CPU")
    inodes = "no inode limit" if space.free_inodes is None else f"{space.free_inodes:,} free inodes"
    print(f"Models folder: {folder}  ({_size(space.free_bytes)} free, {inodes})")
    for name, v in engines.items():
        print(f"Engine {name}: {v if v else 'not installed'}")
    rd = data["ramdisk"]
    print(f"RAM disk: {'available via ' + str(rd['method']) if rd['available'] else 'not available'}")
    return 0


# -- helpers --
def _hub_logs_to_file_only() -> None:
    """huggingface_hub writes its retry warnings to stderr itself; in the terminal we show one line per
    problem, so its records go only to the app's log (they propagate to the root logger)."""
    import logging

    import huggingface_hub  # noqa: F401 - configures its logger on import

    hub_log = logging.getLogger("huggingface_hub")
    for handler in list(hub_log.handlers):
        if type(handler) is logging.StreamHandler:
            hub_log.removeHandler(handler)


def _is_installed(name: str, args: argparse.Namespace, paths: AppPaths) -> bool:
    return any(m.name == name for m in _registry(args, paths).list())


def _installed_path(name_or_path: str, args: argparse.Namespace, paths: AppPaths) -> Path:
    p = Path(name_or_path).expanduser()
    if p.exists():
        return p
    from ..models.errors import ModelManagerError

    try:
        return Path(_registry(args, paths).find(name_or_path).path)
    except ModelManagerError:
        from ..core.errors import ModelFileError

        raise ModelFileError("model.not_found", f"{p} does not exist and is no installed model", path=p) from None


def _print_fit(fit: Any, indent: str = "", label: str = "") -> None:
    e = fit.estimate
    verdict = _VERDICTS[fit.verdict]
    if fit.verdict == "partial":
        verdict += f" ({fit.gpu_layers} of {e.layers} layers on the GPU)"
    print(f"{indent}{label}{verdict}: needs {_size(e.total_bytes)} (weights {_size(e.weights_bytes)}, "
          f"KV cache {_size(e.kv_cache_bytes)}, buffers {_size(e.compute_bytes + e.output_bytes)})"
          + ("; would fit if other programs freed memory" if fit.fits_if_freed else ""))


def _run_with_progress(work, as_json: bool) -> Any:
    """Run ``work(progress, cancel)`` on a worker thread, as the GUI does; Ctrl+C sets the cancel event."""
    from ..models.errors import Cancelled

    _hub_logs_to_file_only()
    cancel, box = threading.Event(), {}
    tty = sys.stderr.isatty()

    def progress(ev) -> None:
        if as_json:
            print_json({"type": "progress", "phase": ev.phase, "file": ev.name, "done": ev.done,
                        "total": ev.total, "rate": round(ev.rate), "eta": None if ev.eta is None else round(ev.eta)})
        elif tty:
            eta = f", {ev.eta:.0f} s left" if ev.eta is not None else ""
            sys.stderr.write(f"\r{ev.phase} {ev.name} {ev.fraction:6.1%} of {_size(ev.total)} "
                             f"at {_size(ev.rate)}/s{eta}\x1b[K")
            sys.stderr.flush()

    finished = threading.Event()

    def target() -> None:
        try:
            box["result"] = work(progress, cancel)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc
        finally:
            finished.set()

    worker = threading.Thread(target=target, name="model-manager-worker")
    worker.start()
    # Waiting on an event, not Thread.join: a join interrupted by Ctrl+C can mark the still running
    # thread as finished (CPython before 3.13), and the result would be read before it exists.
    while not finished.is_set():
        try:
            finished.wait(0.2)
        except KeyboardInterrupt:
            cancel.set()  # the worker stops at its next chunk and keeps the partial file
    worker.join()
    if tty and not as_json:
        sys.stderr.write("\n")
    error = box.get("error")
    if isinstance(error, Cancelled):
        report(error)
        return EXIT_INTERRUPTED
    if error is not None:
        raise error
    return box["result"]
