"""One message sent, in the real window (simulator engine host, real SQLite, offscreen Qt): one reload of
the sidebar, one "busy", and the reply's text held once (the recorder) and shown as it was streamed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_gui_chat import one_turn

from deepseek_desktop.core.conversations.types import MessageState
from deepseek_desktop.ui.chat.composer import ComposerState


def store_barrier(gui) -> None:
    """Every store call made before this one has answered (the store runs calls in order)."""
    gui.run(gui.services.runner.call(lambda st: None))


def watch(gui):
    window = gui.window
    listed, busy = [], []
    window.sidebar.listed.connect(lambda: listed.append(window.sidebar.list.count()))
    window.session.busyChanged.connect(lambda: busy.append(window.session.busy))
    return listed, busy


def send(gui, text: str) -> None:
    composer = gui.window.composer
    gui.qtbot.keyClicks(composer.input, text)
    gui.qtbot.keyClick(composer.input, Qt.Key.Key_Return)


def test_one_message_reloads_the_sidebar_once_and_is_busy_exactly_while_it_streams(make_gui):
    gui = make_gui(words_per_second=60)
    window = gui.window
    listed, busy = watch(gui)
    send(gui, "What is multi-head latent attention?")
    view = window.chat_view
    gui.wait(lambda: len(view.widgets) == 2 and len(view.widgets[1].text) > 20 and window.sidebar.list.count())
    question, reply = view.widgets
    seen = reply.text
    assert window.session.busy and window.composer.mode is ComposerState.GENERATING
    assert reply.item.live is not None and reply.item.content == "", "the streaming text lives in the recorder"
    assert not question.edit_button.isEnabled(), "editing waits for the turn (derived from busy)"
    assert window.sidebar.list.count() == 1 and window.sidebar.current_id() == window.session.conversation.id

    gui.wait(lambda: not window.session.busy)
    store_barrier(gui)
    assert listed == [1], "the sidebar was filled again once for the message"
    assert busy == [True, False]
    assert window.composer.mode is ComposerState.IDLE and question.edit_button.isEnabled()
    assert reply.item.live is None and reply.item.state is MessageState.COMPLETE
    assert reply.item.content.startswith(seen) and len(reply.item.content) > len(seen)
    assert reply.text == reply.item.content
    saved = gui.run(gui.services.runner.call(lambda st: st.all_messages(window.session.conversation.id)))
    assert [(m.role, m.content) for m in saved] == [("user", "What is multi-head latent attention?"),
                                                    ("assistant", reply.item.content)]
    assert saved[1].reasoning == reply.item.reasoning and saved[1].stats.completion_tokens

    with one_turn(gui):
        send(gui, "And mixture of experts?")  # a second message in the same conversation: one more reload
    store_barrier(gui)
    assert listed == [1, 1] and busy == [True, False, True, False]
    assert [w.item.role for w in view.widgets] == ["user", "assistant", "user", "assistant"]


def test_stop_mid_reply_keeps_the_partial_text_marked_stopped(make_gui):
    gui = make_gui(words_per_second=8)
    window = gui.window
    listed, busy = watch(gui)
    send(gui, "Explain quantisation")
    view = window.chat_view
    gui.wait(lambda: len(view.widgets) == 2 and view.widgets[1].text)
    reply = view.widgets[1]
    window.composer.button.click()  # Stop
    gui.wait(lambda: not window.session.busy)
    store_barrier(gui)
    partial = reply.item.content
    assert partial and reply.text == partial and reply.item.live is None
    assert reply.item.state is MessageState.CANCELLED and not reply.item.interrupted
    assert "Stopped" in reply.footer.text()
    assert listed == [1] and busy == [True, False]
    saved = gui.run(gui.services.runner.call(lambda st: st.all_messages(window.session.conversation.id)))[1]
    assert saved.state is MessageState.CANCELLED and saved.content == partial and not saved.interrupted


def test_a_reply_keeps_streaming_while_another_conversation_is_open(make_gui):
    gui = make_gui(words_per_second=30)
    window = gui.window
    send(gui, "Tell me about MoE routing")
    view = window.chat_view
    gui.wait(lambda: len(view.widgets) == 2 and view.widgets[1].text)
    cid = window.session.conversation.id
    window.new_chat()
    assert view.widgets == [] and window.session.busy
    gui.run(window.session.open(cid))
    gui.wait(lambda: len(view.widgets) == 2)
    reply = view.widgets[1]
    assert reply.item.live is not None or reply.item.state is MessageState.COMPLETE
    gui.wait(lambda: not window.session.busy)
    saved = gui.run(gui.services.runner.call(lambda st: st.all_messages(cid)))[1]
    assert reply.text == reply.item.content == saved.content and saved.state is MessageState.COMPLETE
