"""The network file: round trips, atomic save, and one clear sentence for every bad file."""

from __future__ import annotations

import copy
import json
import os

import numpy as np
import pytest

from nnviz.core import examples, io
from nnviz.core.network import MAX_LAYER_SIZE, MAX_WEIGHTED_LAYERS, Network, init_layer

ISSUE_EXAMPLE = """
{"format": "nnviz.network", "version": 1,
 "layers": [{"size": 2},
            {"size": 3, "activation": "tanh", "weights": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
             "biases": [0.0, -0.1, 0.1]},
            {"size": 1, "activation": "sigmoid", "weights": [[1.0, -1.0, 0.5]], "biases": [0.2]}],
 "loss": "mse",
 "sample": {"input": [1.0, -0.5], "target": [1.0]}}
"""


def base() -> dict:
    return json.loads(ISSUE_EXAMPLE)


def one_sentence(msg: str) -> None:
    assert msg and "\n" not in msg and "Traceback" not in msg and len(msg) < 300, msg


def same_project(a: io.Project, b: io.Project) -> None:
    assert a.network.same_as(b.network)
    np.testing.assert_array_equal(a.sample.input, b.sample.input)
    np.testing.assert_array_equal(a.sample.target, b.sample.target)
    assert (a.seed, a.init, a.name, a.extra) == (b.seed, b.init, b.name, b.extra)


# --------------------------------------------------------------- round trips
def test_the_issue_example_loads():
    p = io.loads(ISSUE_EXAMPLE)
    net = p.network
    assert net.sizes == [2, 3, 1] and net.loss == "mse"
    assert [layer.activation for layer in net.layers] == ["tanh", "sigmoid"]
    np.testing.assert_array_equal(net.layers[0].W, [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    np.testing.assert_array_equal(p.sample.input, [1.0, -0.5])
    np.testing.assert_array_equal(p.sample.target, [1.0])
    assert p.seed == 0 and p.init == "uniform" and p.name == "" and p.extra == {}


@pytest.mark.parametrize("seed", range(6))
def test_round_trip_dict_and_text_is_exact(seed):
    rng = np.random.default_rng(seed)
    pairs = [("tanh", "mse"), ("sigmoid", "bce"), ("softmax", "cross_entropy"), ("relu", "mse")]
    out_act, loss = pairs[seed % 4]
    sizes = [int(rng.integers(1, 5)) for _ in range(int(rng.integers(2, 5)))]
    sizes[-1] = max(sizes[-1], 2)
    hidden = ["gelu", "elu", "silu", "step", "softplus", "leaky_relu", "linear"]
    acts = [hidden[(seed + i) % len(hidden)] for i in range(len(sizes) - 2)] + [out_act]
    net = Network.create(sizes, acts, loss=loss, seed=seed)
    for layer in net.layers:  # awkward floats: full precision must survive
        layer.W = rng.normal(size=layer.W.shape) / 3.0
        layer.b = rng.normal(size=layer.b.shape) * 1e-7
    project = io.Project(
        net,
        io.Sample(rng.normal(size=sizes[0]), rng.uniform(size=sizes[-1])),
        seed=seed,
        init="xavier",
        name="round ‘trip’ ✓",
        extra={"positions": [[1, 2]], "lesson": {"step": 3}},
    )
    same_project(io.from_dict(io.to_dict(project)), project)
    same_project(io.loads(io.dumps(project)), project)
    assert json.loads(io.dumps(project))["format"] == "nnviz.network"
    assert json.loads(io.dumps(project))["version"] == 1


def test_save_and_load_are_atomic_and_leave_no_temporary_file(tmp_path):
    project = examples.load("default")
    path = tmp_path / "net.json"
    io.save(project, path)
    assert os.listdir(tmp_path) == ["net.json"]
    same_project(io.load(path), project)
    # overwrite in place
    project.network.set_weight(1, 0, 0, 0.125)
    io.save(project, str(path))
    assert os.listdir(tmp_path) == ["net.json"]
    assert io.load(path).network.layers[0].W[0, 0] == 0.125
    # a project that cannot be written leaves the old file as it was, and no temp file
    good = path.read_bytes()
    broken = project.copy()
    broken.extra["bad"] = float("nan")
    with pytest.raises(ValueError):
        io.save(broken, path)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["net.json"]
    # a folder that does not exist: an OSError, nothing created
    with pytest.raises(OSError):
        io.save(project, tmp_path / "missing" / "net.json")
    assert os.listdir(tmp_path) == ["net.json"]


def test_unknown_top_level_keys_are_kept(tmp_path):
    d = base()
    d["future_feature"] = {"nested": [1, 2, {"x": None}]}
    d["positions"] = [[0.5, 0.25]]
    p = io.from_dict(d)
    assert p.extra == {"future_feature": d["future_feature"], "positions": [[0.5, 0.25]]}
    io.save(p, tmp_path / "x.json")
    back = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert back["future_feature"] == d["future_feature"] and back["positions"] == [[0.5, 0.25]]
    assert io.load(tmp_path / "x.json").extra == p.extra


def test_omitted_weights_are_initialised_from_the_seed():
    d = base()
    for layer in d["layers"][1:]:
        del layer["weights"], layer["biases"]
    d["seed"] = 1234
    a, b = io.from_dict(copy.deepcopy(d)), io.from_dict(copy.deepcopy(d))
    assert a.network.same_as(b.network)
    rng = np.random.default_rng(1234)
    W1, b1 = init_layer(rng, 2, 3, "uniform")
    W2, b2 = init_layer(rng, 3, 1, "uniform")
    np.testing.assert_array_equal(a.network.layers[0].W, W1)
    np.testing.assert_array_equal(a.network.layers[1].b, b2)
    d["seed"] = 1235
    assert not io.from_dict(d).network.same_as(a.network)
    d["init"] = "he"
    he = io.from_dict(d)
    np.testing.assert_array_equal(he.network.layers[0].b, 0.0)
    # weights given, biases left out: the given weights are kept exactly
    d2 = base()
    del d2["layers"][1]["biases"]
    p2 = io.from_dict(d2)
    np.testing.assert_array_equal(p2.network.layers[0].W, base()["layers"][1]["weights"])


def test_defaults_for_optional_fields():
    d = {"format": "nnviz.network", "version": 1, "layers": [{"size": 2}, {"size": 1}]}
    p = io.from_dict(d)
    assert p.network.layers[0].activation == "linear"  # the output layer's default
    assert p.network.loss == "mse"
    np.testing.assert_array_equal(p.sample.input, [0.0, 0.0])
    np.testing.assert_array_equal(p.sample.target, [0.0])
    d["layers"].insert(1, {"size": 3})
    assert io.from_dict(d).network.layers[0].activation == "tanh"  # a hidden layer's default


def test_every_shipped_example_loads_and_runs():
    from nnviz.core import propagation

    names = examples.names()
    assert {"default", "one_neuron"} <= set(names)
    for name in names:
        p = examples.load(name)
        p.network.validate()
        trace, grads = propagation.evaluate(p.network, p.sample.input, p.sample.target)
        assert np.isfinite(grads.loss), name
        assert examples.title(name)
    assert examples.default_project().network.sizes == examples.load("default").network.sizes


def test_an_unknown_example_is_a_sentence():
    with pytest.raises(io.FileFormatError, match="there is no example network 'nope'"):
        examples.load("nope")


def test_the_one_neuron_exercise():
    from nnviz.core import propagation

    p = examples.load("one_neuron")
    assert p.network.sizes == [1, 1] and p.network.layers[0].activation == "relu"
    assert p.network.layers[0].W[0, 0] == -1.5 and p.network.layers[0].b[0] == 1.0
    assert p.sample.input[0] == 2.0
    trace = propagation.forward(p.network, p.sample.input)
    assert trace.z[1][0, 0] == -2.0  # 2.0 × −1.5 + 1.0
    assert trace.a[1][0, 0] == 0.0  # ReLU(−2.0)


# ---------------------------------------------------------------- bad input
def _set(path, value):
    """A mutation of the issue example: set d[path...] = value (None path: replace)."""

    def mutate(d):
        if path is None:
            return value
        obj = d
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value
        return d

    return mutate


def _del(*path):
    def mutate(d):
        obj = d
        for key in path[:-1]:
            obj = obj[key]
        del obj[path[-1]]
        return d

    return mutate


BAD_DICTS = [
    # (mutation, exact message or a prefix ending in "…")
    (_set(None, [1, 2]), "the file must hold a JSON object, found a list"),
    (_set(None, "text"), "the file must hold a JSON object, found the text 'text'"),
    (_set(("format",), "other"), "format: expected \"nnviz.network\", found the text 'other'"),
    (_del("format"), 'format: expected "nnviz.network", found null'),
    (_set(("version",), 2), "version: version 2 was written by a newer nnviz; this one reads…"),
    (_set(("version",), 0), "version: 0 is not a valid version"),
    (_set(("version",), "1"), "version: expected a whole number, found the text '1'"),
    (_set(("layers",), {}), "layers: expected a list of layers, found an object"),
    (_set(("layers",), [{"size": 2}]), "layers: 1 layer(s); a network needs an input layer…"),
    (_set(("layers", 1), 7), "layer 1: expected an object, found 7"),
    (_set(("layers", 1, "size"), "3"), "layer 1, size: expected a whole number, found the text…"),
    (_set(("layers", 1, "size"), 2.5), "layer 1, size: expected a whole number, found 2.5"),
    (_set(("layers", 1, "size"), True), "layer 1, size: expected a whole number, found true"),
    (_set(("layers", 0, "size"), 0), "layer 0, size: 0 is out of range; expected 1 to 1024"),
    (_set(("layers", 1, "size"), MAX_LAYER_SIZE + 1), "layer 1, size: 1025 is out of range…"),
    (_del("layers", 0, "size"), "layer 0, size: expected a whole number, found null"),
    (_set(("layers", 1, "activation"), "swish"), "layer 1: unknown activation 'swish'…"),
    (_set(("layers", 1, "activation"), ["relu"]), "layer 1: unknown activation a list…"),
    (_set(("layers", 1, "activation"), "softmax"), "layer 1: softmax is allowed on the output…"),
    (_set(("loss",), "hinge"), "loss: unknown loss 'hinge'; expected one of mse, bce…"),
    (_set(("loss",), {"a": 1}), "loss: unknown loss an object…"),
    (_set(("loss",), "cross_entropy"), "the cross_entropy loss needs a softmax output layer…"),
    (_set(("layers", 1, "weights"), [[1, 2], [3, 4]]), "layer 1: weights has 2 rows, expected 3"),
    (_set(("layers", 1, "weights"), 5), "layer 1: weights must be a list of 3 rows, found 5"),
    (
        _set(("layers", 1, "weights", 1), [1, 2, 3]),
        "layer 1: weights row 2 has 3 values, expected 2",
    ),
    (_set(("layers", 1, "weights", 2), "ab"), "layer 1: weights row 3 must be a list, found…"),
    (
        _set(("layers", 1, "weights", 0, 1), "x"),
        "layer 1, weights[0][1]: expected a number, found…",
    ),
    (
        _set(("layers", 1, "weights", 0, 1), None),
        "layer 1, weights[0][1]: expected a number, found null",
    ),
    (
        _set(("layers", 1, "weights", 0, 0), True),
        "layer 1, weights[0][0]: expected a number, found true",
    ),
    (
        _set(("layers", 1, "weights", 0, 0), 2e6),
        "layer 1, weights[0][0]: 2e+06 is beyond the limit…",
    ),
    (_set(("layers", 1, "weights", 0, 0), 10**400), "layer 1, weights[0][0]: a number that large…"),
    (_set(("layers", 2, "biases"), [1, 2]), "layer 2: biases has 2 values, expected 1"),
    (
        _set(("layers", 2, "biases"), {"b": 1}),
        "layer 2: biases must be a list of 1 numbers, found…",
    ),
    (_set(("sample",), []), "sample: expected an object, found a list"),
    (_set(("sample", "input"), [1.0]), "sample: input has 1 values, expected 2"),
    (_set(("sample", "target"), ["a"]), "sample, target[0]: expected a number, found the text 'a'"),
    (_set(("seed",), -1), "seed: -1 is out of range; expected 0 to 9223372036854775807"),
    (_set(("seed",), "7"), "seed: expected a whole number, found the text '7'"),
    (_set(("init",), "lecun"), "init: unknown initialisation 'lecun'…"),
    (_set(("name",), 5), "name: expected text, found 5"),
]


def _check_message(msg: str, expected: str) -> None:
    one_sentence(msg)
    if expected.endswith("…"):
        assert msg.startswith(expected[:-1]), msg
    else:
        assert msg == expected


@pytest.mark.parametrize(("mutate", "expected"), BAD_DICTS)
def test_bad_content_is_one_sentence_naming_the_place(mutate, expected):
    data = mutate(base())
    with pytest.raises(io.FileFormatError) as info:
        io.from_dict(data)
    _check_message(str(info.value), expected)
    # the same through text
    with pytest.raises(io.FileFormatError) as info2:
        io.loads(json.dumps(data))
    assert str(info2.value) == str(info.value)


def test_the_issues_own_example_message():
    d = base()
    d["layers"].append({"size": 1, "activation": "linear", "weights": [[1.0]], "biases": [0.0]})
    d["layers"][2] = {"size": 3, "activation": "tanh", "weights": [[1, 2, 3], [4, 5, 6]]}
    with pytest.raises(io.FileFormatError) as info:
        io.from_dict(d)
    assert str(info.value) == "layer 2: weights has 2 rows, expected 3"


def test_size_limits():
    d = base()
    d["layers"] = [{"size": 1}] * (MAX_WEIGHTED_LAYERS + 2)
    with pytest.raises(io.FileFormatError) as info:
        io.from_dict(d)
    _check_message(
        str(info.value),
        "layers: 35 layers is beyond the limit of 34 (the input, 32 hidden layers and the output)",
    )
    d["layers"] = [{"size": 1024}, {"size": 1024}, {"size": 1024}]
    with pytest.raises(io.FileFormatError) as info:
        io.from_dict(d)
    _check_message(str(info.value), "layers: 2097152 weights is beyond the limit of 2000000")


BAD_TEXTS = [
    ("{", "line 1, column 2: not valid JSON…"),
    ("", "the file is empty"),
    (" \n\t ", "the file is empty"),
    (
        '{"format": "nnviz.network",\n "version": 1,\n "layers": [1 2]}',
        "line 3, column 15: not valid JSON (expecting ',' delimiter)",
    ),
    ('{"a": 1} trailing', "line 1, column 10: not valid JSON (extra data)"),
    ("[" * 100000, "the file nests lists and objects 100,000 levels deep…"),  # no RecursionError
]


@pytest.mark.parametrize(("text", "expected"), BAD_TEXTS)
def test_text_that_is_not_json(text, expected):
    with pytest.raises(io.FileFormatError) as info:
        io.loads(text)
    _check_message(str(info.value), expected)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("NaN", "layer 1, weights[0][1]: NaN is not a finite number"),
        ("Infinity", "layer 1, weights[0][1]: Infinity is not a finite number"),
        ("-Infinity", "layer 1, weights[0][1]: -Infinity is not a finite number"),
        ("1e400", "layer 1, weights[0][1]: Infinity is not a finite number"),
        ("-1e400", "layer 1, weights[0][1]: -Infinity is not a finite number"),
    ],
)
def test_non_finite_numbers_name_their_place(literal, expected):
    text = ISSUE_EXAMPLE.replace("[[0.1, 0.2]", f"[[0.1, {literal}]")
    assert literal in text
    with pytest.raises(io.FileFormatError) as info:
        io.loads(text)
    _check_message(str(info.value), expected)


def test_non_finite_numbers_elsewhere():
    for old, new, expected in [
        ('"target": [1.0]', '"target": [NaN]', "sample, target[0]: NaN is not a finite number"),
        ('"version": 1', '"version": NaN', "version: expected a whole number, found NaN"),
        ('"size": 3', '"size": Infinity', "layer 1, size: expected a whole number, found Infinity"),
        ('"loss": "mse"', '"loss": "mse", "extra": [1, NaN]', "field 'extra': holds NaN…"),
        ('"size": 3', '"size": 1' + "0" * 5000, "a number in the file has too many digits"),
    ]:
        text = ISSUE_EXAMPLE.replace(old, new, 1)
        assert text != ISSUE_EXAMPLE
        with pytest.raises(io.FileFormatError) as info:
            io.loads(text)
        _check_message(str(info.value), expected)


def test_load_errors_name_the_file(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(io.FileFormatError) as info:
        io.load(missing)
    _check_message(str(info.value), f"{missing}: no such file")

    with pytest.raises(io.FileFormatError) as info:
        io.load(tmp_path)
    _check_message(str(info.value), f"{tmp_path}: is a folder, not a network file")

    binary = tmp_path / "picture.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x80")
    with pytest.raises(io.FileFormatError) as info:
        io.load(binary)
    _check_message(str(info.value), f"{binary}: not a text file (not UTF-8)")

    nul = tmp_path / "nul.json"
    nul.write_bytes(b"\x00\x00\x00")
    with pytest.raises(io.FileFormatError) as info:
        io.load(nul)
    _check_message(str(info.value), "nul.json: line 1, column 1: not valid JSON…")

    bad = tmp_path / "bad.json"
    d = base()
    d["layers"][1]["weights"] = [[1, 2], [3, 4]]
    bad.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(io.FileFormatError) as info:
        io.load(bad)
    _check_message(str(info.value), "bad.json: layer 1: weights has 2 rows, expected 3")


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + ISSUE_EXAMPLE.encode("utf-8"))
    assert io.load(path).network.sizes == [2, 3, 1]


def test_a_refused_file_changes_nothing(tmp_path):
    """Loading is all or nothing: the caller's project is untouched by a bad file."""
    good = examples.load("default")
    before = good.copy()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nnviz.network", "version": 1, "layers": []}', encoding="utf-8")
    with pytest.raises(io.FileFormatError):
        good = io.load(bad)
    assert good.network.same_as(before.network)


def test_save_keeps_the_file_mode_and_follows_the_umask(tmp_path):
    import os
    import stat

    from nnviz.core import examples, io

    project = examples.default_project()
    shared = tmp_path / "shared.json"
    io.save(project, shared)
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        io.save(project, fresh)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    finally:
        os.umask(old)
    shared.chmod(0o664)
    io.save(project, shared)  # overwriting keeps the mode it had
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
