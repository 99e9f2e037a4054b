"""The model manager names each model's purpose in the user's language: with the German UI the catalogue
list and the details say "Schlussfolgern", "Chat", "Code"."""

from __future__ import annotations

import pytest
from hub_server import HubServer
from mm_catalogue import GIANT_ID, SMALL_FILE, SMALL_ID, SMALL_REPO, write_catalogue

from deepseek_desktop.ui.model_manager.catalogue_view import ModelListEntry
from deepseek_desktop.ui.model_manager.detail import purpose_text


@pytest.fixture
def hub(gemma_path):
    server = HubServer().start()
    server.add_repo(SMALL_REPO, {SMALL_FILE: gemma_path})
    yield server
    server.stop()


def switch_language(gui, language: str) -> None:
    gui.settings.set("general.language", language)
    ready = "Senden" if language == "de" else "Send"
    gui.wait(lambda: gui.window.composer.button.text() == ready, 5)


def entry_facts(mm, model_id: str) -> str:
    entry = mm.catalogue.model_list.itemWidget(mm.catalogue.item_for(model_id))
    assert isinstance(entry, ModelListEntry)
    return entry.facts.text()


def test_purposes_are_german_in_the_german_ui(make_gui, hub, gemma_path, tmp_path):
    gui = make_gui(start=False)
    catalogue = write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size)
    mm = gui.window.open_model_manager(catalogue_file=catalogue, endpoint=hub.url)
    gui.wait(lambda: mm.sizes_checked and mm.local is not None)
    mm.catalogue.set_fits_only(False)
    assert "Reasoning" in entry_facts(mm, GIANT_ID) and "Chat" in entry_facts(mm, SMALL_ID)
    switch_language(gui, "de")
    try:
        assert [purpose_text(p) for p in ("reasoning", "chat", "code")] == ["Schlussfolgern", "Chat", "Code"]
        gui.wait(lambda: "Schlussfolgern" in entry_facts(mm, GIANT_ID), 5)
        assert "Reasoning" not in entry_facts(mm, GIANT_ID)
        assert "Chat" in entry_facts(mm, SMALL_ID)
        mm.catalogue.select_model(GIANT_ID)
        gui.wait(lambda: mm.catalogue.detail.purpose.text() == "Schlussfolgern", 5)
    finally:
        switch_language(gui, "en")
    gui.wait(lambda: "Reasoning" in entry_facts(mm, GIANT_ID), 5)


def test_german_sizes_times_licences_and_the_simulators_words(make_gui):
    from deepseek_desktop.engines.simulator import load_topics
    from deepseek_desktop.ui.fit_text import elapsed_text, size_text
    from deepseek_desktop.ui.model_manager.detail import licence_text

    gui = make_gui(start=False)
    switch_language(gui, "de")
    try:
        assert size_text(750_000_000) == "750 MB" and size_text(1_120_000_000) == "1,1 GB"  # no "750,0 MB"
        assert elapsed_text(22_328) == "22,3 s" and elapsed_text(850) == "850 ms"  # not "22328 ms"
        assert licence_text("DeepSeek Model License (commercial use allowed)") == (
            "DeepSeek Model License (kommerzielle Nutzung erlaubt)")
        assert licence_text("MIT (base model Qwen2.5: Apache-2.0)") == "MIT (Basismodell Qwen2.5: Apache-2.0)"
        assert licence_text("MIT") == "MIT"
        # the simulator names purposes as the catalogue does
        assert load_topics()["machine_advice"]["reasoning"]["de"] == f"Für {purpose_text('reasoning')}"
        assert gui.window.sidebar.new_button.text() == "Neue Unterhaltung"
    finally:
        switch_language(gui, "en")
    assert size_text(750_000_000) == "750 MB" and elapsed_text(22_328) == "22.3 s"
