"""The Qt binding must not leak or drop references: PySide6 6.12.0 dropped one reference to None per
void call, which aborts Python < 3.12 after a few thousand calls (``none_dealloc``)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel, QPushButton


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: its count cannot drop")
def test_void_calls_keep_the_reference_count_of_none(qapp):
    button, label = QPushButton(), QLabel()
    before = sys.getrefcount(None)
    for _ in range(500):
        button.setEnabled(False)
        label.setText("x")
        label.setVisible(True)
    assert abs(sys.getrefcount(None) - before) < 50


def test_calls_keep_the_reference_counts_of_their_arguments(qapp):
    """The same check on objects every Python counts: what a call is given, it neither keeps nor drops."""
    label = QLabel()
    text = "".join(["not ", "interned"])  # built at run time, so no constant table holds it
    flag = object()
    label.setProperty("flag", flag)
    before = sys.getrefcount(text), sys.getrefcount(flag)
    for _ in range(500):
        label.setText(text)
        label.setToolTip(text)
        assert label.property("flag") is flag
    label.setText("")
    label.setToolTip("")
    assert (sys.getrefcount(text), sys.getrefcount(flag)) == before
