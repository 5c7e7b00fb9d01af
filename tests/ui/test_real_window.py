"""The playback animation in a real X11 window (xcb on Xvfb), grabbed from the screen.

Offscreen rendering and ``widget.grab()`` cannot see a device transform applied
twice (the pulses were drawn ~50 px low, by the menu bar and toolbar, in a real
window only). So this test starts its own Xvfb on a free display, runs
``real_window_probe.py`` there in a subprocess with ``QT_QPA_PLATFORM=xcb`` (the
platform cannot change inside this offscreen test process), and checks the
pulse pixels it reports against the canvas geometry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("real_window_probe.py")


def _free_display() -> int | None:
    for n in range(140, 400, 7):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    return None


@pytest.fixture
def xvfb_display():
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed: no X server to open a real window on")
    n = _free_display()
    if n is None:
        pytest.skip("no free X display number")
    proc = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            if proc.poll() is not None:
                pytest.skip("Xvfb could not start")
            time.sleep(0.1)
        else:
            pytest.skip("Xvfb did not come up within 5 s")
        yield f":{n}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_pulses_ride_on_their_edges_in_a_real_window(xvfb_display, tmp_path):
    env = dict(os.environ)
    env.update(
        DISPLAY=xvfb_display,
        QT_QPA_PLATFORM="xcb",
        NNVIZ_SETTINGS_SCOPE=f"test-real-{tmp_path.name}",
        OPENBLAS_NUM_THREADS="1",
    )
    env.pop("WAYLAND_DISPLAY", None)
    run = subprocess.run(
        [sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=120
    )
    cannot = ("could not connect to display", "Could not load the Qt platform plugin")
    if run.returncode != 0 and any(c in run.stderr for c in cannot):
        pytest.skip("Qt cannot open the xcb platform here: " + run.stderr.strip()[-200:])
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    pulses = report["pulses"]
    assert pulses, "the a·w step lights no edges"
    # what changed between the step with its pulses part-way and the same step
    # with them arrived is the pulses: it must lie on the edges, where geometry says
    assert report["changed_pixels"] > 0, "no pulse was drawn"
    assert report["stray_pixels"] <= 0.05 * report["changed_pixels"], report
    # each pulse changed the pixels around the point of its edge it has reached
    missing = [p for p in pulses if p["changed_near"] < 40]
    assert not missing, json.dumps(pulses, indent=1)
