"""The network file: versioned JSON, read and written through one table of fields.

A file is refused with :class:`FileFormatError`, whose message is one sentence
naming the place and the problem (``layer 2: weights has 2 rows, expected 3``);
nothing is built from a file until all of it has been checked. Unknown top-level
fields are kept and written back, so a file from a newer minor feature keeps
what it had. ``version: 1`` files load forever.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import activations, losses
from .messages import escape, quote
from .network import (
    INIT_SCHEMES,
    MAX_ABS_VALUE,
    MAX_EDGES,
    MAX_LAYER_SIZE,
    MAX_SEED,
    MAX_WEIGHTED_LAYERS,
    Dense,
    EditError,
    Network,
    check_seed,
    init_layer,
)

FORMAT = "nnviz.network"
VERSION = 1
KNOWN_KEYS = {"format", "version", "layers", "loss", "sample", "seed", "init", "name", "training"}

#: the largest network file read (checked before reading; reading stops there)
MAX_FILE_BYTES = 64 * 1024 * 1024
#: the longest name (title) a file holds
MAX_NAME = 1000
#: unknown top-level fields are kept, within these limits: levels of lists and
#: objects inside one field, and values (numbers, texts, lists, objects, keys) in all
MAX_EXTRA_DEPTH = 32
MAX_EXTRA_ITEMS = 1_000_000
#: checked on the text before it is parsed, so that no file can make the parser
#: build more than this: lists and objects in the file, values in the file, and
#: levels of nesting (a network needs 5; unknown fields MAX_EXTRA_DEPTH more)
MAX_FILE_CONTAINERS = 1_100_000
MAX_FILE_VALUES = 4_000_000
MAX_FILE_DEPTH = MAX_EXTRA_DEPTH + 1


class FileFormatError(ValueError):
    """A network file that cannot be read; the message is one sentence."""


class FileSaveError(OSError):
    """A network file that cannot be written; ``str()`` is one sentence naming the file.

    ``strerror`` holds the reason alone (``the file is read-only; …``), for a caller
    that names the file itself. The old file, if any, is unchanged.
    """

    def __init__(self, errno_: int, reason: str, path: str | os.PathLike[str]) -> None:
        super().__init__(errno_, reason)
        self.path = str(path)

    def __str__(self) -> str:
        return f"{escape(self.path)}: {self.strerror}"


# ------------------------------------------------------ unknown fields, frozen
class FrozenList(list):
    """A list from an unknown field of a file: read like any list, never changed.

    Unknown fields are kept as they came and written back; freezing them lets every
    copy of a Project (one per undoable edit) share them instead of copying them.
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("an unknown field of a network file is kept as it came; it cannot change")

    append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenList:
        return self

    def __reduce__(self):
        return (_frozen_list, (list(self),))


class FrozenDict(dict):
    """An object from an unknown field of a file: read like any dict, never changed."""

    __slots__ = ()

    _refuse = FrozenList._refuse
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenDict:
        return self

    def __reduce__(self):
        return (_frozen_dict, (dict(self),))


def _frozen_list(items: list) -> FrozenList:
    out = FrozenList()
    list.extend(out, items)
    return out


def _frozen_dict(items: dict) -> FrozenDict:
    out = FrozenDict()
    dict.update(out, items)
    return out


_SCALARS = (str, int, float, bool, type(None))


def freeze_field(key: str, value: Any, budget: list[int] | None = None) -> Any:
    """``value`` of unknown field ``key`` as frozen JSON, or FileFormatError naming the limit.

    Walks without recursion (a field nested a thousand deep cannot exhaust the stack),
    refuses more than MAX_EXTRA_DEPTH levels, more than the values left in ``budget``
    (one shared count for all unknown fields, MAX_EXTRA_ITEMS to start), NaN and
    Infinity (which JSON cannot write back) and anything that is not JSON.
    """
    if budget is None:
        budget = [MAX_EXTRA_ITEMS]
    where = f"field {quote(key)}"

    def leaf(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            raise _fail(where, "holds NaN or Infinity, which JSON does not allow")
        if not isinstance(v, _SCALARS):
            raise _fail(where, f"holds {type(v).__name__}, which is not JSON")
        return v

    def count(n: int) -> None:
        budget[0] -= n
        if budget[0] < 0:
            raise _fail(
                where,
                f"unknown fields hold more than {MAX_EXTRA_ITEMS:,} values, the limit "
                "for fields nnviz does not know",
            )

    def container(v: Any, depth: int) -> Any:
        if depth > MAX_EXTRA_DEPTH:
            raise _fail(
                where,
                f"nests more than {MAX_EXTRA_DEPTH} levels deep, the limit for fields "
                "nnviz does not know",
            )
        return FrozenDict() if isinstance(v, dict) else FrozenList()

    if isinstance(value, (FrozenList, FrozenDict)):
        return value  # frozen when it was first read: shared as it is
    count(1)
    if not isinstance(value, (list, tuple, dict)):
        return leaf(value)
    top = container(value, 1)
    stack = [(value, top, 1)]
    while stack:
        src, dst, depth = stack.pop()
        is_dict = isinstance(src, dict)
        count(2 * len(src) if is_dict else len(src))
        for k, v in src.items() if is_dict else enumerate(src):
            if is_dict and not isinstance(k, str):
                raise _fail(where, f"has a key {quote(k)}, which is not text")
            if isinstance(v, (FrozenList, FrozenDict)):
                pass  # already frozen (and counted): shared
            elif isinstance(v, (list, tuple, dict)):
                child = container(v, depth + 1)
                stack.append((v, child, depth + 1))
                v = child
            else:
                leaf(v)
            if is_dict:
                dict.__setitem__(dst, k, v)
            else:
                list.append(dst, v)
    return top


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

    def __post_init__(self) -> None:
        # unknown fields are frozen once (FileFormatError if they could not be saved),
        # then shared by every copy: a copy per undoable edit costs nothing for them
        budget = [MAX_EXTRA_ITEMS]
        self.extra = {k: freeze_field(k, v, budget) for k, v in self.extra.items()}

    def copy(self) -> Project:
        return Project(
            self.network.copy(),
            self.sample.copy(),
            self.seed,
            self.init,
            self.name,
            self.extra,  # frozen: shared, not copied
            self.training,  # a frozen TrainingSpec: shared
        )

    def check(self) -> None:
        """Raise EditError (one sentence) unless this project can be saved and read back.

        The same limits as the file: a valid network with every value finite and within
        ±1e6, a sample of the right sizes, a seed from 0 to 2⁶³ − 1, a known
        initialisation and a name of text within MAX_NAME characters.
        """
        net = self.network
        net.validate()
        for vec, n, what in (
            (self.sample.input, net.input_size, "input"),
            (self.sample.target, net.layers[-1].size, "target"),
        ):
            if np.shape(vec) != (n,):
                raise EditError(f"the sample's {what} has {np.size(vec)} values, expected {n}")
            bad = ~(np.abs(np.asarray(vec, dtype=float)) <= MAX_ABS_VALUE)
            if bad.any():
                k = int(np.argmax(bad))
                raise EditError(
                    f"the sample's {what} {k + 1} is {float(vec[k]):g}, beyond the limit of "
                    f"±{MAX_ABS_VALUE:g}"
                )
        check_seed(self.seed)
        if self.init not in INIT_SCHEMES:
            raise EditError(f"unknown initialisation {quote(self.init)}")
        if not isinstance(self.name, str) or len(self.name) > MAX_NAME:
            raise EditError(f"the name must be text of at most {MAX_NAME:,} characters")
        for k in self.extra:
            if not isinstance(k, str) or k in KNOWN_KEYS:
                raise EditError(f"the unknown field {quote(k)} cannot be saved under that name")


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
    return quote(v) if isinstance(v, str) else _kind(v)


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"the text {quote(v)}"
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

    seed = _integer(data.get("seed", 0), "seed", 0, MAX_SEED)
    init = data.get("init", "uniform")
    if init not in INIT_SCHEMES:
        raise _fail(
            "init",
            f"unknown initialisation {_name(init)}; expected one of {', '.join(INIT_SCHEMES)}",
        )
    name = data.get("name", "")
    if not isinstance(name, str):
        raise _fail("name", f"expected text, found {_kind(name)}")
    if len(name) > MAX_NAME:
        raise _fail("name", f"{len(name):,} characters is beyond the limit of {MAX_NAME:,}")

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
    # kept and written back, so within limits and writable JSON too; frozen, so shared
    budget = [MAX_EXTRA_ITEMS]
    extra = {k: freeze_field(k, v, budget) for k, v in data.items() if k not in KNOWN_KEYS}
    training = None
    if "training" in data:  # the section's own module parses it (one sentence naming the field)
        from .trainspec import parse_training

        training = parse_training(data["training"])
    return Project(net, Sample(x, y), seed, init, name, extra, training)


_STRING = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def check_structure(text: str) -> None:
    """Refuse (FileFormatError) a text that would make the JSON parser build too much.

    Counted on the text with its strings taken out, before anything is parsed: lists
    and objects (MAX_FILE_CONTAINERS), values (MAX_FILE_VALUES) and levels of nesting
    (MAX_FILE_DEPTH). A 63 MiB file of 22 million empty lists is refused here in a
    fraction of a second instead of taking gigabytes to parse.
    """
    bare = _STRING.sub("", text)
    containers = bare.count("[") + bare.count("{")
    if containers > MAX_FILE_CONTAINERS:
        raise FileFormatError(
            f"the file holds {containers:,} lists and objects, beyond the limit of "
            f"{MAX_FILE_CONTAINERS:,}"
        )
    values = bare.count(",") + containers
    if values > MAX_FILE_VALUES:
        raise FileFormatError(
            f"the file holds about {values:,} values, beyond the limit of {MAX_FILE_VALUES:,}"
        )
    brackets = _NOT_BRACKET.sub("", bare).encode("ascii")
    if brackets:
        step = np.frombuffer(brackets, dtype=np.uint8)
        # "[" 0x5b and "{" 0x7b open (bit 0x02 set: +1); "]" 0x5d and "}" 0x7d close (-1)
        depth = int(np.max(np.cumsum((step & 0x02).astype(np.int8) - 1, dtype=np.int32)))
        if depth > MAX_FILE_DEPTH:
            raise FileFormatError(
                f"the file nests lists and objects {depth:,} levels deep, beyond the limit "
                f"of {MAX_FILE_DEPTH} (a network needs 5; fields nnviz does not know may use "
                f"up to {MAX_EXTRA_DEPTH})"
            )


def loads(text: str) -> Project:
    """Parse a network file's text; FileFormatError with line and column if not JSON."""
    if not text or text.isspace():  # (strip() would copy a large text)
        raise FileFormatError("the file is empty")
    check_structure(text)
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


def _show(p: Path | str) -> str:
    """A path for a sentence: control characters escaped."""
    return escape(str(p))


def read_bounded(
    path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES, what: str = "network file"
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; FileFormatError otherwise.

    Only regular files are opened (a FIFO, a device such as /dev/zero or a socket is
    refused before it is opened, so nothing hangs); the size is checked before
    reading, and reading stops at the limit even if the file grows meanwhile.
    ``what`` names the kind of file in the sentences (``lesson file``, ``CSV file``):
    every file nnviz reads from a user goes through here, so that all follow one rule.
    """
    p = Path(path)
    what = ("an " if what[:1].lower() in "aeiou" else "a ") + what
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise FileFormatError(f"{_show(p)}: no such file") from None
    except OSError as e:
        raise FileFormatError(f"{_show(p)}: cannot be read ({e.strerror})") from None
    except ValueError:  # a NUL in the name
        raise FileFormatError(f"{_show(p)}: not a possible file name") from None
    if stat.S_ISDIR(st.st_mode):
        raise FileFormatError(f"{_show(p)}: is a folder, not {what}")
    if not stat.S_ISREG(st.st_mode):
        raise FileFormatError(
            f"{_show(p)}: is not a regular file (a pipe, device or socket), so it cannot be {what}"
        )
    too_large = f"{_show(p)}: {{:,}} bytes is too large for {what} (the limit is {limit:,})"
    if st.st_size > limit:
        raise FileFormatError(too_large.format(st.st_size))
    try:
        # O_NONBLOCK: were the path swapped for a FIFO since the stat, open still returns
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise FileFormatError(f"{_show(p)}: cannot be read ({e.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileFormatError(f"{_show(p)}: is not a regular file, so it cannot be {what}")
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = f.read(st.st_size + 1)
            if len(raw) > st.st_size:  # it grew since the stat: read on, up to the limit
                chunks = [raw]
                total = len(raw)
                while total <= limit:
                    chunk = f.read(min(1 << 20, limit + 1 - total))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
                if total > limit:
                    raise FileFormatError(too_large.format(total))
                raw = b"".join(chunks)
    except OSError as e:
        raise FileFormatError(f"{_show(p)}: cannot be read ({e.strerror})") from None
    finally:
        os.close(fd)
    return raw


def read_text_bounded(path: str | os.PathLike[str], limit: int, what: str) -> str:
    """:func:`read_bounded` as UTF-8 text (a BOM dropped, newlines made ``\\n``).

    For the other files a user gives nnviz (lessons, answers, CSV data): the same
    rule as network files, and FileFormatError with one sentence naming the file.
    """
    raw = read_bounded(path, limit, what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError(f"{_show(path)}: not a text file (not UTF-8)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load(path: str | os.PathLike[str]) -> Project:
    """Read a network file; FileFormatError (naming the file) if it cannot be used."""
    p = Path(path)
    raw = read_bounded(p)
    if not raw or raw.isspace():
        raise FileFormatError(f"{_show(p.name)}: the file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError(f"{_show(p)}: not a text file (not UTF-8)") from None
    del raw  # a large file is held once, as text, while it is parsed
    try:
        return loads(text)
    except FileFormatError as e:
        raise FileFormatError(f"{_show(p.name)}: {e}") from None


# ---------------------------------------------------------------- writing
def to_dict(
    project: Project, array: Callable[[np.ndarray], Any] = np.ndarray.tolist
) -> dict[str, Any]:
    """The JSON object of a network file; ``array`` turns each weight, bias, input
    and target array into its JSON value (nested lists; the autosave passes a
    wrapper and writes the numbers a few rows at a time)."""
    net = project.network
    layers: list[dict[str, Any]] = [{"size": net.input_size}]
    for layer in net.layers:
        layers.append(
            {
                "size": layer.size,
                "activation": layer.activation,
                "weights": array(layer.W),
                "biases": array(layer.b),
            }
        )
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": project.name,
        "layers": layers,
        "loss": net.loss,
        "sample": {
            "input": array(project.sample.input),
            "target": array(project.sample.target),
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


_TMP_SUFFIX = ".tmp"


def _temp_prefix(name: str) -> str:
    """The start of a save's temporary name: short enough beside any legal file name.

    A dot (hidden), the file's name cut to 40 bytes, and a hash of the whole name, so
    that the stale temporaries of one file are told from another's:
    ``.network.json.1a2b3c4d.`` + mkstemp's 8 characters + ``.tmp``, at most 63 bytes.
    """
    cut = name.encode("utf-8", "surrogateescape")[:40].decode("utf-8", "ignore")
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f".{cut}.{digest}."


try:
    import fcntl
except ImportError:  # not POSIX: stale temporary files are told by their age instead
    fcntl = None  # type: ignore[assignment]


def _lock(fd: int, wait: bool) -> bool:
    """Lock an open temporary file, so that another save can tell it is in use."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[str]:
    """Remove the temporary files a killed save of ``path`` left behind; their names.

    A save holds a lock on its temporary file until the rename, and the system drops
    the lock when the process dies, so a temporary file whose lock can be taken is
    stale. Where there are no locks (not POSIX), one older than an hour is.
    """
    p = Path(path)
    prefix = _temp_prefix(p.name)
    removed = []
    try:
        entries = [e for e in os.scandir(p.parent) if e.name.startswith(prefix)]
    except OSError:
        return removed
    for e in entries:
        if not e.name.endswith(_TMP_SUFFIX) or not e.is_file(follow_symlinks=False):
            continue
        try:
            fd = os.open(e.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if fcntl is not None:
                stale = _lock(fd, wait=False)  # only a dead save's lock can be taken
            else:
                stale = time.time() - os.fstat(fd).st_mtime > 3600
            if stale:
                os.unlink(e.path)
                removed.append(e.name)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


_SAVE_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "no permission to write in that folder",
    errno.EPERM: "no permission to write in that folder",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
}


def save(project: Project, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file in the same folder, then a rename.

    Raises FileSaveError (an OSError whose ``str()`` is one sentence) and leaves any
    old file as it was if the project cannot be saved: a value beyond the file's
    limits, a folder or read-only file at ``path``, a full disk. Saving through a
    symbolic link writes the file it points to, and the link stays a link.
    """
    try:
        project.check()  # whatever is saved must open again to the same network
    except EditError as e:
        raise FileSaveError(errno.EINVAL, f"cannot be saved: {e}", path) from None
    text = dumps(project)
    try:
        target = Path(os.path.realpath(path))  # a link is followed to the file it names
    except (OSError, ValueError) as e:
        raise FileSaveError(errno.EINVAL, f"not a possible file name ({e})", path) from None
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise _save_error(e, target) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise FileSaveError(errno.EISDIR, "is a folder; choose a file name", target)
        if not stat.S_ISREG(st.st_mode):
            raise FileSaveError(errno.EINVAL, "is not a regular file; choose another name", target)
        if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise FileSaveError(
                errno.EACCES,
                "the file is read-only; use Save As to save a copy under another name",
                target,
            )
        # mkstemp makes the file private (0600); give it the mode the file already had
        mode = st.st_mode & 0o7777
    else:  # or the one a new file gets under the umask, so a shared file stays shared
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    remove_stale_temporaries(target)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=_temp_prefix(target.name), suffix=_TMP_SUFFIX, dir=target.parent
        )
    except OSError as e:
        raise _save_error(e, target) from None
    try:
        _lock(fd, wait=True)
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, target)  # while still locked: never taken for a stale file
        _sync_folder(target.parent)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and not isinstance(e, FileSaveError):
            raise _save_error(e, target) from None
        raise


def _save_error(e: OSError, target: Path) -> FileSaveError:
    reason = _SAVE_REASONS.get(e.errno or 0) or (e.strerror or str(e)).lower()
    return FileSaveError(e.errno or errno.EIO, escape(reason), target)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a folder that cannot be opened is left alone."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
