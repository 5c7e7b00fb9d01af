"""The canvas's paint layers, their one raster cache, and what an edit rebuilds."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

from nnviz.core import examples, io
from nnviz.core.network import Network
from nnviz.core.timeline import Timeline, build_plan
from nnviz.ui.canvas import layers
from nnviz.ui.canvas.animation import PlaybackPainter
from nnviz.ui.canvas.view import WIDTH_BUCKETS, NetworkCanvas, edge_buckets
from nnviz.ui.document import Document


def _canvas(qtbot, doc: Document) -> NetworkCanvas:
    c = NetworkCanvas(doc)
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.show()
    qtbot.waitExposed(c)
    qtbot.waitUntil(lambda: c.static.full_renders > 0)
    return c


@pytest.fixture
def canvas(qtbot):
    net = Network.create([6, 8, 4], "tanh", seed=5)
    doc = Document(io.Project(net, io.Sample(np.linspace(-1, 1, 6), np.zeros(4))))
    return _canvas(qtbot, doc)


def test_the_canvas_is_an_ordered_list_of_layers(canvas):
    names = [layer.name for layer in canvas.static_layers + canvas.overlay_layers]
    names += [layer.name for layer in canvas.foreground_layers]
    assert names == [
        "edges",
        "neurons",
        "cached playback still",
        "highlights",
        "playback moving",
        "weight labels",
        "legend",
    ]
    ctx = layers.context_of(canvas)
    assert ctx.layout is canvas.layout and ctx.document is canvas.document
    assert ctx.zoom == pytest.approx(canvas.zoom_level()) and ctx.vector is False


@pytest.mark.parametrize("nudge", [1e-4, None], ids=["same bucket", "new bucket"])
def test_one_weight_change_repaints_without_rebuilding_the_edge_buckets(canvas, nudge):
    doc, st = canvas.document, canvas.static
    canvas.viewport().grab()
    builds, full = st.bucket_builds, st.full_renders
    W = doc.network.layers[0].W
    w = float(W[2, 3])
    if nudge is None:  # move the edge into another bucket (still not the largest)
        values = np.concatenate([layer.W.ravel() for layer in doc.network.layers])
        ref = float(np.max(np.abs(values)))
        target = 0.02 * ref if abs(w) > 0.3 * ref else 0.5 * ref * np.sign(w or 1.0)
        bucket_before = edge_buckets(np.array([w, ref]), WIDTH_BUCKETS)[0][0]
        bucket_after = edge_buckets(np.array([target, ref]), WIDTH_BUCKETS)[0][0]
        assert bucket_before != bucket_after
        new = target
    else:
        new = w + nudge
    assert doc.set_weight(1, 2, 3, round(new, 6), 0)
    canvas.viewport().grab()
    assert st.bucket_builds == builds  # no edge path rebuilt for one weight
    assert st.full_renders == full  # and the edge image only patched (or untouched)


def test_the_raster_cache_steps_aside_for_vector_output(qtbot, tmp_path):
    from PySide6.QtSvg import QSvgGenerator

    doc = Document(examples.load("default"))
    canvas = _canvas(qtbot, doc)
    timeline = Timeline(build_plan(doc.network))
    timeline.seek(timeline.plan.find("forward_edges", 1), 0.5)
    painter = PlaybackPainter(timeline.frame)
    canvas.playback_painter = painter
    canvas.set_playback_active(True)
    canvas.viewport().grab()
    renders = canvas.still_renders
    assert renders >= 1  # raster: the still part went through the cache
    gen = QSvgGenerator()
    gen.setFileName(str(tmp_path / "v.svg"))
    gen.setSize(QSize(900, 600))
    gen.setViewBox(QRect(0, 0, 900, 600))
    with canvas.vector_output():
        p = QPainter(gen)
        QWidget.render(canvas, p, QPoint(0, 0))
        p.end()
    assert canvas.still_renders == renders  # vector: painted directly, no image
    text = (tmp_path / "v.svg").read_text(encoding="utf-8")
    assert "<image" not in text and "×" in text  # the a·w labels as text
    assert canvas.vector is False  # and the canvas is back to raster


def test_a_layer_key_of_none_is_painted_directly(canvas):
    class Plain(layers.Layer):
        name = "plain"
        painted = 0

        def paint(self, p, ctx):
            Plain.painted += 1

    cache = layers.RasterCache(Plain())
    from PySide6.QtGui import QImage

    img = QImage(50, 50, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    cache.paint(p, layers.context_of(canvas))
    p.end()
    assert Plain.painted == 1 and cache.renders == 0 and not cache.images


def test_the_theme_is_an_object_with_a_signal():
    from nnviz.ui import theme as themes

    state = themes.state()
    before = themes.current()
    seen = []
    state.changed.connect(seen.append)
    try:
        themes.set_current(themes.DARK)
        themes.set_current(themes.DARK)  # no change: no signal
        assert themes.current() is themes.DARK and state.theme is themes.DARK
        assert seen == [themes.DARK]
    finally:
        state.changed.disconnect(seen.append)
        themes.set_current(before)
