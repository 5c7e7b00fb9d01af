"""Optimisers in PyTorch's exact form: SGD, SGD with momentum, Adam; L1 and L2 on weights.

For each parameter ``w`` with gradient ``g`` (the batch mean):

* regularisation, on weights only (never biases): L2 adds ``λ·w`` to ``g``, L1
  adds ``λ·sign(w)`` (PyTorch's ``weight_decay`` is the L2 form);
* ``sgd``: ``w ← w − η g``;
* ``momentum``: ``v ← μ v + g``; ``w ← w − η v`` (``torch.optim.SGD(momentum=μ)``,
  whose first step sets ``v = g``, the same as ``μ·0 + g``);
* ``adam``: ``m ← β₁m + (1−β₁)g``; ``v ← β₂v + (1−β₂)g²``;
  ``w ← w − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`` (``torch.optim.Adam``: bias-corrected,
  ε outside the square root).

Every setting is a plain attribute and may change between steps (the learning
rate, μ, the betas, the regularisation) without losing the optimiser's state;
changing the optimiser's kind starts the new kind's state afresh.
"""

from __future__ import annotations

import math

import numpy as np

Array = np.ndarray

OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
REGULARIZATIONS: tuple[str, ...] = ("none", "l1", "l2")


class Optimizer:
    """The update rule for a fixed list of parameter arrays, changed in place.

    ``params`` are the arrays to train (the network's ``W`` and ``b``, which stay
    the same objects); ``is_weight[k]`` says whether ``params[k]`` is a weight
    matrix (regularised) or a bias (not), or is an array of 1.0 (weight) and 0.0
    (bias) when ``params[k]`` holds both (the trainer's one flat array of all
    parameters: one update of a few operations however many layers there are).
    """

    def __init__(
        self,
        params: list[Array],
        is_weight: list[bool] | list[Array],
        kind: str = "sgd",
        learning_rate: float = 0.03,
        momentum: float = 0.9,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        regularization: str = "none",
        regularization_rate: float = 0.0,
    ) -> None:
        if kind not in OPTIMIZERS:
            raise ValueError(f"unknown optimiser {kind!r}; expected one of {', '.join(OPTIMIZERS)}")
        if regularization not in REGULARIZATIONS:
            raise ValueError(
                f"unknown regularisation {regularization!r}; "
                f"expected one of {', '.join(REGULARIZATIONS)}"
            )
        self.params = params
        self.is_weight = list(is_weight)
        self.kind = kind
        self.learning_rate = float(learning_rate)
        self.momentum = float(momentum)
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.regularization = regularization
        self.regularization_rate = float(regularization_rate)
        self._state_kind = ""
        self._reset_state()

    def _reset_state(self) -> None:
        self._state_kind = self.kind
        self.t = 0  # Adam's step count
        self._v = [np.zeros_like(p) for p in self.params] if self.kind != "sgd" else []
        self._m = [np.zeros_like(p) for p in self.params] if self.kind == "adam" else []
        self._tmp = [np.empty_like(p) for p in self.params] if self.kind == "adam" else []

    def reset(self) -> None:
        """Forget the momentum / Adam moments (as a fresh optimiser)."""
        self._reset_state()

    def state(self) -> list[Array]:
        """The arrays the optimiser carries between steps (for saving and restoring)."""
        return self._v + self._m

    def step(self, grads: list[Array]) -> None:
        """Update every parameter in place from its gradient (the batch mean)."""
        if self._state_kind != self.kind:
            self._reset_state()
        lr = self.learning_rate
        lam = self.regularization_rate if self.regularization != "none" else 0.0
        kind = self.kind
        if kind == "adam":
            self.t += 1
            b1, b2 = self.betas
            bc1 = 1.0 - b1**self.t
            bc2_sqrt = math.sqrt(1.0 - b2**self.t)
            step_size = lr / bc1
        for k, (p, g) in enumerate(zip(self.params, grads)):
            weight = self.is_weight[k]
            if lam and weight is not False:
                reg = lam * (p if self.regularization == "l2" else np.sign(p))
                # a mask of 1.0 / 0.0: the same λ·w on weights, + 0 (no change) on biases
                g = g + (reg if weight is True else reg * weight)
            if kind == "sgd":
                p -= lr * g
            elif kind == "momentum":
                v = self._v[k]
                v *= self.momentum
                v += g
                p -= lr * v
            else:
                # in place into one scratch array: the same operations, in the same
                # order, as torch.optim.Adam's (no temporaries of the parameter's size)
                m, v, tmp = self._m[k], self._v[k], self._tmp[k]
                m *= b1
                np.multiply(g, 1.0 - b1, out=tmp)
                m += tmp
                v *= b2
                np.multiply(g, g, out=tmp)
                tmp *= 1.0 - b2
                v += tmp
                np.sqrt(v, out=tmp)
                tmp /= bc2_sqrt
                tmp += self.eps  # ε outside the square root
                np.divide(m, tmp, out=tmp)
                tmp *= step_size
                p -= tmp
