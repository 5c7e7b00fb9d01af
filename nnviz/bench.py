"""``nnviz bench``: how fast the engine and the drawing are on this machine.

    nnviz bench [--json] [--quick]

Everything is measured in this run, on this machine, and printed with the
versions and the machine it ran on:

``engine``
    training steps per second (forward + backward + SGD update, float64) of the
    core engine and of PyTorch CPU, same network, same batch, same process.
``frame_ms``
    one animation frame: advance the playback one tick and repaint the whole
    canvas (offscreen, 1280×800) in the full main window, for networks of about
    100, 1,000, 10,000 and 100,000 edges. The forward pass is played tick by
    tick; the figure is the median over the ticks of its edge steps (pulses
    travelling over the lit edges, the animation overlay fully drawn, the ticks
    that enter a step included), and the worst tick of the pass is reported too.
``edit_ms``
    set one weight through the document → values recomputed → every view that
    shows it repainted (the event loop's own painting), about 1,000 edges.
``startup_ratio``
    process start to the first painted main window, divided by the same for a
    bare PySide6 window, both measured here as subprocesses (medians; Python's
    compiled bytecode kept between runs, as an installed app has it).
``peak_rss_mb``
    peak resident memory of a subprocess that opens the 784-128-10 network
    (101,632 edges) and plays its whole timeline.
``training``
    ``steps_per_s``: the trainer's steps per second (forward, backward, Adam,
    the last finite weights kept) at 784-128-10 batch 64 against PyTorch's
    (``torch.optim.Adam``), with 1 and 2 BLAS / torch threads, on a quiet
    machine and with another process keeping one core busy. ``tfp_epoch_ms``:
    one epoch of TensorFlow Playground's default (2-4-2-1 tanh, 500 points
    half for training, batch 10, SGD), the engine alone. Training in the window,
    in the real event loop (frames are paints of the canvas): ``tfp_fps`` (TFP's
    default at one epoch a frame, with the 100×100 boundary, the neuron maps, the
    loss curve and the canvas), ``fps`` at about 10,000 and 100,000 edges
    (2-100-98-1, 2-316-316-1) training as fast as possible, ``worst_frame_ms``
    (the longest gap between two frames) and ``window_details`` (per network: the
    median frame, epochs and steps per second, the longest slice, and
    ``edge_images``: how often the canvas's edge image was rendered whole, from
    the live subset of the edges, or kept because its live rate is capped).

Timings are medians of several runs; ``--quick`` runs each part briefly (for
tests: the numbers are then rough). Nothing here is a pass/fail test; the
``targets`` entry only compares the figures with the goals of issues 6 and 12.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

#: the engine's networks: (name, sizes, batch, hidden activation, output, loss)
ENGINE_NETWORKS = (
    ("2-8-8-1", (2, 8, 8, 1), 10, "tanh", "tanh", "mse"),
    ("2-8-8-8-8-8-8-1", (2, 8, 8, 8, 8, 8, 8, 1), 10, "tanh", "tanh", "mse"),
    ("784-128-10", (784, 128, 10), 64, "relu", "softmax", "cross_entropy"),
)
#: the canvas's networks, by number of edges (about)
FRAME_NETWORKS = {
    "100": (4, 10, 6),  # 100 edges
    "1000": (20, 25, 20),  # 1,000
    "10000": (100, 50, 100),  # 10,000
    "100000": (784, 128, 10),  # 101,632
}
EDIT_NETWORK = FRAME_NETWORKS["1000"]
CANVAS_SIZE = (1280, 800)
LEARNING_RATE = 0.01

#: the goals of issues 6 and 12: (what, key path, limit, "max" = at most / "min" = at least)
TARGETS = (
    ("engine ≥ 3× PyTorch, 2-8-8-1", ("engine_ratio", "2-8-8-1"), 3.0, "min"),
    ("engine ≥ 3× PyTorch, 2-8-8-8-8-8-8-1", ("engine_ratio", "2-8-8-8-8-8-8-1"), 3.0, "min"),
    ("frame ≤ 8 ms at 1,000 edges", ("frame_ms", "1000"), 8.0, "max"),
    ("frame ≤ 16 ms at 10,000 edges", ("frame_ms", "10000"), 16.0, "max"),
    ("frame ≤ 50 ms at 100,000 edges", ("frame_ms", "100000"), 50.0, "max"),
    ("edit ≤ 16 ms", ("edit_ms",), 16.0, "max"),
    ("start-up ≤ 2× a bare window", ("startup_ratio",), 2.0, "max"),
    ("peak memory ≤ 300 MB at 100,000 edges", ("peak_rss_mb",), 300.0, "max"),
    ("soak: resident memory grows < 20 MB", ("soak", "rss_growth_mb"), 20.0, "max"),
    ("training TFP default ≥ 60 fps", ("training", "tfp_fps"), 60.0, "min"),
    ("training at 10,000 edges ≥ 30 fps", ("training", "fps", "10000"), 30.0, "min"),
    ("training at 100,000 edges ≥ 10 fps", ("training", "fps", "100000"), 10.0, "min"),
)


# ---------------------------------------------------------------- machine
def versions() -> dict[str, str | None]:
    import numpy

    out: dict[str, str | None] = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
    }
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        out["pyside6"] = PySide6.__version__
        out["qt"] = qVersion()
    except ImportError:  # pragma: no cover - nnviz depends on it
        out["pyside6"] = out["qt"] = None
    try:
        import pyqtgraph

        out["pyqtgraph"] = pyqtgraph.__version__
    except ImportError:  # pragma: no cover
        out["pyqtgraph"] = None
    torch = _torch()
    out["torch"] = torch.__version__ if torch is not None else None
    from nnviz import __version__

    out["nnviz"] = __version__
    return out


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every system
        load = None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "load_average": load,
    }


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


# ----------------------------------------------------------------- engine
def _rate(fn, seconds: float, repeats: int) -> float:
    """Median calls per second of ``fn`` over ``repeats`` runs of about ``seconds`` each."""
    fn()  # warm up
    rates = []
    for _ in range(repeats):
        n = 0
        t0 = time.perf_counter()
        end = t0 + seconds
        while True:
            fn()
            n += 1
            t = time.perf_counter()
            if t >= end:
                break
        rates.append(n / (t - t0))
    return statistics.median(rates)


def _engine_case(sizes, batch, hidden, output, loss, seed=0):
    import numpy as np

    from nnviz.core.network import Network

    net = Network.create(list(sizes), hidden, output_activation=output, loss=loss, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (batch, sizes[0]))
    if loss == "cross_entropy":
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    else:
        Y = rng.uniform(-0.8, 0.8, (batch, sizes[-1]))
    return net, X, Y


def _torch_step(torch, net, X, Y, hidden: str, output: str, loss: str, lr: float):
    """A PyTorch CPU float64 train step for the same network, weights and batch."""
    mods = []
    acts = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}
    for i, layer in enumerate(net.layers):
        lin = torch.nn.Linear(layer.fan_in, layer.size, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.W))
            lin.bias.copy_(torch.from_numpy(layer.b))
        mods.append(lin)
        last = i == len(net.layers) - 1
        act = output if last else hidden
        if not (last and loss == "cross_entropy"):  # cross_entropy takes the logits
            mods.append(acts[act]())
    model = torch.nn.Sequential(*mods)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    Xt = torch.from_numpy(X.copy())
    Yt = torch.from_numpy(Y.copy())

    if loss == "cross_entropy":

        def loss_fn(out):
            return torch.nn.functional.cross_entropy(out, Yt)
    else:

        def loss_fn(out):
            return 0.5 * ((out - Yt) ** 2).sum(dim=1).mean()

    def step() -> float:
        opt.zero_grad()
        value = loss_fn(model(Xt))
        value.backward()
        opt.step()
        return float(value.detach())

    return step


def _torch_adam_step(torch, net, X, Y):
    """PyTorch's Adam step for the 784-128-10 relu/softmax case (cross-entropy on logits)."""
    model = torch.nn.Sequential(
        torch.nn.Linear(net.layers[0].fan_in, net.layers[0].size, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(net.layers[1].fan_in, net.layers[1].size, dtype=torch.float64),
    )
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    Xt, Yt = torch.from_numpy(X.copy()), torch.from_numpy(Y.copy())

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(Xt), Yt).backward()
        opt.step()

    return step


def bench_training(quick: bool = False) -> dict[str, Any]:
    """The trainer's steps per second vs PyTorch, quiet and with a core busy; TFP's epoch."""
    from threadpoolctl import threadpool_limits

    from nnviz.core import optim
    from nnviz.core.network import Network
    from nnviz.core.training import Trainer, train_step
    from nnviz.core.trainspec import parse_training

    torch = _torch()
    seconds, repeats = (0.03, 1) if quick else (0.5, 3)
    net, X, Y = _engine_case((784, 128, 10), 64, "relu", "softmax", "cross_entropy")
    params = [a for layer in net.layers for a in (layer.W, layer.b)]
    opt = optim.Optimizer(params, [True, False] * net.depth, "adam", 0.001)
    keep = [p.copy() for p in params]
    ours = lambda: train_step(net, opt, X, Y, keep)  # noqa: E731
    theirs = _torch_adam_step(torch, net.copy(), X, Y) if torch is not None else None
    rows = []
    for busy in (False, True):
        spinner = None
        if busy:  # another process keeps one core busy, as the GUI or a browser would
            spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            time.sleep(0.2)
        try:
            for threads in (1, 2):
                row: dict[str, Any] = {
                    "network": "784-128-10",
                    "batch": 64,
                    "optimizer": "adam",
                    "other_core_busy": busy,
                    "threads": threads,
                }
                with threadpool_limits(limits=threads, user_api="blas"):
                    row["nnviz"] = round(_rate(ours, seconds, repeats), 1)
                if theirs is not None:
                    before = torch.get_num_threads()
                    torch.set_num_threads(threads)
                    try:
                        row["torch"] = round(_rate(theirs, seconds, repeats), 1)
                    finally:
                        torch.set_num_threads(before)
                else:
                    row["torch"] = None
                rows.append(row)
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
    spec = parse_training({"dataset": {"kind": "circle", "count": 500}, "batch_size": 10})
    tfp = Trainer(Network.create([2, 4, 2, 1], "tanh"), spec)
    epoch_s = 1.0 / _rate(tfp.run_epoch, seconds, repeats)
    return {"steps_per_s": rows, "tfp_epoch_ms": round(epoch_s * 1e3, 3)}


#: live training in the window: networks on the plane of about 10,000 and 100,000 edges
TRAIN_UI_NETWORKS = {"10000": (2, 100, 98, 1), "100000": (2, 316, 316, 1)}
#: TensorFlow Playground's default network
TFP_NETWORK = (2, 4, 2, 1)


def _training_window(sizes):
    """The main window on a tanh network ``sizes`` with TFP's default training settings."""
    app = _app()
    from nnviz.core import io
    from nnviz.core.trainspec import parse_training
    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    project = _project(sizes)
    project.training = parse_training(
        {"dataset": {"kind": "circle", "count": 500}, "batch_size": 10, "learning_rate": 0.03}
    )
    project.sample = io.Sample(project.sample.input[:2].copy(), project.sample.target.copy())
    win = MainWindow(Document(project), theme_choice="light")
    win.resize(1440, 900)
    win.show()
    app.processEvents()
    win.training.set_visible(True)
    win.canvas.fit()
    app.processEvents()
    return app, win


def _training_frames(app, win, speed: int, seconds: float) -> dict[str, Any]:
    """Train with ``speed`` (an index of the controller's SPEEDS) in the real event loop
    for ``seconds``; the frames are the canvas's paints, timed from the first one."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    ctrl = win.training.controller
    stamps: list[float] = []

    class Paints(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                stamps.append(time.perf_counter())
            return False

    vp = win.canvas.viewport()
    watcher = Paints()
    ctrl.set_speed(speed)
    ctrl.play()
    warm = QEventLoop()  # the first frames build caches: not counted
    QTimer.singleShot(300, warm.quit)
    warm.exec()
    epoch0, steps0 = ctrl.trainer.epoch, ctrl.trainer.steps_done
    st = win.canvas.static
    renders0 = (st.full_renders, st.live_renders, st.live_skips)
    vp.installEventFilter(watcher)
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    t0 = time.perf_counter()
    loop.exec()
    elapsed = time.perf_counter() - t0
    vp.removeEventFilter(watcher)
    epochs, steps = ctrl.trainer.epoch - epoch0, ctrl.trainer.steps_done - steps0
    renders = [b - a for a, b in zip(renders0, (st.full_renders, st.live_renders, st.live_skips))]
    ctrl.pause()
    gaps = [(b - a) * 1e3 for a, b in zip(stamps, stamps[1:])]
    slices = ctrl.slice_seconds[-200:]
    return {
        "fps": round((len(stamps) - 1) / (stamps[-1] - stamps[0]), 1) if len(gaps) else 0.0,
        "frames": len(stamps),
        "median_frame_ms": round(statistics.median(gaps), 1) if gaps else None,
        "worst_frame_ms": round(max(gaps), 1) if gaps else None,
        "epochs_per_s": round(epochs / elapsed, 1),
        "steps_per_s": round(steps / elapsed, 1),
        "longest_slice_ms": round(max(slices) * 1e3, 1) if slices else None,
        # the canvas's edge image: rendered whole, from the live subset, or not again
        # (its rate is capped while live) during the measured frames
        "edge_images": dict(zip(("full", "live", "kept"), renders)),
    }


def bench_training_window(quick: bool = False) -> dict[str, Any]:
    """Frames per second while training in the window (see ``training`` in the docstring)."""
    from nnviz.ui.training.controller import SPEEDS

    seconds = 1.0 if quick else 4.0
    per_frame = next(i for i, s in enumerate(SPEEDS) if s[1:] == (0, 1))  # 1 epoch a frame
    fastest = next(i for i, s in enumerate(SPEEDS) if s[1:] == (0, 0))
    details: dict[str, Any] = {}
    app, win = _training_window(TFP_NETWORK)
    try:
        details["tfp"] = _training_frames(app, win, per_frame, seconds)
    finally:
        _close(app, win)
    for key, sizes in TRAIN_UI_NETWORKS.items():
        app, win = _training_window(sizes)
        try:
            details[key] = _training_frames(app, win, fastest, seconds)
            details[key]["edges"] = win.document.network.n_edges
        finally:
            _close(app, win)
    return {
        "tfp_fps": details["tfp"]["fps"],
        "fps": {k: details[k]["fps"] for k in TRAIN_UI_NETWORKS},
        "worst_frame_ms": {k: details[k]["worst_frame_ms"] for k in ("tfp", *TRAIN_UI_NETWORKS)},
        "window_details": details,
    }


def bench_engine(quick: bool = False) -> list[dict[str, Any]]:
    """Training steps per second of nnviz and PyTorch for ENGINE_NETWORKS."""
    from nnviz.core.training import sgd_step

    torch = _torch()
    seconds, repeats = (0.03, 2) if quick else (0.5, 5)
    out = []
    for name, sizes, batch, hidden, output, loss in ENGINE_NETWORKS:
        net, X, Y = _engine_case(sizes, batch, hidden, output, loss)
        row: dict[str, Any] = {"network": name, "batch": batch}
        torch_step = None
        if torch is not None:
            torch_step = _torch_step(torch, net.copy(), X, Y, hidden, output, loss, LEARNING_RATE)
            # the same network: the first losses agree
            ours = sgd_step(net.copy(), X, Y, LEARNING_RATE)
            theirs = torch_step()
            row["same_loss"] = abs(ours - theirs) <= 1e-9 * max(1.0, abs(ours))
        row["nnviz_steps_per_s"] = round(
            _rate(lambda n=net, x=X, y=Y: sgd_step(n, x, y, LEARNING_RATE), seconds, repeats), 1
        )
        row["torch_steps_per_s"] = (
            round(_rate(torch_step, seconds, repeats), 1) if torch_step is not None else None
        )
        out.append(row)
    return out


# ---------------------------------------------------------------- the app
def _qt_env() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # never touch the user's own settings (recent files, theme)
    os.environ.setdefault("NNVIZ_SETTINGS_SCOPE", "bench")


def _quiet_qt_messages() -> None:
    """Drop the offscreen platform's one harmless warning, which it prints per window."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def _app():
    _qt_env()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        _quiet_qt_messages()
        app = QApplication([sys.argv[0] if sys.argv else "nnviz"])
    return app


def _project(sizes, seed: int = 0):
    import numpy as np

    from nnviz.core import io
    from nnviz.core.network import Network

    big = sizes[-1] > 1 and sizes[0] > 100
    if big:  # MNIST-like: ReLU, softmax output, cross-entropy
        net = Network.create(
            list(sizes), "relu", output_activation="softmax", loss="cross_entropy", seed=seed
        )
    else:
        net = Network.create(list(sizes), "tanh", seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, sizes[0])
    if big:
        y = np.eye(sizes[-1])[1]
    else:
        y = rng.uniform(-0.8, 0.8, sizes[-1])
    return io.Project(net, io.Sample(x, y), seed=seed, name=f"bench {'-'.join(map(str, sizes))}")


def _window(sizes):
    """The full main window on ``sizes``, its canvas viewport sized CANVAS_SIZE."""
    app = _app()
    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    win = MainWindow(Document(_project(sizes)), theme_choice="light")
    win.show()
    app.processEvents()
    want_w, want_h = CANVAS_SIZE
    for _ in range(6):
        vp = win.canvas.viewport()
        dw, dh = want_w - vp.width(), want_h - vp.height()
        if not dw and not dh:
            break
        win.resize(win.width() + dw, win.height() + dh)
        app.processEvents()
    win.canvas.fit()
    app.processEvents()
    return app, win


def _close(app, win) -> None:
    win.playback.pause()
    win.document.undo_stack.setClean()
    win.close()
    win.deleteLater()
    app.processEvents()


def _frames(app, win, start: int, stop_kind: str, max_ticks: int | None, paint) -> list:
    """Play from step ``start`` (at its beginning) until a ``stop_kind`` step or ``max_ticks``.

    Every tick is timed: ``advance(1)`` and then ``paint()``, including the ticks
    that cross into a new step (where the frame's still part changes). Returns
    (milliseconds, kind of the step shown) per tick.
    """
    ctl = win.playback
    ctl.seek(start, 0.0)
    paint()  # the frame before the first tick, untimed
    ctl.play()
    ctl.timer.stop()  # the bench is the timer: nothing ticks behind its back
    out = []
    while ctl.playing and (max_ticks is None or len(out) < max_ticks):
        t0 = time.perf_counter()
        ctl.advance(1.0)
        paint()
        ms = (time.perf_counter() - t0) * 1e3
        kind = ctl.plan.steps[ctl.step].kind
        if kind == stop_kind:
            break
        out.append((ms, kind))
    ctl.pause()
    return out


def _real_time(app, win, quick: bool) -> dict[str, Any]:
    """Play the forward pass as a user sees it: the playback's own timer, the event
    loop painting every widget, and whatever the app does between ticks (rendering
    the next step ahead of time). Returns the gaps between two paints of the canvas:
    their median, the worst, and how many frames came late (a gap over 1.5 ticks,
    i.e. at least one frame dropped)."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    from nnviz.ui.playback import TICK_MS

    ctl = win.playback
    plan = ctl.plan
    first = plan.find("forward_edges")
    stop = first + 2 if quick else plan.find("loss")
    stamps: list[float] = []

    class Paints(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                stamps.append(time.perf_counter())
            return False

    vp = win.canvas.viewport()
    watcher = Paints()
    vp.installEventFilter(watcher)
    ctl.seek(first, 0.0)
    app.processEvents()
    loop = QEventLoop()
    check = QTimer()
    check.timeout.connect(lambda: loop.quit() if ctl.step >= stop or not ctl.playing else None)
    check.start(5)
    QTimer.singleShot(120_000, loop.quit)  # never hang
    ctl.play()
    loop.exec()
    check.stop()
    ctl.pause()
    vp.removeEventFilter(watcher)
    gaps = [(b - a) * 1e3 for a, b in zip(stamps, stamps[1:])]
    if not gaps:
        return {"tick_ms": TICK_MS, "frames": len(stamps)}
    return {
        "tick_ms": TICK_MS,
        "frames": len(stamps),
        "median_gap_ms": round(statistics.median(gaps), 1),
        "worst_gap_ms": round(max(gaps), 1),
        "late_frames": sum(g > 1.5 * TICK_MS for g in gaps),
    }


def bench_frames(quick: bool = False) -> tuple[dict[str, float], dict[str, Any]]:
    """frame_ms per network size, and details (canvas size, worst frame, the app's frame).

    The forward pass is played tick by tick from its first edge step to the loss;
    ``frame_ms`` is the median over the ticks of the edge steps, where pulses travel
    over the lit edges (the heaviest overlay), the ticks that enter a step
    included; ``max_ms`` is the worst tick of the whole pass. ``--quick`` plays
    only a few ticks of the first edge step. ``real_time`` plays the pass at the
    app's own pace (see :func:`_real_time`).
    """
    out: dict[str, float] = {}
    details: dict[str, Any] = {"max_ms": {}, "app_ms": {}, "ticks": {}, "real_time": {}}
    for key, sizes in FRAME_NETWORKS.items():
        app, win = _window(sizes)
        vp = win.canvas.viewport()
        details["canvas"] = [vp.width(), vp.height()]
        plan = win.playback.plan
        first = plan.find("forward_edges")
        _frames(app, win, first, "loss", 3, vp.repaint)  # warm caches and fonts up
        ticks = _frames(app, win, first, "loss", 4 if quick else None, vp.repaint)
        edge_ticks = [ms for ms, kind in ticks if kind == "forward_edges"]
        out[key] = round(statistics.median(edge_ticks), 2)
        details["max_ms"][key] = round(max(ms for ms, _ in ticks), 2)
        details["ticks"][key] = len(ticks)
        # the same as the app paints it: the tick, then the event loop repaints every
        # widget that changed (canvas, caption, bar, chain-rule panel, activation plot)
        app_ticks = _frames(app, win, first, "loss", 4 if quick else None, app.processEvents)
        details["app_ms"][key] = round(
            statistics.median(ms for ms, kind in app_ticks if kind == "forward_edges"), 2
        )
        details["real_time"][key] = _real_time(app, win, quick)
        _close(app, win)
    return out, details


def bench_edit(quick: bool = False) -> float:
    """Milliseconds from setting one weight to every view repainted (median)."""
    app, win = _window(EDIT_NETWORK)
    doc = win.document
    w0 = doc.value_of(("weight", 1, 0, 0))
    n = 5 if quick else 60
    times = []
    for k in range(n + 3):
        value = round(w0 + 0.01 * (k % 7 + 1) * (-1) ** k, 6)
        t0 = time.perf_counter()
        doc.set_weight(1, 0, 0, value)
        app.processEvents()  # the event loop repaints what the edit changed
        if k >= 3:  # the first edits warm caches up
            times.append((time.perf_counter() - t0) * 1e3)
    _close(app, win)
    return round(statistics.median(times), 2)


# -------------------------------------------------------------- start-up
# The probe: once a QApplication exists, print "painted" right after the first
# paint of any window and exit. Both programs below get the same probe at the same
# moment (just after their QApplication is made), and each imports its modules in
# its own order: the bare window PySide6 alone; nnviz as the ``nnviz`` command
# does, through ``nnviz.cli.main`` (the core, and numpy, before Qt).
_PROBE = """
import os, sys


def install_probe(app):
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event):
            if not self.seen and event.type() == QEvent.Type.Paint:
                self.seen = True
                QTimer.singleShot(0, self.done)  # after the whole window's first paint
            return False

        def done(self):
            sys.stdout.write("painted\\n")
            sys.stdout.flush()
            os._exit(0)

    app._first_paint_probe = FirstPaint()
    app.installEventFilter(app._first_paint_probe)
"""

_BARE = (
    _PROBE
    + """
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication([sys.argv[0]])
install_probe(app)
w = QMainWindow()
w.setCentralWidget(QLabel("bare"))
w.resize(1440, 900)
w.show()
app.exec()
"""
)

_NNVIZ = (
    _PROBE
    + """
from nnviz import cli
from nnviz.ui import app as nnviz_app

nnviz_app.ON_QAPPLICATION.append(install_probe)
cli.main([])
"""
)


def _time_to_paint(code: str, pycache: str) -> float:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["NNVIZ_SETTINGS_SCOPE"] = "bench"
    # compiled bytecode is kept, as an installed app has it (pip compiles on install),
    # even where PYTHONDONTWRITEBYTECODE is set; in a folder of its own, never the source
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pycache
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        line = proc.stdout.readline()
        t = time.perf_counter() - t0
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        raise RuntimeError("a start-up subprocess did not finish") from None
    if line.strip() != b"painted":
        raise RuntimeError(f"a start-up subprocess failed: {err.decode(errors='replace')[-400:]}")
    return t


def bench_startup(quick: bool = False) -> tuple[float, dict[str, float]]:
    """(nnviz / bare time to first paint, the two medians in ms)."""
    # start-up times swing by ±30 % here from run to run (a 2-core VM), and the ratio
    # of the medians of 11 pairs still moved between 1.75 and 2.0 from one bench to
    # the next: 21 interleaved pairs, and the median of each
    runs = 1 if quick else 21
    bare, ours = [], []
    with tempfile.TemporaryDirectory(prefix="nnviz-bench-pycache-") as pycache:
        _time_to_paint(_BARE, pycache)  # warm the disk cache and the bytecode of both
        _time_to_paint(_NNVIZ, pycache)
        for _ in range(runs):
            bare.append(_time_to_paint(_BARE, pycache))
            ours.append(_time_to_paint(_NNVIZ, pycache))
    b, o = statistics.median(bare), statistics.median(ours)
    return round(o / b, 2), {"nnviz_ms": round(o * 1e3, 1), "bare_ms": round(b * 1e3, 1)}


# ------------------------------------------------------------------ memory
def _peak_rss_kb(resource) -> float:
    """This process's peak resident memory in kB.

    ``getrusage`` is the portable answer, but on Linux its ``ru_maxrss`` survives
    ``exec``: a child spawned by a big parent (this bench, once PyTorch is loaded)
    reports the parent's peak. The kernel's ``VmHWM`` belongs to this process's own
    memory only, so it is used where it exists.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _rss_child(quick: bool) -> None:
    """Open the 100,000-edge network, play its whole timeline, print the peak RSS in MB."""
    import resource

    app, win = _window(FRAME_NETWORKS["100000"])
    ctl = win.playback
    vp = win.canvas.viewport()
    for k in range(ctl.last + 1) if not quick else (1, 2):
        for fraction in (0.5, 1.0):
            ctl.seek(k, fraction)
            vp.repaint()
            app.processEvents()
    sys.stdout.write(f"{_peak_rss_kb(resource) / 1024.0:.1f}\n")
    sys.stdout.flush()
    os._exit(0)


def _child_result(code: str, timeout: float, what: str, parse):
    """Run ``code`` in a fresh offscreen Python (nothing this bench did counts there) and
    ``parse`` the last line it prints; its error output in one sentence if it fails."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["NNVIZ_SETTINGS_SCOPE"] = "bench"
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=env, timeout=timeout, check=False
    )
    try:
        return parse(res.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(
            f"the {what} subprocess failed: {res.stderr.decode(errors='replace')[-400:]}"
        ) from None


def bench_memory(quick: bool = False) -> float:
    code = f"from nnviz.bench import _rss_child; _rss_child({bool(quick)})"
    return _child_result(code, 600, "memory", float)


# -------------------------------------------------------------------- soak
#: the soak (issue 14): this many playback ticks, the window painting each one
SOAK_TICKS = 100_000
SOAK_TICKS_QUICK = 2_000
#: the soak's network: the 1,000-edge one, with its whole window
SOAK_NETWORK = FRAME_NETWORKS["1000"]
#: ticks played before the first reading (caches, fonts and pyqtgraph warm up)
SOAK_WARMUP = 1_000


def _rss_now_kb() -> float:
    """This process's resident memory now (``VmRSS``), in kB; 0 where /proc has none."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def _soak_child(ticks: int) -> None:
    """Play ``ticks`` ticks of the playback in the full window, from the end back to
    the start each time round, the canvas repainted and the events run every tick;
    print the resident memory after the warm-up and at the end (kB) as JSON."""
    app, win = _window(SOAK_NETWORK)
    ctl = win.playback
    vp = win.canvas.viewport()
    warmup = min(SOAK_WARMUP, ticks // 2)
    start_kb = 0.0
    for k in range(ticks):
        if k == warmup:
            gc.collect()
            start_kb = _rss_now_kb()
        if ctl.step >= ctl.last:
            ctl.seek(0, 1.0)
        else:
            ctl.advance(1.0)
        vp.repaint()
        app.processEvents()
    gc.collect()
    end_kb = _rss_now_kb()
    sys.stdout.write(json.dumps({"start_kb": start_kb, "end_kb": end_kb}) + "\n")
    sys.stdout.flush()
    os._exit(0)


def bench_soak(quick: bool = False) -> dict[str, Any]:
    """``{"ticks": N, "rss_growth_mb": x}``: what N ticks of playback add to the resident
    memory after the warm-up (a subprocess, so nothing else this bench did counts)."""
    ticks = SOAK_TICKS_QUICK if quick else SOAK_TICKS
    code = f"from nnviz.bench import _soak_child; _soak_child({ticks})"
    rss = _child_result(code, 3600, "soak", json.loads)
    growth = (rss["end_kb"] - rss["start_kb"]) / 1024.0
    return {"ticks": ticks, "rss_growth_mb": round(growth, 2)}


# -------------------------------------------------------------------- all
def _lookup(result: dict[str, Any], path: tuple[str, ...]):
    v: Any = result
    for k in path:
        if k == "engine_ratio":
            v = {
                r["network"]: (
                    r["nnviz_steps_per_s"] / r["torch_steps_per_s"]
                    if r.get("torch_steps_per_s")
                    else None
                )
                for r in result["engine"]
            }
            continue
        v = v.get(k) if isinstance(v, dict) else None
    return v


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for what, path, limit, kind in TARGETS:
        v = _lookup(result, path)
        ok = None if v is None else (v <= limit if kind == "max" else v >= limit)
        out.append({"target": what, "value": None if v is None else round(v, 2), "ok": ok})
    return out


def run(quick: bool = False) -> dict[str, Any]:
    """Every measurement, as the object ``--json`` prints."""
    result: dict[str, Any] = {
        "command": "nnviz bench --json" + (" --quick" if quick else ""),
        "quick": quick,
        "versions": versions(),
        "machine": machine(),
    }
    result["engine"] = bench_engine(quick)
    result["frame_ms"], result["frame_details"] = bench_frames(quick)
    result["edit_ms"] = bench_edit(quick)
    result["startup_ratio"], result["startup_details"] = bench_startup(quick)
    result["peak_rss_mb"] = bench_memory(quick)
    result["soak"] = bench_soak(quick)
    result["training"] = bench_training(quick)
    result["training"].update(bench_training_window(quick))
    result["targets"] = targets(result)
    return result


def _text(result: dict[str, Any]) -> str:
    v, m = result["versions"], result["machine"]
    lines = [
        f"nnviz {v['nnviz']} bench{' (quick: rough figures)' if result['quick'] else ''}",
        f"  Python {v['python']}, numpy {v['numpy']}, PySide6 {v['pyside6']} (Qt {v['qt']}), "
        f"pyqtgraph {v['pyqtgraph']}, torch {v['torch'] or 'not installed'}",
        f"  {m['cpu']}, {m['cores']} cores, load {m['load_average']}",
        "",
        "engine: training steps per second (forward + backward + SGD, float64)",
    ]
    for r in result["engine"]:
        t = r["torch_steps_per_s"]
        ratio = f"{r['nnviz_steps_per_s'] / t:.1f}×" if t else "-"
        lines.append(
            f"  {r['network']:<18} batch {r['batch']:<3} nnviz {r['nnviz_steps_per_s']:>9.0f}"
            f"   torch {t if t is not None else '-':>9}   {ratio}"
        )
    d = result["frame_details"]
    w, h = d["canvas"]
    lines.append(f"frame: advance one tick + repaint the canvas ({w}×{h})")
    for k, ms in result["frame_ms"].items():
        lines.append(
            f"  {int(k):>7,} edges  median {ms:7.2f} ms   worst of the pass "
            f"{d['max_ms'][k]:7.2f} ms   with the whole window {d['app_ms'][k]:7.2f} ms"
        )
    lines.append("playing in real time (the app's timer and event loop): gaps between frames")
    for k, rt in d["real_time"].items():
        if "worst_gap_ms" in rt:
            lines.append(
                f"  {int(k):>7,} edges  {rt['frames']} frames, one per {rt['tick_ms']} ms: "
                f"median {rt['median_gap_ms']:.1f} ms, worst {rt['worst_gap_ms']:.1f} ms, "
                f"{rt['late_frames']} late"
            )
    s = result["startup_details"]
    lines += [
        f"edit: one weight → recomputed → views repainted   {result['edit_ms']:.2f} ms",
        f"start-up to first paint: nnviz {s['nnviz_ms']:.0f} ms, bare window "
        f"{s['bare_ms']:.0f} ms, ratio {result['startup_ratio']:.2f}",
        f"peak memory at 100,000 edges: {result['peak_rss_mb']:.0f} MB",
        f"soak: {result['soak']['ticks']:,} playback ticks at 1,000 edges, resident memory "
        f"{result['soak']['rss_growth_mb']:+.1f} MB after the warm-up",
        "training: steps per second at 784-128-10 batch 64, Adam (threads: BLAS / torch)",
    ]
    for r in result["training"]["steps_per_s"]:
        when = "other core busy" if r["other_core_busy"] else "quiet          "
        lines.append(
            f"  {when}  {r['threads']} thread(s)  nnviz {r['nnviz']:>8.0f}   torch "
            f"{r['torch'] if r['torch'] is not None else '-':>8}"
        )
    lines += [
        f"  one epoch of TFP's default (2-4-2-1, 250 training points, batch 10): "
        f"{result['training']['tfp_epoch_ms']:.2f} ms",
        "training in the window (the real event loop; frames = paints of the canvas):",
    ]
    wd = result["training"]["window_details"]
    for key, label in (
        ("tfp", "TFP default, 1 epoch a frame"),
        ("10000", "10,000 edges, as fast as possible"),
        ("100000", "100,000 edges, as fast as possible"),
    ):
        r = wd[key]
        lines.append(
            f"  {label:<36} {r['fps']:6.1f} fps  median {r['median_frame_ms']} ms  worst "
            f"{r['worst_frame_ms']} ms  {r['epochs_per_s']} epochs/s  longest slice "
            f"{r['longest_slice_ms']} ms  edge images {r['edge_images']}"
        )
    lines += [
        "",
        "targets (issues 6 and 12):",
    ]
    for t in result["targets"]:
        mark = "ok  " if t["ok"] else ("MISS" if t["ok"] is False else "n/a ")
        lines.append(f"  {mark} {t['target']}: {t['value']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="nnviz bench",
        description="Measure the engine, animation frames, edits, start-up and memory here.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="short runs (rough figures, for tests)")
    args = p.parse_args(argv)
    result = run(quick=args.quick)
    if args.json:
        print(json.dumps(result))
    else:
        print(_text(result))
    return 0
