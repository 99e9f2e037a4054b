"""The launch planner window: opened from the model manager for a model too big here, the hardware form
and presets, the plan per engine with Copy buttons per node, and Connect against a real OpenAI-compatible
server on 127.0.0.1 (the key in the keyring, GET /v1/models, the chat switched to it). Offscreen Qt."""

from __future__ import annotations

import json

import keyring
import pytest
from hub_server import HubServer
from mm_catalogue import GIANT_ID, SMALL_FILE, SMALL_REPO, write_catalogue
from openai_file_keyring import JsonFileKeyring
from openai_scripted_server import ScriptedOpenAIServer
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from deepseek_desktop.core.settings.schema import GROUPS
from deepseek_desktop.models.catalogue.catalogue import load_catalogue

KEY = "sk-cluster-5e0c1f77a2b94d38"


@pytest.fixture
def file_keyring(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPSEEK_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    before = keyring.get_keyring()
    keyring.set_keyring(JsonFileKeyring())
    yield tmp_path / "keyring.json"
    keyring.set_keyring(before)


def click(gui, widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.text()
    gui.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose(combo, data) -> None:
    """Pick an entry as the user does (the dialog listens to ``activated``)."""
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def planned(gui, planner, devices: int | None = None, **verdicts) -> None:
    """Wait for the plans of the current inputs (``devices``: llama.cpp's device count tells them apart)."""
    gui.wait(lambda: planner.plans and all(planner.plans[e].verdict == v for e, v in verdicts.items())
             and (devices is None or planner.plans["llamacpp"].devices == devices))


def test_too_big_leads_to_the_planner_and_its_api_button_to_the_server_settings(make_gui, gemma_path, tmp_path):
    hub = HubServer().start()
    hub.add_repo(SMALL_REPO, {SMALL_FILE: gemma_path})
    try:
        gui = make_gui()
        catalogue_file = write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size)
        mm = gui.window.open_model_manager(catalogue_file=catalogue_file, endpoint=hub.url)
        gui.wait(lambda: mm.catalogue_state is not None and mm.recommendation.remote_button.isVisible())
        click(gui, mm.recommendation.remote_button)  # the card's "too big" line
        planner = gui.window.windows.launch_planner
        gui.wait(planner.isVisible)
        assert planner.model_box.currentData() == GIANT_ID
        gui.wait(lambda: bool(planner.plans))
        planner.close()
        click(gui, planner_api_path(gui, mm))
        settings_dialog = gui.window.windows.settings_dialog
        gui.wait(settings_dialog.isVisible)
        assert settings_dialog.pages.currentRow() == [g.name for g in GROUPS].index("remote")
        settings_dialog.close()
        mm.close()
    finally:
        hub.stop()


def planner_api_path(gui, mm):
    """The model's own "Set up a remote server…" opens the planner; its API button is the way to the API."""
    mm.catalogue.set_fits_only(False)
    mm.catalogue.select_model(GIANT_ID)
    click(gui, mm.catalogue.detail.remote_button)
    planner = gui.window.windows.launch_planner
    gui.wait(planner.isVisible)
    assert planner.model_box.currentData() == GIANT_ID
    return planner.api_button


def test_presets_plans_copy_buttons_and_what_would_fit(make_gui):
    gui = make_gui()
    planner = gui.window.open_launch_planner(load_catalogue(), "deepseek-v3")
    gui.wait(lambda: planner.preset_box.count() > 1)
    choose(planner.preset_box, "2x8-h100-80gb")
    planner.hosts.setText("10.0.0.1, 10.0.0.2")
    planner.hosts.editingFinished.emit()
    gui.wait(lambda: planner.plans and planner.plans["sglang"].nodes
             and planner.plans["sglang"].nodes[0]["host"] == "10.0.0.1")
    planned(gui, planner, sglang="fits", vllm="fits", llamacpp="fits")
    view = planner.views["sglang"]
    planner.tabs.setCurrentIndex(0)
    node_boxes = [b for b in view.boxes if "10.0.0." in b.heading.text()]
    assert [b.heading.text() for b in node_boxes] == ["10.0.0.1 (head)", "10.0.0.2 (worker)"]
    click(gui, node_boxes[1].copy_button)
    copied = QApplication.clipboard().text()
    assert copied.startswith("python3 -m sglang.launch_server ") and "--node-rank 1" in copied
    assert "--dist-init-addr 10.0.0.1:5000" in copied and "--tp-size 16" in copied
    assert copied.endswith('--api-key "$LAUNCH_API_KEY"')
    assert any(b.heading.text().startswith("Make the API key") for b in view.boxes)
    assert "private network only" in view.details.text()
    assert planner.base_url.text() == "http://10.0.0.1:30000/v1" and planner.model_name.text() == "deepseek-v3"
    planner.tabs.setCurrentIndex(1)
    assert planner.base_url.text() == "http://10.0.0.1:8000/v1"

    # Two RTX 4090: nothing fits; each engine says what would.
    choose(planner.preset_box, "2x-rtx-4090")
    planned(gui, planner, sglang="no_fit", vllm="no_fit", llamacpp="no_fit")
    for e in ("sglang", "vllm", "llamacpp"):
        text = planner.views[e].details.text()
        assert "It would fit with" in text and "DeepSeek's API (model deepseek-chat)" in text, text
        assert not planner.views[e].boxes, "no commands for a plan that does not fit"
    # Four A100 for Q3_K_M at 32K: these GGUFs cache every head (no MLA latent), so no smaller quantisation
    # fits either; more GPUs would. They have no FP8.
    choose(planner.preset_box, "4x-a100-80gb")
    choose(planner.precision_box, "Q3_K_M")
    planned(gui, planner, devices=4, llamacpp="no_fit")
    assert planner.plans["llamacpp"].precision == "Q3_K_M"
    details = planner.views["llamacpp"].details.text()
    assert "predate llama.cpp's MLA cache" in details and "6 GPUs (1 × 6)" in details
    choose(planner.precision_box, "FP8")
    planned(gui, planner, devices=4, sglang="unsupported")
    assert "no FP8" in planner.views["sglang"].details.text()
    assert "the BF16 weights" in planner.views["sglang"].details.text()
    # One RTX 4090 and 256 GB of RAM: the experts stay in RAM.
    choose(planner.preset_box, "rtx-4090-256gb-ram")
    choose(planner.precision_box, "")
    assert planner.ram.value() == 256
    planner.ctx.setValue(4096)
    planned(gui, planner, devices=1, llamacpp_experts="fits")
    experts = planner.views["llamacpp_experts"]
    assert any('--override-tensor ".ffn_.*_exps.=CPU"' in b.text.toPlainText() for b in experts.boxes)
    assert "system RAM" in experts.details.text()
    # Apple: only llama.cpp runs there.
    choose(planner.preset_box, "2x-mac-studio-192gb")
    choose(planner.precision_box, "")
    planned(gui, planner, devices=2, sglang="unsupported", vllm="unsupported", llamacpp="fits")
    assert planner.tabs.currentIndex() == 2, "the dialog shows an engine whose plan fits"
    planner.close()


def test_connect_stores_the_key_tests_the_server_and_switches_the_chat(make_gui, file_keyring):
    gui = make_gui()
    planner = gui.window.open_launch_planner(load_catalogue(), "deepseek-v3")
    gui.wait(lambda: bool(planner.plans))
    with ScriptedOpenAIServer(api_key=KEY) as server:
        planner.endpoint_name.setText("Lab cluster")
        planner.base_url.setText(server.url)
        planner.model_name.setText("deepseek-chat")
        planner.api_key.setText("sk-wrong")
        click(gui, planner.connect_button)
        gui.wait(lambda: planner.connect_button.isEnabled() and "Testing" not in planner.status.text())
        assert "key" in planner.status.text().lower(), planner.status.text()

        planner.api_key.setText(KEY)
        click(gui, planner.connect_button)
        gui.wait(lambda: planner.status.text().startswith("Connected"), timeout=60)
        assert "deepseek-chat" in planner.status.text()
        current = gui.window.engine.current
        assert current.engine == "remote" and current.base_url == server.url and current.endpoint == "Lab cluster"
        gui.wait(lambda: gui.window.engine.state == "ready")
        endpoints = gui.settings.get("remote.endpoints")
        assert [ep for ep in endpoints if ep["name"] == "Lab cluster"] == [
            {"name": "Lab cluster", "base_url": server.url, "model": "deepseek-chat"}]
        assert json.loads(file_keyring.read_text())["DeepSeek Desktop\nLab cluster"] == KEY
        assert planner.api_key.text() == "", "the key is not kept in the form"
        assert any(r["method"] == "GET" and r["path"] == "/v1/models" for r in server.requests)
    planner.close()


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("size", [(980, 720), (800, 600)])
def test_planner_screenshots_nothing_clipped(make_gui, lang, size, tmp_path):
    gui = make_gui()
    gui.services.language.apply(lang)
    planner = gui.window.open_launch_planner(load_catalogue(), "deepseek-r1")
    gui.wait(lambda: planner.preset_box.count() > 1)
    choose(planner.preset_box, "2x8-h100-80gb")
    planned(gui, planner, sglang="fits")
    planner.resize(*size)
    planner.tabs.setCurrentIndex(0)
    gui.qtbot.wait(50)
    out = tmp_path / f"launch-planner-{lang}-{size[0]}x{size[1]}.png"
    if lang == "de":
        assert planner.connect_button.text() != "Connect" and planner.windowTitle() != "Run on your own GPUs"
    assert planner.grab().save(str(out))
    for button in (planner.connect_button, planner.api_button):
        assert button.width() >= button.sizeHint().width(), button.text()
    # The llama.cpp plan (worker and head commands), and a setup where nothing fits.
    planner.tabs.setCurrentIndex(2)
    gui.qtbot.wait(50)
    assert planner.grab().save(str(tmp_path / f"launch-planner-llamacpp-{lang}-{size[0]}x{size[1]}.png"))
    choose(planner.preset_box, "2x-rtx-4090")
    planned(gui, planner, devices=2, sglang="no_fit", vllm="no_fit", llamacpp="no_fit")
    gui.qtbot.wait(50)
    assert planner.grab().save(str(tmp_path / f"launch-planner-nofit-{lang}-{size[0]}x{size[1]}.png"))
    planner.close()
    gui.services.language.apply("en")
