"""Whole-network gradients against central finite differences of the batch-mean loss.

Every gradient ``backward`` returns is checked: ``dL_dW`` and ``dL_db`` of every
weighted layer, ``dL_dx`` of the input, and ``dL_dz`` / ``dL_da`` of every layer,
for random shapes and batches, every activation (softmax on the output only) and
every loss.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnviz.core import activations, losses, propagation
from nnviz.core.network import Network

ELEMENTWISE = activations.ELEMENTWISE_NAMES
PAIRS = [("same", "mse"), ("softmax", "mse"), ("sigmoid", "bce"), ("softmax", "cross_entropy")]
CASES = [
    (h, o, lo, s)
    for (h, (o, lo)), s in itertools.product(itertools.product(ELEMENTWISE, PAIRS), range(3))
]
H = 1e-6
RTOL, ATOL = 1e-6, 1e-8


def numgrad(f, x: np.ndarray) -> np.ndarray:
    """Central differences of the scalar ``f()`` w.r.t. the array ``x`` (changed in place)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + H
        up = f()
        x[idx] = old - H
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * H)
    return g


def textbook_loss_of_a(name: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The per-example loss written from the output a (as the issue states it)."""
    if name == "mse":
        return 0.5 * np.sum((a - y) ** 2, axis=-1)
    if name == "bce":
        return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=-1)
    return -np.sum(y * np.log(a), axis=-1)


def check_all_gradients(net, X, Y, forward_from, mean_loss):
    trace, grads = propagation.evaluate(net, X, Y)
    L = net.depth

    def total():
        z, a = forward_from(net, 0, X)
        return mean_loss(net, z, a, Y)

    assert grads.loss == pytest.approx(total(), rel=1e-14, abs=1e-300)
    np.testing.assert_allclose(grads.losses.mean(), grads.loss, rtol=1e-15)

    # weights and biases
    for l, layer in enumerate(net.layers, start=1):  # noqa: E741
        assert grads.dL_dW[l].shape == layer.W.shape
        assert grads.dL_db[l].shape == layer.b.shape
        np.testing.assert_allclose(
            grads.dL_dW[l], numgrad(total, layer.W), rtol=RTOL, atol=ATOL, err_msg=f"dL_dW[{l}]"
        )
        np.testing.assert_allclose(
            grads.dL_db[l], numgrad(total, layer.b), rtol=RTOL, atol=ATOL, err_msg=f"dL_db[{l}]"
        )

    # the input
    Xc = np.array(X, dtype=float)

    def total_x():
        z, a = forward_from(net, 0, Xc)
        return mean_loss(net, z, a, Y)

    assert grads.dL_dx.shape == Xc.shape
    np.testing.assert_allclose(grads.dL_dx, numgrad(total_x, Xc), rtol=RTOL, atol=ATOL)

    # dL_dz of every weighted layer: perturb z[l], run the rest of the network
    for l in range(1, L + 1):  # noqa: E741
        zl = trace.z[l].copy()
        act = activations.ACTIVATIONS[net.layers[l - 1].activation]

        def from_z(zl=zl, l=l, act=act):  # noqa: E741
            z, a = forward_from(net, l, act.f(zl))
            if l == L:
                z = zl
            return mean_loss(net, z, a, Y)

        np.testing.assert_allclose(
            grads.dL_dz[l], numgrad(from_z, zl), rtol=RTOL, atol=ATOL, err_msg=f"dL_dz[{l}]"
        )
    assert grads.dL_dz[0] is None and grads.dL_dW[0] is None and grads.dL_db[0] is None

    # dL_da of every hidden layer: perturb a[l]; the output's from the loss written in a
    for l in range(0, L):  # noqa: E741
        al = trace.a[l].copy()

        def from_a(al=al, l=l):  # noqa: E741
            z, a = forward_from(net, l, al)
            return mean_loss(net, z, a, Y)

        np.testing.assert_allclose(
            grads.dL_da[l], numgrad(from_a, al), rtol=RTOL, atol=ATOL, err_msg=f"dL_da[{l}]"
        )
    a_out = trace.a[L].copy()
    if np.all((a_out > 1e-3) & (a_out < 1 - 1e-3)) or net.loss == "mse":

        def from_a_out():
            return float(np.mean(textbook_loss_of_a(net.loss, a_out, Y)))

        np.testing.assert_allclose(
            grads.dL_da[L], numgrad(from_a_out, a_out), rtol=1e-5, atol=ATOL, err_msg="dL_da[L]"
        )
    return trace, grads


@pytest.mark.parametrize(("hidden", "output", "loss", "seed"), CASES)
def test_network_gradients_match_finite_differences(
    hidden, output, loss, seed, make_case, forward_from, mean_loss
):
    net, X, Y = make_case(hidden, output, loss, seed)
    check_all_gradients(net, X, Y, forward_from, mean_loss)


@pytest.mark.parametrize("seed", range(4))
def test_deeper_wider_network(seed, forward_from, mean_loss):
    rng = np.random.default_rng(100 + seed)
    acts = ["tanh", "gelu", "silu", "softplus", "sigmoid"]
    net = Network.create([5, 6, 4, 6, 3, 3], acts, loss="mse", seed=seed)
    X = rng.normal(size=(6, 5))
    Y = rng.normal(size=(6, 3))
    check_all_gradients(net, X, Y, forward_from, mean_loss)


def test_the_checker_itself_catches_a_wrong_derivative(make_case, forward_from, mean_loss):
    """Able to fail: with tanh' off by 1 %, the comparison must fail."""
    net, X, Y = make_case("tanh", "same", "mse", 0)
    real = activations.ACTIVATIONS["tanh"]
    wrong = activations.Activation(
        "tanh", real.label, real.formula, real.derivative, real.f, lambda z: 1.01 * real.df(z)
    )
    mp = pytest.MonkeyPatch()
    try:
        mp.setitem(activations.ACTIVATIONS, "tanh", wrong)
        with pytest.raises(AssertionError):
            check_all_gradients(net, X, Y, forward_from, mean_loss)
    finally:
        mp.undo()
    check_all_gradients(net, X, Y, forward_from, mean_loss)


def test_batch_gradient_is_the_mean_of_example_gradients(make_case):
    net, X, Y = make_case("tanh", "sigmoid", "bce", 3)
    X = np.vstack([X, X + 0.5])
    Y = np.vstack([Y, Y[::-1]])
    _, whole = propagation.evaluate(net, X, Y)
    singles = [propagation.evaluate(net, X[i], Y[i])[1] for i in range(len(X))]
    assert whole.loss == pytest.approx(np.mean([g.loss for g in singles]), rel=1e-14)
    for l in range(1, net.depth + 1):  # noqa: E741
        np.testing.assert_allclose(
            whole.dL_dW[l], np.mean([g.dL_dW[l] for g in singles], axis=0), rtol=1e-12
        )
        np.testing.assert_allclose(
            whole.dL_db[l], np.mean([g.dL_db[l] for g in singles], axis=0), rtol=1e-12
        )
    for i, g in enumerate(singles):
        np.testing.assert_allclose(whole.dL_dx[i] * len(X), g.dL_dx[0], rtol=1e-12)


def test_step_layers_pass_no_gradient(make_case):
    net, X, Y = make_case("step", "same", "mse", 1)
    _, grads = propagation.evaluate(net, X, Y)
    for l in range(1, net.depth + 1):  # noqa: E741
        np.testing.assert_array_equal(grads.dL_dz[l], 0.0)
        np.testing.assert_array_equal(grads.dL_dW[l], 0.0)
    np.testing.assert_array_equal(grads.dL_dx, 0.0)


@pytest.mark.parametrize(("output", "loss"), [("sigmoid", "bce"), ("softmax", "cross_entropy")])
def test_saturated_network_gradients_are_finite(output, loss):
    """Outputs pinned at z = ±1000: the loss and every gradient stay finite, no warning."""
    net = Network.create([2, 3], output, loss=loss, seed=0)
    net.layers[0].W = np.array([[500.0, 0.0], [-500.0, 0.0], [0.0, 500.0]])
    net.layers[0].b = np.zeros(3)
    X = np.array([[2.0, -2.0], [-2.0, 2.0]])
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        trace, grads = propagation.evaluate(net, X, Y)
    assert np.max(np.abs(trace.z[1])) == 1000.0
    assert np.isfinite(grads.loss) and grads.loss > 100
    for arr in (grads.dL_da[1], grads.dL_dz[1], grads.dL_dW[1], grads.dL_db[1], grads.dL_dx):
        assert np.all(np.isfinite(arr))


def test_input_shapes():
    net = Network.create([3, 2], "tanh", seed=0)
    one = propagation.forward(net, [1.0, 2.0, 3.0])
    assert one.a[0].shape == (1, 3) and one.output.shape == (1, 2)
    with pytest.raises(ValueError, match=r"the input has shape \(2,\), expected \(batch, 3\)"):
        propagation.forward(net, [1.0, 2.0])
    with pytest.raises(ValueError, match="the target has shape"):
        propagation.backward(net, one, [1.0, 2.0, 3.0])


def test_loss_names_match_engine():
    assert set(losses.NAMES) == {lo for _, lo in PAIRS}
