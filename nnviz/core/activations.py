"""Activation functions, each one record: name, f, df and a readable label.

The engine, the plots and the chain-rule text all read the same record, so a
curve on screen is exactly the function the engine applied. Every function is
written in a numerically stable form: no overflow or invalid-value warnings for
|z| up to 1e3 (the tests run with warnings as errors).

``softmax`` is the exception to "element-wise": it maps a whole layer at once,
so it has no scalar derivative; :func:`nnviz.core.propagation.backward` applies
its Jacobian, and it is allowed on the output layer only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf = np.frompyfunc(math.erf, 1, 1)


def _sigmoid(z: Array) -> Array:
    # exp(-|z|) never overflows; pick the branch that divides by a number >= 1.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _dsigmoid(z: Array) -> Array:
    # sigma(z) * sigma(-z) = e / (1 + e)^2 with e = exp(-|z|): symmetric, stable.
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def _linear(z: Array) -> Array:
    return np.array(z, dtype=float, copy=True)


def _ones(z: Array) -> Array:
    return np.ones_like(z, dtype=float)


def _zeros(z: Array) -> Array:
    return np.zeros_like(z, dtype=float)


def _step(z: Array) -> Array:
    return (np.asarray(z) > 0).astype(float)


def _tanh(z: Array) -> Array:
    return np.tanh(z)


def _dtanh(z: Array) -> Array:
    t = np.tanh(z)
    return 1.0 - t * t


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _drelu(z: Array) -> Array:
    return (np.asarray(z) > 0).astype(float)


LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


def _leaky(z: Array) -> Array:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _dleaky(z: Array) -> Array:
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def _elu(z: Array) -> Array:
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _delu(z: Array) -> Array:
    return np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))


def _softplus(z: Array) -> Array:
    return np.logaddexp(0.0, z)


def _gelu(z: Array) -> Array:
    z = np.asarray(z, dtype=float)
    return 0.5 * z * (1.0 + np.asarray(_erf(z / _SQRT2), dtype=float))


def _dgelu(z: Array) -> Array:
    z = np.asarray(z, dtype=float)
    cdf = 0.5 * (1.0 + np.asarray(_erf(z / _SQRT2), dtype=float))
    # exp(-z^2/2) underflows quietly to 0 for large |z|; that is not a warning. |z| is
    # capped before squaring (z * z overflows past |z| ≈ 1.3e154; exp(-5000) is 0 anyway).
    zc = np.minimum(np.abs(z), 100.0)
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * zc * zc)
    return cdf + z * pdf


def _silu(z: Array) -> Array:
    return z * _sigmoid(z)


def _dsilu(z: Array) -> Array:
    s = _sigmoid(z)
    return s + z * _dsigmoid(z)


def softmax(z: Array) -> Array:
    """Row-wise softmax of a (batch, n) array, shifted by the row maximum."""
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(z: Array) -> Array:
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _softmax_df(z: Array) -> Array:
    """Diagonal of the softmax Jacobian, a_k (1 - a_k): for display only.

    The engine never uses it: softmax's backward pass needs the full Jacobian.
    """
    a = softmax(z)
    return a * (1.0 - a)


@dataclass(frozen=True)
class Activation:
    """One activation function and everything shown about it."""

    name: str
    label: str  # as written in text: "ReLU", "σ", ...
    formula: str  # f(z) written out, for tooltips and the chain-rule panel
    derivative: str  # f'(z) written out
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    elementwise: bool = True
    #: z ranges where |f'(z)| is below 5 % of its peak: shaded as "saturated"
    saturates: bool = False
    #: True when f is a straight line: stacked layers collapse to one
    is_linear: bool = False


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("linear", "linear", "z", "1", _linear, _ones, is_linear=True),
        Activation("step", "step", "1 if z > 0 else 0", "0", _step, _zeros),
        Activation(
            "sigmoid",
            "σ",
            "1 / (1 + e^(−z))",
            "σ(z)·(1 − σ(z))",
            _sigmoid,
            _dsigmoid,
            saturates=True,
        ),
        Activation("tanh", "tanh", "tanh(z)", "1 − tanh²(z)", _tanh, _dtanh, saturates=True),
        Activation("relu", "ReLU", "max(0, z)", "1 if z > 0 else 0", _relu, _drelu),
        Activation(
            "leaky_relu",
            "LeakyReLU",
            "z if z > 0 else 0.01·z",
            "1 if z > 0 else 0.01",
            _leaky,
            _dleaky,
        ),
        Activation("elu", "ELU", "z if z > 0 else e^z − 1", "1 if z > 0 else e^z", _elu, _delu),
        Activation(
            "softplus", "softplus", "ln(1 + e^z)", "σ(z)", _softplus, _sigmoid, saturates=True
        ),
        Activation("gelu", "GELU", "z·Φ(z)", "Φ(z) + z·φ(z)", _gelu, _dgelu),
        Activation("silu", "SiLU", "z·σ(z)", "σ(z) + z·σ(z)·(1 − σ(z))", _silu, _dsilu),
        Activation(
            "softmax",
            "softmax",
            "e^(z_k) / Σ_j e^(z_j)",
            "a_k·(δ_kj − a_j)",
            softmax,
            _softmax_df,
            elementwise=False,
        ),
    )
}

NAMES: tuple[str, ...] = tuple(ACTIVATIONS)
ELEMENTWISE_NAMES: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.elementwise)


def get(name: str) -> Activation:
    """The activation called ``name``; a ValueError naming the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(NAMES)}"
        ) from None


def saturated_ranges(name: str, lo: float, hi: float, n: int = 2001) -> list[tuple[float, float]]:
    """The intervals of [lo, hi] where |f'(z)| < 5 % of its peak on that interval."""
    act = get(name)
    if not act.saturates:
        return []
    z = np.linspace(lo, hi, n)
    d = np.abs(act.df(z))
    flat = d < 0.05 * float(np.max(d))
    out: list[tuple[float, float]] = []
    start = None
    for i, f in enumerate(flat):
        if f and start is None:
            start = z[i]
        elif not f and start is not None:
            out.append((float(start), float(z[i - 1])))
            start = None
    if start is not None:
        out.append((float(start), float(z[-1])))
    return out
