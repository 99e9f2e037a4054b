"""A message shown block by block, each block in its own rich-text view.

While a reply streams only the last, growing block changes, so only it is rendered again. The work
one update does on the GUI thread is bounded whatever the text:
- the splitter only looks at the text that arrived since the last update;
- a block is at most MAX_BLOCK characters (a longer one is cut into pieces shown as plain text, the
  last piece growing by appending);
- a small block is rendered here; a larger one on the Markdown thread (the view keeps what it showed
  until the result comes back, so nothing flickers); a long message is filled in over several turns
  of the event loop, a time budget each.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...core.markdown.blocks import Block, BlockSplitter, needs_plain
from ...core.markdown.render import MarkdownRenderer, Rendered, split_code
from .markdown_pool import MarkdownPool
from .rich_text import RichTextView

SYNC_CHARS = 1024  # a block this small is rendered on the GUI thread: a few milliseconds at worst
BUDGET_S = 0.012  # GUI-thread time one update may spend before the rest waits for the next turn


class _Slot:
    """What one view should show and what it shows."""

    __slots__ = ("view", "want", "shown", "plain", "codes", "busy")

    def __init__(self, view: RichTextView) -> None:
        self.view = view
        self.want: Block | None = None
        self.shown: str | None = None
        self.plain = False  # the view holds plain text (appending is possible)
        self.codes: list[str] = []
        self.busy = False  # a render of this block is on the Markdown thread


class BlockStack(QWidget):
    anchorClicked = Signal(QUrl)
    needsMore = Signal()  # part of the text is not shown yet: call update_text again soon

    def __init__(self, renderer: MarkdownRenderer, pool: MarkdownPool | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._renderer = renderer
        self._pool = pool
        self._splitter = BlockSplitter()
        self._slots: list[_Slot] = []
        self._settled = 0  # slots before this one show their final block
        self._generation = 0  # bumped when everything renders again (theme, language): old results are dropped
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)

    @property
    def code_blocks(self) -> list[str]:
        return [code for slot in self._slots for code in slot.codes]

    @property
    def views(self) -> list[RichTextView]:
        return [slot.view for slot in self._slots]

    def update_text(self, text: str, force: bool = False) -> bool:
        """Show ``text``; returns False when a time budget ran out before every block was shown (the
        rest follows on the next call)."""
        started = time.perf_counter()
        blocks = self._splitter.update(text)
        if force:
            self._generation += 1
            self._settled = 0
            for slot in self._slots:
                slot.shown = None
        first = min(self._settled, len(blocks))
        code_index = sum(len(slot.codes) for slot in self._slots[:first])
        done = True
        for i in range(first, len(blocks)):
            slot = self._slot(i)
            if slot.want != blocks[i] or slot.shown is None:
                slot.want = blocks[i]
                self._show(i, slot, code_index)
            code_index += len(slot.codes)
            if i == self._settled and i < self._splitter.final_count:
                self._settled = i + 1
            if time.perf_counter() - started > BUDGET_S and i + 1 < len(blocks):
                done = False
                break
        for slot in self._slots[len(blocks):]:
            slot.view.hide()
            slot.codes = []
        if not done:
            QTimer.singleShot(0, self, self.needsMore.emit)
        return done

    def _slot(self, i: int) -> _Slot:
        while i >= len(self._slots):
            view = RichTextView(self)
            view.anchorClicked.connect(self.anchorClicked)
            self._layout.addWidget(view)
            self._slots.append(_Slot(view))
        return self._slots[i]

    def _show(self, i: int, slot: _Slot, code_index: int) -> None:
        block = slot.want
        slot.view.setVisible(bool(block.text.strip()))
        if block.plain or needs_plain(block.text):
            slot.codes = []
            slot.view.show_plain(block.text, slot.shown if slot.plain else None)
            slot.shown, slot.plain = block.text, True
            return
        slot.codes = [code for _lang, code in split_code(block.text)[1]]
        if self._pool is None or len(block.text) <= SYNC_CHARS:
            self._apply(slot, block.text, self._renderer.render(block.text, first_code_index=code_index))
            return
        if slot.shown is None or slot.plain:  # show the text at once; the formatted one follows
            slot.view.show_plain(block.text, slot.shown if slot.plain else None)
            slot.shown, slot.plain = block.text, True
        if not slot.busy:
            slot.busy = True
            self._pool.submit(self, (i, self._generation), block.text, self._renderer.theme,
                              self._renderer.copy_label, code_index)

    def _apply(self, slot: _Slot, text: str, rendered: Rendered) -> None:
        slot.view.show_html(rendered.html)
        slot.shown, slot.plain = text, False

    def apply_rendered(self, key, text: str, rendered: Rendered) -> None:
        """A result from the Markdown thread (called on the GUI thread)."""
        i, generation = key
        if i >= len(self._slots):
            return
        slot = self._slots[i]
        slot.busy = False
        want = slot.want
        if want is None or want.plain or needs_plain(want.text):
            return
        if generation == self._generation and want.text == text:
            self._apply(slot, text, rendered)
        else:  # the block grew (or the theme changed) meanwhile: render what it is now
            self._show(i, slot, sum(len(s.codes) for s in self._slots[:i]))

    def pending(self) -> bool:
        """Whether a block still waits for its formatted version."""
        return any(slot.busy for slot in self._slots)
