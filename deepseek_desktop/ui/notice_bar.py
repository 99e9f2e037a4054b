"""A strip above the chat for one-line messages: errors, "deleted — Undo", the first-run recommendation.

A message that goes by itself (``timeout_ms``) counts down only while it can be seen (shown, in the active
window, not minimised) and not while the user is at it (the focus or the mouse on the bar): an Undo that ran
out while Settings was open, or while a keyboard user was tabbing towards it, was never usable. A message
without a timeout stays until it is answered or closed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from .accessibility import announce

RESUME_MS = 4000  # at least this long left after the pointer or the focus leaves the bar

# kind: light background, light text, dark background, dark text (the contrast test reads these)
STYLES = {
    "info": ("#e8f1fb", "#17324d", "#1f3347", "#dbe9f7"),
    "error": ("#fdecea", "#611a15", "#4a1f1f", "#f6d3cf"),
    "recommend": ("#fff8e1", "#3e2f00", "#3b3420", "#f3e7b3"),
}


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        # file names, server answers and model names reach this label: never read them as HTML
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action = QPushButton(self)
        self.action.hide()
        self.other_action = QPushButton(self)  # a second answer, for the few messages that offer two
        self.other_action.hide()
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        self._buttons = QHBoxLayout()
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self._buttons.addWidget(self.action)
        self._buttons.addWidget(self.other_action)
        self._layout = layout = QGridLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setColumnStretch(0, 1)
        layout.addWidget(self.label, 0, 0)
        layout.addLayout(self._buttons, 0, 1)
        layout.addWidget(self.close_button, 0, 2, Qt.AlignmentFlag.AlignTop)
        self._buttons_below = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self._remaining_ms = 0  # of a message that goes by itself: the countdown left, paused or running
        self._watched_window: QWidget | None = None
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self._callback: Callable[[], None] | None = None
        self._other_callback: Callable[[], None] | None = None
        self._stays = False
        self.action.clicked.connect(self._on_action)
        self.other_action.clicked.connect(self._on_other_action)
        self.kind = ""
        self.source = ""
        self.hide()

    def show_message(self, text: str, kind: str = "info", action_text: str = "",
                     action: Callable[[], None] | None = None, timeout_ms: int = 0, source: str = "",
                     stays: bool = False, other: tuple[str, Callable[[], None]] | None = None) -> None:
        """``source`` names who owns the message (e.g. "engine"), so that it can take back its own.
        ``stays``: the message stays after its action button is used (its owner dismisses it).
        ``other``: a second button (its text, what it does), beside the first."""
        self.kind = kind
        self._stays = stays
        self.source = source
        self.label.setText(text)
        self._callback = action
        self.action.setVisible(bool(action_text and action))
        self.action.setText(action_text)
        self._other_callback = other[1] if other else None
        self.other_action.setVisible(other is not None)
        self.other_action.setText(other[0] if other else "")
        self._name_close_button()
        self._restyle()
        self._place_buttons(self.width())
        self.show()
        announce(self.label, text)  # a screen reader says it: the bar appears away from the focus
        self._timer.stop()
        self._remaining_ms = timeout_ms
        self._update_countdown()

    # -- the countdown of a message that goes by itself --------------------------------------------
    @property
    def counting_down(self) -> bool:
        """The message is going by itself, now (not paused)."""
        return self._timer.isActive()

    @property
    def goes_by_itself(self) -> bool:
        return self._remaining_ms > 0

    def _can_be_seen(self) -> bool:
        window = self.window()
        return self.isVisible() and window.isActiveWindow() and not window.isMinimized()

    def _held(self) -> bool:
        """The user is at the message: the pointer is over it or the focus in it."""
        focus = QApplication.focusWidget()
        return self.underMouse() or (focus is not None and self.isAncestorOf(focus))

    def _update_countdown(self) -> None:
        running = self._timer.isActive()
        if not self._remaining_ms:
            return
        if self._can_be_seen() and not self._held():
            if not running:
                self._timer.start(self._remaining_ms)
        elif running:
            self._remaining_ms = max(self._timer.remainingTime(), min(RESUME_MS, self._remaining_ms))
            self._timer.stop()

    def _on_focus_changed(self, _old, _new) -> None:
        if self._remaining_ms:
            self._update_countdown()

    def _watch_window(self) -> None:
        window = self.window()
        if window is not self._watched_window:
            if self._watched_window is not None:
                self._watched_window.removeEventFilter(self)
            self._watched_window = window
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._watched_window and event.type() in (
                QEvent.Type.ActivationChange, QEvent.Type.WindowStateChange, QEvent.Type.Show, QEvent.Type.Hide):
            self._update_countdown()
        return False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._watch_window()
        self._update_countdown()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self._update_countdown()

    def enterEvent(self, event) -> None:  # noqa: N802
        super().enterEvent(event)
        self._update_countdown()

    def leaveEvent(self, event) -> None:  # noqa: N802
        super().leaveEvent(event)
        QTimer.singleShot(0, self, self._update_countdown)  # underMouse() is still true while the event is delivered

    def _place_buttons(self, width: int) -> None:
        """The buttons beside the text while it keeps most of the width, else in a row below it (two long
        buttons beside the first-run offer left its text a column one word wide at 800 pixels)."""
        shown = [b for b in (self.action, self.other_action) if not b.isHidden()]
        needed = sum(b.sizeHint().width() for b in shown) + 6 * len(shown)
        below = bool(shown) and width > 0 and width - needed < 0.6 * width
        if below == self._buttons_below:
            return
        self._buttons_below = below
        self._layout.removeItem(self._buttons)
        if below:
            self._buttons.insertStretch(0, 1)
            self._layout.addLayout(self._buttons, 1, 0, 1, 2)
        else:
            self._buttons.takeAt(0)  # the stretch
            self._layout.addLayout(self._buttons, 0, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_buttons(event.size().width())

    def _name_close_button(self) -> None:
        self.close_button.setToolTip(self.tr("Close"))
        self.close_button.setAccessibleName(self.tr("Close the message"))  # "✕" says nothing when read out

    def _restyle(self) -> None:
        # The application's palette, not our own: our style sheet changes ours (and sends PaletteChange).
        light = QApplication.palette().window().color().lightness() >= 128
        bg_light, fg_light, bg_dark, fg_dark = STYLES.get(self.kind, STYLES["info"])
        bg, fg = (bg_light, fg_light) if light else (bg_dark, fg_dark)
        sheet = (f"#noticeBar {{ background-color: {bg}; }} #noticeBar QLabel {{ color: {fg}; }}"
                 f" #noticeBar QToolButton {{ color: {fg}; }}")  # the close button, as legible as the text
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange and self.kind:
            self._restyle()  # the theme changed while a notice is shown
        elif event.type() == QEvent.Type.LanguageChange:
            self._name_close_button()
        super().changeEvent(event)

    def _on_action(self) -> None:
        callback = self._callback
        if not self._stays:
            self.dismiss()
        if callback:
            callback()

    def _on_other_action(self) -> None:
        callback = self._other_callback
        if not self._stays:
            self.dismiss()
        if callback:
            callback()

    def dismiss(self) -> None:
        self._timer.stop()
        self._remaining_ms = 0
        self._callback = self._other_callback = None
        self.source = ""
        self.hide()

    def dismiss_from(self, source: str) -> None:
        """Take back ``source``'s message, if it is the one shown (a newer message of another stays)."""
        if self.source == source and not self.isHidden():
            self.dismiss()
