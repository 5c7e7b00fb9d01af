"""The scene text of the canvas (headers, input names, ``b = …``, ``z = …``, targets,
the loss box) through the placement pass: none covers another, a neuron, or a label.

Scene text scales with the zoom, like the neurons it belongs to. Where that would
put it under :data:`~nnviz.ui.canvas.style.MIN_TEXT_PX` on screen, it is drawn at
that fixed screen size instead (``fixed``), so it grows in scene units and may no
longer fit: every text then goes through :func:`~nnviz.ui.canvas.placement.place`
(its natural spot first, then a few spots near it); a layer header that collides
with its neighbour takes its short form ("H2 · tanh"); a text with no free spot is
left out and counted (the canvas says "N labels hidden: zoom in").

Placed once per (layout, values, zoom, text scale) and kept (:class:`TextCache`):
painting a frame only draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from nnviz.ui import textscale
from nnviz.ui.canvas.placement import GAP_PX, Label, Placement, place
from nnviz.ui.canvas.style import draw_scene_text, record, scene_text_box

#: order of placement (lower first): what matters most keeps its spot
PRIORITY = {"loss": 0, "header": 1, "target": 2, "name": 2, "b": 3, "z": 4}
#: padding of the loss box around its text, scene units at 100 % zoom
LOSS_PAD = (14.0, 6.0)


@dataclass
class Text:
    """One scene text: ``kind`` (a key of :data:`PRIORITY`), the font ``role``, and
    where it is anchored (``align``: which point of the text the anchor is)."""

    kind: str
    l: int  # noqa: E741
    j: int
    text: str
    role: str
    anchor: tuple[float, float]
    align: str
    #: drawn in the text colour rather than the muted one
    strong: bool = False
    #: the short form, tried when the full one finds no room (headers)
    short: str = ""


def header_texts(layout, network) -> list[Text]:
    from nnviz.core import activations

    out = []
    for l in range(len(layout.x)):  # noqa: E741
        x, y, w, h = layout.header_rect(l)
        if l == 0:
            text, short = f"Input ({layout.sizes[0]})", "In"
        else:
            act = activations.get(network.layers[l - 1].activation).label
            role = "Output" if l == network.depth else f"Hidden {l}"
            text = f"{role} · {act}"
            if layout.sizes[l] > 8:
                text += f" ({layout.sizes[l]})"
            short = f"{'Out' if l == network.depth else f'H{l}'} · {act}"
        # anchored at the top of its rectangle: a header drawn at a fixed screen size
        # (zoomed out) grows downwards, never above the network's bounds (the caption)
        out.append(Text("header", l, 0, text, "header", (x + w / 2, y), "top", False, short))
    return out


def neuron_side_texts(
    layout, names: list[str], biases: list[str] | None, zs: list[str] | None, targets: list[str]
) -> list[Text]:
    """Input names, ``b = …`` (``biases``: per neuron of layers 1…, flat), ``z = …``,
    targets ``y = …`` (each for the labelled layers only)."""
    out: list[Text] = []
    L = len(layout.sizes) - 1
    k = 0
    for l in range(L + 1):  # noqa: E741
        for j in range(layout.sizes[l]):
            if not layout.labelled(l):
                continue
            if l == 0:
                x, y, w, h = layout.input_name_rect(j)
                out.append(Text("name", 0, j, names[j], "small", (x + w, y + h / 2), "right"))
            else:
                if biases is not None:
                    x, y, w, _ = layout.bias_rect(l, j)
                    out.append(Text("b", l, j, biases[k + j], "small", (x + w / 2, y), "top"))
                if zs is not None:
                    x, y, w, h = layout.z_rect(l, j)
                    out.append(Text("z", l, j, zs[k + j], "small", (x + w / 2, y + h), "bottom"))
        if l > 0:
            k += layout.sizes[l]
    if layout.labelled(L):
        for j, t in enumerate(targets):
            x, y, w, h = layout.target_rect(j)
            out.append(Text("target", L, j, t, "target", (x, y + h / 2), "left"))
    return out


def loss_text(layout, text: str) -> Text:
    x, y, w, h = layout.loss_box_rect()
    return Text(
        "loss", len(layout.sizes) - 1, 0, text, "loss", (x + w / 2, y + h / 2), "center", True
    )


def _box(t: Text, text: str, zoom: float) -> tuple[tuple[float, float, float, float], bool]:
    r, fixed = scene_text_box(t.role, text, zoom, t.anchor, t.align)
    if t.kind == "loss":  # its frame around the text
        px, py = LOSS_PAD
        if fixed:
            px, py = px / zoom, py / zoom
        r = (r[0] - px, r[1] - py, r[2] + px, r[3] + py)
    return r, fixed


def _candidates(t: Text, r, zoom: float) -> list[tuple[float, float]]:
    cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
    w, h = r[2] - r[0], r[3] - r[1]
    # clear of the neuron it belongs to by the placement's gap
    g = (GAP_PX + 1.0) / max(zoom, 1e-3)
    cx += {"name": -g, "target": g}.get(t.kind, 0.0)
    cy += {"b": g, "z": -g}.get(t.kind, 0.0)
    if t.kind == "b":  # under the neuron, nudged sideways
        return [(cx + dx * w, cy) for dx in (0.0, 0.3, -0.3, 0.6, -0.6)]
    if t.kind == "z":
        return [(cx + dx * w, cy) for dx in (0.0, 0.3, -0.3)]
    if t.kind == "name":  # beside the input, a little up or down
        return [(cx, cy + dy * h) for dy in (0.0, -0.6, 0.6, -1.2, 1.2)]
    if t.kind == "loss":
        return [(cx, cy + k * h * 0.6) for k in range(4)]
    return [(cx, cy)]


def _label(t: Text, text: str, zoom: float) -> Label:
    r, fixed = _box(t, text, zoom)
    lab = Label(
        (t.kind, t.l, t.j),
        text,
        (r[2] - r[0]) * zoom,
        (r[3] - r[1]) * zoom,
        PRIORITY[t.kind],
        t.anchor,
    )
    lab.candidates = _candidates(t, r, zoom)
    lab.payload = (t, text, fixed)
    return lab


def place_texts(
    texts: list[Text],
    neurons: list[tuple[float, float, float, float]],
    zoom: float,
    extra: list[tuple[float, float, float, float]] = (),
) -> Placement:
    """Where each text goes at ``zoom``: clear of ``neurons``, ``extra`` and each other.
    Each placed label's payload is ``(Text, drawn text, fixed)``. The layer headers go
    first, all in one form: in full, or if one of them has no room all short
    ("H2 · tanh"), or all shortest ("H2"); a header that still has no room is left out."""
    zoom = max(zoom, 1e-3)
    obstacles = list(neurons) + list(extra)
    headers = [t for t in texts if t.kind == "header"]
    result = None
    for form in range(3):
        labels = []
        for t in headers:
            text = t.text
            if form and t.short:
                text = t.short if form == 1 else t.short.split(" · ")[0]
            labels.append(_label(t, text, zoom))
        result = place(labels, obstacles, zoom)
        if not result.dropped:
            break
    rest = place(
        [_label(t, t.text, zoom) for t in texts if t.kind != "header"],
        obstacles + result.rects(),
        zoom,
    )
    return Placement(result.placed + rest.placed, result.dropped + rest.dropped)


def draw_texts(
    p: QPainter,
    result: Placement,
    zoom: float,
    text: QColor,
    muted: QColor,
    surface: QColor,
    strong_targets: bool = False,
) -> None:
    """Draw what :func:`place_texts` placed (the loss in its box; the targets in the
    text colour with ``strong_targets``: once the loss needs them)."""
    for lab in result.placed:
        t, s, fixed = lab.payload
        r = lab.rect
        if t.kind == "loss":
            px, py = LOSS_PAD
            if fixed:
                px, py = px / zoom, py / zoom
            box = QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])
            pen = QPen(text, 1.2)
            pen.setCosmetic(True)
            p.setPen(pen)
            p.setBrush(surface)
            p.drawRoundedRect(box, 6 / zoom if fixed else 6, 6 / zoom if fixed else 6)
            record(p, "box", s, box, 0.0)
            r = (r[0] + px, r[1] + py, r[2] - px, r[3] - py)
        p.setPen(text if t.strong or (strong_targets and t.kind == "target") else muted)
        draw_scene_text(p, t.role, s, r, fixed, zoom)


class TextCache:
    """The last placement per key (layout, values, zoom, scale): painting only draws."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._result: Placement | None = None

    def get(self, key: tuple, build) -> Placement:
        key = (*key, textscale.factor(), textscale.min_px())
        if key != self._key or self._result is None:
            self._result = build()
            self._key = key
        return self._result
