"""``nnviz trace FILE [--json]``: the student's text, the exact JSON, and bad files.

Uses the example files through importlib.resources, so the same tests check the
resources of an installed wheel when run against one. No Qt: trace never needs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

from nnviz.cli import main
from nnviz.core import examples, io, propagation


@pytest.fixture
def example_path():
    """The path of a shipped example file (a real file, also from an installed wheel)."""
    stack = []

    def get(name: str) -> str:
        ref = resources.files("nnviz.resources").joinpath("networks", f"{name}.json")
        cm = resources.as_file(ref)
        stack.append(cm)
        return str(cm.__enter__())

    yield get
    for cm in stack:
        cm.__exit__(None, None, None)


def test_trace_one_neuron_reads_like_the_textbook(example_path, capsys):
    assert main(["trace", example_path("one_neuron")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = [line.strip() for line in out.splitlines()]
    assert "neuron 1: z = (2.0 × −1.5) + 1.0 = −2.0" in lines
    assert "a = ReLU(−2.0) = 0.0" in lines
    assert any(line.startswith("L = ") and line.endswith("= 0.5") for line in lines)
    # the gradients with their chain-rule products
    assert "neuron 1: ∂L/∂a = a − y = 0.0 − 1.0 = −1.0" in lines
    assert "∂L/∂z = ∂L/∂a · ReLU′(z) = (−1.0) × 0.0 = 0.0" in lines
    assert "w(x1→n1): ∂L/∂w = ∂L/∂a · ReLU′(z) · a_prev = (−1.0) × 0.0 × 2.0 = 0.0" in lines
    assert "Input gradient: ∂L/∂x1 = 0.0" in lines
    assert "Traceback" not in out


@pytest.mark.parametrize("name", examples.names())
def test_trace_json_equals_the_engine(name, example_path, capsys):
    assert main(["trace", example_path(name), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert set(data) == {"loss", "dL_dx", "layers"}
    project = io.load(example_path(name))
    net, s = project.network, project.sample
    trace, grads = propagation.evaluate(net, s.input, s.target)
    assert data["loss"] == grads.loss  # full precision: exactly equal
    assert data["dL_dx"] == grads.dL_dx[0].tolist()
    assert len(data["layers"]) == net.depth
    for l, layer in enumerate(data["layers"], start=1):  # noqa: E741
        assert set(layer) == {"activation", "z", "a", "dL_da", "dL_dz", "dL_dW", "dL_db"}
        assert layer["activation"] == net.layers[l - 1].activation
        assert layer["z"] == trace.z[l][0].tolist()
        assert layer["a"] == trace.a[l][0].tolist()
        assert layer["dL_da"] == grads.dL_da[l][0].tolist()
        assert layer["dL_dz"] == grads.dL_dz[l][0].tolist()
        assert layer["dL_dW"] == grads.dL_dW[l].tolist()
        assert layer["dL_db"] == grads.dL_db[l].tolist()
        assert np.shape(layer["dL_dW"]) == net.layers[l - 1].W.shape


def test_trace_json_one_neuron_numbers(example_path, capsys):
    assert main(["trace", example_path("one_neuron"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (layer,) = data["layers"]
    assert layer["activation"] == "relu"
    assert layer["z"] == [-2.0] and layer["a"] == [0.0]
    assert data["loss"] == 0.5 and layer["dL_da"] == [-1.0]
    assert layer["dL_dW"] == [[0.0]] and layer["dL_db"] == [0.0] and data["dL_dx"] == [0.0]


def test_trace_json_keeps_full_precision(tmp_path, capsys):
    path = tmp_path / "p.json"
    net_file = {
        "format": "nnviz.network",
        "version": 1,
        "layers": [
            {"size": 2},
            {
                "size": 2,
                "activation": "gelu",
                "weights": [[0.1, 0.2], [0.3, 0.4]],
                "biases": [0, 0],
            },
            {"size": 2, "activation": "softmax", "weights": [[1, 2], [3, 4]], "biases": [0.1, 0]},
        ],
        "loss": "cross_entropy",
        "sample": {"input": [1 / 3, -2 / 7], "target": [0, 1]},
    }
    path.write_text(json.dumps(net_file), encoding="utf-8")
    assert main(["trace", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    p = io.load(path)
    _, grads = propagation.evaluate(p.network, p.sample.input, p.sample.target)
    assert data["loss"] == grads.loss and repr(data["loss"]) == repr(grads.loss)
    assert len(repr(data["loss"])) > 12  # not rounded to a few decimals


def _bad_files(tmp_path):
    not_json = tmp_path / "not_json.json"
    not_json.write_text("{", encoding="utf-8")
    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text(
        json.dumps(
            {
                "format": "nnviz.network",
                "version": 1,
                "layers": [{"size": 2}, {"size": 3, "weights": [[1, 2], [3, 4]]}],
            }
        ),
        encoding="utf-8",
    )
    binary = tmp_path / "binary.json"
    binary.write_bytes(bytes(range(256)))
    return [
        (tmp_path / "missing.json", "no such file"),
        (not_json, "line 1, column 2: not valid JSON"),
        (wrong_shape, "layer 1: weights has 2 rows, expected 3"),
        (binary, "not a text file"),
        (tmp_path, "is a folder"),
    ]


@pytest.mark.parametrize("as_json", [False, True])
def test_a_bad_file_is_one_line_on_stderr_and_exit_2(tmp_path, capsys, as_json):
    for path, words in _bad_files(tmp_path):
        argv = ["trace", str(path)] + (["--json"] if as_json else [])
        assert main(argv) == 2, path
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith("nnviz: ") and err.endswith("\n") and err.count("\n") == 1, err
        assert words in err and "Traceback" not in err


def _run(*args: str, cwd) -> subprocess.CompletedProcess:
    # cwd outside the repository: `-m` must find the installed nnviz, not ./nnviz
    return subprocess.run(
        [sys.executable, "-m", "nnviz", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_python_dash_m_nnviz_trace(example_path, tmp_path):
    r = _run("trace", example_path("one_neuron"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "z = (2.0 × −1.5) + 1.0 = −2.0" in r.stdout
    assert "a = ReLU(−2.0) = 0.0" in r.stdout
    assert r.stderr == ""

    r = _run("trace", example_path("one_neuron"), "--json", cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["layers"][0]["z"] == [-2.0]

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nnviz.network", "version": 9, "layers": []}', encoding="utf-8")
    r = _run("trace", str(bad), cwd=tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == (
        "nnviz: bad.json: version: version 9 was written by a newer nnviz; "
        "this one reads version 1\n"
    )


def test_trace_never_imports_qt(example_path, tmp_path):
    """The core and `nnviz trace` work on a machine with no display libraries."""
    code = (
        "import sys, contextlib, io as _io\n"
        "import nnviz.core.activations, nnviz.core.losses, nnviz.core.network\n"
        "import nnviz.core.propagation, nnviz.core.io, nnviz.core.explain\n"
        "import nnviz.core.examples\n"
        "from nnviz.cli import main\n"
        "with contextlib.redirect_stdout(_io.StringIO()):\n"
        f"    assert main(['trace', {example_path('default')!r}]) == 0\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'nnviz.ui') or m.startswith('nnviz.ui'))\n"
        "assert not qt, qt\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr


def test_a_negative_target_is_subtracted_in_parentheses_never_as_a_double_minus(tmp_path):
    """QA: the chain rule read ``0.997 − −1.0`` for a ±1 target (mse, TFP's labels)."""
    from nnviz.core import examples, explain, io, propagation

    p = examples.load("one_neuron")
    p.sample.target[:] = -1.0
    for loss_act in (("mse", "tanh"), ("mse", "linear")):
        p.network.set_activation(p.network.depth, loss_act[1])
        trace, grads = propagation.evaluate(p.network, p.sample.input, p.sample.target)
        text = explain.report(p.network, p.sample.input, p.sample.target, trace, grads, 4)
        assert "− −" not in text and "(−1.0)" in text, text
    path = tmp_path / "neg.json"
    io.save(p, path)
