"""``nnviz bench --json --quick``: the shape of its answer, never its speed."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys

import pytest

from nnviz import bench

FRAME_KEYS = {"100", "1000", "10000", "100000"}


def _positive(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0


@pytest.fixture(scope="module")
def result() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NNVIZ_SETTINGS_SCOPE="test")
    proc = subprocess.run(
        [sys.executable, "-m", "nnviz", "bench", "--json", "--quick"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout[-2000:]  # --json prints one object and nothing else
    return json.loads(lines[0])


def test_the_json_has_every_measurement(result):
    for key in ("versions", "machine", "engine", "frame_ms", "edit_ms", "startup_ratio"):
        assert key in result
    assert "peak_rss_mb" in result
    assert result["quick"] is True
    v = result["versions"]
    for name in ("python", "numpy", "pyside6", "qt", "pyqtgraph", "nnviz"):
        assert isinstance(v[name], str) and v[name]
    m = result["machine"]
    assert isinstance(m["cpu"], str) and m["cpu"]
    assert isinstance(m["cores"], int) and m["cores"] >= 1


def test_engine_rows(result):
    torch_installed = importlib.util.find_spec("torch") is not None
    assert [r["network"] for r in result["engine"]] == [
        "2-8-8-1",
        "2-8-8-8-8-8-8-1",
        "784-128-10",
    ]
    assert [r["batch"] for r in result["engine"]] == [10, 10, 64]
    for row in result["engine"]:
        assert _positive(row["nnviz_steps_per_s"])
        if torch_installed:
            assert _positive(row["torch_steps_per_s"])
            assert row["same_loss"] is True  # the same network, weights and batch
        else:
            assert row["torch_steps_per_s"] is None


def test_frame_edit_startup_and_memory_are_positive_numbers(result):
    assert set(result["frame_ms"]) == FRAME_KEYS
    assert all(_positive(v) for v in result["frame_ms"].values())
    assert result["frame_details"]["canvas"] == list(bench.CANVAS_SIZE)
    real_time = result["frame_details"]["real_time"]
    assert set(real_time) == FRAME_KEYS
    for rt in real_time.values():  # the pass really played at the app's pace
        assert rt["frames"] >= 3
        assert _positive(rt["median_gap_ms"]) and rt["worst_gap_ms"] >= rt["median_gap_ms"]
        assert 0 <= rt["late_frames"] < rt["frames"]
    assert _positive(result["edit_ms"])
    assert _positive(result["startup_ratio"])
    assert _positive(result["peak_rss_mb"])


def test_the_soak_reports_its_ticks_and_memory_growth(result):
    """The soak's shape (issue 14): --quick plays SOAK_TICKS_QUICK ticks; the growth is a
    number of MB (it may be negative: memory handed back), never a pass/fail here."""
    soak = result["soak"]
    assert set(soak) == {"ticks", "rss_growth_mb"}
    assert soak["ticks"] == bench.SOAK_TICKS_QUICK
    growth = soak["rss_growth_mb"]
    assert isinstance(growth, (int, float)) and not isinstance(growth, bool)
    assert math.isfinite(growth)
    assert bench.SOAK_TICKS == 100_000  # what the full bench plays


def test_the_text_output_says_the_soak(result):
    text = bench._text(result)
    assert f"soak: {bench.SOAK_TICKS_QUICK:,} playback ticks" in text
    assert any(t["target"].startswith("soak") for t in result["targets"])


def test_targets_are_reported_not_enforced(result):
    names = [t["target"] for t in result["targets"]]
    assert len(names) == len(bench.TARGETS)
    for t in result["targets"]:
        assert t["ok"] in (True, False, None)


def test_targets_compare_each_figure_with_its_limit():
    fake = {
        "engine": [
            {"network": "2-8-8-1", "nnviz_steps_per_s": 30.0, "torch_steps_per_s": 10.0},
            {"network": "2-8-8-8-8-8-8-1", "nnviz_steps_per_s": 20.0, "torch_steps_per_s": 10.0},
        ],
        "frame_ms": {"1000": 8.0, "10000": 17.0, "100000": 1.0},
        "edit_ms": 3.0,
        "startup_ratio": 2.5,
        "peak_rss_mb": 100.0,
        "soak": {"ticks": 100_000, "rss_growth_mb": 25.0},
        "training": {"tfp_fps": 60.0, "fps": {"10000": 29.0}},  # no figure at 100,000
    }
    ok = [t["ok"] for t in bench.targets(fake)]
    assert ok == [True, False, True, False, True, True, False, True, False, True, False, None]


def test_training_rows_quiet_and_busy_with_one_and_two_threads(result):
    torch_installed = importlib.util.find_spec("torch") is not None
    rows = result["training"]["steps_per_s"]
    assert [(r["other_core_busy"], r["threads"]) for r in rows] == [
        (False, 1),
        (False, 2),
        (True, 1),
        (True, 2),
    ]
    for r in rows:
        assert r["network"] == "784-128-10" and r["batch"] == 64 and _positive(r["nnviz"])
        assert _positive(r["torch"]) if torch_installed else r["torch"] is None
    assert _positive(result["training"]["tfp_epoch_ms"])


def test_training_in_the_window_reports_fps_and_worst_frames(result):
    tr = result["training"]
    assert "steps_per_s" in tr  # the engine's figures stay beside the window's
    assert _positive(tr["tfp_fps"])
    assert set(tr["fps"]) == {"10000", "100000"}
    assert all(_positive(v) for v in tr["fps"].values())
    assert set(tr["worst_frame_ms"]) == {"tfp", "10000", "100000"}
    assert all(_positive(v) for v in tr["worst_frame_ms"].values())
    d = tr["window_details"]
    assert 9000 <= d["10000"]["edges"] <= 11000 and 90000 <= d["100000"]["edges"] <= 110000
    for key in ("tfp", "10000", "100000"):
        assert _positive(d[key]["epochs_per_s"]) or d[key]["steps_per_s"] > 0
    # while it trains, a big network's edges come from the live subset, not full renders
    assert d["100000"]["edge_images"]["live"] > 0
