"""``nnviz export FILE --out OUT.gif``: the schedule of frames, the GIF, and bad input."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from nnviz import export
from nnviz.cli import main as cli_main
from nnviz.core import examples
from nnviz.core.timeline import PULSE_KINDS, build_plan


@pytest.fixture
def example_file(tmp_path):
    def write(name: str):
        path = tmp_path / f"{name}.json"
        from nnviz.core import io

        io.save(examples.load(name), path)
        return path

    return write


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    # export sets these for itself; keep the test process as it was
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")


@pytest.mark.parametrize("granularity", ["layer", "neuron"])
def test_schedule_covers_the_whole_timeline_in_order(granularity):
    plan = build_plan(examples.load("default").network, granularity)
    frames = export.frame_schedule(plan, fps=12)
    assert len(frames) <= export.MAX_FRAMES
    positions = [(s, f) for s, f, _ in frames]
    assert positions == sorted(positions)
    assert {s for s, _ in positions} == set(range(len(plan)))  # every step is seen
    assert positions[-1] == (plan.last, 1.0)
    assert frames[-1][2] == export.FINAL_HOLD_MS
    assert all(ms >= export.MIN_FRAME_MS and ms % 10 == 0 for _, _, ms in frames)
    # pulses travel over several frames; a reveal is one frame
    pulse = [s for s, step in enumerate(plan.steps) if step.kind in PULSE_KINDS]
    assert all(sum(1 for s, _ in positions if s == k) > 1 for k in pulse)
    assert all(
        sum(1 for s, _ in positions if s == k) == 1 for k in range(len(plan)) if k not in pulse
    )


def test_schedule_stays_small_for_long_timelines():
    from nnviz.core.network import Network

    net = Network.create([8, 24, 24, 4], "tanh")
    plan = build_plan(net, "neuron")
    assert len(plan) > 150
    frames = export.frame_schedule(plan, fps=12, max_frames=150)
    assert 100 <= len(frames) <= 150
    assert frames[0][0] == 0 and frames[-1][:2] == (plan.last, 1.0)
    tight = export.frame_schedule(build_plan(examples.load("default").network), 30, 20)
    assert len(tight) <= 20


def test_export_writes_an_animated_gif(example_file, tmp_path, capsys):
    src = example_file("one_neuron")
    out = tmp_path / "one.gif"
    code = export.main([str(src), "--out", str(out), "--size", "320x200", "--fps", "4"])
    assert code == 0
    captured = capsys.readouterr()
    assert "saved" in captured.out and str(out) in captured.out
    # not a terminal here: a start and an end line, not a redrawn bar
    assert captured.err.splitlines()[-1].startswith("nnviz export: frame ")
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.size == (320, 200)
        assert gif.n_frames > 1
        # frames differ: the animation moves
        gif.seek(0)
        first = gif.convert("RGB").tobytes()
        gif.seek(gif.n_frames - 1)
        assert gif.convert("RGB").tobytes() != first


def test_export_of_the_231_network_whole_window_neuron_by_neuron(example_file, tmp_path):
    out = tmp_path / "net.gif"
    code = export.main(
        [
            str(example_file("default")),
            "--out",
            str(out),
            "--size",
            "640x400",
            "--fps",
            "2",
            "--granularity",
            "neuron",
            "--window",
            "--max-frames",
            "40",
        ]
    )
    assert code == 0
    with Image.open(out) as gif:
        assert 1 < gif.n_frames <= 40


def test_a_bad_file_is_one_sentence_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "nnviz.network", "version": 1, "layers": []}))
    code = cli_main(["export", str(bad), "--out", str(tmp_path / "x.gif")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert not (tmp_path / "x.gif").exists()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        # QA2 F14g: every accepted extension is named, .py and .csv too
        ("x.jpg", "must be a .svg, .png or .gif picture, a .py script or a .csv of the dataset"),
        ("m.txt", "must be a .svg, .png or .gif picture, a .py script or a .csv of the dataset"),
        ("missing/x.gif", "does not exist"),
    ],
)
def test_a_bad_output_is_one_sentence(example_file, tmp_path, capsys, out, message):
    code = export.main([str(example_file("default")), "--out", str(tmp_path / out)])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_options_are_refused_by_the_parser(example_file, tmp_path, capsys):
    src = str(example_file("default"))
    for extra in (["--size", "10x10"], ["--fps", "0"], ["--granularity", "edge"]):
        with pytest.raises(SystemExit) as e:
            export.main([src, "--out", str(tmp_path / "x.gif"), *extra])
        assert e.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_progress_is_a_bar_on_a_terminal_and_two_lines_in_a_log(capsys, monkeypatch):
    import sys

    from nnviz import export

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    for i in range(1, 11):
        export._progress(i, 10)
    assert "\rnnviz export [" in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    for i in range(1, 11):
        export._progress(i, 10)
    assert capsys.readouterr().err.splitlines() == [
        "nnviz export: frame 1/10",
        "nnviz export: frame 10/10",
    ]
