"""The ``training`` section of a network file: parsed, checked and written back.

A file may carry, beside its network, everything needed to train it::

    "training": {"dataset": {"kind": "xor", "count": 500, "noise": 0.1, "seed": 1},
                 "features": ["x1", "x2"], "optimizer": "adam", "learning_rate": 0.03,
                 "momentum": 0.9, "betas": [0.9, 0.999], "eps": 1e-8,
                 "regularization": "l2", "regularization_rate": 0.001,
                 "batch_size": 10, "train_fraction": 0.5, "shuffle": true, "seed": 0}

Every field is optional (the defaults are TensorFlow Playground's). ``dataset.kind``
is a generator name (:data:`nnviz.core.datasets.GENERATORS`) or ``"points"`` with
``"points": [[x1, x2, label], ...]``. A bad field is refused with
:class:`nnviz.core.io.FileFormatError`, one sentence naming the field
(``training, learning_rate: expected a positive number, found -1``). Unknown
fields inside the section are kept and written back, as the file's own are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import datasets, features, optim

#: limits on the section's numbers
MAX_LEARNING_RATE = 1e3
MAX_BATCH_SIZE = 100_000
MAX_SEED = 2**63 - 1

_DATASET_KEYS = {"kind", "count", "noise", "seed", "points"}
_KEYS = {
    "dataset",
    "features",
    "optimizer",
    "learning_rate",
    "momentum",
    "betas",
    "eps",
    "regularization",
    "regularization_rate",
    "batch_size",
    "train_fraction",
    "shuffle",
    "seed",
}


@dataclass(frozen=True)
class DatasetSpec:
    """Which data: a generator (kind, count, noise, seed) or given points."""

    kind: str = "circle"
    count: int = 500
    noise: float = 0.0
    seed: int = 0
    #: ``(x1, x2, label)`` rows when ``kind == "points"``, else empty
    points: tuple[tuple[float, float, float], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class TrainingSpec:
    """Every training setting of a file (see the module docstring)."""

    dataset: DatasetSpec = DatasetSpec()
    features: tuple[str, ...] = ("x1", "x2")
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    momentum: float = 0.9
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    regularization: str = "none"
    regularization_rate: float = 0.0
    batch_size: int = 10
    train_fraction: float = 0.5
    shuffle: bool = True
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def with_changes(self, **changes: Any) -> TrainingSpec:
        """A copy with ``changes``, checked as a file's section is (FileFormatError).

        A dataset that is not among the changes is not checked again (a slider
        dragged over a file of 100,000 points stays quick).
        """
        spec = replace(self, **changes)
        data = training_to_dict(spec)
        if "dataset" in changes:
            return parse_training(data)
        data["dataset"] = {}  # checked already; stands in for it while the rest is checked
        out = replace(parse_training(data, check_split=False), dataset=self.dataset)
        _check_split(out)
        return out

    @property
    def count(self) -> int:
        """How many points the dataset has."""
        d = self.dataset
        return len(d.points) if d.kind == "points" else d.count

    @property
    def n_train(self) -> int:
        """The first ``round(train_fraction · count)`` points train; the rest test."""
        return int(round(self.train_fraction * self.count))


def _error(where: str, what: str):
    from .io import FileFormatError  # io imports this module lazily; no cycle at import

    return FileFormatError(f"training, {where}: {what}")


def _kind(v: Any) -> str:
    from .io import _kind as kind

    return kind(v)


def _number(v: Any, where: str, lo: float, hi: float, *, open_lo: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _error(where, f"expected a number, found {_kind(v)}")
    try:
        f = float(v)
    except OverflowError:
        raise _error(where, f"expected a number from {lo:g} to {hi:g}") from None
    if not math.isfinite(f):
        raise _error(where, f"{_kind(v)} is not a finite number")
    if f < lo or f > hi or (open_lo and f == lo):
        low = f"above {lo:g}" if open_lo else f"from {lo:g}"
        raise _error(where, f"{f:g} is out of range; expected a number {low} to {hi:g}")
    return f


def _integer(v: Any, where: str, lo: int, hi: int) -> int:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise _error(where, f"expected a whole number, found {_kind(v)}")
    if not lo <= v <= hi:
        shown = v if abs(v) < 10**20 else "a number that large"
        raise _error(where, f"{shown} is out of range; expected {lo} to {hi}")
    return v


def _choice(v: Any, where: str, names: tuple[str, ...]) -> str:
    if not isinstance(v, str) or v not in names:
        shown = repr(v) if isinstance(v, str) else _kind(v)
        raise _error(where, f"unknown value {shown}; expected one of {', '.join(names)}")
    return v


def _parse_points(v: Any) -> tuple[tuple[float, float, float], ...]:
    where = "dataset, points"
    if not isinstance(v, list):
        raise _error(where, f"expected a list of [x1, x2, label] rows, found {_kind(v)}")
    if not v:
        raise _error(where, "the list is empty; expected at least one [x1, x2, label] row")
    if len(v) > datasets.MAX_POINTS:
        raise _error(where, f"{len(v)} points is beyond the limit of {datasets.MAX_POINTS}")
    rows = []
    lim = datasets.MAX_ABS_COORD
    for i, row in enumerate(v):
        if not isinstance(row, list) or len(row) != 3:
            found = f"{len(row)} values" if isinstance(row, list) else _kind(row)
            raise _error(f"{where}[{i}]", f"expected [x1, x2, label], found {found}")
        rows.append(tuple(_number(x, f"{where}[{i}][{k}]", -lim, lim) for k, x in enumerate(row)))
    return tuple(rows)  # type: ignore[return-value]


def _parse_dataset(v: Any) -> DatasetSpec:
    if not isinstance(v, dict):
        raise _error("dataset", f"expected an object, found {_kind(v)}")
    kind = _choice(v.get("kind", "circle"), "dataset, kind", datasets.GENERATORS + ("points",))
    extra = {k: x for k, x in v.items() if k not in _DATASET_KEYS}
    seed = _integer(v.get("seed", 0), "dataset, seed", 0, MAX_SEED)
    noise = _number(v.get("noise", 0.0), "dataset, noise", 0.0, datasets.MAX_NOISE)
    if kind == "points":
        if "points" not in v:
            raise _error("dataset", 'kind "points" needs a "points" list of [x1, x2, label] rows')
        points = _parse_points(v["points"])
        return DatasetSpec(kind, len(points), noise, seed, points, extra)
    if "points" in v:
        raise _error("dataset, points", f'points are read only with kind "points", not {kind!r}')
    count = _integer(v.get("count", 500), "dataset, count", datasets.MIN_COUNT, datasets.MAX_COUNT)
    return DatasetSpec(kind, count, noise, seed, (), extra)


def parse_training(obj: Any, *, check_split: bool = True) -> TrainingSpec:
    """A :class:`TrainingSpec` from a file's ``training`` value, or FileFormatError."""
    if not isinstance(obj, dict):
        from .io import FileFormatError

        raise FileFormatError(f"training: expected an object, found {_kind(obj)}")
    d = TrainingSpec()
    dataset = _parse_dataset(obj.get("dataset", {}))
    feats = obj.get("features", list(d.features))
    try:
        feats = features.check(feats)
    except ValueError as e:
        raise _error("features", str(e)) from None
    betas = obj.get("betas", list(d.betas))
    if not isinstance(betas, list) or len(betas) != 2:
        raise _error("betas", f"expected a list of two numbers, found {_kind(betas)}")
    b1 = _number(betas[0], "betas[0]", 0.0, 1.0)
    b2 = _number(betas[1], "betas[1]", 0.0, 1.0)
    if b1 >= 1.0 or b2 >= 1.0:
        raise _error("betas", "each beta must be below 1")
    reg = obj.get("regularization", d.regularization)
    if reg is None:
        reg = "none"
    shuffle = obj.get("shuffle", d.shuffle)
    if not isinstance(shuffle, bool):
        raise _error("shuffle", f"expected true or false, found {_kind(shuffle)}")
    spec = TrainingSpec(
        dataset=dataset,
        features=feats,
        optimizer=_choice(obj.get("optimizer", d.optimizer), "optimizer", optim.OPTIMIZERS),
        learning_rate=_number(
            obj.get("learning_rate", d.learning_rate),
            "learning_rate",
            0.0,
            MAX_LEARNING_RATE,
            open_lo=True,
        ),
        momentum=_number(obj.get("momentum", d.momentum), "momentum", 0.0, 1.0),
        betas=(b1, b2),
        eps=_number(obj.get("eps", d.eps), "eps", 0.0, 1.0, open_lo=True),
        regularization=_choice(reg, "regularization", optim.REGULARIZATIONS),
        regularization_rate=_number(
            obj.get("regularization_rate", d.regularization_rate),
            "regularization_rate",
            0.0,
            10.0,
        ),
        batch_size=_integer(obj.get("batch_size", d.batch_size), "batch_size", 1, MAX_BATCH_SIZE),
        train_fraction=_number(
            obj.get("train_fraction", d.train_fraction), "train_fraction", 0.0, 1.0
        ),
        shuffle=shuffle,
        seed=_integer(obj.get("seed", d.seed), "seed", 0, MAX_SEED),
        extra={k: v for k, v in obj.items() if k not in _KEYS},
    )
    if check_split:
        _check_split(spec)
    return spec


def _check_split(spec: TrainingSpec) -> None:
    if spec.n_train < 1:
        raise _error(
            "train_fraction",
            f"{spec.train_fraction:g} of {spec.count} points leaves no point to train on",
        )


def training_to_dict(spec: TrainingSpec) -> dict[str, Any]:
    """The section as JSON-ready data; :func:`parse_training` reads it back equal."""
    ds = spec.dataset
    dataset: dict[str, Any] = {"kind": ds.kind}
    if ds.kind == "points":
        dataset["points"] = [list(p) for p in ds.points]
    else:
        dataset["count"] = ds.count
    dataset["noise"] = ds.noise
    dataset["seed"] = ds.seed
    dataset.update(ds.extra)
    out: dict[str, Any] = {
        "dataset": dataset,
        "features": list(spec.features),
        "optimizer": spec.optimizer,
        "learning_rate": spec.learning_rate,
        "momentum": spec.momentum,
        "betas": list(spec.betas),
        "eps": spec.eps,
        "regularization": spec.regularization,
        "regularization_rate": spec.regularization_rate,
        "batch_size": spec.batch_size,
        "train_fraction": spec.train_fraction,
        "shuffle": spec.shuffle,
        "seed": spec.seed,
    }
    out.update(spec.extra)
    return out


def points_dataset(rows: Any, noise: float = 0.0, seed: int = 0) -> DatasetSpec:
    """A ``"points"`` DatasetSpec from ``(x1, x2, label)`` rows; FileFormatError as a file's."""
    listed = rows.tolist() if isinstance(rows, np.ndarray) else [list(row) for row in rows]
    return _parse_dataset({"kind": "points", "points": listed, "noise": noise, "seed": seed})


def check_against(spec: TrainingSpec, input_size: int) -> None:
    """FileFormatError unless the features are as many as the network's inputs."""
    if len(spec.features) != input_size:
        raise _error(
            "features",
            f"{len(spec.features)} feature(s) ({', '.join(spec.features)}) but the network "
            f"has {input_size} input(s); they must match",
        )
