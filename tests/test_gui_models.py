"""Models in the main window: drag and drop, switching model in a conversation, the RAM disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import THREADS
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from test_gui_chat import send_and_wait

from deepseek_desktop.models.local.registry import ModelRegistry


def drop_files(widget, *paths: Path) -> bool:
    """A real drag-enter and drop of file URLs, as the desktop delivers them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return True


def registry(gui) -> ModelRegistry:
    return ModelRegistry(gui.paths.registry_file, gui.paths.default_models_dir)


def gemma_choice(gui):
    return next(c for c in gui.window.choices if c.engine == "llamacpp")


@pytest.fixture
def with_gemma(make_gui, gemma_path):
    gui = make_gui(words_per_second=1000)
    assert drop_files(gui.window, gemma_path)
    gui.wait(lambda: any(c.engine == "llamacpp" for c in gui.window.choices))
    return gui


def test_dropping_a_gguf_registers_it_in_place(with_gemma, gemma_path):
    gui = with_gemma
    models = registry(gui).list()
    assert len(models) == 1 and Path(models[0].path) == gemma_path.resolve()
    assert models[0].engine == "llamacpp" and models[0].architecture == "gemma3"
    assert "Imported" in gui.window.notices.label.text()
    labels = [gui.window.picker.combo.itemText(i) for i in range(gui.window.picker.combo.count())]
    assert models[0].name in labels
    assert not gui.window.banner.isVisible(), "with a model installed the first-run banner goes away"


def test_dropping_an_installed_model_again_says_so(with_gemma, gemma_path, tmp_path):
    gui = with_gemma
    [first] = registry(gui).list()
    gui.window.notices.dismiss()
    assert drop_files(gui.window, gemma_path)
    gui.wait(lambda: gui.window.notices.isVisible())
    assert gui.window.notices.label.text() == f"Already installed as {first.name}."
    assert gui.window.notices.kind == "info" and registry(gui).list() == [first]
    twin = tmp_path / "twin.gguf"  # the same bytes in another place
    twin.write_bytes(gemma_path.read_bytes())
    gui.window.notices.dismiss()
    assert drop_files(gui.window, twin)
    gui.wait(lambda: gui.window.notices.isVisible())
    assert gui.window.notices.label.text() == f"Already installed as {first.name}."
    assert registry(gui).list() == [first]
    assert [c.model for c in gui.window.choices if c.engine == "llamacpp"] == [first.path]


@pytest.mark.parametrize("kind,phrase", [("random", "does not begin with the GGUF signature"),
                                         ("half", "is incomplete: 127 MB of 253 MB are there"),
                                         ("magic", "does not begin with the GGUF signature"),
                                         ("header_cut", "is incomplete: the file ends before its data does")])
def test_dropping_a_bad_file_says_why_and_imports_nothing(make_gui, bad_models, kind, phrase):
    gui = make_gui(words_per_second=0)
    assert drop_files(gui.window, bad_models[kind])
    gui.wait(lambda: gui.window.notices.isVisible() and gui.window.notices.kind == "error")
    assert phrase in gui.window.notices.label.text() and bad_models[kind].name in gui.window.notices.label.text()
    assert "download it again" not in gui.window.notices.label.text().lower(), "not a file this app downloaded"
    assert registry(gui).list() == []


@pytest.mark.parametrize("kind", ["nested_arrays", "unknown_tensor_type", "context_length_as_string"])
def test_dropping_a_malformed_header_says_so(make_gui, tmp_path, kind):
    from gguf_craft import MALFORMED

    path = MALFORMED[kind](tmp_path / f"{kind}.gguf")
    gui = make_gui(words_per_second=0)
    assert drop_files(gui.window, path)
    gui.wait(lambda: gui.window.notices.isVisible() and gui.window.notices.kind == "error")
    assert gui.window.notices.label.text() == (f"The header of {path.name} is damaged: it cannot be read as a GGUF "
                                               f"model file (in {path.parent}).")
    assert registry(gui).list() == []


def test_dropping_a_truncated_model_names_the_file_and_how_much_is_there(make_gui, bad_models):
    gui = make_gui(words_per_second=0)
    assert drop_files(gui.window, bad_models["half"])
    gui.wait(lambda: gui.window.notices.isVisible() and gui.window.notices.kind == "error")
    assert gui.window.notices.label.text() == (
        f"gemma-cut-in-half.gguf is incomplete: 127 MB of 253 MB are there (in {bad_models['half'].parent}).")


def test_other_files_are_not_accepted(make_gui, tmp_path):
    gui = make_gui(start=False)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert not drop_files(gui.window, text)


def test_first_run_offers_the_recommended_model(make_gui):
    gui = make_gui(words_per_second=0)
    gui.wait(lambda: gui.window.banner.isVisible())
    assert "Recommended for this computer" in gui.window.banner.label.text()
    assert gui.window.banner.action.text().startswith("Download (")
    assert gui.window.engine.current.engine == "simulator", "the simulator answers at once"


@pytest.mark.slow
def test_switching_to_a_real_model_keeps_the_conversation(with_gemma):
    gui = with_gemma
    send_and_wait(gui, "What is DeepSeek-V3?")
    gui.settings.set("generation.max_tokens", 24)
    gui.settings.set("llamacpp.threads", THREADS)
    gui.window.switch_model(gemma_choice(gui))
    gui.wait(lambda: gui.window.engine.state == "ready" and gui.window.engine.current.engine == "llamacpp", 60)
    # the simulator's badge went with it; the model's own comes once its fit is worked out
    gui.wait(lambda: gui.window.picker.badge.isVisible() and gui.window.picker.badge.text() != "No model", 30)
    assert gui.window.picker.badge.toolTip().startswith("Needs about")
    # where it runs: the CPU (no hardware GPU here), the variant's instruction set, the threads the setting gives
    label = gemma_choice(gui).label
    assert gui.window.status.label.text().startswith(f"Ready: {label} · CPU · "), gui.window.status.label.text()
    assert gui.window.status.label.text().endswith(f" · {THREADS} thread" + ("s" if THREADS != 1 else ""))
    send_and_wait(gui, "Say hello.", timeout=60)
    widgets = gui.window.chat_view.widgets
    assert [w.item.role for w in widgets] == ["user", "assistant", "user", "assistant"]
    reply = widgets[3].item
    assert reply.state in ("complete",) and reply.content.strip()
    assert reply.model == gemma_choice(gui).label
    assert widgets[1].item.model == "Simulator"
    stats = reply.stats
    assert stats["prompt_tokens"] > 100, "the earlier turns were sent along"


@pytest.mark.slow
def test_the_first_reply_of_a_model_without_a_chat_template_says_so(with_gemma):
    gui = with_gemma
    gui.settings.set("generation.max_tokens", 8)
    gui.settings.set("llamacpp.threads", THREADS)
    gui.window.switch_model(gemma_choice(gui))
    gui.wait(lambda: gui.window.engine.state == "ready" and gui.window.engine.current.engine == "llamacpp", 60)
    note = ("No chat template in the model file: a generic gemma template is used, answers may be worse than "
            "with the model's own.")
    gui.wait(lambda: note in gui.window.picker.badge.toolTip(), 30)
    send_and_wait(gui, "Say hello.", timeout=60)
    reply = gui.window.chat_view.widgets[-1]
    assert reply.item.stats["chat_template"] == "fallback:gemma"
    escaped = note.replace("'", "&#x27;")
    assert escaped in reply.footer.text() and reply.footer.isVisible()
    send_and_wait(gui, "Say goodbye.", timeout=60)
    first, second = [w for w in gui.window.chat_view.widgets if w.item.role == "assistant"]
    assert second.item.stats["chat_template"] == "fallback:gemma"
    assert escaped in first.footer.text() and escaped not in second.footer.text(), "said once, not every time"


@pytest.mark.slow
def test_loading_through_the_ram_disk(with_gemma):
    gui = with_gemma
    gui.settings.set("general.ram_disk", True)
    gui.settings.set("llamacpp.threads", THREADS)
    gui.settings.set("generation.max_tokens", 24)
    gui.window.switch_model(gemma_choice(gui))
    gui.wait(lambda: gui.window.engine.state == "ready" and gui.window.engine.current.engine == "llamacpp", 60)
    disk = gui.window.switcher.ramdisk
    assert disk is not None and gui.window.engine.model_info["path"].startswith(str(disk.path))
    assert Path(gui.window.engine.model_info["path"]).stat().st_size == gemma_choice(gui).size_bytes
    send_and_wait(gui, "Hi", timeout=60)
    assert gui.window.chat_view.widgets[1].item.content.strip()
    # another model: the copy in memory is given back
    gui.window.switch_model(next(c for c in gui.window.choices if c.engine == "simulator"))
    gui.wait(lambda: gui.window.engine.state == "ready" and gui.window.engine.current.engine == "simulator")
    assert gui.window.switcher.ramdisk is None and not disk.path.exists()


def test_the_first_run_banner_stays_when_its_download_fails(make_gui, monkeypatch):
    from test_cli_models import closed_port_url

    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())  # the Hub cannot be reached
    gui = make_gui(words_per_second=0)
    gui.wait(lambda: gui.window.banner.isVisible() and gui.window.banner.action.isVisible())
    offer = gui.window.banner.label.text()
    gui.window.banner.action.click()
    gui.wait(lambda: gui.window.windows.model_manager is not None)
    manager = gui.window.windows.model_manager
    gui.wait(lambda: bool(manager.downloads.rows))
    row = next(iter(manager.downloads.rows.values()))
    gui.wait(lambda: row.job.state == "failed")
    manager.close()
    assert gui.window.banner.isVisible() and gui.window.banner.label.text() == offer
    assert gui.window.banner.action.isVisible(), "the offer can be taken again"


def test_an_incomplete_download_of_ours_is_to_be_downloaded_again_another_file_not(make_gui, bad_models, tmp_path):
    import shutil

    from deepseek_desktop.models.local.registry import InstalledModel

    gui = make_gui(words_per_second=1000)
    models = gui.paths.default_models_dir
    models.mkdir(parents=True, exist_ok=True)
    ours, theirs = models / "ours-Q4_K_M.gguf", tmp_path / "theirs-Q4_K_M.gguf"
    reg = registry(gui)
    for name, path, source in (("ours", ours, "hub:test-org/gemma-GGUF@0123456789"), ("theirs", theirs, "import")):
        shutil.copyfile(bad_models["half"], path)  # installed whole once, cut since (a full disk, a bad copy)
        reg.add(InstalledModel(name, str(path), "gguf", path.stat().st_size, source=source))
    gui.window.reload_models()
    gui.wait(lambda: {c.label for c in gui.window.choices} >= {"ours", "theirs"})
    notices = gui.window.notices
    for name, path, again in (("ours", ours, True), ("theirs", theirs, False)):
        choice = next(c for c in gui.window.choices if c.label == name)
        gui.window.switch_model(choice)
        gui.wait(lambda path=path: notices.isVisible() and notices.kind == "error"
                 and path.name in notices.label.text())
        text = notices.label.text()
        assert f"{path.name} is incomplete: 127 MB of 253 MB are there" in text
        assert ("Download it again in the model manager." in text) is again, text
