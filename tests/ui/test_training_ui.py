"""Training in the window: panel, controller slices, plots, data clicks, divergence, undo, files."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from nnviz.core import examples, features, io
from nnviz.core.network import Network
from nnviz.ui.document import Document
from nnviz.ui.main_window import MainWindow
from nnviz.ui.training import controller as ctl_mod
from nnviz.ui.training import maps, neuron_maps


@pytest.fixture
def window(open_window):
    return open_window("train_xor")


def params(net: Network) -> list[np.ndarray]:
    return [a.copy() for layer in net.layers for a in (layer.W, layer.b)]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_a_training_file_opens_with_the_training_panels(window):
    f = window.training
    assert f.visible
    for name in ("trainingPanel", "boundaryPlot", "lossPlot", "gradientEpochPlot"):
        assert window.findChild(object, name) is not None, name
    assert f.docks["trainingDock"].isVisible()
    # the default network (no training section) keeps today's window
    window.document.load_project(examples.default_project())
    assert not f.visible
    assert not f.docks["trainingDock"].isVisible()


def test_panel_controls_drive_the_trainer_while_it_runs(window, qtbot):
    f = window.training
    panel, ctrl = f.panel, f.controller
    ctrl.epoch_once()
    ctrl.epoch_once()
    assert ctrl.trainer.epoch == 2
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("adam"))
    panel.optimizer_combo.activated.emit(panel.optimizer_combo.currentIndex())
    panel.lr_combo.setEditText("0.01")
    panel.lr_combo.lineEdit().editingFinished.emit()
    panel.batch_spin.setValue(25)
    panel.batch_spin.editingFinished.emit()
    panel.reg_combo.setCurrentIndex(panel.reg_combo.findData("l2"))
    panel.reg_combo.activated.emit(panel.reg_combo.currentIndex())
    panel.reg_rate_combo.setEditText("0.003")
    panel.reg_rate_combo.lineEdit().editingFinished.emit()
    tr = ctrl.trainer
    assert tr.epoch == 2  # no reset: the same trainer goes on
    opt = tr.optimizer
    assert (opt.kind, opt.learning_rate, opt.regularization, opt.regularization_rate) == (
        "adam",
        0.01,
        "l2",
        0.003,
    )
    assert tr.spec.batch_size == 25 and tr.batches_per_epoch == 10
    # Apply update on the sample uses the panel's learning rate
    assert window.document.learning_rate == 0.01
    # a bad number: one sentence, nothing changes
    panel.lr_combo.setEditText("fast")
    panel.lr_combo.lineEdit().editingFinished.emit()
    assert "learning rate" in panel.message_label.text()
    assert tr.optimizer.learning_rate == 0.01
    panel.lr_combo.setEditText("-1")
    panel.lr_combo.lineEdit().editingFinished.emit()
    # in the window's words, not the file's ("training, learning_rate: …")
    msg = panel.message_label.text()
    assert msg.startswith("learning rate:") and "training," not in msg, msg
    assert tr.optimizer.learning_rate == 0.01
    panel.lr_combo.setEditText("1e400")  # a number beyond a float: too large, not "Infinity"
    panel.lr_combo.lineEdit().editingFinished.emit()
    msg = panel.message_label.text()
    assert "too large" in msg and "Infinity" not in msg and "inf" not in msg.split("'")[0]
    assert tr.optimizer.learning_rate == 0.01
    # the error is old news once training runs again
    ctrl.play()
    assert ctrl.playing and panel.message_label.text() == ""
    ctrl.pause()


def test_settings_sentences_in_the_windows_words():
    assert (
        ctl_mod.in_words("training, learning_rate: Infinity is not a finite number")
        == "learning rate: Infinity is not a finite number"
    )
    assert (
        ctl_mod.in_words("training, dataset, noise: 2 is not between 0 and 0.5")
        == "dataset noise: 2 is not between 0 and 0.5"
    )
    assert ctl_mod.in_words("a dataset keeps at least two points") == (
        "a dataset keeps at least two points"
    )


def test_xor_learns_in_the_window_and_play_stops_at_the_epoch(window, qtbot):
    f = window.training
    ctrl, panel = f.controller, f.panel
    panel.stop_spin.setValue(40)
    panel.speed_combo.setCurrentIndex(3)  # as fast as possible
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert ctrl.playing
    qtbot.waitUntil(lambda: not ctrl.playing, timeout=60_000)
    tr = ctrl.trainer
    assert tr.epoch == 40
    assert tr.history[-1].train_accuracy >= 0.95
    # the document shows the trained weights; the plots have every epoch
    assert same(params(window.document.network), params(tr.network))
    xs, ys = f.loss.train_curve.getData()
    assert len(xs) == 40 and ys[-1] == pytest.approx(tr.history[-1].train_loss)
    assert len(ctrl.grad_history) == 40
    assert "Epoch 40" in panel.epoch_label.text()
    assert "40" in window.document.undo_stack.text(window.document.undo_stack.index() - 1)


class FakeClock:
    def __init__(self, step: float) -> None:
        self.t = 0.0
        self.step = step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def test_a_slice_stops_at_its_time_budget_or_its_quota(window):
    ctrl = window.training.controller
    tr = ctrl.trainer
    ctrl.clock = FakeClock(0.005)  # every reading: 5 ms later
    r = ctrl.run_slice(0, 0, budget=0.012)
    # readings at 5 (start), then 10, 15, 20 after each step: 12 ms are spent in the 3rd
    assert r.steps == 3 and tr.steps_done == 3
    ctrl.clock = FakeClock(0.0)  # time stands still: only the quota stops it
    r = ctrl.run_slice(1, 0, budget=0.012)
    assert r.steps == 1
    r = ctrl.run_slice(0, 1, budget=0.012)
    assert len(r.epochs) == 1 and tr.epoch == 1 and tr.steps_done == tr.batches_per_epoch
    r = ctrl.run_slice(0, 3, budget=math.inf)
    assert [s.epoch for s in r.epochs] == [2, 3, 4]
    # the stop epoch ends a slice too
    ctrl.stop_at = 5
    r = ctrl.run_slice(0, 0, budget=math.inf)
    assert tr.epoch == 5
    # a real slice trains for about its budget, never for seconds
    ctrl.stop_at = 0
    ctrl.clock = ctl_mod.time.perf_counter
    r = ctrl.run_slice(0, 0, ctl_mod.SLICE_BUDGET_S)
    assert r.steps >= 1 and r.seconds < 0.5


def test_clicking_a_data_point_makes_it_the_sample(window, qtbot):
    f = window.training
    ctrl, plot = f.controller, f.boundary
    tr = ctrl.trainer
    k = int(tr.train_index[3])
    point = tr.data.points[k]
    pos = plot.view_pos((float(point[0]), float(point[1])))
    qtbot.mouseClick(plot.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    doc = window.document
    assert ctrl.sample_index is not None
    k = ctrl.sample_index  # the nearest point to the click (another may lie as close)
    point = tr.data.points[k]
    assert np.allclose(doc.sample.input, point)
    label = 1.0 if tr.data.labels[k] == 1 else -1.0
    assert doc.sample.target.tolist() == [label]
    # the trace (playback, chain rule) is for that point with the current weights
    from nnviz.core.propagation import forward

    assert np.allclose(doc.trace.output, forward(doc.network, point.reshape(1, 2)).output)
    assert "point" in doc.undo_stack.text(doc.undo_stack.index() - 1)
    # paused: Apply update steps the current weights on that point with the panel's rate
    window.training.panel.lr_combo.setEditText("0.1")
    window.training.panel.lr_combo.lineEdit().editingFinished.emit()
    before = params(doc.network)
    dW = doc.grads.dL_dW[1].copy()
    assert doc.apply_update()
    assert np.allclose(doc.network.layers[0].W, before[0] - 0.1 * dW)
    # ... and training continues from those weights
    assert same(params(ctrl.trainer.network), params(doc.network))


def test_divergence_pauses_marks_the_epoch_and_offers_the_last_finite_weights(qtbot):
    project = examples.load("train_xor")
    net = project.network
    net.set_activation(1, "relu")
    net.set_activation(2, "linear")
    project.training = project.training.with_changes(learning_rate=50.0)
    doc = Document(project)
    w = MainWindow(doc)
    qtbot.addWidget(w)
    w.show()
    f = w.training
    ctrl, panel = f.controller, f.panel
    panel.speed_combo.setCurrentIndex(3)
    ctrl.play()
    qtbot.waitUntil(lambda: not ctrl.playing, timeout=30_000)
    div = ctrl.divergence
    assert div is not None
    assert "diverged" in panel.message_label.text()
    assert panel.restore_button.isVisible()
    assert [line.value() for line in f.loss.divergence_lines] == [div.epoch]
    # the document never shows weights whose loss was not finite
    for layer in doc.network.layers:
        assert np.all(np.isfinite(layer.W))
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    assert ctrl.divergence is None
    assert not panel.restore_button.isVisible()
    assert same(params(doc.network), params(ctrl.trainer.network))
    assert all(np.all(np.abs(p) <= 1e6) for p in params(doc.network))


def test_undo_after_a_run_restores_the_start_weights(window, qtbot):
    ctrl = window.training.controller
    doc = window.document
    start = params(doc.network)
    count = doc.undo_stack.count()
    ctrl.set_speed(3)
    ctrl.play()
    qtbot.waitUntil(lambda: ctrl.trainer.epoch >= 3, timeout=30_000)
    ctrl.pause()
    assert doc.undo_stack.count() == count + 1  # one step for the whole run
    assert doc.undo_stack.undoText().startswith("Train")
    assert not same(start, params(doc.network))
    doc.undo_stack.undo()
    assert same(start, params(doc.network))
    assert same(start, params(ctrl.trainer.network))  # training goes on from there
    doc.undo_stack.redo()
    assert not same(start, params(doc.network))


def test_reset_gives_the_same_start_weights_and_batches(window):
    ctrl = window.training.controller
    ctrl.epoch_once()
    ctrl.reset()
    first = params(window.document.network)
    ctrl.epoch_once()
    after_one = params(window.document.network)
    ctrl.epoch_once()
    ctrl.reset()
    assert same(first, params(window.document.network))
    assert ctrl.trainer.epoch == 0 and ctrl.trainer.history == []
    ctrl.epoch_once()
    assert same(after_one, params(window.document.network))


def test_feature_toggles_change_the_input_layer_and_undo(window):
    f = window.training
    doc = window.document
    panel = f.panel
    old_w = doc.network.layers[0].W.copy()
    panel.feature_boxes["x1^2"].setChecked(True)
    assert doc.network.input_size == 3
    assert doc.training_spec.features == ("x1", "x2", "x1^2")
    assert np.array_equal(doc.network.layers[0].W[:, :2], old_w)
    p = f.controller.sample_point
    assert np.allclose(doc.sample.input, features.transform(p.reshape(1, 2), ["x1", "x2", "x1^2"]))
    assert f.controller.trainer.inputs.shape[1] == 3
    f.controller.epoch_once()
    panel.feature_boxes["x1"].setChecked(False)
    assert doc.training_spec.features == ("x2", "x1^2")
    doc.undo_stack.undo()  # the epoch
    doc.undo_stack.undo()  # x1 off
    assert doc.training_spec.features == ("x1", "x2", "x1^2")
    assert panel.feature_boxes["x1"].isChecked()
    doc.undo_stack.undo()
    assert doc.network.input_size == 2 and np.array_equal(doc.network.layers[0].W, old_w)
    assert not panel.feature_boxes["x1^2"].isChecked()
    # every feature off is refused with one sentence
    for name in ("x2",):
        panel.feature_boxes[name].setChecked(False)
    panel.feature_boxes["x1"].setChecked(False)
    assert "feature" in panel.message_label.text()
    assert doc.network.input_size == 1


def test_points_are_added_and_removed_by_clicking_and_undone(window):
    f = window.training
    ctrl, plot, doc = f.controller, f.boundary, window.document
    n = ctrl.trainer.data.count
    plot.edit_points.setChecked(True)
    a, b = _empty_spots(plot, 2)
    plot.click(a)  # empty place: a point of the positive class
    assert doc.training_spec.dataset.kind == "points"
    assert ctrl.trainer.data.count == n + 1
    assert doc.training_spec.dataset.points[-1] == (*a, 1.0)
    plot.click(b, Qt.KeyboardModifier.ShiftModifier)
    assert doc.training_spec.dataset.points[-1] == (*b, -1.0)
    plot.click(b)  # on the point: removed
    assert ctrl.trainer.data.count == n + 1
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert ctrl.trainer.data.count == n + 1
    doc.undo_stack.undo()
    assert doc.training_spec.dataset.kind == "xor" and ctrl.trainer.data.count == n


def _empty_spots(plot, k: int) -> list[tuple[float, float]]:
    """``k`` places of the plane far (in pixels) from every point and from each other."""
    out: list[tuple[float, float]] = []
    for x in np.linspace(-5.5, 5.5, 45):
        for y in np.linspace(-5.5, 5.5, 45):
            p = (float(x), float(y))
            far = all(
                abs(plot.view_pos(p).x() - plot.view_pos(q).x())
                + abs(plot.view_pos(p).y() - plot.view_pos(q).y())
                > 40
                for q in out
            )
            if far and plot.point_at(p) is None:
                out.append(p)
                if len(out) == k:
                    return out
    raise AssertionError("no empty place on the plot")


def test_dataset_controls_and_csv(window, tmp_path):
    f = window.training
    panel, ctrl, doc = f.panel, f.controller, window.document
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("spiral"))
    panel.kind_combo.activated.emit(panel.kind_combo.currentIndex())
    assert ctrl.trainer.spec.dataset.kind == "spiral"
    panel.noise_spin.setValue(20)
    panel.noise_spin.editingFinished.emit()
    panel.count_spin.setValue(300)
    panel.count_spin.editingFinished.emit()
    panel.split_spin.setValue(80)
    panel.split_spin.editingFinished.emit()
    spec = ctrl.trainer.spec
    assert (spec.dataset.noise, spec.count, spec.n_train) == (0.2, 300, 240)
    seed = spec.dataset.seed
    panel.regen_button.click()
    assert ctrl.trainer.spec.dataset.seed == seed + 1
    good = tmp_path / "pts.csv"
    good.write_text("x1,x2,label\n1,2,1\n-1,-2,-1\n3,3,1\n-3,-3,-1\n")
    assert panel.load_csv(good)
    assert ctrl.trainer.data.count == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,1\n1,oops,1\n")
    assert not panel.load_csv(bad)
    assert "line 3" in panel.message_label.text()
    assert ctrl.trainer.data.count == 4
    doc.undo_stack.undo()  # the CSV is one undo step
    assert ctrl.trainer.spec.dataset.kind == "spiral"


def test_the_settings_round_trip_through_the_file(window, tmp_path):
    f = window.training
    panel, doc = f.panel, window.document
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("momentum"))
    panel.optimizer_combo.activated.emit(panel.optimizer_combo.currentIndex())
    panel.batch_spin.setValue(20)
    panel.batch_spin.editingFinished.emit()
    panel.feature_boxes["sin(x1)"].setChecked(True)
    f.controller.epoch_once()
    path = tmp_path / "trained.json"
    doc.save(path)
    loaded = io.load(path)
    assert loaded.training == doc.training_spec
    assert loaded.training.optimizer == "momentum" and loaded.training.batch_size == 20
    assert loaded.training.features == ("x1", "x2", "sin(x1)")
    assert loaded.network.same_as(doc.network)
    doc2 = Document()
    w2 = MainWindow(doc2)
    w2.open_path(path)
    assert w2.training.visible
    assert w2.training.panel.optimizer_combo.currentData() == "momentum"
    assert w2.training.panel.feature_boxes["sin(x1)"].isChecked()
    w2.close()


def test_neuron_maps_and_the_boundary_follow_the_weights(window, qtbot):
    f = window.training
    doc = window.document
    images = neuron_maps(doc, 16)
    assert sorted(images) == [(1, j) for j in range(4)]
    img = images[(1, 0)]
    assert (img.width(), img.height()) == (16, 16)
    # the map is the neuron's value over the plane, coloured as TFP does
    from nnviz.core import training_view

    v = training_view.neuron_values(doc.network, ("x1", "x2"), 16)[1][:, :, 0]
    expected = maps.colorize(v)
    c = img.pixelColor(3, 15 - 5)  # image rows run top-down; the plane's x2 runs up
    assert (c.red(), c.green(), c.blue()) == tuple(expected[5, 3, :3])
    # the canvas draws them through its hook
    assert f.neuron_image(1, 2) is not None
    window.canvas.grab()
    # the output over the plane: 100 × 100 pixels of the output's colours
    out = f.controller.plane_values(100)[-1]
    assert f.boundary.pixels.shape == (100, 100, 4)
    assert np.array_equal(f.boundary.pixels, maps.output_pixels(out, "mse"))
    f.boundary.discretize.setChecked(True)
    assert set(map(tuple, f.boundary.pixels.reshape(-1, 4)[:, :3].tolist())) <= {
        tuple(maps.LUT[0, :3]),
        tuple(maps.LUT[255, :3]),
    }
    # hovering a hidden neuron (the real mouse over the canvas) shows its map in the big plot
    canvas = window.canvas
    _move(canvas, canvas.view_pos_of(_neuron(1, 1)))
    assert f.boundary.neuron == (1, 1)
    v = training_view.neuron_values(doc.network, ("x1", "x2"), f.controller.boundary_size())
    assert np.array_equal(f.boundary.pixels, maps.colorize(v[1][:, :, 1], True))  # discretized
    assert "Neuron 2 of layer 1" in f.boundary.caption.text()
    f.on_hover(None)
    assert f.boundary.neuron is None


def _move(canvas, pos) -> None:
    """A mouse move over the canvas, sent to it (other test windows may lie on top)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    vp = canvas.viewport()
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(vp.mapToGlobal(pos.toPoint())),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(vp, event)


def _neuron(l, j):  # noqa: E741
    from nnviz.ui.document import Selection

    return Selection.of_neuron(l, j)


def test_three_classes_show_a_confusion_matrix(qtbot):
    doc = Document(examples.load("train_three_classes"))
    w = MainWindow(doc)
    qtbot.addWidget(w)
    w.show()
    f = w.training
    for _ in range(3):
        f.controller.epoch_once()
    table = f.loss.confusion
    assert table.isVisibleTo(f.loss)
    assert table.rowCount() == 3
    tr = f.controller.trainer
    total = sum(int(table.item(r, c).text()) for r in range(3) for c in range(3))
    assert total == tr.test_index.size
    acc = sum(int(table.item(k, k).text()) for k in range(3)) / total
    assert acc == pytest.approx(tr.history[-1].test_accuracy)


def test_a_network_that_cannot_train_says_so(qtbot):
    doc = Document(examples.default_project())
    w = MainWindow(doc)
    qtbot.addWidget(w)
    f = w.training
    f.set_visible(True)
    ctrl = f.controller
    if ctrl.spec is not None:  # the default network has two inputs: it trains on circle
        assert ctrl.play()
        ctrl.pause()
    big = Network.create([9, 2, 1], "tanh", seed=0)
    doc.load_project(io.Project(big, io.Sample(np.zeros(9), np.zeros(1))))
    f.set_visible(True)
    assert ctrl.spec is None
    assert not ctrl.play()
    assert "1 to 7 inputs" in f.panel.message_label.text()


def test_view_pos_is_on_the_plot(window):
    plot = window.training.boundary
    p = plot.view_pos((0.0, 0.0))
    assert isinstance(p, QPointF) or hasattr(p, "x")
    assert 0 < p.x() < plot.plot.width() and 0 < p.y() < plot.plot.height()


def test_a_settings_change_leaves_the_file_unsaved(window, tmp_path):
    doc = window.document
    doc.save(tmp_path / "a.json")
    assert not doc.modified
    window.training.controller.change_settings(learning_rate=0.3)
    assert doc.modified
    assert doc.undo_stack.count() == 0  # a setting is not an undo step


def test_opening_another_file_while_training_ends_the_run_cleanly(window, qtbot):
    ctrl = window.training.controller
    doc = window.document
    ctrl.set_speed(3)
    ctrl.play()
    qtbot.waitUntil(lambda: ctrl.trainer.epoch >= 1, timeout=30_000)
    assert doc.modified  # trained weights are unsaved work: closing asks
    doc.load_project(examples.load("train_three_classes"))
    assert not ctrl.playing
    assert doc.undo_stack.count() == 0  # nothing of the old file's run in the new history
    assert doc.network.sizes == examples.load("train_three_classes").network.sizes
    assert ctrl.trainer.data.classes == 3


def test_a_student_trains_the_spiral_then_steps_into_a_misclassified_point(qtbot):
    """The issue's 'done means': spiral, add a layer, x1² and x2² on, play; pause, click a
    misclassified point, step through its backward pass with the real numbers."""
    from nnviz.core.propagation import backward, forward

    doc = Document(examples.load("train_spiral"))
    w = MainWindow(doc)
    qtbot.addWidget(w)
    w.show()
    f = w.training
    ctrl, panel, plot = f.controller, f.panel, f.boundary
    for name in list(panel.feature_boxes):  # x1, x2, x1², x2² only
        panel.feature_boxes[name].setChecked(name in ("x1", "x2", "x1^2", "x2^2"))
    depth = doc.network.depth
    w.add_layer()
    assert doc.network.depth == depth + 1 and doc.network.input_size == 4
    panel.stop_spin.setValue(25)
    panel.speed_combo.setCurrentIndex(3)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ctrl.playing, timeout=120_000)
    tr = ctrl.trainer
    assert tr.epoch == 25 and tr.network.depth == depth + 1
    assert tr.history[-1].train_loss < tr.history[0].train_loss
    # a misclassified training point, clicked on the plot
    out = tr.predict(tr.data.points)[:, 0]
    wrong = [int(k) for k in tr.train_index if (out[k] >= 0) != (tr.data.labels[k] == 1)]
    assert wrong, "the spiral is not learnt in 25 epochs; some point is misclassified"
    k = wrong[0]
    plot.click(tuple(tr.data.points[k]))
    k = ctrl.sample_index
    assert k is not None
    x = features.transform(tr.data.points[k].reshape(1, 2), ["x1", "x2", "x1^2", "x2^2"])[0]
    assert np.allclose(doc.sample.input, x)
    # the backward pass shown is the engine's, for that point and the trained weights
    pb = w.playback
    pb.seek(pb.plan.last, 0.0)
    expected = backward(doc.network, forward(doc.network, x), doc.sample.target)
    assert np.allclose(doc.grads.dL_dW[1], expected.dL_dW[1])
    from nnviz.ui.document import Selection

    doc.select(Selection.of_edge(1, 0, 0))
    text = w.findChild(object, "chainRuleText").toPlainText()
    dw = expected.dL_dW[1][0, 0]
    assert f"= {dw:.3f}".replace("-", "−") in text  # ∂L/∂w with the real numbers
    assert f"− {doc.learning_rate:g} ×" in text and doc.learning_rate == tr.spec.learning_rate


def test_the_plots_follow_the_theme(window):
    f = window.training
    window.apply_theme("dark", remember=False)
    dark = f.loss.plot.backgroundBrush().color().name()
    window.apply_theme("light", remember=False)
    light = f.loss.plot.backgroundBrush().color().name()
    assert dark != light
    assert f.boundary.plot.backgroundBrush().color().name() == light


def test_training_and_the_pass_playback_take_turns(window, qtbot):
    ctrl = window.training.controller
    pb = window.playback
    pb.seek(3, 0.0)
    ctrl.set_speed(3)
    ctrl.play()  # training starts: the pass goes back to its start
    assert not pb.is_active()
    qtbot.waitUntil(lambda: ctrl.trainer.steps_done >= 1, timeout=30_000)
    pb.play()  # playing the pass pauses training
    assert not ctrl.playing
    pb.pause()


def test_the_wheel_over_an_unfocused_setting_scrolls_instead_of_changing_it(window):
    """QA: turning the wheel over the training panel changed the learning rate."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QWidget

    panel = window.findChild(QWidget, "trainingPanel")
    combo = panel.lr_combo
    before = combo.currentText()
    assert not combo.hasFocus()
    for delta in (-120, -120, 120):
        ev = QWheelEvent(
            QPointF(5, 5),
            QPointF(combo.mapToGlobal(QPoint(5, 5))),
            QPoint(0, 0),
            QPoint(0, delta),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(combo, ev)
    assert combo.currentText() == before
    combo.setFocus()  # the field being edited still takes the wheel
    QApplication.sendEvent(
        combo,
        QWheelEvent(
            QPointF(5, 5),
            QPointF(combo.mapToGlobal(QPoint(5, 5))),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        ),
    )
