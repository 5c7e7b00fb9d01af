"""The canvas's edge image: rendered once, patched around an edited edge, reused on a pan."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainterPath

from nnviz.core import io
from nnviz.core.network import Network
from nnviz.ui import theme as themes
from nnviz.ui.canvas.view import NetworkCanvas, over_background, pairs_path, segments_meet_rect
from nnviz.ui.document import Document


def _pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, : img.width() * 4].reshape(img.height(), img.width(), 4).astype(int)


def _canvas(qtbot, sizes):
    net = Network.create(sizes, "tanh", seed=3)
    x = np.linspace(-1, 1, sizes[0])
    doc = Document(io.Project(net, io.Sample(x, np.zeros(sizes[-1]))))
    c = NetworkCanvas(doc)
    qtbot.addWidget(c)
    c.resize(900, 600)
    c.show()
    qtbot.waitExposed(c)
    qtbot.waitUntil(lambda: c.static.full_renders > 0)  # the scene paints its new items
    return c


@pytest.fixture
def canvas(qtbot):
    return _canvas(qtbot, [12, 16, 8])


@pytest.fixture(params=[[12, 16, 8], [40, 60, 30]], ids=["detailed", "level-of-detail"])
def any_canvas(qtbot, request):
    return _canvas(qtbot, request.param)


def _largest(doc: Document) -> float:
    return max(float(np.max(np.abs(layer.W))) for layer in doc.network.layers)


def test_an_edit_repaints_only_around_the_edge_and_matches_a_full_render(any_canvas):
    canvas = any_canvas
    assert canvas.layout.detailed == (canvas.layout.n_edges <= 3000)
    st, doc = canvas.static, canvas.document
    full, partial = st.full_renders, st.partial_renders
    W = doc.network.layers[0].W
    # move two weights into other width buckets, and one to zero
    doc.set_weight(1, 3, 4, round(0.93 * _largest(doc) * (1 if W[3, 4] >= 0 else -1), 6))
    doc.set_weight(1, 10, 7, round(-float(W[10, 7]), 6))
    doc.set_weight(2, 0, 0, 0.0)
    canvas.viewport().repaint()
    assert st.full_renders == full
    assert st.partial_renders > partial
    patched = _pixels(st._image)

    st._pending = None  # force a full render of the same state
    st.update()
    canvas.viewport().repaint()
    assert st.full_renders == full + 1
    fresh = _pixels(st._image)
    diff = np.abs(patched - fresh)
    # the same picture, up to antialiasing rounding where a repainted patch ends
    assert diff.max() <= 8
    assert np.count_nonzero(diff > 2) < 1e-4 * diff.size


def test_level_of_detail_mixes_the_signs_whatever_the_drawing_order(qtbot):
    canvas = _canvas(qtbot, [40, 60, 30])
    assert not canvas.layout.detailed
    st = canvas.static
    img = _pixels(st._image)
    th = themes.current()
    th_pos = np.array([th.positive.red(), th.positive.green(), th.positive.blue()])
    th_neg = np.array([th.negative.red(), th.negative.green(), th.negative.blue()])
    covered = img[..., 3] > 0
    # B, G, R in memory; un-premultiply the opaque-enough pixels and see both colours
    strong = covered & (img[..., 3] > 100)
    rgb = img[strong][:, [2, 1, 0]] * 255.0 / img[strong][:, 3:4]
    near_pos = np.linalg.norm(rgb - th_pos, axis=1) < 40
    near_neg = np.linalg.norm(rgb - th_neg, axis=1) < 40
    # as many positive as negative weights (a symmetric initialisation): neither sign
    # hides the other, whichever is drawn last
    assert near_pos.mean() > 0.35 and near_neg.mean() > 0.35
    assert abs(near_pos.mean() - near_neg.mean()) < 0.15


def test_a_scrub_within_the_same_width_bucket_repaints_no_edge(canvas):
    st, doc = canvas.static, canvas.document
    full, partial = st.full_renders, st.partial_renders
    w = float(doc.network.layers[0].W[2, 2])
    doc.set_weight(1, 2, 2, round(w * 0.999, 6))
    canvas.viewport().repaint()
    assert (st.full_renders, st.partial_renders) == (full, partial)


def test_a_pan_reuses_the_edge_image_and_a_zoom_renders_it_again(canvas):
    st = canvas.static
    canvas.zoom_by(2.0)
    canvas.viewport().repaint()
    full = st.full_renders
    corner = canvas.mapToScene(0, 0)
    canvas.horizontalScrollBar().setValue(canvas.horizontalScrollBar().value() + 40)
    canvas.verticalScrollBar().setValue(canvas.verticalScrollBar().value() + 25)
    canvas.viewport().repaint()
    assert canvas.mapToScene(0, 0) != corner  # it did pan
    assert st.full_renders == full
    canvas.zoom_by(1.25)
    canvas.viewport().repaint()
    assert st.full_renders == full + 1


def test_a_theme_or_shape_change_renders_the_edges_again(canvas):
    st, doc = canvas.static, canvas.document
    full = st.full_renders
    doc.add_neuron(1)
    canvas.viewport().repaint()
    assert st.full_renders == full + 1


def test_segments_meet_rect():
    x1 = np.array([0.0, 0.0, 0.0])
    y1 = np.array([0.0, 10.0, 0.0])
    x2 = np.array([10.0, 10.0, 10.0])
    y2 = np.array([10.0, 10.0, 0.0])
    hit = segments_meet_rect(x1, y1, x2, y2, (4.0, 4.5, 6.0, 5.5))
    assert hit.tolist() == [True, False, False]


class _SplitPainter:
    """A playback painter with a still part (cached by the canvas) and a moving part."""

    def __init__(self) -> None:
        self.step = 0
        self.still = 0
        self.moving = 0

    def still_key(self, canvas):
        return self.step

    def paint_still(self, canvas, p):
        self.still += 1
        left, top, width, height = canvas.layout.bounds()
        p.fillRect(QRectF(left, top, width, height), QColor(255, 0, 0, 100))

    def paint_moving(self, canvas, p):
        self.moving += 1

    def __call__(self, canvas, p):  # pragma: no cover - the split is used instead
        raise AssertionError("the canvas should use the split")


def test_the_playback_still_part_is_rendered_once_per_key_and_blitted(canvas):
    painter = _SplitPainter()
    canvas.playback_painter = painter
    canvas.set_playback_active(True)
    for _ in range(3):
        canvas.viewport().repaint()
    assert (painter.still, painter.moving) == (1, 3)
    painter.step = 1  # the next step of the timeline
    canvas.viewport().repaint()
    assert (painter.still, painter.moving) == (2, 4)
    canvas.zoom_by(1.25)  # a new transform: rendered again
    canvas.viewport().repaint()
    assert (painter.still, painter.moving) == (3, 5)
    image = canvas.viewport().grab().toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 2)
    assert centre.red() > centre.blue() + 40  # the red veil is on screen
    canvas.set_playback_active(False)
    still, moving = painter.still, painter.moving
    canvas.viewport().repaint()
    assert (painter.still, painter.moving) == (still, moving)


def test_pairs_path_is_the_segments_one_by_one(qapp):
    x1, y1 = np.array([0.0, 2.5, -1.0]), np.array([1.0, 3.0, 1e6])
    x2, y2 = np.array([4.0, 5.0, 0.5]), np.array([-2.0, 3.0, -7.25])
    expected = QPainterPath()
    for a, b, c, d in zip(x1, y1, x2, y2):
        expected.moveTo(a, b)
        expected.lineTo(c, d)
    assert pairs_path(x1, y1, x2, y2) == expected
    assert pairs_path(np.empty(0), np.empty(0), np.empty(0), np.empty(0)).isEmpty()


def test_paint_dots_blits_a_dot_at_each_scene_point(canvas):
    lay = canvas.layout
    xs = np.array([lay.x[0] + 60.0, lay.x[1] - 60.0])
    ys = np.array([float(lay.y[0][0]), float(lay.y[1][-1])])

    class Dots(_SplitPainter):
        def paint_still(self, canvas, p):
            self.still += 1

        def paint_moving(self, canvas, p):
            canvas.paint_dots(p, xs, ys, QColor(255, 0, 0), 12.0, QColor(0, 0, 255), 2.0)

    canvas.playback_painter = Dots()
    canvas.set_playback_active(True)
    image = canvas.viewport().grab().toImage()
    for x, y in zip(xs, ys):
        pos = canvas.mapFromScene(x, y)
        c = image.pixelColor(pos.x(), pos.y())
        assert (c.red(), c.green(), c.blue()) == (255, 0, 0)  # the dot's centre
        rim = image.pixelColor(pos.x() + 7, pos.y())
        assert rim.blue() > 200 and rim.red() < 60  # its rim, 6 to 8 px out
    canvas.paint_dots(None, np.empty(0), np.empty(0), QColor(0, 0, 0), 5.0)  # nothing to do


def test_over_background_is_the_translucent_colour_made_opaque(qapp):
    th = themes.current()
    c = over_background(th.positive, 0.5)
    assert c.alpha() == 255
    for got, a, b in (
        (c.redF(), th.positive.redF(), th.background.redF()),
        (c.greenF(), th.positive.greenF(), th.background.greenF()),
        (c.blueF(), th.positive.blueF(), th.background.blueF()),
    ):
        assert abs(got - (0.5 * a + 0.5 * b)) < 1 / 255
