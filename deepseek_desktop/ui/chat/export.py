"""Export a conversation as Markdown or JSON: ask where, then write it on the store's thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from ...core.conversations.export import MarkdownLabels, export_conversation
from ...core.files.names import suggested_file_name
from ..background import BackgroundWork
from ..error_text import describe
from ..notice_bar import NoticeBar
from .store_runner import StoreRunner


def export_conversation_interactively(parent: QWidget, runner: StoreRunner, cid: int, fmt: str,
                                      notices: NoticeBar, work: BackgroundWork, title: str = "") -> None:
    """Ask where to save (suggesting the conversation's title as the file name), then write it."""
    translate = QCoreApplication.translate  # a name lupdate recognises
    if fmt == "json":
        caption, filt = translate("Export", "Export as JSON"), translate("Export", "JSON (*.json)")
        suffix, kind = ".json", "json"
    else:
        caption, filt = translate("Export", "Export as Markdown"), translate("Export", "Markdown (*.md)")
        suffix, kind = ".md", "markdown"
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested_path(title, suffix), filt)
    if not path:
        return
    target = Path(path) if Path(path).suffix else Path(path + suffix)
    labels = MarkdownLabels().translated(translate)

    async def run() -> None:
        try:
            await runner.call(lambda st: export_conversation(st, cid, target, kind, labels))
        except Exception as exc:
            notices.show_message(describe(exc), "error")
            return
        notices.show_message(translate("Export", "Saved {path}").format(path=target), "info", timeout_ms=6000)

    work.run(run())


def suggested_path(title: str, suffix: str) -> str:
    """Where the save dialog starts: the home folder and the title as a safe file name."""
    fallback = QCoreApplication.translate("Export", "Conversation")
    return str(Path.home() / suggested_file_name(title, suffix, fallback))
