"""Check one gradient by central finite differences, the way a student would by hand.

Perturb one number of a *copy* of the network (or of the input) by ±h, run the
forward pass and the loss again, and compare (L(θ + h) − L(θ − h)) / 2h with
the analytic value that backpropagation gave. Nothing here changes the
network it is given.

A parameter is named by a typed address (:mod:`nnviz.core.addresses`:
``Weight(l, j, i)``, ``Bias(l, j)``, ``Input(i)``) or by its legacy key:
``("weight", l, j, i)`` is ``W[l][j, i]``, ``("bias", l, j)`` is ``b[l][j]``
and ``("input", i)`` is ``x[i]``. :attr:`Check.key` is the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .addresses import Address, is_address
from .network import Network
from .propagation import Grads, evaluate, forward, loss_values

#: the default step: small enough for a close estimate, large enough for float64
DEFAULT_H = 1e-5
#: relative difference below which an estimate "agrees" with the analytic value
AGREE_RTOL = 1e-4
AGREE_ATOL = 1e-7


def loss_of(net: Network, x: np.ndarray, y: np.ndarray) -> float:
    """The batch-mean loss of ``net`` on ``(x, y)``: a forward pass and the loss, no gradients."""
    trace = forward(net, x)
    return float(np.mean(loss_values(net, trace, y)))


def _check_key(net: Network, x: np.ndarray, key: tuple) -> None:
    sizes = net.sizes
    kind = key[0] if key else None
    if kind == "weight" and len(key) == 4:
        _, l, j, i = key
        if 1 <= l <= net.depth and 0 <= j < sizes[l] and 0 <= i < sizes[l - 1]:
            return
    elif kind == "bias" and len(key) == 3:
        _, l, j = key
        if 1 <= l <= net.depth and 0 <= j < sizes[l]:
            return
    elif kind == "input" and len(key) == 2:
        if 0 <= key[1] < np.shape(np.atleast_2d(x))[1]:
            return
    raise ValueError(f"{key!r} names no weight, bias or input of this network")


def _perturbed(net: Network, x: np.ndarray, key: tuple, delta: float) -> tuple[Network, np.ndarray]:
    net2 = net.copy()
    x2 = np.array(x, dtype=float, copy=True)
    kind = key[0]
    if kind == "weight":
        _, l, j, i = key
        net2.layers[l - 1].W[j, i] += delta
    elif kind == "bias":
        _, l, j = key
        net2.layers[l - 1].b[j] += delta
    else:
        if x2.ndim == 1:
            x2[key[1]] += delta
        else:
            x2[:, key[1]] += delta
    return net2, x2


def analytic(grads: Grads, key: tuple) -> float:
    """The backpropagated gradient for ``key`` from ``grads`` (first example for inputs)."""
    kind = key[0]
    if kind == "weight":
        _, l, j, i = key
        return float(grads.dL_dW[l][j, i])
    if kind == "bias":
        _, l, j = key
        return float(grads.dL_db[l][j])
    return float(np.sum(grads.dL_dx[:, key[1]]))


@dataclass(frozen=True)
class Check:
    """The finite-difference estimate beside the analytic gradient."""

    key: tuple
    value: float  # the parameter's current value
    h: float
    loss_plus: float  # L(θ + h)
    loss_minus: float  # L(θ − h)
    numeric: float  # (L(θ + h) − L(θ − h)) / 2h
    analytic: float
    #: True if a ReLU-like kink lies within ±h of some z: the estimate may be off there
    near_kink: bool = False

    @property
    def abs_error(self) -> float:
        return abs(self.numeric - self.analytic)

    @property
    def rel_error(self) -> float:
        scale = max(abs(self.numeric), abs(self.analytic))
        return self.abs_error / scale if scale > 0 else 0.0

    @property
    def agrees(self) -> bool:
        return math.isclose(self.numeric, self.analytic, rel_tol=AGREE_RTOL, abs_tol=AGREE_ATOL)


_KINKED = {"step", "relu", "leaky_relu", "elu"}


def check(
    net: Network,
    x: np.ndarray,
    y: np.ndarray,
    key: tuple | Address,
    h: float = DEFAULT_H,
    grads: Grads | None = None,
) -> Check:
    """Central finite difference for ``key`` (an address or its key) against
    backpropagation.

    ``grads`` may be passed when already computed (the document has them);
    otherwise the forward and backward pass run here.
    """
    if is_address(key):
        key = key.key
    _check_key(net, x, key)
    if not (isinstance(h, (int, float)) and math.isfinite(h) and h > 0):
        raise ValueError(f"the step h must be a positive number, not {h!r}")
    if grads is None:
        _, grads = evaluate(net, x, y)
    net_p, x_p = _perturbed(net, x, key, +h)
    net_m, x_m = _perturbed(net, x, key, -h)
    lp = loss_of(net_p, x_p, y)
    lm = loss_of(net_m, x_m, y)
    kind = key[0]
    if kind == "weight":
        value = float(net.layers[key[1] - 1].W[key[2], key[3]])
    elif kind == "bias":
        value = float(net.layers[key[1] - 1].b[key[2]])
    else:
        value = float(np.atleast_2d(x)[0, key[1]])
    base = forward(net, x).z
    near = False
    for trace in (forward(net_p, x_p), forward(net_m, x_m)):
        for l, layer in enumerate(net.layers, start=1):  # noqa: E741
            if layer.activation in _KINKED and np.any(np.sign(base[l]) != np.sign(trace.z[l])):
                near = True
    return Check(key, value, float(h), lp, lm, (lp - lm) / (2.0 * h), analytic(grads, key), near)
