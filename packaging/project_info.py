"""What every package says about the app: one place for names, ids and the version."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "DeepSeek Desktop"
PACKAGE = "deepseek-desktop"  # the .deb, the folder under /opt, the command on the PATH
APP_ID = "io.github.deepseekdesktop.DeepSeekDesktop"  # reverse DNS: .desktop, AppStream, macOS bundle id
BUNDLE_ID = APP_ID
GGUF_MIME = "application/x-gguf"
GGUF_UTI = "io.github.deepseekdesktop.gguf"
HOMEPAGE = "https://github.com/deepseek-desktop/deepseek-desktop"
SUMMARY = "Chat with DeepSeek models on this computer"
MAINTAINER = "DeepSeek Desktop developers <deepseek-desktop@users.noreply.github.com>"
MACOS_MINIMUM = "12.0"  # PySide6 6.8 needs macOS 12; MLX on Apple Silicon needs 13.5 and checks itself
DIST = ROOT / "dist"
BUILD = ROOT / "build" / "packaging"


def version() -> str:
    """The package's version, read from the source (no import: the packaging runs without the app's
    dependencies)."""
    text = (ROOT / "deepseek_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if not match:
        raise RuntimeError("deepseek_desktop/__init__.py has no __version__")
    return match.group(1)
