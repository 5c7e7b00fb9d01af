"""The window on a real X screen (issue 11 item 6): Xvfb, the xcb platform, no window manager.

Offscreen tests cannot see a window that opens larger than the screen, a panel
painted somewhere else than its widget, or a key that goes to another widget than
the one a test hands it to. These tests run the app's own start-up on a real X
server, grab the screen (``QScreen.grabWindow``) and press real keys (xdotool,
through the X server's XTEST, so Qt's focus decides where they go).

Two ways to run them:

* ``python -m pytest`` (offscreen): ``test_real_screen_suite`` starts a private
  Xvfb at 1024×768 and at 1280×800 and runs the tests marked ``realscreen`` in
  it; without Xvfb it skips with the reason.
* ``.ci/run``'s phase "real screens": ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb`` and
  ``NNVIZ_REAL_SCREEN=WxH`` runs ``pytest -m realscreen`` (these tests and the
  marked window, canvas, playback and plot tests) at both sizes.

Settings live in a temporary folder; the user's own are never read or written.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from nnviz.ui import settings, window_layout
from nnviz.ui.document import Selection

REAL = os.environ.get("NNVIZ_REAL_SCREEN", "")
SIZES = ("1024x768", "1280x800")
ROOT = Path(__file__).resolve().parents[2]


def _on_real_screen() -> bool:
    return bool(REAL) and QApplication.platformName() == "xcb"


real_only = pytest.mark.skipif(
    not REAL,
    reason="needs a real X screen: test_real_screen_suite runs these under Xvfb "
    "(or .ci/run's real-screen phase)",
)


# ------------------------------------------------------------------ launcher
def _start_xvfb(size: str, log: Path):
    """A private Xvfb on a free display: (process, ':N'); None and why if it cannot start.
    Its messages go to ``log`` (a pipe nobody reads would fill and stall the server)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        return None, "Xvfb is not installed, so no X server can start (Debian: apt install xvfb)"
    r, w = os.pipe()
    with open(log, "wb") as err:
        try:
            proc = subprocess.Popen(
                [xvfb, "-displayfd", str(w), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                pass_fds=(w,),
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        finally:
            os.close(w)
    # the server writes "N\n" once it listens, maybe in pieces: read up to the newline
    # (closing the pipe before the server is done writing makes it exit)
    got = b""
    try:
        while not got.endswith(b"\n"):
            ready, _, _ = select.select([r], [], [], 15)
            piece = os.read(r, 32) if ready else b""
            if not piece:
                break
            got += piece
    finally:
        os.close(r)
    number = got.decode(errors="replace").strip()
    if not number.isdigit():
        proc.kill()
        proc.wait(timeout=5)
        lines = log.read_text(errors="replace").strip().splitlines()
        return None, f"Xvfb could not start: {lines[-1] if lines else 'no display number'}"
    return proc, f":{number}"


def run_real_screen_tests(test_file: Path, size: str, tmp_path: Path, timeout: float):
    """Run the ``realscreen`` tests of ``test_file`` on a private Xvfb of ``size``, in one
    process (windows of parallel workers would cover each other's grabs): the finished
    pytest run, and its output's last lines. Skips when this is that run, when CI runs
    them in a phase of their own, or when no X server can start."""
    if REAL:
        pytest.skip("this process is the real-screen run itself")
    if os.environ.get("NNVIZ_REAL_SCREEN_PHASE"):
        pytest.skip("CI runs the real-screen tests in a phase of their own (.ci/run)")
    proc, display = _start_xvfb(size, tmp_path / "xvfb.log")
    if proc is None:
        pytest.skip(display)
    env = dict(os.environ)
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        NNVIZ_REAL_SCREEN=size,
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        OPENBLAS_NUM_THREADS="1",
    )
    env.pop("WAYLAND_DISPLAY", None)
    try:
        r = subprocess.run(
            [sys.executable, "-m", "pytest", str(test_file), "-m", "realscreen", "-q"]
            + ["-n", "0", "-p", "no:cacheprovider", "--rootdir", str(ROOT)],
            env=env,
            cwd=str(ROOT),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return r, "\n".join((r.stdout + r.stderr).splitlines()[-60:])


@pytest.mark.parametrize("size", SIZES)
def test_real_screen_suite(size, tmp_path):
    """Runs the ``realscreen`` tests of this file on a private Xvfb of ``size``."""
    r, tail = run_real_screen_tests(Path(__file__), size, tmp_path, 600)
    assert r.returncode == 0, f"the real-screen tests failed at {size}:\n{tail}"
    passed = re.search(r"(\d+) passed", r.stdout)
    # all of them but the two launchers; the key test may skip without xdotool
    assert passed and int(passed.group(1)) >= 4, tail


# ------------------------------------------------------------------ helpers
@pytest.fixture
def private_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"real-{tmp_path.name}")
    monkeypatch.setenv("NNVIZ_CONFIG_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def started(qtbot, private_settings):
    """``start(*argv)``: the app's own start-up (placing, docks, panels) -> window."""
    from nnviz.cli import _app_parser
    from nnviz.ui import app

    windows = []

    def start(*argv):
        got = app.start(_app_parser().parse_args(list(argv)))
        assert isinstance(got, tuple), got
        _app, window = got
        windows.append(window)
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: "plots" in window.features, timeout=10_000)
        qtbot.wait(300)  # the deferred dock arrangement and the first paints
        return window

    yield start
    for w in windows:
        close(w)


def close(window) -> None:
    if window.isVisible():
        window.document.undo_stack.setClean()
        window.close()
        QApplication.processEvents()


def _array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    h, w = image.height(), image.width()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    return data.reshape(h, image.bytesPerLine() // 4, 4)[:, :w, :3].astype(np.int16)


def screen_matches(widget, tolerance: float = 0.02) -> float:
    """Grab the screen where ``widget`` is and compare it with the widget's own
    rendering: the share of pixels that differ (0: the widget is on screen, whole,
    where Qt thinks it is). Asserts it is at most ``tolerance``."""
    QApplication.processEvents()
    screen = widget.screen()
    top_left = widget.mapToGlobal(QPoint(0, 0)) - screen.geometry().topLeft()
    rect = QRect(top_left, widget.size())
    assert screen.geometry().translated(-screen.geometry().topLeft()).contains(rect), (
        f"{widget.objectName()} at {rect} is not wholly on the {screen.size()} screen"
    )
    shot = _array(screen.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height()).toImage())
    own = _array(widget.grab().toImage())
    h = min(shot.shape[0], own.shape[0])
    w = min(shot.shape[1], own.shape[1])
    differ = np.abs(shot[:h, :w] - own[:h, :w]).max(axis=2) > 24
    share = float(differ.mean())
    assert share <= tolerance, (
        f"{widget.objectName()}: {share:.1%} of its pixels on screen differ from it"
    )
    return share


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20)


# ------------------------------------------------------------------ the tests
pytestmark = pytest.mark.realscreen


@real_only
def test_first_start_fits_the_screen_whole_and_unclipped(started):
    assert _on_real_screen()
    w = started()
    screen = w.screen()
    sw, sh = (int(v) for v in REAL.split("x"))
    assert (screen.size().width(), screen.size().height()) == (sw, sh)
    available = screen.availableGeometry()
    assert available.contains(w.frameGeometry()), (w.frameGeometry(), available)
    assert w.width() <= 0.9 * sw + 1 and w.height() <= 0.9 * sh + 1  # not 1440x900
    assert abs(w.frameGeometry().center().x() - available.center().x()) <= 2
    assert window_layout.layout_problems(w) == []
    assert w.property("nnvizCompact") is True  # both small screens: tabs on the right
    screen_matches(w)
    screen_matches(w.toolbar)
    screen_matches(w.features["playback"].bar)


@real_only
def test_the_panels_and_plots_are_painted_where_they_are(started, qtbot):
    w = started()
    screen_matches(w.canvas)
    screen_matches(w.inspector)
    plot_dock = w.docks["activationPlotDock"]
    plot_dock.raise_()
    qtbot.waitUntil(lambda: not plot_dock.visibleRegion().isEmpty())
    qtbot.wait(200)
    screen_matches(w.activation_plot)
    assert window_layout.layout_problems(w) == []
    w.playback.seek_step(w.playback.last)  # the last step's caption is whole too
    qtbot.wait(100)
    assert window_layout.layout_problems(w) == []
    screen_matches(w.features["playback"].bar)


@real_only
def test_later_starts_restore_the_geometry_clamped_to_the_screen(started, qtbot):
    w = started()
    sw, sh = (int(v) for v in REAL.split("x"))
    w.setGeometry(20, 15, 950, 650)
    qtbot.waitUntil(lambda: w.geometry() == QRect(20, 15, 950, 650))
    close(w)
    assert settings.get("window/rect") == QRect(20, 15, 950, 650)
    w2 = started()
    assert w2.geometry() == QRect(20, 15, 950, 650)
    # saved on a bigger monitor, and partly off this one
    w2.setGeometry(300, 200, 1700, 1100)
    qtbot.wait(100)
    close(w2)
    w3 = started()
    assert QRect(0, 0, sw, sh).contains(w3.frameGeometry()), w3.frameGeometry()
    assert window_layout.layout_problems(w3) == []
    screen_matches(w3)


@real_only
def test_size_gives_exactly_that_size_on_a_real_screen(started):
    w = started("--size", "900x600")
    assert (w.width(), w.height()) == (900, 600)
    assert window_layout.layout_problems(w) == []
    screen_matches(w)


@real_only
@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is not installed")
def test_real_keys_play_after_an_inspector_edit(started, qtbot):
    """Click the weight field, type a value, Enter, then Space and the arrows, all
    as real key presses into the X server: Qt's focus decides where they go."""
    w = started()
    doc = w.document
    c = w.playback
    doc.select(Selection.of_edge(1, 0, 0))
    w.docks["inspectorDock"].raise_()
    spin = w.inspector.weight
    qtbot.waitUntil(lambda: spin.isVisible() and not spin.visibleRegion().isEmpty())
    xdotool("windowfocus", str(int(w.winId())))
    qtbot.wait(100)
    centre = spin.mapToGlobal(spin.rect().center())
    xdotool("mousemove", str(centre.x()), str(centre.y()), "click", "1")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is spin, timeout=5000)
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "30", "2.5")
    qtbot.waitUntil(lambda: spin.cleanText().startswith("2.5"), timeout=5000)
    xdotool("key", "Return")
    qtbot.waitUntil(lambda: doc.network.layers[0].W[0, 0] == pytest.approx(2.5), timeout=5000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.canvas, timeout=5000)

    xdotool("key", "space")  # "change w, then press Space to watch"
    qtbot.waitUntil(lambda: c.playing, timeout=5000)
    xdotool("key", "space")
    qtbot.waitUntil(lambda: not c.playing, timeout=5000)
    xdotool("key", "Home")
    qtbot.waitUntil(lambda: c.step == 0, timeout=5000)
    xdotool("key", "Right")
    qtbot.waitUntil(lambda: c.step == 1, timeout=5000)
    xdotool("key", "Next")  # PageDown
    qtbot.waitUntil(lambda: c.step == 2, timeout=5000)
    xdotool("key", "Prior", "Left")  # PageUp, Left
    qtbot.waitUntil(lambda: c.step == 0, timeout=5000)
    xdotool("key", "End")
    qtbot.waitUntil(lambda: c.step == c.last, timeout=5000)
    assert spin.value() == pytest.approx(2.5)  # none of the keys went into the field

    # a field that only has the focus: the keys still drive playback
    xdotool("mousemove", str(centre.x()), str(centre.y()), "click", "1")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is spin, timeout=5000)
    xdotool("key", "Home")
    qtbot.waitUntil(lambda: c.step == 0, timeout=5000)
    # typing: the keys are text, Esc puts the value back and the canvas has the focus
    xdotool("key", "ctrl+a")
    xdotool("type", "9")
    xdotool("key", "space", "Right")
    qtbot.wait(300)
    assert c.step == 0 and not c.playing
    xdotool("key", "Escape")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is w.canvas, timeout=5000)
    assert doc.network.layers[0].W[0, 0] == pytest.approx(2.5)
    assert spin.value() == pytest.approx(2.5)
    screen_matches(w)
