"""Issue 11, item 5: the defects users hit, each with a test that fails on the old code."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from nnviz.core import examples, lessons
from nnviz.ui.document import Document, Selection, edit_subject, exact_number
from nnviz.ui.main_window import MainWindow


@pytest.fixture
def window(open_window):
    return open_window(examples.default_project(), theme_choice="light")


# ------------------------------------------------------------ playback position
@pytest.mark.parametrize("how", ["example", "new", "open"])
def test_opening_another_network_starts_playback_at_step_0(window, how, tmp_path):
    pb = window.playback
    pb.to_end()
    assert pb.step == pb.last > 0
    if how == "example":
        window.open_example("one_neuron")
    elif how == "new":
        window.new_file()
    else:
        path = tmp_path / "n.json"
        window.document.save(path)
        pb.to_end()
        window.open_path(path)
    assert pb.step == 0
    assert not pb.is_active()
    assert not window.features["playback"].caption_overlay.isVisible()


# ------------------------------------------------------------ examples menu
def test_examples_menu_follows_the_lessons_and_titles_are_capitalised(window):
    window.examples_menu.aboutToShow.emit()
    names = [a.objectName().removeprefix("example_") for a in window.examples_menu.actions()]
    # the order each lesson first uses an example in
    used: list[str] = []
    for lesson in (
        sorted(lessons.builtin(), key=lambda x: x.order) if hasattr(lessons, "builtin") else []
    ):
        for step in lesson.steps:
            ref = getattr(step, "network", None)
            if ref is not None and ref.example and ref.example not in used:
                used.append(ref.example)
    if not used:  # read the lesson files' example = "..." lines in order
        from importlib import resources

        folder = resources.files("nnviz.resources").joinpath("lessons")
        for f in sorted(p.name for p in folder.iterdir() if p.name.endswith(".md")):
            text = folder.joinpath(f).read_text(encoding="utf-8")
            for m in re.finditer(r'^example\s*=\s*"([^"]+)"', text, re.M):
                if m.group(1) not in used:
                    used.append(m.group(1))
    assert used, "the lessons name examples"
    assert names[: len(used)] == used
    assert sorted(names) == examples.names()
    titles = [a.text() for a in window.examples_menu.actions()]
    assert "Deep ReLU: 8 hidden layers of 6 (gradient flow)" in titles
    assert not any("relu" in t for t in titles)


# ------------------------------------------------------------ N with nothing selected
def test_n_with_nothing_selected_adds_to_the_last_hidden_layer_and_says_so(window):
    doc = window.document
    doc.select(None)
    before = doc.network.sizes
    act = window.actions_by_name["addNeuronAction"]
    assert act.isEnabled()
    act.trigger()
    last_hidden = doc.network.depth - 1
    assert doc.network.sizes[last_hidden] == before[last_hidden] + 1
    assert f"layer {last_hidden}" in window.status.text()


def test_n_with_no_hidden_layer_and_nothing_selected_says_a_sentence(window):
    window.open_example("one_neuron")
    doc = window.document
    assert doc.network.depth == 1
    before = doc.network.sizes
    window.actions_by_name["addNeuronAction"].trigger()
    assert doc.network.sizes == before
    assert window.status.text().startswith("Select a neuron")


# ------------------------------------------------------------ keys
def test_ctrl_equals_zooms_in(window, qtbot):
    act = window.actions_by_name["zoomInAction"]
    assert QKeySequence("Ctrl+=") in act.shortcuts()
    before = window.canvas.transform().m11()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.transform().m11() > before


def test_f1_lists_every_key_including_pagedown_pageup_and_esc(window):
    table = dict(window.shortcut_table())
    keys = " ".join(table.values())
    for k in ("PgDown", "PgUp", "Esc", "Right", "Left", "Space", "Ctrl+="):
        assert k in keys, k
    assert table["Zoom In"] == "Ctrl++, Ctrl+="  # no media key named "Zoom In"


# ------------------------------------------------------------ undo texts
def test_undo_texts_are_readable_and_exact(window):
    doc = window.document
    doc.set_weight(1, 0, 0, 12345.678)
    assert doc.undo_stack.text(doc.undo_stack.index() - 1) == (
        "Set the weight from neuron 1 of layer 0 into neuron 1 of layer 1 to 12345.678"
    )
    doc.set_bias(2, 0, 1e-9)
    assert doc.undo_stack.undoText() == "Set the bias of neuron 1 of layer 2 to 1e-09"
    doc.set_input(0, 2.0)
    assert doc.undo_stack.undoText() == "Set input x1 to 2"
    assert "w[" not in " ".join(doc.undo_stack.text(i) for i in range(doc.undo_stack.count()))


def test_exact_number_reads_back_as_the_same_float():
    for v in (0.1, 12345.678, 1 / 3, -2.5, 1e-8, 1.5e300, 3.0, -0.0):
        text = exact_number(v)
        assert float(text) == v
        assert not text.endswith(".0")
    assert exact_number(-0.0) == "0"


def test_edit_subject_names_layers_and_neurons():
    from nnviz.core.addresses import Bias, Input, Weight

    assert (
        edit_subject(Weight(2, 1, 0))
        == "the weight from neuron 1 of layer 1 into neuron 2 of layer 2"
    )
    assert edit_subject(Bias(1, 2)) == "the bias of neuron 3 of layer 1"
    assert edit_subject(Input(0)) == "input x1"


# ------------------------------------------------------------ trace --json
def test_trace_json_writes_a_zero_gradient_as_0_0(capsys):
    from nnviz import cli

    for name in ("one_neuron", "deep_relu"):
        from importlib import resources

        f = resources.files("nnviz.resources").joinpath("networks", f"{name}.json")
        with resources.as_file(f) as p:
            assert cli.main(["trace", str(p), "--json"]) == 0
        out = capsys.readouterr().out
        assert not re.search(r"-0\.0[,\]]", out)
        data = json.loads(out)
        zeros = [v for layer in data["layers"] for v in layer["dL_dz"] if v == 0.0]
        assert zeros, f"{name} has a zero gradient"


# ------------------------------------------------------------ no display
def test_no_display_is_one_sentence_and_exit_2():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    r = subprocess.run(
        [sys.executable, "-m", "nnviz"], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2
    err = r.stderr.strip()
    assert err.count("\n") == 0
    assert "no display" in err
    assert "--screenshot" in err and "xvfb-run" in err
    assert "xcb" not in err


def test_no_display_reason_cases():
    from nnviz.ui.app import no_display_reason

    linux = "linux"
    assert no_display_reason({}, linux) is not None
    assert no_display_reason({"QT_QPA_PLATFORM": "offscreen"}, linux) is None
    assert no_display_reason({"WAYLAND_DISPLAY": "wayland-0"}, linux) is None
    assert no_display_reason({}, "darwin") is None
    # a local display nobody serves
    assert "DISPLAY=:987" in no_display_reason({"DISPLAY": ":987"}, linux)
    # a remote display: cannot tell cheaply, let Qt try
    assert no_display_reason({"DISPLAY": "example.org:0"}, linux) is None


# ------------------------------------------------------------ step 0, the update caption
def test_step_0_caption_does_not_claim_nothing_is_computed(window):
    pb = window.playback
    pb.to_start()
    text = pb.caption()
    assert "before anything is computed" not in text
    assert "all numbers at once" in text


def test_update_caption_says_truthfully_what_the_step_does_to_the_loss(window):
    window.open_example("linear_collapse")
    doc, pb = window.document, window.playback
    pb.to_end()
    before = doc.grads.loss
    text = pb.caption()
    assert "downhill:" not in text
    assert doc.loss_after_update() > before  # η = 0.5 overshoots here
    assert "rises" in text and "too long a step" in text
    # the caption follows the learning rate
    assert doc.set_learning_rate(0.001)
    text = window.features["playback"].bar.label.text()
    assert "falls" in text and "η = 0.001" in text
    window.features["playback"].bar.apply_button.click()
    assert doc.grads.loss < before
    assert "fell" in window.status.text()


def test_loss_after_update_is_the_loss_after_apply_update(window):
    doc = window.document
    for lr in (0.5, 0.05):
        assert doc.set_learning_rate(lr)
        predicted = doc.loss_after_update()
        assert doc.apply_update()
        assert doc.grads.loss == pytest.approx(predicted, rel=1e-12, abs=1e-15)


# ------------------------------------------------------------ learning-rate control
def test_inspector_learning_rate_sets_the_step_size(window, qtbot):
    doc = window.document
    spin = window.inspector.learning_rate
    assert spin.value() == pytest.approx(doc.learning_rate)
    spin.setValue(0.125)
    assert doc.learning_rate == 0.125
    w_before = doc.network.layers[0].W.copy()
    g = doc.grads.dL_dW[1].copy()
    doc.apply_update()
    assert doc.network.layers[0].W == pytest.approx(w_before - 0.125 * g)
    assert "0.125" in doc.undo_stack.undoText()
    spin.setValue(0.0)  # refused with a sentence; the rate stays
    assert doc.learning_rate == 0.125
    assert spin.value() == pytest.approx(0.125)
    assert "learning rate" in window.status.text()


# ------------------------------------------------------------ inspector decimals
def test_inspector_follows_the_decimals_setting_and_keeps_values_exact(window, qtbot):
    from nnviz.core.explain import fmt

    doc = window.document
    doc.select(Selection.of_edge(1, 0, 0))
    doc.set_weight(1, 0, 0, 0.123456789)
    window.set_decimals(2)
    spin = window.inspector.weight
    assert spin.text() == fmt(0.123456789, 2) == "0.12"
    window.set_decimals(4)
    assert spin.text() == "0.1235"
    # Enter without typing changes nothing: the value is not rounded to its text
    n = doc.undo_stack.count()
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert doc.value_of(Selection.of_edge(1, 0, 0).address()) == 0.123456789
    assert doc.undo_stack.count() == n
    # more decimals than shown may be typed
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "-0.98765")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert doc.network.layers[0].W[0, 0] == -0.98765
    assert spin.text() == "−0.9877"
    # the minus sign the field shows (U+2212) reads back too (QTest types ASCII only)
    assert spin.valueFromText("−1.5") == -1.5


# ------------------------------------------------------------ plot waits for the canvas
def test_activation_plot_shows_f_and_df_only_once_the_canvas_shows_a(window):
    pb = window.playback
    plot = window.activation_plot
    plot.refresh(force=True)
    pb.seek_step(pb.plan.find("z", 1))
    assert not pb.frame.a_shown[1].any() and pb.frame.z_shown[1].any()
    plot.refresh(force=True)
    assert set(plot.values) == {"z"}
    assert plot.marker.isVisible()
    assert plot.f_dot.getData()[0] is None or len(plot.f_dot.getData()[0]) == 0
    pb.seek_step(pb.plan.find("a", 1))
    plot.refresh(force=True)
    assert set(plot.values) == {"z", "f", "df"}
    assert len(plot.f_dot.getData()[0]) == 1


# ------------------------------------------------------------ Ctrl+G shows its result
def test_ctrl_g_scrolls_the_chain_rule_panel_to_the_check(window, qtbot):
    panel = window.features["chain_rule"].panel
    window.docks["chainRuleDock"].hide()
    window.document.select(Selection.of_edge(1, 0, 0))
    qtbot.wait(10)
    window.actions_by_name["gradCheckAction"].trigger()
    qtbot.wait(10)
    assert window.docks["chainRuleDock"].isVisible()
    assert panel.last_check is not None and panel.last_check.agrees
    assert "CHECK BY FINITE DIFFERENCES" in panel.text.toPlainText()
    assert panel.text.verticalScrollBar().value() > 0  # the equations fill the panel
    assert panel.check_in_view()


# ------------------------------------------------------------ themes
def _blend(bg, c):
    from PySide6.QtGui import QColor

    a = c.alphaF()
    return QColor.fromRgbF(
        *(x * (1 - a) + y * a for x, y in zip(bg.getRgbF()[:3], c.getRgbF()[:3]))
    )


def test_dark_then_system_follows_the_system_again(window):
    from nnviz.ui import theme

    assert not theme.system_prefers_dark()  # offscreen: a light system palette
    window.apply_theme("dark", remember=False)
    assert theme.current().dark
    window.apply_theme("system", remember=False)
    assert not theme.current().dark


def test_live_switch_to_dark_recolours_the_plot_texts_and_compare_button(window):
    from nnviz.ui import theme

    plot = window.activation_plot
    window.document.select(Selection.of_neuron(1, 0))
    window.apply_theme("dark", remember=False)
    plot.refresh(force=True)
    text = theme.DARK.text.name()
    for label in (plot.title, plot.values_label):
        assert text in label.styleSheet()
    assert theme.DARK.surface.name() in plot.compare_button.styleSheet()
    img = plot.compare_button.grab().toImage()
    centre_left = img.pixelColor(4, img.height() // 2)
    assert centre_left.lightness() < 100  # not a white button on the dark panel
    flow = window.gradient_flow
    assert text in flow.title.styleSheet()
    window.apply_theme("light", remember=False)
    assert theme.LIGHT.text.name() in plot.title.styleSheet()


def test_dark_saturated_shading_is_a_light_veil_not_a_brown_block():
    from nnviz.ui import theme

    seen = _blend(theme.DARK.background, theme.DARK.saturated)
    assert seen.hsvSaturation() < 25
    assert abs(seen.lightness() - theme.DARK.background.lightness()) < 20


# ------------------------------------------------------------ activation plot
def test_compare_shows_all_of_relu_and_tells_f_from_df(window):
    plot = window.activation_plot
    window.document.select(Selection.of_neuron(1, 0))  # tanh
    plot.set_compare(["relu"])
    plot.refresh(force=True)
    (_x0, _x1), (_y0, y1) = plot.plot_item.viewRange()
    f_item, df_item = plot.compare_curves["relu"]
    assert y1 >= float(max(f_item.getData()[1]))  # ReLU is not cut off at tanh's 1
    f_pen, df_pen = f_item.opts["pen"], df_item.opts["pen"]
    assert f_pen.widthF() != df_pen.widthF()
    assert f_pen.dashPattern() != df_pen.dashPattern()
    labels = [lab.text for _s, lab in plot.legend.items]
    assert any("ReLU f′" in t for t in labels) and any(
        "ReLU f(" in t or t == "ReLU f" for t in labels
    )


def test_z_label_sits_above_the_curves(window):
    plot = window.activation_plot
    window.document.select(Selection.of_neuron(1, 0))
    plot.refresh(force=True)
    (_x0, _x1), (y0, y1) = plot.plot_item.viewRange()
    top = max(float(max(plot.f_curve.getData()[1])), float(max(plot.df_curve.getData()[1])), 1.0)
    label_y = y0 + (y1 - y0) * plot.marker.label.orthoPos
    assert label_y > top + 0.05 * (y1 - y0)


def test_undo_after_a_far_edit_resets_the_plot_ranges(window):
    plot = window.activation_plot
    doc = window.document
    doc.select(Selection.of_neuron(1, 0))
    plot.refresh(force=True)
    start_z, start_y = plot.z_range(), plot.plot_item.viewRange()[1]
    doc.set_bias(1, 0, 40.0)
    plot.refresh(force=True)
    assert plot.z_range()[1] > 40
    doc.undo_stack.undo()
    plot.refresh(force=True)
    assert plot.z_range() == start_z == (-6.0, 6.0)
    assert plot.plot_item.viewRange()[1] == pytest.approx(start_y)


# ------------------------------------------------------------ gradient flow scale
def test_gradient_flow_uses_one_fixed_scale_so_sigmoid_and_relu_differ(window):
    flow = window.gradient_flow
    spans = {}
    for name in ("deep_sigmoid", "deep_relu"):
        window.open_example(name)
        flow.refresh(force=True)
        assert flow.fixed_scale and flow.scale_button.isChecked()
        spans[name] = flow.y_decades()
        (_x0, _x1), (y0, y1) = flow.plot_item.viewRange()
        assert y0 <= -8 and y1 >= 1
    assert spans["deep_sigmoid"] == spans["deep_relu"] == (-8, 1)
    # fitted to the values, a deep ReLU's few decades fill the plot
    flow.scale_button.click()
    assert not flow.fixed_scale
    lo, hi = flow.y_decades()
    assert hi - lo < 9
    flow.set_fixed_scale(True)
    assert flow.scale_button.isChecked() and flow.y_decades() == (-8, 1)


# ------------------------------------------------------------ the README's error example
def test_readme_error_example_is_the_apps_text(tmp_path, capsys, monkeypatch):
    from pathlib import Path

    from nnviz import cli

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    m = re.search(r"\$ nnviz trace broken\.json\n\s*(nnviz: broken\.json: [^\n]+)\n", readme)
    assert m, "the README shows the error of nnviz trace broken.json"
    from importlib import resources

    text = resources.files("nnviz.resources").joinpath("networks", "default.json").read_text()
    data = json.loads(text)
    data["layers"][1]["weights"] = data["layers"][1]["weights"][:-1]  # as the README says
    (tmp_path / "broken.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["trace", "broken.json"]) == 2
    assert capsys.readouterr().err.strip() == m.group(1)


# ------------------------------------------------------------ a zero gradient's colour
@pytest.mark.parametrize("name", ["light", "dark"])
def test_a_zero_gradient_has_neither_gradient_colour(name):
    from nnviz.ui import theme

    th = theme.LIGHT if name == "light" else theme.DARK
    for zero in (0.0, -0.0):
        c = th.grad_color(zero)
        assert c not in (th.grad_positive, th.grad_negative)
    assert th.grad_color(1e-300) == th.grad_positive
    assert th.grad_color(-1e-300) == th.grad_negative


@pytest.mark.parametrize("theme_name", ["light", "dark"])
def test_canvas_draws_a_zero_gradient_edge_in_the_muted_colour(window, theme_name):
    from PySide6.QtCore import QPointF

    from nnviz.ui import theme

    window.apply_theme(theme_name, remember=False)
    window.open_example("one_neuron")
    doc, pb, canvas = window.document, window.playback, window.canvas
    assert doc.grads.dL_dW[1][0, 0] == 0.0  # ReLU at z = −2: no gradient flows
    pb.seek_step(pb.plan.find("grad_edges", 1))
    img = canvas.viewport().grab().toImage()
    th = theme.current()
    x1, y1, x2, _y2 = canvas.layout.edge_segments(1)
    for f in (0.1, 0.2):
        at = canvas.mapFromScene(QPointF(x1[0, 0] + (x2[0, 0] - x1[0, 0]) * f, y1[0, 0]))
        c = img.pixelColor(at)
        assert c.rgb() != th.grad_positive.rgb() and c.rgb() != th.grad_negative.rgb()
        assert c.hsvSaturation() < 40, c.name()  # grey: neither gradient colour


# ------------------------------------------------------------ export's frame count
def test_export_reports_the_frames_the_gif_holds(tmp_path, capsys):
    from importlib import resources

    from PIL import Image

    from nnviz import export

    src = resources.files("nnviz.resources").joinpath("networks", "one_neuron.json")
    out = tmp_path / "one.gif"
    with resources.as_file(src) as path:
        assert export.main([str(path), "--out", str(out), "--size", "320x200"]) == 0
    said = capsys.readouterr().out
    m = re.search(r"\((\d+) frames,", said)
    assert m, said
    with Image.open(out) as gif:
        held = gif.n_frames
        total_ms = 0
        for k in range(held):
            gif.seek(k)
            total_ms += gif.info["duration"]
    assert int(m.group(1)) == held
    from nnviz.core import timeline

    plan = timeline.build_plan(examples.load("one_neuron").network, "layer")
    assert total_ms == sum(ms for _s, _f, ms in export.frame_schedule(plan, 12))  # time kept


# ------------------------------------------------------------ every weight labelled
def _paint(window):
    window.canvas.viewport().grab()
    return window.canvas.weight_labels.last_placement


def test_a_small_network_labels_every_weight_without_a_click(window):
    from nnviz.ui.canvas.layers import context_of

    window.open_example("one_neuron")
    window.document.select(None)
    placement = _paint(window)
    assert [lab.text for lab in placement.placed] == ["−1.5"]
    window.open_example("default")
    placement = _paint(window)
    assert len(placement.placed) + placement.hidden == window.document.network.n_edges == 9
    boxes = window.canvas.layout.neuron_boxes()
    rects = placement.rects()
    for k, r in enumerate(rects):  # no label on a neuron or on another label
        for b in boxes:
            assert not (r[0] < b[2] and r[2] > b[0] and r[1] < b[3] and r[3] > b[1])
        for q in rects[k + 1 :]:
            assert not (r[0] < q[2] and r[2] > q[0] and r[1] < q[3] and r[3] > q[1])
    # the selected edge keeps its own "w = …" label; the others stay
    window.document.select(Selection.of_edge(1, 0, 0))
    placement = _paint(window)
    assert (1, 0, 0) not in [lab.key for lab in placement.placed]
    # during playback the animation labels its edges: this layer steps aside
    window.playback.seek_step(3)
    assert not window.canvas.weight_labels.visible(context_of(window.canvas))


def test_view_toggle_turns_weight_labels_off_and_is_remembered(window, qtbot):
    from nnviz.ui import settings
    from nnviz.ui.canvas.layers import context_of

    act = window.actions_by_name["labelWeightsAction"]
    assert act.isChecked() and act.isCheckable()
    assert act in window.view_menu.actions()
    layer = window.canvas.weight_labels
    assert layer.visible(context_of(window.canvas))
    act.trigger()
    assert not act.isChecked() and not window.canvas.label_weights
    assert not layer.visible(context_of(window.canvas))
    assert settings.get("label_weights") == "off"
    other = MainWindow(Document(examples.default_project()), theme_choice="light")
    try:
        assert not other.actions_by_name["labelWeightsAction"].isChecked()
        assert not other.canvas.label_weights
    finally:
        other.close()
        other.deleteLater()
    act.trigger()
    assert settings.get("label_weights") == "on"


def test_a_large_network_keeps_only_hover_and_selection_labels(window):
    from nnviz.ui.canvas.layers import context_of
    from nnviz.ui.canvas.weight_labels import MAX_LABELLED_WEIGHTS

    window.open_example("deep_relu")
    assert window.document.network.n_edges > MAX_LABELLED_WEIGHTS
    assert not window.canvas.weight_labels.visible(context_of(window.canvas))


def test_weight_labels_stay_inside_the_view_when_the_network_overflows_it(window):
    """QA2: labels half outside the canvas's top edge while training in a small window.
    Zoomed in so the network is larger than the view, every weight label drawn lies
    wholly inside what the view shows (the rest are left out, not cut)."""
    window.open_example("default")
    window.document.select(None)
    c = window.canvas
    c.fit()
    full = _paint(window)
    assert full.placed
    for factor in (1.6, 2.2):
        c.fit()
        c.zoom_by(factor)
        for target in (Selection.of_neuron(0, 0), Selection.of_neuron(2, 0)):
            c.centerOn(c.scene_pos_of(target))
            placement = _paint(window)
            left, top, right, bottom = c.visible_scene_rect()
            for r in placement.rects():
                assert left <= r[0] and r[2] <= right and top <= r[1] and r[3] <= bottom, r
