"""The Qt binding must not leak or drop references: PySide6 6.12.0 dropped one reference to None per
void call, which aborts Python < 3.12 after a few thousand calls (``none_dealloc``)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QPushButton


def test_void_calls_keep_the_reference_count_of_none(qapp):
    button, label = QPushButton(), QLabel()
    before = sys.getrefcount(None)
    for _ in range(500):
        button.setEnabled(False)
        label.setText("x")
        label.setVisible(True)
    assert abs(sys.getrefcount(None) - before) < 50
