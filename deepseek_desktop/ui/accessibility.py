"""Screen readers: a finished reply is announced once (not token by token), and the accessibility tree
of a window can be listed (which controls a screen reader finds, with their names)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6 import QtGui
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QScrollArea, QWidget

_Role = QAccessible.Role
# What a user can operate: each of these needs a name a screen reader can say.
INTERACTIVE_ROLES = frozenset(
    {
        _Role.PushButton,
        _Role.CheckBox,
        _Role.RadioButton,
        _Role.ComboBox,
        _Role.EditableText,
        _Role.SpinBox,
        _Role.Slider,
        _Role.Link,
        _Role.MenuItem,
        _Role.PageTab,
        _Role.ButtonMenu,
        _Role.ButtonDropDown,
        _Role.ButtonDropGrid,
        _Role.Dial,
        _Role.HotkeyField,
    }
)
ANNOUNCEMENTS = "accessibleAnnouncements"  # a widget's dynamic property: how many times it was announced
LAST_ANNOUNCEMENT = "accessibleLastAnnouncement"


def announce(widget: QWidget, text: str) -> None:
    """Have the screen reader say ``text`` once, politely (after what it is reading now).

    Qt 6.8+ has announcement events; before that the widget's description changes and that change is
    reported, which screen readers read out for the focused window."""
    widget.setProperty(ANNOUNCEMENTS, int(widget.property(ANNOUNCEMENTS) or 0) + 1)
    widget.setProperty(LAST_ANNOUNCEMENT, text)
    event_type = getattr(QtGui, "QAccessibleAnnouncementEvent", None)
    if event_type is not None:
        QAccessible.updateAccessibility(event_type(widget, text))
    else:
        widget.setAccessibleDescription(text)
        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.DescriptionChanged))


def announce_reply(widget: QWidget, state: str, text: str) -> None:
    """A reply has ended (``state`` complete | cancelled | error): say so, with its text."""
    head = {
        "complete": QCoreApplication.translate("Accessibility", "Reply finished."),
        "cancelled": QCoreApplication.translate("Accessibility", "Reply stopped."),
        "error": QCoreApplication.translate("Accessibility", "The reply failed."),
    }.get(state, "")
    if head:
        announce(widget, f"{head} {text}".strip())


@dataclass(frozen=True)
class Node:
    role: QAccessible.Role
    name: str
    description: str
    path: str  # the roles and names from the window down, to find the control in a failure message


def walk(widget: QWidget, *, visible_only: bool = True) -> Iterator[Node]:
    """Every node of ``widget``'s accessibility tree, as a screen reader walks it."""
    root = QAccessible.queryAccessibleInterface(widget)
    if root is not None:
        yield from _walk(root, "", visible_only, 0)


def _walk(iface, path: str, visible_only: bool, depth: int) -> Iterator[Node]:
    if depth > 60 or not iface.isValid():
        return
    if visible_only and iface.state().invisible:
        return
    role = iface.role()
    name = iface.text(QAccessible.Text.Name)
    here = f"{path}/{role.name}:{name!r}"
    yield Node(role, name, iface.text(QAccessible.Text.Description), here)
    for i in range(iface.childCount()):
        child = iface.child(i)
        if child is not None:
            yield from _walk(child, here, visible_only, depth + 1)


def bring_into_view(widget: QWidget) -> None:
    """Scroll the scroll area holding ``widget`` so that it is seen, once the layout has placed it (a
    question opened for editing may be far up the chat; the keyboard user must see where they type)."""

    def scroll() -> None:
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(widget, 0, 24)

    QTimer.singleShot(0, widget, scroll)  # dropped if the widget is gone by then
