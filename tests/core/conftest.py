"""Helpers shared by the core tests: random networks, batches and targets.

Exposed as fixtures (not an importable module) so the tests run the same from the
repository and from a copy of ``tests/`` against an installed wheel.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import activations, losses, propagation
from nnviz.core.network import Network

#: activations whose derivative jumps at z = 0 (or, for elu, whose f'' jumps):
#: finite differences must not straddle 0 there
KINKED = {"step", "relu", "leaky_relu", "elu"}

#: every (output activation, loss) pair the engine allows, with "same" meaning
#: "the hidden activation again"
OUTPUT_LOSS_PAIRS = [
    ("same", "mse"),
    ("softmax", "mse"),
    ("sigmoid", "bce"),
    ("softmax", "cross_entropy"),
]


def random_case(hidden: str, output: str, loss: str, seed: int, *, scale: float = 1.0):
    """A random small network and batch, with no z of a kinked layer near 0.

    Returns ``(net, X, Y)``. Shapes: input 1-4, 0-2 hidden layers of 1-4 neurons,
    output 1-4 neurons (2-4 for softmax), batch 1-4.
    """
    rng = np.random.default_rng(seed)
    output = hidden if output == "same" else output
    for _ in range(200):
        n_hidden = int(rng.integers(0, 3))
        lo_out = 2 if output == "softmax" else 1
        sizes = (
            [int(rng.integers(1, 5))]
            + [int(rng.integers(1, 5)) for _ in range(n_hidden)]
            + [int(rng.integers(lo_out, 5))]
        )
        acts = [hidden] * n_hidden + [output]
        net = Network.create(sizes, acts, loss=loss, seed=int(rng.integers(0, 2**31)))
        for layer in net.layers:
            layer.W = rng.normal(0.0, scale, layer.W.shape)
            layer.b = rng.normal(0.0, 0.5 * scale, layer.b.shape)
        batch = int(rng.integers(1, 5))
        X = rng.normal(0.0, 1.5, (batch, sizes[0]))
        n_out = sizes[-1]
        if loss == "mse":
            Y = rng.normal(0.0, 1.0, (batch, n_out))
        elif loss == "bce":
            Y = rng.uniform(0.0, 1.0, (batch, n_out))
            Y[0] = rng.integers(0, 2, n_out)  # some hard labels too
        else:
            Y = rng.dirichlet(np.ones(n_out), batch)
            Y[0] = np.eye(n_out)[rng.integers(0, n_out)]
        trace = propagation.forward(net, X)
        if all(
            layer.activation not in KINKED or np.min(np.abs(trace.z[l])) > 1e-3
            for l, layer in enumerate(net.layers, start=1)  # noqa: E741
        ):
            return net, X, Y
    raise AssertionError("could not draw a case clear of the kinks")  # pragma: no cover


def run_from(net: Network, l: int, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: E741
    """Forward from layer ``l``'s activation ``a`` to the output: (z_out, a_out)."""
    z = a
    for layer in net.layers[l:]:
        z = a @ layer.W.T + layer.b
        a = activations.ACTIVATIONS[layer.activation].f(z)
    return z, a


def batch_loss(net: Network, z_out, a_out, Y) -> float:
    return float(np.mean(losses.LOSSES[net.loss].value(z_out, a_out, Y)))


@pytest.fixture
def make_case():
    return random_case


@pytest.fixture
def forward_from():
    return run_from


@pytest.fixture
def mean_loss():
    return batch_loss
