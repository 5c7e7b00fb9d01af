"""Keyboard: Enter or Esc in an inspector field ends the edit and gives the focus back to
the canvas; the playback keys work from anywhere but a field that is being typed in
(issue 11 item 4: "change w, then press Space to watch")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from nnviz.core import examples
from nnviz.ui import keys
from nnviz.ui.document import Selection

# also run on real X screens (Xvfb, xcb) by .ci/run's real-screen phase
pytestmark = pytest.mark.realscreen


@pytest.fixture
def window(open_window):
    w = open_window(examples.default_project(), theme_choice="light")
    w.activateWindow()
    return w


def _edit_weight(qtbot, w, text: str, end=Qt.Key.Key_Return):
    doc = w.document
    doc.select(Selection.of_edge(1, 0, 0))
    spin = w.inspector.weight
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    assert keys.is_being_edited(spin)
    qtbot.keyClick(spin, end)
    return spin


def test_enter_commits_and_gives_the_focus_back_to_the_canvas(qtbot, window):
    w = window
    _edit_weight(qtbot, w, "2.5")
    assert w.document.network.layers[0].W[0, 0] == pytest.approx(2.5)
    assert QApplication.focusWidget() is w.canvas


def test_escape_cancels_and_gives_the_focus_back_to_the_canvas(qtbot, window):
    w = window
    before = float(w.document.network.layers[0].W[0, 0])
    spin = _edit_weight(qtbot, w, "7", end=Qt.Key.Key_Escape)
    assert float(w.document.network.layers[0].W[0, 0]) == before
    assert spin.value() == pytest.approx(before)
    assert not keys.is_being_edited(spin)
    assert QApplication.focusWidget() is w.canvas
    assert w.document.undo_stack.count() == 0


def test_change_w_then_press_space_to_watch(qtbot, window):
    w = window
    spin = _edit_weight(qtbot, w, "1.5")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert w.playback.playing
    w.playback.pause()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert w.playback.step >= 1
    assert spin.value() == pytest.approx(1.5)  # the field got none of these keys


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (Qt.Key.Key_Right, 1),
        (Qt.Key.Key_PageDown, 1),
        (Qt.Key.Key_End, "last"),
    ],
)
def test_playback_keys_work_in_a_focused_field_that_is_not_being_edited(
    qtbot, window, key, expected
):
    w = window
    w.document.select(Selection.of_edge(1, 0, 0))
    spin = w.inspector.weight
    spin.setFocus()
    text = spin.text()
    qtbot.keyClick(spin, key)
    assert w.playback.step == (w.playback.last if expected == "last" else expected)
    assert spin.text() == text
    qtbot.keyClick(spin, Qt.Key.Key_Home)
    assert w.playback.step == 0
    qtbot.keyClick(spin, Qt.Key.Key_End)
    qtbot.keyClick(spin, Qt.Key.Key_PageUp)
    assert w.playback.step == w.playback.last - 1
    qtbot.keyClick(spin, Qt.Key.Key_Left)
    assert w.playback.step == w.playback.last - 2


def test_keys_go_into_a_field_while_it_is_being_typed_in(qtbot, window):
    w = window
    w.document.select(Selection.of_edge(1, 0, 0))
    spin = w.inspector.weight
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "0.")
    qtbot.keyClick(spin, Qt.Key.Key_Left)  # moves the text cursor, not the playback
    qtbot.keyClick(spin, Qt.Key.Key_End)
    qtbot.keyClicks(spin, "75")
    assert w.playback.step == 0
    assert not w.playback.playing
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert w.document.network.layers[0].W[0, 0] == pytest.approx(0.75)


def test_space_plays_from_a_combo_box_and_the_seed_field(qtbot, window):
    w = window
    combo = w.inspector.loss
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    assert w.playback.playing
    w.playback.pause()
    seed = w.inspector.seed
    seed.setFocus()
    qtbot.keyClick(seed, Qt.Key.Key_Right)
    assert w.playback.step >= 1
    qtbot.keyClicks(seed, "9")  # typing now: the field keeps the keys
    step = w.playback.step
    qtbot.keyClick(seed, Qt.Key.Key_Left)
    assert w.playback.step == step
    qtbot.keyClick(seed, Qt.Key.Key_Escape)
    assert seed.text() == str(w.document.project.seed)
    assert QApplication.focusWidget() is w.canvas


def test_the_lesson_panel_keeps_its_page_keys(qtbot, window):
    """PageDown/PageUp walk a lesson when the focus is in its panel (the keys filter
    sits on the focused widget, so it must leave those two to the panel)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QDockWidget, QTextBrowser

    w = window
    dock = QDockWidget("Lesson", w)
    dock.setObjectName("lessonDock")
    text = QTextBrowser(dock)
    dock.setWidget(text)
    w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    dock.show()
    plain = Qt.KeyboardModifier.NoModifier
    watch = w.features["playback"].keys
    page = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_PageDown, plain)
    assert watch.eventFilter(text, page) is False  # left to the panel's own filter
    space = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_Space, plain)
    assert watch.eventFilter(text, space) is True  # Space still plays from there
