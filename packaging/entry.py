"""The frozen app's entry point (PyInstaller runs this file; the CLI, the window and the engine host
all start here)."""

import os
import sys

if sys.stdout is None or sys.stderr is None:  # the windowed Windows/macOS executable has no console
    devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stdout or devnull
    sys.stderr = sys.stderr or devnull

from deepseek_desktop.cli.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
