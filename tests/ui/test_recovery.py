"""Autosave and crash recovery (issue 14, item 5): nothing made is lost.

The main test starts the real app in a child process, makes two edits, waits for
the autosave, kills the process (SIGKILL), starts the app again and checks the
restore offer and the restored network. Every folder is under ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from nnviz.core import examples, io
from nnviz.core.network import Network
from nnviz.ui import recovery
from nnviz.ui.document import Document


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(folder))
    monkeypatch.setenv("NNVIZ_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", "recovery")
    return folder


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leave_autosave(folder: Path, project: io.Project, name: str, path, when: float) -> Path:
    """An autosave as a killed nnviz leaves it."""
    autosave = folder / "autosave"
    autosave.mkdir(parents=True, exist_ok=True)
    file = autosave / f"{_dead_pid()}-{time.time_ns()}.json"
    data = {
        "format": recovery.FORMAT,
        "version": 1,
        "pid": _dead_pid(),
        "token": "gone",
        "name": name,
        "path": str(path) if path else None,
        "saved_at": when,
        "project": io.to_dict(project),
    }
    file.write_text(json.dumps(data))
    return file


# ------------------------------------------------------------ the autosaver
def test_autosave_follows_the_changes_and_goes_when_saved(qtbot, data_dir, tmp_path):
    doc = Document(examples.default_project())
    saver = recovery.Autosaver(doc, delay_ms=50)
    assert not saver.path.exists()
    doc.set_weight(1, 0, 0, 0.125)
    assert saver.pending  # debounced: nothing written at the change itself
    with qtbot.waitSignal(saver.written, timeout=5000):
        pass
    data = json.loads(saver.path.read_text())
    assert data["format"] == "nnviz.autosave" and data["pid"] == os.getpid()
    assert data["name"] == doc.display_name() and data["path"] is None
    assert io.from_dict(data["project"]).network.layers[0].W[0, 0] == 0.125
    assert not list(saver.path.parent.glob(".*.tmp"))  # written atomically, no debris
    doc.set_weight(1, 0, 0, 0.25)
    with qtbot.waitSignal(saver.written, timeout=5000):
        pass
    assert io.from_dict(json.loads(saver.path.read_text())["project"]).network.layers[0].W[
        0, 0
    ] == pytest.approx(0.25)
    doc.save(tmp_path / "net.json")  # saved: nothing left to recover
    recovery._writer.drain()
    assert not saver.path.exists()
    doc.set_weight(1, 0, 0, 0.5)
    saver.flush()
    recovery._writer.drain()
    assert json.loads(saver.path.read_text())["path"] == str((tmp_path / "net.json").resolve())
    doc.undo_stack.undo()  # back to the saved state
    recovery._writer.drain()
    assert not saver.path.exists()
    doc.set_weight(1, 0, 0, 0.75)
    saver.flush()
    saver.close()  # a clean quit
    assert not saver.path.exists()


def test_a_running_nnvizs_autosave_is_not_offered(qtbot, data_dir):
    doc = Document(examples.default_project())
    saver = recovery.Autosaver(doc, delay_ms=10)
    doc.add_neuron(1)
    saver.flush()
    recovery._writer.drain()
    assert saver.path.exists()
    assert recovery.leftovers() == []  # this process is alive
    saver.close()


def test_leftovers_newest_first_and_debris_removed(qapp, data_dir):
    old = _leave_autosave(data_dir, examples.load("linear_collapse"), "lc.json", None, 1_000_000)
    new = _leave_autosave(data_dir, examples.default_project(), "Untitled", None, 2_000_000)
    broken = data_dir / "autosave" / "123-4.json"
    broken.write_text("{not json")
    debris = data_dir / "autosave" / f".{_dead_pid()}-5.json.tmp"
    debris.write_text("half")
    found = recovery.leftovers()
    assert [x.file for x in found] == [new, old]
    assert found[1].project.network.sizes == examples.load("linear_collapse").network.sizes
    assert not broken.exists() and not debris.exists()


def test_restore_discard_and_later(qtbot, data_dir, tmp_path, monkeypatch):
    from nnviz.ui.main_window import MainWindow

    saved = examples.load("linear_collapse")
    file = tmp_path / "lc.json"
    io.save(saved, file)
    edited = examples.load("linear_collapse")
    edited.network.layers[0].W[0, 0] = 0.123
    first = _leave_autosave(data_dir, edited, "lc.json", file.resolve(), time.time() - 60)
    untitled = examples.default_project()
    untitled.network.layers[0].b[0] = 0.5
    second = _leave_autosave(data_dir, untitled, "Untitled", None, time.time() - 120)

    window = MainWindow(Document())
    qtbot.addWidget(window)
    rec = recovery.Recovery(QApplication.instance())
    rec.watch(window.document)
    monkeypatch.setattr(recovery, "answer", "later")
    assert rec.offer_restore(window) == 0
    assert first.exists() and second.exists()  # kept for the next start

    monkeypatch.setattr(recovery, "answer", "restore")
    assert rec.offer_restore(window) == 2
    assert not first.exists() and not second.exists()
    doc = window.document
    assert doc.path == file.resolve() and doc.modified
    assert doc.network.layers[0].W[0, 0] == 0.123
    assert doc.undo_stack.undoText() == "Restore unsaved changes"
    # already autosaved again: a crash right now loses nothing
    assert any(
        json.loads(f.read_text())["path"] == str(file.resolve())
        for f in (data_dir / "autosave").glob("*.json")
    )
    doc.undo_stack.undo()  # the file as it was saved
    assert io.dumps(doc.project) == io.dumps(saved) and not doc.modified
    doc.undo_stack.redo()
    assert len(rec.windows) == 1  # the second went into a window of its own
    other = rec.windows[0]
    assert other.document.modified and other.document.path is None
    assert "Restored the unsaved changes" in window.status.text()

    third = _leave_autosave(data_dir, edited, "lc.json", file.resolve(), time.time())
    monkeypatch.setattr(recovery, "answer", "discard")
    assert rec.offer_restore(window) == 0
    assert not third.exists()
    for w in (window, other):
        w.document.undo_stack.setClean()
    other.document.set_weight(1, 0, 0, 0.5)
    other.unsaved_answer = QMessageBox.StandardButton.Discard
    other_saver = rec.autosavers[-1]
    other_saver.flush()
    recovery._writer.drain()
    assert other_saver.path.exists()
    other.close()  # its changes discarded: the window and its autosave go
    qtbot.waitUntil(lambda: not rec.windows)
    assert not other_saver.path.exists() and other_saver not in rec.autosavers
    rec.close()
    rec.setParent(None)
    assert not list((data_dir / "autosave").glob("*.json"))


# ------------------------------------------------ the real app, killed with -9
EDIT_AND_WAIT = """\
import sys
from PySide6.QtCore import QTimer
from nnviz.cli import _app_parser
from nnviz.ui import app as nnviz_app
app, window = nnviz_app.start(_app_parser().parse_args(sys.argv[1:]))
def edit():
    doc = window.document
    doc.set_weight(1, 0, 0, 0.4375)            # edit 1: a number
    window.document.select(None)
    window.actions_by_name["addLayerAction"].trigger()  # edit 2: a layer
    print("edited", doc.network.sizes, flush=True)
QTimer.singleShot(0, edit)
app.exec()
"""

RESTART = """\
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from nnviz.cli import _app_parser
from nnviz.core import io
from nnviz.ui import app as nnviz_app, recovery
recovery.answer = sys.argv[1]
offered = []
real_ask = recovery._ask
def ask(window, leftover):
    offered.append({"name": leftover.name, "path": leftover.path, "when": leftover.when})
    return real_ask(window, leftover)
recovery._ask = ask
app, window = nnviz_app.start(_app_parser().parse_args(sys.argv[2:]))
def report():  # recovery runs once the window has painted (panels_built)
    doc = window.document
    print(json.dumps({
        "offered": offered,
        "modified": doc.modified,
        "path": str(doc.path) if doc.path else None,
        "title": window.windowTitle(),
        "project": io.to_dict(doc.project),
        "status": window.status.text(),
    }), flush=True)
    QTimer.singleShot(0, close)
def close():  # the user closes the window and discards the changes: a clean quit
    window.unsaved_answer = QMessageBox.StandardButton.Discard
    window.close()
window.panels_built.connect(report)
app.exec()
"""


def _env(tmp_path) -> dict[str, str]:
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        NNVIZ_DATA_DIR=str(tmp_path / "data"),
        NNVIZ_CONFIG_DIR=str(tmp_path / "config"),
        NNVIZ_AUTOSAVE_MS="200",
    )


def test_kill_9_after_two_edits_then_restore(tmp_path):
    file = tmp_path / "mine.json"
    io.save(examples.load("linear_collapse"), file)
    saved_text = file.read_text()
    env = _env(tmp_path)
    (tmp_path / "edit.py").write_text(EDIT_AND_WAIT)
    (tmp_path / "restart.py").write_text(RESTART)
    autosaves = tmp_path / "data" / "autosave"

    with subprocess.Popen(
        [sys.executable, str(tmp_path / "edit.py"), str(file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as app:
        try:
            line = app.stdout.readline()
            assert line.startswith("edited [2, 3, 2, 3, 1]"), line
            deadline = time.monotonic() + 60
            project = None
            while time.monotonic() < deadline and project is None:
                for f in autosaves.glob("*.json") if autosaves.exists() else []:
                    data = json.loads(f.read_text())
                    if len(data["project"]["layers"]) == 5:
                        project = data
                time.sleep(0.05)
            assert project is not None, "no autosave with both edits"
            assert app.poll() is None  # still running: the autosave came while it ran
        finally:
            app.send_signal(signal.SIGKILL)
            app.wait(30)
    assert app.returncode == -signal.SIGKILL
    assert file.read_text() == saved_text  # the file itself is as last saved

    done = subprocess.run(
        [sys.executable, str(tmp_path / "restart.py"), "restore", str(file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(state["offered"]) == 1
    offer = state["offered"][0]
    assert offer["name"] == "mine.json" and offer["path"] == str(file.resolve())
    assert time.strftime("%Y") in offer["when"]
    assert state["modified"] and state["path"] == str(file)
    assert state["title"].startswith("mine.json[*]")
    restored = io.from_dict(state["project"])
    assert restored.network.sizes == [2, 3, 2, 3, 1]
    assert restored.network.layers[0].W[0, 0] == 0.4375
    assert "Restored the unsaved changes" in state["status"]
    # the clean quit took every autosave with it
    assert not list(autosaves.glob("*.json"))
    assert not list(autosaves.glob(".*"))

    again = subprocess.run(
        [sys.executable, str(tmp_path / "restart.py"), "restore", str(file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(again.stdout.strip().splitlines()[-1])["offered"] == []


# ------------------------------------------- the writer: in pieces, atomic
def _project_with_everything() -> io.Project:
    """A network file with a training section, unknown fields and a name."""
    project = examples.load("train_spiral")
    d = io.to_dict(project)
    d["name"] = "spirals “two” ✓"
    d["x-note"] = {"by": "a teacher", "list": [1, 2.5, None, True, "ok"]}
    return io.from_dict(d)


@pytest.mark.parametrize("chunk", [1, 3, 4096])
def test_the_autosave_text_is_the_json_of_the_network_file(monkeypatch, chunk):
    monkeypatch.setattr(recovery, "CHUNK", chunk)  # every way rows split into pieces
    for project in (_project_with_everything(), examples.default_project()):
        project.network.layers[0].W[0, 0] = 0.1 + 0.2  # a float whose repr is long
        data = dict(format=recovery.FORMAT, pid=1, project=io.to_dict(project, recovery._Rows))
        text = "".join(recovery._pieces(data))
        assert text == json.dumps(
            dict(format=recovery.FORMAT, pid=1, project=io.to_dict(project)), allow_nan=False
        )
        back = io.from_dict(json.loads(text)["project"])
        assert io.dumps(back) == io.dumps(project)
    # no piece holds more than a chunk's numbers (the GUI thread waits at most that long)
    big = io.Project(Network.create([300, 500, 1]), io.Sample(np.zeros(300), np.zeros(1)))
    pieces = list(recovery._pieces(io.to_dict(big, recovery._Rows)))
    longest = max(p.count(",") + 1 for p in pieces)
    assert longest <= max(chunk, 500)  # one row (up to 500 here) is the least a piece holds


def test_a_big_autosave_loads_back_equal_and_the_window_keeps_running(qtbot, data_dir):
    project = _project_with_everything()
    project.network = Network.create([1000, 1000, 1], "tanh", seed=3)  # a million weights
    project.sample = io.Sample(np.linspace(-1, 1, 1000), np.array([0.5]))
    project = io.from_dict(io.to_dict(project))
    doc = Document(project)
    saver = recovery.Autosaver(doc, delay_ms=10_000)
    doc.set_weight(1, 0, 0, 0.1 + 0.2)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    with qtbot.waitSignal(saver.written, timeout=120_000):
        start = time.perf_counter()
        saver.flush()  # on the GUI thread: copies the arrays, nothing more
        flush_ms = (time.perf_counter() - start) * 1e3
        last[0] = time.perf_counter()
        gaps.clear()
    took = time.perf_counter() - start
    timer.stop()
    longest = max(gaps)
    print(
        f"\nautosave of {doc.network.n_params:,} numbers: flush {flush_ms:.0f} ms on the GUI "
        f"thread, written after {took:.2f} s, longest GUI stall {longest * 1e3:.0f} ms "
        f"over {len(gaps)} ticks"
    )
    # the worker never held the GUI thread for the whole write (a one-piece json.dumps did)
    assert len(gaps) >= 3 and longest < took / 2
    data = json.loads(saver.path.read_text(encoding="utf-8"))
    back = io.from_dict(data["project"])
    assert io.dumps(back) == io.dumps(doc.project)  # every number, training, unknown fields
    assert back.network.layers[0].W[0, 0] == 0.1 + 0.2
    assert back.training == doc.project.training and back.training is not None
    saver.close()
    assert not saver.path.exists()


def test_edits_faster_than_the_disk_write_the_newest(qtbot, data_dir, monkeypatch):
    doc = Document(examples.default_project())
    saver = recovery.Autosaver(doc, delay_ms=10_000)
    gate = threading.Event()
    recovery._writer.submit(gate.wait)  # the disk is busy
    writes = []
    real = recovery._write_atomically
    monkeypatch.setattr(
        recovery, "_write_atomically", lambda p, pieces: (writes.append(p), real(p, pieces))
    )
    for value in (0.1, 0.2, 0.3):
        doc.set_weight(1, 0, 0, value)
        saver.flush()
    gate.set()
    recovery._writer.drain()
    assert len(writes) == 1  # one write, of the newest copy
    assert io.from_dict(json.loads(saver.path.read_text())["project"]).network.layers[0].W[
        0, 0
    ] == pytest.approx(0.3)
    # saved while a write waits: the autosave goes and the stale write does nothing
    recovery._writer.submit(gate.wait)
    gate.clear()
    doc.set_weight(1, 0, 0, 0.4)
    saver.flush()
    doc.undo_stack.setClean()  # as a save does
    gate.set()
    recovery._writer.drain()
    assert not saver.path.exists() and len(writes) == 1
    saver.close()


#: a child nnviz session that has autosaved one edit (W[0, 0] = sys.argv[1])
#: and printed where
AUTOSAVED_SESSION = """\
import os, sys
from nnviz.core import examples
from nnviz.ui import recovery
from nnviz.ui.document import Document
from PySide6.QtWidgets import QApplication
app = QApplication([])
doc = Document(examples.default_project())
saver = recovery.Autosaver(doc, delay_ms=10_000)
doc.set_weight(1, 0, 0, float(sys.argv[1]))
saver.flush()
recovery._writer.drain()
print(saver.path, flush=True)
"""

CRASH_MID_WRITE = (
    AUTOSAVED_SESSION
    + """\
real = recovery._Rows.pieces
def crash(self):  # the process dies in the middle of the second write
    yield from list(real(self))[:2]
    os._exit(9)
recovery._Rows.pieces = crash
doc.set_weight(1, 0, 0, 0.5)
saver.flush()
recovery._writer.drain()
"""
)


def test_a_crash_mid_write_leaves_the_previous_autosave(tmp_path, data_dir):
    script = tmp_path / "crash.py"
    script.write_text(CRASH_MID_WRITE)
    done = subprocess.run(
        [sys.executable, str(script), "0.25"],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr[-2000:]
    path = Path(done.stdout.strip())
    folder = path.parent
    assert list(folder.glob(".*.tmp"))  # the half-written temporary file
    found = recovery.leftovers()
    assert [x.file for x in found] == [path]
    assert found[0].project.network.layers[0].W[0, 0] == 0.25  # the last whole autosave
    assert not list(folder.glob(".*.tmp"))  # the debris is gone
    for leftover in found:
        leftover.release()
    assert not list(folder.glob("*.lock"))


# -------------------------------------- other running nnviz sessions
OTHER_SESSION = (
    AUTOSAVED_SESSION
    + """\
sys.stdin.readline()  # runs until told
saver.close()
print("closed", flush=True)
"""
)


def _other_session(tmp_path):
    script = tmp_path / "other.py"
    script.write_text(OTHER_SESSION)
    child = subprocess.Popen(
        [sys.executable, str(script), "0.625"],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    return child, Path(child.stdout.readline().strip())


def test_another_running_sessions_autosave_is_never_offered(tmp_path, data_dir):
    child, path = _other_session(tmp_path)
    with child:
        assert path.exists() and path.with_suffix(".lock").exists()
        assert recovery.leftovers() == []  # alive: not offered, not touched
        # even if its pid says nothing (another machine sharing the folder, a pid
        # namespace, a reused pid): the lock it holds is what counts
        data = json.loads(path.read_text())
        data["pid"], data["token"] = _dead_pid(), "gone"
        path.write_text(json.dumps(data))
        assert recovery.leftovers() == []
        assert path.exists() and path.with_suffix(".lock").exists()
        child.send_signal(signal.SIGKILL)
    # killed: its lock is stale, its autosave is offered
    found = recovery.leftovers()
    assert [x.file for x in found] == [path]
    assert found[0].project.network.layers[0].W[0, 0] == 0.625
    # while one nnviz asks about it, another one starting does not offer it too
    second = subprocess.run(
        [
            sys.executable,
            "-c",
            "from PySide6.QtCore import QCoreApplication; from nnviz.ui import recovery; "
            "app = QCoreApplication([]); print(len(recovery.leftovers()))",
        ],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.stdout.strip() == "0", second.stderr[-2000:]
    found[0].release()
    assert [x.file for x in recovery.leftovers()] == [path]  # asked again later


def test_a_session_that_quits_cleanly_takes_its_autosave_and_lock(tmp_path, data_dir):
    child, path = _other_session(tmp_path)
    with child:
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "closed"
    assert not path.exists() and not path.with_suffix(".lock").exists()
    assert recovery.leftovers() == []


def test_a_lock_left_by_a_session_that_wrote_nothing_is_tidied(tmp_path, data_dir):
    child, path = _other_session(tmp_path)
    with child:
        child.send_signal(signal.SIGKILL)
    path.unlink()  # as if it had died before its first autosave
    assert path.with_suffix(".lock").exists()
    assert recovery.leftovers() == []
    assert not path.with_suffix(".lock").exists()
