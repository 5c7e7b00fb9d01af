"""Training at small screens (issue 12): the canvas keeps at least half of the width, no
control is cut, the run controls stay in sight; and every control that code can change
shows the controller's value (one source of truth)."""

from __future__ import annotations

import struct
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDockWidget

from nnviz.core import examples
from nnviz.ui import window_layout
from nnviz.ui.document import Document
from nnviz.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("train_xor", "train_spiral", "train_three_classes")


def _window(qtbot, name: str, size: tuple[int, int]) -> MainWindow:
    w = MainWindow(Document(examples.load(name)))
    qtbot.addWidget(w)
    w.resize(*size)
    window_layout.arrange(w)
    w.resize(*size)  # (the roomy arrangement it was built with had a wider minimum)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(50)  # the arrangement's second pass (once the window is laid out)
    return w


def _tabbed(w, a: str, b: str) -> bool:
    return w.docks[b] in w.tabifiedDockWidgets(w.docks[a])


@pytest.mark.parametrize("size", [(921, 691), (1024, 768), (1152, 720), (1280, 800)])
@pytest.mark.parametrize("name", EXAMPLES)
def test_a_small_window_gives_training_a_compact_layout(qtbot, name, size):
    w = _window(qtbot, name, size)
    f = w.training
    assert f.visible and f.compact
    assert w.size().toTuple() == size  # the docks' minimums fit: the window did not grow
    assert window_layout.layout_problems(w) == []
    assert w.canvas.width() >= w.width() / 2
    # the run controls in one row above the canvas, not twice
    assert f.runbar.isVisible() and not f.panel.run_controls.isVisible()
    bar = f.runbar
    for b in (bar.play_button, bar.step_button, bar.epoch_button, bar.reset_button):
        assert b.isVisible() and bar.rect().contains(b.geometry()), b.objectName()
    # the right column: one tab group, the data plot in front; the general plots are
    # closed to make room (they come back when training hides)
    for name in ("lossDock", "gradientEpochDock", "trainingDock", "inspectorDock"):
        assert _tabbed(w, "boundaryDock", name), name
    assert not f.docks["boundaryDock"].visibleRegion().isEmpty()
    assert w.docks["boundaryDock"].windowTitle() == "Data"
    for name in window_layout.PLOT_DOCKS:
        assert w.findChild(QDockWidget, name).isHidden(), name


def test_a_roomy_window_keeps_the_left_column(qtbot):
    w = _window(qtbot, "train_spiral", (1440, 900))
    f = w.training
    assert not f.compact
    assert not f.runbar.isVisible() and f.panel.run_controls.isVisible()
    left = w.dockWidgetArea(f.docks["trainingDock"])
    assert (
        left
        == w.dockWidgetArea(f.docks["boundaryDock"])
        != w.dockWidgetArea(w.findChild(QDockWidget, "inspectorDock"))
    )


def test_the_run_controls_follow_the_window_across_the_compact_height(qtbot):
    w = _window(qtbot, "train_xor", (1280, 800))
    f = w.training
    assert f.runbar.isVisible()
    w.resize(1440, 950)
    qtbot.waitUntil(lambda: not f.runbar.isVisible())
    assert f.panel.run_controls.isVisibleTo(w.docks["trainingDock"])
    f.arrange()  # back to the roomy arrangement: the left column again, the plots open
    assert w.dockWidgetArea(f.docks["trainingDock"]) != w.dockWidgetArea(w.docks["inspectorDock"])
    assert not w.docks["activationPlotDock"].isHidden()
    assert w.docks["lossDock"] in w.tabifiedDockWidgets(w.docks["activationPlotDock"])
    w.resize(1024, 768)
    f.arrange()
    qtbot.wait(50)
    assert f.runbar.isVisible() and window_layout.layout_problems(w) == []
    # a file without training: no run bar, today's window (the plots open again)
    w.document.load_project(examples.default_project())
    assert not f.runbar.isVisible()
    for name in window_layout.PLOT_DOCKS:
        assert not w.findChild(QDockWidget, name).isHidden(), name
    assert w.docks["inspectorDock"] in w.tabifiedDockWidgets(w.docks["activationPlotDock"])
    assert window_layout.layout_problems(w) == []


def test_the_run_bar_drives_and_shows_the_controller(qtbot):
    w = _window(qtbot, "train_xor", (1024, 768))
    bar, ctrl = w.training.runbar, w.training.controller
    bar.epoch_button.click()
    assert ctrl.trainer.epoch == 1 and bar.epoch_label.text() == "Epoch 1"
    bar.step_button.click()
    assert bar.epoch_label.text() == "Epoch 1 · step 1/25"
    ctrl.stop_at = 3
    bar.play_button.click()
    assert ctrl.playing and bar.play_button.text() == "Pause" and bar.play_button.isChecked()
    qtbot.waitUntil(lambda: not ctrl.playing, timeout=30_000)
    assert bar.epoch_label.text() == "Epoch 3" and bar.play_button.text() == "Play"
    bar.reset_button.click()
    assert bar.epoch_label.text() == "Epoch 0"


@pytest.mark.parametrize("size", ["1024x768", "1280x800"])
def test_screenshot_of_a_training_example_is_exactly_the_size_asked(tmp_path, size):
    out = tmp_path / "shot.png"
    r = subprocess.run(
        [sys.executable, "-m", "nnviz", "--screenshot", str(out), "--size", size,
         str(resources.files("nnviz.resources").joinpath("networks", "train_three_classes.json"))],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    w, h = struct.unpack(">II", out.read_bytes()[16:24])
    assert f"{w}x{h}" == size


# ------------------------------------------------------------ one source of truth
def test_controls_follow_settings_changed_from_code(qtbot):
    w = _window(qtbot, "train_xor", (1440, 900))
    f = w.training
    ctrl, panel, doc = f.controller, f.panel, w.document
    ctrl.set_speed(3)
    assert panel.speed_combo.currentIndex() == 3
    ctrl.speed = 0
    assert panel.speed_combo.currentIndex() == 0
    ctrl.stop_at = 40
    assert panel.stop_spin.value() == 40
    assert ctrl.change_settings(learning_rate=0.3, batch_size=5, optimizer="momentum")
    assert panel.lr_combo.currentText() == "0.3" and panel.batch_spin.value() == 5
    assert panel.optimizer_combo.currentData() == "momentum"
    assert doc.learning_rate == 0.3 and w.inspector.learning_rate.value() == 0.3
    # the inspector's η (Apply update's) is the training's η too
    w.inspector.learning_rate.setValue(0.1)
    assert doc.training_spec.learning_rate == 0.1 and panel.lr_combo.currentText() == "0.1"
    assert ctrl.trainer.optimizer.learning_rate == 0.1
    assert doc.set_learning_rate(0.05)
    assert panel.lr_combo.currentText() == "0.05"
    # and the panel's controls drive the controller
    panel.speed_combo.setCurrentIndex(2)
    assert ctrl.speed == 2
    panel.stop_spin.setValue(7)
    assert ctrl.stop_at == 7
