"""Datasets: TFP's shapes, seeds, labels -> targets, CSV errors naming the line; features."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.core import datasets, features
from nnviz.core.datasets import DatasetError


@pytest.mark.parametrize("kind", datasets.GENERATORS)
def test_the_same_seed_gives_the_same_points_and_another_seed_others(kind):
    a = datasets.generate(kind, 200, 0.2, seed=5)
    b = datasets.generate(kind, 200, 0.2, seed=5)
    c = datasets.generate(kind, 200, 0.2, seed=6)
    assert a.points.shape == (200, 2) and a.labels.shape == (200,)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.points, c.points)


@given(
    kind=st.sampled_from(datasets.GENERATORS),
    count=st.integers(datasets.MIN_COUNT, datasets.MAX_COUNT),
    noise=st.floats(0.0, datasets.MAX_NOISE),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_every_generator_gives_count_finite_points_with_valid_labels(kind, count, noise, seed):
    d = datasets.generate(kind, count, noise, seed)
    assert d.count == count and np.all(np.isfinite(d.points))
    if d.classes is None:
        assert np.all(np.abs(d.labels) <= 2.0)
    else:
        assert set(np.unique(d.labels)) <= set(range(d.classes))


def test_shapes_are_tfps_without_noise():
    c = datasets.generate("circle", 400, 0.0, 1)
    r = np.hypot(*c.points.T)
    assert np.all(r[c.labels == 1] < 2.5) and np.all(
        (r[c.labels == 0] >= 3.5) & (r[c.labels == 0] <= 5)
    )
    assert np.sum(c.labels == 1) == 200
    x = datasets.generate("xor", 400, 0.0, 1)
    assert np.all(np.abs(x.points) >= 0.3) and np.all(np.abs(x.points) <= 5.3)
    assert np.array_equal(x.labels, (x.points[:, 0] * x.points[:, 1] >= 0).astype(float))
    s = datasets.generate("spiral", 400, 0.0, 1)
    r = np.hypot(*s.points.T)
    assert r.max() < 5 and r[0] == 0.0
    g = datasets.generate("gauss", 400, 0.0, 1)
    assert np.allclose(g.points[g.labels == 1].mean(0), [2, 2], atol=0.3)
    p = datasets.generate("reg-plane", 400, 0.0, 1)
    assert np.allclose(p.labels, p.points.sum(1) / 10)
    t = datasets.generate("three-class", 300, 0.0, 1)
    assert t.classes == 3 and [int(np.sum(t.labels == k)) for k in range(3)] == [100] * 3


def test_noise_moves_labels_but_not_points_of_the_circle():
    quiet = datasets.generate("circle", 500, 0.0, 2)
    noisy = datasets.generate("circle", 500, 0.5, 2)
    assert np.array_equal(quiet.points, noisy.points)  # the same draws; noise only in labels
    assert 0 < np.sum(quiet.labels != noisy.labels) < 250


@pytest.mark.parametrize(
    "kind, count, noise, msg",
    [("moons", 100, 0, "unknown dataset 'moons'"), ("xor", 10, 0, "10 points"),
     ("xor", 100, 0.7, "noise 0.7")],
)  # fmt: skip
def test_bad_generator_settings_are_one_sentence(kind, count, noise, msg):
    with pytest.raises(DatasetError, match=msg):
        datasets.generate(kind, count, noise)


def test_targets_follow_the_loss():
    d = datasets.generate("xor", 100, 0.0, 0)
    y_mse = datasets.targets(d, "mse", 1)
    assert set(np.unique(y_mse)) == {-1.0, 1.0}
    assert set(np.unique(datasets.targets(d, "bce", 1))) == {0.0, 1.0}
    one_hot = datasets.targets(d, "cross_entropy", 2)
    assert np.array_equal(one_hot.argmax(1), d.labels) and np.all(one_hot.sum(1) == 1)
    t = datasets.generate("three-class", 90, 0.0, 0)
    with pytest.raises(DatasetError, match="3 classes need 3 output neurons"):
        datasets.targets(t, "mse", 1)
    r = datasets.generate("reg-gauss", 90, 0.0, 0)
    with pytest.raises(DatasetError, match="regression dataset cannot"):
        datasets.targets(r, "cross_entropy", 2)


def test_points_read_as_each_loss_writes_its_labels():
    rows = np.array([[0, 0, 1], [1, 1, -1], [2, 2, 1]], dtype=float)
    d = datasets.from_points(rows, "mse")
    assert d.classes == 2 and list(d.labels) == [1, 0, 1]
    assert list(datasets.labels_for(d, "mse")) == [1, -1, 1]
    assert datasets.from_points(np.array([[0, 0, 0.3]]), "mse").classes is None
    assert datasets.from_points(np.array([[0, 0, 2.0]]), "cross_entropy").classes == 3
    three = datasets.from_points(np.array([[0, 0, 2.0], [1, 1, 0.0]]), "mse", n_out=3)
    assert three.classes == 3 and datasets.targets(three, "mse", 3).tolist()[0] == [0, 0, 1]
    with pytest.raises(DatasetError, match="point 2: label -1 is not 0 or 1"):
        datasets.from_points(rows, "bce")
    with pytest.raises(DatasetError, match="point 1: label 0.5 is not a class index"):
        datasets.from_points(np.array([[0, 0, 0.5]]), "cross_entropy")


def test_csv_reads_a_header_blank_lines_and_other_separators():
    rows = datasets.parse_csv("x1,x2,label\n1,2,1\n\n-1.5, 0.25 ,-1\n")
    assert rows.tolist() == [[1, 2, 1], [-1.5, 0.25, -1]]
    assert datasets.parse_csv("1;2;0\n3;4;1\n").tolist() == [[1, 2, 0], [3, 4, 1]]
    assert datasets.parse_csv("1\t2\t0\n").tolist() == [[1, 2, 0]]


@pytest.mark.parametrize(
    "text, msg",
    [
        ("x1,x2,label\n1,2,1\n3,4\n", "line 3: expected 3 values \\(x1, x2, label\\), found 2"),
        ("1,2,1\n1,two,0\n", "line 2: 'two' is not a number"),
        ("1,2,1\n1,2,3,4\n", "line 2: expected 3 values"),
        ("1,2,1\n1,nan,1\n", "line 2: nan is not a finite number"),
        ("x1,x2,label\n", "no rows"),
        ("", "no rows"),
    ],
)
def test_a_bad_csv_row_is_one_sentence_naming_its_line(text, msg):
    with pytest.raises(DatasetError, match=msg):
        datasets.parse_csv(text)


def test_csv_round_trip_and_file_errors(tmp_path):
    d = datasets.generate("spiral", 60, 0.3, 4)
    path = tmp_path / "d.csv"
    path.write_text(datasets.csv_text(d.points, datasets.labels_for(d, "mse")))
    rows = datasets.read_csv(path)
    assert np.array_equal(rows[:, :2], d.points)
    assert np.array_equal(datasets.from_points(rows, "mse").labels, d.labels)
    with pytest.raises(DatasetError, match="nope.csv: no such file"):
        datasets.read_csv(tmp_path / "nope.csv")
    (tmp_path / "bad.csv").write_text("1,2,3\n4,5\n")
    with pytest.raises(DatasetError, match="^bad.csv: line 2"):
        datasets.read_csv(tmp_path / "bad.csv")


def test_features_are_the_seven_toggles_in_the_files_order():
    p = np.array([[0.5, -2.0], [1.0, 3.0]])
    X = features.transform(p, ["sin(x2)", "x1", "x1*x2", "x2^2", "x1^2", "x2", "sin(x1)"])
    expected = np.column_stack(
        [np.sin(p[:, 1]), p[:, 0], p[:, 0] * p[:, 1], p[:, 1] ** 2, p[:, 0] ** 2, p[:, 1],
         np.sin(p[:, 0])]
    )  # fmt: skip
    assert np.array_equal(X, expected)
    for bad, msg in [
        ([], "at least one"),
        (["x3"], "unknown feature 'x3'"),
        (["x1", "x1"], "twice"),
    ]:
        with pytest.raises(ValueError, match=msg):
            features.check(bad)


@pytest.mark.parametrize(
    "kind, loss, n_out",
    [("xor", "mse", 1), ("circle", "bce", 1), ("spiral", "cross_entropy", 2),
     ("three-class", "cross_entropy", 3), ("three-class", "mse", 3), ("reg-gauss", "mse", 1)],
)  # fmt: skip
def test_labels_written_for_a_loss_read_back_as_the_same_dataset(kind, loss, n_out):
    d = datasets.generate(kind, 120, 0.2, 3)
    rows = datasets.parse_csv(datasets.csv_text(d.points, datasets.labels_for(d, loss)))
    back = datasets.from_points(rows, loss, n_out)
    assert back.classes == d.classes
    assert np.array_equal(back.labels, d.labels) and np.array_equal(back.points, d.points)
    assert np.array_equal(datasets.targets(back, loss, n_out), datasets.targets(d, loss, n_out))


def test_every_generator_and_feature_has_a_display_name():
    assert set(datasets.TITLES) == set(datasets.GENERATORS)
    assert set(features.LABELS) == set(features.NAMES) == set(features.CODE)
