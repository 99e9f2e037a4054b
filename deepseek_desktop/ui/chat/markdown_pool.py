"""Renders Markdown on one background thread, so a long block never holds the GUI thread.

``submit(receiver, key, text, ...)`` renders ``text`` and, back on the GUI thread, calls
``receiver.apply_rendered(key, text, rendered)`` if the receiver still exists. Jobs run in the
order given; the receiver decides whether a result is still wanted.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import weakref

import shiboken6
from PySide6.QtCore import QObject, Signal

from ...core.markdown.blocks import plain_html
from ...core.markdown.render import MarkdownRenderer, Rendered, Theme

log = logging.getLogger(__name__)


class MarkdownPool(QObject):
    _done = Signal(object)  # (receiver ref, key, text, Rendered), emitted on the worker thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="markdown")
        self._local = threading.local()  # Python-Markdown keeps state per instance: one per thread
        self._done.connect(self._deliver)  # queued: the signal comes from the worker thread
        self.destroyed.connect(lambda *_: self.close())

    def submit(self, receiver, key, text: str, theme: Theme, copy_label: str, first_code_index: int) -> None:
        ref = weakref.ref(receiver)
        self._executor.submit(self._render, ref, key, text, theme, copy_label, first_code_index)

    def _render(self, ref, key, text, theme, copy_label, first_code_index) -> None:
        renderer = getattr(self._local, "renderer", None)
        if renderer is None:
            renderer = self._local.renderer = MarkdownRenderer()
        renderer.theme, renderer.copy_label = theme, copy_label
        try:
            rendered = renderer.render(text, first_code_index=first_code_index)
        except Exception:  # the text is still shown, as text; the detail goes to the log
            log.exception("rendering a %d-character block", len(text))
            rendered = Rendered(plain_html(text), [])
        try:
            self._done.emit((ref, key, text, rendered))
        except RuntimeError:  # the window closed while this block rendered
            pass

    def _deliver(self, job) -> None:
        ref, key, text, rendered = job
        receiver = ref()
        if receiver is not None and shiboken6.isValid(receiver):
            receiver.apply_rendered(key, text, rendered)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
