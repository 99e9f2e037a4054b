"""The API-key prompt says, before OK, whether the key will be remembered (no system keyring: it is not)."""

from __future__ import annotations

import pytest
from keyring.backends import fail
from test_secrets import MemoryKeyring

from deepseek_desktop.core.secrets import SecretStore


@pytest.mark.parametrize(("backend", "says_kept_until_quit"), [(MemoryKeyring, False), (fail.Keyring, True)])
def test_the_prompt_tells_where_the_key_goes(qtbot, qloop, backend, says_kept_until_quit):
    from deepseek_desktop.ui.settings.endpoints import EndpointsEditor

    store = SecretStore(backend())
    editor = EndpointsEditor("remote.endpoints", [{"name": "Cluster", "base_url": "https://example.org/v1",
                                                   "model": "deepseek-r1"}], lambda: store)
    qtbot.addWidget(editor)
    editor.show()
    editor.table.selectRow(0)
    editor.key_button.click()
    qtbot.waitUntil(lambda: editor.key_prompt is not None and editor.key_prompt.isVisible())
    prompt = editor.key_prompt
    assert "Cluster" in prompt.labelText()
    assert ("only until the app quits" in prompt.labelText()) is says_kept_until_quit
    assert ("system keyring)" in prompt.labelText()) is not says_kept_until_quit
    messages: list[str] = []
    editor.keyMessage.connect(lambda text, _kind: messages.append(text))
    prompt.setTextValue("sk-secret")
    prompt.accept()
    qtbot.waitUntil(lambda: bool(messages))
    assert store.get("Cluster") == "sk-secret"
