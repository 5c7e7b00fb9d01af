"""pytest plugin for course authors (and nnviz's own tests): the ``nnviz_window`` fixture.

Installed with nnviz (a ``pytest11`` entry point), so any pytest run in an
environment with nnviz and pytest-qt can use it::

    def test_the_bias_is_added(nnviz_window):
        nnviz_window.open("lesson-1")            # a shipped lesson, a lesson file or a network
        nnviz_window.go("z")                     # the step asking exercise "z" (or a number)
        assert nnviz_window.answer(-3.0).correct is False
        assert nnviz_window.answer(-2.0).correct
        assert nnviz_window.shown(1, 0)["z"] == -2.0

The fixture gives a :class:`Driver` around a real main window (offscreen when
there is no display), with settings in a temporary folder (never the user's
own). This module imports nothing of Qt until the fixture is used: pytest loads
it in every run of an environment where nnviz is installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

#: neuron quantities, named as the canvas shows them -> how :meth:`Driver.shown` names them
_SCENE_KEYS = {
    "x": "x",
    "z": "z",
    "a": "a",
    "b": "b",
    "dL_da": "dL_da",
    "dL_dz": "dL_dz",
    "update_b": "b_next",
}


class Driver:
    """Drives one nnviz main window the way a student or a teacher would.

    Layers are numbered as in lessons: 0 is the input layer.
    """

    def __init__(self, window, qtbot=None) -> None:
        self.window = window
        self.qtbot = qtbot

    # ----------------------------------------------------------- reading
    @property
    def document(self):
        return self.window.document

    @property
    def playback(self):
        return self.window.playback

    @property
    def session(self):
        """The open lesson's session (None without a lesson)."""
        return self.window.lessons.session

    @property
    def lesson_step(self) -> int:
        """The lesson step shown now, 1-based as the panel counts."""
        return self.session.index + 1

    @property
    def step(self) -> int:
        """The playback step shown now (0 = start)."""
        return self.playback.step

    # ----------------------------------------------------------- doing
    def open(self, path: str | os.PathLike, step: int | str | None = None) -> Driver:
        """Open a network file (``.json``), a lesson file (``.md``) or a shipped
        lesson by name (``"lesson-1"``); a lesson opens at ``step`` (1-based, or the
        id of an exercise: the step that asks it) or at its first step. Raises
        ``ValueError`` with the app's sentence if it cannot be opened."""
        p = Path(path)
        if p.suffix.lower() == ".json":
            if not self.window.open_path(p):
                raise ValueError(self.window.status.text())
        else:
            from nnviz.core import lessons

            lesson = lessons.find(str(path))  # raises LessonError, a ValueError
            if isinstance(step, str):
                try:
                    step = lesson.step_of(step).number
                except KeyError:
                    ids = ", ".join(ex.id for ex in lesson.exercises)
                    raise ValueError(
                        f"lesson {lesson.name!r} has no exercise {step!r}; its exercises are {ids}"
                    ) from None
            if not self.window.lessons.open(lesson, 0 if step is None else step - 1):
                raise ValueError(self.window.status.text())
        self._settle()
        return self

    def go(self, step: int | str) -> Driver:
        """Go to lesson step ``step`` (1-based, as the panel shows it; or the id of an
        exercise: the step that asks it)."""
        self._need_lesson()
        if isinstance(step, str):
            step = self.session.lesson.step_of(step).number
        self.session.finish_reveal()
        self.session.go(step - 1)
        self._settle()
        return self

    def next(self) -> Driver:
        self._need_lesson()
        self.window.lessons.panel.go_next()
        self._settle()
        return self

    def previous(self) -> Driver:
        self._need_lesson()
        self.window.lessons.panel.go_previous()
        self._settle()
        return self

    def select(self, layer: int, index: int, source: int | None = None) -> Driver:
        """Select neuron ``index`` of ``layer`` (0 = input), or with ``source`` the
        edge into it from neuron ``source`` of the layer before."""
        from nnviz.ui.document import Selection

        sel = (
            Selection.of_neuron(layer, index)
            if source is None
            else Selection.of_edge(layer, index, source)
        )
        if not sel.valid_for(self.document.network):
            raise ValueError(f"the network {self.document.network.sizes} has no {sel}")
        self.document.select(sel)
        self._settle()
        return self

    def seek(self, step: int | str) -> Driver:
        """Show playback step ``step`` (an index; ``"end"``; ``"start"``; or a step
        kind such as ``"z"``, its first occurrence)."""
        pb = self.playback
        if step == "end":
            k = pb.last
        elif isinstance(step, str):
            k = 0 if step == "start" else pb.plan.find(step)
            if k < 0:
                raise ValueError(f"this network's playback has no {step!r} step")
        else:
            k = int(step)
        if not pb.seek_step(k):
            raise ValueError(f"step {k} is out of range: the steps are 0 to {pb.last}")
        self._settle()
        return self

    def answer(self, value):
        """Answer the current lesson step's question (a number, or an option's
        index or letter); returns the :class:`nnviz.core.lessons.Feedback`. A right
        answer's reveal is played to its end before this returns."""
        self._need_lesson()
        panel = self.window.lessons.panel
        ex = self.session.exercise
        from nnviz.core import lessons

        if isinstance(ex, lessons.ChoiceExercise):
            k = _choice_index(value, len(ex.options))
            if k is not None:  # as a student does: choose the option, press Check
                panel.option_buttons[k].setChecked(True)
                panel.check()
            else:
                self.session.answer(value)  # unreadable: the session's sentence
        elif ex is not None:
            panel.number.setText(str(value))
            panel.check()
        else:
            self.session.answer(value)
        self.session.finish_reveal()
        self._settle()
        return self.session.last_feedback

    def feedback(self) -> str:
        """The feedback text the panel shows now."""
        return self.window.lessons.panel.feedback.text()

    def shown(self, layer: int, index: int) -> dict[str, float | str]:
        """The numbers the canvas shows for neuron ``index`` of ``layer`` now.

        Only what is revealed at this playback step (the same frame and the same
        scene the canvas draws from); a value a lesson hides is ``"?"``. Keys:
        ``x`` (an input), ``z``, ``a``, ``b``, ``dL_da``, ``dL_dz``, ``b_next`` (at
        the update); values at full precision. At step 0 (the editing view) the
        canvas shows ``a`` and ``b`` (and ``x`` for an input), ``z`` too for the
        selected neuron.
        """
        doc = self.document
        net, trace, grads = doc.network, doc.trace, doc.grads
        sizes = net.sizes
        if not (0 <= layer < len(sizes) and 0 <= index < sizes[layer]):
            raise ValueError(f"the network {sizes} has no neuron {index} in layer {layer}")
        values = {
            "x": lambda: float(trace.a[0][0, index]),
            "z": lambda: float(trace.z[layer][0, index]),
            "a": lambda: float(trace.a[layer][0, index]),
            "b": lambda: float(net.layers[layer - 1].b[index]),
            "dL_da": lambda: float(grads.dL_da[layer][0, index]),
            "dL_dz": lambda: float(grads.dL_dz[layer][0, index]),
            "b_next": lambda: float(
                net.layers[layer - 1].b[index] - doc.learning_rate * grads.dL_db[layer][index]
            ),
        }
        from nnviz.ui import hidden_values

        pb = self.playback
        canvas = self.window.canvas
        out: dict[str, float | str] = {}
        if pb is not None and pb.is_active():
            from nnviz.ui.canvas.animation import build_scene

            scene = build_scene(doc, canvas.layout, pb.frame)
            hidden_values.mask_scene(doc, scene)
            for (what, l, j), text in scene.neuron_texts.items():
                if (l, j) == (layer, index) and what in _SCENE_KEYS:
                    name = _SCENE_KEYS[what]
                    out[name] = "?" if text.endswith(hidden_values.HIDDEN_TEXT) else values[name]()
            return out
        if not canvas.layout.labelled(layer):
            return out
        names = ["x"] if layer == 0 else ["a", "b"]
        sel = doc.selection
        if layer > 0 and (
            canvas.zoom_level() >= 1.8
            or (
                sel is not None
                and sel.kind == "neuron"
                and (sel.layer, sel.neuron) == (layer, index)
            )
        ):
            names.append("z")
        for name in names:
            lesson_name = "a" if name == "x" else name
            hidden = hidden_values.is_hidden(doc, lesson_name, layer, index)
            out[name] = "?" if hidden else values[name]()
        return out

    # ----------------------------------------------------------- helpers
    def _need_lesson(self) -> None:
        if self.session is None:
            raise ValueError("no lesson is open: open one first, e.g. open('lesson-1')")

    def _settle(self) -> None:
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()


def _choice_index(value, n: int) -> int | None:
    """An option's 0-based index from an index or a letter ("B", "b)")."""
    from nnviz.core.lessons import LETTERS

    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < n else None
    if isinstance(value, str):
        text = value.strip().rstrip(").").upper()
        if len(text) == 1 and text in LETTERS[:n]:
            return LETTERS.index(text)
    return None


#: Qt messages that say nothing to a course author: the offscreen platform cannot
#: pass a window's size hints on, and says so each time a window is shown
QUIET_QT_MESSAGES = frozenset({"This plugin does not support propagateSizeHints()"})


def _quiet_handler(kind, context, message: str) -> None:
    """Qt's default output (the message as ``qFormatLogMessage`` writes it, on
    stderr) for every message but those in QUIET_QT_MESSAGES."""
    if message in QUIET_QT_MESSAGES:
        return
    from PySide6.QtCore import qFormatLogMessage

    sys.stderr.write(qFormatLogMessage(kind, context, message) + "\n")
    sys.stderr.flush()


def quiet_qt_messages() -> None:
    """Drop the offscreen platform's ``propagateSizeHints()`` line and nothing else.

    Installed only where Qt would print with its default handler: a handler someone
    else installed (pytest-qt's capture during a test, which keeps messages for the
    failure report) is put back untouched.
    """
    from PySide6.QtCore import qInstallMessageHandler

    previous = qInstallMessageHandler(_quiet_handler)
    if previous is not None and previous is not _quiet_handler:
        qInstallMessageHandler(previous)


def make_window(settings_dir: str | os.PathLike | None = None):
    """A shown main window for tests, with its settings in ``settings_dir``."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    quiet_qt_messages()

    if settings_dir is not None:
        # nnviz reads NNVIZ_CONFIG_DIR first (nnviz.ui.settings); Qt's own path for the rest
        os.environ["NNVIZ_CONFIG_DIR"] = str(settings_dir)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    app = QApplication.instance()
    if app is not None:
        app.setOrganizationName("nnviz")
        app.setApplicationName("nnviz")
    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    window = MainWindow(Document(), theme_choice="light")
    window.resize(1280, 800)
    return window


def close_window(window) -> None:
    """Leave presenter mode, close any lesson and the window; the global text
    scale goes back to 100 %."""
    from PySide6.QtWidgets import QMessageBox

    from nnviz.ui import textscale

    quiet_qt_messages()  # pytest-qt closes the window after its capture has ended
    presenter = getattr(window, "presenter", None)
    if presenter is not None and presenter.active:
        presenter.leave()
    lessons = getattr(window, "lessons", None)
    if lessons is not None:
        lessons.close()
    window.unsaved_answer = QMessageBox.StandardButton.Discard
    window.close()
    textscale.set_factor(1.0)


@pytest.fixture
def nnviz_window(request, tmp_path_factory):
    """A :class:`Driver` around a shown nnviz main window (needs pytest-qt)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        qtbot = request.getfixturevalue("qtbot")
    except pytest.FixtureLookupError:
        pytest.fail("the nnviz_window fixture needs pytest-qt: pip install pytest-qt")
    saved = os.environ.get("NNVIZ_CONFIG_DIR")
    window = make_window(tmp_path_factory.mktemp("nnviz-settings"))
    qtbot.addWidget(window, before_close_func=close_window)
    window.show()
    driver = Driver(window, qtbot)
    driver._settle()
    try:
        yield driver
    finally:  # the settings folder was this test's own
        if saved is None:
            os.environ.pop("NNVIZ_CONFIG_DIR", None)
        else:
            os.environ["NNVIZ_CONFIG_DIR"] = saved
