"""No exception escapes into Qt (issue 14, items 4 and 7).

An undo command that fails leaves the document as it was, says one sentence and
logs the traceback; an exception in a slot is logged and shown, and the app runs
on; messages are plain text; a setting that cannot be used falls back to its
default with a note in the log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, Signal

from nnviz.core import examples, io, propagation
from nnviz.ui import errors, settings
from nnviz.ui.document import Document


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(folder))
    monkeypatch.setenv("NNVIZ_CONFIG_DIR", str(tmp_path / "config"))
    return folder


def _log_text(folder) -> str:
    path = folder / "nnviz.log"
    for handler in errors.logger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8") if path.exists() else ""


class _Breaker:
    """Makes the next recomputation of the document fail, as a deep file did."""

    def __init__(self, monkeypatch, exc: BaseException) -> None:
        self.armed = False
        real = propagation.evaluate

        def evaluate(*args, **kwargs):
            if self.armed:
                raise exc
            return real(*args, **kwargs)

        monkeypatch.setattr(propagation, "evaluate", evaluate)


def _state(doc: Document) -> str:
    return io.dumps(doc.project)


def test_a_structural_command_that_fails_changes_nothing(qapp, monkeypatch, data_dir):
    doc = Document(examples.default_project())
    doc.set_weight(1, 0, 0, 0.25)
    before, loss = _state(doc), doc.grads.loss
    said = []
    doc.edit_refused.connect(said.append)
    breaker = _Breaker(monkeypatch, RecursionError("maximum recursion depth exceeded"))
    breaker.armed = True
    assert doc.insert_layer(1, 3) is False
    breaker.armed = False
    assert _state(doc) == before and doc.grads.loss == loss
    assert doc.undo_stack.count() == 1  # the failed step never joined the history
    assert doc.undo_stack.undoText().startswith("Set the weight")
    assert len(said) == 1 and "\n" not in said[0]
    assert "Could not do “Insert a layer of 3 at 1”" in said[0]
    assert "nests too deeply" in said[0] and "the network is unchanged" in said[0]
    assert str(data_dir / "nnviz.log") in said[0]
    log = _log_text(data_dir)
    assert "Traceback" in log and "RecursionError" in log
    # and the document still works
    assert doc.insert_layer(1, 3)
    assert doc.network.sizes[1] == 3 and doc.undo_stack.count() == 2


def test_a_scalar_command_that_fails_puts_the_value_back(qapp, monkeypatch, data_dir):
    doc = Document(examples.default_project())
    before = _state(doc)
    said = []
    doc.edit_refused.connect(said.append)
    breaker = _Breaker(monkeypatch, MemoryError())
    breaker.armed = True
    assert doc.set_weight(1, 0, 0, 0.5, gesture=7) is False
    breaker.armed = False
    assert _state(doc) == before
    assert doc.undo_stack.count() == 0
    assert "not enough memory" in said[0]
    # a gesture goes on after a failed step: it merges only real changes
    assert doc.set_weight(1, 0, 0, 0.75, gesture=7)
    assert doc.set_weight(1, 0, 0, 0.8, gesture=7)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert _state(doc) == before


def test_a_failed_undo_keeps_document_and_history_in_step(qapp, qtbot, monkeypatch, data_dir):
    doc = Document(examples.default_project())
    start = _state(doc)
    assert doc.add_neuron(1)
    after = _state(doc)
    said = []
    doc.edit_refused.connect(said.append)
    breaker = _Breaker(monkeypatch, ZeroDivisionError("float division by zero"))
    breaker.armed = True
    doc.undo_stack.undo()
    breaker.armed = False
    assert _state(doc) == after  # the document did not move
    assert "Could not undo “Add a neuron to layer 1”" in said[0]
    assert "ZeroDivisionError: float division by zero" in said[0]
    qtbot.waitUntil(lambda: doc.undo_stack.index() == 1)  # the history follows it
    assert doc.undo_stack.count() == 1 and doc.modified
    doc.undo_stack.undo()  # works once nothing breaks
    assert _state(doc) == start
    # a failed redo, the same way
    breaker.armed = True
    doc.undo_stack.redo()
    breaker.armed = False
    assert _state(doc) == start
    qtbot.waitUntil(lambda: doc.undo_stack.index() == 0)
    doc.undo_stack.redo()
    assert _state(doc) == after


def _deep_file(path, depth: int = 986) -> None:
    data = io.to_dict(examples.default_project())
    text = json.dumps(data)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    path.write_text(text)


RUN_DEEP = """\
import sys
from PySide6.QtCore import QTimer
from nnviz.cli import _app_parser
from nnviz.ui import app as nnviz_app
app, window = nnviz_app.start(_app_parser().parse_args([sys.argv[1]]))
def edit(depth):
    if depth:  # the edit from deeper in the stack, as from a menu of a busy app
        return edit(depth - 1)
    window.actions_by_name["addLayerAction"].trigger()
def run():
    edit(int(sys.argv[2]))
    edit(0)
    window.document.undo_stack.undo()
    print(window.document.network.sizes, window.document.undo_stack.count(), flush=True)
    window.document.undo_stack.setClean()
    window.close()
QTimer.singleShot(0, run)
app.exec()
"""


def test_add_layer_on_a_deeply_nested_file_does_not_kill_the_app(tmp_path):
    """Issue 14: an unknown field nested ~986 deep loaded, then Add Layer was a
    SIGSEGV (a RecursionError in redo() crashed PySide's handler). Run in a child
    process: the real start-up, the real action."""
    deep = tmp_path / "deep.json"
    _deep_file(deep)
    script = tmp_path / "run.py"
    script.write_text(RUN_DEEP)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(script), str(deep), "40"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[2, 3, 3, 1] 2"
    assert "Traceback" not in done.stderr


class _Emitter(QObject):
    fired = Signal()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown(qapp, data_dir, capsys):
    from nnviz.ui.main_window import MainWindow

    window = MainWindow(Document())
    window.show()
    emitter = _Emitter()

    def broken() -> None:
        raise KeyError("<b>no such\nthing</b>")

    emitter.fired.connect(broken)
    errors.install()
    try:
        emitter.fired.emit()
    finally:
        errors.uninstall()
    text = window.status.text()
    assert text.startswith("Something went wrong: KeyError:")
    assert "\n" not in text and "\\n" in text  # the newline is shown escaped
    assert "the app keeps running" in text
    assert window.status.textFormat() == Qt.TextFormat.PlainText  # <b> stays text
    log = _log_text(data_dir)
    assert "Traceback" in log and "in broken" in log
    assert "Traceback" not in capsys.readouterr().err  # the user sees no traceback
    window.document.undo_stack.setClean()
    window.close()


def test_shorten_escapes_and_cuts():
    assert errors.shorten("a\nb\x1b[31mc") == "a\\nb\\x1b[31mc"
    long = "a" * 2_000_000
    assert errors.shorten(long) == "a" * 200 + "… (2,000,000 characters)"


def test_a_corrupt_setting_falls_back_with_a_note(qapp, data_dir, monkeypatch):
    from nnviz.ui.main_window import MainWindow

    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", "corrupt")
    settings.put("decimals", "abc")
    settings.put("theme", "purple")
    errors.logger()
    window = MainWindow(Document())
    assert window.document.decimals == 3
    assert window._theme_choice == "system"
    log = _log_text(data_dir)
    assert "setting decimals='abc' cannot be used; 3 (the default" in log
    assert "setting theme='purple' cannot be used" in log
    settings.put("decimals", "5")
    assert settings.get_int("decimals", 3, 1, 8) == 5
    settings.put("decimals", "99")
    assert settings.get_int("decimals", 3, 1, 8) == 3
    window.close()


def test_screenshot_with_a_corrupt_settings_file(tmp_path):
    """Issue 14: ``decimals=abc`` stopped ``--screenshot`` with a traceback."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "nnviz-corrupt.ini").write_text("[General]\ndecimals=abc\ntheme=1\n")
    env = dict(
        os.environ,
        NNVIZ_CONFIG_DIR=str(config),
        NNVIZ_DATA_DIR=str(tmp_path / "data"),
        NNVIZ_SETTINGS_SCOPE="corrupt",
    )
    out = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "-m", "nnviz", "--screenshot", str(out), "--size", "900x600"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.exists() and "Traceback" not in done.stderr
    log = (tmp_path / "data" / "nnviz.log").read_text()
    assert "decimals='abc' cannot be used" in log


def test_tests_keep_out_of_the_users_folders():
    home = os.path.expanduser("~")
    assert not settings.settings().fileName().startswith(home)
    assert not str(settings.data_dir()).startswith(os.path.join(home, ".local"))


def test_plain_numpy_state_survives_a_failed_apply_update(qapp, monkeypatch, data_dir):
    """The rollback gives back the very arrays, not a recomputed look-alike."""
    doc = Document(examples.default_project())
    W = doc.network.layers[0].W
    before = W.copy()
    breaker = _Breaker(monkeypatch, OverflowError("too big"))
    breaker.armed = True
    assert doc.apply_update() is False
    breaker.armed = False
    assert doc.network.layers[0].W is W and np.array_equal(W, before)
