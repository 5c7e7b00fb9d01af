"""The network canvas: a QGraphicsView that paints an ordered list of layers.

Drawing follows DESIGN.md and ``layers.py``: the static item paints the edges
and neurons layers and is cached by Qt (and its edges by an image patched edge
by edge), so it is rendered again only on an edit, a resize or a zoom. Edges
are drawn in batches, one path per colour-and-width bucket, never one item per
edge. The overlay item paints the playback layers (the still part through the
one raster cache, the moving part fresh) and the highlights, cheap to repaint
every frame; the view's foreground paints the legend. Inside
:meth:`NetworkCanvas.vector_output` every raster cache steps aside (SVG).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import struct
import time

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QRegion,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QMenu,
    QStyleOptionGraphicsItem,
    QWidget,
)

from nnviz.core import activations
from nnviz.core.addresses import Address, Weight
from nnviz.core.explain import fmt, input_symbol, loss_text
from nnviz.ui import hidden_values, textscale
from nnviz.ui import theme as themes
from nnviz.ui.canvas import scenetext
from nnviz.ui.canvas import style as styles
from nnviz.ui.canvas.layers import (
    EdgesLayer,
    HighlightsLayer,
    LegendLayer,
    NeuronsLayer,
    PlaybackMovingLayer,
    PlaybackStillLayer,
    RasterCache,
    StillAhead,
    context_of,
)
from nnviz.ui.canvas.layout import Layout
from nnviz.ui.canvas.placement import (
    Label,
    Placement,
    edge_candidates,
    neuron_candidates,
    place,
)
from nnviz.ui.canvas.weight_labels import WeightLabelsLayer, wants_labels
from nnviz.ui.document import Change, Document, Selection

WIDTH_BUCKETS = 6
#: steps of |a| in a neuron's fill (see NetworkCanvas.neuron_brushes)
FILL_LEVELS = 256
MIN_EDGE_WIDTH = 0.8
MAX_EDGE_WIDTH = 7.0
_gestures = itertools.count(1)


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    t = float(np.clip(t, 0.0, 1.0))
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


_PATH_ELEMENT = np.dtype([("c", ">i4"), ("x", ">f8"), ("y", ">f8")])


def pairs_path(x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> QPainterPath:
    """One QPainterPath of the separate segments (x1, y1) → (x2, y2), built from arrays at once.

    Qt reads a path from a QDataStream as the element count (int32), then per
    element its type (int32: 0 move to, 1 line to) and x, y (float64), then the
    start of the current subpath and the fill rule (int32 each), big-endian.
    Writing that with numpy is pyqtgraph's ``arrayToQPath`` trick; done here, the
    canvas does not import pyqtgraph (which costs ~0.2 s at start-up).
    """
    path = QPainterPath()
    n = 2 * int(np.size(x1))
    if n == 0:
        return path
    buf = bytearray(4 + n * _PATH_ELEMENT.itemsize + 8)
    struct.pack_into(">i", buf, 0, n)
    arr = np.frombuffer(buf, dtype=_PATH_ELEMENT, count=n, offset=4)
    arr["c"][1::2] = 1
    arr["x"][0::2], arr["x"][1::2] = x1, x2
    arr["y"][0::2], arr["y"][1::2] = y1, y2
    QDataStream(QByteArray(bytes(buf))) >> path  # noqa: B015 - Qt's stream operator
    return path


def edge_paths(
    xs: list[np.ndarray], ys: list[np.ndarray], values: np.ndarray, n_buckets: int
) -> list[tuple[int, int, QPainterPath]]:
    """Group segments by (sign, |value| bucket) into one QPainterPath each.

    ``xs``/``ys`` hold the flattened x1, x2 / y1, y2 arrays; ``values`` the
    flattened signed values. Returns (sign, bucket, path) with sign 1 or -1, in
    drawing order: weakest bucket first, positive before negative.
    """
    bucket, sign = edge_buckets(values, n_buckets)
    return bucket_paths(xs[0], ys[0], xs[1], ys[1], bucket, sign, n_buckets)


def over_background(color: QColor, alpha: float) -> QColor:
    """``color`` at opacity ``alpha`` over the theme's background, as one opaque colour.

    Draw with this instead of a translucent pen wherever lines lie on the background
    (or on the playback veil, which is nearly background): on this CPU Qt draws
    antialiased lines 10-20× faster with an opaque pen.
    """
    return _blend(themes.current().background, color, alpha)


def _lod_opacity(b: int) -> float:
    """How far from the background a hairline of bucket ``b`` is drawn (level of detail)."""
    return 0.08 + 0.5 * b / (WIDTH_BUCKETS - 1)


def edge_pen(th: themes.Theme, sign: int, b: int, detailed: bool) -> QPen:
    """The pen of the edges in bucket ``b`` of ``sign``: opaque, pre-blended with the background.

    Strength shows as width (detailed) and as how far the colour is from the
    background. The colour is opaque on purpose: Qt's raster engine draws
    antialiased lines 10-20× faster with an opaque pen than with a translucent
    one (measured), and the look is the same wherever edges do not cross.
    """
    t = b / (WIDTH_BUCKETS - 1)
    # an exact zero has neither sign: the muted colour, not the positive one
    color = th.positive if sign > 0 else th.negative if sign < 0 else th.muted
    if detailed:
        pen = QPen(
            _blend(th.background, color, 0.55 + 0.45 * t),
            MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * t,
        )
    else:  # level of detail: hairlines, strength by how far from the background, colours true
        pen = QPen(_blend(th.background, color, _lod_opacity(b)), 0)
        pen.setCosmetic(True)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


#: what an overflowed loss means, under the legend (two short lines)
OVERFLOW_LEGEND = (
    "overflow, ∞, NaN: a number passed float64's largest (1.8 × 10³⁰⁸);\n"
    "make the weights, biases or inputs smaller"
)


def overflowed(document) -> bool:
    """Did the document's numbers overflow float64 (the loss or ∂L/∂x is ±∞ or NaN)?"""
    grads = document.grads
    return not (math.isfinite(grads.loss) and np.isfinite(grads.dL_dx).all())


def edge_buckets(
    values: np.ndarray, n_buckets: int, ref: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per edge: its |value| bucket (0 = weakest, relative to ``ref``, by default the
    largest |value|) and sign (+1, −1, or 0 for an exact zero — or NaN — which is
    drawn in neither sign's colour). An overflowed value (±∞, NaN) is in the
    strongest bucket; the scale is the finite values'."""
    magnitude = np.abs(values)
    finite = np.isfinite(magnitude)
    if ref is None or not math.isfinite(ref):
        ref = float(np.max(magnitude[finite])) if finite.any() else 1.0
    ref = ref if ref > 0 else 1.0
    with np.errstate(all="ignore"):
        scaled = np.where(finite, magnitude / ref * n_buckets, n_buckets)
    bucket = np.minimum(scaled, n_buckets - 1).astype(np.int8)
    sign = np.where(values > 0, 1, np.where(values < 0, -1, 0)).astype(np.int8)
    return bucket, sign


def segments_meet_rect(
    x1: np.ndarray,
    y1: np.ndarray,
    x2: np.ndarray,
    y2: np.ndarray,
    rect: tuple[float, float, float, float],
) -> np.ndarray:
    """Bool per segment: does it pass through ``rect`` = (left, top, right, bottom)?

    Segments run left to right (x1 < x2), as every edge does.
    """
    left, top, right, bottom = rect
    dx = x2 - x1
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = np.clip((left - x1) / dx, 0.0, 1.0)
        t1 = np.clip((right - x1) / dx, 0.0, 1.0)
    ya = y1 + (y2 - y1) * t0
    yb = y1 + (y2 - y1) * t1
    return (
        (x2 >= left) & (x1 <= right) & (np.minimum(ya, yb) <= bottom) & (np.maximum(ya, yb) >= top)
    )


#: a weight edit that restyles at most this many edges repaints only the pixels around them
PARTIAL_EDGES = 48
#: device pixels an edge image may have; beyond that (a big network zoomed far in) the
#: edges are drawn straight into Qt's item cache instead
MAX_EDGE_IMAGE_PIXELS = 12_000_000
#: length in device pixels of the pieces a restyled edge is covered with when repainted
_PIECE_PX = 48.0
#: live changes (every weight moves on consecutive frames, as while training): at most
#: this many edges are drawn per frame, a stratified subset (see :func:`live_subset`)
LIVE_EDGES = 4_000
#: while live, the edge image is rendered again only so often that rendering it takes at
#: most this share of the time (the rest of the frame, neurons and plots, follows every
#: change; the edges show weights at most a few frames old)
LIVE_EDGE_SHARE = 1 / 3
#: ... and at most this often (ms): the edges of a big network follow live training at
#: 10 frames a second or more, the rest of the canvas at the display rate
LIVE_EDGE_INTERVAL_MS = 100
#: two whole-network changes this close together (ms) count as live
LIVE_WITHIN_MS = 1000
#: the full picture is drawn this long (ms) after the last live change, or twice the gap
#: between the last two changes if that is longer (a slow frame does not end a live run)
LIVE_SETTLE_MS = 250


def live_subset(
    bucket: np.ndarray,
    sign: np.ndarray,
    layer: np.ndarray,
    order: np.ndarray,
    limit: int,
    n_buckets: int = WIDTH_BUCKETS,
) -> np.ndarray:
    """Sorted indices of at most about ``limit`` edges that look, layer by layer, like all.

    Level of detail for live changes. The budget is shared between the layers
    (``layer``: each edge's layer index, 0-based), a small layer keeping all its
    edges; inside a layer every (sign, bucket) group keeps its share of the
    layer's edges (rounded), so the subset's mean colour is the layer's. Which
    edges of a group are kept follows the fixed random ``order`` (a permutation
    of the edges): from one frame to the next the same edges stay drawn, only
    those that move between groups come and go.
    """
    n = int(bucket.size)
    if n <= limit:
        return np.arange(n)
    n_layers = int(layer.max()) + 1 if n else 0
    per_layer = np.bincount(layer, minlength=n_layers)
    quota = np.zeros(n_layers)
    budget, left = float(limit), n_layers
    for l in np.argsort(per_layer, kind="stable"):  # noqa: E741 - smallest layers first
        quota[l] = min(per_layer[l], budget / left)
        budget -= quota[l]
        left -= 1
    groups = 3 * n_buckets  # signs −1, 0 (an exact zero) and +1
    key = (layer.astype(np.int64) * 3 + (np.sign(sign) + 1)) * n_buckets + bucket
    counts = np.bincount(key, minlength=n_layers * groups)
    share = quota / np.maximum(per_layer, 1)
    keep = np.rint(counts * np.repeat(share, groups)).astype(np.int64)
    ranked = key[order]
    s = np.argsort(ranked, kind="stable")  # by group, each group in the fixed order
    grouped = ranked[s]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    take = np.arange(n) - starts[grouped] < keep[grouped]
    return np.sort(order[s[take]])


def _touches_weights(values: frozenset | None | bool) -> bool:
    """Whether a ``Change.values`` payload may have moved an edge: None means every
    parameter, False none, a set names the addresses."""
    if values is None:
        return True
    if values is False:
        return False
    return any(isinstance(a, Weight) for a in values)


class StaticLayer(QGraphicsItem):
    """Edges, neurons and their numbers: cached, redrawn only when the data changes.

    Two caches. Qt's device-coordinate cache holds the whole item, so an animation
    frame or a hover blits it. Below it, the edges (the costly part) live in an
    image of their own at the view's scale: an edit repaints that image only
    around the edges whose colour or width bucket changed (none, for most small
    scrubs), then the neurons and numbers are drawn over it, which is cheap.
    A pan reuses the image; a zoom, a resize that refits, a theme or a shape
    change renders it again.
    """

    def __init__(self, canvas: NetworkCanvas) -> None:
        super().__init__()
        self._canvas = canvas
        self._layout: Layout | None = None
        self._values = np.empty(0)
        self._bucket = np.empty(0, dtype=np.int8)
        self._sign = np.empty(0, dtype=np.int8)
        self._path_cache: list[tuple[int, int, QPainterPath]] | None = None
        self._image: QImage | None = None
        self._image_key: tuple | None = None
        #: level of detail: per-sign grey-level masks the edge image is composed from
        self._masks: tuple[QImage, QImage] | None = None
        #: edges to repaint in the image before it is used; None: render it all again
        self._pending: np.ndarray | None = None
        #: counters for tests and the bench: full renders and partial repaints of the image
        self.full_renders = 0
        self.partial_renders = 0
        #: how often every edge's bucket path was built (a weight edit needs none)
        self.bucket_builds = 0
        #: live level of detail (LIVE_EDGES): whole-network changes come on consecutive
        #: frames (training), so the edge image is rendered whole each time (never
        #: patched), at a capped rate, from a stratified subset of a big network's
        #: edges, until the changes settle (LIVE_SETTLE_MS); then every edge again
        self.live = False
        self.live_renders = 0
        self._last_every = -1e9
        #: the edge image was rendered while live / from the live subset
        self._image_live = False
        self._image_subset = False
        #: when the last live render of the edge image started and how long it took (s),
        #: and how many frames blitted the live image although the weights had moved
        self._live_at = -1e9
        self._live_cost = 0.0
        self.live_skips = 0
        self._live_order: np.ndarray | None = None
        self._live_layer: np.ndarray | None = None
        self._settle = QTimer(canvas)
        self._settle.setSingleShot(True)
        self._settle.timeout.connect(self._settled)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(0)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(*self._canvas.layout.bounds())

    @property
    def _paths(self) -> list[tuple[int, int, QPainterPath]]:
        """(sign, bucket, path) per colour-and-width bucket, in drawing order (built lazily)."""
        if self._path_cache is None:
            x1, y1, x2, y2 = self._canvas.layout.segments()
            self._path_cache = bucket_paths(x1, y1, x2, y2, self._bucket, self._sign)
            self.bucket_builds += 1
        return self._path_cache

    def rebuild(self, every: bool = False) -> None:
        """Re-read the weights; repaint once, only around the edges whose look changed.

        ``every``: the change may have moved every weight (training publishes its
        weights so). Two such changes within LIVE_WITHIN_MS make the edges live:
        the edge image is rendered again whole (no patching) from a subset of the
        edges on a big network, and in full once the changes stop.
        """
        layout = self._canvas.layout
        values = np.concatenate([layer.W.ravel() for layer in self._canvas.document.network.layers])
        bucket, sign = edge_buckets(values, WIDTH_BUCKETS)
        now = time.monotonic()
        gap = now - self._last_every
        live = every and layout is self._layout and gap < LIVE_WITHIN_MS / 1e3
        if every:
            self._last_every = now
        if layout is not self._layout:
            self.prepareGeometryChange()
            self._layout = layout
            self._pending = None
            self._path_cache = None
            self._live_order = self._live_layer = None
        else:
            changed = np.flatnonzero((bucket != self._bucket) | (sign != self._sign))
            if changed.size:
                self._path_cache = None
                if (
                    not live
                    and self._pending is not None
                    and changed.size + self._pending.size <= PARTIAL_EDGES
                ):
                    self._pending = np.union1d(self._pending, changed)
                else:
                    self._pending = None
        if live:
            self.live = True
            self._settle.start(max(LIVE_SETTLE_MS, min(round(2e3 * gap), LIVE_WITHIN_MS)))
        self._values, self._bucket, self._sign = values, bucket, sign
        self.update()

    def _settled(self) -> None:
        """The live changes stopped: draw every edge of the last weights again (if the
        image was rendered while live: a subset, or weights some frames old)."""
        self.live = False
        if self._image_live or self._image is None:  # (None: edges drawn directly)
            self._pending = None
            self.update()

    def _live_edges(self) -> np.ndarray | None:
        """The edges drawn while live (None: all of them)."""
        n = int(self._values.size)
        if not self.live or n <= LIVE_EDGES:
            return None
        if self._live_order is None or self._live_order.size != n:
            sizes = self._canvas.layout.sizes
            counts = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
            self._live_layer = np.repeat(np.arange(len(counts)), counts)
            self._live_order = np.random.default_rng(0).permutation(n)
        assert self._live_layer is not None
        return live_subset(self._bucket, self._sign, self._live_layer, self._live_order, LIVE_EDGES)

    # ------------------------------------------------------------ painting
    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        canvas = self._canvas
        ctx = context_of(canvas)
        for layer in canvas.static_layers:
            if layer.visible(ctx):
                layer.paint(p, ctx)

    def paint_edges(self, p: QPainter, ctx) -> None:
        """The edges layer: blitted from the edge image, or drawn as paths (vector output)."""
        th, layout = ctx.theme, ctx.layout
        if ctx.vector:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, layout.detailed)
            self._draw_edges(p, th, layout.detailed)  # every edge, always
        elif not self._paint_edge_image(p, th, layout):  # zoomed in too far for an image
            p.setRenderHint(QPainter.RenderHint.Antialiasing, layout.detailed)
            self._draw_edges(p, th, layout.detailed, self._live_edges())

    def _paths_of(self, subset: np.ndarray | None) -> list:
        """The bucketed edge paths: all of them (cached), or those of ``subset`` indices."""
        if subset is None:
            return self._paths
        x1, y1, x2, y2 = self._canvas.layout.segments()
        return bucket_paths(
            x1[subset],
            y1[subset],
            x2[subset],
            y2[subset],
            self._bucket[subset],
            self._sign[subset],
        )

    def _draw_edges(
        self, p: QPainter, th: themes.Theme, detailed: bool, subset: np.ndarray | None = None
    ) -> None:
        """Every edge (or the ``subset`` indices), weakest bucket first: strong ones on top."""
        paths = self._paths_of(subset)
        for sign, b, path in paths:
            p.setPen(edge_pen(th, sign, b, detailed))
            p.drawPath(path)

    def _paint_edge_image(self, p: QPainter, th: themes.Theme, layout: Layout) -> bool:
        """Blit the edges from their image, rendering or patching it first; False: no image."""
        # the world transform at the device pixel ratio, never deviceTransform() (which
        # also holds where the viewport sits in its window when a window is painted)
        device = p.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        T = p.transform() * QTransform.fromScale(dpr, dpr)
        if T.type().value > QTransform.TransformationType.TxScale.value:
            return False  # rotated or sheared: never in this app, but draw directly then
        sx, sy = T.m11(), T.m22()
        left, top, width, height = layout.bounds()
        w, h = int(np.ceil(width * sx)) + 2, int(np.ceil(height * sy)) + 2
        if w <= 0 or h <= 0 or w * h > MAX_EDGE_IMAGE_PIXELS:
            self._image = self._image_key = None
            self._pending = None
            return False
        dx, dy = left * sx + T.dx(), top * sy + T.dy()  # bounds' corner in device pixels
        ox, oy = int(np.floor(dx)), int(np.floor(dy))
        # item → image pixels: the same for every pan by whole pixels, so a pan reuses it
        to_image = QTransform(sx, 0.0, 0.0, sy, T.dx() - ox, T.dy() - oy)
        key = (
            layout,
            round(sx, 9),
            round(sy, 9),
            round(dx - ox, 4),
            round(dy - oy, 4),
            th.background.rgba(),
            th.positive.rgba(),
            th.negative.rgba(),
        )
        now = time.monotonic()
        if key != self._image_key or self._pending is None or self._image is None:
            # while live, rendering the edges takes at most LIVE_EDGE_SHARE of the time,
            # and a big network's subset is rendered at most every LIVE_EDGE_INTERVAL_MS
            wait = self._live_cost / LIVE_EDGE_SHARE
            if self._image_subset:
                wait = max(wait, LIVE_EDGE_INTERVAL_MS / 1e3)
            recent = self._image_live and now - self._live_at < wait
            if self.live and recent and key == self._image_key:
                self.live_skips += 1  # capped: the edges follow at the next allowed frame
            else:
                self._image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
                subset = self._live_edges()
                self._render(to_image, th, layout, None, subset)
                self._image_key = key
                self._pending = np.empty(0, dtype=np.intp)
                self._image_live, self._image_subset = self.live, subset is not None
                if self.live:
                    self.live_renders += 1
                    self._live_at, self._live_cost = now, time.monotonic() - now
                else:
                    self.full_renders += 1
        elif self._pending.size:
            self._patch_image(to_image, th, layout)
        self._image.setDevicePixelRatio(dpr)
        p.save()
        p.resetTransform()
        p.drawImage(QPointF(ox / dpr, oy / dpr), self._image)
        p.restore()
        return True

    def _patch_image(self, to_image: QTransform, th: themes.Theme, layout: Layout) -> None:
        """Repaint the image only along the pending edges (their old and new look alike)."""
        assert self._image is not None and self._pending is not None
        idx, self._pending = self._pending, np.empty(0, dtype=np.intp)
        x1, y1, x2, y2 = layout.segments()
        sx, sy = to_image.m11(), to_image.m22()
        # room for the widest pen either side, and a pixel or two of antialiasing
        pad_x = (MAX_EDGE_WIDTH / 2 if layout.detailed else 0.0) + 2.5 / sx
        pad_y = (MAX_EDGE_WIDTH / 2 if layout.detailed else 0.0) + 2.5 / sy
        rects: list[tuple[float, float, float, float]] = []
        for k in idx:
            n = max(
                1, int(np.ceil(np.hypot((x2[k] - x1[k]) * sx, (y2[k] - y1[k]) * sy) / _PIECE_PX))
            )
            t = np.linspace(0.0, 1.0, n + 1)
            xs = x1[k] + (x2[k] - x1[k]) * t
            ys = y1[k] + (y2[k] - y1[k]) * t
            for a in range(n):
                rects.append(
                    (
                        min(xs[a], xs[a + 1]) - pad_x,
                        min(ys[a], ys[a + 1]) - pad_y,
                        max(xs[a], xs[a + 1]) + pad_x,
                        max(ys[a], ys[a + 1]) + pad_y,
                    )
                )
        region = QRegion()
        touched = np.zeros(x1.size, dtype=bool)
        for r in rects:
            region += to_image.mapRect(QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])).toAlignedRect()
            touched |= segments_meet_rect(x1, y1, x2, y2, r)
        self._render(to_image, th, layout, region, np.flatnonzero(touched))
        self.partial_renders += 1

    def _render(
        self,
        to_image: QTransform,
        th: themes.Theme,
        layout: Layout,
        region: QRegion | None,
        subset: np.ndarray | None,
    ) -> None:
        """Draw the edges (or ``subset``) into the edge image, all of it or only in ``region``."""
        assert self._image is not None
        if not layout.detailed:
            self._render_mixed(to_image, th, region, subset)
            return
        ip = _begin(self._image, region, Qt.GlobalColor.transparent)
        try:
            ip.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            ip.setTransform(to_image)
            self._draw_edges(ip, th, True, subset)
        finally:
            ip.end()

    def _render_mixed(
        self,
        to_image: QTransform,
        th: themes.Theme,
        region: QRegion | None,
        subset: np.ndarray | None,
    ) -> None:
        """Level of detail: hairlines whose colours mix where the signs overlap.

        On a dense network whichever sign is drawn last would hide the other.
        So each sign is drawn alone, as grey levels (its strongest edge per pixel
        wins), into a mask of its own; the edge image is then composed from the
        two masks, pixel by pixel, in the colour of the stronger sign (see
        :func:`_compose_masks`). The picture does not depend on drawing order.
        """
        assert self._image is not None
        w, h = self._image.width(), self._image.height()
        if self._masks is None or self._masks[0].size() != self._image.size():
            self._masks = tuple(
                QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied) for _ in range(2)
            )
            if region is not None:  # new masks: every pixel is drawn, a patch becomes whole
                region = subset = None
        paths = self._paths_of(subset)
        for sg, mask in zip((1, -1), self._masks):
            ip = _begin(mask, region, Qt.GlobalColor.black)
            try:
                ip.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # 2× faster
                ip.setTransform(to_image)
                for _sign, b, path in sorted(
                    (t for t in paths if t[0] == sg), key=lambda t: t[1]
                ):  # weakest first: the strongest edge through a pixel sets its level
                    level = round(255 * _lod_opacity(b) / _lod_opacity(WIDTH_BUCKETS - 1))
                    pen = QPen(QColor(level, level, level), 0)
                    pen.setCosmetic(True)
                    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                    ip.setPen(pen)
                    ip.drawPath(path)
            finally:
                ip.end()
        rect = region.boundingRect() if region is not None else QRect(0, 0, w, h)
        rect = rect.intersected(QRect(0, 0, w, h))
        if not rect.isEmpty():
            _compose_masks(self._image, self._masks, rect, th)


def bucket_paths(
    x1: np.ndarray,
    y1: np.ndarray,
    x2: np.ndarray,
    y2: np.ndarray,
    bucket: np.ndarray,
    sign: np.ndarray,
    n_buckets: int = WIDTH_BUCKETS,
    interleave: int = 1,
) -> list[tuple[int, int, QPainterPath]]:
    """One path per (bucket, sign), weakest bucket first: the canvas's one edge bucketing
    (the static layer and the animation both draw through it).

    The sign drawn second lies on top where edges cross, so it alternates from
    bucket to bucket: a dense network with as many negative as positive weights
    does not look all one colour. ``interleave`` > 1 (level of detail, where
    thousands of hairlines cross) cuts each (bucket, sign) into that many strided
    slices drawn in turn, the sign drawn first alternating, so a dense layer of
    mixed weights reads as mixed rather than in the colour drawn last.
    """
    out = []
    k = max(int(interleave), 1)
    for b in range(n_buckets):
        in_bucket = bucket == b
        idx = {
            0: np.flatnonzero(in_bucket & (sign == 0)),
            1: np.flatnonzero(in_bucket & (sign > 0)),
            -1: np.flatnonzero(in_bucket & (sign < 0)),
        }
        for c in range(k):
            # exact zeros (sign 0, the weakest bucket) first, under both signs
            for sg in (0, 1, -1) if (b + c) % 2 == 0 else (0, -1, 1):
                m = idx[sg][c::k]
                if not m.size:
                    continue
                out.append((sg, b, pairs_path(x1[m], y1[m], x2[m], y2[m])))
    return out


def _begin(image: QImage, region: QRegion | None, fill) -> QPainter:
    """A painter on ``image``, cleared to ``fill`` everywhere or only inside ``region``."""
    if region is None:
        image.fill(fill)
        return QPainter(image)
    ip = QPainter(image)
    ip.setClipRegion(region)
    ip.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    ip.fillRect(region.boundingRect(), fill)
    ip.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    return ip


def _pixels(image: QImage) -> np.ndarray:
    """A writable (height, width, 4) view of an ARGB32 image's bytes (B, G, R, A in memory)."""
    buf = np.frombuffer(image.bits(), dtype=np.uint8)
    rows = buf.reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)


def _compose_table(th: themes.Theme) -> np.ndarray:
    """The ARGB32 premultiplied pixel (as uint32) for (positive << 8) | grey level."""
    top = _lod_opacity(WIDTH_BUCKETS - 1) / 255.0
    alpha = np.arange(256) * top
    table = np.zeros(512, dtype=np.uint32)
    for k, c in enumerate((th.negative, th.positive)):
        a = np.rint(alpha * 255.0).astype(np.uint32)
        r, g, b = (np.rint(v * alpha).astype(np.uint32) for v in (c.red(), c.green(), c.blue()))
        table[256 * k : 256 * (k + 1)] = (a << 24) | (r << 16) | (g << 8) | b
    return table


_compose_tables: dict[tuple[int, int], np.ndarray] = {}


def _compose_masks(
    image: QImage, masks: tuple[QImage, QImage], rect: QRect, th: themes.Theme
) -> None:
    """Fill ``rect`` of ``image`` from the positive and negative grey-level masks.

    Each pixel takes the colour of the stronger sign through it; where both are
    as strong, the pixels alternate in a checkerboard, so a mixed region reads
    as a fine weave of the two legend colours rather than as either one. (One
    table look-up per pixel: the colour of each sign at each grey level.)
    """
    ys = slice(rect.top(), rect.bottom() + 1)
    xs = slice(rect.left(), rect.right() + 1)
    key = (th.positive.rgba(), th.negative.rgba())
    table = _compose_tables.get(key)
    if table is None:
        table = _compose_tables[key] = _compose_table(th)
    pos = _pixels(masks[0])[ys, xs, 1]
    neg = _pixels(masks[1])[ys, xs, 1]
    # (y + x) even: y and x of the same parity
    checker = (np.arange(ys.start, ys.stop) & 1)[:, None] == (np.arange(xs.start, xs.stop) & 1)
    positive = (pos > neg) | ((pos == neg) & checker)
    index = positive.view(np.uint8).astype(np.uint16) << 8
    index |= np.maximum(pos, neg)
    out = _pixels(image)[ys, xs].view(np.uint32)[..., 0]
    out[...] = table[index]


class Overlay(QGraphicsItem):
    """Hover, selection and the playback frame: repainted freely, never cached."""

    def __init__(self, canvas: NetworkCanvas) -> None:
        super().__init__()
        self._canvas = canvas
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(10)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(*self._canvas.layout.bounds())

    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        canvas = self._canvas
        ctx = context_of(canvas)
        for layer in canvas.overlay_layers:
            if layer.visible(ctx):
                layer.paint(p, ctx)
        if ctx.active and not ctx.vector:
            canvas.still_ahead.after_paint()


#: the legend's text grows with the text scale up to this many pixels (or presenter
#: mode's floor)
LEGEND_MAX_PX = 15


class NetworkCanvas(QGraphicsView):
    """The editable network view. Click selects; drag or wheel on the selection scrubs it."""

    #: a value was scrubbed (for status messages): text
    scrubbed = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkCanvas")
        self.setToolTip(
            "Click a neuron or an edge to select it. Drag up/down or use the wheel on the "
            "selection to change it (Shift: finer). Ctrl+wheel zooms; drag empty space to pan."
        )
        self.document = document
        self.layout = Layout(document.network.sizes)
        self.playback_active = False
        #: painter hook for the playback animation: f(canvas, painter) or None. A painter
        #: that also has ``still_key(canvas)``, ``paint_still(canvas, p)`` and
        #: ``paint_moving(canvas, p)`` gets its still part cached (see layers.RasterCache)
        self.playback_painter = None
        self._sprites: dict[tuple, QPixmap] = {}
        self._fill_key: tuple | None = None
        self._fill_table: tuple[list[QBrush], list[QBrush]] = ([], [])
        #: drawing for vector output (SVG): every raster cache steps aside (see vector_output)
        self.vector = False
        self._legend: tuple | None = None  # (key, legend_layout()) of the last legend
        self._legend_image: tuple | None = None  # (key, QImage) of the legend's look
        #: how often the legend's image was made (tests)
        self.legend_renders = 0
        #: labels the last animation frame had no room for (see placement.py)
        self.hidden_labels = 0
        #: scene texts (b = …, names, headers) the editing view had no room for
        self.hidden_texts = 0
        self._texts_edit = scenetext.TextCache()
        self._texts_playback = scenetext.TextCache()
        self.hovered: Selection | None = None
        #: training hooks (nnviz/ui/training): f(l, j) -> QImage | None, a hidden neuron's
        #: map over the data plane drawn in its circle; f(selection | None) on hover changes
        self.neuron_image_hook = None
        self.hover_hook = None
        #: training hook: the names written beside the input neurons (None: x1, x2, ...)
        self.input_names: list[str] | None = None
        self._press: QPointF | None = None
        self._press_value = 0.0
        self._press_key: tuple | None = None
        self._gesture = 0
        self._panning = False
        self._dragged = False
        self._wheel_gesture = 0
        self._fitted = True

        #: the paint layers, in order: the static item's (cached by Qt and the edge
        #: image), the overlay's (the playback still part through the one raster
        #: cache) and the view's foreground (see layers.py)
        self.still_cache = RasterCache(PlaybackStillLayer())
        self.static_layers = [EdgesLayer(), NeuronsLayer()]
        #: View ▸ Label Every Weight: a small network writes every weight on its edge
        self.label_weights = True
        self.weight_labels = WeightLabelsLayer()
        # the highlights' lines under the labels (a selected edge's thick line never
        # strikes a label out); their own labels are placed clear of every other one
        self.overlay_layers = [
            self.still_cache,
            HighlightsLayer(),
            PlaybackMovingLayer(),
            self.weight_labels,
        ]
        self.foreground_layers = [LegendLayer()]
        self.still_ahead = StillAhead(self, self.still_cache)

        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.static = StaticLayer(self)
        self.overlay = Overlay(self)
        self._scene.addItem(self.static)
        self._scene.addItem(self.overlay)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 240)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.apply_theme()

        document.results_changed.connect(self._on_results_changed)
        document.selection_changed.connect(self._on_selection_changed)
        document.display_changed.connect(self._on_display_changed)
        self._on_results_changed(None)

    # --------------------------------------------------------------- model
    def _on_results_changed(self, change: Change | None) -> None:
        """Redraw what ``change`` touched: a new layout on a shape change, the edge
        buckets re-read only when a weight changed (a bias, an input or a target
        changes the neurons and the numbers, never an edge)."""
        sizes = self.document.network.sizes
        shape_changed = sizes != self.layout.sizes
        if shape_changed:
            self.layout = Layout(sizes)
            self.hovered = None
        if change is None or change.shape or _touches_weights(change.values):
            self.static.rebuild(every=change is not None and change.values is None)
        else:
            self.static.update()
        self._scene.setSceneRect(QRectF(*self.layout.scene_rect()))
        if shape_changed and self._fitted:
            self.fit()
        self.overlay.update()

    def _on_selection_changed(self) -> None:
        self.overlay.update()

    def _on_display_changed(self, _name: str = "") -> None:
        self.static.update()
        self.overlay.update()

    def apply_theme(self) -> None:
        self.setBackgroundBrush(QBrush(themes.current().background))
        self.static.update()
        self.overlay.update()

    def set_playback_active(self, active: bool) -> None:
        """While playing, the static layer leaves numbers to the animation overlay."""
        if active != self.playback_active:
            self.playback_active = active
            self.static.update()
            if not active:
                self.still_cache.clear()
            if self._fitted:  # the caption's band and the legend's rows change
                self.fit()
        self.overlay.update()

    @contextlib.contextmanager
    def vector_output(self):
        """Within this, the canvas paints shapes and text only: no edge image, no cached
        still part, no sprites, no item cache (``render()`` into a QSvgGenerator gives a
        vector picture, not one bitmap)."""
        old_mode = self.static.cacheMode()
        self.vector = True
        self.static.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            yield self
        finally:
            self.vector = False
            self.static.setCacheMode(old_mode)
            self.static.update()
            self.overlay.update()

    # ---------------------------------------------------------------- zoom
    def zoom_by(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        if 0.05 <= scale <= 20:
            self.scale(factor, factor)
            self._fitted = False

    def zoom_in(self) -> None:
        self.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.zoom_by(0.8)

    #: room kept above the network for the step caption during playback (viewport
    #: pixels; set by the caption overlay: its tallest caption)
    caption_band = 0

    def fit(self) -> None:
        """Show the whole network, as large as it goes, clear of what is fixed on the
        viewport: the step caption's band at the top (during playback) and the legend's
        corner (a band under or beside the network, whichever leaves it larger)."""
        bounds = QRectF(*self.layout.bounds())
        vp = self.viewport()
        vw, vh = max(vp.width(), 1), max(vp.height(), 1)
        top = self.caption_band + 4 if self.playback_active else 0
        legend = self.legend_layout()[0]
        w, h = self.note_box()
        c = self.note_center(w - 6, h - 6)
        note = QRectF(c.x() - w / 2, c.y() - h / 2, w, h)
        margin = 4.0
        bw, bh = max(bounds.width(), 1e-6), max(bounds.height(), 1e-6)
        best = None
        bottom_all = vh - min(legend.top(), note.top()) + 2
        for left_res, bottom_res, check in (
            (0.0, 0.0, (legend, note)),  # nothing kept: neither may cover the network
            (0.0, bottom_all, ()),  # a band under the network
            (legend.right() + 2, 0.0, (note,)),  # the legend's band beside it
        ):
            aw, ah = vw - left_res - 2 * margin, vh - top - bottom_res - 2 * margin
            scale = min(aw / bw, ah / bh, 2.2)  # a tiny network should not be drawn huge
            if scale <= 0:
                continue
            cx = left_res + margin + aw / 2
            cy = top + margin + ah / 2
            if any(self._legend_covers(bounds, scale, cx, cy, r) for r in check):
                continue
            if best is None or scale > best[0]:
                best = (scale, cx, cy)
        if best is None:
            best = (min((vw - 2 * margin) / bw, (vh - 2 * margin) / bh), vw / 2, vh / 2)
        scale, cx, cy = best
        self.resetTransform()
        self.scale(scale, scale)
        # put the bounds' centre at the viewport point (cx, cy)
        centre = bounds.center()
        x, y = centre.x() + (vw / 2 - cx) / scale, centre.y() + (vh / 2 - cy) / scale
        # the scene must reach past the view on every side, or the view centres it
        # instead of where it is asked to look
        need = QRectF(x - vw / 2 / scale, y - vh / 2 / scale, vw / scale, vh / scale)
        self._scene.setSceneRect(QRectF(*self.layout.scene_rect()).united(need))
        self.centerOn(x, y)
        self._fitted = True

    def _legend_covers(
        self, bounds: QRectF, scale: float, cx: float, cy: float, legend: QRectF
    ) -> bool:
        """Whether the legend box (viewport pixels) would cover a neuron or its texts with
        the network's bounds centred at (cx, cy) at ``scale``."""
        c = bounds.center()

        def to_scene(x: float, y: float) -> tuple[float, float]:
            return c.x() + (x - cx) / scale, c.y() + (y - cy) / scale

        l, t = to_scene(legend.left() - 4, legend.top() - 4)
        r, b = to_scene(legend.right() + 4, legend.bottom() + 4)
        boxes = self.layout.neuron_boxes()
        # the texts beside and under a neuron (at a fixed screen size when zoomed out)
        pad = 40.0
        hit = (
            (boxes[:, 0] - pad < r)
            & (l < boxes[:, 2] + pad)
            & (boxes[:, 1] - pad < b)
            & (t < boxes[:, 3] + pad)
        )
        return bool(hit.any())

    def show_view_of(self, other: NetworkCanvas) -> None:
        """Take ``other``'s zoom and centre (an export of the current view)."""
        self.setTransform(other.transform())
        self.centerOn(other.mapToScene(other.viewport().rect().center()))
        self._fitted = False

    def zoom_level(self) -> float:
        return self.transform().m11()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._fitted:
            self.fit()

    # ------------------------------------------------------------ hit test
    def item_at(self, view_pos: QPointF) -> Selection | None:
        p = self.mapToScene(view_pos.toPoint())
        hit = self.layout.neuron_at(p.x(), p.y())
        if hit is not None:
            return Selection.of_neuron(*hit)
        tol = max(4.0, 6.0 / max(self.zoom_level(), 1e-3))
        edge = self.layout.edge_at(p.x(), p.y(), tol)
        if edge is not None:
            return Selection.of_edge(*edge)
        return None

    def scene_pos_of(self, sel: Selection) -> QPointF:
        """Scene position of a neuron's centre, or of a point on an edge where a click
        selects that very edge (its midpoint unless another edge crosses there)."""
        if sel.kind == "neuron":
            return QPointF(*self.layout.pos(sel.layer, sel.neuron))
        x1, y1 = self.layout.pos(sel.layer - 1, sel.source)
        x2, y2 = self.layout.pos(sel.layer, sel.neuron)
        x1 += self.layout.radius[sel.layer - 1]
        x2 -= self.layout.radius[sel.layer]
        want = (sel.layer, sel.neuron, sel.source)
        for t in (0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85):
            px, py = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
            # unambiguous: a click a few pixels off still finds this edge
            r = 3.0 / max(self.zoom_level(), 1e-3)
            near = ((0, 0), (r, 0), (-r, 0), (0, r), (0, -r))
            if all(self.layout.edge_at(px + dx, py + dy, 2 * r) == want for dx, dy in near):
                return QPointF(px, py)
        return QPointF((x1 + x2) / 2, (y1 + y2) / 2)

    def view_pos_of(self, sel: Selection) -> QPointF:
        return QPointF(self.mapFromScene(self.scene_pos_of(sel)))

    # ------------------------------------------------------------ scrubbing
    def scrub_key(self, sel: Selection | None) -> Address | None:
        """The number that dragging or the wheel changes for ``sel`` (its address)."""
        return None if sel is None else sel.address()

    def _set_key(self, key: Address, value: float, gesture: int) -> bool:
        doc = self.document
        value = round(value, 6)
        ok = doc.set_value(key, value, gesture)
        if ok:
            self.scrubbed.emit(f"{key.symbol} = {fmt(value, doc.decimals)}")
        return ok

    # --------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:
            self._start_pan(event)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus()
        hit = self.item_at(event.position())
        self._dragged = False
        if hit is None:
            self._start_pan(event)
            self.document.select(None)
            return
        self.document.select(hit)
        self._press = event.position()
        self._press_key = self.scrub_key(hit)
        self._press_value = self.document.value_of(self._press_key)
        self._gesture = next(_gestures)
        event.accept()

    def _start_pan(self, event: QMouseEvent) -> None:
        self._panning = True
        self._press = event.position()
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self._panning and self._press is not None:
            d = pos - self._press
            self._press = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(d.y()))
            self._fitted = False
            return
        if self._press is not None and self._press_key is not None:
            dy = self._press.y() - pos.y()
            if abs(dy) >= 3 or self._dragged:
                self._dragged = True
                step = 0.001 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 0.01
                self._set_key(self._press_key, self._press_value + dy * step, self._gesture)
            return
        hit = self.item_at(pos)
        if hit != self.hovered:
            self.hovered = hit
            if self.hover_hook is not None:
                self.hover_hook(hit)
            self.viewport().setCursor(
                Qt.CursorShape.SizeVerCursor
                if hit is not None and hit == self.document.selection
                else Qt.CursorShape.PointingHandCursor
                if hit is not None
                else Qt.CursorShape.ArrowCursor
            )
            self.overlay.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        self._press_key = None
        self._panning = False
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        event.accept()

    def leaveEvent(self, event) -> None:  # noqa: N802
        if self.hovered is not None:
            self.hovered = None
            if self.hover_hook is not None:
                self.hover_hook(None)
            self.overlay.update()
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15**steps)
            event.accept()
            return
        sel = self.document.selection
        hit = self.item_at(event.position())
        if sel is not None and hit == sel and steps:
            key = self.scrub_key(sel)
            fine = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if not self._wheel_gesture or self._wheel_key != key:
                self._wheel_gesture = next(_gestures)
                self._wheel_key = key
            self._set_key(
                key,
                self.document.value_of(key) + steps * (0.01 if fine else 0.1),
                self._wheel_gesture,
            )
            event.accept()
            return
        self._wheel_gesture = 0
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        sel = self.document.selection
        key = event.key()
        if (
            sel is not None
            and key in (Qt.Key.Key_Up, Qt.Key.Key_Down)
            and (event.modifiers() & Qt.KeyboardModifier.AltModifier)
        ):
            k = self.scrub_key(sel)
            d = 0.1 if key == Qt.Key.Key_Up else -0.1
            self._set_key(k, self.document.value_of(k) + d, 0)
            return
        if key == Qt.Key.Key_Escape:
            self.document.select(None)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        hit = self.item_at(QPointF(event.pos()))
        if hit is not None:
            self.document.select(hit)
        menu = self.build_context_menu(hit)
        menu.exec(event.globalPos())

    def build_context_menu(self, hit: Selection | None) -> QMenu:
        """The right-click menu for ``hit`` (a neuron, an edge or empty space)."""
        doc = self.document
        menu = QMenu(self)
        depth = doc.network.depth

        def add(text: str, fn, enabled: bool = True) -> QAction:
            act = menu.addAction(text)
            act.triggered.connect(fn)
            act.setEnabled(enabled)
            return act

        if hit is not None:
            l = hit.layer  # noqa: E741
            add(f"Add a neuron to layer {l}", lambda: doc.add_neuron(l))
            if hit.kind == "neuron":
                j = hit.neuron
                add(f"Remove this neuron ({j + 1})", lambda: doc.remove_neuron(l, j))
            if 1 <= l < depth:
                add(f"Remove hidden layer {l}", lambda: doc.remove_layer(l))
            menu.addSeparator()
            add(
                f"Insert a hidden layer before layer {max(l, 1)}",
                lambda: doc.insert_layer(max(l, 1), 3, "tanh"),
            )
            if l < depth:
                add(f"Insert a hidden layer after layer {l}", lambda: doc.insert_layer(l + 1, 3))
            if l >= 1:
                sub = menu.addMenu("Activation")
                current = doc.network.layers[l - 1].activation
                for name in activations.NAMES:
                    act = sub.addAction(name)
                    act.setCheckable(True)
                    act.setChecked(name == current)
                    act.triggered.connect(lambda _=False, n=name: doc.set_activation(l, n))
        else:
            add("Add a hidden layer before the output", lambda: doc.insert_layer(depth, 3))
        menu.addSeparator()
        add("Fit network in view", self.fit)
        return menu

    # ------------------------------------------------------------ painting
    def neuron_fill(self, a: float) -> QColor:
        """A neuron's fill for its activation ``a``: the surface tinted towards the
        sign's colour by |a| (up to 45 % at |a| ≥ 1)."""
        return self.neuron_brushes(np.array([a]))[0].color()

    def neuron_brushes(self, a: np.ndarray) -> list[QBrush]:
        """:meth:`neuron_fill` of every value in ``a``, as brushes, computed at once.

        |a| is taken in FILL_LEVELS steps (the tint moves by less than an 8-bit
        colour step between two), and each step's brush is made once per theme, so
        a column of 784 neurons costs a lookup per neuron, not a colour blend.
        """
        th = themes.current()
        key = (th.surface.rgba(), th.positive.rgba(), th.negative.rgba())
        if self._fill_key != key:
            levels = np.linspace(0.0, 1.0, FILL_LEVELS + 1) * 0.45
            self._fill_table = tuple(
                [QBrush(_blend(th.surface, sign_color, float(t))) for t in levels]
                for sign_color in (th.negative, th.positive)
            )
            self._fill_key = key
        a = np.nan_to_num(np.asarray(a, dtype=float).ravel())
        level = np.rint(np.minimum(np.abs(a), 1.0) * FILL_LEVELS).astype(np.intp).tolist()
        negative, positive = self._fill_table
        return [(positive if pos else negative)[k] for pos, k in zip((a >= 0).tolist(), level)]

    def scene_texts(self, playback: bool = False):
        """Where the scene texts go at the current zoom (placed once per layout, values,
        zoom and text scale; see scenetext.py): the editing view's headers, input names,
        ``b = …`` (``z = …`` when zoomed in), targets and loss box, or during playback
        (``playback``) the headers, input names and targets the animation draws."""
        doc = self.document
        layout = self.layout
        zoom = round(max(self.zoom_level(), 1e-3), 6)
        d = doc.decimals
        zoomed = zoom >= 1.8 and not playback
        # what is fixed on the viewport (legend, note corner, caption band): a text
        # pushed out of its spot must not slide under them
        fixed = self.fixed_boxes(widgets=False)
        key = (
            id(layout),
            id(doc.network),
            doc.shape_revision,
            doc.values_revision,
            doc.sample_revision,
            zoom,
            playback,
            d,
            tuple(self.input_names or doc.input_names or ()),
            tuple(round(v, 2) for r in fixed for v in r),
        )

        def build():
            net = doc.network
            L = len(layout.sizes) - 1
            # the hook's names, else the document's (the training's features: x₁², sin x₁)
            given = self.input_names or doc.input_names
            names = [
                given[j] if given and j < len(given) else f"x{j + 1}"
                for j in range(layout.sizes[0])
            ]
            biases = zs = None
            if not playback:
                biases = [f"b = {fmt(b, d)}" for layer in net.layers for b in layer.b.tolist()]
                if zoomed:
                    zs = [
                        f"z = {fmt(z, d)}"
                        for l in range(1, L + 1)
                        for z in doc.trace.z[l][0].tolist()
                    ]
            targets = [f"y = {fmt(t, d)}" for t in doc.sample.target.tolist()]
            texts = scenetext.header_texts(layout, net)
            texts += scenetext.neuron_side_texts(layout, names, biases, zs, targets)
            if not playback:
                texts.append(scenetext.loss_text(layout, f"loss = {loss_text(doc.grads.loss, d)}"))
            neurons = [tuple(b) for b in layout.neuron_boxes().tolist()]
            return scenetext.place_texts(texts, neurons, zoom, self.number_boxes(zoom) + fixed)

        cache = self._texts_playback if playback else self._texts_edit
        return cache.get(key, build)

    def number_boxes(self, zoom: float) -> list[tuple[float, float, float, float]]:
        """Where the neurons' numbers may reach beyond their circle (presenter mode's
        large print): the scene texts keep clear of it."""
        if not textscale.min_px():
            return []
        layout = self.layout
        # a number is one line high: it never reaches above or below its circle by more
        # than that line (the room's height is only the most it may take)
        line = QFontMetricsF(styles.font("number")).height() + 2.0
        out = []
        for l in range(len(layout.x)):  # noqa: E741
            if not layout.labelled(l):
                continue
            w, h = self.number_room(l)
            h = min(h, max(2 * layout.radius[l], line))
            x = float(layout.x[l])
            for y in layout.y[l].tolist():
                out.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        return out

    def number_room(self, l: int) -> tuple[float, float]:  # noqa: E741
        """The width and height (scene units) a neuron's number may take: its circle, or
        in presenter mode up to half-way to the next column (not for the first and the
        last column, whose names and targets sit beside them)."""
        layout = self.layout
        r = layout.radius[l]
        n = len(layout.x)
        h = layout.spacing[l] * 0.9 if layout.sizes[l] > 1 else 4 * r
        if n < 2 or l in (0, n - 1):
            return 2 * r + 12.0, h
        gap = float(layout.x[1] - layout.x[0])
        return max(2 * r, gap * 0.55), h

    def paint_scene_texts(
        self, p: QPainter, playback: bool = False, strong_targets: bool = False
    ) -> None:
        th = themes.current()
        result = self.scene_texts(playback)
        if not playback:
            self.hidden_texts = result.hidden
        zoom = max(self.zoom_level(), 1e-3)
        scenetext.draw_texts(p, result, zoom, th.text, th.muted, th.surface, strong_targets)

    def paint_outputs(self, p: QPainter, numbers: bool = True) -> None:
        """Only the targets beside the output neurons and the loss box, where the
        scene-text pass put them (``numbers`` False: as during playback, no loss box)."""
        th = themes.current()
        result = self.scene_texts(playback=not numbers)
        keep = [lab for lab in result.placed if lab.payload[0].kind in ("target", "loss")]
        zoom = max(self.zoom_level(), 1e-3)
        scenetext.draw_texts(p, Placement(keep, []), zoom, th.text, th.muted, th.surface)

    def paint_neurons(self, p: QPainter, numbers: bool = True) -> None:
        th = themes.current()
        style = styles.style_for(th)
        doc = self.document
        layout = self.layout
        d = doc.decimals
        a_all = doc.trace.a
        for l, x in enumerate(layout.x):  # noqa: E741
            r = layout.radius[l]
            labelled = layout.labelled(l) and numbers
            a = a_all[l][0]
            p.setPen(QPen(th.text if layout.detailed else th.muted, 1.6 if r > 6 else 0.5))
            for y, brush in zip(layout.y[l].tolist(), self.neuron_brushes(a)):
                p.setBrush(brush)
                p.drawEllipse(QPointF(x, y), r, r)
            if self.neuron_image_hook is not None and 0 < l < len(layout.x) - 1 and r >= 6:
                self._paint_neuron_maps(p, l, x, r)
            if not labelled:
                continue
            room = self.number_room(l)
            p.setPen(th.text)
            for j in range(layout.sizes[l]):
                style.fit_text(p, QRectF(*layout.neuron_rect(l, j)), fmt(a[j], d), room=room)
        if numbers:
            self.paint_scene_texts(p)

    def _paint_neuron_maps(self, p: QPainter, l: int, x: float, r: float) -> None:  # noqa: E741
        """Each neuron's map (the training hook's image) inside its circle."""
        for j, y in enumerate(self.layout.y[l].tolist()):
            image = self.neuron_image_hook(l, j)
            if image is None:
                continue
            # a square inside the circle (as TensorFlow Playground's square neurons):
            # one scaled blit, no clip path (a clipped or brush-filled circle cost
            # ~1 ms a neuron)
            h = r * 0.72
            p.drawImage(QRectF(x - h, y - h, 2 * h, 2 * h), image)

    @property
    def still_renders(self) -> int:
        """How often the playback's still part was rendered while painting (tests, bench)."""
        return self.still_cache.renders

    @property
    def still_prerenders(self) -> int:
        """… and ahead of time, between two ticks."""
        return self.still_cache.prerenders

    def paint_highlights(self, p: QPainter) -> None:
        """The highlights layer: the hovered and the selected neuron or edge."""
        th = themes.current()
        for sel, color, width in (
            (self.hovered, th.muted, 2.0),
            (self.document.selection, th.selection, 3.0),
        ):
            if sel is None or not sel.valid_for(self.document.network):
                continue
            if sel.kind == "neuron":
                self._paint_neuron_highlight(p, sel, color, width)
            else:
                self._paint_edge_highlight(p, sel, color, width)

    def _paint_neuron_highlight(
        self, p: QPainter, sel: Selection, color: QColor, width: float
    ) -> None:
        doc = self.document
        d = doc.decimals
        x, y = self.layout.pos(sel.layer, sel.neuron)
        r = max(self.layout.radius[sel.layer], 5.0)
        pen = QPen(color, width)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QPointF(x, y), r + 5, r + 5)
        if self.playback_active:
            return  # the animation reveals the numbers step by step; never give them away
        if sel.layer == 0:
            text = f"{input_symbol(sel.neuron, doc.input_names)} = "
            text += fmt(doc.sample.input[sel.neuron], d)
        else:
            z = doc.trace.z[sel.layer][0, sel.neuron]
            a = doc.trace.a[sel.layer][0, sel.neuron]
            b = doc.network.layers[sel.layer - 1].b[sel.neuron]
            text = f"z = {fmt(z, d)}   a = {fmt(a, d)}   b = {fmt(b, d)}"
            if hidden_values.hidden(doc):  # a lesson asks for some of these: "?"
                text = "   ".join(
                    hidden_values.mask(t)
                    if hidden_values.is_hidden(doc, n, sel.layer, sel.neuron)
                    else t
                    for n, t in zip("zab", text.split("   "))
                )
        w, h = styles.label_size(text)
        zoom = max(self.zoom_level(), 1e-3)
        cands = neuron_candidates(x, y, r + 5, h / zoom, w / zoom, True, 2.0 / zoom)
        self._label(p, QPointF(x, y - r - 24), text, cands)

    def _paint_edge_highlight(
        self, p: QPainter, sel: Selection, color: QColor, width: float
    ) -> None:
        doc = self.document
        layout = self.layout
        x1, y1 = layout.pos(sel.layer - 1, sel.source)
        x2, y2 = layout.pos(sel.layer, sel.neuron)
        r1, r2 = layout.radius[sel.layer - 1], layout.radius[sel.layer]
        pen = QPen(color, width + 2)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.drawLine(QPointF(x1 + r1, y1), QPointF(x2 - r2, y2))
        w = doc.network.layers[sel.layer - 1].W[sel.neuron, sel.source]
        if not self.playback_active:  # the animation labels its own edges
            text = f"w = {fmt(w, doc.decimals)}"
            h = styles.label_size(text)[1] / max(self.zoom_level(), 1e-3)
            cands, _ = edge_candidates(x1 + r1, y1, x2 - r2, y2, h)
            self._label(p, self.scene_pos_of(sel), text, cands)
        # (in playback, a value a lesson asks for on this edge is a "?" label of the
        # animation's placement pass: hidden_values.mask_scene, placed first)

    def paint_dots(
        self,
        p: QPainter,
        x: np.ndarray,
        y: np.ndarray,
        color: QColor,
        size: float,
        rim: QColor | None = None,
        rim_width: float = 2.0,
    ) -> None:
        """Round dots ``size`` screen pixels wide at the scene points (x, y), with an optional rim.

        For many moving markers (playback pulses): the dot is rendered once into a
        small pixmap and blitted at each point, which costs a fraction of stroking
        round-capped, antialiased paths (measured: 500 pulses 25 ms as paths, about
        1 ms as blits).
        """
        if np.size(x) == 0:
            return
        if self.vector:  # shapes, not blitted sprites: an SVG holds circles
            zoom = max(self.zoom_level(), 1e-3)
            p.save()
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            if rim is not None:
                p.setPen(QPen(rim, rim_width / zoom))
            else:
                p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            rad = (size / 2.0 + (rim_width / 2.0 if rim is not None else 0.0)) / zoom
            for px, py in zip(np.asarray(x, float).tolist(), np.asarray(y, float).tolist()):
                p.drawEllipse(QPointF(px, py), rad, rad)
            p.restore()
            return
        device = p.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        outer = size + (2.0 * rim_width if rim is not None else 0.0)
        key = (
            color.rgba(),
            round(size, 2),
            rim.rgba() if rim is not None else None,
            rim_width,
            dpr,
        )
        sprite = self._sprites.get(key)
        if sprite is None:
            n = int(np.ceil(outer * dpr)) + 2
            image = QImage(n, n, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            ip = QPainter(image)
            try:
                ip.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                ip.setPen(Qt.PenStyle.NoPen)
                c = QPointF(n / 2.0, n / 2.0)
                if rim is not None:
                    ip.setBrush(rim)
                    ip.drawEllipse(c, outer * dpr / 2.0, outer * dpr / 2.0)
                ip.setBrush(color)
                ip.drawEllipse(c, size * dpr / 2.0, size * dpr / 2.0)
            finally:
                ip.end()
            sprite = QPixmap.fromImage(image)
            sprite.setDevicePixelRatio(dpr)
            if len(self._sprites) > 64:
                self._sprites.clear()
            self._sprites[key] = sprite
        # The world transform (scene → the painter's logical coordinates), never
        # deviceTransform(): on a real window the device transform also holds the
        # viewport's offset in the top-level window's backing store (menu bar and
        # toolbars), which the painter applies again after resetTransform() — the
        # pulses were drawn ~50 px below their edges on X11 and right in grab().
        T = p.transform()
        half = sprite.width() / dpr / 2.0  # logical pixels
        xs = np.asarray(x, dtype=float) * T.m11() + np.asarray(y, dtype=float) * T.m21() + T.dx()
        ys = np.asarray(x, dtype=float) * T.m12() + np.asarray(y, dtype=float) * T.m22() + T.dy()
        p.save()
        p.resetTransform()
        draw = p.drawPixmap
        for px, py in zip((xs - half).tolist(), (ys - half).tolist()):
            draw(QPointF(px, py), sprite)
        p.restore()

    def _label(self, p: QPainter, center: QPointF, text: str, candidates=None) -> bool:
        """A boxed label of fixed screen size at the first of ``candidates`` (scene points;
        by default ``center``) that covers no neuron, no scene text, no label of the
        weights or of the animation and nothing fixed on the viewport; left out (False)
        when none is free."""
        zoom = max(self.zoom_level(), 1e-3)
        w, h = styles.label_size(text)
        cands = list(candidates or []) or [(center.x(), center.y())]
        lab = Label(("highlight",), text, w, h, 0, (center.x(), center.y()), cands)
        # wholly inside the view (QA: the output's selection label cut at the right edge)
        result = place([lab], self.label_obstacles(), zoom, self.visible_scene_rect())
        if not result.placed:
            return False
        r = lab.rect
        mid = QPointF((r[0] + r[2]) / 2, (r[1] + r[3]) / 2)
        styles.style_for().draw_label(p, mid, text, zoom)
        return True

    def label_obstacles(self) -> list[tuple[float, float, float, float]]:
        """Everything a highlight's label must keep clear of, in scene units."""
        zoom = max(self.zoom_level(), 1e-3)
        out = [tuple(b) for b in self.layout.neuron_boxes().tolist()]
        out += self.scene_texts(self.playback_active).rects() + self.number_boxes(zoom)
        out += self.fixed_boxes()
        ctx = context_of(self)
        if self.weight_labels.visible(ctx):
            out += self.weight_labels.placement(ctx).rects()
        pp = self.playback_painter
        if self.playback_active and hasattr(pp, "placement") and hasattr(pp, "scene"):
            scene = pp.scene(self)
            if scene is not None:
                out += pp.placement(self, scene).rects()
        return out

    def legend_font(self) -> QFont:
        """The legend's font: fixed on screen (10 px at 100 %, following the text scale
        and presenter mode's floor, but never scaled by the zoom)."""
        f = QFont(styles.font("legend"))
        pt = textscale.pt(styles.FONT_POINTS["legend"][0], screen=True)
        # a key, not the lesson: at 300 % it would cover half the canvas (QA: 26-40 px)
        cap = max(LEGEND_MAX_PX, textscale.min_px()) * 72.0 / textscale.DPI
        f.setPointSizeF(min(pt, cap))
        return f

    def legend_layout(self) -> tuple[QRectF, list[tuple[QColor, str]], float, str, float]:
        """The legend's box (viewport pixels, bottom-left corner), rows, row height,
        note and column width: the one place its geometry is worked out. Where the
        viewport is small for it (it would take more than a fifth of the height or
        half of the width) it is compact: two columns of short rows, no note."""
        th = themes.current()
        vp = self.viewport()
        key = (
            self.playback_active,
            th.name,
            vp.width(),
            vp.height(),
            textscale.factor(),
            textscale.min_px(),
            overflowed(self.document),
        )
        if self._legend is not None and self._legend[0] == key:
            return self._legend[1]
        fm = QFontMetrics(self.legend_font())
        long_rows = [
            (th.positive, "positive weight / value"),
            (th.negative, "negative weight / value"),
        ]
        short_rows = [(th.positive, "+ weight"), (th.negative, "− weight")]
        if self.playback_active:
            long_rows += [
                (th.grad_positive, "positive gradient"),
                (th.grad_negative, "negative gradient"),
            ]
            short_rows += [(th.grad_positive, "+ gradient"), (th.grad_negative, "− gradient")]
        line_h = fm.height() + 4
        swatch = 52 + fm.height() // 2
        note = "thicker = larger |w|; circle shade = a"
        if key[-1]:  # the loss box says "overflow": the legend says what that means
            note += "\n" + OVERFLOW_LEGEND
        notes = note.split("\n")
        width = max(
            max(fm.horizontalAdvance(t) for _, t in long_rows) + swatch + 18,
            max(fm.horizontalAdvance(t) for t in notes) + 24,
        )
        height = line_h * (len(long_rows) + len(notes)) + 10
        cols = 1
        rows = long_rows
        if height > vp.height() / 5 or width > vp.width() / 2:
            # compact: short rows in two columns; of the notes only the overflow's
            rows, cols = short_rows, 2
            notes = notes[1:]
            note = "\n".join(notes)
            width = max(fm.horizontalAdvance(t) for _, t in rows) + swatch + 8
            if notes:
                width = max(width, (max(fm.horizontalAdvance(t) for t in notes) + 24) / 2)
            height = line_h * ((len(rows) + 1) // 2 + len(notes)) + 10
        box = QRectF(10, vp.height() - height - 10, width * cols + 6 * (cols - 1), height)
        self._legend = (key, (box, rows, line_h, note, width))
        return self._legend[1]

    #: room kept free for the "labels hidden" note, viewport pixels from the bottom-right
    NOTE_BOX = (260.0, 30.0)

    def fixed_boxes(self, widgets: bool = True) -> list[tuple[float, float, float, float]]:
        """(left, top, right, bottom) in scene units of what is fixed on the viewport and
        drawn over the scene: the legend, the note corner, visible child widgets (the
        playback caption). Labels are placed clear of them."""
        vp = self.viewport()
        rects = [self.legend_layout()[0]]
        w, h = self.note_box()
        c = self.note_center(w - 6, h - 6)
        rects.append(QRectF(c.x() - w / 2, c.y() - h / 2, w, h))
        for child in vp.children():
            if isinstance(child, QWidget) and child.isVisible():
                if not widgets and child is not getattr(self, "caption_overlay", None):
                    continue  # (a laser pointer follows the mouse: not a fixed box)
                if child.geometry().contains(vp.rect()):
                    continue  # an overlay over all of it (the presenter's laser) hides nothing
                if child is getattr(self, "caption_overlay", None):
                    # the band kept for it (not its box of the moment: the labels'
                    # placement must not depend on the caption, which reports their count)
                    rects.append(QRectF(0, 0, vp.width(), self.caption_band))
                else:
                    rects.append(QRectF(child.geometry()))
        out = []
        for r in rects:
            a = self.mapToScene(r.topLeft().toPoint())
            b = self.mapToScene(r.bottomRight().toPoint())
            out.append((a.x(), a.y(), b.x(), b.y()))
        return out

    def visible_scene_rect(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the scene the viewport shows."""
        vp = self.viewport()
        a = self.mapToScene(0, 0)
        b = self.mapToScene(vp.width(), vp.height())
        return a.x(), a.y(), b.x(), b.y()

    def drawForeground(self, p: QPainter, rect: QRectF) -> None:  # noqa: N802
        ctx = context_of(self)
        for layer in self.foreground_layers:
            if layer.visible(ctx):
                layer.paint(p, ctx)

    def editing_hidden(self) -> int:
        """Texts of the editing view left out for lack of room (scene texts, weights)."""
        n = self.hidden_texts
        wl = self.weight_labels
        if (
            wl.last_placement is not None
            and not self.playback_active
            and self.label_weights
            and self.layout.detailed
            and wants_labels(self.document.network)
        ):
            n += wl.last_placement.hidden
        return n

    def note_box(self) -> tuple[float, float]:
        """The room kept for the "labels hidden" note (pixels, at the text scale)."""
        w, h = styles.label_size("99 labels hidden: zoom in", styles.MIN_TEXT_PX + 3, False)
        return w + 6, h + 6

    def note_center(self, w: float, h: float) -> QPointF:
        """Where the "labels hidden" note of ``w`` x ``h`` pixels goes (viewport pixels):
        the bottom-right corner, or above the legend when the legend leaves no room."""
        vp = self.viewport()
        cy = vp.height() - 10 - h / 2
        legend = self.legend_layout()[0]
        if legend.right() > vp.width() - 14 - w:  # no room beside the legend: above it
            cy = legend.top() - 4 - h / 2
        return QPointF(vp.width() - 14 - w / 2, cy)

    def paint_note(self, p: QPainter) -> None:
        """The editing view's "N labels hidden: zoom in", in the bottom-right corner kept
        free for it (during playback the step caption says it)."""
        if self.playback_active or self.vector:
            return
        n = self.editing_hidden()
        if not n:
            return
        note = f"{n} label{'s' if n > 1 else ''} hidden: zoom in"
        th = themes.current()
        p.save()
        p.resetTransform()
        w, h = styles.label_size(note, styles.MIN_TEXT_PX + 3, False)
        styles.style_for(th).draw_label(
            p,
            self.note_center(w, h),
            note,
            1.0,
            th.muted,
            styles.MIN_TEXT_PX + 3,
            False,
        )
        p.restore()

    #: room around the legend's box in its image (its outline's antialiasing)
    LEGEND_MARGIN = 2

    def paint_legend(self, p: QPainter) -> None:
        """The legend layer, fixed in the view's bottom-left corner: blitted from an image
        of it made once per look (size, rows, theme, text scale; its translucent rounded
        box cost ~1 ms a frame while training), drawn as shapes and text for vector
        output."""
        box = self.legend_layout()[0]
        p.save()
        p.resetTransform()
        device = p.device()
        if self.vector or device is None:
            self._draw_legend(p)
            p.restore()
            return
        dpr = device.devicePixelRatioF()
        th = themes.current()
        key = (
            self._legend[0] if self._legend is not None else None,
            dpr,
            tuple(c.rgba() for c in (th.surface, th.grid, th.text, th.muted)),
            tuple(c.rgba() for c, _ in self.legend_layout()[1]),
            self.legend_font().key(),
        )
        cached = self._legend_image
        if cached is None or cached[0] != key:
            m = self.LEGEND_MARGIN
            image = QImage(
                math.ceil((box.width() + 2 * m) * dpr),
                math.ceil((box.height() + 2 * m) * dpr),
                QImage.Format.Format_ARGB32_Premultiplied,
            )
            image.setDevicePixelRatio(dpr)
            image.fill(Qt.GlobalColor.transparent)
            ip = QPainter(image)
            try:
                ip.translate(m - box.left(), m - box.top())
                self._draw_legend(ip)
            finally:
                ip.end()
            self._legend_image = cached = (key, image)
            self.legend_renders += 1
        m = self.LEGEND_MARGIN
        p.drawImage(QPointF(box.left() - m, box.top() - m), cached[1])
        styles.record(p, "legend", "", box, QFontMetrics(self.legend_font()).height())
        p.restore()

    def _draw_legend(self, p: QPainter) -> None:
        """The legend's box, rows and note, in the viewport's pixels (``p`` maps them)."""
        th = themes.current()
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = self.legend_font()
        p.setFont(font)
        px = QFontMetrics(font).height()
        box, rows, line_h, note, width = self.legend_layout()
        bg = QColor(th.surface)
        bg.setAlphaF(0.92)
        p.setPen(QPen(th.grid, 1))
        p.setBrush(bg)
        p.drawRoundedRect(box, 6, 6)
        styles.record(p, "legend", "", box, px)
        cols = 2 if box.width() > width + 1 else 1  # compact: two columns
        swatch = 34 + px // 2
        for k, (color, text) in enumerate(rows):
            x = box.left() + (k % cols) * (width + 6)
            y = box.top() + 6 + (k // cols) * line_h
            p.setPen(QPen(color, 4))
            p.drawLine(QPointF(x + 10, y + line_h / 2), QPointF(x + 10 + swatch, y + line_h / 2))
            p.setPen(th.text)
            p.drawText(
                QRectF(x + 18 + swatch, y, width, line_h), Qt.AlignmentFlag.AlignVCenter, text
            )
        y = box.top() + 6 + ((len(rows) + cols - 1) // cols) * line_h
        first_muted = cols == 1  # the compact legend keeps only the overflow's note
        for k, line in enumerate(note.split("\n") if note else []):
            p.setPen(th.muted if k == 0 and first_muted else th.text)
            p.drawText(
                QRectF(box.left() + 10, y, box.width() - 14, line_h),
                Qt.AlignmentFlag.AlignVCenter,
                line,
            )
            y += line_h
        p.restore()
