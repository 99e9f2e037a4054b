"""What every command shares: one-line errors with exit status 2, JSON output."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from ..core.errors import DeepSeekError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl+C
log = logging.getLogger("deepseek_desktop.cli")


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def fail(message: str) -> int:
    print(f"deepseek-desktop: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def interrupted() -> int:
    """Ctrl+C: one line, no traceback. Whatever was half done was kept for a resume by its owner."""
    from ..core.errors import error_text

    print(f"deepseek-desktop: {error_text('operation.interrupted')}", file=sys.stderr)
    return EXIT_INTERRUPTED


def report(exc: BaseException) -> int:
    """Turn a known error into one line on stderr; the detail goes to the log."""
    if isinstance(exc, DeepSeekError):
        log.error("%s: %s", exc.message_id, exc.detail)
        return fail(exc.user_text())
    log.error("%s", exc)
    return fail(str(exc))


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
