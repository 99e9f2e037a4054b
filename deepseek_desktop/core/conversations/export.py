"""A conversation as Markdown (to read or share) or JSON (complete, to read back).

Markdown puts R1's reasoning in a collapsible ``<details>`` block before the answer: GitHub, GitLab,
Obsidian and most viewers fold it, and plain-text readers still see it clearly marked. The JSON export
holds every field of every message, every version of it too (regenerated replies, edited questions),
and ``read_json_export`` turns it back into the same dataclasses. Markdown writes the versions shown.

JSON format 2 (version 1 had no versions): ``messages`` lists every message, parents before children;
each has an ``id`` local to the file, its ``parent`` (null for a first message) and ``chosen`` (the
version shown). A message's versions are the messages with the same parent, in list order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import error_text
from ..files.atomic import write_atomic
from ..files.json_file import CorruptJson, parse_json
from ..i18n_marks import QT_TRANSLATE_NOOP
from ..thinking import known_note
from .database import StoreError
from .store import ConversationStore
from .types import ROLES, Conversation, Message, MessageState, MessageStats

FORMAT_NAME = "deepseek-desktop.conversation"
FORMAT_VERSION = 2


@dataclass(frozen=True)
class MarkdownLabels:
    """The words the Markdown export writes; the UI passes translated ones (``translated``)."""

    untitled: str = QT_TRANSLATE_NOOP("Export", "Conversation")
    exported: str = QT_TRANSLATE_NOOP("Export", "Exported from DeepSeek Desktop on {date}")
    system_prompt: str = QT_TRANSLATE_NOOP("Export", "System prompt")
    user: str = QT_TRANSLATE_NOOP("Export", "You")
    assistant: str = QT_TRANSLATE_NOOP("Export", "Assistant")
    system: str = QT_TRANSLATE_NOOP("Export", "System")
    reasoning: str = QT_TRANSLATE_NOOP("Export", "Reasoning")
    reasoning_time: str = QT_TRANSLATE_NOOP("Export", "Reasoning ({seconds} s)")
    cancelled: str = QT_TRANSLATE_NOOP("Export", "(stopped by the user)")
    interrupted: str = QT_TRANSLATE_NOOP("Export", "(interrupted: the app stopped during this reply)")
    failed: str = QT_TRANSLATE_NOOP("Export", "(failed: {error})")

    def translated(self, translate: Callable[[str, str], str]) -> MarkdownLabels:
        """``translate(context, text)``, e.g. ``QCoreApplication.translate``."""
        return replace(self, **{f.name: translate("Export", getattr(self, f.name)) for f in fields(self)})


def to_markdown(conversation: Conversation, messages: Sequence[Message],
                labels: MarkdownLabels | None = None,
                error_text_for: Callable[[str, dict[str, str]], str] = error_text) -> str:
    lb = labels or MarkdownLabels()
    out = [f"# {_one_line(conversation.title) or lb.untitled}", "",
           f"*{lb.exported.format(date=_date(conversation.updated_at))}*", ""]
    if conversation.system_prompt.strip():
        out += [f"**{lb.system_prompt}:**", "", _quote(conversation.system_prompt), ""]
    for m in messages:
        who = {"user": lb.user, "assistant": lb.assistant, "system": lb.system}[m.role]
        if m.role == "assistant" and m.model:
            who += f" ({_one_line(m.model)})"
        out += [f"## {who}", ""]
        if m.reasoning.strip():
            summary = (lb.reasoning_time.format(seconds=f"{m.reasoning_seconds:.0f}")
                       if m.reasoning_seconds is not None else lb.reasoning)
            # a literal </details> in the reasoning would close the block early
            body = m.reasoning.strip().replace("</details>", "&lt;/details&gt;")
            out += ["<details>", f"<summary>{summary}</summary>", "", body, "", "</details>", ""]
        if m.content.strip():
            out += [m.content.strip(), ""]
        if m.interrupted:
            out += [f"*{lb.interrupted}*", ""]
        elif m.state is MessageState.CANCELLED:
            out += [f"*{lb.cancelled}*", ""]
        elif m.state is MessageState.ERROR:
            reason = error_text_for(m.error_id or "engine.generation_failed", m.error_params)
            out += [f"*{lb.failed.format(error=reason)}*", ""]
    return "\n".join(out).rstrip() + "\n"


def to_json(conversation: Conversation, messages: Sequence[Message]) -> str:
    """``messages``: ``ConversationStore.all_versions`` (or a path); a parent not in it means "the one before"."""
    local: dict[int, int] = {}
    items = []
    for i, m in enumerate(messages, 1):
        parent = local.get(m.parent_id) if m.parent_id is not None else None
        if parent is None and m.parent_id is not None and items:
            parent = i - 1
        local[m.id] = i
        items.append({"id": i, "parent": parent, "chosen": m.chosen, **_message_dict(m)})
    data = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "conversation": {k: v for k, v in asdict(conversation).items() if k not in ("id", "deleted_at")},
        "messages": items,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_json_export(text: str) -> tuple[Conversation, list[Message]]:
    """Parse a JSON export; message ids are the file's own numbers and ``parent_id`` refers to them
    (``ConversationStore.import_conversation`` gives new ones). A format 1 file is one path.

    Raises ``StoreError("store.import_invalid")`` for anything that is not such an export.
    """
    try:
        data = parse_json(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise ValueError("not a DeepSeek Desktop conversation export")
        if not isinstance(data.get("version"), int) or data["version"] > FORMAT_VERSION:
            raise ValueError(f"unsupported version {data.get('version')!r}")
        c = data["conversation"]
        conversation = Conversation(0, _text(c, "title"), _text(c, "system_prompt"), _time(c, "created_at"),
                                    _time(c, "updated_at"))
        messages = _messages_from_list(conversation, data["messages"], data["version"])
    except (CorruptJson, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError("store.import_invalid", str(exc)) from exc
    return conversation, messages


def export_conversation(store: ConversationStore, conversation_id: int, path: Path, fmt: str = "markdown",
                        labels: MarkdownLabels | None = None) -> Path:
    """Write one conversation to ``path`` ("markdown" or "json"); the file appears whole or not at all."""
    conversation = store.get_conversation(conversation_id)
    if fmt == "json":
        text = to_json(conversation, store.all_versions(conversation_id))
    elif fmt == "markdown":
        text = to_markdown(conversation, store.all_messages(conversation_id), labels)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise StoreError("store.export_failed", str(exc), path=path) from exc
    return path


def _message_dict(m: Message) -> dict[str, Any]:
    return {
        "role": m.role, "content": m.content, "reasoning": m.reasoning,
        "reasoning_seconds": m.reasoning_seconds,
        # an interrupted reply is exported as such; importing it must not make it look live
        "state": "interrupted" if m.interrupted else m.state.value,
        "model": m.model, "engine": m.engine, "created_at": m.created_at,
        "stats": {k: v for k, v in asdict(m.stats).items() if v is not None},
        "error": {"message_id": m.error_id, "params": m.error_params} if m.error_id else None,
    }


def _messages_from_list(conv: Conversation, items: list[Any], version: int) -> list[Message]:
    messages: list[Message] = []
    depth: dict[int, int] = {}  # file id -> position
    for i, item in enumerate(items):
        if version < 2:
            mid, parent, chosen = i + 1, (i or None), True
        else:
            mid, parent, chosen = item["id"], item.get("parent"), item.get("chosen", True)
            if isinstance(mid, bool) or not isinstance(mid, int) or mid < 1 or mid in depth:
                raise ValueError(f"message {i}: bad id {mid!r}")
            if parent is not None and parent not in depth:
                raise ValueError(f"message {i}: parent {parent!r} is not an earlier message")
            if not isinstance(chosen, bool):
                raise ValueError(f"message {i}: chosen is not true or false")
        depth[mid] = 0 if parent is None else depth[parent] + 1
        messages.append(replace(_message_from_dict(conv, depth[mid], item), id=mid, parent_id=parent,
                                chosen=chosen))
    return messages


def _message_from_dict(conv: Conversation, position: int, m: dict[str, Any]) -> Message:
    role = m["role"]
    if role not in ROLES:
        raise ValueError(f"message {position}: unknown role {role!r}")
    interrupted = m.get("state") == "interrupted"
    state = MessageState.STREAMING if interrupted else MessageState(m.get("state", "complete"))
    stats = m.get("stats") or {}
    error = m.get("error") or {}
    seconds = m.get("reasoning_seconds")
    return Message(
        0, conv.id, position, role, _text(m, "content"), _text(m, "reasoning"),
        None if seconds is None else float(seconds), state, _text(m, "model"), _text(m, "engine"),
        _time(m, "created_at"), _stats(position, stats),
        error.get("message_id"), {str(k): str(v) for k, v in (error.get("params") or {}).items()},
        interrupted=interrupted,
    )


def _stats(position: int, stats: dict[str, Any]) -> MessageStats:
    values = {f.name: stats.get(f.name) for f in fields(MessageStats)}
    stopped, note = values["thinking_stopped_at"], values["thinking_note"]
    if stopped is not None and (isinstance(stopped, bool) or not isinstance(stopped, int) or stopped < 0):
        raise ValueError(f"message {position}: thinking_stopped_at is not a number of tokens")
    if note is not None and known_note(note) is None:
        raise ValueError(f"message {position}: unknown thinking_note {str(note)[:40]!r}")
    return MessageStats(**values)


def _text(d: dict[str, Any], key: str) -> str:
    value = d.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{key} is not text")
    return value


def _time(d: dict[str, Any], key: str) -> float:
    value = d[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{key} is not a time")
    return float(value)


def _date(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.strip().splitlines())
