"""Translations: the .ts files are current with the code, German is complete, the .qm files compiled,
and switching the language relabels the running window without a restart."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "packaging" / "i18n.py")
i18n_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n_tool)


def messages(ts: Path) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {(c.findtext("name"), m.findtext("source")) for c in root.iter("context") for m in c.iter("message")}


def test_ts_files_are_current_with_the_code(tmp_path):
    """pyside6-lupdate on today's code finds exactly the strings the committed .ts files hold."""
    fresh = {p.name: p for p in i18n_tool.update(target_dir=tmp_path)}
    for lang in i18n_tool.LANGS:
        committed = i18n_tool.ts_file(lang)
        assert messages(fresh[committed.name]) == messages(committed), f"run `make i18n` ({lang})"


def test_no_string_is_left_without_a_context():
    """An aliased translate call (t = QCoreApplication.translate) is misread by lupdate as tr()."""
    assert not [m for m in messages(i18n_tool.ts_file("de")) if not m[0]]


def test_german_is_complete_and_english_has_its_plurals():
    assert i18n_tool.problems(i18n_tool.ts_file("de")) == []
    assert i18n_tool.problems(i18n_tool.ts_file("en")) == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_qm_files_are_compiled_from_the_current_ts(tmp_path, lang):
    out = tmp_path / f"{lang}.qm"
    subprocess.run([i18n_tool.tool("pyside6-lrelease"), str(i18n_tool.ts_file(lang)), "-qm", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == (i18n_tool.QM_DIR / f"deepseek_desktop_{lang}.qm").read_bytes(), "run `make i18n`"


def test_live_language_switch(make_gui):
    gui = make_gui(words_per_second=0)
    w = gui.window
    assert w.composer.button.text() == "Send"
    gui.settings.set("general.language", "de")
    gui.wait(lambda: w.composer.button.text() == "Senden", 5)  # Qt posts LanguageChange to the windows
    assert w.windowTitle() == "DeepSeek Desktop"
    assert w.sidebar.new_button.text() == "Neue Unterhaltung"  # one word for it, as in the list
    assert w.picker.manage.text() == "Modelle …"
    assert w.status.label.text().startswith("Bereit")
    gui.settings.set("general.language", "en")
    gui.wait(lambda: w.composer.button.text() == "Send", 5)
    assert w.sidebar.new_button.text() == "New conversation"


def test_plural_forms_in_english_and_german(qapp):
    from PySide6.QtCore import QCoreApplication

    from deepseek_desktop.ui.appearance.i18n import LanguageManager

    manager = LanguageManager(qapp)
    manager.apply("en")
    assert QCoreApplication.translate("MessageWidget", "%n token(s)", "", 1) == "1 token"
    assert QCoreApplication.translate("MessageWidget", "%n token(s)", "", 5) == "5 tokens"
    manager.apply("de")
    assert QCoreApplication.translate("MessageWidget", "%n token(s)", "", 5) == "5 Token"
    assert QCoreApplication.translate("Errors", "The engine stopped unexpectedly.") == \
        "Die Engine wurde unerwartet beendet."
    manager.apply("en")


if sys.platform == "win32":  # lupdate/lrelease come with PySide6 everywhere, but paths differ
    pytestmark = pytest.mark.skip("the i18n tooling checks run on Linux and macOS")
