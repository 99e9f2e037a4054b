"""What every command shares: one-line errors with exit status 2, JSON output, and the one way text
from a model or a server reaches a terminal."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import Any, TextIO

from ..core.errors import DeepSeekError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl+C
log = logging.getLogger("deepseek_desktop.cli")

# C0 controls but tab and newline, DEL, and C1 controls (0x9b is a one-byte CSI to some terminals); the
# bidirectional embeddings, overrides and isolates (U+202E shows "exe.gguf" as "fgg.exe").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# In JSON output: the same, but as JSON escapes (the value stays exact; C0 controls JSON escapes itself).
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """Text from a model or a server, made harmless for a terminal.

    ESC starts the sequences that recolour the screen, move the cursor, set the window title or write
    to the clipboard; BEL, NUL, backspace and a lone CR rewrite or disturb what is shown. They are shown
    as visible escapes (``\\x1b``); newline and tab stay. JSON output does not come here: it stays exact.
    """
    if _CONTROL.search(text) is None:  # the usual case, and the cheap one
        return text
    return _CONTROL.sub(_escaped, text.replace("\r\n", "\n"))


class TerminalStream:
    """``sys.stdout`` for the plain output of the ``models`` and ``doctor`` commands: names and paths there
    come from GGUF headers, the registry and the Hub, so every write goes through ``terminal_text``."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_text(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class TerminalWriter:
    """Writes a streamed reply through ``terminal_text``. A CR at the end of one piece waits for the
    next, so a CRLF split across two pieces still reads as one line break."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._cr = False
        self.line_open = False  # something is on the current line

    def write(self, text: str) -> None:
        if self._cr:
            text, self._cr = "\r" + text, False
        if text.endswith("\r"):
            text, self._cr = text[:-1], True
        self.raw(terminal_text(text))

    def raw(self, text: str) -> None:
        """Our own text and colour codes, written as they are."""
        if text:
            self.stream.write(text)
            self.stream.flush()
            self.line_open = not text.endswith("\n")

    def end_line(self) -> None:
        """So that what comes next (an error, the stats line) starts on a line of its own."""
        if self._cr:
            self._cr = False
            self.raw(terminal_text("\r"))
        if self.line_open:
            self.raw("\n")


def user_text(arg: str) -> str:
    """A command-line argument as text for the model. Bytes that are not valid in the system's encoding
    reach Python as lone surrogates, which no UTF-8 pipe or server takes: they become U+FFFD."""
    try:
        arg.encode("utf-8")
        return arg
    except UnicodeEncodeError:
        return os.fsencode(arg).decode(sys.getfilesystemencoding(), errors="replace")


def fail(message: str) -> int:
    print(f"deepseek-desktop: error: {terminal_text(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def interrupted() -> int:
    """Ctrl+C: one line, no traceback. Whatever was half done was kept for a resume by its owner."""
    from ..core.errors import error_text

    print(f"deepseek-desktop: {error_text('operation.interrupted')}", file=sys.stderr)
    return EXIT_INTERRUPTED


def report(exc: BaseException, hint: str = "") -> int:
    """Turn a known error into one line on stderr; the detail goes to the log."""
    if isinstance(exc, DeepSeekError):
        log.error("%s: %s", exc.message_id, exc.detail)
        return fail(exc.user_text() + (f" {hint}" if hint else ""))
    log.error("%s", exc)
    return fail(str(exc))


def print_json(obj: Any) -> None:
    text = json.dumps(obj, ensure_ascii=False)  # such characters only occur inside strings there
    sys.stdout.write(_JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")
    sys.stdout.flush()
