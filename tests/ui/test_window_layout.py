"""Window geometry and small-screen layouts (issue 11 items 1 and 2), offscreen.

The arithmetic is checked on made-up screens; the same rules on real X screens are
checked by tests/ui/test_real_screen.py under Xvfb.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QRect, QSize

from nnviz.core import examples
from nnviz.ui import settings, window_layout
from nnviz.ui.document import Document
from nnviz.ui.main_window import MainWindow

# also run on real X screens (Xvfb, xcb) by .ci/run's real-screen phase
pytestmark = pytest.mark.realscreen


@pytest.fixture
def private_settings(tmp_path, monkeypatch):
    """QSettings in a temporary folder: never the user's own ~/.config."""
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    monkeypatch.setenv("NNVIZ_CONFIG_DIR", str(tmp_path))
    yield tmp_path
    assert str(tmp_path) in settings.settings().fileName()


class FakeScreen:
    def __init__(self, rect: QRect) -> None:
        self._rect = rect

    def availableGeometry(self) -> QRect:  # noqa: N802
        return QRect(self._rect)


@pytest.fixture
def screen(monkeypatch):
    """The screen the window lands on, as a test chooses it."""
    current = {"screen": FakeScreen(QRect(0, 0, 1024, 768))}
    monkeypatch.setattr(window_layout, "_screen_for", lambda _rect: current["screen"])

    def use(x, y, w, h):
        current["screen"] = FakeScreen(QRect(x, y, w, h))

    return use


def _window(qtbot) -> MainWindow:
    w = MainWindow(Document(examples.default_project()), theme_choice="light")
    qtbot.addWidget(w)
    return w


def _close(w: MainWindow) -> None:
    w.document.undo_stack.setClean()
    w.close()


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (QRect(0, 0, 1024, 768), QRect(51, 38, 921, 691)),
        (QRect(0, 0, 1280, 800), QRect(64, 40, 1152, 720)),
        # a desktop panel on top and on the left: centred in what is left
        (QRect(64, 27, 1216, 773), QRect(125, 66, 1094, 695)),
        # a screen smaller than the minimum: the whole screen, never more
        (QRect(0, 0, 800, 600), QRect(0, 0, 800, 600)),
    ],
)
def test_first_start_is_at_most_90_percent_of_the_screen_centred(available, expected):
    got = window_layout.first_geometry(available)
    assert got == expected
    assert available.contains(got)
    assert got.width() <= max(0.9 * available.width(), window_layout.MIN_SIZE.width())


def test_clamp_brings_a_big_window_from_another_monitor_whole_onto_this_screen():
    small = QRect(0, 0, 1024, 768)
    got = window_layout.clamp(QRect(1800, 300, 1440, 900), small)
    assert small.contains(got)
    assert got.size() == QSize(1024, 768)
    got = window_layout.clamp(QRect(-300, -50, 600, 500), small)
    assert got == QRect(0, 0, 600, 500)
    # the frame a window manager adds is left room for
    got = window_layout.clamp(QRect(0, 0, 1024, 768), small, QSize(10, 30))
    assert got.size() == QSize(1014, 738)


def test_a_first_start_fits_the_screen_and_the_next_restores_it(qtbot, private_settings, screen):
    screen(0, 0, 1280, 800)
    w = _window(qtbot)
    window_layout.place(w)
    assert w.geometry() == QRect(64, 40, 1152, 720)  # not 1440x900 any more
    w.show()
    qtbot.waitExposed(w)
    w.setGeometry(100, 60, 1000, 700)
    _close(w)  # closing remembers the geometry and the docks
    assert settings.get("window/rect") is not None
    assert settings.get("window/state") is not None

    w2 = _window(qtbot)
    window_layout.place(w2)
    assert w2.geometry() == QRect(100, 60, 1000, 700)
    _close(w2)


def test_a_restored_window_is_clamped_to_a_smaller_screen(qtbot, private_settings, screen):
    screen(0, 0, 1920, 1200)
    w = _window(qtbot)
    window_layout.place(w)
    w.show()
    qtbot.waitExposed(w)
    w.setGeometry(700, 250, 1200, 900)
    _close(w)

    screen(0, 0, 1024, 768)  # the projector
    w2 = _window(qtbot)
    window_layout.place(w2)
    assert QRect(0, 0, 1024, 768).contains(w2.geometry())
    assert w2.width() == 1024 or w2.height() == 768
    _close(w2)


def test_windows_not_placed_by_the_app_remember_nothing(qtbot, private_settings):
    w = _window(qtbot)
    w.show()
    _close(w)
    assert settings.get("window/rect") is None


def test_size_gives_exactly_that_size(qtbot, private_settings, screen):
    w = _window(qtbot)
    window_layout.place(w, size=(1000, 700))
    assert w.size() == QSize(1000, 700)
    window_layout.arrange(w)
    w.show()
    qtbot.waitExposed(w)
    assert w.size() == QSize(1000, 700)
    _close(w)


@pytest.mark.parametrize("size", [(900, 600), (921, 691), (1024, 768), (1152, 720)])
def test_the_minimum_size_and_small_screens_show_every_control(qtbot, size):
    w = _window(qtbot)
    w.resize(*size)
    window_layout.arrange(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(50)
    assert w.size() == QSize(*size), "the window grew past the size asked for"
    check_layout(w)
    assert w.property("nnvizCompact") is True
    _close(w)


def test_a_tall_window_stacks_the_inspector_over_the_plots(qtbot):
    w = _window(qtbot)
    w.resize(1440, 900)
    window_layout.arrange(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(50)
    check_layout(w)
    inspector = w.docks["inspectorDock"]
    assert not w.tabifiedDockWidgets(inspector)
    assert w.property("nnvizCompact") is False
    _close(w)


def check_layout(w: MainWindow) -> None:
    """Every control of ``w`` visible, whole and readable."""
    assert window_layout.layout_problems(w) == []


def test_size_below_the_minimum_is_refused_with_a_sentence(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnviz",
            "--size",
            "800x600",
            "--screenshot",
            str(tmp_path / "a.png"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "800x600 is too small" in r.stderr and "900x600" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "a.png").exists()


def test_screenshot_at_the_minimum_is_exactly_that_size(tmp_path):
    out = tmp_path / "a.png"
    r = subprocess.run(
        [sys.executable, "-m", "nnviz", "--size", "900x600", "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "(900×600)" in r.stdout
