"""``deepseek-desktop [gui]``: open the window. Qt is imported only here, only when asked for."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.paths import AppPaths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the app window (the default)")
    p.add_argument("paths", nargs="*", type=Path, metavar="FILE",
                   help="a GGUF file or MLX model folder to add (handed to the window if it is already open)")
    p.add_argument("--quit-after-shown", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace, paths: AppPaths) -> int:
    from ..app import run

    return run(paths, quit_after_shown=getattr(args, "quit_after_shown", False),
               open_paths=getattr(args, "paths", None) or ())
