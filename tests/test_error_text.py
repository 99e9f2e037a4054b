"""Error lines: one English table in core (the CLI prints it as it is), translated by the GUI at display
time with the app's real compiled German translation."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from PySide6.QtCore import QTranslator

from deepseek_desktop.core.errors import MESSAGES, ModelFileError, RemoteError, error_text
from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.ui.appearance.i18n import translations_dir
from deepseek_desktop.ui.error_text import describe, error_message

# Ids whose German line is rightly the same as the English one (none today).
SAME_IN_GERMAN: set[str] = set()


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


@pytest.fixture
def german_qm() -> QTranslator:
    translator = QTranslator()
    assert translator.load("deepseek_desktop_de", str(translations_dir()))
    return translator


@pytest.fixture
def german(qapp, german_qm):
    qapp.installTranslator(german_qm)
    yield german_qm
    qapp.removeTranslator(german_qm)


def test_every_message_id_has_a_german_line_with_the_same_placeholders(german_qm):
    for message_id, english in MESSAGES.items():
        german = german_qm.translate("Errors", english)
        assert german, f"no German for {message_id}"
        if message_id not in SAME_IN_GERMAN:
            assert german != english, message_id
        assert placeholders(german) == placeholders(english), message_id


def test_describe_is_german_under_the_german_translator_and_english_without(qapp, german_qm):
    missing = ModelFileError("model.not_found", path="/models/x.gguf")
    assert describe(missing) == "Model file not found: /models/x.gguf"
    assert describe(ValueError("boom")) == "Something went wrong: boom"
    qapp.installTranslator(german_qm)
    try:
        assert describe(missing) == "Modelldatei nicht gefunden: /models/x.gguf"
        assert describe(RemoteError("remote.auth")) == german_qm.translate("Errors", MESSAGES["remote.auth"])
        assert describe(ValueError("boom")) == "Etwas ist schiefgelaufen: boom"
    finally:
        qapp.removeTranslator(german_qm)
    assert describe(missing) == "Model file not found: /models/x.gguf"  # the switch back is live too


def test_arguments_survive_translation(german):
    for message_id, english in MESSAGES.items():
        params = {name: f"<{message_id}:{name}>" for name in placeholders(english)}
        line = error_message(message_id, params)
        assert line != error_text(message_id, params) or message_id in SAME_IN_GERMAN, message_id
        for value in params.values():
            assert value in line, message_id
        assert not placeholders(line), f"{message_id}: {line}"


def test_missing_arguments_and_unknown_ids_never_raise(german):
    assert error_message("model.not_found", {}) == "Modelldatei nicht gefunden: {path}"
    assert error_message("no.such_id", {"path": "x"}) == "no.such_id"


def test_core_stays_english_under_the_german_translator(german):
    assert error_text("model.not_found", {"path": "/m.gguf"}) == "Model file not found: /m.gguf"
    assert str(ModelFileError("model.not_found", path="/m.gguf")) == "Model file not found: /m.gguf"


def test_the_cli_prints_english_with_german_settings_and_locale(tmp_path):
    paths = AppPaths.default()  # DEEPSEEK_DESKTOP_HOME, set for every test by conftest
    paths.ensure()
    paths.settings_file.write_text(json.dumps({"version": 1, "settings": {"general.language": "de"}}),
                                   encoding="utf-8")
    env = dict(os.environ, LANG="de_DE.UTF-8", LANGUAGE="de", LC_ALL="de_DE.UTF-8")
    missing = tmp_path / "missing.gguf"
    r = subprocess.run([sys.executable, "-m", "deepseek_desktop", "chat", "--model", str(missing), "--prompt", "hi"],
                       capture_output=True, text=True, timeout=180, env=env)
    assert r.returncode == 2
    assert r.stderr.strip() == f"deepseek-desktop: error: Model file not found: {missing}"
