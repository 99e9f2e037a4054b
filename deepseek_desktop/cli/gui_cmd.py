"""``deepseek-desktop [gui]``: open the window. Qt is imported only here, only when asked for."""

from __future__ import annotations

import argparse
from pathlib import Path

from .context import Command


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the app window (the default)")
    p.add_argument("paths", nargs="*", type=Path, metavar="FILE",
                   help="a GGUF file or MLX model folder to add (handed to the window if it is already open)")
    p.add_argument("--quit-after-shown", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=run_gui)


def run_gui(cmd: Command) -> int:
    from ..app import run

    args = cmd.args
    return run(cmd.paths, quit_after_shown=getattr(args, "quit_after_shown", False),
               open_paths=getattr(args, "paths", None) or ())
