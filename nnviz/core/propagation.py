"""The forward and backward passes, written out layer by layer in plain numpy.

``forward(net, X)`` returns a :class:`Trace`; ``backward(net, trace, Y)``
returns :class:`Grads`. Lists are indexed by the lesson's layer number: index
0 is the input layer (``trace.a[0]`` is ``X``; ``grads.dL_da[0]`` is
``∂L/∂x``), index ``l >= 1`` is weighted layer ``l``. The chain rule is the
four lines in the loop of :func:`backward`::

    dL_dz[l] = dL_da[l] * f'(z[l])                 (through the activation)
    dL_dW[l] = dL_dz[l]ᵀ @ a[l-1]                  (each weight: ∂L/∂z · a_prev)
    dL_db[l] = Σ_batch dL_dz[l]
    dL_da[l-1] = dL_dz[l] @ W[l]                   (Σ over the next layer w · ∂L/∂z)

The loss of a batch is the mean of its examples' losses, so ``dL_da`` at the
output carries the factor 1/batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations, losses
from .network import Network

Array = np.ndarray


@dataclass
class Trace:
    """Every layer's pre-activation ``z`` and activation ``a`` for a batch."""

    z: list[Array]  # z[0] is the input X itself (it has no pre-activation)
    a: list[Array]  # a[0] is the input X

    @property
    def output(self) -> Array:
        return self.a[-1]


@dataclass
class Grads:
    """The loss and its gradient w.r.t. everything, by layer (index 0 = input)."""

    loss: float
    losses: Array  # per example
    dL_da: list[Array]  # dL_da[0] is dL/dx
    dL_dz: list[Array | None]  # dL_dz[0] is None
    dL_dW: list[Array | None]  # dL_dW[0] is None
    dL_db: list[Array | None]  # dL_db[0] is None

    @property
    def dL_dx(self) -> Array:
        return self.dL_da[0]


def _as_batch(x: Array, n: int, what: str) -> Array:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != n:
        raise ValueError(f"{what} has shape {np.shape(x)}, expected (batch, {n})")
    return arr


#: f'(z) from a = f(z) alone, keyed by the record's own ``df``, for the two records where
#: that is the *same* arithmetic as ``df(z)`` bit for bit (tests/core/test_training.py
#: checks it). It saves the backward pass recomputing tanh, one of its largest costs on
#: small networks; a record whose ``df`` is any other function is called as it is.
_DF_FROM_A = {
    activations.ACTIVATIONS["tanh"].df: lambda a: 1.0 - a * a,  # t = tanh(z); 1 - t * t
    activations.ACTIVATIONS["relu"].df: lambda a: (a > 0).astype(float),  # a > 0 iff z > 0
}


def forward(net: Network, X: Array) -> Trace:
    """Run the batch ``X`` (batch × n_in, or one example as a vector) forward."""
    a = _as_batch(X, net.input_size, "the input")
    zs: list[Array] = [a]
    as_: list[Array] = [a]
    table = activations.ACTIVATIONS
    for layer in net.layers:
        z = a @ layer.W.T
        z += layer.b  # in place: the same sum as ``a @ W.T + b``, one array fewer
        a = table[layer.activation].f(z)
        zs.append(z)
        as_.append(a)
    return Trace(zs, as_)


def loss_values(net: Network, trace: Trace, Y: Array) -> Array:
    """Per-example losses of ``trace`` against targets ``Y``."""
    y = _as_batch(Y, net.layers[-1].size, "the target")
    return losses.LOSSES[net.loss].value(trace.z[-1], trace.a[-1], y)


def backward(net: Network, trace: Trace, Y: Array, *, input_grad: bool = True) -> Grads:
    """Gradients of the batch-mean loss by the chain rule, from the output back.

    ``input_grad=False`` skips ``∂L/∂x`` (``dL_da[0]`` is then None): a training
    step never needs it, and at 784 inputs it is a third of the backward pass.
    """
    spec = losses.LOSSES[net.loss]
    y = _as_batch(Y, net.layers[-1].size, "the target")
    z_out, a_out = trace.z[-1], trace.a[-1]
    per_example = spec.value(z_out, a_out, y)
    scale = 1.0 / a_out.shape[0]

    L = net.depth
    dL_da: list[Array] = [None] * (L + 1)  # type: ignore[list-item]
    dL_dz: list[Array | None] = [None] * (L + 1)
    dL_dW: list[Array | None] = [None] * (L + 1)
    dL_db: list[Array | None] = [None] * (L + 1)

    dL_da[L] = spec.dL_da(z_out, a_out, y) * scale
    table = activations.ACTIVATIONS
    for l in range(L, 0, -1):  # noqa: E741
        layer = net.layers[l - 1]
        act = table[layer.activation]
        if l == L and spec.dL_dz is not None:
            # the loss's own stable form of ∂L/∂a · ∂a/∂z (e.g. a − y for σ + BCE)
            g = spec.dL_dz(z_out, a_out, y) * scale
        elif act.elementwise:
            df_of_a = _DF_FROM_A.get(act.df)
            g = dL_da[l] * (df_of_a(trace.a[l]) if df_of_a else act.df(trace.z[l]))
        else:  # softmax: ∂L/∂z_k = a_k (∂L/∂a_k − Σ_j ∂L/∂a_j a_j)
            a = trace.a[l]
            g = a * (dL_da[l] - np.sum(dL_da[l] * a, axis=1, keepdims=True))
        dL_dz[l] = g
        dL_dW[l] = g.T @ trace.a[l - 1]
        dL_db[l] = np.add.reduce(g, axis=0)
        if l > 1 or input_grad:
            dL_da[l - 1] = g @ layer.W
    return Grads(float(np.mean(per_example)), per_example, dL_da, dL_dz, dL_dW, dL_db)


def evaluate(net: Network, X: Array, Y: Array) -> tuple[Trace, Grads]:
    """Forward then backward: the trace and the gradients of one batch.

    A valid network can overflow float64 (values at ±1e6 through 33 layers): those
    numbers come out as ±inf or NaN, for the views to show as such, without a
    RuntimeWarning on the console. (``forward`` and ``backward`` alone, used by
    training, keep numpy's default so a training step pays nothing for this.)
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        trace = forward(net, X)
        return trace, backward(net, trace, Y)


def collapse_linear(net: Network) -> tuple[Array, Array] | None:
    """If every layer is linear, the one (W, b) equal to the whole network.

    z = W_L(…(W_2(W_1 x + b_1) + b_2)…) + b_L = W x + b with W = W_L⋯W_1 and
    b folded through the same products. None if any layer is not linear.
    """
    if not all(activations.ACTIVATIONS[layer.activation].is_linear for layer in net.layers):
        return None
    W = np.eye(net.input_size)
    b = np.zeros(net.input_size)
    for layer in net.layers:
        W = layer.W @ W
        b = layer.W @ b + layer.b
    return W, b
