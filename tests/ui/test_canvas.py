"""Canvas geometry, hit testing and batched drawing."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core.network import Network
from nnviz.ui.canvas.layout import Layout
from nnviz.ui.canvas.view import WIDTH_BUCKETS, NetworkCanvas, edge_paths
from nnviz.ui.document import Document, Selection

# also run on real X screens (Xvfb, xcb) by .ci/run's real-screen phase
pytestmark = pytest.mark.realscreen


def test_layout_hit_tests_neurons_and_edges():
    lay = Layout([2, 3, 1])
    for l, n in enumerate([2, 3, 1]):  # noqa: E741
        for j in range(n):
            assert lay.neuron_at(*lay.pos(l, j)) == (l, j)
    x1, y1 = lay.pos(1, 2)
    x2, y2 = lay.pos(2, 0)
    mid = ((x1 + lay.radius[1] + x2 - lay.radius[2]) / 2, (y1 + y2) / 2)
    assert lay.edge_at(*mid) == (2, 0, 2)
    assert lay.neuron_at(-1000, -1000) is None


def test_big_layers_are_squeezed_and_drawn_without_detail():
    lay = Layout([784, 128, 10])
    assert not lay.detailed
    assert not lay.labelled(0)
    height = lay.y[0][-1] - lay.y[0][0]
    assert height < 2500


def test_edges_are_batched_by_sign_and_width_not_one_item_each(qtbot):
    net = Network.create([784, 128, 10], "relu", seed=1)
    doc = Document()
    from nnviz.core import io

    doc.load_project(io.Project(net, io.Sample(np.zeros(784), np.zeros(10))))
    canvas = NetworkCanvas(doc)
    qtbot.addWidget(canvas)
    assert len(canvas.scene().items()) == 2  # static layer + overlay
    assert len(canvas.static._paths) <= 2 * WIDTH_BUCKETS


def test_edge_paths_cover_every_segment():
    x1 = np.zeros(10)
    x2 = np.ones(10)
    y = np.arange(10.0)
    vals = np.linspace(-1, 1, 10)
    paths = edge_paths([x1, x2], [y, y], vals, 4)
    n_points = sum(p.elementCount() for _, _, p in paths)
    assert n_points == 20
    assert {s for s, _, _ in paths} == {1, -1}


def test_canvas_follows_document_shape_changes(qtbot):
    doc = Document()
    canvas = NetworkCanvas(doc)
    qtbot.addWidget(canvas)
    doc.select(Selection.of_neuron(1, 0))
    doc.add_neuron(1)
    assert canvas.layout.sizes == [2, 4, 1]
    doc.undo_stack.undo()
    assert canvas.layout.sizes == [2, 3, 1]


def test_neuron_fills_are_the_exact_blend_to_within_one_colour_step(qtbot):
    """A column's fills are looked up from levels of |a|; each is the blend of the
    surface towards the sign's colour by 0.45·min(|a|, 1), as an 8-bit colour."""
    from nnviz.ui import theme as themes

    canvas = NetworkCanvas(Document())
    qtbot.addWidget(canvas)
    th = themes.current()
    a = np.concatenate([np.linspace(-3.0, 3.0, 601), [0.0, -0.0, 1e-9, -1e-9, 1e300, -1e300]])
    brushes = canvas.neuron_brushes(a)
    assert len(brushes) == a.size
    for v, brush in zip(a, brushes):
        t = min(abs(v), 1.0) * 0.45
        target = th.positive if v >= 0 else th.negative
        want = [
            round(255 * (s + (e - s) * t))
            for s, e in (
                (th.surface.redF(), target.redF()),
                (th.surface.greenF(), target.greenF()),
                (th.surface.blueF(), target.blueF()),
            )
        ]
        got = brush.color()
        assert max(abs(g - w) for g, w in zip(got.getRgb()[:3], want)) <= 1, v
        assert canvas.neuron_fill(v) == got  # the single-value form agrees
    # a NaN or an infinity never breaks the painting (the core refuses them anyway)
    odd = canvas.neuron_brushes(np.array([np.nan, np.inf, -np.inf]))
    assert [b.color() for b in odd[1:]] == [canvas.neuron_fill(1.0), canvas.neuron_fill(-1.0)]
