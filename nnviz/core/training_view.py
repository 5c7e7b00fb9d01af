"""What the training window shows, computed without Qt: grids, maps, gradient sizes, confusion.

Small helpers beside :mod:`nnviz.core.training` (the trainer) that the
training panel and its plots read:

* :func:`plane_grid` — the points of an ``n × n`` grid over the data plane;
* :func:`neuron_values` — every neuron's value over that grid (one forward pass);
* :func:`remap_inputs` — a network whose input layer follows a new list of input
  features (kept features keep their weights; new ones get fresh small weights);
* :func:`point_sample` — the network's input and target for one point of the plane.
"""

from __future__ import annotations

import functools

import numpy as np

from . import datasets, features
from .network import Network
from .propagation import forward

Array = np.ndarray

#: the data plane the plots show: ±EXTENT in x1 and x2 (TFP's ±6)
EXTENT = 6.0


@functools.lru_cache(maxsize=8)
def _grid(n: int, extent: float) -> Array:
    ticks = np.linspace(-extent, extent, n)
    xx, yy = np.meshgrid(ticks, ticks)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    grid.flags.writeable = False
    return grid


@functools.lru_cache(maxsize=16)
def _grid_inputs(n: int, extent: float, feats: tuple[str, ...]) -> Array:
    X = features.transform(_grid(n, extent), feats)
    X.flags.writeable = False
    return X


def plane_grid(n: int, extent: float = EXTENT) -> Array:
    """``(n·n, 2)`` points of an ``n × n`` grid over ±extent; row-major, x1 fastest, x2 rising."""
    return _grid(int(n), float(extent)).copy()


def neuron_values(
    net: Network, feats: tuple[str, ...] | list[str], n: int, extent: float = EXTENT
) -> list[Array]:
    """Each layer's activations over the grid, shaped ``(n, n, size)`` (row = x2, col = x1).

    Element 0 is the input layer (the features); the last is the output.
    Overflow in a diverging network gives inf/NaN, not a warning.
    """
    X = _grid_inputs(int(n), float(extent), tuple(feats))  # cached: the same every frame
    with np.errstate(all="ignore"):
        trace = forward(net, X)
    return [a.reshape(n, n, -1) for a in trace.a]


def remap_inputs(
    net: Network,
    old: tuple[str, ...] | list[str],
    new: tuple[str, ...] | list[str],
    rng: np.random.Generator,
) -> Network:
    """A copy of ``net`` whose inputs are the features ``new`` instead of ``old``.

    A feature in both keeps its column of first-layer weights; a new feature's
    column is drawn uniform in ±0.5 from ``rng`` (as TFP starts its weights).
    When ``old`` does not name the network's inputs (an input was added or removed
    in the window), every column is new.
    """
    features.check(list(new))
    if len(old) != net.input_size:
        old = ()
    out = net.copy()
    first = out.layers[0]
    W = np.empty((first.size, len(new)))
    for k, name in enumerate(new):
        if name in old:
            W[:, k] = first.W[:, list(old).index(name)]
        else:
            W[:, k] = rng.uniform(-0.5, 0.5, first.size)
    first.W = W
    out.input_size = len(new)
    out.validate()
    return out


def point_sample(
    point: Array,
    label: float,
    data: datasets.Dataset,
    feats: tuple[str, ...],
    loss: str,
    n_out: int,
) -> tuple[Array, Array]:
    """The input vector (features of ``point``) and the target for a point with ``label``.

    ``label`` is as in ``data.labels`` (a class index, or a regression value).
    """
    x = features.transform(np.asarray(point, dtype=float).reshape(1, 2), feats)[0]
    one = datasets.Dataset(np.zeros((1, 2)), np.array([float(label)]), data.classes)
    y = datasets.targets(one, loss, n_out)[0]
    return x, y
