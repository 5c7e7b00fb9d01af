"""Loss functions, one record each: the per-example value and its gradients.

Every loss is per example and summed over the output neurons; a batch's loss is
the mean over its examples (so gradients carry a factor 1/batch).

``bce`` and ``cross_entropy`` are computed from the output layer's ``z`` rather
than from ``a``: ``ln σ(z) = −softplus(−z)`` and ``ln softmax(z) = z − logsumexp(z)``
never give inf or NaN, however saturated the output is. That is also why they
require a sigmoid (``bce``) or softmax (``cross_entropy``) output layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import log_softmax

Array = np.ndarray

# exp() of more than this overflows float64; the gradient is then huge but finite.
_EXP_MAX = 709.0


def _mse_value(z: Array, a: Array, y: Array) -> Array:
    d = a - y
    return 0.5 * np.sum(d * d, axis=-1)


def _mse_da(z: Array, a: Array, y: Array) -> Array:
    return a - y


def _bce_value(z: Array, a: Array, y: Array) -> Array:
    # −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = y softplus(−z) + (1 − y) softplus(z)
    return np.sum(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z), axis=-1)


def _bce_da(z: Array, a: Array, y: Array) -> Array:
    # −y / a + (1 − y) / (1 − a), with 1/a = 1 + e^(−z) and 1/(1 − a) = 1 + e^z
    inv_a = 1.0 + np.exp(np.minimum(-z, _EXP_MAX))
    inv_1ma = 1.0 + np.exp(np.minimum(z, _EXP_MAX))
    return -y * inv_a + (1.0 - y) * inv_1ma


def _bce_dz(z: Array, a: Array, y: Array) -> Array:
    # the chain ∂L/∂a · σ'(z) simplifies to a − y exactly
    return a - y


def _ce_value(z: Array, a: Array, y: Array) -> Array:
    return -np.sum(y * log_softmax(z), axis=-1)


def _ce_da(z: Array, a: Array, y: Array) -> Array:
    # −y / a, with 1/a = exp(−ln a) computed from z
    return -y * np.exp(np.minimum(-log_softmax(z), _EXP_MAX))


def _ce_dz(z: Array, a: Array, y: Array) -> Array:
    # through the softmax Jacobian: a · Σ_k y_k − y (= a − y when y sums to 1)
    return a * np.sum(y, axis=-1, keepdims=True) - y


@dataclass(frozen=True)
class Loss:
    """A loss: ``value`` per example; ``dL_da`` w.r.t. the output; ``dL_dz`` fused if set."""

    name: str
    label: str
    formula: str
    value: Callable[[Array, Array, Array], Array]
    dL_da: Callable[[Array, Array, Array], Array]
    #: a fused, stable ∂L/∂z for the one output activation it requires
    dL_dz: Callable[[Array, Array, Array], Array] | None = None
    requires_output: str | None = None


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", "MSE", "½ Σₖ (aₖ − yₖ)²", _mse_value, _mse_da),
        Loss(
            "bce",
            "binary cross-entropy",
            "−Σₖ [yₖ ln aₖ + (1 − yₖ) ln(1 − aₖ)]",
            _bce_value,
            _bce_da,
            _bce_dz,
            requires_output="sigmoid",
        ),
        Loss(
            "cross_entropy",
            "cross-entropy",
            "−Σₖ yₖ ln aₖ",
            _ce_value,
            _ce_da,
            _ce_dz,
            requires_output="softmax",
        ),
    )
}

NAMES: tuple[str, ...] = tuple(LOSSES)


def get(name: str) -> Loss:
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(NAMES)}") from None
