"""Live level of detail: while every weight moves on consecutive frames (training), the
edge image shows a stratified subset of a big network's edges, in true colours, and
every edge again once the changes stop."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from nnviz.core import io
from nnviz.core.network import Network
from nnviz.ui import theme as themes
from nnviz.ui.canvas import view
from nnviz.ui.canvas.view import WIDTH_BUCKETS, NetworkCanvas, edge_buckets, edge_pen, live_subset
from nnviz.ui.document import Document


def _lod_colours(bucket: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Each edge's level-of-detail pen colour (R, G, B), as the canvas draws it."""
    th = themes.current()
    table = {}
    for sg in (1, -1):
        for b in range(WIDTH_BUCKETS):
            c = edge_pen(th, sg, b, False).color()
            table[sg, b] = (c.red(), c.green(), c.blue())
    return np.array([table[int(s), int(b)] for s, b in zip(sign, bucket)], dtype=float)


@pytest.mark.parametrize("sizes", [(2, 316, 316, 1), (2, 100, 98, 1), (784, 128, 10)])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_live_subset_has_each_layers_mean_colour(qapp, sizes, seed):
    rng = np.random.default_rng(seed)
    net = Network.create(list(sizes), "tanh", seed=seed)
    for layer in net.layers:  # skewed, as trained weights are: a few strong, many weak
        layer.W[...] = rng.standard_t(3, size=layer.W.shape) * rng.uniform(0.2, 2.0)
    values = np.concatenate([layer.W.ravel() for layer in net.layers])
    bucket, sign = edge_buckets(values, WIDTH_BUCKETS)
    counts = [layer.W.size for layer in net.layers]
    layer_of = np.repeat(np.arange(len(counts)), counts)
    order = np.random.default_rng(0).permutation(values.size)
    keep = live_subset(bucket, sign, layer_of, order, view.LIVE_EDGES)
    assert keep.size <= view.LIVE_EDGES * 1.01 and np.all(np.diff(keep) > 0)
    colours = _lod_colours(bucket, sign)
    for l in range(len(counts)):  # noqa: E741
        every, drawn = layer_of == l, layer_of[keep] == l
        assert drawn.any()
        if counts[l] <= view.LIVE_EDGES / len(counts):
            assert drawn.sum() == counts[l]  # a small layer keeps every edge
        # colours true: the subset's mean colour is the layer's within one 8-bit step
        diff = colours[keep][drawn].mean(axis=0) - colours[every].mean(axis=0)
        assert np.abs(diff).max() <= 1.0


def test_the_live_subset_stays_the_same_edges_when_few_weights_move(qapp):
    rng = np.random.default_rng(2)
    values = rng.normal(size=100_000)
    layer_of = np.repeat([0, 1], [50_000, 50_000])
    order = np.random.default_rng(0).permutation(values.size)
    before = live_subset(*edge_buckets(values, WIDTH_BUCKETS), layer_of, order, 4000)
    values[rng.choice(values.size, 500, replace=False)] *= 1.3  # a training step's nudge
    after = live_subset(*edge_buckets(values, WIDTH_BUCKETS), layer_of, order, 4000)
    assert np.intersect1d(before, after).size > 0.9 * before.size  # no flicker


def test_a_small_network_is_never_thinned(qapp):
    values = np.random.default_rng(3).normal(size=300)
    bucket, sign = edge_buckets(values, WIDTH_BUCKETS)
    keep = live_subset(bucket, sign, np.zeros(300, int), np.arange(300), 4000)
    assert np.array_equal(keep, np.arange(300))


def _pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, : img.width() * 4].reshape(img.height(), img.width(), 4).astype(float)


def _params(net: Network, rng) -> list[np.ndarray]:
    out = []
    for layer in net.layers:
        out += [layer.W + rng.normal(scale=0.3, size=layer.W.shape), layer.b.copy()]
    return out


def _big_canvas(qtbot):
    net = Network.create([2, 316, 316, 1], "tanh", seed=1)
    doc = Document(io.Project(net, io.Sample(np.array([0.5, -0.5]), np.zeros(1))))
    canvas = NetworkCanvas(doc)
    qtbot.addWidget(canvas)
    canvas.resize(900, 600)
    canvas.show()
    qtbot.waitExposed(canvas)
    qtbot.waitUntil(lambda: canvas.static.full_renders > 0)
    return net, doc, canvas, canvas.static


def test_training_frames_at_100k_edges_use_the_live_subset_and_a_pause_draws_all(
    qtbot, monkeypatch
):
    monkeypatch.setattr(view, "LIVE_EDGE_SHARE", 1.0)  # no rate cap: every frame renders
    monkeypatch.setattr(view, "LIVE_EDGE_INTERVAL_MS", 0)
    # consecutive changes stay "live" however slow a loaded machine draws them
    monkeypatch.setattr(view, "LIVE_WITHIN_MS", 60_000)
    net, doc, canvas, st = _big_canvas(qtbot)
    rng = np.random.default_rng(0)
    # training: every weight moves, frame after frame (the first frame is drawn whole)
    doc.set_parameters_live(_params(net, rng))
    canvas.viewport().repaint()
    full, live = st.full_renders, st.live_renders
    for _ in range(3):
        doc.set_parameters_live(_params(net, rng))
        canvas.viewport().repaint()
        assert st.live
    assert st.live_renders == live + 3  # the fast path, frame after frame
    assert st.full_renders == full
    # only the two theme colours (true colours), over transparent
    img = _pixels(st._image)
    th = themes.current()
    strong = img[..., 3] > 60
    assert strong.any()
    rgb = img[strong][:, [2, 1, 0]] * 255.0 / img[strong][:, 3:4]
    ref = [np.array([c.red(), c.green(), c.blue()]) for c in (th.positive, th.negative)]
    nearest = np.min([np.linalg.norm(rgb - r, axis=1) for r in ref], axis=0)
    assert np.percentile(nearest, 99) < 12
    # paused: no more changes, so the whole picture is drawn once they settle
    qtbot.waitUntil(lambda: st.full_renders == full + 1, timeout=30_000)
    assert not st.live
    renders = st.live_renders
    canvas.viewport().repaint()
    assert st.live_renders == renders and st.full_renders == full + 1


def test_the_live_edges_are_rendered_at_a_capped_rate_and_catch_up(qtbot, monkeypatch):
    monkeypatch.setattr(view, "LIVE_EDGE_SHARE", 1e-6)  # at most one live render
    monkeypatch.setattr(view, "LIVE_WITHIN_MS", 60_000)  # however slow the machine
    net, doc, canvas, st = _big_canvas(qtbot)
    rng = np.random.default_rng(0)
    for _ in range(5):
        doc.set_parameters_live(_params(net, rng))
        canvas.viewport().repaint()
    # the first change draws whole, the second live, the others blit that image
    assert (st.live_renders, st.live_skips) == (1, 3)
    full = st.full_renders
    qtbot.waitUntil(lambda: st.full_renders == full + 1, timeout=30_000)  # the last weights


def test_one_whole_network_change_draws_every_edge(qtbot):
    net, doc, canvas, st = _big_canvas(qtbot)
    st._last_every = -1e9  # long after any other change
    full, live = st.full_renders, st.live_renders
    doc.set_parameters_live(_params(net, np.random.default_rng(1)))
    canvas.viewport().repaint()
    assert (st.full_renders, st.live_renders) == (full + 1, live)


def test_zoomed_in_too_far_for_an_image_the_live_subset_is_drawn_directly(qtbot, monkeypatch):
    net, doc, canvas, st = _big_canvas(qtbot)
    monkeypatch.setattr(view, "MAX_EDGE_IMAGE_PIXELS", 1)  # no edge image: drawn directly
    drawn: list[int] = []
    draw = view.StaticLayer._draw_edges

    def counting(self, p, th, detailed, subset=None):
        drawn.append(self._values.size if subset is None else subset.size)
        draw(self, p, th, detailed, subset)

    monkeypatch.setattr(view.StaticLayer, "_draw_edges", counting)
    rng = np.random.default_rng(0)
    for _ in range(3):
        doc.set_parameters_live(_params(net, rng))
        canvas.viewport().repaint()
    assert drawn[-1] <= view.LIVE_EDGES * 1.01  # training: the subset
    qtbot.waitUntil(lambda: not st.live, timeout=5000)
    canvas.viewport().repaint()
    assert drawn[-1] == net.n_edges  # paused: every edge


def test_exact_zeros_are_a_group_of_their_own(qapp):
    rng = np.random.default_rng(4)
    bucket = rng.integers(0, WIDTH_BUCKETS, 20_000).astype(np.int8)
    sign = rng.choice(np.array([-1, 0, 1], dtype=np.int8), 20_000, p=[0.45, 0.1, 0.45])
    bucket[sign == 0] = 0
    keep = live_subset(bucket, sign, np.zeros(20_000, int), rng.permutation(20_000), 2000)
    for s in (-1, 0, 1):
        assert abs(np.mean(sign[keep] == s) - np.mean(sign == s)) < 1e-3
