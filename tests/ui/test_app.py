"""Starting the app in-process: the interactive start-up and ``--screenshot``."""

from __future__ import annotations

import gc

import pytest

from nnviz.cli import _app_parser
from nnviz.ui import app as nnviz_app


@pytest.fixture
def scoped_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")


@pytest.fixture
def gc_state():
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()
    else:  # pragma: no cover
        gc.disable()


def test_interactive_start_paints_then_builds_panels_and_collects_again(
    qtbot, scoped_settings, gc_state, monkeypatch
):
    """Garbage collection is off while the app starts and back on (with the start-up
    objects frozen) once the panels are built after the first paint."""
    seen: dict[str, bool] = {}
    monkeypatch.setattr(
        nnviz_app, "ON_QAPPLICATION", [lambda app: seen.setdefault("collecting", gc.isenabled())]
    )
    app, window = nnviz_app.start(_app_parser().parse_args([]))
    try:
        assert seen["collecting"] is False
        assert window.isVisible() and window.activation_plot is None  # built after a paint
        qtbot.waitUntil(lambda: window.activation_plot is not None)
        assert window.playback is not None and window.linear_map is not None
        assert gc.isenabled()
        assert gc.get_freeze_count() > 10_000
    finally:
        window.close()
        window.deleteLater()


def test_screenshot_in_process_restores_garbage_collection(
    qapp, scoped_settings, gc_state, tmp_path
):
    out = tmp_path / "w.png"
    args = _app_parser().parse_args(["--screenshot", str(out), "--size", "900x600"])
    assert nnviz_app.run(args) == 0
    assert out.stat().st_size > 10_000
    assert gc.isenabled()
