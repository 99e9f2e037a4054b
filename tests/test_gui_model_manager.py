"""The model manager window driven like a user would: the real app window and engine host, a real
HTTP server answering as the Hugging Face Hub and serving the real Gemma GGUF, real files on disk,
real drops of file URLs. Offscreen Qt."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import make_gguf
from hub_server import HubServer
from mm_catalogue import GIANT_ID, LARGE_ID, SMALL_FILE, SMALL_ID, SMALL_REPO, SMALL_SPEC, write_catalogue
from PySide6.QtCore import QLocale, QMimeData, QPointF, Qt, QTranslator, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from deepseek_desktop.core.settings.schema import GROUPS
from deepseek_desktop.models.downloads.download import STAGING
from deepseek_desktop.models.local.registry import ModelRegistry
from deepseek_desktop.models.ramdisk import ramdisk_available
from deepseek_desktop.ui.fit_text import level_text, size_text, verdict_text
from deepseek_desktop.ui.model_manager.download_job import JobState
from deepseek_desktop.ui.model_manager.window import ModelManagerWindow

UI = Path(__file__).resolve().parent.parent / "deepseek_desktop" / "ui"
# The manager's own modules, the words for sizes, speeds and fits that it shares with the toolbar, and the
# vocabulary that marks the verdicts' and levels' labels.
MANAGER_MODULES = [*sorted(p for p in (UI / "model_manager").glob("*.py") if p.name != "__init__.py"),
                   UI / "fit_text.py", UI.parent / "core" / "vocabulary.py"]


@pytest.fixture
def hub(gemma_path):
    server = HubServer().start()
    server.add_repo(SMALL_REPO, {SMALL_FILE: gemma_path})
    yield server
    server.stop()


@pytest.fixture
def catalogue_file(tmp_path, gemma_path) -> Path:
    return write_catalogue(tmp_path / "catalogue.json", gemma_path.stat().st_size)


def open_manager(gui, catalogue_file, hub) -> ModelManagerWindow:
    mm = gui.window.open_model_manager(catalogue_file=catalogue_file, endpoint=hub.url)
    gui.wait(lambda: mm.sizes_checked and mm.local is not None)
    return mm


def registry(gui) -> ModelRegistry:
    return ModelRegistry(gui.paths.registry_file, gui.paths.default_models_dir)


def toolbar_labels(gui) -> list[str]:
    combo = gui.window.picker.combo
    return [combo.itemText(i) for i in range(combo.count())]


def click(gui, widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.text()
    gui.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def part_file(gui) -> Path:
    return gui.paths.default_models_dir / STAGING / SMALL_REPO / f"{SMALL_FILE}.part"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            h.update(block)
    return h.hexdigest()


def drop(gui, mm, path: Path) -> bool:
    """A real drag-enter and drop of a file URL onto the window; returns whether the drag was taken."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = mm.rect().center()
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(mm, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(mm, event)
    return event.isAccepted()


def test_catalogue_with_fit_badges_recommendation_filter_and_remote_route(make_gui, hub, catalogue_file,
                                                                          gemma_path):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    state = mm.catalogue_state
    assert state.hub_sizes, "the sizes were refreshed from the (local) Hub"
    small = state.candidate(SMALL_SPEC)
    assert small.size_bytes == gemma_path.stat().st_size
    # the recommendation on top: the small model, with its verdict and one click to download it
    assert state.recommendation.best.spec == SMALL_SPEC
    card = mm.recommendation
    assert "Test Gemma 270M" in card.label.text() and "Q4_K_M" in card.label.text()
    assert size_text(small.size_bytes) in card.label.text()
    # the badge says how useful it is here (a 270M model is fast anywhere), with the expected wait beside it
    assert small.level.value == "fast" and card.badge.text() == level_text("fast") == "Fast"
    assert card.download_button.text() == "Download"
    assert "tokens/s" in card.label.text() and "for 300 tokens" in card.label.text(), "a chat model's wait"
    assert verdict_text(small.fit.verdict) in card.badge.toolTip(), "where it runs is on hover"
    # a badge per download, and the figures behind it on hover
    catalogue = mm.catalogue
    catalogue.select_model(SMALL_ID)
    assert catalogue.model_list.itemWidget(catalogue.item_for(SMALL_ID)).badge.text() == "Fast", "the list too"
    assert catalogue.model_list.itemWidget(catalogue.item_for(GIANT_ID)).badge.text() == "Does not fit"
    row = catalogue.detail.rows[SMALL_SPEC]
    assert row.badge.text() == "Fast"
    assert row.speed.text().startswith("~") and "about " in row.speed.text() and "for 300 tokens" in row.speed.text()
    tip = row.badge.toolTip()
    e = small.fit.estimate
    for figure in (size_text(e.weights_bytes), size_text(e.kv_cache_bytes), size_text(e.total_bytes),
                   QLocale().toString(e.n_ctx), size_text(state.hw.ram_available_bytes)):
        assert figure in tip
    assert e.n_ctx == gui.settings.get("generation.context_length")
    assert row.size.text() == size_text(small.size_bytes) and row.button.text() == "Download"
    assert row.tag.text() == "Recommended"
    # "fits this computer" hides what does not fit; "all models" shows everything
    runs = {m.id for m in state.catalogue.models if state.runs(m.id)}
    assert SMALL_ID in runs and GIANT_ID not in runs
    assert catalogue.fits_only and set(catalogue.visible_model_ids()) == runs
    click(gui, catalogue.all_button)
    assert catalogue.visible_model_ids() == [SMALL_ID, LARGE_ID, GIANT_ID]  # by size
    # the 671B model: too big here, so the remote route is offered instead of a download
    item = catalogue.item_for(GIANT_ID)
    list_view = catalogue.model_list
    gui.qtbot.mouseClick(list_view.viewport(), Qt.MouseButton.LeftButton,
                         pos=list_view.visualItemRect(item).center())
    detail = catalogue.detail
    assert detail.model.id == GIANT_ID
    assert all(r.badge.text() == "Does not fit" and r.speed.text() == "" for r in detail.rows.values())
    assert all("Too big for this computer" in r.badge.toolTip() for r in detail.rows.values())
    assert all(r.badge.isVisible() for r in detail.rows.values()), "all models: its downloads are listed"
    assert detail.remote.isVisible() and "deepseek-reasoner" in detail.remote_text.text()
    assert "Test DeepSeek-R1" in card.remote_label.text()
    click(gui, detail.remote_button)  # the launch planner for this model; DeepSeek's API from there
    planner = gui.window.windows.launch_planner
    gui.wait(planner.isVisible)
    assert planner.model_box.currentData() == GIANT_ID
    click(gui, planner.api_button)
    settings_dialog = gui.window.windows.settings_dialog
    gui.wait(settings_dialog.isVisible)
    remote_page = [g.name for g in GROUPS].index("remote")
    assert settings_dialog.pages.currentRow() == remote_page
    settings_dialog.close()
    planner.close()
    click(gui, catalogue.fits_button)
    assert GIANT_ID not in catalogue.visible_model_ids() and detail.model.id != GIANT_ID
    # the search narrows the list
    click(gui, catalogue.all_button)
    gui.qtbot.keyClicks(catalogue.search, "llama")
    assert catalogue.visible_model_ids() == [LARGE_ID]
    # "Details" on the recommendation brings its model back into view
    click(gui, card.show_button)
    assert catalogue.current_model_id() == SMALL_ID and catalogue.search.text() == ""


def test_download_with_progress_installs_the_model_and_lists_it_in_the_toolbar(make_gui, hub, catalogue_file,
                                                                               gemma_path):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    hub.behaviour.throttle = 40_000_000  # a few seconds, so the progress can be watched
    mm.catalogue.select_model(SMALL_ID)
    click(gui, mm.catalogue.detail.rows[SMALL_SPEC].button)
    gui.wait(lambda: SMALL_SPEC in mm.downloads.rows)
    row = mm.downloads.rows[SMALL_SPEC]
    job = row.job
    assert mm.downloads.isVisible() and row.cancel_button.isVisible() and not row.resume_button.isVisible()
    gui.wait(lambda: job.state is JobState.DOWNLOAD and "left" in row.status.text())
    assert 0 < row.bar.value() < 1000
    text = row.status.text()
    assert f"of {size_text(gemma_path.stat().st_size)}" in text and "/s" in text
    detail_button = mm.catalogue.detail.rows[SMALL_SPEC].button
    assert detail_button.text() == "Downloading…" and not detail_button.isEnabled()
    assert mm.recommendation.download_button.text() == "Downloading…"
    # closing the manager keeps the download going; its end is announced in the main window
    mm.close()
    hub.behaviour.throttle = None
    gui.wait(lambda: job.state is JobState.DONE, 120)
    gui.wait(lambda: gui.window.notices.isVisible() and "Downloaded" in gui.window.notices.label.text())
    assert gui.window.open_model_manager() is mm
    assert row.bar.value() == 1000 and row.status.text().startswith("Installed")
    assert row.dismiss_button.isVisible() and not row.cancel_button.isVisible()
    target = gui.paths.default_models_dir / SMALL_REPO / SMALL_FILE
    assert sha256(target) == hub.hashes(SMALL_REPO, SMALL_FILE)[0]
    assert [m.name for m in registry(gui).list()] == [SMALL_SPEC]
    assert not (gui.paths.default_models_dir / STAGING).exists()
    # shown as installed everywhere, and the toolbar offers it
    gui.wait(lambda: SMALL_SPEC in toolbar_labels(gui))
    gui.wait(lambda: mm.installed.buttons.get(SMALL_SPEC) is not None)
    assert mm.installed.buttons[SMALL_SPEC].text() == "Delete…"
    assert mm.tabs.tabText(1) == "Installed (1)"
    assert detail_button.text() == "Installed" and not detail_button.isEnabled()
    assert mm.recommendation.download_button.text() == "Installed"
    click(gui, row.dismiss_button)
    assert SMALL_SPEC not in mm.downloads.rows and not mm.downloads.isVisible()


def test_cancel_keeps_a_partial_download_that_can_be_discarded(make_gui, hub, catalogue_file):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    hub.behaviour.throttle = 20_000_000
    mm.start_download(SMALL_SPEC)  # what the main window's first-run banner calls
    gui.wait(lambda: SMALL_SPEC in mm.downloads.rows)
    row = mm.downloads.rows[SMALL_SPEC]
    gui.wait(lambda: row.job.progress is not None and row.job.progress.done > 15_000_000)
    click(gui, row.cancel_button)
    gui.wait(lambda: row.job.state is JobState.PAUSED)
    kept = part_file(gui).stat().st_size
    assert 15_000_000 <= kept < row.job.total and row.job.partial == kept
    assert f"Paused: {size_text(kept)} of" in row.status.text()
    assert row.resume_button.isVisible() and row.discard_button.isVisible() and not row.cancel_button.isVisible()
    mm.catalogue.select_model(SMALL_ID)
    assert mm.catalogue.detail.rows[SMALL_SPEC].button.text() == "Resume"
    assert size_text(kept) in mm.catalogue.detail.rows[SMALL_SPEC].button.toolTip()
    assert registry(gui).list() == [], "nothing is installed before it is complete"
    click(gui, row.discard_button)
    gui.wait(lambda: SMALL_SPEC not in mm.downloads.rows)
    assert not part_file(gui).exists() and not (gui.paths.default_models_dir / STAGING).exists()
    gui.wait(lambda: mm.catalogue.detail.rows[SMALL_SPEC].button.text() == "Download")


def test_quitting_mid_download_keeps_the_partial_and_the_next_start_resumes_it(make_gui, hub, catalogue_file):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    hub.behaviour.throttle = 20_000_000
    mm.close()  # closing the manager does not stop a download
    mm.start_download(SMALL_SPEC)
    gui.wait(lambda: SMALL_SPEC in mm.jobs and mm.jobs[SMALL_SPEC].progress is not None
             and mm.jobs[SMALL_SPEC].progress.done > 10_000_000)
    job = mm.jobs[SMALL_SPEC]
    assert job.running and not mm.isVisible()
    gui.close()  # quit the app
    gui.wait(lambda: not job.running)
    gui.wait(lambda: not any(t.name.startswith("download ") for t in threading.enumerate()))
    assert job.state is JobState.PAUSED and registry(gui).list() == []
    kept = part_file(gui).stat().st_size
    assert kept >= 10_000_000

    again = make_gui()  # the app started again
    mm2 = open_manager(again, catalogue_file, hub)
    again.wait(lambda: SMALL_SPEC in mm2.downloads.rows)
    row = mm2.downloads.rows[SMALL_SPEC]
    assert row.job.state is JobState.PAUSED and row.job.partial == kept
    assert size_text(kept) in row.status.text() and row.resume_button.text() == "Resume"
    mm2.catalogue.select_model(SMALL_ID)
    assert mm2.catalogue.detail.rows[SMALL_SPEC].button.text() == "Resume"
    assert mm2.recommendation.download_button.text() == "Resume"
    hub.behaviour.throttle = None
    click(again, row.resume_button)
    again.wait(lambda: row.job.state is JobState.DONE, 120)
    assert hub.ranges()[-1] == f"bytes={kept}-", "the download continued where it stopped"
    target = again.paths.default_models_dir / SMALL_REPO / SMALL_FILE
    assert sha256(target) == hub.hashes(SMALL_REPO, SMALL_FILE)[0]
    again.wait(lambda: SMALL_SPEC in toolbar_labels(again))


def test_server_errors_give_one_clear_line(make_gui, hub, catalogue_file):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    hub.behaviour.refuse.add(SMALL_REPO)
    mm.catalogue.select_model(SMALL_ID)
    click(gui, mm.catalogue.detail.rows[SMALL_SPEC].button)
    gui.wait(lambda: SMALL_SPEC in mm.downloads.rows and mm.downloads.rows[SMALL_SPEC].job.state is JobState.FAILED)
    row = mm.downloads.rows[SMALL_SPEC]
    message = row.status.text()
    assert "refused access to test-org/gemma-GGUF" in message and "\n" not in message
    assert "Traceback" not in message and "HTTP" not in message and row.resume_button.text() == "Try again"
    # said once, in its row: not again in the notice, and no bar stuck at 0 % for a download that never began
    assert not (mm.notice.isVisible() and mm.notice.label.text() == message)
    assert not row.bar.isVisible()
    assert registry(gui).list() == []
    # some bytes arrive, then the connection breaks for good: they are kept, and Resume is offered
    hub.behaviour.refuse.clear()
    hub.behaviour.throttle = 20_000_000
    click(gui, row.resume_button)
    gui.wait(lambda: row.job.progress is not None and row.job.progress.done > 5_000_000)
    click(gui, row.cancel_button)
    gui.wait(lambda: row.job.state is JobState.PAUSED)
    hub.behaviour.throttle = None
    hub.behaviour.drop_after, hub.behaviour.drop_times = 0, 1000
    click(gui, row.resume_button)
    gui.wait(lambda: row.job.state is JobState.FAILED and "interrupted" in row.job.error, 120)
    assert "interrupted" in row.status.text() and row.bar.isVisible() and row.bar.value() > 0  # what is kept
    assert row.job.partial > 0 and row.resume_button.text() == "Resume" and row.discard_button.isVisible()
    assert size_text(row.job.partial) in row.status.text()


def test_models_folder_space_inodes_ram_disk_and_another_folder(make_gui, hub, catalogue_file, tmp_path):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    panel = mm.folder_panel
    space = mm.local.space
    assert panel.path_label.text() == str(gui.paths.default_models_dir)
    text = panel.free_label.text()
    assert size_text(space.free_bytes) in text and size_text(space.total_bytes) in text
    st = os.statvfs(gui.paths.default_models_dir.parent)
    assert space.free_inodes is not None and abs(space.free_inodes - st.f_favail) < 100_000
    assert f"{QLocale().toString(space.free_inodes)} file entries (inodes) free" in text
    # the RAM-disk switch, with its one-line explanation, stored in the settings
    available = bool(ramdisk_available()["available"])
    assert panel.ramdisk_box.isEnabled() == available and panel.ramdisk_note.text()
    if available:
        click(gui, panel.ramdisk_box)
        assert gui.settings.get("general.ram_disk") is True
    # a folder that cannot take files is refused with one line, and nothing changes
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert not gui.run(mm.set_models_folder(blocker / "models"))
    assert "cannot be written" in mm.notice.label.text() and gui.settings.get("general.models_folder") == ""
    # another folder, chosen in the folder dialog: the lists refresh, and a model found there can be added
    other = tmp_path / "other-models"
    other.mkdir()
    found = make_gguf(other / "found-model.gguf")
    click(gui, panel.change_button)
    dialog = mm.file_dialog
    gui.wait(dialog.isVisible)
    dialog.selectFile(str(other))
    dialog.accept()
    gui.wait(lambda: mm.local.folder == other)
    assert gui.settings.get("general.models_folder") == str(other)
    assert panel.path_label.text() == str(other)
    gui.wait(lambda: str(found) in mm.installed.buttons)
    add = mm.installed.buttons[str(found)]
    assert add.text() == "Add"
    mm.tabs.setCurrentWidget(mm.installed)
    click(gui, add)
    gui.wait(lambda: "found-model" in toolbar_labels(gui))
    assert [m.path for m in registry(gui).list()] == [str(found.resolve())]


def test_delete_only_inside_the_models_folder_and_forget_outside(make_gui, hub, catalogue_file, tmp_path):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    mm.tabs.setCurrentWidget(mm.installed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = make_gguf(elsewhere / "outside.gguf")
    copied_source = make_gguf(elsewhere / "copied.gguf", n_tensors=3)  # not the same bytes as outside.gguf
    # dropped with "copy into the models folder": the copy is inside, so it can be deleted
    click(gui, mm.installed.copy_box)
    assert drop(gui, mm, copied_source)
    gui.wait(lambda: "copied" in mm.installed.buttons)
    copy = gui.paths.default_models_dir / "copied.gguf"
    assert copy.is_file() and copied_source.is_file()
    # dropped without the copy: registered where it is, so it can only be forgotten
    click(gui, mm.installed.copy_box)
    assert drop(gui, mm, outside)
    gui.wait(lambda: "outside" in mm.installed.buttons)
    assert mm.installed.buttons["outside"].text() == "Forget"
    gui.wait(lambda: {"copied", "outside"} <= set(toolbar_labels(gui)))
    # delete asks first; Cancel keeps everything
    delete = mm.installed.buttons["copied"]
    assert delete.text() == "Delete…"
    click(gui, delete)
    box = mm.confirm_box
    gui.wait(box.isVisible)
    assert "copied" in box.text()
    click(gui, box.button(QMessageBox.StandardButton.Cancel))
    # forget leaves the file where it is. It runs on the same background threads as a delete and starts
    # after any delete Cancel could have started, so once it is done that delete has had its turn.
    click(gui, mm.installed.buttons["outside"])
    gui.wait(lambda: "outside" not in mm.installed.buttons)
    assert outside.exists() and "files are still at" in mm.notice.label.text()
    assert copy.exists() and [m.name for m in registry(gui).list()] == ["copied"]
    gui.wait(lambda: "outside" not in toolbar_labels(gui))
    click(gui, mm.installed.buttons["copied"])
    box = mm.confirm_box
    gui.wait(box.isVisible)
    confirm = next(b for b in box.buttons() if b.text() == "Delete")
    click(gui, confirm)
    gui.wait(lambda: "copied" not in mm.installed.buttons)
    assert not copy.exists() and copied_source.exists()
    assert registry(gui).list() == []
    gui.wait(lambda: "copied" not in toolbar_labels(gui))


def test_drop_a_valid_gguf_a_random_file_and_a_truncated_one(make_gui, hub, catalogue_file, gemma_path, bad_models,
                                                            tmp_path):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    for bad, words in ((bad_models["random"], "Not a GGUF model file"),
                       (bad_models["half"], "is incomplete: 127 MB of 253 MB are there")):
        assert drop(gui, mm, bad)
        gui.wait(lambda bad=bad, words=words: mm.notice.kind == "error" and words in mm.notice.label.text())
        assert bad.name in mm.notice.label.text() and "\n" not in mm.notice.label.text()
        assert registry(gui).list() == [], "nothing is imported"
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "readme.md").write_text("no weights here")
    assert drop(gui, mm, folder), "a folder may be an MLX model: it is taken and checked"
    gui.wait(lambda: "Not an MLX model folder" in mm.notice.label.text())
    assert registry(gui).list() == []
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    assert not drop(gui, mm, text_file), "only .gguf files and folders are taken"
    assert drop(gui, mm, gemma_path)
    gui.wait(lambda: registry(gui).list() != [])
    [entry] = registry(gui).list()
    assert entry.path == str(gemma_path.resolve()) and entry.format == "gguf"
    gui.wait(lambda: mm.notice.kind == "info" and "Imported" in mm.notice.label.text())
    gui.wait(lambda: entry.name in toolbar_labels(gui))
    assert mm.tabs.currentWidget() is mm.installed
    gui.wait(lambda: entry.name in mm.installed.buttons)
    assert mm.installed.buttons[entry.name].text() == "Forget", "registered in place, outside the folder"


def test_an_installed_model_without_a_chat_template_says_what_that_means(make_gui, hub, catalogue_file, gemma_path,
                                                                         tmp_path):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    own = make_gguf(tmp_path / "own-template.gguf", chat_template="{{ messages }}")
    for path in (gemma_path, own):
        assert drop(gui, mm, path)
    gui.wait(lambda: len(registry(gui).list()) == 2)
    gemma = next(m for m in registry(gui).list() if m.path == str(gemma_path.resolve()))
    note = ("No chat template in the model file: a generic gemma template is used, answers may be worse than "
            "with the model's own.")
    gui.wait(lambda: note in mm.installed.details(gemma.name))
    assert mm.installed.details(gemma.name).startswith(f"{gemma.name} (generic chat template)")
    gui.wait(lambda: mm.installed.details("own-template") != "")
    assert mm.installed.details("own-template") == "own-template\nown-template", "its own template: no note"


GERMAN = {
    "ModelManagerWindow": {"Models": "Modelle", "Catalogue": "Katalog"},
    "CatalogueView": {"Fits this computer": "Passt auf diesen Rechner", "All models": "Alle Modelle"},
    "ModelsFolderPanel": {"Models folder": "Modellordner", "Change…": "Ändern …"},
    "RecommendationCard": {"Recommended for this computer": "Empfohlen für diesen Rechner"},
    "QuantRow": {"Download": "Herunterladen"},
    "FitBadge": {"Fast": "Schnell", "Usable": "Brauchbar", "Slow": "Langsam"},
}


def german_translator(tmp_path) -> QTranslator:
    root = ET.Element("TS", version="2.1", language="de_DE")
    for context, messages in GERMAN.items():
        ctx = ET.SubElement(root, "context")
        ET.SubElement(ctx, "name").text = context
        for source, translation in messages.items():
            message = ET.SubElement(ctx, "message")
            ET.SubElement(message, "source").text = source
            ET.SubElement(message, "translation").text = translation
    ts, qm = tmp_path / "mm_de.ts", tmp_path / "mm_de.qm"
    ET.ElementTree(root).write(ts, encoding="utf-8", xml_declaration=True)
    subprocess.run([str(Path(sys.executable).with_name("pyside6-lrelease")), str(ts), "-qm", str(qm)],
                   check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    return translator


def test_live_language_switch_relabels_the_window(make_gui, hub, catalogue_file, tmp_path, qapp):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    mm.catalogue.select_model(SMALL_ID)
    row = mm.catalogue.detail.rows[SMALL_SPEC]
    english = row.badge.text()
    assert mm.windowTitle() == "Models" and mm.tabs.tabText(0) == "Catalogue"
    translator = german_translator(tmp_path)
    qapp.installTranslator(translator)
    try:
        gui.wait(lambda: mm.windowTitle() == "Modelle", 5)
        assert mm.tabs.tabText(0) == "Katalog"
        assert mm.catalogue.fits_button.text() == "Passt auf diesen Rechner"
        assert mm.catalogue.all_button.text() == "Alle Modelle"
        assert mm.folder_panel.heading.text() == "Modellordner"
        assert mm.folder_panel.change_button.text() == "Ändern …"
        assert mm.recommendation.heading.text() == "Empfohlen für diesen Rechner"
        assert row.button.text() == "Herunterladen"
        assert english == "Fast" and row.badge.text() == "Schnell"
    finally:
        qapp.removeTranslator(translator)
    gui.wait(lambda: mm.windowTitle() == "Models", 5)
    assert mm.catalogue.fits_button.text() == "Fits this computer" and row.button.text() == "Download"


def test_every_string_of_the_manager_is_found_by_lupdate(tmp_path):
    """Translatable strings only count if lupdate finds them, each in a named context."""
    ts = tmp_path / "mm.ts"
    subprocess.run([str(Path(sys.executable).with_name("pyside6-lupdate")), *[str(m) for m in MANAGER_MODULES],
                    "-ts", str(ts)], check=True, capture_output=True)
    found = {(c.findtext("name"), m.findtext("source"))
             for c in ET.parse(ts).getroot().iter("context") for m in c.iter("message")}
    assert not [s for ctx, s in found if not ctx], "an aliased translate call hides its context"
    for context, messages in GERMAN.items():
        for source in messages:
            assert (context, source) in found
    for wanted in (("ModelsFolderPanel", "{inodes} file entries (inodes) free"),
                   ("InstalledList", "Copy into the models folder"),
                   ("DownloadRow", "Cancel"), ("DownloadRow", "Resume"),
                   ("ModelDetail", "Set up a remote server…"),
                   ("FitBadge", "Suggested GPU layers: {n} of {layers}.")):
        assert wanted in found
    assert len(found) > 120


def test_one_model_manager_per_main_window_raised_when_opened_again(make_gui, hub, catalogue_file):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    mm.close()
    assert not mm.isVisible()
    gui.window.open_model_manager()  # the toolbar's "Models…"
    assert gui.window.windows.model_manager is mm and mm.isVisible()



def test_an_unreadable_catalogue_and_an_unknown_model_are_one_line_each(make_gui, hub, tmp_path):
    gui = make_gui()
    broken = tmp_path / "catalogue.json"
    broken.write_text('{"models": [ {"id": "half an entry"', encoding="utf-8")
    mm = gui.window.open_model_manager(catalogue_file=broken, endpoint=hub.url)
    gui.wait(lambda: mm.catalogue.placeholder.text() != "Reading the catalogue and checking this computer…")
    line = mm.catalogue.placeholder.text()
    assert line == f"The model catalogue could not be read: {broken}" == mm.notice.label.text()
    assert mm.catalogue.list_stack.currentWidget() is mm.catalogue.placeholder
    # the rest of the window works without a catalogue
    gui.wait(lambda: mm.local is not None)
    assert mm.folder_panel.path_label.text() == str(gui.paths.default_models_dir)
    mm.start_download("no-such-model:Q4_K_M")
    gui.run(asyncio.sleep(0))  # a step queued behind the download's start: that start has had its turn
    assert mm.jobs == {} and mm.notice.label.text() == line

    good = write_catalogue(tmp_path / "good.json", 1000)
    other = ModelManagerWindow(gui.window.services, gui.window, catalogue_file=good, endpoint=hub.url)
    gui.qtbot.addWidget(other)
    other.show()
    gui.wait(lambda: other.catalogue_state is not None)
    other.start_download("no-such-model:Q4_K_M")
    gui.wait(lambda: other.notice.isVisible())
    assert other.notice.label.text() == "Unknown model: no-such-model" and other.jobs == {}


def test_fit_figures_for_a_partial_gpu_offload(qapp):
    """The hover text of a badge on a computer with a GPU too small for the whole model."""
    from deepseek_desktop.models.catalogue.catalogue import load_catalogue
    from deepseek_desktop.models.catalogue.recommend import fit_catalogue_model
    from deepseek_desktop.models.catalogue.speed import tokens_per_s
    from deepseek_desktop.models.hardware import GpuInfo, HardwareInfo
    from deepseek_desktop.ui.fit_text import fit_tooltip

    gib = 1024**3
    hw = HardwareInfo("Linux", "x86_64", 8, 16, 64 * gib, 60 * gib,
                      gpus=(GpuInfo("Test GPU", "nvidia", 12 * gib, 11 * gib),))
    model = load_catalogue().get("deepseek-r1-distill-qwen-32b")
    fit = fit_catalogue_model(model, model.quant("Q4_K_M"), hw, 8192)
    assert fit.verdict == "partial" and 0 < fit.gpu_layers < fit.estimate.layers
    tip = fit_tooltip(fit, hw, tokens_per_s(model, model.quant("Q4_K_M").size, fit, hw))
    assert verdict_text("partial") == "Partly on the GPU"
    assert f"Suggested GPU layers: {fit.gpu_layers} of {fit.estimate.layers}." in tip
    assert f"GPU memory: {size_text(hw.gpu_free_bytes)} free of {size_text(hw.gpu_total_bytes)}" in tip
    assert "8,192 tokens" in tip and "tokens per second" in tip


def test_a_download_that_fails_while_the_manager_is_closed_is_told_in_the_main_window(make_gui, hub,
                                                                                       catalogue_file):
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    hub.behaviour.refuse.add(SMALL_REPO)
    mm.catalogue.select_model(SMALL_ID)
    click(gui, mm.catalogue.detail.rows[SMALL_SPEC].button)
    gui.wait(lambda: SMALL_SPEC in mm.downloads.rows)
    mm.close()  # hidden: the download goes on, and fails
    gui.wait(lambda: mm.downloads.rows[SMALL_SPEC].job.state is JobState.FAILED)
    notices = gui.window.notices
    gui.wait(lambda: notices.isVisible() and "The download of" in notices.label.text())
    assert "refused access to test-org/gemma-GGUF" in notices.label.text()
def test_a_gpu_no_engine_can_use_gives_the_pack_hint_no_gpu_verdict_and_the_pack_on_request(
        make_gui, hub, catalogue_file, tmp_path, monkeypatch, rpc_pack):
    """A stand-in nvidia-smi (an RTX 4090) and no CUDA pack: the manager's verdicts are the CPU's, the hint says
    what is missing, and "Get the GPU pack" installs the release's pack (here one with the RPC backend, a real
    ggml backend the app's llama.cpp leaves out) into the data folder, for the engine's next start."""
    import json

    import llama_cpp

    from deepseek_desktop.models.downloads.gpu_packs import PACKS_URL_ENV, installed_pack_dirs

    tool = tmp_path / "bin" / "nvidia-smi"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 24000'\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}:{os.environ['PATH']}")
    archive, entry = rpc_pack
    manifest = json.dumps({"format": 1, "packs": [entry]}).encode()
    monkeypatch.setenv(PACKS_URL_ENV, hub.add_release("deepseek-desktop/deepseek-desktop", "v0.1.0",
                                                      {archive.name: archive, "gpu-packs.json": manifest}))
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    state = mm.catalogue_state
    assert state.hw.gpus == () and {c.fit.verdict for c in state.candidates} <= {"cpu", "no_fit"}
    shown = mm.catalogue.hardware.text()
    assert "get the GPU pack" in shown and "NVIDIA GeForce RTX 4090" in shown
    assert "no GPU the engine can use" in shown
    button = mm.catalogue.pack_button
    assert button.text() == "Get the GPU pack"
    click(gui, button)
    gui.wait(lambda: not mm.gpu_pack.busy and "installed" in mm.notice.label.text(), 300)
    assert mm.notice.label.text() == ("The GPU pack rpc (RPC) is installed; the engine uses it from its next "
                                      "start.")
    assert installed_pack_dirs(gui.paths.gpu_packs_dir, llama_cpp.__version__) == [gui.paths.gpu_packs_dir / "rpc"]
    assert not list(gui.paths.cache_dir.rglob("*.zip")) and not button.isVisible()
    # Asked again, the engine loads the pack; it drives no NVIDIA GPU (it is not CUDA): a driver hint, no offer.
    gui.wait(lambda: any(h.remedy == "pack_driver" for h in mm.catalogue_state.hw.hints), 300)
    assert "The GPU pack is installed but found no GPU" in mm.catalogue.hardware.text()
    assert not button.isVisible() and mm.catalogue_state.hw.gpus == ()


def test_a_gpu_pack_the_release_does_not_offer_is_one_line(make_gui, hub, catalogue_file, tmp_path, monkeypatch):
    from deepseek_desktop.models.downloads.gpu_packs import PACKS_URL_ENV

    tool = tmp_path / "bin" / "nvidia-smi"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 24000'\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}:{os.environ['PATH']}")
    empty = b'{"format": 1, "packs": []}'
    monkeypatch.setenv(PACKS_URL_ENV, hub.add_release("deepseek-desktop/deepseek-desktop", "v0.1.0",
                                                      {"gpu-packs.json": empty}))
    gui = make_gui()
    mm = open_manager(gui, catalogue_file, hub)
    click(gui, mm.catalogue.pack_button)
    gui.wait(lambda: not mm.gpu_pack.busy and mm.notice.isVisible(), 300)
    assert mm.notice.label.text() == ("There is no GPU pack for this computer (linux-x86_64) and this version of "
                                      "the app.")
    assert mm.catalogue.pack_button.isVisible() and mm.catalogue.pack_button.isEnabled()
    assert mm.isVisible() and not list(gui.paths.gpu_packs_dir.glob("*"))
