"""sgd_step: the same numbers as forward, backward and ``w − η ∂L/∂w`` written out."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import activations, propagation
from nnviz.core.network import Network
from nnviz.core.training import sgd_step


@pytest.mark.parametrize(
    "hidden, output, loss", [("tanh", "same", "mse"), ("relu", "sigmoid", "bce")]
)
def test_sgd_step_is_forward_backward_and_the_update_bit_for_bit(make_case, hidden, output, loss):
    net, X, Y = make_case(hidden, output, loss, 4)
    ref = net.copy()
    lr = 0.3
    trace, grads = propagation.evaluate(ref, X, Y)
    expected = [
        (L.W - lr * grads.dL_dW[l], L.b - lr * grads.dL_db[l]) for l, L in enumerate(ref.layers, 1)
    ]
    arrays = [(L.W, L.b) for L in net.layers]

    loss_before = sgd_step(net, X, Y, lr)

    assert loss_before == grads.loss
    for layer, (W, b), (W0, b0) in zip(net.layers, expected, arrays):
        assert np.array_equal(layer.W, W) and np.array_equal(layer.b, b)
        assert layer.W is W0 and layer.b is b0  # updated in place


def test_training_steps_lower_the_loss():
    net = Network.create([2, 8, 8, 1], "tanh", seed=1)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (10, 2))
    Y = (X[:, :1] * X[:, 1:]) * 2.0
    first = sgd_step(net, X, Y, 0.2)
    for _ in range(300):
        last = sgd_step(net, X, Y, 0.2)
    assert last < 0.5 * first


def test_without_the_input_gradient_the_rest_is_unchanged(make_case):
    net, X, Y = make_case("tanh", "softmax", "cross_entropy", 2)
    trace = propagation.forward(net, X)
    full = propagation.backward(net, trace, Y)
    lean = propagation.backward(net, trace, Y, input_grad=False)
    assert lean.dL_da[0] is None and full.dL_da[0] is not None
    for l in range(1, net.depth + 1):  # noqa: E741
        assert np.array_equal(lean.dL_dW[l], full.dL_dW[l])
        assert np.array_equal(lean.dL_db[l], full.dL_db[l])
        assert np.array_equal(lean.dL_da[l], full.dL_da[l])


@pytest.mark.parametrize("name", ["tanh", "relu"])
def test_the_derivative_from_a_is_the_records_df_bit_for_bit(name):
    act = activations.ACTIVATIONS[name]
    z = np.concatenate([np.linspace(-1e3, 1e3, 20001), np.geomspace(1e-300, 30, 2000)])
    z = np.concatenate([z, -z, [0.0, -0.0]])
    from_a = propagation._DF_FROM_A[act.df](act.f(z))
    assert np.array_equal(from_a, act.df(z))
