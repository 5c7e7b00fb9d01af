"""The network file: versioned JSON, read and written through one table of fields.

A file is refused with :class:`FileFormatError`, whose message is one sentence
naming the place and the problem (``layer 2: weights has 2 rows, expected 3``);
nothing is built from a file until all of it has been checked. Unknown top-level
fields are kept and written back, so a file from a newer minor feature keeps
what it had. ``version: 1`` files load forever.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import activations, losses
from .network import (
    INIT_SCHEMES,
    MAX_ABS_VALUE,
    MAX_EDGES,
    MAX_LAYER_SIZE,
    MAX_WEIGHTED_LAYERS,
    Dense,
    EditError,
    Network,
    init_layer,
)

FORMAT = "nnviz.network"
VERSION = 1
KNOWN_KEYS = {"format", "version", "layers", "loss", "sample", "seed", "init", "name", "training"}


class FileFormatError(ValueError):
    """A network file that cannot be read; the message is one sentence."""


@dataclass
class Sample:
    """The one example the lesson follows: an input vector and its target."""

    input: np.ndarray
    target: np.ndarray

    def copy(self) -> Sample:
        return Sample(self.input.copy(), self.target.copy())


@dataclass
class Project:
    """Everything a network file holds."""

    network: Network
    sample: Sample
    seed: int = 0
    init: str = "uniform"
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: the ``training`` section (a frozen nnviz.core.trainspec.TrainingSpec), or None
    training: Any = None

    def copy(self) -> Project:
        return Project(
            self.network.copy(),
            self.sample.copy(),
            self.seed,
            self.init,
            self.name,
            json.loads(json.dumps(self.extra)),
            self.training,
        )


# ---------------------------------------------------------------- reading
def _fail(where: str, what: str) -> FileFormatError:
    return FileFormatError(f"{where}: {what}" if where else what)


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _fail(where, f"expected a number, found {_kind(v)}")
    try:
        f = float(v)
    except OverflowError:  # a JSON integer too large for a float
        raise _fail(where, f"{_kind(v)} is beyond the limit of ±{MAX_ABS_VALUE:g}") from None
    if not math.isfinite(f):
        raise _fail(where, f"{_kind(v)} is not a finite number")
    if abs(f) > MAX_ABS_VALUE:
        raise _fail(where, f"{v:g} is beyond the limit of ±{MAX_ABS_VALUE:g}")
    return f


def _integer(v: Any, where: str, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise _fail(where, f"expected a whole number, found {_kind(v)}")
    if not lo <= v <= hi:
        shown = v if abs(v) < 10**20 else "a number that large"
        raise _fail(where, f"{shown} is out of range; expected {lo} to {hi}")
    return v


def _name(v: Any) -> str:
    """A name the file gave, quoted as written ('swish'), or what it was instead."""
    return repr(v) if isinstance(v, str) else _kind(v)


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"the text {v!r}" if len(v) < 40 else "text"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, int) and abs(v) >= 10**20:
        return "a number that large"
    return repr(v)


def _vector(v: Any, n: int, where: str, what: str) -> np.ndarray:
    if not isinstance(v, list):
        raise _fail(where, f"{what} must be a list of {n} numbers, found {_kind(v)}")
    if len(v) != n:
        raise _fail(where, f"{what} has {len(v)} values, expected {n}")
    return np.array([_number(x, f"{where}, {what}[{i}]") for i, x in enumerate(v)], dtype=float)


def _matrix(v: Any, rows: int, cols: int, where: str) -> np.ndarray:
    if not isinstance(v, list):
        raise _fail(where, f"weights must be a list of {rows} rows, found {_kind(v)}")
    if len(v) != rows:
        raise _fail(where, f"weights has {len(v)} rows, expected {rows}")
    out = np.empty((rows, cols))
    for r, row in enumerate(v):
        if not isinstance(row, list):
            raise _fail(where, f"weights row {r + 1} must be a list, found {_kind(row)}")
        if len(row) != cols:
            raise _fail(where, f"weights row {r + 1} has {len(row)} values, expected {cols}")
        for c, x in enumerate(row):
            out[r, c] = _number(x, f"{where}, weights[{r}][{c}]")
    return out


def from_dict(data: Any) -> Project:
    """Build a Project from parsed JSON, or raise FileFormatError (one sentence)."""
    if not isinstance(data, dict):
        raise _fail("", f"the file must hold a JSON object, found {_kind(data)}")
    if data.get("format") != FORMAT:
        raise _fail("format", f'expected "{FORMAT}", found {_kind(data.get("format"))}')
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail("version", f"expected a whole number, found {_kind(version)}")
    if version > VERSION:
        raise _fail(
            "version",
            f"version {version} was written by a newer nnviz; this one reads version {VERSION}",
        )
    if version < 1:
        raise _fail("version", f"{version} is not a valid version")

    seed = _integer(data.get("seed", 0), "seed", 0, 2**63 - 1)
    init = data.get("init", "uniform")
    if init not in INIT_SCHEMES:
        raise _fail(
            "init",
            f"unknown initialisation {_name(init)}; expected one of {', '.join(INIT_SCHEMES)}",
        )
    name = data.get("name", "")
    if not isinstance(name, str):
        raise _fail("name", f"expected text, found {_kind(name)}")

    layers = data.get("layers")
    if not isinstance(layers, list):
        raise _fail("layers", f"expected a list of layers, found {_kind(layers)}")
    if len(layers) < 2:
        raise _fail(
            "layers",
            f"{len(layers)} layer(s); a network needs an input layer and at least one more",
        )
    if len(layers) - 1 > MAX_WEIGHTED_LAYERS:
        raise _fail(
            "layers",
            f"{len(layers)} layers is beyond the limit of {MAX_WEIGHTED_LAYERS + 1} "
            f"(the input, {MAX_WEIGHTED_LAYERS - 1} hidden layers and the output)",
        )
    sizes = []
    for i, spec in enumerate(layers):
        if not isinstance(spec, dict):
            raise _fail(f"layer {i}", f"expected an object, found {_kind(spec)}")
        sizes.append(_integer(spec.get("size"), f"layer {i}, size", 1, MAX_LAYER_SIZE))
    edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    if edges > MAX_EDGES:
        raise _fail("layers", f"{edges} weights is beyond the limit of {MAX_EDGES}")

    # Weights left out are drawn from the seed, layer after layer. Every layer draws
    # (even one whose weights are given) so that a layer's initial weights never
    # depend on whether an earlier layer listed its own. When every layer lists
    # both, nothing is drawn (numpy.random is not even imported: faster start-up).
    complete = all("weights" in spec and "biases" in spec for spec in layers[1:])
    rng = None if complete else np.random.default_rng(seed)
    dense: list[Dense] = []
    for i in range(1, len(layers)):
        spec = layers[i]
        where = f"layer {i}"
        act = spec.get("activation", "linear" if i == len(layers) - 1 else "tanh")
        if not isinstance(act, str) or act not in activations.ACTIVATIONS:
            raise _fail(
                where,
                f"unknown activation {_name(act)}; expected one of {', '.join(activations.NAMES)}",
            )
        if not activations.ACTIVATIONS[act].elementwise and i != len(layers) - 1:
            raise _fail(where, f"{act} is allowed on the output layer only")
        n_in, n_out = sizes[i - 1], sizes[i]
        W0, b0 = init_layer(rng, n_in, n_out, init) if rng is not None else (None, None)
        W = _matrix(spec["weights"], n_out, n_in, where) if "weights" in spec else W0
        b = _vector(spec["biases"], n_out, where, "biases") if "biases" in spec else b0
        dense.append(Dense(W, b, act))

    loss = data.get("loss", "mse")
    if not isinstance(loss, str) or loss not in losses.LOSSES:
        raise _fail(
            "loss", f"unknown loss {_name(loss)}; expected one of {', '.join(losses.NAMES)}"
        )
    net = Network(sizes[0], dense, loss)
    try:
        net.validate()
    except EditError as e:
        raise _fail("", str(e)) from None

    sample = data.get("sample", {})
    if not isinstance(sample, dict):
        raise _fail("sample", f"expected an object, found {_kind(sample)}")
    x = (
        _vector(sample["input"], sizes[0], "sample", "input")
        if "input" in sample
        else np.zeros(sizes[0])
    )
    y = (
        _vector(sample["target"], sizes[-1], "sample", "target")
        if "target" in sample
        else np.zeros(sizes[-1])
    )
    extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
    for k, v in extra.items():
        try:  # kept and written back, so it must be writable JSON too
            json.dumps(v, allow_nan=False)
        except ValueError:
            raise _fail(k, "holds NaN or Infinity, which JSON does not allow") from None
    training = None
    if "training" in data:  # the section's own module parses it (one sentence naming the field)
        from .trainspec import parse_training

        training = parse_training(data["training"])
    return Project(net, Sample(x, y), seed, init, name, extra, training)


def loads(text: str) -> Project:
    """Parse a network file's text; FileFormatError with line and column if not JSON."""

    # NaN and Infinity are read as floats here so that the field check below
    # refuses them with the place they stand (``layer 1, weights[0][1]: ...``).
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise FileFormatError(
            f"line {e.lineno}, column {e.colno}: not valid JSON ({e.msg.lower()})"
        ) from None
    except ValueError:  # an integer with more digits than Python converts
        raise FileFormatError("a number in the file has too many digits") from None
    except RecursionError:
        raise FileFormatError("the file nests too deeply to be a network file") from None
    return from_dict(data)


def load(path: str | os.PathLike[str]) -> Project:
    """Read a network file; FileFormatError (naming the file) if it cannot be used."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise FileFormatError(f"{p}: is a folder, not a network file") from None
    except OSError as e:
        raise FileFormatError(f"{p}: cannot be read ({e.strerror})") from None
    if len(raw) > 64 * 1024 * 1024:
        raise FileFormatError(f"{p}: {len(raw)} bytes is too large for a network file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError(f"{p}: not a text file (not UTF-8)") from None
    try:
        return loads(text)
    except FileFormatError as e:
        raise FileFormatError(f"{p.name}: {e}") from None


# ---------------------------------------------------------------- writing
def to_dict(project: Project) -> dict[str, Any]:
    net = project.network
    layers: list[dict[str, Any]] = [{"size": net.input_size}]
    for layer in net.layers:
        layers.append(
            {
                "size": layer.size,
                "activation": layer.activation,
                "weights": layer.W.tolist(),
                "biases": layer.b.tolist(),
            }
        )
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": project.name,
        "layers": layers,
        "loss": net.loss,
        "sample": {
            "input": project.sample.input.tolist(),
            "target": project.sample.target.tolist(),
        },
        "seed": project.seed,
        "init": project.init,
    }
    if not project.name:
        del out["name"]
    out.update(project.extra)
    if project.training is not None:
        from .trainspec import training_to_dict

        out["training"] = training_to_dict(project.training)
    return out


def dumps(project: Project) -> str:
    return json.dumps(to_dict(project), indent=1, allow_nan=False) + "\n"


def save(project: Project, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    p = Path(path)
    text = dumps(project)
    # mkstemp makes the file private (0600); give it the mode the file already had,
    # or the one a new file gets under the umask, so a shared file stays shared
    try:
        mode = p.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent or ".")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
