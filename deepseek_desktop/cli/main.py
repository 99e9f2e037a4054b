"""Entry point of ``deepseek-desktop``. Without a command it opens the window."""

from __future__ import annotations

import argparse
import sys

from .. import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deepseek-desktop",
        description="Chat with DeepSeek models on this computer. Without a command, the app window opens.",
    )
    parser.add_argument("--version", action="version", version=f"deepseek-desktop {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="also write the log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from . import chat_cmd, gui_cmd, serve_cmd

    chat_cmd.add_parser(sub)
    gui_cmd.add_parser(sub)
    serve_cmd.add_parser(sub)
    try:
        from . import models_cmd
    except ImportError:  # pragma: no cover - only while the model manager is being built
        models_cmd = None
    if models_cmd is not None:
        models_cmd.add_parsers(sub)
    return parser


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    return {name for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for name in action.choices}


def route_paths(argv: list[str], commands: set[str]) -> list[str]:
    """``deepseek-desktop model.gguf`` means ``deepseek-desktop gui model.gguf``: that is how the file
    manager, the .desktop file and Windows' "Open with" start us. Old macOS adds ``-psn_…``."""
    argv = [a for a in argv if not a.startswith("-psn_")]
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if first is None or argv[first] in commands:
        return argv
    return argv[:first] + ["gui"] + argv[first:]


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:
        # Every command: Ctrl+C ends it with one line and status 130. Commands that have work to put
        # down (a download's partial file) do it on their own way out before this is reached.
        from .common import interrupted

        return interrupted()


def _run(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--engine-host"]:
        # The frozen app has no python to run ``-m deepseek_desktop.engine_host``: it starts itself with
        # this flag (engine_host/client.py host_command), before argparse or logging touch stdout.
        from ..engine_host.host import main as host_main

        return host_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(route_paths(argv, _commands(parser)))
    from ..core.app_logging import setup_logging
    from ..core.paths import AppPaths
    from .context import Command

    paths = AppPaths.default()
    setup_logging(paths.log_file, verbose=args.verbose)
    cmd = Command(args, paths)  # one per run: the settings, registry and catalogue are built once, when asked for
    if args.command is None:
        from .gui_cmd import run_gui

        return run_gui(cmd)
    if getattr(args, "json", False) and hasattr(sys.stdout, "reconfigure"):
        # JSON lines are UTF-8 (RFC 8259) wherever they go: on Windows a pipe or a file would get the ANSI
        # code page, which mangles "ü" and cannot hold every character a model writes
        sys.stdout.reconfigure(encoding="utf-8")
    if args.command in ("models", "doctor", "gpu-pack") and not getattr(args, "json", False):
        from .common import TerminalStream

        sys.stdout = TerminalStream(sys.stdout)
    return args.handler(cmd)


def gui_main() -> int:
    return main([])


if __name__ == "__main__":
    sys.exit(main())
