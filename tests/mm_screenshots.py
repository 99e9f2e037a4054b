"""Screenshots of the model manager, for looking at it (not a test; run it explicitly):

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/mm_screenshots.py -q -s

PNG files go to ``$MM_SHOTS`` (default /tmp/mm_shots): the catalogue in English and in German, light
and dark, with a download running, the installed tab and the 671B model's remote route.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hub_server import HubServer
from mm_catalogue import GIANT_ID, SMALL_FILE, SMALL_ID, SMALL_REPO, write_catalogue

from deepseek_desktop.ui.model_manager.download_job import JobState

OUT = Path(os.environ.get("MM_SHOTS", "/tmp/mm_shots"))


@pytest.fixture
def hub():
    server = HubServer().start()
    yield server
    server.stop()


def test_screenshots(make_gui, hub, gemma_path, tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    hub.add_repo(SMALL_REPO, {SMALL_FILE: gemma_path})
    catalogue = write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size)
    gui = make_gui()
    mm = gui.window.open_model_manager(catalogue_file=catalogue, endpoint=hub.url)
    gui.wait(lambda: mm.sizes_checked and mm.local is not None)

    def shot(name: str) -> None:
        gui.qtbot.wait(200)
        mm.grab().save(str(OUT / f"{name}.png"))

    shot("catalogue_en")
    hub.behaviour.throttle = 20_000_000
    mm.start_download(f"{SMALL_ID}:Q4_K_M")
    gui.wait(lambda: mm.jobs and next(iter(mm.jobs.values())).state is JobState.DOWNLOAD
             and next(iter(mm.jobs.values())).progress is not None
             and next(iter(mm.jobs.values())).progress.done > 20_000_000)
    shot("downloading_en")
    gui.services.language.apply("de")
    shot("downloading_de")
    gui.services.language.apply("en")
    mm.download_center.stop()
    gui.wait(lambda: next(iter(mm.jobs.values())).state is JobState.PAUSED)
    shot("paused_en")
    mm.catalogue.set_fits_only(False)
    mm.catalogue.select_model(GIANT_ID)
    shot("giant_en")
    mm.tabs.setCurrentWidget(mm.installed)
    shot("installed_empty_en")
    gui.run(mm.importer.import_path(gemma_path))
    from conftest import make_gguf

    mm.refresh_local()
    (tmp_path / "other").mkdir()
    gui.run(mm.importer.import_path(make_gguf(tmp_path / "other" / "tiny-test-model.gguf"), copy=True))
    mm.refresh_local()
    gui.wait(lambda: len(mm.installed.buttons) == 2)
    shot("installed_en")
    gui.services.language.apply("de")
    shot("installed_de")
    gui.services.language.apply("en")
    mm.tabs.setCurrentIndex(0)
    gui.services.language.apply("de")
    shot("giant_de")
    gui.settings.set("general.theme", "dark")
    shot("giant_de_dark")
    gui.services.language.apply("en")
    mm.catalogue.set_fits_only(True)
    shot("catalogue_en_dark")
    gui.settings.set("general.theme", "light")


def test_screenshot_of_the_real_catalogue(make_gui, hub):
    """The shipped catalogue (16 models) on this computer."""
    OUT.mkdir(parents=True, exist_ok=True)
    gui = make_gui()
    mm = gui.window.open_model_manager(endpoint=hub.url)
    gui.wait(lambda: mm.sizes_checked and mm.local is not None)
    gui.qtbot.wait(200)
    mm.grab().save(str(OUT / "real_catalogue_fits.png"))
    mm.catalogue.set_fits_only(False)
    gui.qtbot.wait(200)
    mm.grab().save(str(OUT / "real_catalogue_all.png"))
