"""What a screen reader finds: the accessibility tree of the main window, the model manager and the
settings, walked through Qt's accessibility interfaces in English and in German. Every control a user
can operate has a name, and in German no name is still the English text of a translated string.
A finished reply is announced once, not token by token."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hub_server import HubServer
from mm_catalogue import SMALL_FILE, SMALL_ID, SMALL_REPO, write_catalogue
from PySide6.QtGui import QAccessible

from deepseek_desktop.ui.accessibility import ANNOUNCEMENTS, INTERACTIVE_ROLES, LAST_ANNOUNCEMENT, walk

ROOT = Path(__file__).resolve().parent.parent
DE_TS = ROOT / "i18n" / "deepseek_desktop_de.ts"


def translated_sources() -> set[str]:
    """English texts that have a German translation different from them (as a name would read them)."""
    out = set()
    for message in ET.parse(DE_TS).getroot().iter("message"):
        source, translation = message.findtext("source") or "", message.find("translation")
        texts = (
            [translation.text or ""]
            if translation is not None and translation.text
            else [n.text or "" for n in (translation.iter("numerusform") if translation is not None else [])]
        )
        if texts and all(t and t != source for t in texts):
            out.add(source.replace("&", ""))
    return out


@pytest.fixture
def hub(gemma_path):
    server = HubServer().start()
    server.add_repo(SMALL_REPO, {SMALL_FILE: gemma_path})
    yield server
    server.stop()


def problems(widget, language: str, english: set[str]) -> list[str]:
    found = []
    for node in walk(widget):
        if node.role not in INTERACTIVE_ROLES:
            continue
        name = node.name.strip()
        if not name:
            found.append(f"no name: {node.path}")
        elif language == "de" and name in english:
            found.append(f"English in German: {node.path}")
    return found


def controls(widget) -> int:
    return sum(1 for node in walk(widget) if node.role in INTERACTIVE_ROLES)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_control_has_a_name_in_the_windows_language(make_gui, hub, tmp_path, gemma_path, language):
    gui = make_gui(words_per_second=1000, settings_values={"general.language": language})
    try:
        w = gui.window
        w.composer.sendRequested.emit("Explain quantisation")
        gui.wait(lambda: len(w.chat_view.widgets) == 2 and not w.session.busy)
        reply = w.chat_view.widgets[1]
        english = translated_sources()
        assert len(english) > 300  # the German file was read

        assert controls(w) > 10, [n.path for n in walk(w)]
        assert problems(w, language, english) == []
        roles = {n.role for n in walk(w)}
        assert {QAccessible.Role.EditableText, QAccessible.Role.ComboBox, QAccessible.Role.PushButton} <= roles
        names = {n.name for n in walk(w)}
        assert ("Message" if language == "en" else "Nachricht") in names
        # The model switcher: on Linux a combo box is named by its value, elsewhere by its own name.
        assert w.picker.combo.accessibleName() == ("Model" if language == "en" else "Modell")
        assert w.picker.combo.currentText() in names
        if reply.has_thinking:
            assert reply.thinking.toggle.accessibleDescription()

        settings = w.open_settings()
        for page in range(settings.pages.count()):
            settings.pages.setCurrentRow(page)
            assert problems(settings, language, english) == [], f"settings page {page}"
        settings.close()

        mm = w.open_model_manager(
            catalogue_file=write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size), endpoint=hub.url
        )
        gui.wait(lambda: mm.sizes_checked and mm.local is not None)
        mm.catalogue.select_model(SMALL_ID)
        for tab in range(mm.tabs.count()):
            mm.tabs.setCurrentIndex(tab)
            assert controls(mm) > 3
            assert problems(mm, language, english) == [], f"model manager tab {tab}"
        mm.close()
    finally:
        gui.services.language.apply("en")  # the QApplication outlives this test


def test_a_finished_reply_is_announced_once_not_token_by_token(make_gui):
    gui = make_gui(words_per_second=60)
    w = gui.window
    w.composer.sendRequested.emit("Tell me about Apple Silicon")
    gui.wait(lambda: len(w.chat_view.widgets) == 2 and len(w.chat_view.widgets[1].text) > 40)
    reply = w.chat_view.widgets[1]
    assert reply.property(ANNOUNCEMENTS) is None  # many tokens in, nothing said yet
    gui.wait(lambda: not w.session.busy)
    assert reply.property(ANNOUNCEMENTS) == 1
    said = reply.property(LAST_ANNOUNCEMENT)
    assert said.startswith("Reply finished.") and reply.item.content[:40] in said


def test_a_stopped_reply_is_announced_as_stopped(make_gui):
    gui = make_gui(words_per_second=8)
    w = gui.window
    w.composer.sendRequested.emit("Explain quantisation")
    gui.wait(lambda: len(w.chat_view.widgets) == 2 and w.chat_view.widgets[1].text)
    w.session.stop()
    gui.wait(lambda: not w.session.busy)
    reply = w.chat_view.widgets[1]
    assert reply.property(ANNOUNCEMENTS) == 1
    assert reply.property(LAST_ANNOUNCEMENT).startswith("Reply stopped.")
