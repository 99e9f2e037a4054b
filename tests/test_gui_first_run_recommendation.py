"""The first-run banner recommends what the model manager recommends: the same catalogue with the Hub
sizes the app cached, judged with the same settings."""

from __future__ import annotations

import json

from deepseek_desktop.core.paths import AppPaths
from deepseek_desktop.models.catalogue.catalogue import hub_cache_file, load_catalogue


def test_the_banner_uses_the_hub_sizes_the_model_manager_uses(make_gui):
    # The Hub said every download is far larger than the catalogue thought: nothing fits any computer.
    catalogue, huge = load_catalogue(), 10**15
    listings = {}
    for m in catalogue.models:
        listings[m.gguf_repo] = {"files": [{"name": f, "size": huge} for q in m.gguf.values() for f in q.files]}
        for r in m.mlx:
            listings[r.repo] = {"files": [{"name": "model.safetensors", "size": huge}]}
    cache = hub_cache_file(AppPaths.default().ensure())
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(listings), encoding="utf-8")

    gui = make_gui(words_per_second=0)
    gui.wait(lambda: gui.window.banner.isVisible())
    assert "none of the catalogue fits" in gui.window.banner.label.text()


def test_the_banner_names_the_model_managers_pick(make_gui):
    from deepseek_desktop.engine_host.device_query import probe_here
    from deepseek_desktop.models.catalogue.state import assess_with_settings

    gui = make_gui(words_per_second=0, settings_values={"llamacpp.kv_cache_type": "q4_0",
                                                        "generation.context_length": 32768})
    gui.wait(lambda: gui.window.banner.isVisible())
    best = assess_with_settings(gui.paths, gui.settings, probe_here()).recommendation.best
    assert best is not None and f"{best.model.name} ({best.quant}," in gui.window.banner.label.text()
    # how useful it is here, and the wait for a typical answer
    from deepseek_desktop.ui.fit_text import level_text, wait_text

    text = gui.window.banner.label.text()
    assert f"{level_text(best.level.value)}: ~" in text and wait_text(best.speed) in text
    assert best.level.value in ("fast", "usable", "slow") and "tokens/s" in text


def test_a_live_language_switch_rewrites_the_offer_and_the_model_label(make_gui):
    gui = make_gui(words_per_second=0)
    window = gui.window
    gui.wait(lambda: window.banner.isVisible() and "Recommended for this computer" in window.banner.label.text())
    assert window.status.label.text() == "Ready: Simulator (no model)"
    gui.settings.set("general.language", "de")
    try:
        gui.wait(lambda: "Empfohlen für diesen Rechner" in window.banner.label.text())
        assert window.banner.action.text().startswith("Herunterladen (")
        assert window.status.label.text() == "Bereit: Simulator (kein Modell)"
    finally:
        gui.settings.set("general.language", "en")


def test_a_quick_first_try_beside_a_long_download(make_gui):
    from deepseek_desktop.engine_host.device_query import probe_here
    from deepseek_desktop.models.catalogue.state import assess_with_settings
    from deepseek_desktop.ui.fit_text import size_text

    gui = make_gui(words_per_second=0)
    banner = gui.window.banner
    gui.wait(lambda: banner.isVisible() and banner.action.isVisible())
    hw = probe_here(gui.settings.get("llamacpp.device"), gui.paths.cache_dir)  # as the window asks
    rec = assess_with_settings(gui.paths, gui.settings, hw).recommendation
    assert banner.action.text() == f"Download ({size_text(rec.best.size_bytes)})"
    if rec.quick is None:  # a computer whose best pick is a small download already
        assert not banner.other_action.isVisible()
        return
    quick = rec.quick
    assert quick.size_bytes <= rec.best.size_bytes / 2
    assert f"For a quick first try: {quick.model.name} ({size_text(quick.size_bytes)})" in banner.label.text()
    assert banner.other_action.isVisible()
    assert banner.other_action.text() == f"Quick try ({size_text(quick.size_bytes)})"
    asked = []
    gui.window.importer.downloadRequested.disconnect()
    gui.window.importer.downloadRequested.connect(asked.append)
    banner.other_action.click()
    assert asked == [quick.spec] and banner.isVisible(), "the offer stays until a model is installed"
