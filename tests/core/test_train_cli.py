"""``nnviz train`` and ``nnviz export --out model.py|data.csv``: headless, no Qt.

The exported scripts are run in a fresh interpreter and their last line compared
with the engine's output (the torch script only with torch installed).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

from nnviz.cli import main
from nnviz.core import codegen, datasets, examples, io, propagation
from nnviz.core.network import Network
from nnviz.core.training import Trainer
from nnviz.core.trainspec import parse_training


@pytest.fixture
def example_path():
    stack = []

    def get(name: str) -> str:
        cm = resources.as_file(
            resources.files("nnviz.resources").joinpath("networks", f"{name}.json")
        )
        stack.append(cm)
        return str(cm.__enter__())

    yield get
    for cm in stack:
        cm.__exit__(None, None, None)


def _write(tmp_path, data, name="net.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def test_train_json_reports_every_epoch_and_the_trained_file(example_path, capsys, tmp_path):
    out = tmp_path / "trained.json"
    assert (
        main(["train", example_path("train_xor"), "--epochs", "30", "--json", "--out", str(out)])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert [e["epoch"] for e in result["epochs"]] == list(range(1, 31))
    assert set(result["epochs"][0]) == {
        "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
    }  # fmt: skip
    assert result["epochs"][-1]["train_accuracy"] >= 0.95
    assert result["diverged"] is None
    # the same run through the API gives the same numbers and the same weights
    project = examples.load("train_xor")
    tr = Trainer(project.network, project.training, init_seed=project.seed, init=project.init)
    assert [s.to_dict() for s in tr.train(30)] == result["epochs"]
    trained = io.load(out)
    assert trained.network.same_as(tr.network)
    assert io.to_dict(trained) == result["network"]
    assert trained.training == project.training


def test_train_plain_text_and_regression_nulls(tmp_path, capsys):
    data = {
        "format": "nnviz.network", "version": 1,
        "layers": [{"size": 2}, {"size": 3}, {"size": 1, "activation": "linear"}],
        "training": {"dataset": {"kind": "reg-plane", "count": 60}, "train_fraction": 1.0},
    }  # fmt: skip
    path = _write(tmp_path, data)
    assert main(["train", path, "--epochs", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[-1].startswith("epoch      4") and "—" in lines[-1]
    assert main(["train", path, "--epochs", "2", "--json"]) == 0
    e = json.loads(capsys.readouterr().out)["epochs"][-1]
    assert e["train_accuracy"] is None and e["test_loss"] is None and e["test_accuracy"] is None


@pytest.mark.parametrize(
    "training, msg",
    [
        ({"optimizer": "rmsprop"}, "net.json: training, optimizer: unknown value 'rmsprop'"),
        ({"dataset": {"kind": "three-class"}}, "net.json: training: 3 classes need 3 output"),
        (
            {"features": ["x1"]},
            r"net.json: training: 1 feature\(s\) \(x1\) but the network has 2 input\(s\)",
        ),
        (None, "net.json: the file has no training section"),
    ],
)
def test_a_bad_training_section_is_one_sentence_and_exit_2(tmp_path, capsys, training, msg):
    data = {"format": "nnviz.network", "version": 1, "layers": [{"size": 2}, {"size": 1}]}
    if training is not None:
        data["training"] = training
    assert main(["train", _write(tmp_path, data)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert re.search(msg, err)


def test_a_diverging_run_says_so_keeps_finite_weights_and_exits_1(tmp_path, capsys):
    data = {
        "format": "nnviz.network", "version": 1,
        "layers": [{"size": 2}, {"size": 8, "activation": "relu"},
                   {"size": 1, "activation": "linear"}],
        "training": {"dataset": {"kind": "xor"}, "learning_rate": 900, "batch_size": 250},
    }  # fmt: skip
    out = tmp_path / "t.json"
    assert (
        main(["train", _write(tmp_path, data), "--epochs", "50", "--json", "--out", str(out)]) == 1
    )
    o, err = capsys.readouterr()
    assert "nnviz: training diverged: a weight grew beyond ±1e+06 at epoch" in err
    assert json.loads(o)["diverged"] in err
    net = io.load(out).network  # the last finite weights: a valid file
    assert all(np.all(np.isfinite(L.W)) for L in net.layers)


def _run(path):
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_numpy_script_prints_zero_for_the_one_neuron_exercise(example_path, tmp_path, capsys):
    out = tmp_path / "model.py"
    assert main(["export", example_path("one_neuron"), "--out", str(out)]) == 0
    assert _run(out) == [0.0]


@pytest.mark.parametrize("name", ["default", "deep_relu", "train_spiral", "train_three_classes"])
def test_the_numpy_script_gives_the_engines_output_bit_for_bit(example_path, tmp_path, name):
    out = tmp_path / "model.py"
    assert main(["export", example_path(name), "--out", str(out)]) == 0
    p = examples.load(name)
    assert _run(out) == propagation.forward(p.network, p.sample.input).output[0].tolist()


def test_every_activation_in_both_scripts_matches_the_engine(tmp_path):
    from nnviz.core import activations

    try:
        import torch  # noqa: F401
    except ImportError:
        torch = None
    names = [n for n in activations.NAMES if n != "softmax"]
    rng = np.random.default_rng(0)
    expected, scripts = [], []
    for k, act in enumerate(names + ["softmax"]):
        hidden = names[(k + 1) % len(names)]
        net = Network.create([3, 4, 3], [hidden, act], seed=k)
        for layer in net.layers:
            layer.W = rng.normal(0, 2, layer.W.shape)
        project = io.Project(net, io.Sample(rng.normal(0, 2, 3), np.zeros(3)), name=f"case {act}")
        expected.append(propagation.forward(net, project.sample.input).output[0].tolist())
        codegen.export_code(project, tmp_path / f"m{k}.py")
        scripts.append(str(tmp_path / f"m{k}.py"))
        if torch is not None:
            codegen.export_code(project, tmp_path / f"t{k}.py", torch=True)
    # one interpreter runs them all (each script's forward on its own SAMPLE)
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import json, runpy, sys\n"
        "out = []\n"
        "for path in sys.argv[1:]:\n"
        "    g = runpy.run_path(path)\n"
        "    out.append(g['forward'](g['SAMPLE'])[0].tolist())\n"
        "print(json.dumps(out))\n"
    )

    def run_all(paths):
        done = subprocess.run(
            [sys.executable, str(driver), *paths], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    assert run_all(scripts) == expected  # numpy: the engine's formulas, bit for bit
    if torch is not None:
        got = run_all([s.replace("/m", "/t") for s in scripts])
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["one_neuron", "train_spiral", "train_three_classes"])
def test_the_torch_script_is_an_nn_sequential_with_the_same_output(example_path, tmp_path, name):
    pytest.importorskip("torch")
    out = tmp_path / "model_torch.py"
    assert main(["export", example_path(name), "--out", str(out), "--torch"]) == 0
    assert "nn.Sequential(" in out.read_text()
    p = examples.load(name)
    expected = propagation.forward(p.network, p.sample.input).output[0]
    np.testing.assert_allclose(_run(out), expected, rtol=1e-12, atol=1e-15)


def test_the_scripts_inputs_function_applies_the_features(example_path, tmp_path):
    out = tmp_path / "spiral.py"
    assert main(["export", example_path("train_spiral"), "--out", str(out)]) == 0
    code = (
        out.read_text()
        + "\nprint(json.dumps(forward(inputs([[1.0, 2.0], [-3.0, 0.5]])).tolist()))\n"
    )
    (tmp_path / "s2.py").write_text(code)
    p = examples.load("train_spiral")
    tr = Trainer(p.network, p.training)
    assert _run(tmp_path / "s2.py") == tr.predict(np.array([[1.0, 2.0], [-3.0, 0.5]])).tolist()


def test_the_csv_export_reads_back_as_the_same_dataset(example_path, tmp_path, capsys):
    out = tmp_path / "data.csv"
    assert main(["export", example_path("train_three_classes"), "--out", str(out)]) == 0
    rows = datasets.read_csv(out)
    p = examples.load("train_three_classes")
    tr = Trainer(p.network, p.training)
    assert np.array_equal(rows[:, :2], tr.data.points) and np.array_equal(
        rows[:, 2], tr.data.labels
    )
    # as "points" with the same settings: the same split and the same training
    points = parse_training({"dataset": {"kind": "points", "points": rows.tolist()}}).dataset
    again = Trainer(p.network, p.training.with_changes(dataset=points))
    assert again.train(2) == tr.train(2)


@pytest.mark.parametrize(
    "args, msg",
    [
        (["--out", "m.csv"], "one_neuron.json: the file has no training section"),
        (["--out", "x.gif", "--torch"], "--torch writes a Python script"),
        (["--out", "m.csv", "--torch"], "--torch writes a Python script"),
        (["--out", "nofolder/m.py"], "the folder nofolder does not exist"),
        (["--out", "m.py", "--fps", "3"], "--fps: not an option of export to .py"),
    ],
)
def test_export_errors_are_one_sentence(example_path, tmp_path, monkeypatch, capsys, args, msg):
    monkeypatch.chdir(tmp_path)
    assert main(["export", example_path("one_neuron"), *args]) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["train_xor", "train_spiral", "train_three_classes"])
def test_every_training_example_trains_and_learns(example_path, capsys, name):
    assert main(["train", example_path(name), "--epochs", "15", "--json"]) == 0
    epochs = json.loads(capsys.readouterr().out)["epochs"]
    assert epochs[-1]["train_loss"] < epochs[0]["train_loss"]
    assert epochs[-1]["train_accuracy"] >= 0.9 and epochs[-1]["test_accuracy"] >= 0.85


@pytest.mark.parametrize("epochs", [1, 19, 20, 21, 39, 50, 100, 101])
def test_train_prints_at_most_20_lines_and_always_the_last_epoch(
    example_path, capsys, epochs, monkeypatch
):
    # QA2 F14h: 50 epochs printed 25 lines, README says at most about 20
    from nnviz.core.training import Trainer

    calls = {"n": 0}

    def quick_epoch(self):  # the printing is under test, not the training: no BLAS work
        from types import SimpleNamespace

        calls["n"] += 1
        return SimpleNamespace(
            epoch=calls["n"], train_loss=0.5, test_loss=0.5, train_accuracy=1.0,
            test_accuracy=1.0,
        )  # fmt: skip

    monkeypatch.setattr(Trainer, "run_epoch", quick_epoch)
    assert main(["train", example_path("train_xor"), "--epochs", str(epochs)]) == 0
    lines = capsys.readouterr().out.splitlines()
    shown = [int(line.split()[1]) for line in lines]
    assert len(lines) <= 20 and shown[-1] == epochs, shown
    assert len(lines) >= min(epochs, 10), shown  # thinned, not emptied
    assert shown == sorted(set(shown))


def test_a_diverged_cli_run_does_not_advise_what_it_already_did(tmp_path, capsys):
    # QA2 F14h: "go back to the last finite weights" after the CLI had done so
    data = {
        "format": "nnviz.network", "version": 1,
        "layers": [{"size": 2}, {"size": 8, "activation": "relu"},
                   {"size": 1, "activation": "linear"}],
        "training": {"dataset": {"kind": "xor"}, "learning_rate": 900, "batch_size": 250},
    }  # fmt: skip
    out = tmp_path / "t.json"
    assert main(["train", _write(tmp_path, data), "--epochs", "50", "--out", str(out)]) == 1
    o, err = capsys.readouterr()
    assert err.count("\n") == 1 and "go back" not in err, err
    assert err.startswith("nnviz: training diverged: ")
    assert f"the last finite weights were written to {out}; lower the learning rate" in err
    assert o.splitlines(), "the epochs before the divergence are printed"
