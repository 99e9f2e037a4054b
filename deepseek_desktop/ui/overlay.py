"""A bar that lies over the edge of a view instead of pushing it aside.

A notice that appears or vanishes inside a layout moves everything under it, and with it whatever was
under the user's pointer (the way LM Studio and Jan show their toasts avoids that: over the content).
The bar becomes a child of the view, as wide as the view's viewport, on top of it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QWidget


class EdgeOverlay(QObject):
    def __init__(self, bar: QWidget, host: QWidget, edge: str = "top") -> None:
        super().__init__(bar)
        self.bar, self.host, self.edge = bar, host, edge
        hidden = bar.isHidden()
        bar.setParent(host)
        bar.setVisible(not hidden)
        host.installEventFilter(self)
        bar.installEventFilter(self)
        if isinstance(host, QAbstractScrollArea):
            host.viewport().installEventFilter(self)  # the scrollbar came or went: the viewport's width changed
        self.place()

    def place(self) -> None:
        host = self.host
        area = host.viewport().geometry() if isinstance(host, QAbstractScrollArea) else host.rect()
        width = area.width()
        height = self.bar.heightForWidth(width) if self.bar.hasHeightForWidth() else -1
        if height <= 0:
            height = self.bar.sizeHint().height()
        top = area.top() if self.edge == "top" else area.bottom() + 1 - height
        self.bar.setGeometry(area.left(), top, width, height)
        self.bar.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        own_resize = watched is self.bar and kind == QEvent.Type.Resize  # place() caused it
        if kind in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest) and not own_resize:
            self.place()
        return False
