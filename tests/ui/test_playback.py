"""Playback as a teacher drives it: seek every step and check the numbers against the engine.

No sleeps and no wall clock: the timeline is a position; tests seek, step, press
the shortcut keys or call ``advance(ticks)`` (what the one QTimer does) and assert
exactly what the canvas lights and writes.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from nnviz.core import examples, explain, io, propagation
from nnviz.core.explain import fmt
from nnviz.core.network import Network
from nnviz.core.timeline import Position, build_plan
from nnviz.ui.canvas import animation
from nnviz.ui.document import Document, Selection
from nnviz.ui.main_window import MainWindow
from nnviz.ui.playback import PlaybackController

# also run on real X screens (Xvfb, xcb) by .ci/run's real-screen phase
pytestmark = pytest.mark.realscreen


def _discard_changes(w: MainWindow) -> None:
    # pytest-qt closes widgets before fixtures tear down: no "unsaved changes" question
    w.document.undo_stack.setClean()


def make_window(qtbot, project) -> MainWindow:
    w = MainWindow(Document(project), theme_choice="light")
    qtbot.addWidget(w, before_close_func=_discard_changes)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.canvas.fit()
    return w


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    return make_window(qtbot, examples.load("default"))


@pytest.fixture
def exercise(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    return make_window(qtbot, examples.load("one_neuron"))


def painted(window) -> animation.FrameScene | None:
    """Paint the canvas now; the scene of the frame on it (None in the editing view)."""
    window.canvas.viewport().grab()
    if not window.canvas.playback_active:
        return None
    return window.playback.painter.scene(window.canvas)


def number(text: str) -> str:
    """The number a label ends with: ``z = −2.0`` → ``−2.0``."""
    return text.rsplit("= ", 1)[-1].rsplit(" → ", 1)[-1]


# ------------------------------------------------------------------- wiring
def test_install_wires_the_controller_bar_panel_and_shortcuts(window):
    c = window.playback
    assert isinstance(c, PlaybackController)
    assert window.context.playback is c
    assert list(window.features) == ["playback", "chain_rule", "plots", "training"]
    assert window.findChild(QWidget, "playbackBar") is window.features["playback"].bar
    chain_rule = window.features["chain_rule"]
    assert window.findChild(QWidget, "chainRulePanel") is chain_rule.panel
    assert chain_rule.dock.objectName() == "chainRuleDock"
    assert chain_rule.check_action in window.menu("playbackMenu").actions()
    keys = {
        "playPauseAction": ["Space"],
        "stepForwardAction": ["Right", "PgDown"],
        "stepBackAction": ["Left", "PgUp"],
        "toStartAction": ["Home"],
        "toEndAction": ["End"],
        "gradCheckAction": ["Ctrl+G"],
    }
    for name, expected in keys.items():
        act = window.actions_by_name[name]
        assert [k.toString() for k in act.shortcuts()] == expected
        assert act.toolTip() and act.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    for name in (
        "toStartButton",
        "stepBackButton",
        "playButton",
        "stepForwardButton",
        "toEndButton",
        "stepSlider",
        "stepLabel",
        "speedCombo",
        "granularityCombo",
        "applyUpdateButton",
        "gradCheckButton",
        "chainRuleText",
    ):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.toolTip(), name
    assert window.findChild(QWidget, "playbackMenu") is not None
    assert ("Play / Pause", "Space") in window.shortcut_table()


def test_step_zero_is_the_editing_view_and_later_steps_animate(window):
    c = window.playback
    assert c.step == 0 and not window.canvas.playback_active
    assert painted(window) is None  # the static layer shows every number itself
    c.seek_step(1)
    assert window.canvas.playback_active
    assert painted(window) is not None
    c.to_start()
    assert not window.canvas.playback_active
    c.play()
    assert window.canvas.playback_active  # playing from the start animates it
    c.pause()


# ----------------------------------------------------------- every step
def check_scene_against_engine(window, scene: animation.FrameScene) -> None:
    """Every number the frame writes is the engine's; what is shown follows the frame."""
    doc = window.document
    d = doc.decimals
    net = doc.network
    trace, grads = propagation.evaluate(net, doc.sample.input, doc.sample.target)
    frame = scene.frame
    backward = frame.phase in ("backward", "update")
    for l, n in enumerate(net.sizes):  # noqa: E741
        for j in range(n):
            texts = {k[0]: t for k, t in scene.neuron_texts.items() if k[1:] == (l, j)}
            inside = texts.get("x" if l == 0 else "a")
            if frame.a_shown[l][j]:
                assert inside == fmt(trace.a[l][0, j], d)
            else:
                assert inside is None
            if l == 0:
                continue
            if "z" in texts:
                assert frame.z_shown[l][j] and not frame.update_shown
                assert texts["z"] == f"z = {fmt(trace.z[l][0, j], d)}"
            elif frame.z_shown[l][j] and not frame.update_shown:
                assert backward  # z labels go when the forward pass ends
            if "dL_da" in texts:
                assert backward and frame.dL_da_shown[l][j]
                assert texts["dL_da"] == f"∂L/∂a = {fmt(grads.dL_da[l][0, j], d)}"
            else:
                assert not (frame.phase == "backward" and frame.dL_da_shown[l][j])
            if "dL_dz" in texts:
                assert backward and frame.dL_dz_shown[l][j]
                assert texts["dL_dz"] == f"∂L/∂z = {fmt(grads.dL_dz[l][0, j], d)}"
            b = float(net.layers[l - 1].b[j])
            if "update_b" in texts:
                assert frame.update_shown
                assert number(texts["update_b"]) == fmt(
                    b - doc.learning_rate * grads.dL_db[l][j], d
                )
            if "b" in texts:
                assert texts["b"] == f"b = {fmt(b, d)}"
    if frame.loss_shown:
        assert scene.loss_text == f"L = {fmt(grads.loss, d)}"
    else:
        assert scene.loss_text is None
    # the lit edges are exactly the active ones, and their labels carry the engine's numbers
    active = frame.active_edges()
    lit = scene.lit_edges
    if frame.update_shown:
        assert set(lit) == set(range(1, net.depth + 1))
    elif active is None:
        assert lit == {}
    else:
        assert set(lit) == {frame.active_layer}
        assert np.array_equal(lit[frame.active_layer], active)
    for (what, l, j, i), text in scene.edge_texts.items():  # noqa: E741
        w = float(net.layers[l - 1].W[j, i])
        if what == "aw":
            assert active[j, i] and text == explain.product_line(net, trace, l, j, i, d)[6:]
            assert number(text) == fmt(trace.a[l - 1][0, i] * w, d)
        elif what == "dL_dw":
            assert active[j, i] and text == f"∂L/∂w = {fmt(grads.dL_dW[l][j, i], d)}"
        elif what == "collect":
            assert active[j, i]
            assert number(text) == fmt(w * grads.dL_dz[l][0, j], d)
        else:
            assert what == "update_w" and frame.update_shown
            assert text == f"{fmt(w, d)} → {fmt(w - doc.learning_rate * grads.dL_dW[l][j, i], d)}"


@pytest.mark.parametrize("granularity", ["layer", "neuron"])
@pytest.mark.parametrize("name", ["one_neuron", "default"])
def test_every_step_shows_the_engines_numbers(qtbot, tmp_path, monkeypatch, name, granularity):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    w = make_window(qtbot, examples.load(name))
    c = w.playback
    c.set_granularity(granularity)
    assert len(c.plan) == len(build_plan(w.document.network, granularity))
    seen_a = 0
    for s in range(1, c.last + 1):
        assert c.seek_step(s)
        assert c.step == s and c.frame.index == s
        scene = painted(w)
        assert scene is not None and scene.frame == c.frame
        check_scene_against_engine(w, scene)
        n_a = sum(1 for k in scene.neuron_texts if k[0] in ("a", "x"))
        assert n_a >= seen_a  # nothing revealed is hidden again
        seen_a = n_a
    # at the end everything has been revealed
    assert seen_a == sum(w.document.network.sizes)


def test_the_one_neuron_exercise_step_by_step(exercise):
    c = exercise.playback
    expected = {
        1: {("x", 0, 0): "2.0", ("b", 1, 0): "b = 1.0"},
        3: {("x", 0, 0): "2.0", ("z", 1, 0): "z = −2.0", ("b", 1, 0): "b = 1.0"},
        4: {
            ("x", 0, 0): "2.0",
            ("a", 1, 0): "0.0",
            ("z", 1, 0): "z = −2.0",
            ("b", 1, 0): "b = 1.0",
        },
        6: {
            ("x", 0, 0): "2.0",
            ("a", 1, 0): "0.0",
            ("dL_da", 1, 0): "∂L/∂a = −1.0",
            ("b", 1, 0): "b = 1.0",
        },
        7: {
            ("x", 0, 0): "2.0",
            ("a", 1, 0): "0.0",
            ("dL_da", 1, 0): "∂L/∂a = −1.0",
            ("dL_dz", 1, 0): "∂L/∂z = 0.0",
        },
        9: {("x", 0, 0): "2.0", ("a", 1, 0): "0.0", ("update_b", 1, 0): "b: 1.0 → 1.0"},
    }
    for s, texts in expected.items():
        c.seek_step(s)
        assert painted(exercise).neuron_texts == texts, s
    c.seek_step(2)
    scene = painted(exercise)
    assert scene.edge_texts == {("aw", 1, 0, 0): "2.0 × (−1.5) = −3.0"}
    assert scene.frame.step.kind == "forward_edges" and scene.loss_text is None
    c.seek_step(5)
    assert painted(exercise).loss_text == "L = 0.5"
    c.seek_step(8)
    assert painted(exercise).edge_texts == {("dL_dw", 1, 0, 0): "∂L/∂w = 0.0"}
    c.seek_step(9)
    assert painted(exercise).edge_texts == {("update_w", 1, 0, 0): "−1.5 → −1.5"}


# --------------------------------------------------------------- stepping
def test_stepping_back_gives_exactly_the_previous_picture(window):
    c = window.playback
    canvas = window.canvas
    c.set_granularity("neuron")
    pictures = {}
    for s in range(0, c.last + 1):
        c.seek_step(s)
        pictures[s] = (c.frame, canvas.viewport().grab().toImage())
    for s in range(c.last, 0, -1):
        c.seek_step(s)
        c.step_back()
        frame, image = pictures[s - 1]
        assert c.frame == frame
        assert canvas.viewport().grab().toImage() == image, s - 1


def test_playing_is_ticks_of_the_one_timer(window):
    c = window.playback
    assert c.timer.objectName() == "playbackTimer" and not c.timer.isActive()
    seen = []
    c.frame_changed.connect(lambda f: seen.append((f.index, f.fraction)))
    c.play()
    assert c.playing and c.timer.isActive()
    plan = c.plan
    assert c.position == Position(0, 1.0)  # the start is complete: play goes on to step 1
    c.advance(plan.steps[1].duration / 2)
    assert c.position == Position(1, 0.5)
    assert seen[-1] == (1, 0.5)
    c.set_speed(4.0)
    c.advance(plan.steps[1].duration / 8)  # 4× speed: a quarter of the ticks per step
    assert c.position == Position(1, 1.0) or c.position == Position(2, 0.0)
    c.advance(plan.total_ticks())
    assert c.step == c.last and not c.playing and not c.timer.isActive()
    c.toggle_play()  # from the end: play again from the start
    assert c.position == Position(0, 0.0) and c.playing
    c.toggle_play()
    assert not c.playing and not c.timer.isActive()


def test_seek_step_out_of_range_is_one_sentence(window, capsys):
    c = window.playback
    c.seek_step(3)
    assert window.seek_step(99) is False
    assert c.step == 3
    msg = window.status.text()
    assert msg == "step 99 is out of range: this network's timeline has steps 0 to 15"
    assert window.seek_step(-1) is False
    err = capsys.readouterr().err
    # offscreen nobody sees the status bar, so the sentence goes to stderr too
    lines = 2 if QApplication.platformName() == "offscreen" else 0
    assert err.count("\n") == lines and "Traceback" not in err


# ---------------------------------------------------------------- editing
def test_editing_during_playback_keeps_the_position_and_recomputes(window):
    c = window.playback
    doc = window.document
    c.seek_step(c.plan.find("z", 1))
    before = painted(window).neuron_texts[("z", 1, 0)]
    assert doc.set_weight(1, 0, 0, 2.0)
    assert c.step == c.plan.find("z", 1) and window.canvas.playback_active
    after = painted(window).neuron_texts[("z", 1, 0)]
    z = propagation.forward(doc.network, doc.sample.input).z[1][0, 0]
    assert after == f"z = {fmt(z, doc.decimals)}" and after != before
    # the chain-rule panel follows too
    doc.select(Selection.of_neuron(1, 0))
    panel = window.features["chain_rule"].panel
    assert explain.z_line(doc.network, doc.trace, 1, 0, doc.decimals) in panel.plain_text()
    # a shape edit rebuilds the steps; the index stays, clamped
    c.seek_step(12)
    doc.select(Selection.of_neuron(1, 0))
    assert doc.add_neuron(1)
    assert c.step == 12 and len(c.plan) == 16
    check_scene_against_engine(window, painted(window))
    doc.undo_stack.undo()
    assert c.step == 12
    # another network starts at its beginning (issue 11: not at "Step 9 / 9")
    doc.load_project(examples.load("one_neuron"))
    assert c.step == 0 and c.last == 9
    c.to_end()
    check_scene_against_engine(window, painted(window))


def test_editing_while_playing_keeps_playing(window):
    c = window.playback
    c.play()
    c.advance(40)
    pos = c.position
    window.document.set_bias(1, 0, 0.3)
    assert c.playing and c.position == pos and c.timer.isActive()
    c.pause()


# --------------------------------------------------------------- keyboard
def key(qtbot, widget, k) -> None:
    qtbot.keyClick(widget, k)


def test_shortcuts_on_the_main_window_move_the_position(qtbot, window):
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.canvas)
    c = window.playback
    canvas = window.canvas
    key(qtbot, canvas, Qt.Key.Key_Right)
    assert c.step == 1
    key(qtbot, canvas, Qt.Key.Key_PageDown)
    assert c.step == 2
    key(qtbot, canvas, Qt.Key.Key_Left)
    assert c.step == 1
    key(qtbot, canvas, Qt.Key.Key_PageUp)
    assert c.step == 0
    key(qtbot, canvas, Qt.Key.Key_End)
    assert c.step == c.last
    key(qtbot, canvas, Qt.Key.Key_Home)
    assert c.step == 0
    key(qtbot, canvas, Qt.Key.Key_Space)
    assert c.playing
    key(qtbot, canvas, Qt.Key.Key_Space)
    assert not c.playing
    # the clicker keys work wherever the focus is, e.g. on the chain-rule panel
    window.features["chain_rule"].panel.setFocus()
    key(qtbot, window.features["chain_rule"].panel, Qt.Key.Key_PageDown)
    assert c.step == 1


def test_space_and_arrows_still_type_in_a_spin_box_being_edited(qtbot, window):
    """While a value is being typed the keys are text; once it is committed (or the
    field only has the focus) they drive playback (tests/ui/test_keyboard.py)."""
    window.activateWindow()
    doc = window.document
    doc.select(Selection.of_edge(1, 0, 0))
    spin = window.inspector.weight
    spin.setFocus()
    qtbot.waitUntil(lambda: spin.hasFocus())
    spin.selectAll()
    qtbot.keyClicks(spin, "1")  # typing under way
    c = window.playback
    key(qtbot, spin, Qt.Key.Key_Space)
    assert not c.playing
    key(qtbot, spin, Qt.Key.Key_Left)
    key(qtbot, spin, Qt.Key.Key_Right)
    assert c.step == 0
    # a focused field with nothing typed: the keys are the playback's again
    window.inspector.cancel_edit(spin)
    key(qtbot, spin, Qt.Key.Key_PageDown)
    assert c.step == 1


# -------------------------------------------------------------------- bar
def test_the_bar_shows_the_step_and_drives_the_timeline(qtbot, exercise):
    c = exercise.playback
    bar = exercise.features["playback"].bar
    bar.slider.setValue(3)
    assert c.step == 3
    assert bar.label.text() == "Step 3 / 9: layer 1 (output) — z = Σ w·a + b"
    qtbot.mouseClick(bar.buttons["stepForwardAction"], Qt.MouseButton.LeftButton)
    assert c.step == 4 and bar.slider.value() == 4
    qtbot.mouseClick(bar.buttons["stepBackAction"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.buttons["stepBackAction"], Qt.MouseButton.LeftButton)
    assert c.step == 2
    qtbot.mouseClick(bar.buttons["toEndAction"], Qt.MouseButton.LeftButton)
    assert c.step == 9
    qtbot.mouseClick(bar.buttons["toStartAction"], Qt.MouseButton.LeftButton)
    assert c.step == 0
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert c.playing
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert not c.playing
    bar.speed.setCurrentIndex(bar.speed.findData(0.25))
    assert c.speed == 0.25
    bar.speed.setCurrentIndex(bar.speed.findData(4.0))
    assert c.speed == 4.0


def test_granularity_switch_keeps_the_moment(window):
    c = window.playback
    bar = window.features["playback"].bar
    c.seek_step(c.plan.find("z", 1))
    bar.granularity.setCurrentIndex(bar.granularity.findData("neuron"))
    assert c.granularity == "neuron" and len(c.plan) == 28
    assert c.plan.steps[c.step].kind == "z" and c.frame.z_shown[1].all()
    assert bar.slider.maximum() == 27
    bar.granularity.setCurrentIndex(bar.granularity.findData("layer"))
    assert c.step == c.plan.find("z", 1)
    with pytest.raises(ValueError, match="granularity"):
        c.set_granularity("edge")


def test_apply_update_at_the_last_step_takes_the_gradient_step(qtbot, window):
    c = window.playback
    doc = window.document
    bar = window.features["playback"].bar
    assert not bar.apply_button.isEnabled()
    c.to_end()
    assert bar.apply_button.isEnabled()
    loss = doc.grads.loss
    W_expected = doc.network.layers[0].W - doc.learning_rate * doc.grads.dL_dW[1]
    qtbot.mouseClick(bar.apply_button, Qt.MouseButton.LeftButton)
    assert np.allclose(doc.network.layers[0].W, W_expected)
    assert doc.grads.loss < loss and c.step == c.last


# ------------------------------------------------------------ chain rule
def test_chain_rule_panel_shows_the_exercise_with_real_numbers(exercise):
    doc = exercise.document
    panel = exercise.features["chain_rule"].panel
    doc.select(Selection.of_neuron(1, 0))
    text = panel.plain_text()
    assert "z = (2.0 × −1.5) + 1.0 = −2.0" in text
    assert "a = ReLU(−2.0) = 0.0" in text
    assert "∂L/∂z = ∂L/∂a · ReLU′(z) = (−1.0) × 0.0 = 0.0" in text
    assert "b ← b − η·∂L/∂b = 1.0 − 0.5 × 0.0 = 1.0" in text
    # the rich text widget shows the same words
    assert "a = ReLU(−2.0) = 0.0" in panel.text.toPlainText()
    # during playback a line appears only once its step has computed it
    c = exercise.playback
    c.seek_step(3)
    text = panel.plain_text()
    assert "z = (2.0 × −1.5) + 1.0 = −2.0" in text
    assert "a = ReLU(−2.0) = 0.0" not in text and "a = ReLU(z)" in text
    active = [s for s in panel.sections()[1] for line in s.lines if line.state == "active"]
    assert len(active) == 1
    c.seek_step(4)
    assert "a = ReLU(−2.0) = 0.0" in panel.plain_text()
    doc.select(Selection.of_edge(1, 0, 0))
    c.seek_step(8)
    assert "∂L/∂w = ∂L/∂a · ReLU′(z) · a_prev = (−1.0) × 0.0 × 2.0 = 0.0" in panel.plain_text()


def test_chain_rule_panel_sums_over_the_next_layer_for_a_hidden_neuron(window):
    doc = window.document
    panel = window.features["chain_rule"].panel
    doc.select(Selection.of_neuron(1, 1))
    line = explain.dL_da_line(doc.network, doc.trace, doc.grads, doc.sample.target, 1, 1, 3)
    assert line.startswith("∂L/∂a = Σₖ w·∂L/∂z = (−0.7 × ")
    assert line in panel.plain_text()
    # with nothing selected it explains the active step
    doc.select(None)
    c = window.playback
    c.seek_step(c.plan.find("collect", 1))
    text = panel.plain_text()
    assert text.startswith("Layer 1 — ∂L/∂a = Σ w · ∂L/∂z")
    assert "neuron 2: " + line in text


def test_check_shows_the_finite_difference_beside_the_analytic_value(qtbot, window):
    doc = window.document
    panel = window.features["chain_rule"].panel
    assert not panel.check_button.isEnabled()  # nothing selected: nothing to check
    doc.select(Selection.of_edge(2, 0, 1))
    assert panel.check_button.isEnabled()
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    check = panel.last_check
    assert check.key == ("weight", 2, 0, 1)
    assert check.numeric == pytest.approx(float(doc.grads.dL_dW[2][0, 1]), rel=1e-6)
    assert check.agrees
    text = panel.plain_text()
    assert "finite difference: (L(w + h) − L(w − h)) / 2h = " in text
    assert f"backpropagation: ∂L/∂w = {fmt(check.analytic, 8)}" in text
    assert "they agree" in text
    # the shortcut action does the same for a bias
    doc.select(Selection.of_neuron(1, 2))
    assert "finite difference" not in panel.plain_text()  # a new selection clears it
    window.actions_by_name["gradCheckAction"].trigger()
    assert panel.last_check.key == ("bias", 1, 2) and panel.last_check.agrees
    # an edit makes the old check stale
    doc.set_bias(1, 2, 0.5)
    assert panel.last_check is None and "finite difference" not in panel.plain_text()


def test_activation_plot_marker_follows_the_neuron_being_computed(window):
    plot = window.findChild(QWidget, "activationPlot")
    if plot is None or not hasattr(plot, "override"):
        pytest.skip("this build has no activation plot")
    c = window.playback
    c.set_granularity("neuron")
    c.seek_step(c.plan.find("z", 1, 2))
    assert plot.override() == (1, 2)
    c.seek_step(c.plan.find("loss"))
    assert plot.override() == (window.document.network.depth, 0)
    c.to_start()
    assert plot.override() is None


@pytest.fixture
def default_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    return make_window(qtbot, examples.default_project())


def _plot(window):
    plot = window.findChild(QWidget, "activationPlot")
    if plot is None or not hasattr(plot, "set_playback"):
        pytest.skip("this build has no activation plot")
    plot.refresh(force=True)  # a panel in a background dock tab redraws only when shown
    return plot


def test_activation_plot_hides_the_output_z_before_it_is_computed(default_window):
    w = default_window
    plot, c, trace = _plot(w), w.playback, w.document.trace
    c.seek_step(5)  # layer 2's edges carry a·w: the output's z is not summed yet
    plot = _plot(w)
    assert c.timeline.current().kind == "forward_edges"
    assert (plot.target.layer, plot.target.neuron) == (2, 0)
    assert plot.target.reason == "override"
    assert plot.values == {} and not plot.marker.isVisible()
    assert "z not computed yet" in plot.values_label.text()
    assert "nothing selected" not in plot.title.text()
    assert plot.f_dot.getData()[0] is None or len(plot.f_dot.getData()[0]) == 0
    c.seek_step(6)  # now z of the output is computed
    plot = _plot(w)
    assert plot.marker.isVisible()
    assert plot.values["z"] == pytest.approx(float(trace.z[2][0, 0]))
    assert plot.marker.value() == pytest.approx(float(trace.z[2][0, 0]))


def test_activation_plot_follows_the_backward_pass_into_layer_1(default_window):
    w = default_window
    c, trace = w.playback, w.document.trace
    c.seek_step(14)  # backward, layer 1's edges
    plot = _plot(w)
    assert (plot.target.layer, plot.target.neuron) == (1, 0)
    assert plot.values["z"] == pytest.approx(float(trace.z[1][0, 0]))
    # a selected neuron of the step's layer is followed instead of neuron 1
    w.document.select(Selection.of_neuron(1, 2))
    plot = _plot(w)
    assert (plot.target.layer, plot.target.neuron) == (1, 2)
    assert plot.values["z"] == pytest.approx(float(trace.z[1][0, 2]))
    # a selection elsewhere does not pull the plot out of the step's layer
    w.document.select(Selection.of_neuron(2, 0))
    assert (_plot(w).target.layer, _plot(w).target.neuron) == (1, 0)


def test_activation_plot_at_step_0_follows_the_selection(default_window):
    w = default_window
    c, trace = w.playback, w.document.trace
    c.seek_step(3)
    c.seek_step(0)
    assert not c.is_active()
    plot = _plot(w)
    assert plot.override() is None and plot.target.reason == "default"
    assert plot.values["z"] == pytest.approx(float(trace.z[2][0, 0]))
    w.document.select(Selection.of_neuron(1, 1))
    plot = _plot(w)
    assert (plot.target.layer, plot.target.neuron) == (1, 1) and plot.marker.isVisible()


# ------------------------------------------------------- level of detail
def test_a_big_network_is_drawn_in_batches_without_edge_labels(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    net = Network.create([300, 64, 10], "relu", seed=1)
    rng = np.random.default_rng(0)
    project = io.Project(net, io.Sample(rng.normal(size=300), np.eye(10)[3]))
    w = make_window(qtbot, project)
    c = w.playback
    assert not w.canvas.layout.detailed
    for kind, layer in (("forward_edges", 1), ("grad_edges", 1), ("update", None)):
        c.seek_step(c.plan.find(kind, layer))
        scene = painted(w)
        assert scene.edge_texts == {}
        for es in scene.edge_sets:
            paths = c.painter._edge_paths(w.canvas, es)
            # batched: a few slices per colour bucket (signs interleaved), not one per edge
            assert len(paths) <= 2 * animation.BUCKETS * animation.LOD_INTERLEAVE
    # the input layer is too big for numbers; the output layer still has them
    assert not any(k[1] == 0 for k in scene.neuron_texts)


def test_within_a_step_only_the_pulses_are_painted_again(window):
    canvas = window.canvas
    if not hasattr(canvas, "still_renders"):
        pytest.skip("this canvas has no still-part cache")
    c = window.playback
    c.seek(c.plan.find("forward_edges", 1), 0.1)
    canvas.viewport().grab()
    renders = canvas.still_renders
    c.play()
    for _ in range(5):
        c.advance(1)
        canvas.viewport().grab()
    assert c.step == c.plan.find("forward_edges", 1)
    assert canvas.still_renders == renders  # the same step: the still part is reused
    c.advance(c.plan.steps[c.step].duration)
    canvas.viewport().grab()
    assert canvas.still_renders == renders + 1
    window.document.set_bias(1, 0, 0.25)  # an edit draws it again
    canvas.viewport().grab()
    assert canvas.still_renders == renders + 2
    c.pause()


@pytest.mark.parametrize("granularity", ["layer", "neuron"])
def test_chain_rule_panel_has_text_for_every_selection_at_every_step(
    qtbot, tmp_path, monkeypatch, granularity
):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    net = Network.create([2, 3, 3], "relu", output_activation="softmax", loss="cross_entropy")
    w = make_window(qtbot, io.Project(net, io.Sample(np.array([0.5, -1.0]), np.eye(3)[1])))
    c = w.playback
    c.set_granularity(granularity)
    doc = w.document
    selections = [None]
    for l, n in enumerate(net.sizes):  # noqa: E741
        for j in range(n):
            selections.append(Selection.of_neuron(l, j))
            if l:
                selections += [Selection.of_edge(l, j, i) for i in range(net.sizes[l - 1])]
    for s in range(c.last + 1):
        c.seek_step(s)
        check_scene_against_engine(
            w, painted(w) or animation.build_scene(doc, w.canvas.layout, c.frame)
        )
        for sel in selections:
            doc.select(sel)
            text = w.features["chain_rule"].panel.plain_text()
            assert text.strip() and "Traceback" not in text
            if s == c.last and sel is not None and sel.kind == "edge":
                assert "w ← w − η·∂L/∂w = " in text


def test_the_next_step_is_rendered_ahead_and_looks_exactly_as_rendered_on_entry(window):
    """While playing, the canvas renders the next step's still part between ticks;
    the tick that enters that step blits it, and it is the image a fresh render gives."""
    canvas, c = window.canvas, window.playback
    c.seek(c.plan.find("forward_edges", 1), 0.0)
    c.play()
    c.timer.stop()  # the test ticks
    step = c.step
    c.advance(1)
    canvas.viewport().grab()  # the tick that entered the step
    c.advance(1)
    canvas.viewport().grab()  # the next one: now the next step is due
    assert canvas.still_prerenders == 0
    QApplication.processEvents()  # the idle time between two ticks
    assert canvas.still_prerenders == 1
    renders = canvas.still_renders
    c.advance(c.plan.steps[step].duration)  # into the next step
    assert c.step == step + 1
    ahead = canvas.viewport().grab().toImage()
    assert canvas.still_renders == renders  # blitted, not rendered
    canvas.still_cache.clear()  # forget it, and the scenes built for it: render afresh
    c.painter.invalidate()
    fresh = canvas.viewport().grab().toImage()
    assert canvas.still_renders == renders + 1
    assert ahead == fresh
    c.pause()


def test_nothing_is_rendered_ahead_when_paused_or_after_an_edit(window):
    canvas, c = window.canvas, window.playback
    c.seek(c.plan.find("forward_edges", 1), 0.3)  # paused
    canvas.viewport().grab()
    canvas.viewport().grab()
    QApplication.processEvents()
    assert canvas.still_prerenders == 0
    c.play()
    c.timer.stop()
    step = c.step
    canvas.viewport().grab()
    canvas.viewport().grab()
    QApplication.processEvents()
    assert canvas.still_prerenders == 1
    window.document.set_bias(1, 0, 0.25)  # the step rendered ahead is out of date now
    renders = canvas.still_renders
    c.advance(c.plan.steps[step].duration)
    canvas.viewport().grab()
    assert canvas.still_renders == renders + 1  # rendered again with the new value
    c.pause()


def test_a_bias_update_label_has_the_new_values_sign_colour_like_the_weights(window):
    """At the update step "b: 0.1 → 0.098" is a value, coloured by its new value's sign
    as the weights' update labels are (gradient colours mean the sign of a ∂L/∂)."""
    from nnviz.ui import theme as themes

    canvas, c, doc = window.canvas, window.playback, window.document
    c.seek(c.plan.last, 1.0)
    assert c.frame.update_shown
    canvas.viewport().grab()
    # the labels drawn, as the placement pass put them (with the colour each is drawn in)
    seen = {lab.text: lab.payload.color for lab in c.painter.last_placement.placed}
    th = themes.current()
    checked = 0
    for l in range(1, doc.network.depth + 1):  # noqa: E741
        for j in range(doc.network.sizes[l]):
            b = float(doc.network.layers[l - 1].b[j])
            new_b = b - doc.learning_rate * float(doc.grads.dL_db[l][j])
            text = f"b: {fmt(b, doc.decimals)} → {fmt(new_b, doc.decimals)}"
            if text in seen:
                assert seen[text] == th.sign_color(new_b), text
                checked += 1
    assert checked >= 1
