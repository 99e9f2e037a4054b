"""Every error the core can raise has a translatable line in the GUI, with the same placeholders."""

from __future__ import annotations

import re

from deepseek_desktop.core.errors import MESSAGES
from deepseek_desktop.ui.error_text import _texts, error_message


def test_every_message_id_has_a_gui_text(qapp):
    assert set(MESSAGES) <= set(_texts())


def test_placeholders_match_the_english_originals(qapp):
    texts = _texts()
    for message_id, english in MESSAGES.items():
        assert set(re.findall(r"{(\w+)}", texts[message_id])) == set(re.findall(r"{(\w+)}", english)), message_id


def test_formatting_with_and_without_params(qapp):
    assert error_message("model.not_found", {"path": "/x.gguf"}) == "Model file not found: /x.gguf"
    assert "{path}" in error_message("model.not_found", {})  # missing params never raise
    assert error_message("no.such_id", {}) == "no.such_id"
