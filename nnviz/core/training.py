"""Training: one step of plain gradient descent on a batch.

A train step is the forward pass, the backward pass and the update
``w ← w − η ∂L/∂w`` (the same arithmetic as the "apply update" edit, bit for
bit). It changes the network's arrays in place, so a training loop allocates
no new weight arrays, and it skips ``∂L/∂x``, which no update needs.
"""

from __future__ import annotations

import numpy as np

from .network import Network
from .propagation import backward, forward


def sgd_step(net: Network, X: np.ndarray, Y: np.ndarray, lr: float) -> float:
    """One gradient-descent step of ``net`` on the batch ``(X, Y)``; returns the loss before it.

    ``X`` is (batch, n_in) and ``Y`` (batch, n_out), or one example each as a
    vector. The loss is the batch mean, as :func:`nnviz.core.propagation.backward`
    computes it. Weights and biases are updated in place.
    """
    trace = forward(net, X)
    grads = backward(net, trace, Y, input_grad=False)
    for l, layer in enumerate(net.layers, start=1):  # noqa: E741
        # in place, and the same numbers as ``W - lr * dL_dW``
        np.subtract(layer.W, lr * grads.dL_dW[l], out=layer.W)
        np.subtract(layer.b, lr * grads.dL_db[l], out=layer.b)
    return grads.loss
