"""The main window as a user drives it: select, edit, scrub, undo, add layers, save, reopen."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QWidget

from nnviz.core import examples, io, propagation
from nnviz.ui.document import Document, Selection
from nnviz.ui.main_window import MainWindow


@pytest.fixture
def window(open_window):
    w = open_window(examples.default_project(), theme_choice="light")
    w.canvas.fit()
    return w


def click(qtbot, canvas, sel: Selection, button=Qt.MouseButton.LeftButton):
    pos = canvas.view_pos_of(sel).toPoint()
    qtbot.mouseClick(canvas.viewport(), button, pos=pos)


def test_title_names_the_file_and_marks_changes(window):
    assert "nnviz" in window.windowTitle()
    assert not window.isWindowModified()
    window.document.set_weight(1, 0, 0, 0.123)
    assert window.isWindowModified()


def test_clicking_a_neuron_selects_it_and_inspector_shows_it(qtbot, window):
    canvas = window.canvas
    click(qtbot, canvas, Selection.of_neuron(1, 2))
    assert window.document.selection == Selection.of_neuron(1, 2)
    assert window.inspector.bias.isVisible()
    assert window.inspector.bias.value() == pytest.approx(0.05)
    assert "Neuron 3 of layer 1" in window.inspector.title.text()


def test_clicking_an_edge_selects_it(qtbot, window):
    canvas = window.canvas
    sel = Selection.of_edge(2, 0, 1)
    click(qtbot, canvas, sel)
    assert window.document.selection == sel
    assert window.inspector.weight.value() == pytest.approx(-0.7)


def test_clicking_empty_space_clears_the_selection(qtbot, window):
    window.document.select(Selection.of_neuron(1, 0))
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert window.document.selection is None


def test_inspector_edit_changes_network_and_values_and_undo_restores(qtbot, window):
    doc = window.document
    before = doc.network.copy()
    loss_before = doc.grads.loss
    doc.select(Selection.of_edge(1, 0, 0))
    window.inspector.weight.setValue(2.5)
    assert doc.network.layers[0].W[0, 0] == 2.5
    expected = propagation.evaluate(doc.network, doc.sample.input, doc.sample.target)[1].loss
    assert doc.grads.loss == pytest.approx(expected)
    assert doc.grads.loss != pytest.approx(loss_before)
    window.actions_by_name["undoAction"].trigger()
    assert doc.network.same_as(before)
    assert doc.grads.loss == loss_before
    assert window.inspector.weight.value() == pytest.approx(0.8)
    window.actions_by_name["redoAction"].trigger()
    assert doc.network.layers[0].W[0, 0] == 2.5


def test_scrubbing_a_weight_by_dragging_is_one_undo_step(qtbot, window):
    doc, canvas = window.document, window.canvas
    sel = Selection.of_edge(2, 0, 0)
    pos = canvas.view_pos_of(sel).toPoint()
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    for dy in (5, 10, 20, 40):
        qtbot.mouseMove(canvas.viewport(), pos - QPoint(0, dy))
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos - QPoint(0, 40))
    assert doc.selection == sel
    assert doc.network.layers[1].W[0, 0] == pytest.approx(1.2 + 0.4)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.network.layers[1].W[0, 0] == 1.2


def test_mouse_wheel_on_the_selection_changes_it(qtbot, window):
    doc, canvas = window.document, window.canvas
    sel = Selection.of_neuron(1, 0)
    doc.select(sel)
    pos = canvas.view_pos_of(sel)
    ev = QWheelEvent(
        pos,
        canvas.viewport().mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    canvas.wheelEvent(ev)
    assert doc.network.layers[0].b[0] == pytest.approx(0.1 + 0.2)
    shown = doc.trace.z[1][0, 0]
    assert shown == pytest.approx(1.15 + 0.2)


def test_ctrl_wheel_zooms(qtbot, window):
    canvas = window.canvas
    before = canvas.zoom_level()
    pos = QPointF(50, 50)
    ev = QWheelEvent(
        pos,
        canvas.viewport().mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    canvas.wheelEvent(ev)
    assert canvas.zoom_level() == pytest.approx(before * 1.15)
    window.actions_by_name["zoomOutAction"].trigger()
    assert canvas.zoom_level() == pytest.approx(before * 1.15 * 0.8)


def test_add_and_remove_layer_and_neuron_from_the_toolbar(qtbot, window):
    doc = window.document
    doc.select(Selection.of_neuron(1, 0))
    window.actions_by_name["addLayerAction"].trigger()
    assert doc.network.sizes == [2, 3, 3, 1]
    window.actions_by_name["addNeuronAction"].trigger()
    assert doc.network.sizes == [2, 4, 3, 1]
    doc.select(Selection.of_neuron(1, 3))
    window.actions_by_name["removeNeuronAction"].trigger()
    assert doc.network.sizes == [2, 3, 3, 1]
    doc.select(Selection.of_neuron(2, 0))
    window.actions_by_name["removeLayerAction"].trigger()
    assert doc.network.sizes == [2, 3, 1]
    for _ in range(4):
        doc.undo_stack.undo()
    assert doc.network.sizes == [2, 3, 1]
    assert doc.network.same_as(examples.default_project().network)


def test_shape_limit_gives_one_sentence_and_changes_nothing(qtbot, window):
    doc = window.document
    doc.select(Selection.of_neuron(1, 0))
    before = doc.network.copy()
    count = doc.undo_stack.count()
    doc.select(Selection.of_neuron(2, 0))
    window.actions_by_name["removeNeuronAction"].trigger()  # the only output neuron
    assert doc.network.same_as(before)
    assert doc.undo_stack.count() == count
    assert "only one neuron" in window.status.text()


def test_context_menu_lists_layer_edits(qtbot, window):
    menu = window.canvas.build_context_menu(Selection.of_neuron(1, 1))
    texts = [a.text() for a in menu.actions()]
    assert any("Add a neuron to layer 1" in t for t in texts)
    assert any("Remove hidden layer 1" in t for t in texts)
    remove = next(a for a in menu.actions() if a.text().startswith("Remove this neuron"))
    remove.trigger()
    assert window.document.network.sizes == [2, 2, 1]


def test_activation_and_loss_choices(qtbot, window):
    doc = window.document
    doc.select(Selection.of_neuron(1, 0))
    combo = window.inspector.activation
    combo.setCurrentIndex(combo.findData("relu"))
    combo.activated.emit(combo.currentIndex())
    assert doc.network.layers[0].activation == "relu"
    np.testing.assert_allclose(doc.trace.a[1], np.maximum(doc.trace.z[1], 0))
    loss = window.inspector.loss
    loss.setCurrentIndex(loss.findData("bce"))  # the default's output is sigmoid
    loss.activated.emit(loss.currentIndex())
    assert doc.network.loss == "bce"
    loss.setCurrentIndex(loss.findData("cross_entropy"))  # needs softmax: refused
    loss.activated.emit(loss.currentIndex())
    assert doc.network.loss == "bce"
    assert loss.currentData() == "bce"
    assert "softmax" in window.status.text()


def test_reinitialise_from_seed_is_reproducible(qtbot, window):
    doc = window.document
    doc.reinitialise(42, "xavier")
    first = doc.network.copy()
    doc.reinitialise(1, "xavier")
    doc.reinitialise(42, "xavier")
    assert doc.network.same_as(first)


def test_save_then_open_round_trips(qtbot, window, tmp_path):
    doc = window.document
    doc.set_weight(1, 1, 0, -2.25)
    doc.set_input(0, 0.3)
    path = tmp_path / "net.json"
    assert window._save_to(path)
    assert not window.isWindowModified()
    assert "net.json" in window.windowTitle()
    saved = doc.project.copy()
    doc.load_project(examples.default_project())
    assert window.open_path(path)
    assert doc.network.same_as(saved.network)
    np.testing.assert_array_equal(doc.sample.input, saved.sample.input)
    assert json.loads(path.read_text())["format"] == "nnviz.network"
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temp file left


def test_invalid_file_leaves_the_document_unchanged(qtbot, window, tmp_path):
    doc = window.document
    doc.set_weight(1, 0, 0, 3.0)
    before = doc.project.copy()
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "nnviz.network", "version": 1, "layers": [{"size": 2}, '
        '{"size": 3, "weights": [[1, 2], [3, 4]]}]}'
    )
    assert not window.open_path(bad)
    assert doc.network.same_as(before.network)
    assert doc.modified
    assert "layer 1: weights has 2 rows, expected 3" in window.status.text()


def test_recent_files_are_remembered(qtbot, window, tmp_path):
    from nnviz.ui import settings

    path = tmp_path / "r.json"
    io.save(examples.default_project(), path)
    window.open_path(path)
    assert settings.recent_files()[0] == str(path.resolve())


def test_theme_and_decimals(qtbot, window):
    from nnviz.ui import theme

    window.apply_theme("dark")
    assert theme.current().dark
    window.set_decimals(5)
    assert window.document.decimals == 5
    window.apply_theme("light")
    assert not theme.current().dark


def test_every_action_has_a_name_and_tooltip(window):
    for name, act in window.actions_by_name.items():
        assert act.objectName() == name
        assert act.toolTip()


def test_grab_renders_the_window(window):
    img = window.grab().toImage()
    assert img.width() >= 1000
    # the canvas is not blank: it has both sign colours of the edges
    canvas_img = window.canvas.viewport().grab().toImage()
    colors = {
        canvas_img.pixelColor(x, y).name()
        for x in range(0, canvas_img.width(), 3)
        for y in range(0, canvas_img.height(), 3)
    }
    assert len(colors) > 20


@pytest.mark.parametrize(("answer", "closes"), [("Cancel", False), ("Discard", True)])
def test_quit_asks_about_unsaved_changes(qtbot, window, answer, closes):
    from PySide6.QtWidgets import QMessageBox

    window.unsaved_answer = getattr(QMessageBox.StandardButton, answer)
    window.document.set_bias(1, 0, 0.7)
    window.close()
    assert window.isVisible() is not closes
    assert window.document.network.layers[0].b[0] == 0.7  # nothing lost either way


def test_with_no_screen_unsaved_changes_are_kept_and_nothing_blocks(qtbot, window):
    window.document.set_bias(1, 0, 0.7)
    window.open_example("one_neuron")  # would ask; offscreen nobody can answer
    assert window.document.network.sizes == [2, 3, 1]
    assert window.document.network.layers[0].b[0] == 0.7
    assert "unsaved changes" in window.status.text()


def test_clicking_where_edges_cross_selects_the_edge_asked_for(qtbot, window):
    # in the 2-3-1 network, edges (1, 1, 0) and (1, 0, 1) cross at their midpoints
    for sel in (
        Selection.of_edge(1, 1, 0),
        Selection.of_edge(1, 0, 1),
        Selection.of_edge(1, 1, 1),
        Selection.of_edge(1, 2, 0),
    ):
        click(qtbot, window.canvas, sel)
        assert window.document.selection == sel


def test_history_names_the_value_a_scrub_arrived_at(qtbot, window):
    doc = window.document
    doc.set_weight(2, 0, 1, -0.6, gesture=77)
    doc.set_weight(2, 0, 1, -0.5, gesture=77)
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.text(0).endswith("to -0.5")


@pytest.mark.parametrize("step", [0, 5, 8, 14])
def test_window_grab_shows_the_canvas_exactly_as_the_canvas_paints_it(qtbot, window, step):
    """--screenshot grabs the whole window; the canvas inside must match its own paint.

    (A cache keyed on the device transform once drew the animation 48 px low in
    window grabs only, so that every neuron appeared twice.)
    """
    window.playback.seek_step(step)
    vp = window.canvas.viewport()
    alone = vp.grab().toImage()
    whole = window.grab().toImage()
    top_left = vp.mapTo(window, QPoint(0, 0))
    inside = whole.copy(top_left.x(), top_left.y(), alone.width(), alone.height())
    assert inside.convertToFormat(alone.format()) == alone


def test_plot_panels_follow_right_after_the_first_paint(qtbot):
    """The interactive start paints the canvas first and builds the plot docks just after."""
    w = MainWindow(Document(examples.default_project()), theme_choice="light", defer_panels=True)
    assert w.activation_plot is None and w.playback is None
    w.show()
    # a generous bound: with other test processes on the cores the docks take a while
    qtbot.waitUntil(lambda: w.activation_plot is not None, timeout=30_000)
    assert w.findChild(QWidget, "playbackBar") is not None
    assert w.findChild(QWidget, "chainRulePanel") is not None
    w.playback.step_forward()
    assert w.playback.frame.step is not None
    assert w.findChild(QWidget, "activationPlot") is w.activation_plot
    assert w.findChild(QWidget, "gradientFlowPlot") is not None
    assert "Activation f(z) and f′(z)" in [a.text() for a in w.panels_menu.actions()]
    w.close()
    w.deleteLater()


def test_reinitialise_keeps_a_large_seed_from_the_file(qtbot, window):
    doc = window.document
    project = examples.default_project()
    project.seed = 2**40
    doc.load_project(project)
    assert window.inspector.seed.text() == str(2**40)
    window.inspector.reinit.click()
    assert doc.project.seed == 2**40
    window.inspector.seed.setText("99999999999999999999")  # beyond 2^63 - 1
    before = doc.network.copy()
    window.inspector.reinit.click()
    assert doc.network.same_as(before)
    assert "seed must be a whole number" in window.status.text()


def test_a_plot_behind_another_tab_catches_up_when_its_tab_is_chosen(qtbot, window):
    flow = window.gradient_flow
    window.docks["activationPlotDock"].raise_()
    qtbot.waitUntil(lambda: flow.visibleRegion().isEmpty())
    window.document.load_project(examples.load("deep_sigmoid"))
    assert flow._stale  # the edit cost it nothing while hidden
    assert len(flow.dL_dz) == 2  # still the 2-3-1 network's
    window.docks["gradientFlowDock"].raise_()
    qtbot.waitUntil(lambda: not flow._stale)
    grads = window.document.grads
    expected = [np.mean(np.abs(grads.dL_dz[l])) for l in range(1, 10)]  # noqa: E741
    np.testing.assert_allclose(flow.dL_dz, expected)


def test_theme_from_the_command_line_is_not_remembered_but_the_menu_choice_is(qtbot, window):
    from nnviz.ui import settings

    settings.put("theme", "light")
    w = MainWindow(Document(), theme_choice="dark")  # as `nnviz --theme dark`
    assert settings.get("theme") == "light"
    w._theme_actions["dark"].trigger()
    assert settings.get("theme") == "dark"
    w.apply_theme("light")
    w.close()
    w.deleteLater()


def test_open_example_menu_lists_every_example_and_opens_it(qtbot, window):
    menu = window.examples_menu
    menu.aboutToShow.emit()  # filled when first opened (start-up reads no example titles)
    menu.aboutToShow.emit()  # and only once
    acts = {a.objectName(): a for a in menu.actions()}
    assert sorted(acts) == [f"example_{n}" for n in examples.names()]
    assert acts["example_one_neuron"].text() == examples.title("one_neuron")
    acts["example_one_neuron"].trigger()
    assert window.document.network.sizes == examples.load("one_neuron").network.sizes
