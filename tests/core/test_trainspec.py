"""The file's training section: defaults, round trips, one sentence per bad field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.core import datasets, io
from nnviz.core.io import FileFormatError
from nnviz.core.trainspec import (
    DatasetSpec,
    TrainingSpec,
    check_against,
    parse_training,
    training_to_dict,
)

ISSUE_EXAMPLE = {
    "dataset": {"kind": "xor", "count": 500, "noise": 0.1, "seed": 1},
    "features": ["x1", "x2"],
    "optimizer": "adam",
    "learning_rate": 0.03,
    "momentum": 0.9,
    "betas": [0.9, 0.999],
    "eps": 1e-8,
    "regularization": "l2",
    "regularization_rate": 0.001,
    "batch_size": 10,
    "train_fraction": 0.5,
    "shuffle": True,
    "seed": 0,
}


def test_the_issues_example_reads_and_writes_back_the_same():
    spec = parse_training(ISSUE_EXAMPLE)
    assert spec.optimizer == "adam" and spec.dataset.kind == "xor" and spec.n_train == 250
    assert training_to_dict(spec) == ISSUE_EXAMPLE


def test_every_field_is_optional_and_unknown_fields_are_kept():
    assert parse_training({}) == TrainingSpec()
    spec = parse_training({"future": [1, 2], "dataset": {"kind": "spiral", "colour": "red"}})
    out = training_to_dict(spec)
    assert out["future"] == [1, 2] and out["dataset"]["colour"] == "red"
    assert parse_training(out) == spec


def test_points_datasets_round_trip():
    spec = parse_training({"dataset": {"kind": "points", "points": [[0, 1, 1], [2.5, -1, -1]]}})
    assert spec.count == 2 and spec.dataset.points == ((0.0, 1.0, 1.0), (2.5, -1.0, -1.0))
    assert parse_training(training_to_dict(spec)) == spec


@pytest.mark.parametrize(
    "patch, msg",
    [
        ({"optimizer": "rmsprop"}, "training, optimizer: unknown value 'rmsprop'"),
        ({"learning_rate": -1}, "training, learning_rate: -1 is out of range"),
        ({"learning_rate": 0}, "training, learning_rate: 0 is out of range"),
        ({"learning_rate": "fast"}, "training, learning_rate: expected a number"),
        ({"batch_size": 2.5}, "training, batch_size: expected a whole number"),
        ({"batch_size": 0}, "training, batch_size: 0 is out of range"),
        ({"betas": [0.9]}, "training, betas: expected a list of two numbers"),
        ({"betas": [0.9, 1.0]}, "training, betas: each beta must be below 1"),
        ({"shuffle": "yes"}, "training, shuffle: expected true or false"),
        ({"features": ["x1", "x3"]}, "training, features: unknown feature 'x3'"),
        ({"regularization": "l3"}, "training, regularization: unknown value 'l3'"),
        ({"train_fraction": 1.5}, "training, train_fraction: 1.5 is out of range"),
        ({"train_fraction": 0.0}, "training, train_fraction: 0 of 500 points leaves no point"),
        ({"dataset": {"kind": "moons"}}, "training, dataset, kind: unknown value 'moons'"),
        ({"dataset": {"kind": "xor", "count": 5000}}, "training, dataset, count: 5000 is out"),
        ({"dataset": {"kind": "xor", "noise": 0.9}}, "training, dataset, noise: 0.9 is out"),
        ({"dataset": {"kind": "points"}}, 'training, dataset: kind "points" needs a "points"'),
        (
            {"dataset": {"kind": "points", "points": [[0, 1, 1], [0, 1]]}},
            r"training, dataset, points\[1\]: expected \[x1, x2, label\], found 2 values",
        ),
        (
            {"dataset": {"kind": "points", "points": [[0, "a", 1]]}},
            r"training, dataset, points\[0\]\[1\]: expected a number",
        ),
        ({"dataset": []}, "training, dataset: expected an object"),
    ],
)
def test_a_bad_field_is_one_sentence_naming_it(patch, msg):
    with pytest.raises(FileFormatError, match=msg) as e:
        parse_training({**ISSUE_EXAMPLE, **patch})
    assert "\n" not in str(e.value)


def _file(**extra):
    data = {
        "format": "nnviz.network",
        "version": 1,
        "layers": [{"size": 2}, {"size": 3, "activation": "tanh"}, {"size": 1}],
        "future_field": {"kept": True},
    }
    data.update(extra)
    return data


def test_a_file_with_a_training_section_loads_and_saves_it(tmp_path):
    project = io.from_dict(_file(training=ISSUE_EXAMPLE))
    assert project.training == parse_training(ISSUE_EXAMPLE)
    assert "training" not in project.extra
    path = tmp_path / "t.json"
    io.save(project, path)
    back = json.loads(path.read_text())
    assert back["training"] == ISSUE_EXAMPLE and back["future_field"] == {"kept": True}
    assert io.load(path).training == project.training
    assert project.copy().training == project.training


def test_features_that_no_longer_match_the_inputs_still_load(tmp_path):
    """An input added or removed in the window must not make the saved file unreadable:
    the mismatch is reported when training starts (Trainer, nnviz train), not at load."""
    project = io.from_dict(_file(training={"features": ["x1", "x2", "x1^2"]}))
    assert project.training.features == ("x1", "x2", "x1^2")
    with pytest.raises(FileFormatError, match=r"training, features: 3 feature\(s\)"):
        check_against(project.training, project.network.input_size)


def test_older_files_without_the_section_load_and_save_as_before():
    project = io.from_dict(_file())
    assert project.training is None
    assert "training" not in io.to_dict(project)


def test_a_bad_section_refuses_the_file_with_one_sentence(tmp_path):
    with pytest.raises(FileFormatError, match="training, eps: expected a number"):
        io.from_dict(_file(training={**ISSUE_EXAMPLE, "eps": None}))
    with pytest.raises(FileFormatError, match="training: expected an object"):
        io.from_dict(_file(training=[1]))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_file(training={"batch_size": -1})))
    with pytest.raises(FileFormatError, match="^bad.json: training, batch_size"):
        io.load(path)


@given(
    kind=st.sampled_from(datasets.GENERATORS),
    count=st.integers(50, 1200),
    noise=st.floats(0.0, 0.5),
    feats=st.lists(
        st.sampled_from(["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]),
        min_size=1, max_size=7, unique=True,
    ),
    optimizer=st.sampled_from(["sgd", "momentum", "adam"]),
    lr=st.floats(1e-6, 10.0),
    reg=st.sampled_from(["none", "l1", "l2"]),
    batch=st.integers(1, 1000),
    fraction=st.floats(0.1, 1.0),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**63 - 1),
)  # fmt: skip
@settings(max_examples=80, deadline=None)
def test_any_valid_section_reads_back_equal_after_writing(
    kind, count, noise, feats, optimizer, lr, reg, batch, fraction, shuffle, seed
):
    spec = parse_training(
        {"dataset": {"kind": kind, "count": count, "noise": noise, "seed": seed},
         "features": feats, "optimizer": optimizer, "learning_rate": lr, "regularization": reg,
         "batch_size": batch, "train_fraction": fraction, "shuffle": shuffle, "seed": seed}
    )  # fmt: skip
    text = json.dumps(training_to_dict(spec), allow_nan=False)
    assert parse_training(json.loads(text)) == spec


def test_changes_are_checked_and_a_kept_dataset_is_not_parsed_again():
    spec = parse_training({"dataset": {"kind": "points", "points": [[0, 0, 1], [1, 1, -1]]}})
    changed = spec.with_changes(learning_rate=0.5, batch_size=1)
    assert changed.dataset is spec.dataset and changed.learning_rate == 0.5
    with pytest.raises(FileFormatError, match="training, learning_rate"):
        spec.with_changes(learning_rate=0.0)
    with pytest.raises(FileFormatError, match="0.1 of 2 points leaves no point to train on"):
        spec.with_changes(train_fraction=0.1)
    assert spec.with_changes(dataset=DatasetSpec("xor", 60)).dataset.count == 60
