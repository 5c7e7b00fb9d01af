"""Datasets on the plane: TensorFlow Playground's generators, a 3-class set, CSV files.

Every generator draws from a ``numpy.random.Generator`` seeded by the dataset's
seed, so the same (kind, count, noise, seed) always gives the same points.
Shapes follow TFP's ``src/dataset.ts``:

* ``circle``: radius 5; half the points inside r < 2.5 (label +1), half in the
  ring 3.5–5 (−1); the label is of the noisy point (noise shifts by ±5·noise);
* ``xor``: uniform in ±5, pushed 0.3 away from both axes; +1 where x1·x2 ≥ 0;
* ``gauss``: two gaussians at (2, 2) (+1) and (−2, −2) (−1), variance 0.5 to 4
  as the noise goes 0 to 50%;
* ``spiral``: two arms, r = 5i/n, 1.75 turns, the second turned by π (−1);
* ``reg-plane``: uniform in ±6, value (x1 + x2)/10;
* ``reg-gauss``: uniform in ±6, value of the strongest of six signed bumps;
* ``three-class``: three gaussians at radius 3 (angles 90°, 210°, 330°),
  labels 0, 1, 2, variance as ``gauss``.

A :class:`Dataset` keeps the points, the labels and what they mean: ``classes``
is 2 or 3 for classification (labels are then class indices 0..classes−1) and
None for regression (labels are the target values). :func:`targets` turns
labels into the network's targets for its loss: ±1 for ``mse`` with one output
(TFP's convention), 0/1 for ``bce``, one-hot for ``cross_entropy`` (or ``mse``
with one output per class).
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import io as netio

Array = np.ndarray

GENERATORS: tuple[str, ...] = (
    "circle",
    "xor",
    "gauss",
    "spiral",
    "reg-plane",
    "reg-gauss",
    "three-class",
)
REGRESSION: frozenset[str] = frozenset({"reg-plane", "reg-gauss"})
#: how a menu or a panel names each generator
TITLES: dict[str, str] = {
    "circle": "Circle",
    "xor": "Exclusive or",
    "gauss": "Two gaussians",
    "spiral": "Spiral",
    "reg-plane": "Plane (regression)",
    "reg-gauss": "Six gaussians (regression)",
    "three-class": "Three classes",
}

MIN_COUNT, MAX_COUNT = 50, 1200
MAX_NOISE = 0.5
#: limits on points given as a list or a CSV file
MAX_POINTS = 100_000
MAX_ABS_COORD = 1e6
MAX_CLASSES = 1024
#: the largest CSV file read: MAX_POINTS rows of three long numbers fit many times
MAX_CSV_BYTES = 16 * 1024 * 1024


class DatasetError(ValueError):
    """Data that cannot be used; the message is one sentence (a CSV names the line)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points ``(n, 2)`` and labels ``(n,)``; ``classes`` None means regression."""

    points: Array
    labels: Array
    classes: int | None

    @property
    def count(self) -> int:
        return int(self.points.shape[0])

    @property
    def is_regression(self) -> bool:
        return self.classes is None


# ------------------------------------------------------------- generators
def _uniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> Array:
    return rng.uniform(lo, hi, n)


def _circle(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    radius = 5.0
    parts = []
    for n, (r_lo, r_hi) in (((count + 1) // 2, (0.0, 2.5)), (count // 2, (3.5, 5.0))):
        r = _uniform(rng, r_lo, r_hi, n)
        angle = _uniform(rng, 0.0, 2 * math.pi, n)
        x, y = r * np.sin(angle), r * np.cos(angle)
        nx = _uniform(rng, -radius, radius, n) * noise
        ny = _uniform(rng, -radius, radius, n) * noise
        inside = np.hypot(x + nx, y + ny) < radius * 0.5
        parts.append((np.column_stack([x, y]), inside.astype(float)))
    return np.vstack([p for p, _ in parts]), np.concatenate([c for _, c in parts])


def _xor(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    x = _uniform(rng, -5, 5, count)
    x += np.where(x > 0, 0.3, -0.3)
    y = _uniform(rng, -5, 5, count)
    y += np.where(y > 0, 0.3, -0.3)
    nx = _uniform(rng, -5, 5, count) * noise
    ny = _uniform(rng, -5, 5, count) * noise
    label = ((x + nx) * (y + ny) >= 0).astype(float)
    return np.column_stack([x, y]), label


def _variance(noise: float) -> float:
    return 0.5 + (4.0 - 0.5) * noise / 0.5  # TFP: noise 0..0.5 -> variance 0.5..4


def _gauss(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    sd = math.sqrt(_variance(noise))
    n1, n2 = (count + 1) // 2, count // 2
    a = rng.normal(2.0, sd, (n1, 2))
    b = rng.normal(-2.0, sd, (n2, 2))
    return np.vstack([a, b]), np.concatenate([np.ones(n1), np.zeros(n2)])


def _spiral(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    parts = []
    for n, delta, cls in (((count + 1) // 2, 0.0, 1.0), (count // 2, math.pi, 0.0)):
        i = np.arange(n)
        r = i / n * 5.0
        t = 1.75 * i / n * 2 * math.pi + delta
        x = r * np.sin(t) + _uniform(rng, -1, 1, n) * noise
        y = r * np.cos(t) + _uniform(rng, -1, 1, n) * noise
        parts.append((np.column_stack([x, y]), np.full(n, cls)))
    return np.vstack([p for p, _ in parts]), np.concatenate([c for _, c in parts])


def _reg_points(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    x = _uniform(rng, -6, 6, count)
    y = _uniform(rng, -6, 6, count)
    nx = _uniform(rng, -6, 6, count) * noise
    ny = _uniform(rng, -6, 6, count) * noise
    return np.column_stack([x, y]), np.column_stack([x + nx, y + ny])


def _reg_plane(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    pts, noisy = _reg_points(rng, count, noise)
    return pts, (noisy[:, 0] + noisy[:, 1]) / 10.0  # TFP: [-10, 10] -> [-1, 1], unclamped


_BUMPS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def _reg_gauss(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    pts, noisy = _reg_points(rng, count, noise)
    label = np.zeros(count)
    for cx, cy, sign in _BUMPS:
        d = np.hypot(noisy[:, 0] - cx, noisy[:, 1] - cy)
        new = sign * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # TFP: distance 0..2 -> 1..0
        label = np.where(np.abs(new) > np.abs(label), new, label)
    return pts, label


def _three_class(rng: np.random.Generator, count: int, noise: float) -> tuple[Array, Array]:
    sd = math.sqrt(_variance(noise))
    sizes = [count // 3 + (1 if k < count % 3 else 0) for k in range(3)]
    parts = []
    for k, n in enumerate(sizes):
        angle = math.pi / 2 + k * 2 * math.pi / 3
        centre = (3.0 * math.cos(angle), 3.0 * math.sin(angle))
        parts.append((rng.normal(centre, sd, (n, 2)), np.full(n, float(k))))
    return np.vstack([p for p, _ in parts]), np.concatenate([c for _, c in parts])


_GENERATE = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "reg-plane": _reg_plane,
    "reg-gauss": _reg_gauss,
    "three-class": _three_class,
}


def generate(kind: str, count: int = 500, noise: float = 0.0, seed: int = 0) -> Dataset:
    """The dataset ``kind`` with ``count`` points (50–1200), ``noise`` 0–0.5, from ``seed``.

    Points come in the generator's order (class by class, as TFP makes them);
    the trainer shuffles them when the settings say so.
    """
    if kind not in _GENERATE:
        raise DatasetError(f"unknown dataset {kind!r}; expected one of {', '.join(GENERATORS)}")
    if not MIN_COUNT <= count <= MAX_COUNT:
        raise DatasetError(f"{count} points: expected {MIN_COUNT} to {MAX_COUNT}")
    if not 0.0 <= noise <= MAX_NOISE:
        raise DatasetError(f"noise {noise:g}: expected 0 to {MAX_NOISE:g}")
    rng = np.random.default_rng(int(seed))
    points, labels = _GENERATE[kind](rng, int(count), float(noise))
    classes = None if kind in REGRESSION else (3 if kind == "three-class" else 2)
    return Dataset(points, labels, classes)


# ------------------------------------------------------- labels <-> targets
def from_points(rows: Array, loss: str, n_out: int = 1) -> Dataset:
    """A Dataset from ``(x1, x2, label)`` rows, the label written as the loss's target.

    ``mse`` with one output: labels all ±1 are two classes (TFP's convention),
    other values are regression; ``bce``: 0 or 1; ``cross_entropy``, or ``mse``
    with ``n_out`` > 1 outputs (one-hot targets): a class index 0, 1, 2, ...
    """
    rows = np.asarray(rows, dtype=float).reshape(-1, 3)
    pts, lab = rows[:, :2].copy(), rows[:, 2].copy()
    if loss == "cross_entropy" or (loss == "mse" and n_out > 1):
        bad = np.flatnonzero((lab != np.round(lab)) | (lab < 0) | (lab >= MAX_CLASSES))
        if bad.size:
            raise DatasetError(
                f"point {bad[0] + 1}: label {lab[bad[0]]:g} is not a class index "
                f"(0, 1, 2, ...) as {'the cross-entropy loss' if loss != 'mse' else 'one-hot'} "
                "targets need"
            )
        return Dataset(pts, lab, max(2, int(lab.max()) + 1))
    if loss == "bce":
        bad = np.flatnonzero((lab != 0) & (lab != 1))
        if bad.size:
            raise DatasetError(
                f"point {bad[0] + 1}: label {lab[bad[0]]:g} is not 0 or 1 "
                "as the binary cross-entropy loss needs"
            )
        return Dataset(pts, lab, 2)
    if np.all((lab == 1) | (lab == -1)):
        return Dataset(pts, (lab > 0).astype(float), 2)
    return Dataset(pts, lab, None)


def labels_for(data: Dataset, loss: str) -> Array:
    """The labels as written for ``loss`` (the inverse of :func:`from_points`)."""
    if data.classes is None or loss in ("bce", "cross_entropy"):
        return data.labels.copy()
    if data.classes == 2:
        return 2.0 * data.labels - 1.0
    return data.labels.copy()


def targets(data: Dataset, loss: str, n_out: int) -> Array:
    """The targets ``(n, n_out)`` the network learns, or DatasetError (one sentence)."""
    n = data.count
    if data.classes is None:
        if loss == "cross_entropy":
            raise DatasetError("a regression dataset cannot train with the cross-entropy loss")
        if n_out != 1:
            raise DatasetError(f"a regression dataset needs one output neuron, not {n_out}")
        return data.labels.reshape(n, 1).copy()
    idx = data.labels.astype(np.intp)
    if n_out == 1:
        if data.classes > 2:
            raise DatasetError(
                f"{data.classes} classes need {data.classes} output neurons (softmax), not one"
            )
        if loss == "cross_entropy":
            raise DatasetError("the cross-entropy loss needs a softmax output of 2 or more")
        y = data.labels.astype(float) if loss == "bce" else 2.0 * data.labels - 1.0
        return y.reshape(n, 1)
    if n_out < data.classes:
        raise DatasetError(
            f"{data.classes} classes need {data.classes} output neurons, not {n_out}"
        )
    Y = np.zeros((n, n_out))
    Y[np.arange(n), idx] = 1.0
    return Y


def predicted_classes(output: Array, loss: str) -> Array:
    """The class each output row predicts: sign (mse), 0.5 (bce) or the largest (argmax)."""
    if output.shape[1] == 1:
        threshold = 0.5 if loss == "bce" else 0.0
        return (output[:, 0] >= threshold).astype(np.intp)
    return np.argmax(output, axis=1)


# --------------------------------------------------------------------- CSV
def parse_csv(text: str) -> Array:
    """``(n, 3)`` rows of ``x1, x2, label`` from CSV text; DatasetError naming the line.

    A first line that is not numbers is a header and skipped; blank lines are
    skipped; commas, semicolons or tabs separate the values.
    """
    lines = text.splitlines()
    sample = "\n".join(lines[:5])
    delimiter = ","
    for d in (",", ";", "\t"):
        if d in sample:
            delimiter = d
            break
    rows: list[tuple[float, float, float]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for lineno, row in enumerate(reader, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        try:
            values = [float(c) for c in cells]
        except ValueError:
            if lineno == 1:  # a header
                continue
            bad = next(c for c in cells if not _is_float(c))
            raise DatasetError(f"line {lineno}: {bad!r} is not a number") from None
        if len(values) != 3:
            raise DatasetError(
                f"line {lineno}: expected 3 values (x1, x2, label), found {len(values)}"
            )
        for v in values:
            if not math.isfinite(v) or abs(v) > MAX_ABS_COORD:
                raise DatasetError(
                    f"line {lineno}: {v:g} is not a finite number within ±{MAX_ABS_COORD:g}"
                )
        rows.append((values[0], values[1], values[2]))
        if len(rows) > MAX_POINTS:
            raise DatasetError(f"line {lineno}: more than {MAX_POINTS} points")
    if not rows:
        raise DatasetError("the file holds no rows of x1, x2, label")
    return np.array(rows, dtype=float)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(path: str | os.PathLike[str]) -> Array:
    """:func:`parse_csv` of a file; every error names the file.

    The file is read by the rules of network files (io.read_bounded): a FIFO, a
    device or a socket is refused before it is opened, and a file larger than
    MAX_CSV_BYTES is refused before it is read.
    """
    p = Path(path)
    try:
        text = netio.read_text_bounded(p, MAX_CSV_BYTES, "CSV file")
    except netio.FileFormatError as e:
        raise DatasetError(str(e)) from None
    try:
        return parse_csv(text)
    except DatasetError as e:
        raise DatasetError(f"{p.name}: {e}") from None


def csv_text(points: Array, labels: Array) -> str:
    """CSV text with a header ``x1,x2,label`` and one row per point (full precision)."""
    out = ["x1,x2,label"]
    for (x, y), lab in zip(np.asarray(points).tolist(), np.asarray(labels).tolist()):
        out.append(f"{x!r},{y!r},{lab!r}")
    return "\n".join(out) + "\n"
