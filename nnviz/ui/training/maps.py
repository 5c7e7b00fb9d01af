"""Heatmaps over the data plane: the output (decision boundary) and every neuron (TFP's signature).

Values become colours through one lookup table, as TensorFlow Playground
colours them: orange for −1, white for 0, blue for +1 (clipped outside).
A layer's activations over an ``n × n`` grid come from one forward pass
(:func:`nnviz.core.training_view.neuron_values`); numpy builds the RGBA pixels and
:func:`to_qimage` wraps them. Row 0 of an array is the bottom of the plane (x2 = −6).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from nnviz.core import training_view

#: TFP's colours: −1 orange, 0 white, +1 blue
NEGATIVE = np.array([245, 147, 34], dtype=float)
ZERO = np.array([232, 234, 235], dtype=float)
POSITIVE = np.array([8, 119, 189], dtype=float)
#: class colours (class 0, 1, 2, ...): the first two are TFP's
CLASS_COLORS = np.array(
    [[245, 147, 34], [8, 119, 189], [44, 160, 44], [148, 103, 189], [214, 39, 40]], dtype=float
)


def _lut() -> np.ndarray:
    t = np.linspace(-1.0, 1.0, 256)[:, None]
    neg = ZERO + (NEGATIVE - ZERO) * np.clip(-t, 0, 1)
    pos = ZERO + (POSITIVE - ZERO) * np.clip(t, 0, 1)
    rgb = np.where(t < 0, neg, pos)
    out = np.empty((256, 4), dtype=np.uint8)
    out[:, :3] = np.round(rgb).astype(np.uint8)
    out[:, 3] = 255
    return out


LUT = _lut()


def colorize(values: np.ndarray, discretize: bool = False) -> np.ndarray:
    """RGBA uint8 pixels ``values.shape + (4,)`` for values in [−1, 1] (clipped; NaN is white)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=1.0, neginf=-1.0)
    if discretize:
        v = np.where(v >= 0, 1.0, -1.0)
    idx = np.clip(np.round((v + 1.0) * 127.5), 0, 255).astype(np.intp)
    return LUT[idx]


def colorize_classes(probs: np.ndarray, discretize: bool = False) -> np.ndarray:
    """RGBA pixels for class probabilities ``(..., k)``: the mix of the class colours."""
    p = np.nan_to_num(np.asarray(probs, dtype=float))
    k = p.shape[-1]
    colors = CLASS_COLORS[np.arange(k) % len(CLASS_COLORS)]
    if discretize:
        rgb = colors[np.argmax(p, axis=-1)]
    else:
        s = p.sum(axis=-1, keepdims=True)
        s[s == 0] = 1.0
        mix = (p / s) @ colors
        # paler where the network is unsure (the largest probability is low)
        certainty = (p.max(axis=-1, keepdims=True) - 1.0 / k) / (1.0 - 1.0 / k)
        rgb = ZERO + (mix - ZERO) * np.clip(certainty, 0.25, 1.0)
    out = np.empty(p.shape[:-1] + (4,), dtype=np.uint8)
    out[..., :3] = np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    out[..., 3] = 255
    return out


def output_pixels(output: np.ndarray, loss: str, discretize: bool = False) -> np.ndarray:
    """The output layer's values ``(n, n, k)`` as the boundary's pixels ``(n, n, 4)``."""
    if output.shape[-1] > 1:
        return colorize_classes(output, discretize)
    v = output[..., 0]
    if loss == "bce":  # a probability: 0.5 is the boundary
        v = 2.0 * v - 1.0
    return colorize(v, discretize)


def to_qimage(rgba: np.ndarray) -> QImage:
    """A QImage (owning its pixels) of ``rgba`` with row 0 at the bottom, as the plane is."""
    flipped = np.ascontiguousarray(rgba[::-1])
    h, w = flipped.shape[:2]
    return QImage(flipped.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def neuron_maps(document, size: int = 24, feats: tuple[str, ...] | None = None) -> dict:
    """Each hidden neuron's output over the plane: ``{(layer, neuron): QImage}`` of ``size²``.

    ``feats`` are the input features (by default the document's training
    section's, or x1, x2 for a two-input network); a network whose inputs
    are not features of the plane has no maps (an empty dict).
    """
    net = document.network
    if feats is None:
        spec = getattr(document, "training_spec", None)
        if spec is not None:
            feats = spec.features
        elif net.input_size == 2:
            feats = ("x1", "x2")
        else:
            return {}
    if len(feats) != net.input_size:
        return {}
    values = training_view.neuron_values(net, feats, size)
    out = {}
    for l in range(1, net.depth):  # noqa: E741
        pixels = colorize(values[l])  # (n, n, size_l, 4)
        for j in range(values[l].shape[-1]):
            out[(l, j)] = to_qimage(pixels[:, :, j])
    return out
