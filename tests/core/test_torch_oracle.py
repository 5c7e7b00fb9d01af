"""The engine against an independent oracle: PyTorch autograd in float64.

Skipped when torch is not installed (``pip install torch==2.13.0`` takes the CPU
build on these machines). Every activation, every loss, every gradient the
engine returns: z, a, dL_da, dL_dz per layer, dL_dW, dL_db, dL_dx and the loss.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from nnviz.core import activations, propagation  # noqa: E402
from nnviz.core.network import Network  # noqa: E402

ELEMENTWISE = activations.ELEMENTWISE_NAMES
PAIRS = [("same", "mse"), ("softmax", "mse"), ("sigmoid", "bce"), ("softmax", "cross_entropy")]
CASES = [
    (h, o, lo, s)
    for (h, (o, lo)), s in itertools.product(itertools.product(ELEMENTWISE, PAIRS), range(3))
]
RTOL, ATOL = 1e-10, 1e-12


def t_act(name: str, z):
    if name == "linear":
        return z
    if name == "step":
        return (z > 0).to(z.dtype) + 0.0 * z  # derivative 0, and still in the graph
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return F.relu(z)
    if name == "leaky_relu":
        return F.leaky_relu(z, negative_slope=0.01)
    if name == "elu":
        return F.elu(z, alpha=1.0)
    if name == "softplus":
        # F.softplus switches to z itself past z = 20 (an error of ~2e-9); ln(1 + e^z) exact:
        return torch.logaddexp(torch.zeros_like(z), z)
    if name == "gelu":
        return F.gelu(z, approximate="none")  # exact, with erf
    if name == "silu":
        return F.silu(z)
    if name == "softmax":
        return torch.softmax(z, dim=1)
    raise AssertionError(name)


def t_loss(name: str, z, a, y):
    """The batch-mean loss; from a (the textbook form) so that a.grad is ∂L/∂a."""
    if name == "mse":
        per = 0.5 * ((a - y) ** 2).sum(dim=1)
    elif name == "bce":
        per = -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(dim=1)
    else:
        per = -(y * torch.log(a)).sum(dim=1)
    return per.mean()


def t_loss_logits(name: str, z, y):
    """The batch-mean loss from the output z: PyTorch's own stable forms."""
    if name == "bce":
        per = F.binary_cross_entropy_with_logits(z, y, reduction="none").sum(dim=1)
    else:
        per = F.cross_entropy(z, y, reduction="none")  # y as class probabilities
    return per.mean()


def torch_grads(net: Network, X, Y, *, logits: bool = False):
    t = lambda v: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64)  # noqa: E731
    x = t(X).requires_grad_(True)
    Ws = [t(layer.W).requires_grad_(True) for layer in net.layers]
    bs = [t(layer.b).requires_grad_(True) for layer in net.layers]
    zs, as_ = [x], [x]
    a = x
    for W, b, layer in zip(Ws, bs, net.layers):
        z = a @ W.T + b
        a = t_act(layer.activation, z)
        z.retain_grad()
        a.retain_grad()
        zs.append(z)
        as_.append(a)
    y = t(Y)
    loss = t_loss_logits(net.loss, zs[-1], y) if logits else t_loss(net.loss, zs[-1], a, y)
    loss.backward()
    return loss, x, Ws, bs, zs, as_


def close(ours, theirs, what, rtol=RTOL, atol=ATOL):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_and_derivative_match_autograd(name):
    rng = np.random.default_rng(0)
    z = np.concatenate(
        [rng.normal(0, 3, 400), rng.uniform(-1000, 1000, 100), [-1000.0, 1000.0, -30, 30]]
    )
    if name in ("relu", "leaky_relu", "step", "elu"):
        z = np.concatenate([z, [0.0, -0.0]])  # the conventions at 0 agree with PyTorch's
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    ft = t_act(name, zt)
    ft.sum().backward()
    act = activations.get(name)
    close(act.f(z), ft, f"{name} f")
    close(act.df(z), zt.grad, f"{name} df")


def test_softmax_jacobian_matches_autograd():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2, 5)
    J = torch.autograd.functional.jacobian(
        lambda v: torch.softmax(v, dim=0), torch.tensor(z, dtype=torch.float64)
    ).numpy()
    a = activations.softmax(z[None, :])[0]
    np.testing.assert_allclose(np.diag(a) - np.outer(a, a), J, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("hidden", "output", "loss", "seed"), CASES)
def test_network_matches_autograd(hidden, output, loss, seed, make_case):
    net, X, Y = make_case(hidden, output, loss, seed)
    trace, grads = propagation.evaluate(net, X, Y)
    t_loss_v, x, Ws, bs, zs, as_ = torch_grads(net, X, Y)
    assert grads.loss == pytest.approx(t_loss_v.item(), rel=1e-12, abs=1e-14)
    close(grads.dL_dx, x.grad, "dL_dx")
    for l in range(1, net.depth + 1):  # noqa: E741
        close(trace.z[l], zs[l], f"z[{l}]")
        close(trace.a[l], as_[l], f"a[{l}]")
        close(grads.dL_da[l], as_[l].grad, f"dL_da[{l}]", rtol=1e-9)
        close(grads.dL_dz[l], zs[l].grad, f"dL_dz[{l}]")
        close(grads.dL_dW[l], Ws[l - 1].grad, f"dL_dW[{l}]")
        close(grads.dL_db[l], bs[l - 1].grad, f"dL_db[{l}]")


@pytest.mark.parametrize(("output", "loss"), [("sigmoid", "bce"), ("softmax", "cross_entropy")])
@pytest.mark.parametrize("seed", range(4))
def test_saturated_outputs_match_pytorch_logit_losses(output, loss, seed):
    """Large weights push the output to z ≈ ±1000, where the loss in a would be inf:
    our forms from z must agree with PyTorch's BCE-with-logits and cross_entropy."""
    rng = np.random.default_rng(seed)
    net = Network.create([3, 4, 3], ["tanh", output], loss=loss, seed=seed)
    net.layers[1].W = rng.choice([-300.0, 300.0], size=(3, 4))
    X = rng.normal(0, 2, (5, 3))
    Y = np.eye(3)[rng.integers(0, 3, 5)]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        trace, grads = propagation.evaluate(net, X, Y)
    assert np.max(np.abs(trace.z[2])) > 200
    t_loss_v, x, Ws, bs, zs, as_ = torch_grads(net, X, Y, logits=True)
    assert grads.loss == pytest.approx(t_loss_v.item(), rel=1e-12)
    close(grads.dL_dx, x.grad, "dL_dx")
    for l in (1, 2):  # noqa: E741
        close(grads.dL_dz[l], zs[l].grad, f"dL_dz[{l}]")
        close(grads.dL_dW[l], Ws[l - 1].grad, f"dL_dW[{l}]")
        close(grads.dL_db[l], bs[l - 1].grad, f"dL_db[{l}]")


def test_one_neuron_exercise_matches_autograd():
    from nnviz.core import examples

    project = examples.load("one_neuron")
    net, s = project.network, project.sample
    trace, grads = propagation.evaluate(net, s.input, s.target)
    t_loss_v, x, Ws, bs, zs, as_ = torch_grads(net, s.input[None, :], s.target[None, :])
    assert zs[1].item() == trace.z[1][0, 0] == -2.0
    assert as_[1].item() == trace.a[1][0, 0] == 0.0
    assert t_loss_v.item() == grads.loss == 0.5
    assert Ws[0].grad.item() == grads.dL_dW[1][0, 0] == 0.0
