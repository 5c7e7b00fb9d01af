"""Input features: the toggles of TensorFlow Playground that become the input layer.

A point of the plane is ``(x1, x2)``; the network's inputs are any of
``x1 x2 x1^2 x2^2 x1*x2 sin(x1) sin(x2)``, in the order the file lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Array = np.ndarray

#: name -> the feature of points (n, 2); the order is the panel's order
FEATURES: dict[str, Callable[[Array], Array]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] * p[:, 0],
    "x2^2": lambda p: p[:, 1] * p[:, 1],
    "x1*x2": lambda p: p[:, 0] * p[:, 1],
    "sin(x1)": lambda p: np.sin(p[:, 0]),
    "sin(x2)": lambda p: np.sin(p[:, 1]),
}

NAMES: tuple[str, ...] = tuple(FEATURES)

#: how the panel writes each feature
LABELS: dict[str, str] = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}

#: how each feature is written in a script (numpy as ``np``, points as ``p``)
CODE: dict[str, str] = {
    "x1": "p[:, 0]",
    "x2": "p[:, 1]",
    "x1^2": "p[:, 0] ** 2",
    "x2^2": "p[:, 1] ** 2",
    "x1*x2": "p[:, 0] * p[:, 1]",
    "sin(x1)": "np.sin(p[:, 0])",
    "sin(x2)": "np.sin(p[:, 1])",
}


def input_names(names: Any, n: int) -> tuple[str, ...] | None:
    """How each of ``n`` inputs is written when they are the features ``names`` (x₁, x₁²,
    sin x₂, …: :data:`LABELS`), or None when ``names`` are not ``n`` known features
    (the inputs are then x1, x2, … as in any network)."""
    if not isinstance(names, (list, tuple)) or len(names) != n:
        return None
    if not all(isinstance(k, str) and k in LABELS for k in names):
        return None
    return tuple(LABELS[k] for k in names)


def check(names: Any) -> tuple[str, ...]:
    """``names`` as a tuple if a non-empty list of distinct known features, else ValueError."""
    if not isinstance(names, (list, tuple)):
        raise ValueError(f"expected a list of feature names from {', '.join(NAMES)}")
    if not names:
        raise ValueError("at least one feature is needed")
    for n in names:
        if not isinstance(n, str) or n not in FEATURES:
            raise ValueError(f"unknown feature {n!r}; expected names from {', '.join(NAMES)}")
    if len(set(names)) != len(names):
        raise ValueError("a feature is listed twice")
    return tuple(names)


def transform(points: Array, names: tuple[str, ...] | list[str]) -> Array:
    """The input matrix (n, len(names)) of ``points`` (n, 2): one column per feature."""
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    out = np.empty((p.shape[0], len(names)))
    for k, name in enumerate(names):
        out[:, k] = FEATURES[name](p)
    return out
