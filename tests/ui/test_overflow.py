"""Numbers that overflow are shown, not crashed on (issue 14, items 3 and 9).

A network within every limit of the file (33 layers of 16 neurons, every value at
±10⁶) overflows float64: z reaches 10²⁴³ and the loss ∞; with mixed signs ∞ − ∞
gives NaN. Before, that network broke the gradient-flow panel (ZeroDivisionError,
so "Gradient flow" and "Why non-linearity" were never built), `--screenshot`
exited 1 with a traceback, the canvas and `export` printed RuntimeWarnings and the
activation plot handed pyqtgraph an all-NaN range. Now every panel, the canvas and
each headless command show such numbers (the loss reads "overflow" with one line
saying why), plots clip, and no exception or warning escapes: the tests run with
warnings as errors, collect every exception Qt would swallow, and check that
nnviz's own error log stays empty.

Extreme networks (hypothesis, a fixed seed in CI, ``--fuzz-long`` for more): at
the limits — 1024-wide layers, 33 weighted layers, values ±10⁶ — with every
activation (softmax and GELU included) and every loss, through the window's
panels (every kind of selection, the playback stepped through, Apply update,
undo) and through `--screenshot`, `export` (PNG, SVG, GIF), `trace` and
`train --epochs 2`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import activations, explain, io, losses
from nnviz.core.network import Network
from nnviz.ui import errors
from nnviz.ui.document import Document, Selection

LONG = os.environ.get("NNVIZ_FUZZ_LONG") == "1"
BIG = 1e6  # the largest |value| a network file holds

#: (output activation, loss) pairs a network can have
HEADS = [(name, "mse") for name in activations.ELEMENTWISE_NAMES] + [
    ("sigmoid", "bce"),
    ("softmax", "cross_entropy"),
]
#: network shapes at the limits: 33 weighted layers, 1024-wide layers, the smallest
SHAPES = [
    (16,) * 34,  # the issue's network: 33 linear layers of 16
    (3,) * 34,
    (1024, 8, 1024),  # 1024-wide input and output layers
    (1, 1024, 2),  # a 1024-wide hidden layer
    (1, 1),
]


def extreme_project(
    sizes=(16,) * 34,
    hidden: str = "linear",
    output: str = "linear",
    loss: str = "mse",
    value: float = BIG,
    pattern: str = "same",
) -> io.Project:
    """A valid network whose every weight, bias and input is ±``value``.

    ``pattern`` "same": all +value (z grows to ∞); "checker": the sign alternates
    over the weights (∞ − ∞ = NaN appears); "negative": all −value.
    """
    net = Network.create(list(sizes), hidden, output_activation=output, loss=loss, seed=0)
    for layer in net.layers:
        if pattern == "checker":
            rows, cols = np.indices(layer.W.shape)
            layer.W[:] = np.where((rows + cols) % 2 == 0, value, -value)
            layer.b[:] = np.where(np.arange(layer.b.size) % 2 == 0, -value, value)
        else:
            sign = -1.0 if pattern == "negative" else 1.0
            layer.W[:] = sign * value
            layer.b[:] = sign * value
    net.validate()
    n_out = sizes[-1]
    if loss == "mse":
        target = np.full(n_out, -BIG if pattern == "same" else BIG)
    elif loss == "bce":
        target = np.zeros(n_out)
    else:
        target = np.eye(n_out)[0]
    x = np.full(sizes[0], value)
    return io.Project(net, io.Sample(x, target), name="extreme")


def overflowing(project: io.Project) -> bool:
    from nnviz.core import propagation

    with np.errstate(all="ignore"):
        trace, grads = propagation.evaluate(
            project.network, project.sample.input, project.sample.target
        )
    finite = math.isfinite(grads.loss) and np.isfinite(grads.dL_dx).all()
    return not (finite and all(np.isfinite(z).all() for z in trace.z[1:]))


class Escaped:
    """Every exception that reaches sys.excepthook (Qt's slots and virtual methods
    end there), every warning, and nnviz's error log: none of them may see anything."""

    def __init__(self) -> None:
        self.caught: list[str] = []

    @contextlib.contextmanager
    def watch(self):
        previous = sys.excepthook

        def hook(exc_type, exc, tb):
            import traceback

            self.caught.append("".join(traceback.format_exception(exc_type, exc, tb)))

        sys.excepthook = hook
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                yield self
        finally:
            sys.excepthook = previous

    def check(self) -> None:
        assert not self.caught, self.caught[0][-3000:]
        log = errors.log_path()
        for handler in errors.logger().handlers:
            handler.flush()
        text = log.read_text(encoding="utf-8") if log.exists() else ""
        assert "Traceback" not in text and "went wrong" not in text, text[-3000:]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """nnviz's log and settings in a folder of this test's own (the log must stay clean)."""
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NNVIZ_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "data"


def _window(document: Document):
    from nnviz.ui.main_window import MainWindow

    w = MainWindow(document, theme_choice="light")
    w.resize(1280, 800)
    w.show()
    return w


def _close(qapp, w) -> None:
    w.document.undo_stack.setClean()
    if w.playback is not None:
        w.playback.pause()
    w.close()
    w.deleteLater()
    qapp.processEvents()


def _every_selection(net: Network) -> list[Selection]:
    """An input, a first-layer, a middle and an output neuron; an edge into the first
    layer and one into the output; and nothing."""
    L = net.depth
    picks = [
        Selection.of_neuron(0, 0),
        Selection.of_neuron(1, 0),
        Selection.of_neuron(max(1, L // 2), net.sizes[max(1, L // 2)] - 1),
        Selection.of_neuron(L, net.sizes[L] - 1),
        Selection.of_edge(1, 0, 0),
        Selection.of_edge(L, net.sizes[L] - 1, net.sizes[L - 1] - 1),
    ]
    return [*picks, None]


def _through_the_window(qapp, w, steps: int | None = None) -> None:
    """Every dock shown, every kind of selection, the playback stepped through (every
    step, or ``steps`` spread over it), Apply update at the update step, then undo."""
    doc = w.document
    vp = w.canvas.viewport()
    for dock in w.docks.values():  # a panel hidden behind a tab redraws when shown
        dock.show()
        dock.raise_()
        qapp.processEvents()
        for sel in _every_selection(doc.network):
            doc.select(sel)
            qapp.processEvents()
        dock.grab()
    pb = w.playback
    all_steps = list(range(pb.last + 1))
    if steps is not None and len(all_steps) > steps:
        all_steps = sorted({*all_steps[:: max(1, len(all_steps) // steps)], pb.last})
    doc.select(Selection.of_neuron(doc.network.depth, 0))
    for step in all_steps:
        for fraction in (0.5, 1.0):
            pb.seek(step, fraction)
            qapp.processEvents()
        vp.repaint()
    before = io.dumps(doc.project)
    pb.seek(pb.last, 1.0)
    applied = doc.apply_update()  # refused with a sentence when it would overflow
    qapp.processEvents()
    w.grab()
    if applied:
        doc.undo_stack.undo()
        qapp.processEvents()
    assert io.dumps(doc.project) == before
    pb.seek(0, 1.0)
    qapp.processEvents()
    w.grab()


# ------------------------------------------------------------ the issue's network
def test_the_issues_network_overflows_and_every_panel_says_so(qapp, data_dir):
    """33 linear layers of 16 at ±1e6: the loss is ∞ and the window shows it."""
    project = extreme_project()
    assert overflowing(project)
    escaped = Escaped()
    with escaped.watch():
        doc = Document(project)
        w = _window(doc)
        qapp.processEvents()
        try:
            # the plots were built, "Gradient flow" and "Why non-linearity" among them
            assert w.gradient_flow is not None and w.linear_map is not None
            titles = {d.windowTitle() for d in w.docks.values()}
            assert {"Gradient flow", "Why non-linearity"} <= titles
            _through_the_window(qapp, w)  # every step of the playback

            # the loss box, the legend, the inspector and the chain rule say "overflow"
            assert explain.loss_text(doc.grads.loss) == "overflow"
            note = w.canvas.legend_layout()[3]
            assert "overflow" in note and "float64" in note
            doc.select(Selection.of_neuron(doc.network.depth, 0))
            qapp.processEvents()
            assert "loss = overflow" in w.inspector.values.text()
            chain = w.features["chain_rule"].panel
            w.playback.seek(0, 1.0)
            doc.select(None)
            qapp.processEvents()
            assert "overflow: the numbers grew past float64" in _panel_text(chain)

            # the gradient-flow plot puts ∞ and NaN on a ceiling it names, no ZeroDivision
            gf = w.gradient_flow
            gf.refresh(force=True)
            assert gf.ceiling is not None and math.isfinite(gf.ceiling)
            assert "overflow" in gf.summary.text()
            ys = np.concatenate([gf.dz_curve.getData()[1], gf.dW_curve.getData()[1]])
            assert np.isfinite(ys).all()
            for axis in gf.plot_item.viewRange() + w.activation_plot.plot_item.viewRange():
                assert all(math.isfinite(v) for v in axis)
        finally:
            _close(qapp, w)
    escaped.check()


def _panel_text(panel) -> str:
    from PySide6.QtWidgets import QLabel, QTextBrowser, QTextEdit

    parts = [lab.text() for lab in panel.findChildren(QLabel)]
    parts += [t.toPlainText() for t in panel.findChildren(QTextEdit)]
    parts += [t.toPlainText() for t in panel.findChildren(QTextBrowser)]
    return "\n".join(parts)


def test_the_canvas_loss_box_reads_overflow(qapp, data_dir):
    from PySide6.QtGui import QImage, QPainter

    doc = Document(extreme_project())
    escaped = Escaped()
    with escaped.watch():
        from nnviz.ui.canvas.view import NetworkCanvas

        canvas = NetworkCanvas(doc)
        canvas.resize(3200, 800)
        drawn: list[str] = []
        image = QImage(200, 60, QImage.Format.Format_ARGB32)
        p = QPainter(image)
        real = p.drawText

        class Recorder:
            def __getattr__(self, name):
                return getattr(p, name)

            def drawText(self, *args):  # noqa: N802 - Qt's name
                drawn.append(str(args[-1]))
                return real(*args)

        canvas.paint_outputs(Recorder())
        p.end()
    escaped.check()
    assert "loss = overflow" in drawn


def test_a_gelu_output_survives_apply_update_and_undo(qapp, data_dir):
    """The issue's second case: a GELU output gave two slot exceptions after Apply update."""
    project = extreme_project(hidden="linear", output="gelu", pattern="checker")
    assert overflowing(project)
    escaped = Escaped()
    with escaped.watch():
        w = _window(Document(project))
        try:
            _through_the_window(qapp, w, steps=8)
        finally:
            _close(qapp, w)
    escaped.check()


# ------------------------------------------------------- small pieces, exactly
def test_the_loss_line_explains_an_overflow_in_one_line():
    project = extreme_project()
    from nnviz.core import propagation

    net = project.network
    with np.errstate(all="ignore"):
        trace, grads = propagation.evaluate(net, project.sample.input, project.sample.target)
    line = explain.loss_line(net, trace, project.sample.target, grads)
    assert "\n" not in line
    assert line.endswith(f"= ∞ {explain.EM_DASH} overflow: {explain.OVERFLOW_NOTE}")
    assert explain.loss_text(float("nan")) == "overflow"
    assert explain.loss_text(float("-inf")) == "overflow"
    assert explain.loss_text(0.5) == "0.5"


def test_edge_buckets_draw_overflowed_edges_strongest_without_warnings():
    from nnviz.ui.canvas.view import edge_buckets

    values = np.array([1.0, -2.0, np.inf, -np.inf, np.nan, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bucket, sign = edge_buckets(values, 8)
        bucket_ref, _ = edge_buckets(values, 8, ref=float("inf"))
    assert list(bucket[2:5]) == [7, 7, 7]  # ±∞ and NaN: the strongest bucket
    assert bucket[5] == 7 and bucket[0] == 2  # the finite scale is the finite values'
    assert list(bucket_ref) == list(bucket)
    assert list(sign) == [1, -1, 1, -1, 0, 1]  # NaN: neither sign's colour


def test_the_gradient_ratio_is_read_in_decades():
    from nnviz.ui.panels.gradient_flow import _times

    assert _times(1.0) == "10"
    assert _times(5.0) == "1.0 × 10⁵"
    assert _times(400.0) == "1.0 × 10⁴⁰⁰"  # a ratio no float64 holds, still read out


@pytest.mark.parametrize("name", activations.NAMES)
def test_activations_take_huge_finite_z_silently(name):
    z = np.array([[1e300, -1e300, 1e200, -1e160, 1e154, 0.0]])
    z = z if name == "softmax" else z[0]
    act = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, df = act.f(z), act.df(z)
    assert np.isfinite(f).all() and np.isfinite(df).all()


# ---------------------------------------------------- extreme networks, fuzzed
def _fuzz(examples: int):
    return settings(
        max_examples=examples * 10 if LONG else examples,
        derandomize=not LONG,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )


@st.composite
def extreme_networks(draw):
    sizes = draw(st.sampled_from(SHAPES))
    hidden = draw(st.sampled_from(activations.ELEMENTWISE_NAMES))
    output, loss = draw(st.sampled_from(HEADS))
    if output == "softmax" and sizes[-1] < 2:  # a softmax output needs two neurons
        sizes = (*sizes[:-1], 2)
    value = draw(st.sampled_from([BIG, -BIG, 1.0, 1e-6]))
    pattern = draw(st.sampled_from(["same", "checker", "negative"]))
    return extreme_project(sizes, hidden, output, loss, value, pattern)


@_fuzz(5)
@given(extreme_networks())
def test_extreme_valid_networks_through_every_panel(qapp, data_dir, project):
    escaped = Escaped()
    with escaped.watch():
        doc = Document(project)
        w = _window(doc)
        try:
            _through_the_window(qapp, w, steps=6)
        finally:
            _close(qapp, w)
    escaped.check()
    assert io.loads(io.dumps(project)).network.sizes == project.network.sizes


@_fuzz(10)
@given(extreme_networks())
def test_extreme_valid_networks_through_trace(tmp_path_factory, project):
    """``trace`` and ``trace --json`` in the process: exit 0, strict JSON, no warning."""
    import io as stdio

    from nnviz.cli import main as cli_main

    path = tmp_path_factory.mktemp("trace") / "net.json"
    io.save(project, path)
    for extra in ([], ["--json"], ["--json", "--lr", "0.5"]):
        out = stdio.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(out):
            warnings.simplefilter("error")
            assert cli_main(["trace", str(path), *extra]) == 0
        if extra:
            result = json.loads(out.getvalue(), parse_constant=_no_constant)
            assert len(result["layers"]) == project.network.depth
        else:
            assert "Traceback" not in out.getvalue()


def _no_constant(name: str):
    raise AssertionError(f"{name} is not JSON")


# ------------------------------------------------------------ headless commands
def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NNVIZ_SETTINGS_SCOPE="test")
    env["OPENBLAS_NUM_THREADS"] = "1"
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "nnviz", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def _clean(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr[-3000:]


@pytest.mark.parametrize(
    ("hidden", "output", "loss", "pattern"),
    [
        ("linear", "linear", "mse", "same"),  # the issue's network
        ("linear", "gelu", "mse", "checker"),  # NaN from ∞ − ∞
        ("relu", "softmax", "cross_entropy", "same"),
    ],
)
def test_headless_commands_on_an_overflowing_network(tmp_path, hidden, output, loss, pattern):
    project = extreme_project((16,) * 34, hidden, output, loss, BIG, pattern)
    # z reaches 5e243 in each; squared by mse it overflows (cross-entropy stays finite)
    assert overflowing(project) == (loss == "mse")
    src = tmp_path / "extreme.json"
    io.save(project, src)
    _clean(_run(str(src), "--screenshot", str(tmp_path / "shot.png"), "--step", "40", cwd=tmp_path))
    assert (tmp_path / "shot.png").stat().st_size > 0
    size = "3200x800"  # 34 layers need about 90 px each
    for out, extra in (
        ("net.png", ["--step", "150"]),
        ("net.svg", []),
        ("pass.gif", ["--max-frames", "6"]),
    ):
        _clean(
            _run(
                "export",
                str(src),
                "--out",
                str(tmp_path / out),
                "--size",
                size,
                *extra,
                cwd=tmp_path,
            )
        )
        assert (tmp_path / out).stat().st_size > 0
    proc = _run("trace", str(src), "--json", cwd=tmp_path)
    _clean(proc)
    result = json.loads(proc.stdout, parse_constant=_no_constant)
    assert (result["loss"] is None) == (loss == "mse")  # null stands for the overflow


def test_train_two_epochs_on_an_extreme_network(tmp_path):
    """The training verb on values at ±1e6: it says the run diverged (or trains), one
    sentence, never a traceback or a warning."""
    project = extreme_project((2, 16, 16, 1), "linear", "linear", "mse", BIG, "same")
    data = json.loads(io.dumps(project))
    data["training"] = {
        "dataset": {"kind": "xor", "count": 60, "noise": 0.0, "seed": 1},
        "features": ["x1", "x2"],
        "optimizer": "sgd",
        "learning_rate": 0.03,
        "batch_size": 10,
        "train_fraction": 0.5,
        "seed": 0,
    }
    src = tmp_path / "train.json"
    src.write_text(json.dumps(data), encoding="utf-8")
    proc = _run("train", str(src), "--epochs", "2", "--json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]  # 1: it diverged, said so
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr[-3000:]
    json.loads(proc.stdout, parse_constant=_no_constant)


def test_every_loss_is_covered():
    assert {loss for _out, loss in HEADS} == set(losses.NAMES)
    assert {"softmax", "gelu"} <= {out for out, _loss in HEADS} | set(activations.NAMES)
