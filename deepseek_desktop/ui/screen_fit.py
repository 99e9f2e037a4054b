"""Windows inside the screen they open on.

A window asks for a size that suits a large screen (the main window 1180 x 780); on an 800 x 600 screen that
put the message box, Send and the dialogs' buttons off the screen. ``ScreenFit`` shrinks the window, its frame
included, to the available geometry of its screen (the screen less its panels and docks) and moves it inside,
when it is made, each time it is shown, after a saved geometry is restored (it may come from a larger
screen) and when the window moves to another screen. It never makes a window larger than it asked to be.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# A title bar and borders, until the window manager has framed the window and its real frame is known.
FRAME_GUESS = QMargins(4, 32, 4, 4)


def available_geometry(window: QWidget) -> QRect:
    """The part of the window's screen that windows may use (without panels, docks and the menu bar)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(window: QWidget) -> QMargins:
    """The frame around the window's client area: the real one once it is known, else a guess."""
    frame, inner = window.frameGeometry(), window.geometry()
    real = QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                    frame.right() - inner.right(), frame.bottom() - inner.bottom())
    if window.isVisible() and (real.top() > 0 or real.left() > 0):
        return real
    return FRAME_GUESS


def fitted(inner: QRect, frame: QMargins, area: QRect) -> QRect:
    """``inner`` (a window's client rectangle) shrunk and moved so that it lies inside ``area`` with its frame."""
    room = area.marginsRemoved(frame)
    size = QSize(min(inner.width(), room.width()), min(inner.height(), room.height()))
    left = max(room.left(), min(inner.left(), room.right() + 1 - size.width()))
    top = max(room.top(), min(inner.top(), room.bottom() + 1 - size.height()))
    return QRect(left, top, size.width(), size.height())


def inside(window: QWidget, area: QRect | None = None) -> bool:
    """Whether the window, frame and all, lies inside ``area`` (its screen's available geometry)."""
    area = area if area is not None else available_geometry(window)
    return area.contains(window.geometry().marginsAdded(frame_margins(window)))


class ScreenFit(QObject):
    """Keeps ``window`` (a top-level widget) inside its screen. ``preferred`` is the size it asks for."""

    def __init__(self, window: QWidget, preferred: QSize) -> None:
        super().__init__(window)
        self.window = window
        room = available_geometry(window).marginsRemoved(FRAME_GUESS)
        window.resize(min(preferred.width(), room.width()), min(preferred.height(), room.height()))
        self._watched_handle = None
        window.installEventFilter(self)

    def fit(self) -> None:
        """Shrink and move the window into its screen's available geometry, if it is not inside already."""
        window = self.window
        if window.isMaximized() or window.isFullScreen():
            return  # the window manager keeps those inside the screen
        area = available_geometry(window)
        self._limit_minimum(area)
        target = fitted(window.geometry(), frame_margins(window), area)
        if target != window.geometry():
            window.setGeometry(target)

    def _limit_minimum(self, area: QRect) -> None:
        """A minimum size larger than the screen would hold the window over its edge: the screen wins."""
        room = area.marginsRemoved(frame_margins(self.window))
        minimum = self.window.minimumSize()
        if minimum.width() > room.width() or minimum.height() > room.height():
            self.window.setMinimumSize(min(minimum.width(), room.width()), min(minimum.height(), room.height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Show:
            self.fit()
            handle = self.window.windowHandle()
            if handle is not None and handle is not self._watched_handle:
                self._watched_handle = handle
                handle.screenChanged.connect(lambda _screen: self.fit())
        return False
