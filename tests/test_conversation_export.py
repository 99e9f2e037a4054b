"""Export as Markdown and JSON from a real store, read back, import, and failures that lose nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from deepseek_desktop.core.conversations.export import (
    MarkdownLabels,
    export_conversation,
    read_json_export,
    to_json,
    to_markdown,
)
from deepseek_desktop.core.conversations.store import ConversationStore, StoreError
from deepseek_desktop.core.conversations.types import MessageState, MessageStats
from deepseek_desktop.core.paths import AppPaths


@pytest.fixture
def store():
    s = ConversationStore(AppPaths.default().database_file)
    yield s
    s.close()


@pytest.fixture
def conv(store):
    c = store.create_conversation(system_prompt="Antworte auf Deutsch.\nSei knapp.")
    store.add_message(c.id, "user", "Was ist Multi-head Latent Attention?")
    store.add_message(c.id, "assistant", "MLA komprimiert Keys und Values in einen **Latentvektor**.",
                      reasoning="Der Nutzer fragt nach MLA. Ein Beispiel: </details> im Text.",
                      reasoning_seconds=4.4, model="DeepSeek-R1-Distill-Qwen-7B", engine="llamacpp",
                      stats=MessageStats(20, 40, 31.5, 250.0, "stop", thinking_stopped_at=1024))
    store.add_message(c.id, "user", "Und MoE?")
    store.add_message(c.id, "assistant", "Ein Router wä", state=MessageState.CANCELLED, model="m",
                      stats=MessageStats(thinking_note="low"))
    store.add_message(c.id, "assistant", "", state=MessageState.ERROR, error_id="engine.crashed")
    store.begin_reply(c.id, model="m")  # streaming in a session that "crashed": see below
    return store.get_conversation(c.id)


def reopen_messages(store_path, cid):
    """The same messages as the next start sees them (the streaming reply is then interrupted)."""
    with ConversationStore(store_path) as s:
        return s.get_conversation(cid), s.all_messages(cid)


def test_markdown_marks_roles_reasoning_and_unfinished_replies(store, conv):
    c, messages = reopen_messages(store.path, conv.id)
    md = to_markdown(c, messages)
    assert md.startswith("# Was ist Multi-head Latent Attention?\n")
    assert "> Antworte auf Deutsch.\n> Sei knapp." in md
    assert "## You\n\nWas ist Multi-head Latent Attention?" in md
    assert "## Assistant (DeepSeek-R1-Distill-Qwen-7B)" in md
    details = md[md.index("<details>"):md.index("</details>\n") + 10]
    assert "<summary>Reasoning (4 s)</summary>" in details
    assert "Der Nutzer fragt nach MLA." in details and "&lt;/details&gt; im Text" in details
    assert md.index("</details>") < md.index("MLA komprimiert")  # reasoning folded before the answer
    assert "*(stopped by the user)*" in md
    assert "*(failed: The engine stopped unexpectedly.)*" in md
    assert "*(interrupted: the app stopped during this reply)*" in md


def test_markdown_labels_can_be_translated(store, conv):
    german = {"You": "Du", "Assistant": "Assistent", "Reasoning ({seconds} s)": "Gedankengang ({seconds} s)",
              "Exported from DeepSeek Desktop on {date}": "Aus DeepSeek Desktop exportiert am {date}"}
    seen = []

    def translate(context: str, text: str) -> str:
        seen.append(context)
        return german.get(text, text)

    md = to_markdown(conv, store.all_messages(conv.id), MarkdownLabels().translated(translate))
    assert "## Du" in md and "## Assistent (DeepSeek" in md and "Gedankengang (4 s)" in md
    assert "Aus DeepSeek Desktop exportiert am " in md
    assert set(seen) == {"Export"}


def test_json_export_reads_back_and_imports_unchanged(store, conv):
    c, messages = reopen_messages(store.path, conv.id)
    text = to_json(c, messages)
    data = json.loads(text)
    assert data["format"] == "deepseek-desktop.conversation" and len(data["messages"]) == 6
    assert data["messages"][1]["reasoning"].startswith("Der Nutzer")
    assert data["messages"][-1]["state"] == "interrupted"
    assert data["messages"][1]["stats"]["thinking_stopped_at"] == 1024  # what the thinking budget did
    assert data["messages"][3]["stats"] == {"thinking_note": "low"}

    parsed_conv, parsed = read_json_export(text)
    assert replace(parsed_conv, id=c.id) == c
    assert [replace(m, id=o.id, conversation_id=o.conversation_id) for m, o in zip(parsed, messages, strict=True)] \
        == messages

    with ConversationStore(store.path) as s:
        copy = s.import_conversation(parsed_conv, parsed)
        imported = s.all_messages(copy.id)
    assert copy.id != c.id and (copy.title, copy.system_prompt) == (c.title, c.system_prompt)
    strip = [(m.position, m.role, m.content, m.reasoning, m.reasoning_seconds, m.state, m.model, m.engine,
              m.created_at, m.stats, m.error_id, m.interrupted) for m in messages]
    assert [(m.position, m.role, m.content, m.reasoning, m.reasoning_seconds, m.state, m.model, m.engine,
             m.created_at, m.stats, m.error_id, m.interrupted) for m in imported] == strip


def test_export_to_files_in_both_formats(store, conv, tmp_path):
    md = export_conversation(store, conv.id, tmp_path / "out" / "gespräch.md")
    js = export_conversation(store, conv.id, tmp_path / "out" / "gespräch.json", fmt="json")
    assert md.read_text(encoding="utf-8").startswith("# Was ist")
    assert read_json_export(js.read_text(encoding="utf-8"))[0].title == conv.title
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["gespräch.json", "gespräch.md"]
    with pytest.raises(ValueError):
        export_conversation(store, conv.id, tmp_path / "x.pdf", fmt="pdf")


def test_export_to_an_impossible_place_fails_clearly_and_keeps_the_old_file(store, conv, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as err:
        export_conversation(store, conv.id, blocker / "export.md")
    assert err.value.message_id == "store.export_failed"
    assert err.value.params["path"] == str(blocker / "export.md")
    target = tmp_path / "existing.md"
    target.write_text("old export")
    (tmp_path / "existing.md.lock").mkdir()  # unrelated clutter must not matter
    export_conversation(store, conv.id, target)
    assert target.read_text(encoding="utf-8").startswith("# Was ist")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("text", [
    "not json", "[]", json.dumps({"format": "something-else"}),
    json.dumps({"format": "deepseek-desktop.conversation", "version": 99, "conversation": {}, "messages": []}),
    json.dumps({"format": "deepseek-desktop.conversation", "version": 1,
                "conversation": {"title": 3, "created_at": 1, "updated_at": 1}, "messages": []}),
    json.dumps({"format": "deepseek-desktop.conversation", "version": 1,
                "conversation": {"title": "t", "created_at": 1, "updated_at": 1},
                "messages": [{"role": "robot", "content": "x", "created_at": 1}]}),
    json.dumps({"format": "deepseek-desktop.conversation", "version": 1,
                "conversation": {"title": "t", "created_at": 1, "updated_at": 1},
                "messages": [{"role": "user", "content": "x", "created_at": "gestern"}]}),
    '{"format": "deepseek-desktop.conversation", "version": 1, "messages": ' + "[" * 100_000,
    json.dumps({"format": "deepseek-desktop.conversation", "version": 1,
                "conversation": {"title": "t", "created_at": 1, "updated_at": 1},
                "messages": [{"role": "assistant", "content": "x", "created_at": 1,
                              "stats": {"thinking_stopped_at": "viel"}}]}),
    json.dumps({"format": "deepseek-desktop.conversation", "version": 1,
                "conversation": {"title": "t", "created_at": 1, "updated_at": 1},
                "messages": [{"role": "assistant", "content": "x", "created_at": 1,
                              "stats": {"thinking_note": "<img src=x onerror=alert(1)>"}}]}),
], ids=["text", "array", "other-format", "future-version", "bad-title", "bad-role", "bad-time", "deeply-nested",
        "bad-thinking-stop", "bad-thinking-note"])
def test_reading_something_else_is_refused_clearly(text):
    with pytest.raises(StoreError) as err:
        read_json_export(text)
    assert err.value.message_id == "store.import_invalid"
