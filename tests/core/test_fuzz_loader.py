"""Fuzzers: anything given to the loader or to ``nnviz trace`` ends in one sentence (exit 2)
or in a valid network that saves and opens again to the same network (issue 14, item 9).

CI runs each fuzzer briefly with a fixed seed (``derandomize``), so a run is repeatable
and bounded in time; ``pytest --fuzz-long tests/core/test_fuzz_loader.py`` runs them
twenty times longer with fresh random inputs.
"""

from __future__ import annotations

import contextlib
import io as stdio
import json
import math
import os
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.cli import main as cli_main
from nnviz.core import activations, io, losses

LONG = os.environ.get("NNVIZ_FUZZ_LONG") == "1"
NETWORKS = Path(str(resources.files("nnviz.resources").joinpath("networks")))
VALID_TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(NETWORKS.glob("*.json"))}


def fuzz(examples: int):
    """Settings for one fuzzer: ``examples`` in CI (fixed seed), 20× with --fuzz-long."""
    return settings(
        max_examples=examples * 20 if LONG else examples,
        derandomize=not LONG,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# ------------------------------------------------------------------ oracles
def one_sentence(msg: str) -> None:
    assert msg, "an empty message"
    assert "\n" not in msg and "\r" not in msg and "\x1b" not in msg, repr(msg)
    assert "Traceback" not in msg and len(msg) <= 600, repr(msg[:700])
    msg.encode("utf-8")  # printable: no lone surrogates


def same(a: io.Project, b: io.Project) -> None:
    assert a.network.same_as(b.network)
    np.testing.assert_array_equal(a.sample.input, b.sample.input)
    np.testing.assert_array_equal(a.sample.target, b.sample.target)
    assert (a.seed, a.init, a.name, a.extra) == (b.seed, b.init, b.name, b.extra)


def holds(project: io.Project) -> None:
    """An accepted project is within every limit, and its file opens to the same network."""
    project.check()
    text = io.dumps(project)
    again = io.loads(text)
    same(again, project)
    assert io.dumps(again) == text


def through_loader(data) -> io.Project | None:
    try:
        project = io.from_dict(data)
    except io.FileFormatError as e:
        one_sentence(str(e))
        return None
    holds(project)
    return project


def through_text(text: str) -> io.Project | None:
    try:
        project = io.loads(text)
    except io.FileFormatError as e:
        one_sentence(str(e))
        return None
    holds(project)
    return project


def strict_json(text: str):
    def refuse(token: str):
        raise AssertionError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def through_cli(raw: bytes) -> int:
    """``nnviz trace`` and ``nnviz trace --json`` on a file holding ``raw``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.json"
        path.write_bytes(raw)
        codes = []
        for extra in ([], ["--json"]):
            out, err = stdio.StringIO(), stdio.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli_main(["trace", str(path), *extra])
            codes.append(code)
            if code == 2:
                assert out.getvalue() == ""
                text = err.getvalue()
                assert text.startswith("nnviz: ") and text.endswith("\n"), repr(text[:300])
                one_sentence(text[:-1])
            else:
                assert code == 0 and err.getvalue() == "", err.getvalue()[:300]
                if extra:
                    data = strict_json(out.getvalue())
                    assert set(data) == {"loss", "dL_dx", "layers"}
        assert codes[0] == codes[1]
        return codes[0]


# --------------------------------------------------------------- strategies
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(
        [0, -0.0, 1e6, -1e6, 1e6 + 1e-9, 1e6 * (1 + 2**-52), 10**400, 2**63, 2**63 - 1, 5e-324]
    ),
)
NAMES = st.one_of(
    st.sampled_from(activations.NAMES + losses.NAMES + ("uniform", "xavier", "he")),
    st.text(max_size=12),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, NAMES)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


#: numbers as a file mostly holds them, sometimes at or past the limits
VALUES = st.integers(0, 59).flatmap(
    lambda k: (
        NUMBERS
        if k == 0
        else st.sampled_from([1e6, -1e6, 1e5, -1e5, 0.0, -0.0, 5e-324])
        if k == 1
        else st.floats(-10, 10)
    )
)
GOOD_NAME = st.sampled_from(activations.NAMES)


def rarely(draw, strategy, usual):
    """``usual`` nine times in ten, else a draw from ``strategy``.

    (The rare branch is a middle value: hypothesis draws the bounds of a range often.)
    """
    return draw(strategy) if draw(st.integers(0, 9)) == 7 else usual


@st.composite
def network_like(draw):
    """Network dicts that are mostly valid, with a value near or past a limit here and there."""
    n_layers = draw(st.integers(2, 5) | st.integers(1, 6))
    sizes = [
        rarely(draw, st.sampled_from([0, 1025, -1]), draw(st.integers(1, 4)))
        for _ in range(n_layers)
    ]
    layers: list = [{"size": sizes[0]}]
    for i in range(1, n_layers):
        n_in, n_out = max(sizes[i - 1], 0), max(sizes[i], 0)
        spec: dict = {"size": sizes[i]}
        if draw(st.integers(0, 3)):
            spec["activation"] = rarely(draw, NAMES, draw(GOOD_NAME))
        if draw(st.integers(0, 5)):
            rows = rarely(draw, st.integers(0, 6), n_out) if n_out <= 6 else 6
            cols = rarely(draw, st.integers(0, 6), n_in) if n_in <= 6 else 6
            spec["weights"] = [
                draw(st.lists(VALUES, min_size=cols, max_size=cols)) for _ in range(rows)
            ]
        if draw(st.integers(0, 5)):
            spec["biases"] = draw(st.lists(VALUES, min_size=min(n_out, 6), max_size=min(n_out, 6)))
        if draw(st.integers(0, 19)) == 0:
            spec[draw(st.text(max_size=4))] = draw(JSON)
        layers.append(spec)
    data: dict = {"format": "nnviz.network", "version": 1, "layers": layers}
    for key, strat in (
        ("loss", st.sampled_from(losses.NAMES)),
        ("seed", st.integers(0, 2**63 - 1)),
        ("init", st.sampled_from(("uniform", "xavier", "he"))),
        ("name", st.text(max_size=20)),
    ):
        if draw(st.integers(0, 2)) == 0:
            data[key] = rarely(draw, JSON, draw(strat))
    if draw(st.integers(0, 2)):
        data["sample"] = {
            "input": draw(
                st.lists(
                    VALUES, min_size=min(max(sizes[0], 0), 6), max_size=min(max(sizes[0], 0), 6)
                )
            ),
            "target": draw(
                st.lists(
                    VALUES,
                    min_size=min(max(sizes[-1], 0), 6),
                    max_size=min(max(sizes[-1], 0), 6),
                )
            )
            if sizes
            else [],
        }
        if draw(st.integers(0, 9)) == 0:
            data["sample"] = draw(
                st.fixed_dictionaries({}, optional={"input": JSON, "target": JSON})
            )
    for _ in range(draw(st.integers(0, 2))):
        data[draw(st.text(max_size=8))] = draw(JSON)
    return data


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated_file(draw):
    """A shipped network file with one to three of its values replaced, removed or added."""
    name = draw(st.sampled_from(sorted(VALID_TEXTS)))
    data = json.loads(VALID_TEXTS[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        op = draw(st.sampled_from(["replace", "remove", "number", "duplicate"]))
        key = path[-1]
        if op == "replace":
            parent[key] = draw(JSON)
        elif op == "number":
            parent[key] = draw(NUMBERS)
        elif op == "remove":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
        else:
            parent[draw(st.text(max_size=5))] = parent[key]
    return data


@st.composite
def mutated_bytes(draw):
    """A shipped network file with bytes cut, inserted, repeated or replaced."""
    raw = VALID_TEXTS[draw(st.sampled_from(sorted(VALID_TEXTS)))].encode("utf-8")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(raw)))
        j = draw(st.integers(i, min(len(raw), i + 40)))
        op = draw(st.sampled_from(["cut", "insert", "repeat", "replace"]))
        junk = draw(
            st.binary(max_size=6)
            | st.sampled_from(
                [
                    b"[",
                    b"]",
                    b"{",
                    b"}",
                    b",",
                    b'"',
                    b"\\",
                    b"NaN",
                    b"-Infinity",
                    b"1e400",
                    b"\xef\xbb\xbf",
                    b"\x00",
                    b"\n",
                    b"\xff",
                    b"\xed\xa0\x80",
                    b'"\\ud800"',
                ]
            )
        )
        if op == "cut":
            raw = raw[:i] + raw[j:]
        elif op == "insert":
            raw = raw[:i] + junk + raw[i:]
        elif op == "repeat":
            raw = raw[:j] + raw[i:j] * draw(st.integers(1, 50)) + raw[j:]
        else:
            raw = raw[:i] + junk + raw[j:]
    return raw


# ------------------------------------------------------------------ fuzzers
@fuzz(300)
@given(JSON)
def test_arbitrary_json_through_the_loader(value):
    through_loader(value)
    through_text(json.dumps(value))


@fuzz(300)
@given(network_like())
def test_network_like_json_through_the_loader(data):
    project = through_loader(data)
    assert (project is None) == (through_text(json.dumps(data)) is None)


@fuzz(300)
@given(mutated_file())
def test_mutations_of_valid_files_through_the_loader(data):
    through_loader(data)


@fuzz(200)
@given(mutated_bytes())
def test_byte_mutations_of_valid_files_through_the_loader_from_disk(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.json"
        path.write_bytes(raw)
        try:
            project = io.load(path)
        except io.FileFormatError as e:
            one_sentence(str(e))
        else:
            holds(project)


@fuzz(80)
@given(st.one_of(mutated_file(), network_like()))
def test_mutated_files_through_the_cli(data):
    code = through_cli(json.dumps(data).encode("utf-8"))
    try:
        io.from_dict(data)
    except io.FileFormatError:
        assert code == 2
    else:
        assert code == 0


@fuzz(60)
@given(mutated_bytes())
def test_byte_mutations_through_the_cli(raw):
    through_cli(raw)


def test_the_extreme_valid_network_through_the_cli():
    """33 linear layers of 16 neurons at ±1e6: float64 overflows; trace still exits 0."""
    n = 16
    layers = [{"size": n}] + [
        {
            "size": n,
            "activation": act,
            "weights": [[1e6] * n for _ in range(n)],
            "biases": [-1e6] * n,
        }
        for act in ["linear"] * 16 + ["gelu"] * 16 + ["linear"]
    ]
    data = {
        "format": "nnviz.network",
        "version": 1,
        "layers": layers,
        "sample": {"input": [1e6] * n, "target": [-1e6] * n},
    }
    raw = json.dumps(data).encode("utf-8")
    assert through_cli(raw) == 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.json"
        path.write_bytes(raw)
        out = stdio.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli_main(["trace", str(path), "--json"]) == 0
    result = strict_json(out.getvalue())
    assert result["loss"] is None  # it overflowed: null, not Infinity
    assert None in result["dL_dx"]
    first = result["layers"][0]["z"]
    assert all(isinstance(v, float) and math.isfinite(v) for v in first)


def test_evaluate_of_an_overflowing_valid_network_warns_nothing():
    import warnings

    from nnviz.core import propagation
    from nnviz.core.network import Network

    net = Network.create([16] * 34, "linear", seed=0)  # the 33 linear layers
    for layer in net.layers:
        layer.W[:] = 1e6
        layer.b[:] = -1e6
    net.validate()  # within every limit: a valid network
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace, grads = propagation.evaluate(net, np.full(16, 1e6), np.zeros(16))
    assert not np.isfinite(grads.dL_dx).all() and not np.isfinite(grads.loss)
