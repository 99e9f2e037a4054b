"""The conversation's thinking budget in the window, with the simulator (it writes reasoning as R1 does)."""

from __future__ import annotations

from test_gui_chat import send_and_wait, stored

from deepseek_desktop.core import thinking


def choose(gui, value) -> None:
    """Pick a budget in the toolbar as a user does (the combo's activated signal), and wait for it to be kept."""
    picker = gui.window.thinking
    picker.combo.setFocus()
    index = picker._values.index(value)
    picker.combo.setCurrentIndex(index)
    picker.combo.activated.emit(index)
    gui.wait(lambda: gui.window.session.thinking_choice == value)


def test_the_budget_stops_the_thinking_and_the_reply_says_so(make_gui):
    gui = make_gui(words_per_second=1000)
    picker = gui.window.thinking
    assert picker.combo.accessibleName() == "Thinking budget" and picker.label.buddy() is picker.combo
    assert picker.combo.focusPolicy() != 0  # reachable with the keyboard
    choose(gui, 256)  # before the conversation exists: kept with it once it does
    send_and_wait(gui, "What is DeepSeek-R1?")
    reply = gui.window.chat_view.widgets[-1]
    assert reply.item.stats.get("thinking_stopped_at") is None  # the simulator's reasoning is shorter
    cid = gui.window.session.conversation.id
    assert stored(gui, lambda s: s.thinking_budget(cid)) == 256
    gui.window.session.thinking_choice = None
    choose(gui, 4096)
    assert stored(gui, lambda s: s.thinking_budget(cid)) == 4096


def test_a_small_budget_from_the_settings(make_gui):
    gui = make_gui(words_per_second=1000, settings_values={"thinking.mode": "budget", "thinking.budget_tokens": 5})
    send_and_wait(gui, "What is DeepSeek-R1?")
    reply = gui.window.chat_view.widgets[-1]
    assert reply.item.stats["thinking_stopped_at"] == 5
    assert len(reply.item.reasoning.split()) == 5 and "reasoning model" in reply.item.content
    assert "Thinking stopped at 5 tokens (budget)" in reply.footer.text()
    # the conversation's own choice goes before the setting, and comes back with the conversation
    choose(gui, thinking.OFF)
    send_and_wait(gui, "And MoE?")
    off = gui.window.chat_view.widgets[-1]
    assert not off.item.reasoning and off.item.content
    cid = gui.window.session.conversation.id
    gui.window.session.new_conversation()
    assert gui.window.thinking.choice() is None
    gui.run(gui.window.session.open(cid))
    assert gui.window.thinking.choice() == thinking.OFF


def test_the_budget_line_stays_with_the_reply_after_switching_and_a_restart(make_gui):
    gui = make_gui(words_per_second=1000, settings_values={"thinking.mode": "budget", "thinking.budget_tokens": 5})
    send_and_wait(gui, "What is DeepSeek-R1?")
    line = "Thinking stopped at 5 tokens (budget)"
    assert line in gui.window.chat_view.widgets[-1].footer.text()
    cid = gui.window.session.conversation.id
    gui.window.session.new_conversation()  # away, and back: the reply now comes from the store
    assert not gui.window.chat_view.widgets
    gui.run(gui.window.session.open(cid))
    reply = gui.window.chat_view.widgets[-1]
    assert reply.item.role == "assistant" and line in reply.footer.text() and reply.footer.isVisible()
    gui.close()
    again = make_gui(words_per_second=1000)  # the app restarted
    again.run(again.window.session.open(cid))
    assert line in again.window.chat_view.widgets[-1].footer.text()
