"""``models download``, ``import`` and ``remove``: changes to the models folder, with progress on stderr
(or JSON lines) and Ctrl+C as a cancel that keeps the partial files."""

from __future__ import annotations

import sys
import threading
from typing import Any

from .common import EXIT_INTERRUPTED, print_json, report
from .context import Command
from .models_common import guard, size_text


@guard
def run_download(cmd: Command) -> int:
    from ..models.catalogue.catalogue import MlxRepo
    from ..models.catalogue.recommend import candidates, resolve_download
    from ..models.downloads.download import download, plan_gguf, plan_mlx

    args, catalogue = cmd.args, cmd.catalogue
    model, chosen = catalogue.resolve(args.model)
    if chosen is None:  # no quantisation named: the one the model manager would take, judged the same way
        opt = cmd.fit_options
        every = candidates(catalogue, cmd.hardware, opt.n_ctx, cache_type=opt.cache_type,
                           flash_attn=opt.flash_attn)
        model, chosen = resolve_download(catalogue, args.model, every)
    plan = (plan_mlx(model, chosen) if isinstance(chosen, MlxRepo) else plan_gguf(model, chosen))
    registry = cmd.registry
    result = run_with_progress(lambda progress, cancel: download(
        plan, registry.models_dir, registry=registry, progress=progress, cancel=cancel), args.json)
    if isinstance(result, int):
        return result
    if args.json:
        print_json({"type": "installed", **result.to_dict()})
    else:
        print(f"Installed {result.name}: {result.path}")
    return 0


@guard
def run_import(cmd: Command) -> int:
    from ..models.errors import AlreadyInstalled
    from ..models.local.importing import import_model

    args, registry = cmd.args, cmd.registry
    mode = "copy" if args.copy else "move" if args.move else "register"
    try:
        result = run_with_progress(lambda progress, cancel: import_model(
            args.path, registry.models_dir, registry, mode=mode, name=args.name, progress=progress,
            cancel=cancel), args.json)
    except AlreadyInstalled as exc:  # nothing to do: the same bytes are registered (exit 0, as for done)
        if args.json:
            print_json({"type": "already_installed", **exc.model.to_dict()})
        else:
            print(f"{exc.user_text()} ({exc.model.path})")
        return 0
    if isinstance(result, int):
        return result
    if args.json:
        print_json({"type": "installed", **result.to_dict()})
    else:
        print(f"Registered {result.name} ({result.format}, {size_text(result.size)}): {result.path}")
    return 0


@guard
def run_remove(cmd: Command) -> int:
    args, registry = cmd.args, cmd.registry
    removed = registry.forget(registry.find(args.name).name) if args.forget else registry.remove(args.name)
    if args.json:
        print_json({"removed": removed.to_dict(), "files_deleted": not args.forget})
    else:
        print(f"{'Unregistered' if args.forget else 'Removed'} {removed.name}")
    return 0


def _hub_logs_to_file_only() -> None:
    """huggingface_hub writes its retry warnings to stderr itself; in the terminal we show one line per
    problem, so its records go only to the app's log (they propagate to the root logger)."""
    import logging

    import huggingface_hub  # noqa: F401 - configures its logger on import

    hub_log = logging.getLogger("huggingface_hub")
    for handler in list(hub_log.handlers):
        if type(handler) is logging.StreamHandler:
            hub_log.removeHandler(handler)


def run_with_progress(work, as_json: bool) -> Any:
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
            sys.stderr.write(f"\r{ev.phase} {ev.name} {ev.fraction:6.1%} of {size_text(ev.total)} "
                             f"at {size_text(ev.rate)}/s{eta}\x1b[K")
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
