"""Update terms and formula texts: the one place they are computed and written.

The gradient-descent step ``w − η·∂L/∂w``, what each edge carries during the
animation (``a·w`` forward, ``∂L/∂w = ∂L/∂z·a`` back, ``w·∂L/∂z`` collected
into the previous layer) and the general formula of every equation the app
writes come from here. The document's "apply update", ``nnviz trace``, the
chain-rule panel, the step captions and the canvas animation all call these
functions, so the numbers a student sees on an edge, in the panel and after
the update are the same floating-point numbers (the same operations in the same
order as :mod:`nnviz.core.training`'s optimiser step).

Layer indices follow the lesson (0 = input); arrays are shaped like ``W[l]``,
``(n_l, n_{l−1})``. The per-edge functions read the first row of the batch
(the document's one sample).
"""

from __future__ import annotations

import numpy as np

from .network import Network
from .propagation import Grads, Trace

MINUS = "\u2212"

#: the general formula of each equation, written once. Keys name what the
#: equation computes; ``{f}`` stands for the activation's label.
FORMULAS: dict[str, str] = {
    "x": "x = (the sample's value)",
    "aw": "a·w = a_prev × w",
    "z": "z = Σ w·a + b",
    "a": "a = {f}(z)",
    "a_softmax": "a = softmax(z) = e^z / Σ e^z",
    "dL_da_out": "∂L/∂a = (from the loss)",
    "dL_da": "∂L/∂a = Σₖ w·∂L/∂z",
    "dL_dz": "∂L/∂z = ∂L/∂a · {f}′(z)",
    "dL_dz_paired": "∂L/∂z = a − y",
    "dL_db": "∂L/∂b = ∂L/∂z · 1",
    "dL_dw": "∂L/∂w = ∂L/∂z · a_prev",
    "dL_dw_chain": "∂L/∂w = ∂L/∂a · {f}′(z) · a_prev",
    "wdz": "w·∂L/∂z",
    "update_w": f"w ← w {MINUS} η·∂L/∂w",
    "update_b": f"b ← b {MINUS} η·∂L/∂b",
}


def formula(name: str, f: str = "f") -> str:
    """The general formula ``name`` (a key of :data:`FORMULAS`), with ``f`` the activation."""
    return FORMULAS[name].replace("{f}", f)


# ------------------------------------------------------------ gradient step
def stepped(value, grad, lr: float):
    """``value − η·grad``: one gradient-descent step of a number or an array."""
    return value - lr * grad


def updated_weights(net: Network, grads: Grads, lr: float, l: int) -> np.ndarray:  # noqa: E741
    """``W[l] − η·∂L/∂W[l]``: layer ``l``'s weights after the update (a new array)."""
    return stepped(net.layers[l - 1].W, grads.dL_dW[l], lr)


def updated_biases(net: Network, grads: Grads, lr: float, l: int) -> np.ndarray:  # noqa: E741
    """``b[l] − η·∂L/∂b[l]``: layer ``l``'s biases after the update (a new array)."""
    return stepped(net.layers[l - 1].b, grads.dL_db[l], lr)


def apply_step(net: Network, grads: Grads, lr: float) -> None:
    """Replace every layer's W and b by their stepped values (new arrays, so a
    snapshot sharing the old ones is untouched)."""
    for l, layer in enumerate(net.layers, start=1):  # noqa: E741
        layer.W = updated_weights(net, grads, lr, l)
        layer.b = updated_biases(net, grads, lr, l)


# ------------------------------------------------------ what edges carry
def product(a: float, b: float) -> float:
    """One edge's term: ``a·w`` forward, ``w·∂L/∂z`` back (the same product the
    array functions below compute per edge)."""
    return a * b


def forward_products(net: Network, trace: Trace, l: int) -> np.ndarray:  # noqa: E741
    """``a·w`` per edge of layer ``l``: what each edge carries forward."""
    return net.layers[l - 1].W * trace.a[l - 1][0][None, :]


def weight_gradients(grads: Grads, l: int) -> np.ndarray:  # noqa: E741
    """``∂L/∂w = ∂L/∂z · a_prev`` per edge of layer ``l`` (the engine's own array)."""
    return grads.dL_dW[l]


def collect_terms(net: Network, grads: Grads, l: int) -> np.ndarray:  # noqa: E741
    """``w·∂L/∂z`` per edge of layer ``l``: each edge's share of ``∂L/∂a`` at layer ``l − 1``."""
    return net.layers[l - 1].W * grads.dL_dz[l][0][:, None]


def edge_values(
    kind: str,
    net: Network,
    trace: Trace,
    grads: Grads,
    lr: float,
    l: int,  # noqa: E741
) -> np.ndarray:
    """The signed number each edge of layer ``l`` carries for an edge-value ``kind``:
    ``w`` (the weight), ``aw``, ``gw`` (∂L/∂w), ``wdz`` or ``new_w`` (after the update)."""
    if kind == "w":
        return net.layers[l - 1].W
    if kind == "aw":
        return forward_products(net, trace, l)
    if kind == "gw":
        return weight_gradients(grads, l)
    if kind == "wdz":
        return collect_terms(net, grads, l)
    if kind == "new_w":
        return updated_weights(net, grads, lr, l)
    raise ValueError(f"unknown edge values {kind!r}; expected w, aw, gw, wdz or new_w")
