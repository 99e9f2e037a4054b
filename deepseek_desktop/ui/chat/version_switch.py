"""The "‹ 2 / 3 ›" switch of a message that has versions (regenerated replies, edited questions)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class VersionSwitch(QWidget):
    """Shows which version of a message is on screen and moves to the one before or after it.

    Hidden while a message has one version only. The arrows are ordinary tool buttons: reachable with
    Tab, pressed with Space, named for screen readers ("Previous version", "Next version").
    """

    versionRequested = Signal(int)  # the version to show, 1-based

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.previous_button = self._arrow("‹", -1)
        self.next_button = self._arrow("›", +1)
        self.label = QLabel(self)
        self.label.setObjectName("versionLabel")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.previous_button)
        row.addWidget(self.label)
        row.addWidget(self.next_button)
        self.version, self.versions = 1, 1
        self._enabled = True
        self.set_version(1, 1)

    def _arrow(self, text: str, step: int) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setAutoRaise(True)
        b.setObjectName("messageAction")
        b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        b.clicked.connect(lambda: self.versionRequested.emit(self.version + step))
        return b

    def set_version(self, version: int, versions: int) -> None:
        self.version, self.versions = version, versions
        self.setVisible(versions > 1)
        self._sync()
        self.retranslate()

    def focus_arrow(self, step: int) -> None:
        """Give the keyboard focus to the arrow towards ``step`` (-1, +1), or to the other one at the end."""
        first, other = ((self.previous_button, self.next_button) if step < 0
                        else (self.next_button, self.previous_button))
        (first if first.isEnabled() else other).setFocus(Qt.FocusReason.OtherFocusReason)

    def set_actions_enabled(self, enabled: bool) -> None:
        """Off while a reply streams: the path it continues must not change under it."""
        self._enabled = enabled
        self._sync()

    def _sync(self) -> None:
        self.previous_button.setEnabled(self._enabled and self.version > 1)
        self.next_button.setEnabled(self._enabled and self.version < self.versions)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.label.setText(self.tr("{version} / {versions}").format(version=self.version, versions=self.versions))
        self.label.setAccessibleName(self.tr("Version {version} of {versions}").format(
            version=self.version, versions=self.versions))
        self.previous_button.setAccessibleName(self.tr("Previous version"))
        self.previous_button.setToolTip(self.tr("Show the previous version of this message"))
        self.next_button.setAccessibleName(self.tr("Next version"))
        self.next_button.setToolTip(self.tr("Show the next version of this message"))
