"""Optimisers against torch.optim over 50 steps (PyTorch's forms), and their own rules.

The torch half is skipped without torch (``pip install torch==2.13.0``).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import optim
from nnviz.core.network import Network
from nnviz.core.propagation import backward, forward
from nnviz.core.training import Trainer
from nnviz.core.trainspec import parse_training

CONFIGS = [
    ("sgd", "none"),
    ("momentum", "none"),
    ("adam", "none"),
    ("sgd", "l2"),
    ("momentum", "l1"),
    ("adam", "l2"),
    ("adam", "l1"),
    ("momentum", "l2"),
]


def _case(seed: int = 0):
    net = Network.create([3, 5, 4, 2], "tanh", seed=seed)
    rng = np.random.default_rng(seed + 100)
    X = rng.normal(0.0, 1.0, (7, 3))
    Y = rng.normal(0.0, 1.0, (7, 2))
    return net, X, Y


def _ours(net, X, Y, kind, reg, steps, **kw):
    params = [a for layer in net.layers for a in (layer.W, layer.b)]
    opt = optim.Optimizer(params, [True, False] * net.depth, kind, **kw, regularization=reg)
    for _ in range(steps):
        g = backward(net, forward(net, X), Y, input_grad=False)
        opt.step([a for l in range(1, net.depth + 1) for a in (g.dL_dW[l], g.dL_db[l])])
    return params


def _torch(net, X, Y, kind, reg, steps, lr, momentum, betas, eps, regularization_rate):
    torch = pytest.importorskip("torch")
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    Ws = [t(layer.W).requires_grad_() for layer in net.layers]
    bs = [t(layer.b).requires_grad_() for layer in net.layers]
    wd = regularization_rate if reg == "l2" else 0.0
    groups = [{"params": Ws, "weight_decay": wd}, {"params": bs, "weight_decay": 0.0}]
    if kind == "adam":
        opt = torch.optim.Adam(groups, lr=lr, betas=betas, eps=eps)
    else:
        opt = torch.optim.SGD(groups, lr=lr, momentum=momentum if kind == "momentum" else 0.0)
    x, y = t(X), t(Y)
    for _ in range(steps):
        opt.zero_grad()
        a = x
        for W, b in zip(Ws, bs):
            a = torch.tanh(a @ W.T + b)
        loss = (0.5 * ((a - y) ** 2).sum(dim=1)).mean()
        loss.backward()
        if reg == "l1":  # L1 is not in torch.optim: λ·sign(w) added to the weights' gradient
            with torch.no_grad():
                for W in Ws:
                    W.grad += regularization_rate * torch.sign(W)
        opt.step()
    return [v.detach().numpy() for pair in zip(Ws, bs) for v in pair]


@pytest.mark.parametrize("kind, reg", CONFIGS)
def test_fifty_steps_match_torch_optim(kind, reg):
    pytest.importorskip("torch")
    kw = dict(
        learning_rate=0.05,
        momentum=0.8,
        betas=(0.85, 0.99),
        eps=1e-6,
        regularization_rate=0.01,
    )
    net, X, Y = _case()
    ref = _torch(net.copy(), X, Y, kind, reg, 50, kw["learning_rate"], kw["momentum"],
                 kw["betas"], kw["eps"], kw["regularization_rate"])  # fmt: skip
    ours = _ours(net, X, Y, kind, reg, 50, **kw)
    moved = max(np.max(np.abs(a - b)) for a, b in zip(ours, _ours(*_case()[:3], kind, reg, 0)))
    assert moved > 1e-3  # the weights really moved
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)


def test_trainer_epochs_match_torch_with_a_dataloader_without_shuffle():
    """Batches in file order, the last partial one included, batch-mean gradient, Adam + L2."""
    torch = pytest.importorskip("torch")
    spec = parse_training(
        {
            "dataset": {"kind": "circle", "count": 103, "noise": 0.1, "seed": 3},
            "optimizer": "adam",
            "learning_rate": 0.02,
            "regularization": "l2",
            "regularization_rate": 0.003,
            "batch_size": 8,
            "train_fraction": 0.75,  # 77 training points: 9 batches of 8 and one of 5
            "shuffle": False,
            "features": ["x1", "x2", "x1^2"],
        }
    )
    net = Network.create([3, 4, 1], "tanh", seed=2)
    tr = Trainer(net, spec)
    assert tr.n_train == 77 and list(tr.train_index) == list(range(77))
    X = torch.tensor(tr.inputs[:77])
    Y = torch.tensor(tr.targets[:77])
    Ws = [torch.tensor(layer.W, requires_grad=True) for layer in net.layers]
    bs = [torch.tensor(layer.b, requires_grad=True) for layer in net.layers]
    opt = torch.optim.Adam(
        [{"params": Ws, "weight_decay": 0.003}, {"params": bs, "weight_decay": 0.0}], lr=0.02
    )
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, Y), batch_size=8, shuffle=False
    )

    def run(x):
        for W, b in zip(Ws, bs):
            x = torch.tanh(x @ W.T + b)
        return x

    for epoch in range(3):
        for xb, yb in loader:
            opt.zero_grad()
            (0.5 * ((run(xb) - yb) ** 2).sum(dim=1)).mean().backward()
            opt.step()
        stats = tr.run_epoch()
        assert stats.epoch == epoch + 1
        with torch.no_grad():
            train_loss = float((0.5 * ((run(X) - Y) ** 2).sum(dim=1)).mean())
        assert stats.train_loss == pytest.approx(train_loss, abs=1e-12)
    for layer, W, b in zip(tr.network.layers, Ws, bs):
        np.testing.assert_allclose(layer.W, W.detach().numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.b, b.detach().numpy(), rtol=0, atol=1e-12)


def test_the_rules_written_out_for_one_parameter():
    w = np.array([[0.5, -2.0]])
    b = np.array([1.0])
    g_w, g_b = np.array([[0.1, 0.2]]), np.array([0.3])
    opt = optim.Optimizer([w, b], [True, False], "momentum", 0.1, 0.9, regularization="l1",
                          regularization_rate=0.01)  # fmt: skip
    opt.step([g_w, g_b])
    v_w = g_w + 0.01 * np.sign([[0.5, -2.0]])
    np.testing.assert_allclose(w, [[0.5, -2.0]] - 0.1 * v_w, rtol=0, atol=1e-15)
    np.testing.assert_allclose(b, [1.0 - 0.1 * 0.3], rtol=0, atol=1e-15)  # biases: no L1
    w_before, b_before = w.copy(), b.copy()
    opt.step([g_w, g_b])
    v_w = 0.9 * v_w + g_w + 0.01 * np.sign(w_before)
    np.testing.assert_allclose(w, w_before - 0.1 * v_w, rtol=0, atol=1e-15)
    np.testing.assert_allclose(b, b_before - 0.1 * (0.9 * 0.3 + 0.3), rtol=0, atol=1e-15)


def test_settings_change_between_steps_and_keep_the_state():
    w = np.array([1.0])
    opt = optim.Optimizer([w], [True], "momentum", 0.1, 0.5)
    opt.step([np.array([1.0])])  # v = 1, w = 0.9
    opt.learning_rate = 0.2
    opt.step([np.array([1.0])])  # v = 1.5, w = 0.9 - 0.3
    assert w[0] == pytest.approx(0.6, abs=1e-15)
    opt.kind = "sgd"  # another kind starts afresh
    opt.step([np.array([1.0])])
    assert w[0] == pytest.approx(0.4, abs=1e-15)


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown optimiser 'rmsprop'"):
        optim.Optimizer([], [], "rmsprop")
    with pytest.raises(ValueError, match="unknown regularisation"):
        optim.Optimizer([], [], "sgd", regularization="l3")
