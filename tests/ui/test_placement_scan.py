"""The placement pass's pure-Python box test gives exactly what the numpy scan gave.

``placement.place`` tests a candidate against the boxes placed so far with a plain
Python loop (newest first) instead of one numpy expression per candidate (whose
per-call overhead cost ~3 ms a training frame). The reference below is the pass as
it was; every test compares the two label by label: which labels are placed, where,
with or without a leader line, which are dropped or off the view.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.core import examples
from nnviz.ui.canvas import animation, placement, scenetext, view, weight_labels
from nnviz.ui.document import Document, Selection
from nnviz.ui.main_window import MainWindow


def reference_place(labels, obstacles, zoom, bounds=None):
    """The placement pass as it was (a numpy scan of every box for each candidate)."""
    zoom = max(zoom, 1e-3)
    offscreen = []
    if bounds is not None:
        bl, bt, br, bb = bounds
        inside = []
        for lab in labels:
            ax, ay = lab.anchor
            (inside if bl <= ax <= br and bt <= ay <= bb else offscreen).append(lab)
        labels = inside
    gap = placement.GAP_PX / zoom
    boxes = np.empty((len(obstacles) + len(labels) + 1, 4))
    n = 0
    for o in obstacles:
        boxes[n] = o
        n += 1

    def hits(r):
        if n == 0:
            return False
        b = boxes[:n]
        return bool(
            np.any((b[:, 0] < r[2]) & (b[:, 2] > r[0]) & (b[:, 1] < r[3]) & (b[:, 3] > r[1]))
        )

    placed, dropped = [], []
    for lab in sorted(labels, key=lambda b: b.priority):
        hw, hh = lab.w / 2 / zoom, lab.h / 2 / zoom
        for k, (cx, cy) in enumerate(lab.candidates):
            r = (cx - hw, cy - hh, cx + hw, cy + hh)
            test = (r[0] - gap, r[1] - gap, r[2] + gap, r[3] + gap)
            if bounds is not None and (
                r[0] < bounds[0] or r[1] < bounds[1] or r[2] > bounds[2] or r[3] > bounds[3]
            ):
                continue
            if not hits(test):
                lab.rect = r
                lab.leader = k >= lab.leader_from
                boxes[n] = r
                n += 1
                placed.append(lab)
                break
        else:
            lab.rect = None
            dropped.append(lab)
    return placement.Placement(placed, dropped, offscreen)


def _copy(labels):
    return [
        replace(lab, candidates=list(lab.candidates), rect=None, leader=False) for lab in labels
    ]


def _summary(result):
    def one(lab):  # repr: NaN equals NaN here
        return (
            lab.key,
            None if lab.rect is None else repr(tuple(map(float, lab.rect))),
            lab.leader,
        )

    return (
        [one(lab) for lab in result.placed],
        [lab.key for lab in result.dropped],
        [lab.key for lab in result.offscreen],
    )


def _same(labels, obstacles, zoom, bounds=None) -> None:
    want = reference_place(_copy(labels), list(obstacles), zoom, bounds)
    got = placement.place(_copy(labels), list(obstacles), zoom, bounds)
    assert _summary(got) == _summary(want)


def _lab(key, w, h, priority, anchor, cands, leader_from=10**9):
    return placement.Label(key, str(key), w, h, priority, anchor, list(cands), leader_from)


def test_the_label_tests_cases_place_as_before():
    a = _lab(("a",), 40, 20, 0, (0, 0), [(0.0, 0.0)])
    b = _lab(("b",), 40, 20, 1, (0, 0), [(5.0, 5.0)])
    c = _lab(("c",), 40, 20, 1, (0, 0), [(5.0, 5.0), (0.0, 40.0)])
    _same([b, c, a], [], 1.0)
    _same([_lab(("n",), 10, 10, 0, (0, 0), [(0.0, 0.0)])], [(-3.0, -3.0, 3.0, 3.0)], 1.0)
    inside = _lab(("a",), 40, 20, 0, (50, 50), [(95.0, 50.0), (50.0, 50.0)])
    away = _lab(("b",), 40, 20, 0, (500, 50), [(500.0, 50.0)])
    _same([inside, away], [], 1.0, bounds=(0.0, 0.0, 100.0, 100.0))
    # and the results the label tests assert
    out = placement.place([b, c, a], obstacles=[], zoom=1.0)
    assert [lab.key for lab in out.placed] == [("a",), ("c",)]
    assert out.placed[1].rect == (-20.0, 30.0, 20.0, 50.0)


def test_boxes_that_are_huge_inverted_or_not_finite_block_as_before():
    lab = [
        _lab(("a",), 30, 10, 0, (0, 0), [(0.0, 0.0), (100.0, 0.0), (1e6, 5.0), (-40.0, 300.0)]),
        _lab(("b",), 30, 10, 1, (0, 0), [(0.0, 0.0), (100.0, 0.0), (200.0, 0.0)]),
        _lab(("c",), math.nan, 10, 2, (0, 0), [(0.0, 0.0)]),
        _lab(("d",), 30, 10, 2, (0, 0), [(math.inf, 0.0), (0.0, 60.0)]),
    ]
    for obstacles in (
        [(-1e9, -5.0, 1e9, 5.0)],  # one box across everything
        [(20.0, 10.0, -20.0, -10.0)],  # inverted
        [(math.nan, 0.0, 5.0, 5.0), (-math.inf, -1.0, math.inf, 1.0)],
        [(90.0, -3.0, 110.0, 3.0), (0.0, 0.0, 0.0, 0.0)],
    ):
        for zoom in (1.0, 0.01, 37.0, 0.0):
            _same(lab, obstacles, zoom)
            _same(lab, obstacles, zoom, bounds=(-50.0, -50.0, 250.0, 250.0))


coord = st.floats(-300, 300, allow_nan=False)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    labels=st.lists(
        st.tuples(
            st.floats(1, 120),
            st.floats(1, 40),
            st.integers(0, 3),
            st.lists(st.tuples(coord, coord), min_size=1, max_size=12),
            st.integers(0, 12),
        ),
        max_size=25,
    ),
    obstacles=st.lists(st.tuples(coord, coord, st.floats(0, 200), st.floats(0, 200)), max_size=20),
    zoom=st.sampled_from([0.05, 0.5, 1.0, 1.3, 4.0]),
    bounded=st.booleans(),
)
def test_random_scenes_place_as_before(labels, obstacles, zoom, bounded):
    labs = [
        _lab((k,), w, h, pr, cands[0], cands, leader)
        for k, (w, h, pr, cands, leader) in enumerate(labels)
    ]
    obs = [(x, y, x + w, y + h) for x, y, w, h in obstacles]
    _same(labs, obs, zoom, (-200.0, -150.0, 250.0, 220.0) if bounded else None)


def _recording(monkeypatch, calls):
    """Every call of ``place`` the canvas makes, with the reference's answer (compared
    by the test, not inside a paint event)."""
    real = placement.place

    def checked(labels, obstacles, zoom, bounds=None):
        want = reference_place(_copy(labels), list(obstacles), zoom, bounds)
        got = real(labels, obstacles, zoom, bounds)
        calls.append((len(labels), _summary(got), _summary(want)))
        return got

    for module in (placement, weight_labels, scenetext, animation, view):
        if hasattr(module, "place"):
            monkeypatch.setattr(module, "place", checked)


@pytest.mark.parametrize("name", ["default", "train_xor", "train_three_classes", "deep_relu"])
def test_the_canvas_places_as_before_while_editing_and_playing(qtbot, tmp_path, monkeypatch, name):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    try:
        project = examples.load(name)
    except Exception:  # noqa: BLE001 - an example another branch renamed
        pytest.skip(f"no example {name}")
    calls: list[tuple] = []
    _recording(monkeypatch, calls)
    window = MainWindow(Document(project), theme_choice="light")
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    window.resize(1024, 768)
    window.show()
    qtbot.waitExposed(window)
    canvas, c = window.canvas, window.playback
    canvas.fit()
    canvas.viewport().grab()
    doc = window.document
    doc.select(Selection.of_edge(1, 0, 0))
    canvas.viewport().grab()
    for step in range(1, c.last + 1):
        c.seek(step, 0.5)
        canvas.viewport().grab()
    c.seek(0, 0.0)
    if project.training is not None:  # the weight labels while it trains
        window.training.set_visible(True)
        for _ in range(3):
            window.training.controller.epoch_once()
            canvas.viewport().grab()
    assert calls and max(n for n, _, _ in calls) > 3
    for _n, got, want in calls:
        assert got == want
