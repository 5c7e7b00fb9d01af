"""The plot panels read back: curves, markers and bars against the core and the trace.

Every check reads the data out of the pyqtgraph items (``PlotDataItem.getData``)
and compares it with the core's Activation records evaluated on the same x, or
with the document's Trace / Grads. Nothing waits: a document edit must have
redrawn the panel by the time the edit method returns.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import activations, examples
from nnviz.core.explain import fmt
from nnviz.ui.document import Document, Selection
from nnviz.ui.panels.activation_plot import ActivationPlotPanel
from nnviz.ui.panels.gradient_flow import GradientFlowPanel
from nnviz.ui.panels.linear_map import LinearMapPanel

# also run on real X screens (Xvfb, xcb) by .ci/run's real-screen phase
pytestmark = pytest.mark.realscreen


def _doc(name: str = "default") -> Document:
    return Document(examples.load(name))


@pytest.fixture
def doc(qtbot) -> Document:
    return _doc()


@pytest.fixture
def plot(qtbot, doc) -> ActivationPlotPanel:
    panel = ActivationPlotPanel(doc)
    qtbot.addWidget(panel)
    return panel


def _xy(item) -> tuple[np.ndarray, np.ndarray]:
    x, y = item.getData()
    if x is None:  # an item with no data
        return np.zeros(0), np.zeros(0)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _check_curves(panel: ActivationPlotPanel, act: activations.Activation) -> np.ndarray:
    x, fy = _xy(panel.f_curve)
    x2, dfy = _xy(panel.df_curve)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(fy, act.f(x))
    np.testing.assert_array_equal(dfy, act.df(x))
    return x


def _check_marker(panel: ActivationPlotPanel, doc: Document, l: int, j: int) -> None:  # noqa: E741
    act = activations.get(doc.network.layer(l).activation)
    z = float(doc.trace.z[l][0, j])
    assert panel.marker.value() == z
    fx, fy = _xy(panel.f_dot)
    dx, dy = _xy(panel.df_dot)
    assert fx.tolist() == [z] and dx.tolist() == [z]
    assert fy[0] == pytest.approx(float(doc.trace.a[l][0, j]), rel=1e-12, abs=1e-15)
    assert dy[0] == pytest.approx(float(act.df(np.array([z]))[0]), rel=1e-12, abs=1e-15)
    assert f"z = <b>{fmt(z, doc.decimals)}</b>" in panel.values_label.text()


# ------------------------------------------------------------ activation plot
def test_object_names(qtbot, doc):
    panels = [ActivationPlotPanel(doc), GradientFlowPanel(doc), LinearMapPanel(doc)]
    for p in panels:
        qtbot.addWidget(p)
    assert [p.objectName() for p in panels] == [
        "activationPlot",
        "gradientFlowPlot",
        "linearMapPanel",
    ]
    assert all(p.toolTip() for p in panels)


@pytest.mark.parametrize("l, j", [(1, 0), (1, 1), (1, 2), (2, 0)])
def test_selected_neuron_shows_its_layer_curves_and_marker(plot, doc, l, j):  # noqa: E741
    doc.select(Selection.of_neuron(l, j))
    act = activations.get(doc.network.layer(l).activation)
    x = _check_curves(plot, act)
    zs = doc.trace.z[l][0]
    assert x[0] <= min(-6.0, zs.min()) and x[-1] >= max(6.0, zs.max())
    _check_marker(plot, doc, l, j)
    assert act.label in plot.title.text()
    # the other neurons of the layer are the faint dots, on both curves
    ox, oy = _xy(plot.others_f)
    others = [i for i in range(zs.size) if i != j]
    np.testing.assert_array_equal(ox, zs[others])
    np.testing.assert_array_equal(oy, act.f(zs[others]))
    np.testing.assert_array_equal(_xy(plot.others_df)[1], act.df(zs[others]))


@pytest.mark.parametrize("name", activations.ELEMENTWISE_NAMES)
def test_every_elementwise_activation_is_plotted_from_its_record(plot, doc, name):
    assert doc.set_activation(1, name)
    doc.select(Selection.of_neuron(1, 1))
    act = activations.get(name)
    _check_curves(plot, act)
    _check_marker(plot, doc, 1, 1)
    labels = [label.text for _sample, label in plot.legend.items]
    assert any(act.formula in text for text in labels)
    assert any(act.derivative in text for text in labels)


def test_edge_selection_shows_the_neuron_it_feeds(plot, doc):
    doc.select(Selection.of_edge(2, 0, 1))
    assert (plot.target.layer, plot.target.neuron) == (2, 0)
    _check_marker(plot, doc, 2, 0)


def test_nothing_selected_shows_the_output_layer(plot, doc):
    doc.select(None)
    assert (plot.target.layer, plot.target.neuron) == (doc.network.depth, 0)
    _check_curves(plot, activations.get(doc.network.layers[-1].activation))


def test_input_layer_says_it_has_no_activation(plot, doc):
    doc.select(Selection.of_neuron(0, 1))
    assert plot.target is None
    assert plot.stack.currentWidget() is plot.message
    assert "no activation" in plot.message.text()
    assert _xy(plot.f_curve)[0].size == 0
    doc.select(Selection.of_neuron(1, 0))
    assert plot.stack.currentWidget() is plot.plot_widget


def test_a_weight_edit_moves_the_marker_at_once(plot, doc):
    doc.select(Selection.of_neuron(1, 0))
    before = plot.marker.value()
    assert doc.set_weight(1, 0, 0, 2.5)  # no wait: the redraw happened inside this call
    assert plot.marker.value() != before
    _check_marker(plot, doc, 1, 0)
    assert doc.set_bias(1, 0, -0.7)
    _check_marker(plot, doc, 1, 0)
    assert doc.set_input(1, 1.25)
    _check_marker(plot, doc, 1, 0)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert plot.marker.value() == before


def test_activation_edit_redraws_the_curves(plot, doc):
    doc.select(Selection.of_neuron(1, 0))
    assert doc.set_activation(1, "relu")
    _check_curves(plot, activations.get("relu"))
    _check_marker(plot, doc, 1, 0)


def test_the_z_range_widens_to_include_far_z(plot, doc):
    doc.select(Selection.of_neuron(1, 2))
    assert doc.set_bias(1, 2, 40.0)
    z = doc.trace.z[1][0, 2]
    lo, hi = plot.z_range()
    assert hi >= z + 1 and lo <= -6
    x = _check_curves(plot, activations.get("tanh"))
    assert x[-1] == hi
    _check_marker(plot, doc, 1, 2)


def test_decimals_setting_reformats_the_values(plot, doc):
    doc.select(Selection.of_neuron(1, 0))
    doc.set_decimals(6)
    _check_marker(plot, doc, 1, 0)
    z = doc.trace.z[1][0, 0]
    assert plot.marker.label.format == f"z = {fmt(z, 6)}"


def test_override_points_the_marker_elsewhere(plot, doc):
    doc.select(Selection.of_neuron(2, 0))
    plot.set_override(1, 2)
    assert plot.target.reason == "override"
    _check_marker(plot, doc, 1, 2)
    plot.set_override(9, 9)  # not in this network: the selection is shown
    _check_marker(plot, doc, 2, 0)
    plot.set_override(None)
    assert plot.override() is None
    _check_marker(plot, doc, 2, 0)


def test_unrevealed_z_shows_the_curves_and_a_note_only(plot, doc):
    masks = [np.ones(2, bool), np.array([True, False, True]), np.zeros(1, bool)]
    plot.set_playback((1, 1), masks)
    assert plot.target.reason == "override" and plot.values == {}
    assert "z not computed yet" in plot.values_label.text()
    assert not plot.marker.isVisible()
    assert _xy(plot.f_dot)[0].size == 0 and _xy(plot.df_dot)[0].size == 0
    # the other neurons' dots: only the revealed z of the layer
    np.testing.assert_array_equal(_xy(plot.others_f)[0], doc.trace.z[1][0, [0, 2]])
    _check_curves(plot, activations.get("tanh"))
    masks[1][1] = True  # the animation computes it: marker, dots and values appear
    plot.set_playback((1, 1), masks)
    assert plot.marker.isVisible()
    _check_marker(plot, doc, 1, 1)
    plot.set_playback(None, None)  # playback off: the selection, everything shown
    _check_marker(plot, doc, 2, 0)
    assert plot.target.reason == "default"


def test_another_layer_or_neuron_moves_data_without_rebuilding(plot, doc, monkeypatch):
    assert doc.set_activation(2, "tanh")  # both layers tanh
    builds = []
    real = plot._build_plot
    monkeypatch.setattr(plot, "_build_plot", lambda *a: (builds.append(a), real(*a)))
    for l, j in ((1, 0), (1, 2), (2, 0), (1, 1)):  # noqa: E741
        plot.set_override(l, j)
        _check_marker(plot, doc, l, j)
        assert f"z = <b>{fmt(doc.trace.z[l][0, j], doc.decimals)}</b>" in plot.values_label.text()
    assert builds == []
    assert plot._others_label.text == "other neurons of layer 1"  # only the label moved
    plot.set_override(2, 0)  # the output layer has no other neurons: no entry for them
    assert plot._others_label is None and builds == []
    plot.set_compare(["relu"])  # a new comparison restyles
    assert len(builds) == 1


def test_compare_mode_overlays_other_activations(plot, doc):
    doc.select(Selection.of_neuron(1, 0))  # tanh
    n_legend = len(plot.legend.items)
    plot.set_compare(["relu", "sigmoid", "no_such_thing"])
    assert list(plot.compare_curves) == ["relu", "sigmoid"]
    assert plot.compared() == ["relu", "sigmoid"]
    x, _ = _xy(plot.f_curve)
    for name, (f_item, df_item) in plot.compare_curves.items():
        act = activations.get(name)
        cx, cf = _xy(f_item)
        np.testing.assert_array_equal(cx, x)
        np.testing.assert_array_equal(cf, act.f(x))
        np.testing.assert_array_equal(_xy(df_item)[1], act.df(x))
    assert len(plot.legend.items) == n_legend + 4  # f and f′ of each, told apart
    # the menu drives the same state
    plot.compare_actions["gelu"].trigger()
    assert "gelu" in plot.compare_curves
    assert plot.compare_actions["relu"].isChecked()
    plot.compare_actions["relu"].trigger()
    assert "relu" not in plot.compare_curves
    plot.set_compare([])
    assert plot.compare_curves == {}


def test_saturated_regions_are_shaded(plot, doc):
    doc.select(Selection.of_neuron(1, 0))  # tanh saturates
    lo, hi = plot.z_range()
    want = activations.saturated_ranges("tanh", lo, hi)
    assert want
    got = [tuple(r.getRegion()) for r in plot.saturation_regions]
    assert got == [pytest.approx(w) for w in want]
    plot.set_compare(["sigmoid"])
    assert len(plot.saturation_regions) == len(want) + len(
        activations.saturated_ranges("sigmoid", lo, hi)
    )
    plot.set_shade_saturated(False)
    assert plot.saturation_regions == []
    plot.set_shade_saturated(True)
    doc.set_activation(1, "relu")  # ReLU does not saturate; σ still does
    plot.set_compare([])
    assert plot.saturation_regions == []


def test_softmax_is_shown_as_an_honest_slice(qtbot):
    doc = _doc()
    assert doc.add_neuron(2)
    assert doc.set_output_and_loss("softmax", "cross_entropy")
    panel = ActivationPlotPanel(doc)
    qtbot.addWidget(panel)
    doc.select(Selection.of_neuron(2, 1))
    act = activations.get("softmax")
    x, fy = _xy(panel.f_curve)
    _, dfy = _xy(panel.df_curve)
    Z = np.repeat(doc.trace.z[2][0][None, :], x.size, axis=0)
    Z[:, 1] = x
    np.testing.assert_allclose(fy, act.f(Z)[:, 1], rtol=1e-12)
    np.testing.assert_allclose(dfy, fy * (1 - fy), rtol=1e-9, atol=1e-15)  # the diagonal
    z = doc.trace.z[2][0, 1]
    assert panel.marker.value() == z
    assert _xy(panel.f_dot)[1][0] == pytest.approx(doc.trace.a[2][0, 1])
    assert "not element-wise" in panel.values_label.text()
    assert _xy(panel.others_f)[0].size == 0


def test_big_fonts(plot):
    axis = plot.plot_item.getAxis("bottom")
    assert axis.style["tickFont"].pointSize() >= 12
    assert plot.legend.opts["labelTextSize"] == "13pt"


# -------------------------------------------------------------- gradient flow
def _mean_abs(doc: Document, which: str) -> np.ndarray:
    grads = getattr(doc.grads, which)
    return np.array([np.mean(np.abs(grads[l])) for l in range(1, doc.network.depth + 1)])


def _flow(qtbot, doc: Document) -> GradientFlowPanel:
    panel = GradientFlowPanel(doc)
    qtbot.addWidget(panel)
    return panel


@pytest.mark.parametrize("name", ["default", "deep_sigmoid", "deep_relu"])
def test_gradient_flow_plots_mean_abs_gradients_per_layer(qtbot, name):
    doc = _doc(name)
    panel = _flow(qtbot, doc)
    L = doc.network.depth
    for item, which in ((panel.dz_curve, "dL_dz"), (panel.dW_curve, "dL_dW")):
        x, logy = _xy(item)  # the y axis is logarithmic: the item holds log10 values
        np.testing.assert_array_equal(x, np.arange(1, L + 1))
        np.testing.assert_allclose(10**logy, _mean_abs(doc, which), rtol=1e-12)
        x0, y0 = item.getOriginalDataset()
        np.testing.assert_allclose(y0, _mean_abs(doc, which), rtol=1e-12)
    assert panel.floor is None
    assert panel.plot_item.getAxis("left").logMode


def test_deep_sigmoid_gradient_shrinks_layer_by_layer(qtbot):
    doc = _doc("deep_sigmoid")
    panel = _flow(qtbot, doc)
    _, logy = _xy(panel.dz_curve)
    assert np.all(np.diff(logy) > 0)  # from the last layer back to the first it decreases
    assert logy[-1] - logy[0] > 5  # more than five orders of magnitude
    assert "vanishes" in panel.summary.text()
    relu = _flow(qtbot, _doc("deep_relu"))
    assert _xy(relu.dz_curve)[1][0] > logy[0] + 2  # ReLU keeps far more gradient


def test_gradient_flow_follows_edits(qtbot, doc):
    panel = _flow(qtbot, doc)
    before = _xy(panel.dz_curve)[1].copy()
    assert doc.set_weight(2, 0, 1, -3.0)
    after = _xy(panel.dz_curve)[1]
    assert not np.array_equal(before, after)
    np.testing.assert_allclose(10**after, _mean_abs(doc, "dL_dz"), rtol=1e-12)


def test_zero_gradients_are_drawn_at_a_floor(qtbot):
    doc = _doc("deep_relu")
    for j in range(doc.network.sizes[3]):
        assert doc.set_bias(3, j, -50.0)  # layer 3 dies: no gradient reaches layers 1-3
    panel = _flow(qtbot, doc)
    dz = _mean_abs(doc, "dL_dz")
    assert np.any(dz == 0)
    assert panel.floor is not None and 0 < panel.floor < dz[dz > 0].min()
    _, logy = _xy(panel.dz_curve)
    assert np.all(np.isfinite(logy))
    np.testing.assert_allclose(10 ** logy[dz == 0], panel.floor)
    zx, zy = _xy(panel.zero_points)
    assert zx.size == int(np.sum(dz == 0) + np.sum(_mean_abs(doc, "dL_dW") == 0))
    np.testing.assert_allclose(10**zy, panel.floor)
    assert "exactly 0" in panel.summary.text()
    assert fmt(panel.floor, doc.decimals) in panel.plot_widget.toolTip()


# ----------------------------------------------------------------- linear map
def test_linear_map_reproduces_the_output(qtbot):
    doc = _doc("linear_collapse")
    panel = LinearMapPanel(doc)
    qtbot.addWidget(panel)
    assert panel.collapsed is not None
    W, b = panel.collapsed
    # independent of the core: multiply the layers out here
    W_ref, b_ref = np.eye(doc.network.input_size), np.zeros(doc.network.input_size)
    for layer in doc.network.layers:
        W_ref, b_ref = layer.W @ W_ref, layer.W @ b_ref + layer.b
    np.testing.assert_allclose(W, W_ref)
    np.testing.assert_allclose(b, b_ref)
    x = doc.sample.input
    np.testing.assert_allclose(W @ x + b, doc.trace.output[0], rtol=1e-12)
    np.testing.assert_allclose(panel.mapped, doc.trace.output[0], rtol=1e-12)
    assert panel.matches is True
    text = panel.text.text()
    for v in list(W.ravel()) + list(b):
        assert fmt(v, doc.decimals) in text
    assert "same" in text
    # a new input is checked again at once
    assert doc.set_input(0, -2.0)
    np.testing.assert_allclose(panel.mapped, doc.trace.output[0], rtol=1e-12)


def test_linear_map_says_when_it_does_not_apply(qtbot):
    doc = _doc("linear_collapse")
    panel = LinearMapPanel(doc)
    qtbot.addWidget(panel)
    assert doc.set_activation(2, "tanh")
    assert panel.collapsed is None and panel.matches is None
    text = panel.text.text()
    assert "does not collapse" in text
    assert "Layer 2 uses <b>tanh</b>" in text
    doc.undo_stack.undo()
    assert panel.collapsed is not None and panel.matches is True


def test_linear_map_groups_runs_of_layers(qtbot):
    doc = _doc("deep_relu")
    panel = LinearMapPanel(doc)
    qtbot.addWidget(panel)
    assert "Layers 1–8 use <b>ReLU</b> and layer 9 uses <b>σ</b>" in panel.text.text()


# -------------------------------------------------------------------- render
def test_panels_render(qtbot):
    doc = _doc("deep_sigmoid")
    for cls in (ActivationPlotPanel, GradientFlowPanel, LinearMapPanel):
        panel = cls(doc)
        qtbot.addWidget(panel)
        panel.resize(700, 520)
        panel.show()
        image = panel.grab().toImage()
        assert image.width() >= 700 and image.height() >= 520
        panel.resize(360, 300)  # a narrow dock must not raise either
        assert not panel.grab().isNull()


def test_a_short_narrow_dock_keeps_the_legend_within_its_width(qtbot):
    """A three-column legend in a 480 px dock pushed the plot's right half out of view."""
    from nnviz.ui.document import Document
    from nnviz.ui.panels.activation_plot import ActivationPlotPanel

    panel = ActivationPlotPanel(Document())
    qtbot.addWidget(panel)
    panel.resize(480, 400)  # short (compact) and narrow
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.legend.columnCount <= 1
    panel.resize(1100, 400)  # short and wide: three columns fit
    qtbot.waitUntil(lambda: panel.legend.columnCount == 3)


def test_gradient_flow_stays_readable_in_a_short_dock(qtbot):
    """A ~480×420 dock: y labels thinned to every few decades, every layer and the output ticked."""
    doc = _doc("deep_sigmoid")
    panel = _flow(qtbot, doc)
    panel.resize(480, 420)
    panel.show()
    qtbot.waitExposed(panel)
    L = doc.network.depth
    qtbot.waitUntil(lambda: panel.x_ticks[-1:] == [L])
    assert panel.x_ticks == list(range(1, L + 1))
    vb_height = panel.plot_item.vb.geometry().height()
    assert vb_height > 140  # the plot keeps most of the height
    spacing = vb_height / (len(range(panel.y_ticks[0], panel.y_ticks[-1] + 1)) or 1)
    assert len(panel.y_ticks) >= 2
    assert (panel.y_ticks[1] - panel.y_ticks[0]) * spacing > 20  # labels do not overlap
    assert panel.plot_item.getAxis("left").labelText == "|gradient|"
    assert panel.legend.columnCount == 2  # the two entries on one row
    panel.resize(340, 260)  # tiny: still the output is ticked
    qtbot.waitUntil(lambda: panel.x_ticks[-1] == L)


def _softmax_project():
    import numpy as np

    from nnviz.core import io
    from nnviz.core.network import Network

    net = Network.create(
        [3, 4, 3], "tanh", output_activation="softmax", loss="cross_entropy", seed=2
    )
    return io.Project(net, io.Sample(np.array([0.5, -1.0, 2.0]), np.array([0.0, 1.0, 0.0])))


@pytest.mark.parametrize("width", [1024, 1280, 1600, 1920])
@pytest.mark.parametrize("network", ["default", "softmax"])
def test_the_plot_keeps_its_place_while_the_playback_changes_its_texts(
    qtbot, tmp_path, monkeypatch, width, network
):
    """The title and the values line change at every step; the plot under them must
    not move (a moving plot is a distraction, and pyqtgraph lays it out again)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from nnviz.core import examples
    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    project = examples.default_project() if network == "default" else _softmax_project()
    w = MainWindow(Document(project), theme_choice="light")
    w.resize(width, 1200)  # tall: the full legend (a short dock has a compact one)
    w.show()
    qtbot.waitExposed(w)
    plot = w.activation_plot
    resized = []

    class Watch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Resize:
                resized.append(c.step)
            return False

    def plotted() -> str:  # the activation function on the plot now
        return w.document.network.layer(plot.target.layer).activation

    c = w.playback
    c.seek(1, 0.0)  # playback begins: the texts get their room (one layout, here)
    QApplication.processEvents()
    watch = Watch()
    plot.stack.installEventFilter(watch)
    texts, others, boxes, switches = set(), set(), {}, set()
    before = plotted()
    for step in range(1, c.plan.last + 1):
        c.seek(step, 0.5)
        QApplication.processEvents()
        texts.add(plot.values_label.text())
        others.add(plot._others_label is not None)
        boxes.setdefault(plotted(), set()).add(plot.plot_item.vb.sceneBoundingRect().getRect())
        if plotted() != before:  # another function: a plot of its own, legend and all
            switches.add(step)
        before = plotted()
    assert len(texts) > 2  # the texts did change
    assert others == {True, False}  # and the legend's "other neurons" came and went
    assert set(resized) <= switches
    # while one function is plotted, the plot inside the widget never moves either
    assert all(len(b) == 1 for b in boxes.values()), boxes
    w.document.undo_stack.setClean()
    w.close()
    w.deleteLater()


def test_playback_texts_are_measured_once_per_revision(plot, doc, monkeypatch):
    """The longest playback texts are keyed on the document's revisions: stepping
    through the playback does not measure them again; an edit does."""
    made = []
    original = plot._playback_texts

    def counting():
        made.append(1)
        return original()

    monkeypatch.setattr(plot, "_playback_texts", counting)
    z_shown = tuple(np.ones(n, dtype=bool) for n in doc.network.sizes)
    plot.set_playback((1, 0), z_shown)
    assert len(made) == 1  # playback began: measured once
    for j in range(doc.network.sizes[1]):  # other neurons selected: the same numbers
        doc.select(Selection.of_neuron(1, j))
    plot.set_playback((2, 0), z_shown)
    assert len(made) == 1
    before = len(made)
    doc.set_weight(1, 0, 0, 0.9)
    assert len(made) == before + 1
    plot.set_playback((1, 2), z_shown)
    assert len(made) == before + 1
    doc.set_decimals(doc.decimals + 1)
    assert len(made) == before + 2
