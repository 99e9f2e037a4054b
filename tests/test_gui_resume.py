"""The window's case from start to end: a conversation with the real Gemma GGUF, the app closed and started
again, and the next question read without re-reading the conversation."""

from __future__ import annotations

import pytest
from conftest import THREADS
from test_gui_chat import send_and_wait
from test_gui_models import drop_files, gemma_choice

from deepseek_desktop.core.kv_state_files import conversation_key, key_tag

pytestmark = pytest.mark.slow
FACTS = " ".join(f"Fact {i}: {i} times {i} is {i * i}." for i in range(30))


def on_gemma(gui) -> None:
    gui.wait(lambda: any(c.engine == "llamacpp" for c in gui.window.choices))
    if gui.window.engine.current is None or gui.window.engine.current.engine != "llamacpp":
        gui.window.switch_model(gemma_choice(gui))
    gui.wait(lambda: gui.window.engine.state == "ready" and gui.window.engine.current.engine == "llamacpp", 60)


def test_after_a_restart_the_conversation_continues_without_re_reading(make_gui, gemma_path):
    values = {"generation.max_tokens": 12, "llamacpp.threads": THREADS}
    gui = make_gui(words_per_second=1000, settings_values=values)
    assert drop_files(gui.window, gemma_path)
    on_gemma(gui)
    send_and_wait(gui, "Answer from these facts. " + FACTS + " What is fact 7?", timeout=120)
    cid = gui.window.session.conversation.id
    first = gui.window.chat_view.widgets[-1].item.stats
    assert first["prompt_tokens_evaluated"] == first["prompt_tokens"] > 200
    gui.close()
    saved = list(gui.paths.kv_states_dir.iterdir())
    assert len(saved) == 1 and key_tag(conversation_key(cid)) in saved[0].name

    again = make_gui(words_per_second=1000, settings_values=values)  # the app restarted
    on_gemma(again)
    assert again.window.session.conversation is not None and again.window.session.conversation.id == cid
    send_and_wait(again, "And fact 9?", timeout=120)
    reply = again.window.chat_view.widgets[-1]
    assert reply.item.stats["prompt_tokens"] > first["prompt_tokens"]
    assert reply.item.stats["prompt_tokens_evaluated"] < 40
    assert "newly read" in reply.footer.text()
