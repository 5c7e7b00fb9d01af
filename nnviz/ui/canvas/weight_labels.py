"""Every weight labelled in a small network (editing view), through the placement pass.

In the editing view the canvas shows each weight as a line whose colour is its
sign and whose width is its size; the number itself was shown only for the
hovered or selected edge, so the −1.5 of the one-neuron exercise stayed hidden
until clicked. In a network of at most :data:`MAX_LABELLED_WEIGHTS` weights this
layer writes every weight's value on its edge, coloured by its sign, placed by
the same pass as the playback labels (:mod:`nnviz.ui.canvas.placement`): never
over a neuron, its bias, a header or another label; a label that finds no room
is left out and counted (the canvas's "2 labels hidden: zoom in").

View ▸ Label Every Weight turns it off (remembered); during playback the
animation labels its own edges, so this layer steps aside.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainter, QPen

from nnviz.core.explain import fmt
from nnviz.ui.canvas.layers import Layer, PaintContext
from nnviz.ui.canvas.placement import Label, Placement, edge_candidates, place
from nnviz.ui.canvas.style import LABEL_PX, MIN_TEXT_PX, label_size, style_for

#: a network with more weights than this keeps the hover/selection labels only
MAX_LABELLED_WEIGHTS = 40
#: the label size: the playback's for a few weights, a little smaller for many
WEIGHT_LABEL_PX = max(MIN_TEXT_PX, LABEL_PX - 2)
#: up to this many weights the labels take the playback labels' full size
FULL_SIZE_WEIGHTS = 12


def _rect(t: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return t[0], t[1], t[0] + t[2], t[1] + t[3]


def wants_labels(network) -> bool:
    """Whether ``network`` is small enough for every weight to be labelled."""
    return 0 < network.n_edges <= MAX_LABELLED_WEIGHTS


def place_weight_labels(
    document, layout, zoom: float, skip=(), scene_rects=(), fixed=(), bounds=None
) -> Placement:
    """Where each weight's label goes (``skip``: edges ``(l, j, i)`` labelled elsewhere:
    the hovered and the selected one carry their own ``w = …`` label); given ``bounds``
    (the view's scene rectangle) wholly inside it (QA: labels cut at the canvas's top
    edge while training in a small window)."""
    net = document.network
    zoom = max(zoom, 1e-3)
    d = document.decimals
    L = len(layout.sizes) - 1
    obstacles = [tuple(b) for b in layout.neuron_boxes().tolist()]
    # the scene texts where they were placed (names, b, headers, targets, loss box),
    # and what is fixed on the viewport (legend, the note's corner, the caption)
    obstacles += scene_rects
    obstacles += fixed
    labels: list[Label] = []
    px = LABEL_PX if net.n_edges <= FULL_SIZE_WEIGHTS else WEIGHT_LABEL_PX
    for l in range(1, L + 1):  # noqa: E741
        W = net.layers[l - 1].W
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                if (l, j, i) in skip:
                    continue
                x1, y1 = layout.pos(l - 1, i)
                x2, y2 = layout.pos(l, j)
                x1 += layout.radius[l - 1]
                x2 -= layout.radius[l]
                text = fmt(float(W[j, i]), d)
                w, h = label_size(text, px, True)
                cands, n_on = edge_candidates(x1, y1, x2, y2, h / zoom, 0.2, 0.8)
                lab = Label((l, j, i), text, w, h, 1, (x1, y1), cands, n_on)
                lab.payload = (float(W[j, i]), (x1, y1, x2, y2), px)
                labels.append(lab)
    result = place(labels, obstacles, zoom, bounds)
    for lab in result.placed:
        value, (ex1, ey1, ex2, ey2), size = lab.payload
        cx = (lab.rect[0] + lab.rect[2]) / 2
        t = (cx - ex1) / (ex2 - ex1) if ex2 != ex1 else 0.5
        lab.payload = (value, size, (cx, ey1 + (ey2 - ey1) * t))
    return result


class WeightLabelsLayer(Layer):
    """The editing view's weight labels (a canvas overlay layer, under the highlights)."""

    name = "weight labels"

    def __init__(self) -> None:
        #: the last placement drawn (tests read it)
        self.last_placement: Placement | None = None

    def visible(self, ctx: PaintContext) -> bool:
        canvas = ctx.canvas
        return (
            not ctx.active
            and getattr(canvas, "label_weights", True)
            and ctx.layout.detailed
            and wants_labels(ctx.document.network)
        )

    def placement(self, ctx: PaintContext) -> Placement:
        """Where the weight labels go now (the highlights layer keeps clear of them)."""
        canvas = ctx.canvas
        skip = set()
        for sel in (getattr(canvas, "hovered", None), ctx.document.selection):
            if sel is not None and sel.kind == "edge":
                skip.add((sel.layer, sel.neuron, sel.source))
        return place_weight_labels(
            ctx.document,
            ctx.layout,
            ctx.zoom,
            skip,
            canvas.scene_texts().rects() + canvas.number_boxes(ctx.zoom),
            canvas.fixed_boxes(),
            canvas.visible_scene_rect(),
        )

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        result = self.placement(ctx)
        self.last_placement = result
        th = ctx.theme
        style = style_for(th)
        for lab in result.placed:
            value, px, anchor = lab.payload
            color = th.positive if value > 0 else th.negative if value < 0 else th.muted
            cx = (lab.rect[0] + lab.rect[2]) / 2
            cy = (lab.rect[1] + lab.rect[3]) / 2
            if lab.leader:  # moved off its edge: a thin line back to it
                pen = QPen(color, 1.0)
                pen.setCosmetic(True)
                p.setPen(pen)
                near = lab.rect[1] if anchor[1] < cy else lab.rect[3]
                p.drawLine(QPointF(*anchor), QPointF(cx, near))
            style.draw_label(p, QPointF(cx, cy), lab.text, ctx.zoom, color, px)
        # what had no room is counted in the canvas's note (NetworkCanvas.paint_note)
