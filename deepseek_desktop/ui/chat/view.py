"""The message list. Only the newest page of a conversation is built at first (older messages come
when asked for), and while a reply streams only its widget is re-rendered, at most once per frame,
so the cost of a token does not grow with the conversation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from ...core.markdown.render import Theme
from .markdown_pool import MarkdownPool
from .message import ChatItem, MessageWidget

FRAME_MS = 33  # ~30 updates a second is smooth for text and leaves the loop free
FIRST_SCREEN = 12  # messages built before the first paint of a conversation


class ChatView(QScrollArea):
    editSubmitted = Signal(object, str)
    regenerateRequested = Signal(object)
    versionRequested = Signal(object, int)  # ChatItem, version
    linkActivated = Signal(QUrl)
    loadEarlierRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")  # a Tab stop (arrows and Page Up/Down scroll): the theme outlines it
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self._container = QWidget()
        self._container.setObjectName("chatContainer")
        self._layout = QVBoxLayout(self._container)
        self._layout.setContentsMargins(16, 12, 16, 12)
        self._layout.setSpacing(10)
        self._earlier = QPushButton(self._container)
        self._earlier.setFlat(True)
        self._earlier.clicked.connect(self.loadEarlierRequested)
        self._earlier.hide()
        self._empty = QLabel(self._container)
        self._empty.setObjectName("emptyChat")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # Finished messages and the streaming reply live in separate boxes: a reply that grows
        # re-lays out its own box, not every message above it.
        self._history, self._history_layout = self._box()
        self._live, self._live_layout = self._box()
        self._layout.addWidget(self._earlier, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addWidget(self._empty)
        self._layout.addWidget(self._history)
        self._layout.addWidget(self._live)
        self._layout.addStretch(1)
        self.setWidget(self._container)
        self.widgets: list[MessageWidget] = []
        self.theme = Theme()
        self._markdown = MarkdownPool(self)  # long blocks render there, not on the GUI thread
        self._stick_to_bottom = True
        self._busy = False  # set from ChatSession.busyChanged only
        self._generation = 0  # bumped per conversation shown, so a late fill-in cannot land in another
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)
        self.retranslate()

    def _box(self) -> tuple[QWidget, QVBoxLayout]:
        box = QWidget(self._container)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        return box, layout

    # -- content --------------------------------------------------------------------------------
    @property
    def earlier_offered(self) -> bool:
        """The "Show earlier messages" button is shown: older messages of the conversation are not loaded."""
        return self._earlier.isVisible()

    def show_items(self, items: list[ChatItem], has_earlier: bool) -> None:
        """Show a conversation: a screenful of the newest messages at once, the rest of the page right
        after (the first screen appears sooner; the user sees no difference)."""
        self.clear()
        self._generation += 1
        first, rest = items[-FIRST_SCREEN:], items[:-FIRST_SCREEN]
        for item in first:
            self._insert(len(self.widgets), item)
        self._earlier.setVisible(has_earlier or bool(rest))
        self.refresh_after_change()
        self._stick_to_bottom = True
        QTimer.singleShot(0, self.scroll_to_bottom)
        if rest:
            generation = self._generation
            QTimer.singleShot(0, lambda: self._show_rest(generation, rest, has_earlier))

    def _show_rest(self, generation: int, rest: list[ChatItem], has_earlier: bool) -> None:
        if generation == self._generation:  # still the same conversation
            self.prepend_items(rest, has_earlier)

    def prepend_items(self, items: list[ChatItem], has_earlier: bool) -> None:
        bar = self.verticalScrollBar()
        from_bottom = bar.maximum() - bar.value()
        for i, item in enumerate(items):
            self._insert(i, item)
        self._earlier.setVisible(has_earlier)
        self.refresh_after_change()
        # keep the message the user was looking at in place
        QTimer.singleShot(0, lambda: bar.setValue(bar.maximum() - from_bottom))

    def append_item(self, item: ChatItem) -> MessageWidget:
        w = self._insert(len(self.widgets), item)
        self.refresh_after_change()
        self._stick_to_bottom = True
        QTimer.singleShot(0, self.scroll_to_bottom)
        return w

    def remove_from(self, item: ChatItem) -> None:
        """Remove ``item``'s widget and every one after it (regenerate, edit and resend)."""
        idx = next((i for i, w in enumerate(self.widgets) if w.item is item), None)
        if idx is None:
            return
        for w in self.widgets[idx:]:
            _drop(w)
        del self.widgets[idx:]
        self.refresh_after_change()

    def replace_from(self, item: ChatItem, items: list[ChatItem]) -> MessageWidget | None:
        """Show ``items`` in place of ``item`` and everything after it (another version was chosen);
        the view stays where the user was reading. Returns the widget of the first of ``items``."""
        idx = next((i for i, w in enumerate(self.widgets) if w.item is item), None)
        if idx is None:
            return None
        for w in self.widgets[idx:]:
            _drop(w)
        del self.widgets[idx:]
        for new in items:
            self._insert(len(self.widgets), new)
        self.refresh_after_change()
        return self.widgets[idx] if len(self.widgets) > idx else None

    def clear(self) -> None:
        for w in self.widgets:
            _drop(w)
        self.widgets = []
        self._earlier.hide()
        self.refresh_after_change()

    def _insert(self, index: int, item: ChatItem) -> MessageWidget:
        w = MessageWidget(item, self.theme, self._container, pool=self._markdown)
        w.editSubmitted.connect(self.editSubmitted)
        w.regenerateRequested.connect(self.regenerateRequested)
        w.versionRequested.connect(self.versionRequested)
        w.linkActivated.connect(self.linkActivated)
        w.set_busy(self._busy)
        if item.live is not None:
            self._live_layout.addWidget(w)
        else:
            self._history_layout.insertWidget(sum(1 for x in self.widgets[:index] if x.parent() is self._history), w)
        self.widgets.insert(index, w)
        return w

    def _settle(self) -> None:
        """A reply that finished streaming joins the finished messages."""
        for w in self.widgets:
            if w.parent() is self._live and w.item.live is None:
                self._live_layout.removeWidget(w)
                self._history_layout.addWidget(w)

    def refresh_after_change(self) -> None:
        """After messages came or went, or a reply ended: the empty-chat hint, the Regenerate button and
        the note on a generic chat template."""
        self._settle()
        self._empty.setVisible(not self.widgets)
        last_assistant = next((w for w in reversed(self.widgets) if w.item.role == "assistant"), None)
        for w in self.widgets:
            w.set_regenerate_visible(w is last_assistant and w is self.widgets[-1])
        explained: set[tuple[str, str]] = set()  # a generic chat template is explained once per model
        for w in self.widgets:
            key = w.template_key
            w.show_template_note(key is not None and key not in explained)
            if key is not None:
                explained.add(key)

    def last_reply(self) -> MessageWidget | None:
        """The last message, if it is a reply (what Regenerate and Copy the last reply act on)."""
        last = self.widgets[-1] if self.widgets else None
        return last if last is not None and last.item.role == "assistant" else None

    def set_busy(self, busy: bool) -> None:
        """Editing and regenerating are off while a turn runs (``ChatSession.busy``)."""
        self._busy = busy
        for w in self.widgets:
            w.set_busy(busy)


    # -- streaming ------------------------------------------------------------------------------
    def mark_dirty(self) -> None:
        """Something streamed: the streaming messages show it at the next frame."""
        if not self._frame.isActive():
            self._frame.start()

    def _on_frame(self) -> None:
        busy = False
        for w in reversed(self.widgets[-3:]):  # only the newest messages ever stream
            if w.dirty:
                w.flush()
                busy = True
        if not busy:
            self._frame.stop()

    def flush_now(self) -> None:
        self._on_frame()

    # -- scrolling ------------------------------------------------------------------------------
    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 24

    def _on_range_changed(self, _min: int, maximum: int) -> None:
        if self._stick_to_bottom:
            self.verticalScrollBar().setValue(maximum)

    # -- language and theme ---------------------------------------------------------------------
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for w in self.widgets:
            w.set_theme(theme)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self._earlier.setText(self.tr("Show earlier messages"))
        self._empty.setText(
            self.tr("Ask DeepSeek anything.\n\nEnter sends, Shift+Enter starts a new line, Esc stops a reply.")
        )


def _drop(widget: QWidget) -> None:
    """Take a message widget off the view. Not by ``setParent(None)``: that makes it a window of its own for a
    moment, and a window coming and going took the keyboard focus from the main window."""
    widget.hide()
    layout = widget.parentWidget().layout() if widget.parentWidget() is not None else None
    if layout is not None:
        layout.removeWidget(widget)
    widget.deleteLater()
