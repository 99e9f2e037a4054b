"""Tool calls in the model's own format: which format a chat template defines, and reading the calls out of
the model's reply as it streams.

The formats and their markers are those llama.cpp's ``common/chat.cpp`` reads:

- DeepSeek R1 and V3 (R1-0528 and V3-0324 too): ``<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME
  \\n```json\\nARGS\\n```<｜tool▁call▁end｜>...<｜tool▁calls▁end｜>``
- DeepSeek V3.1: ``<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS<｜tool▁call▁end｜>...
  <｜tool▁calls▁end｜>``
- Hermes 2 Pro and Qwen 2.5: ``<tool_call>\\n{"name": NAME, "arguments": ARGS}\\n</tool_call>``, once per call

A template that defines none of them cannot take tools: the engine refuses such a request.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

from ..core.events import ToolCall

CALLS_BEGIN = "<｜tool▁calls▁begin｜>"
CALLS_END = "<｜tool▁calls▁end｜>"
CALL_BEGIN = "<｜tool▁call▁begin｜>"
CALL_END = "<｜tool▁call▁end｜>"
SEP = "<｜tool▁sep｜>"
# DeepSeek's distilled models write the opening marker in several ways (llama.cpp accepts the same).
_DEEPSEEK_OPENINGS = (CALLS_BEGIN, "<｜tool_calls_begin｜>", "<｜tool calls begin｜>", "<｜tool\\_calls\\_begin｜>",
                      "<｜tool▁calls｜>")


@dataclass(frozen=True)
class ToolFormat:
    name: str
    openings: tuple[str, ...]  # what opens a block of calls (the first is the one a grammar writes)
    closing: str  # what ends the block
    call: re.Pattern[str]  # one call inside a block: groups (name, arguments) or (json,)
    markers: tuple[str, ...]  # the format's special tokens, shown as text so they can be read

    @property
    def opening(self) -> str:
        return self.openings[0]


DEEPSEEK_R1 = ToolFormat(
    "deepseek-r1", _DEEPSEEK_OPENINGS, CALLS_END,
    re.compile(rf"(?:{CALL_BEGIN})?function{SEP}([^\n]+)\n```json\n(.*?)```\s*{CALL_END}", re.S),
    (CALLS_BEGIN, CALL_BEGIN, SEP, CALL_END, CALLS_END),
)
DEEPSEEK_V3_1 = ToolFormat(
    "deepseek-v3.1", _DEEPSEEK_OPENINGS, CALLS_END,
    re.compile(rf"(?:{CALL_BEGIN})?([^\n<]+){SEP}(.*?)\s*{CALL_END}", re.S),
    (CALLS_BEGIN, CALL_BEGIN, SEP, CALL_END, CALLS_END),
)
HERMES = ToolFormat(
    "hermes", ("<tool_call>",), "</tool_call>",
    re.compile(r"<tool_call>\s*(\{.*\})\s*</tool_call>", re.S),
    ("<tool_call>", "</tool_call>"),
)


def tool_format(template: str) -> ToolFormat | None:
    """The tool-call format a chat template defines (llama.cpp's detection), or None."""
    if "message['prefix'] is defined and message['prefix'] and thinking" in template:
        return DEEPSEEK_V3_1
    if CALLS_BEGIN in template:
        return DEEPSEEK_R1
    if "<tool_call>" in template:
        return HERMES
    return None


def new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def _arguments(text: str) -> str | None:
    """The arguments as compact JSON text, or None when they are not a JSON object."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_block(fmt: ToolFormat, block: str) -> list[tuple[str, str]]:
    """(name, arguments) for each well-formed call in a block; a malformed call is left out."""
    calls = []
    for match in fmt.call.finditer(block):
        if fmt is HERMES:
            try:
                data = json.loads(match.group(1))
            except (json.JSONDecodeError, RecursionError):
                continue
            if not isinstance(data, dict) or not isinstance(data.get("name"), str):
                continue
            args = data.get("arguments", {})
            arguments = _arguments(args if isinstance(args, str) else json.dumps(args))
            name = data["name"]
        else:
            name, arguments = match.group(1).strip(), _arguments(match.group(2))
        if name and arguments is not None:
            calls.append((name, arguments))
    return calls


class ToolCallReader:
    """Splits the streamed answer into text and tool calls. Text that may begin a block of calls is held back
    until it is clear; a finished block becomes ``ToolCall`` events. A block the model never closed is read
    at the end as far as it goes; if it holds no well-formed call it is given back as text."""

    def __init__(self, fmt: ToolFormat) -> None:
        self.fmt = fmt
        self.calls = 0
        self._held = ""
        self._in_block = False
        self._after_block = False  # white space right after a block of calls is the format's, not text

    def feed(self, text: str) -> tuple[str, list[ToolCall]]:
        if self._after_block:
            text = text.lstrip()
            self._after_block = not text
        self._held += text
        out: list[str] = []
        calls: list[ToolCall] = []
        while self._held:
            if not self._in_block:
                starts = [(i, o) for o in self.fmt.openings if (i := self._held.find(o)) >= 0]
                if not starts:
                    keep = self._partial_opening()
                    out.append(self._held[: len(self._held) - keep])
                    self._held = self._held[len(self._held) - keep:]
                    break
                at = min(starts)[0]
                out.append(self._held[:at])
                self._held = self._held[at:]
                self._in_block = True
            end = self._held.find(self.fmt.closing)
            if end < 0:
                break
            block, self._held = self._held[: end + len(self.fmt.closing)], self._held[end + len(self.fmt.closing):]
            self._in_block = False
            calls += self._calls(block)
            self._held = self._held.lstrip()
            self._after_block = not self._held
        return "".join(out), calls

    def flush(self) -> tuple[str, list[ToolCall]]:
        held, self._held = self._held, ""
        if self._in_block:  # a block the model (or a stop string, or the token budget) left open
            self._in_block = False
            calls = self._calls(held + self.fmt.closing)
            return ("", calls) if calls else (held, [])
        return held, []

    def _calls(self, block: str) -> list[ToolCall]:
        out = []
        for name, arguments in parse_block(self.fmt, block):
            out.append(ToolCall(self.calls, new_call_id(), name, arguments))
            self.calls += 1
        return out

    def _partial_opening(self) -> int:
        """How many characters at the end of the held text could begin an opening marker."""
        keep = 0
        for opening in self.fmt.openings:
            for n in range(min(len(opening) - 1, len(self._held)), 0, -1):
                if self._held.endswith(opening[:n]):
                    keep = max(keep, n)
                    break
        return keep


def template_arguments(tool_calls: list[dict]) -> list[dict]:
    """An assistant's tool calls as chat templates read them: the arguments as an object (the templates that
    define tools write them with ``tojson``), the text itself when it is not JSON."""
    out = []
    for call in tool_calls:
        function = dict(call.get("function") or {})
        args = function.get("arguments")
        if isinstance(args, str):
            try:
                function["arguments"] = json.loads(args)
            except (json.JSONDecodeError, RecursionError):
                pass
        out.append({**call, "type": call.get("type", "function"), "function": function})
    return out
