"""The playback overlay: one frame of the forward and backward pass, drawn on the canvas.

Two halves. :func:`build_scene` is plain data: from the document (its Trace and
Grads, never new maths) and a :class:`~nnviz.core.timeline.Frame` it lists
every number the frame shows and the edges it lights. :class:`PlaybackPainter`
draws that scene over the cached static layer, which leaves numbers out while
playback is active:

* a veil dims everything; edges that have carried their values (forward: value
  colours) or gradients (backward: the gradient colour family, width by
  magnitude) are drawn again over it, the active edges strongest;
* pulses travel along the active edges at the step's fraction;
* neurons are drawn again, the ones the step works on outlined, with the
  revealed numbers: ``a`` inside, ``z`` / ``∂L/∂a`` above, ``b`` / ``∂L/∂z``
  below, the loss box, and ``before → after`` at the update.

Level of detail (DESIGN.md, convention 6): per-edge labels only when few edges
are active on a detailed layout; edges are drawn as one path per colour-and-
width bucket, and on a large network each edge set is cut to its strongest
``LOD_EDGE_LIMIT`` edges, so a frame never draws 100k edges one call each.
Edge paths are cached per (set, mask) and dropped by :meth:`invalidate` when
the document changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from nnviz.core import explain
from nnviz.core.explain import fmt, loss_text
from nnviz.core.timeline import Frame
from nnviz.ui import hidden_values, textscale
from nnviz.ui import theme as themes
from nnviz.ui.canvas.placement import Label, Placement, edge_candidates, neuron_candidates, place
from nnviz.ui.canvas.style import (
    LABEL_PX,
    MIN_TEXT_PX,
    big_label_size,
    label_height,
    label_size,
    style_for,
)
from nnviz.ui.canvas.view import bucket_paths as view_bucket_paths
from nnviz.ui.canvas.view import edge_buckets, over_background

#: per-edge labels are drawn only when at most this many edges are labelled at once
MAX_EDGE_LABELS = 12
#: on a large network an edge set is drawn as its strongest edges only
LOD_EDGE_LIMIT = 4000
#: at most this many pulses per frame (spread evenly over the active edges); fewer
#: on a large network, where a frame has 16 ms and a pulse's round cap costs
MAX_PULSES = 2500
LOD_PULSES = 600
BUCKETS = 6
#: level of detail: each (bucket, sign) of an edge set is drawn as this many slices,
#: the two signs' slices in turn, so crossing hairlines of both signs mix their colours.
#: 8 mixes as well as 32 did (the mean colour of a 10,000-edge layer agrees to 0.1 of
#: an 8-bit step) with a quarter of the paths: 20 ms instead of 32 per still render
LOD_INTERLEAVE = 8
#: opacity of the veil that dims what the step is not about
VEIL_ALPHA = 0.74
#: the halo around the neurons a step works on, in scene units
GLOW = 6.0

VALUE_KINDS = {"w", "aw", "new_w"}


@dataclass
class EdgeSet:
    """Edges of one layer to draw with one meaning: which, with what value."""

    kind: str  # "w" done forward, "aw" active forward, "gw" gradient, "wdz" collect, "new_w"
    layer: int
    mask: np.ndarray  # bool, shaped like W[layer]
    active: bool


@dataclass
class FrameScene:
    """Everything one frame shows, as data (what a test asserts)."""

    frame: Frame
    #: (what, layer, neuron) → text; what is x, a, z, b, dL_da, dL_dz, update_b
    neuron_texts: dict[tuple[str, int, int], str] = field(default_factory=dict)
    #: (what, layer, j, i) → text; what is aw, dL_dw, collect, update_w
    edge_texts: dict[tuple[str, int, int, int], str] = field(default_factory=dict)
    loss_text: str | None = None
    edge_sets: list[EdgeSet] = field(default_factory=list)

    @property
    def lit_edges(self) -> dict[int, np.ndarray]:
        """Per layer, the edges drawn bright now (active ones)."""
        out: dict[int, np.ndarray] = {}
        for es in self.edge_sets:
            if es.active:
                out[es.layer] = out.get(es.layer, np.zeros_like(es.mask)) | es.mask
        return out

    def texts(self) -> list[str]:
        out = list(self.neuron_texts.values()) + list(self.edge_texts.values())
        if self.loss_text:
            out.append(self.loss_text)
        return out


def _arrow() -> str:
    return " → "


def build_scene(document, layout, frame: Frame) -> FrameScene:
    """The numbers and lit edges of ``frame`` for ``document`` drawn with ``layout``."""
    doc = document
    net, trace, grads = doc.network, doc.trace, doc.grads
    d = doc.decimals
    lr = doc.learning_rate
    scene = FrameScene(frame)
    sizes = layout.sizes
    depth = len(sizes) - 1
    if list(frame.z_shown[i].size for i in range(len(frame.z_shown))) != list(sizes):
        return scene  # a frame of another shape (the plan is being rebuilt)
    phase = frame.phase
    backward = phase in ("backward", "update")

    # ---------------------------------------------------------- neurons
    for l in range(depth + 1):  # noqa: E741
        if not layout.labelled(l):
            continue
        for j in range(sizes[l]):
            if l == 0:
                if frame.a_shown[0][j]:
                    scene.neuron_texts[("x", 0, j)] = fmt(trace.a[0][0, j], d)
                if backward and frame.dL_da_shown[0][j]:
                    scene.neuron_texts[("dL_da", 0, j)] = f"∂L/∂x = {fmt(grads.dL_da[0][0, j], d)}"
                continue
            if frame.a_shown[l][j]:
                scene.neuron_texts[("a", l, j)] = fmt(trace.a[l][0, j], d)
            # above: ∂L/∂a once the backward pass reached it, else z (nothing at the update)
            if frame.update_shown:
                pass
            elif backward and frame.dL_da_shown[l][j]:
                scene.neuron_texts[("dL_da", l, j)] = f"∂L/∂a = {fmt(grads.dL_da[l][0, j], d)}"
            elif frame.z_shown[l][j] and not backward:  # z goes when the forward pass ends
                scene.neuron_texts[("z", l, j)] = f"z = {fmt(trace.z[l][0, j], d)}"
            # below: the bias (a parameter, always known), ∂L/∂z, or the bias update
            b = float(net.layers[l - 1].b[j])
            if frame.update_shown:
                g = float(grads.dL_db[l][j])
                scene.neuron_texts[("update_b", l, j)] = (
                    f"b: {fmt(b, d)}{_arrow()}{fmt(b - lr * g, d)}"
                )
            elif backward and frame.dL_dz_shown[l][j]:
                scene.neuron_texts[("dL_dz", l, j)] = f"∂L/∂z = {fmt(grads.dL_dz[l][0, j], d)}"
            else:
                scene.neuron_texts[("b", l, j)] = f"b = {fmt(b, d)}"
    if frame.loss_shown:
        scene.loss_text = f"L = {loss_text(grads.loss, d)}"

    # ------------------------------------------------------------ edges
    active = frame.active_edges()
    al = frame.active_layer
    for l in range(1, depth + 1):  # noqa: E741
        if phase in ("start", "forward", "loss"):
            done = frame.fwd_edges(l)
            if al == l and frame.step.kind == "forward_edges":
                done = done & ~active
            if done.any():
                scene.edge_sets.append(EdgeSet("w", l, done, False))
        elif phase == "backward":
            done = frame.grad_edges(l)
            if al == l and frame.step.kind == "grad_edges":
                done = done & ~active
            if done.any():
                scene.edge_sets.append(EdgeSet("gw", l, done, False))
        else:  # update: every weight, at its new value
            scene.edge_sets.append(
                EdgeSet("new_w", l, np.ones((sizes[l], sizes[l - 1]), dtype=bool), True)
            )
    if active is not None and active.any():
        kind = {"forward_edges": "aw", "grad_edges": "gw", "collect": "wdz"}[frame.step.kind]
        scene.edge_sets.append(EdgeSet(kind, al, active, True))

    # per-edge labels: the active edges (or every edge at the update), when few
    if layout.detailed:
        if frame.update_shown:
            n_edges = sum(sizes[l] * sizes[l - 1] for l in range(1, depth + 1))  # noqa: E741
            if n_edges <= MAX_EDGE_LABELS:
                for l in range(1, depth + 1):  # noqa: E741
                    W, gW = net.layers[l - 1].W, grads.dL_dW[l]
                    for j, i in np.ndindex(W.shape):
                        w, g = float(W[j, i]), float(gW[j, i])
                        scene.edge_texts[("update_w", l, j, i)] = (
                            f"{fmt(w, d)}{_arrow()}{fmt(w - lr * g, d)}"
                        )
        elif active is not None and int(active.sum()) <= MAX_EDGE_LABELS:
            W = net.layers[al - 1].W
            for j, i in zip(*np.nonzero(active)):
                j, i = int(j), int(i)
                if frame.step.kind == "forward_edges":
                    text = explain.product_line(net, trace, al, j, i, d)
                    scene.edge_texts[("aw", al, j, i)] = text.removeprefix("a·w = ")
                elif frame.step.kind == "grad_edges":
                    scene.edge_texts[("dL_dw", al, j, i)] = (
                        f"∂L/∂w = {fmt(grads.dL_dW[al][j, i], d)}"
                    )
                else:
                    v = float(W[j, i] * grads.dL_dz[al][0, j])
                    scene.edge_texts[("collect", al, j, i)] = f"w·∂L/∂z = {fmt(v, d)}"
    return scene


def edge_values(document, kind: str, l: int) -> np.ndarray:  # noqa: E741
    """The signed value each edge of layer ``l`` carries for an edge set of ``kind``."""
    with np.errstate(all="ignore"):  # an overflowed network gives ±∞ and NaN, silently
        return _edge_values(document, kind, l)


def _edge_values(document, kind: str, l: int) -> np.ndarray:  # noqa: E741
    net, trace, grads = document.network, document.trace, document.grads
    W = net.layers[l - 1].W
    if kind == "w":
        return W
    if kind == "aw":
        return W * trace.a[l - 1][0][None, :]
    if kind == "gw":
        return grads.dL_dW[l]
    if kind == "wdz":
        return W * grads.dL_dz[l][0][:, None]
    if kind == "new_w":
        return W - document.learning_rate * grads.dL_dW[l]
    raise ValueError(f"unknown edge set {kind!r}")


def bucket_paths(
    x1: np.ndarray,
    y1: np.ndarray,
    x2: np.ndarray,
    y2: np.ndarray,
    values: np.ndarray,
    ref: float,
    n_buckets: int = BUCKETS,
    interleave: int = 1,
) -> list[tuple[int, int, QPainterPath]]:
    """One QPainterPath per (sign, |value| / ref bucket) of the flat segments given.

    In drawing order: weakest bucket first, so strong edges lie on top whatever
    their sign (the pens are opaque: drawn sign by sign, one sign would hide the other).

    ``interleave`` > 1 (level of detail, where thousands of hairlines cross) cuts
    each (bucket, sign) into that many strided slices and draws the slices of the
    two signs in turn, the sign drawn first alternating: where edges of both signs
    cross, the last one drawn through a pixel is of either sign about as often as
    there are edges of that sign, so a dense layer of mixed weights reads as mixed
    rather than in the colour of whichever sign happened to be drawn last.
    """
    bucket, sign = edge_buckets(values, n_buckets, ref)
    return view_bucket_paths(x1, y1, x2, y2, bucket, sign, n_buckets, interleave)


class PlaybackPainter:
    """The ``canvas.playback_painter`` hook: ``painter(canvas, p)`` draws the current frame.

    ``frame_source()`` returns the frame to draw (the controller's);
    ``upcoming_source()``, if given, the first frame of the step that plays next
    (None when nothing plays next), so that the canvas can render that step's still
    part ahead of time. The last scene drawn for the current frame is kept in
    :attr:`last_scene` (for tests).
    """

    def __init__(self, frame_source, upcoming_source=None) -> None:
        self._frame_source = frame_source
        self._upcoming_source = upcoming_source
        self._paths: dict[tuple, list[tuple[int, int, QPainterPath]]] = {}
        self._refs: dict[str, float] = {}
        self._version = 0
        #: scenes by step: the current one and the one rendered ahead of time
        self._scenes: dict[tuple, FrameScene] = {}
        self.last_scene: FrameScene | None = None
        #: label placements by (scene, zoom, layout); the last one drawn (for tests)
        self._placements: dict[tuple, tuple] = {}
        self.last_placement: Placement | None = None

    def upcoming(self) -> Frame | None:
        """The first frame of the step that plays next, or None."""
        return self._upcoming_source() if self._upcoming_source is not None else None

    def invalidate(self) -> None:
        """Forget cached edge paths: the document (values or shape) changed."""
        self._paths.clear()
        self._refs.clear()
        self._scenes.clear()
        self._placements.clear()
        self._version += 1

    # ------------------------------------------------------------- cache
    def _ref(self, document, kind: str) -> float:
        """The largest |value| of ``kind`` over the whole network (widths compare across layers)."""
        if kind not in self._refs:
            vals = []
            for l in range(1, document.network.depth + 1):  # noqa: E741
                v = np.abs(edge_values(document, kind, l))
                v = v[np.isfinite(v)]  # overflowed edges are drawn strongest, not the scale
                vals.append(float(np.max(v)) if v.size else 0.0)
            self._refs[kind] = max(vals) if vals else 1.0
        return self._refs[kind]

    def _edge_paths(self, canvas, es: EdgeSet) -> list[tuple[int, int, QPainterPath]]:
        layout = canvas.layout
        key = (es.kind, es.layer, es.active, es.mask.tobytes(), layout.detailed)
        hit = self._paths.get(key)
        if hit is not None:
            return hit
        doc = canvas.document
        values = edge_values(doc, es.kind, es.layer)
        x1, y1, x2, y2 = layout.edge_segments(es.layer)
        m = es.mask.ravel()
        vals = values.ravel()[m]
        xs1, ys1 = np.asarray(x1).ravel()[m], np.asarray(y1).ravel()[m]
        xs2, ys2 = np.asarray(x2).ravel()[m], np.asarray(y2).ravel()[m]
        if not layout.detailed and vals.size > LOD_EDGE_LIMIT:
            keep = np.argpartition(np.abs(vals), -LOD_EDGE_LIMIT)[-LOD_EDGE_LIMIT:]
            keep.sort()
            vals, xs1, ys1, xs2, ys2 = vals[keep], xs1[keep], ys1[keep], xs2[keep], ys2[keep]
        if es.active and es.kind in ("aw", "wdz"):
            ref = float(np.max(np.abs(vals))) if vals.size else 1.0
        else:
            ref = self._ref(doc, es.kind)
        paths = bucket_paths(
            xs1, ys1, xs2, ys2, vals, ref, interleave=1 if layout.detailed else LOD_INTERLEAVE
        )
        if len(self._paths) > 64:
            self._paths.clear()
        self._paths[key] = paths
        return paths

    # ---------------------------------------------------------- painting
    def scene(self, canvas, frame: Frame | None = None) -> FrameScene | None:
        """What ``frame`` (by default the current frame) shows on ``canvas`` (None
        without a frame).

        Built once per step (and edit): within a step only the fraction changes.
        """
        if frame is None:
            frame = self._frame_source()
        if frame is None:
            return None
        key = (self.still_key(canvas, frame), id(canvas.layout))
        cached = self._scenes.get(key)
        if cached is not None:
            return cached if cached.frame == frame else replace(cached, frame=frame)
        scene = build_scene(canvas.document, canvas.layout, frame)
        hidden_values.mask_scene(canvas.document, scene)  # a lesson's "?" values
        if len(self._scenes) >= 3:  # the current step, the next one, and one spare
            self._scenes.pop(next(iter(self._scenes)))
        self._scenes[key] = scene
        return scene

    def __call__(self, canvas, p: QPainter) -> None:
        """Draw the whole frame (the canvas hook without a still-part cache)."""
        self.paint_still(canvas, p)
        self.paint_moving(canvas, p)

    # the canvas may cache the still part: it changes per step, not per tick
    def still_key(self, canvas, frame: Frame | None = None) -> tuple:
        """Changes whenever :meth:`paint_still` would draw something different.

        (The canvas adds its own view transform, size, layout and theme.)
        """
        if frame is None:
            frame = self._frame_source()
        doc = canvas.document
        step = None if frame is None else (frame.index, frame.step, frame.last)
        return (
            self._version,
            step,
            doc.decimals,
            doc.learning_rate,
            hidden_values.revision(doc),
            textscale.factor(),
            textscale.min_px(),
        )

    def paint_still(self, canvas, p: QPainter, frame: Frame | None = None) -> None:
        """What stays put within a step: veil, edges, neurons and the numbers in them
        (of ``frame``'s step; by default the current one)."""
        scene = self.scene(canvas, frame)
        if frame is None:
            self.last_scene = scene
        if scene is not None:
            self.paint(canvas, p, scene)
            # place the step's labels now too: when the still part is rendered ahead of
            # time (between two ticks), the tick that enters the step finds them placed
            self.placement(canvas, scene)

    def paint_moving(self, canvas, p: QPainter) -> None:
        """The pulses, and over them the labels (so a passing pulse never hides a number)."""
        scene = self.scene(canvas)
        self.last_scene = scene  # (the still part may come from an image rendered ahead)
        if scene is None or [m.size for m in scene.frame.z_shown] != list(canvas.layout.sizes):
            return
        self._paint_pulses(canvas, p, scene.frame)
        self._paint_labels(canvas, p, scene)

    def paint(self, canvas, p: QPainter, scene: FrameScene) -> None:
        """The still part of ``scene`` (the labels are drawn with the moving part)."""
        th = themes.current()
        layout = canvas.layout
        frame = scene.frame
        if [m.size for m in frame.z_shown] != list(layout.sizes):
            return
        # the veil dims the static layer; the layer headers are drawn again over it
        veil = QColor(th.background)
        veil.setAlphaF(VEIL_ALPHA)
        p.fillRect(QRectF(*layout.scene_rect()), veil)
        self._paint_edges(canvas, p, scene)
        self._paint_neurons(canvas, p, scene)
        self._paint_texts(canvas, p, scene)

    def _paint_edges(self, canvas, p: QPainter, scene: FrameScene) -> None:
        th = themes.current()
        layout = canvas.layout
        p.setRenderHint(QPainter.RenderHint.Antialiasing, layout.detailed)
        for es in scene.edge_sets:
            grad = es.kind not in VALUE_KINDS
            for sign, b, path in self._edge_paths(canvas, es):
                if sign == 0:  # an exact zero: neither sign's colour
                    color = QColor(th.muted)
                elif grad:
                    color = QColor(th.grad_positive if sign > 0 else th.grad_negative)
                else:
                    color = QColor(th.positive if sign > 0 else th.negative)
                t = b / (BUCKETS - 1)
                # opaque colours pre-blended with the background (the veil is nearly
                # background): Qt draws antialiased lines 10-20x faster with opaque pens
                if layout.detailed:
                    width = 1.0 + 6.5 * t + (1.5 if es.active else 0.0)
                    color = over_background(color, 1.0 if es.active else 0.45 + 0.4 * t)
                    pen = QPen(color, width)
                else:
                    color = over_background(color, (0.35 if es.active else 0.15) + 0.55 * t)
                    pen = QPen(color, 1.6 if es.active else 0)
                    pen.setCosmetic(True)
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPath(path)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)

    def _paint_pulses(self, canvas, p: QPainter, frame: Frame) -> None:
        """Dots travelling along the active edges (backward: from the neuron back)."""
        active = frame.active_edges()
        if active is None or frame.fraction >= 1.0 or not active.any():
            return
        th = themes.current()
        layout = canvas.layout
        l = frame.active_layer  # noqa: E741
        kind = {"forward_edges": "aw", "grad_edges": "gw", "collect": "wdz"}[frame.step.kind]
        values = edge_values(canvas.document, kind, l)
        x1, y1, x2, y2 = (np.asarray(a).ravel() for a in layout.edge_segments(l))
        idx = np.flatnonzero(active.ravel())
        limit = MAX_PULSES if layout.detailed else LOD_PULSES
        if idx.size > limit:
            idx = idx[:: int(np.ceil(idx.size / limit))]
        t = frame.fraction if frame.direction == "forward" else 1.0 - frame.fraction
        # ease in and out so a pulse leaves and arrives gently
        t = t * t * (3.0 - 2.0 * t)
        px = x1[idx] + (x2[idx] - x1[idx]) * t
        py = y1[idx] + (y2[idx] - y1[idx]) * t
        vals = values.ravel()[idx]
        grad = frame.direction == "backward"
        zoom = max(canvas.zoom_level(), 1e-3)
        # diameter in screen pixels: at least 11 px, so a pulse reads on a projector
        size = max(11.0 * zoom, 15.0) if layout.detailed else 5.0
        # a rim keeps a pulse visible over an edge of its colour
        rim = th.surface if layout.detailed else None
        for sign, m in ((0, ~((vals > 0) | (vals < 0))), (1, vals > 0), (-1, vals < 0)):
            if not m.any():
                continue
            if sign == 0:  # an exact zero carries nothing: neither sign's colour
                color = th.muted
            elif grad:
                color = th.grad_positive if sign > 0 else th.grad_negative
            else:
                color = th.positive if sign > 0 else th.negative
            # one cached sprite blitted per pulse: a fraction of stroking round caps
            canvas.paint_dots(p, px[m], py[m], color, size, rim, 2.0)

    def _paint_neurons(self, canvas, p: QPainter, scene: FrameScene) -> None:
        th = themes.current()
        layout = canvas.layout
        frame = scene.frame
        doc = canvas.document
        backward = frame.phase in ("backward", "update")
        surface = QBrush(th.surface)
        for l, x in enumerate(layout.x):  # noqa: E741
            r = layout.radius[l]
            thin = 1.6 if r > 6 else 0.5
            pens = (QPen(th.muted, thin), QPen(th.text, thin))  # not yet computed, shown
            fills = canvas.neuron_brushes(doc.trace.a[l][0])
            shown = frame.a_shown[l].tolist()
            focus = frame.focus[l]
            for j, y in enumerate(layout.y[l].tolist()):
                if focus[j]:
                    continue
                p.setPen(pens[shown[j]])
                p.setBrush(fills[j] if shown[j] else surface)
                p.drawEllipse(QPointF(x, y), r, r)
            # the neurons the step works on: a glow and a thick ring, drawn last
            for j in np.flatnonzero(focus).tolist():
                c = QPointF(x, float(layout.y[l][j]))
                hl = th.grad_color(doc.grads.dL_da[l][0, j]) if backward else th.text
                glow = QColor(hl)
                glow.setAlphaF(0.22)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(glow)
                p.drawEllipse(c, r + GLOW, r + GLOW)
                p.setPen(QPen(hl, max(3.0, thin * 2)))
                p.setBrush(fills[j] if shown[j] else surface)
                p.drawEllipse(c, r, r)

    def _paint_texts(self, canvas, p: QPainter, scene: FrameScene) -> None:
        """The scene text of the still part: numbers in the neurons, the input names,
        the targets (bright once the loss needs them)."""
        th = themes.current()
        style = style_for(th)
        layout = canvas.layout
        frame = scene.frame
        texts = scene.neuron_texts
        p.setPen(th.text)
        for l in range(len(layout.x)):  # noqa: E741
            if not layout.labelled(l):
                continue
            room = canvas.number_room(l)
            for j in range(layout.sizes[l]):
                inside = texts.get(("x", l, j)) or texts.get(("a", l, j))
                if inside is not None:
                    style.fit_text(p, QRectF(*layout.neuron_rect(l, j)), inside, room=room)
        # headers, input names, targets: placed like the editing view's (scenetext.py)
        canvas.paint_scene_texts(p, playback=True, strong_targets=frame.loss_shown)

    def placement(self, canvas, scene: FrameScene) -> Placement:
        """Where this frame's labels go (computed once per step and zoom; see placement.py)."""
        zoom = round(max(canvas.zoom_level(), 1e-3), 6)
        fixed = canvas.fixed_boxes()
        bounds = canvas.visible_scene_rect()
        key = (
            tuple(round(v, 3) for v in bounds),
            id(scene.neuron_texts),
            zoom,
            id(canvas.layout),
            self._version,
            tuple(round(v, 3) for r in fixed for v in r),
            _selection_key(canvas.document),  # the selection's labels go first
        )
        hit = self._placements.get(key)
        if hit is not None and hit[0] is scene.neuron_texts:
            return hit[1]
        drawn = canvas.scene_texts(playback=True).rects() + canvas.number_boxes(zoom)
        result = place_labels(canvas.document, canvas.layout, scene, zoom, fixed, bounds, drawn)
        if len(self._placements) > 4:
            self._placements.pop(next(iter(self._placements)))
        self._placements[key] = (scene.neuron_texts, result)
        return result

    def _paint_labels(self, canvas, p: QPainter, scene: FrameScene) -> None:
        """The labels, where the placement pass put them: none covers another or a neuron."""
        th = themes.current()
        style = style_for(th)
        zoom = max(canvas.zoom_level(), 1e-3)
        result = self.placement(canvas, scene)
        self.last_placement = result
        for lab in result.placed:
            info: _Label = lab.payload
            cx = (lab.rect[0] + lab.rect[2]) / 2
            cy = (lab.rect[1] + lab.rect[3]) / 2
            if lab.leader and info.anchor is not None:  # off its edge: a line back to it
                pen = QPen(info.color, 1.0)
                pen.setCosmetic(True)
                p.setPen(pen)
                ax, ay = info.anchor
                near = lab.rect[1] if ay < cy else lab.rect[3]
                p.drawLine(QPointF(ax, ay), QPointF(cx, near))
            if info.big:
                style.draw_big_label(
                    p, QPointF(cx, cy), lab.text, zoom, info.color, scene.frame.step.kind == "loss"
                )
            else:
                if not info.boxed:  # a bias beside its neuron may sit over edges: a veil
                    veil = QColor(th.background)
                    veil.setAlphaF(0.85)
                    r = lab.rect
                    p.fillRect(QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1]), veil)
                style.draw_label(
                    p, QPointF(cx, cy), lab.text, zoom, info.color, info.px, info.boxed
                )
        hidden = result.hidden
        canvas.hidden_labels = hidden
        overlay = getattr(canvas, "caption_overlay", None)
        if overlay is not None:  # said in the step caption's line
            if hidden != overlay.shown_hidden and not canvas.vector:
                QTimer.singleShot(0, overlay.refresh)  # (not while painting: next turn)
            if not overlay.note_in_corner and overlay.isVisible():
                return  # (the caption's line says it)
        if hidden:  # no caption (a bare painter): in the corner kept free for it
            note = f"{hidden} label{'s' if hidden > 1 else ''} hidden: zoom in"
            w, h = label_size(note, MIN_TEXT_PX + 3, False)
            c = canvas.note_center(w, h)
            style.draw_label(
                p,
                _to_scene(canvas, c),
                note,
                zoom,
                th.muted,
                MIN_TEXT_PX + 3,
                False,
            )


def _selection_key(document) -> tuple:
    sel = getattr(document, "selection", None)
    return () if sel is None else (sel.kind, sel.layer, sel.neuron, sel.source)


def _to_scene(canvas, point: QPointF) -> QPointF:
    """A viewport point (fractional pixels) in scene units."""
    return canvas.viewportTransform().inverted()[0].map(point)


@dataclass
class _Label:
    """What the painter needs of a placed label beyond its text and rectangle."""

    color: QColor
    px: int = LABEL_PX
    boxed: bool = True
    big: bool = False
    #: an edge label: its edge's end points, for a leader line
    edge: tuple[float, float, float, float] | None = None
    #: where a leader line from the label goes (a point of its edge)
    anchor: tuple[float, float] | None = None


def _label_color(doc, th, text: str, what: str, l: int, j: int, i=None) -> QColor:  # noqa: E741
    """A label's colour; a "?" (a value a lesson asks for) in the text colour: the sign
    colour of the hidden number would give half of it away."""
    if text.endswith(hidden_values.HIDDEN_TEXT):
        return th.text
    return _color_of(doc, th, what, l, j, i)


def _color_of(doc, th, what: str, l: int, j: int, i: int | None = None) -> QColor:  # noqa: E741
    if i is not None:
        if what == "aw":
            return th.sign_color(edge_values(doc, "aw", l)[j, i])
        if what == "dL_dw":
            return th.grad_color(doc.grads.dL_dW[l][j, i])
        if what == "collect":
            return th.grad_color(edge_values(doc, "wdz", l)[j, i])
        return th.sign_color(edge_values(doc, "new_w", l)[j, i])
    if what in ("dL_da", "dL_dz"):
        src = doc.grads.dL_da if what == "dL_da" else doc.grads.dL_dz
        return th.grad_color(src[l][0, j])
    if what == "update_b":
        # like the weights' update labels: the new value's sign colour
        b = float(doc.network.layers[l - 1].b[j])
        return th.sign_color(b - doc.learning_rate * float(doc.grads.dL_db[l][j]))
    if what == "b":
        return th.muted
    return th.text


#: the labels a lesson step talks about (and the selection's) go in before all others,
#: the step's own numbers and the loss included (placement.py: lowest number first)
FOCUS_PRIORITY = -2
#: the playback step's own numbers (its focus neurons): before the loss and the rest
STEP_PRIORITY = -1

ABOVE_KINDS = ("dL_da", "z")
BELOW_KINDS = ("dL_dz", "update_b", "b")


def place_labels(
    document,
    layout,
    scene: FrameScene,
    zoom: float,
    fixed: list | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    texts_drawn: list | None = None,
) -> Placement:
    """The placement pass of one frame: every label of ``scene``, none over another or a
    neuron (nor over the fixed texts: input names, targets, headers)."""
    th = themes.current()
    doc = document
    frame = scene.frame
    zoom = max(zoom, 1e-3)
    gap = 2.0 / zoom
    texts = scene.neuron_texts
    labels: list[Label] = []
    # obstacles: every neuron, and the scene text that never moves
    obstacles = [tuple(b) for b in layout.neuron_boxes().tolist()] + list(fixed or [])
    L = len(layout.sizes) - 1

    obstacles += texts_drawn or []
    if [m.size for m in frame.z_shown] != list(layout.sizes):
        return Placement([], [])

    # the loss first: always shown where it wants to be (nothing is placed yet)
    if scene.loss_text is not None:
        w, h = big_label_size(scene.loss_text)
        # under the output column, below the row of labels under its last neuron
        ax = float(layout.x[L])
        ay = float(layout.y[L][-1]) + layout.radius[L] + (label_height() + 6 + h / 2) / zoom
        cands = [(ax, ay + k * (h + 4) / zoom) for k in range(4)]
        labels.append(
            Label(
                ("loss",),
                scene.loss_text,
                w,
                h,
                0,
                (ax, ay),
                cands,
                payload=_Label(th.text, big=True),
            )
        )

    # neuron labels: a size per layer that fits its gaps (never below MIN_TEXT_PX)
    for l in range(L + 1):  # noqa: E741
        if not layout.labelled(l):
            continue
        r = layout.radius[l]
        n = layout.sizes[l]
        keys = [(k, l, j) for j in range(n) for k in ABOVE_KINDS + BELOW_KINDS]
        present = [k for k in keys if k in texts]
        if not present:
            continue
        rows = len({k[0] in ABOVE_KINDS for k in present})
        gap_px = (layout.spacing[l] - 2 * r) * zoom if n > 1 else 1e9
        px = int(LABEL_PX * min(1.0, (gap_px - 6) / (rows * label_height(LABEL_PX))))
        px = int(np.clip(px, MIN_TEXT_PX, LABEL_PX))
        for what, _, j in present:
            text = texts[(what, l, j)]
            x, y = layout.pos(l, j)
            boxed = what != "b"
            # a bias is a side note: never larger than the step's own labels
            size = MIN_TEXT_PX if what == "b" else px
            w, h = label_size(text, size, boxed)
            focus = bool(frame.focus[l][j])
            # a bias is placed after the step's own numbers (it takes what room is left)
            priority = 3 if what == "b" else (0 if what == "update_b" else 2)
            if focus and what != "b":
                priority = STEP_PRIORITY  # the playback step's own numbers: before the loss
            if what != "b" and hidden_values.is_focus(doc, (what, l, j)):
                priority = FOCUS_PRIORITY  # what the lesson step talks about: first
            cands = neuron_candidates(x, y, r, h / zoom, w / zoom, what in ABOVE_KINDS, gap)
            if what == "b":  # a side note: under its neuron, or beside it, low
                beside = r + gap + w / zoom / 2
                low = y + r * 0.55
                cands = cands[:7] + [(x - beside, low), (x + beside, low)] + cands[-14:-7]
            labels.append(
                Label(
                    (what, l, j),
                    text,
                    w,
                    h,
                    priority,
                    (x, y),
                    cands,
                    payload=_Label(_label_color(doc, th, text, what, l, j), size, boxed),
                )
            )

    # edge labels: along their edges, nudged, or off them with a leader line
    for (what, l, j, i), text in scene.edge_texts.items():  # noqa: E741
        x1, y1 = layout.pos(l - 1, i)
        x2, y2 = layout.pos(l, j)
        x1 += layout.radius[l - 1]
        x2 -= layout.radius[l]
        col_px = (x2 - x1) * zoom
        px = LABEL_PX
        w, h = label_size(text, px, True)
        while w > 0.8 * col_px and px > MIN_TEXT_PX:
            px -= 1
            w, h = label_size(text, px, True)
        cands, n_on = edge_candidates(x1, y1, x2, y2, h / zoom)
        color = _label_color(doc, th, text, what, l, j, i)
        info = _Label(color, px, True, edge=(x1, y1, x2, y2))
        priority = FOCUS_PRIORITY if hidden_values.is_focus(doc, (what, l, j, i)) else 1
        lab = Label((what, l, j, i), text, w, h, priority, (x1, y1), cands, n_on, payload=info)
        labels.append(lab)
    result = place(labels, obstacles, zoom, bounds)
    for lab in result.placed:  # where a leader line goes: the edge point below/above it
        info = lab.payload
        if lab.leader and info.edge is not None:
            ex1, ey1, ex2, ey2 = info.edge
            cx = (lab.rect[0] + lab.rect[2]) / 2
            t = (cx - ex1) / (ex2 - ex1) if ex2 != ex1 else 0.5
            info.anchor = (cx, ey1 + (ey2 - ey1) * t)
        else:
            lab.leader = False
    return result
