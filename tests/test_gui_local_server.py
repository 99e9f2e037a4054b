"""The local API server in the window: turned on from the settings, answering while the window chats."""

from __future__ import annotations

import asyncio
import socket
import threading

import openai
from PySide6.QtWidgets import QLabel
from test_gui_chat import type_and_send

from deepseek_desktop.ui.local_server.status import ServerStatusWidget


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask_in_thread(url: str, question: str, **kw) -> dict:
    """A blocking OpenAI client in a thread of its own; the result lands in the dict."""
    out: dict = {}

    def run() -> None:
        try:
            c = openai.OpenAI(base_url=url, api_key="none", max_retries=0)
            out["reply"] = c.chat.completions.create(
                model="simulator", messages=[{"role": "user", "content": question}], **kw
            )
        except Exception as exc:  # noqa: BLE001 - reported to the test
            out["error"] = exc
        out["done"] = True

    threading.Thread(target=run, daemon=True).start()
    return out


def test_server_on_from_settings_and_a_request_while_the_window_chats(make_gui):
    gui = make_gui(words_per_second=5.0)  # the window's reply is long: the API request comes while it runs
    widget = gui.window.local_server
    assert not widget.running
    port = free_port()
    gui.settings.set_many({"server.openai_port": port, "server.ollama_port": 0, "server.enabled": True})
    gui.wait(lambda: widget.running)
    status = gui.window.findChild(QLabel, "localServerStatus")
    gui.wait(lambda: f"127.0.0.1:{port}" in status.text() and status.isVisible())  # the label follows "changed"

    type_and_send(gui, "What is DeepSeek-R1?")
    gui.wait(lambda: gui.window.session.busy)
    result = ask_in_thread(widget.address, "How much memory do I need?", max_tokens=8)
    gui.wait(lambda: widget.replies_waiting == 1)  # the API request waits for the window's turn
    gui.wait(lambda: "1 running, 1 waiting" in status.text())
    assert not result.get("done")
    gui.window.composer.stopRequested.emit()  # the user stops the window's reply: the API's turn comes
    gui.wait(lambda: not gui.window.session.busy)
    gui.wait(lambda: result.get("done"))
    assert "error" not in result, result.get("error")
    assert result["reply"].choices[0].finish_reason == "length" and result["reply"].usage.completion_tokens == 8
    assert gui.window.chat_view.widgets[1].item.state == "cancelled"  # only the window's own reply stopped

    log_view = gui.window.findChild(ServerStatusWidget).show_log()
    rows = log_view.table.rowCount()
    assert rows == 1 and log_view.table.item(0, 5).text() == "200" and log_view.table.item(0, 2).text() == "simulator"
    assert "How much memory" not in "".join(log_view.table.item(0, c).text() for c in range(6))

    gui.settings.set("server.enabled", False)
    gui.wait(lambda: not widget.running)
    gui.wait(lambda: not status.isVisible())  # once the sockets are closed (the server is "not running" before)


def test_window_stop_cancels_only_its_own_reply(make_gui):
    gui = make_gui(words_per_second=10.0)
    port = free_port()
    gui.settings.set_many({"server.openai_port": port, "server.ollama_port": 0, "server.enabled": True})
    server = gui.window.local_server
    gui.wait(lambda: server.running)
    result = ask_in_thread(server.address, "What is MoE?", max_tokens=60)
    gui.wait(lambda: server.replies_running == 1)  # the API's reply runs
    type_and_send(gui, "What is DeepSeek-R1?")
    gui.wait(lambda: server.replies_waiting == 1)  # the window's waits
    gui.window.composer.stopRequested.emit()  # the window's Stop
    gui.wait(lambda: not gui.window.session.busy)
    gui.wait(lambda: result.get("done"))
    assert "error" not in result, result.get("error")
    assert result["reply"].choices[0].finish_reason == "length"  # the API's reply ran to its end
    assert result["reply"].usage.completion_tokens == 60


def test_the_api_key_is_set_and_removed_from_the_settings_and_never_shown(make_gui):
    from PySide6.QtWidgets import QWidget

    gui = make_gui(start=False)
    dialog = gui.window.open_settings("server")
    row = dialog.server_key
    gui.wait(lambda: row.has_key is False)
    assert "No key is set" in row.state.text() and not row.remove_button.isEnabled()
    row.set_button.click()
    gui.wait(lambda: row.key_prompt is not None and row.key_prompt.isVisible())
    row.key_prompt.setTextValue("sk-local-secret")
    row.key_prompt.accept()
    gui.wait(lambda: row.has_key is True)
    assert "A key is set" in row.state.text() and row.remove_button.isEnabled()
    assert gui.run(asyncio.to_thread(gui.services.secrets().get, "local-server")) == "sk-local-secret"
    shown = [w.text() for w in dialog.findChildren(QWidget) if hasattr(w, "text") and isinstance(w.text(), str)]
    assert not any("sk-local-secret" in t for t in shown), "the key is never shown"
    row.remove_button.click()
    gui.wait(lambda: row.has_key is False)
    assert gui.run(asyncio.to_thread(gui.services.secrets().get, "local-server")) is None


def test_the_local_server_page_says_where_the_server_listens(make_gui):
    gui = make_gui()
    dialog = gui.window.open_settings("server")
    label = dialog.server_status
    assert label is not None and label.text() == "The server is off."
    port, ollama = free_port(), free_port()
    gui.settings.set_many({"server.openai_port": port, "server.ollama_port": ollama, "server.enabled": True})
    gui.wait(lambda: gui.window.local_server.running)
    gui.wait(lambda: f"127.0.0.1:{port}" in label.text())
    assert label.isVisibleTo(dialog) and f"Ollama-compatible: http://127.0.0.1:{ollama}" in label.text()
    gui.settings.set("server.enabled", False)
    gui.wait(lambda: label.text() == "The server is off.")
    dialog.close()
