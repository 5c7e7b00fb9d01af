"""One open lesson driving one window: steps, their actions, answers and progress.

:class:`LessonSession` is the lesson's controller. It reads a
:class:`nnviz.core.lessons.Lesson` (E's parser) and, on each step, makes the
window show what the step asks for: loads the step's network, selects the
neuron or edge, sets the learning rate, seeks the playback, raises panels and
hides the values the student must compute (shown "?", through
:mod:`nnviz.ui.hidden_values`). Answers go through
:meth:`nnviz.core.lessons.Progress.answer` (the pure :func:`check_answer`), and
a right answer reveals: the hidden values come back and the playback plays on
to the exercise's ``reveal`` step.

Progress is remembered per user in QSettings (``lessons/<name>``), as the
JSON of :class:`~nnviz.core.lessons.Progress`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from nnviz.core import lessons as core
from nnviz.ui import hidden_values, settings
from nnviz.ui.document import Selection

#: lesson panel names (the format's ``show``) -> the window's dock objectNames
DOCKS = {
    "inspector": "inspectorDock",
    "chainRule": "chainRuleDock",
    "activationPlot": "activationPlotDock",
    "gradientFlow": "gradientFlowDock",
    "linearMap": "linearMapDock",
    "training": "trainingDock",
}


def settings_key(lesson: core.Lesson) -> str:
    return f"lessons/{lesson.name}"


def load_progress(lesson: core.Lesson) -> core.Progress:
    """The stored progress of ``lesson`` (a fresh start if none or damaged)."""
    text = settings.get(settings_key(lesson))
    return core.Progress.from_json(text if isinstance(text, str) else None, lesson)


def save_progress(lesson: core.Lesson, progress: core.Progress) -> None:
    settings.put(settings_key(lesson), progress.to_json())


def hidden_keys(hides) -> set[tuple]:
    """The :mod:`hidden_values` keys for a step's :class:`~nnviz.core.lessons.Hide` list."""
    keys = set()
    for h in hides:
        if h.address is None:
            keys.add((h.value,))
        else:
            keys.add((h.value, *h.address.as_list()))
    return keys


def focus_keys(lesson: core.Lesson, k: int) -> set[tuple]:
    """The numbers step ``k`` talks about: what it hides (asked, answered or not) and
    the value its exercise's answer is (``engine``) at the step's selection."""
    step = lesson.steps[k]
    keys = hidden_keys(step.hide)
    ex = step.exercise
    addr = lesson.selection(k)
    engine = getattr(ex, "engine", None)
    if engine is not None and addr is not None:
        keys.add((engine, *addr.as_list()))
    elif engine is not None:
        keys.add((engine,))
    return keys


class LessonSession(QObject):
    """A lesson being walked in ``window`` (its document, playback and docks).

    Signals: ``step_changed(int)`` after a step was shown; ``answered(Feedback)``
    after an answer was checked; ``progress_changed()`` when anything stored changed.
    """

    step_changed = Signal(int)
    answered = Signal(object)
    progress_changed = Signal()
    answer_shown = Signal()

    def __init__(self, window, lesson: core.Lesson, progress: core.Progress | None = None):
        super().__init__(window)
        self.setObjectName("lessonSession")
        self.window = window
        self.document = window.document
        self.lesson = lesson
        self.progress = progress if progress is not None else load_progress(lesson)
        self._loaded: core.NetworkRef | None = None  # the network this session put in
        self._reveal_to: int | None = None
        #: steps whose answer was shown without being answered (presenter mode); not stored
        self.revealed: set[int] = set()
        self.last_feedback: core.Feedback | None = None
        self._loading = False
        self._holding = False  # whether this session keeps the animation view at step 0
        self._lesson_project = None
        controller = self.controller
        if controller is not None:
            controller.frame_changed.connect(self._on_frame)
            controller.step_changed.connect(self._on_playback_step)
        # the frame rule of hidden_values: while the step hides values, what the
        # animation has not reached yet is "?" in every view
        hidden_values.set_frame_source(self.document, self._frame_now)
        self.document.file_state_changed.connect(self._on_file_state)

    # ------------------------------------------------------------- reading
    @property
    def controller(self):
        return getattr(self.window, "playback", None)

    @property
    def index(self) -> int:
        return self.progress.current

    @property
    def step(self) -> core.Step:
        return self.lesson.steps[self.index]

    @property
    def exercise(self) -> core.Exercise | None:
        return self.step.exercise

    def solved(self, k: int | None = None) -> bool:
        """Whether step ``k`` (default: the current one) has a solved exercise."""
        step = self.lesson.steps[self.index if k is None else k]
        ex = step.exercise
        return ex is not None and self.progress.exercises.get(ex.id, core.ExerciseProgress()).solved

    # ------------------------------------------------------------- moving
    def go(self, k: int) -> int:
        """Show step ``k`` (0-based, clamped): the window does what the step says."""
        self.progress.go(k)
        self._reveal_to = None
        self._apply(self.index)
        self._save()
        self.step_changed.emit(self.index)
        return self.index

    def next(self) -> int:
        return self.go(self.index + 1)

    def previous(self) -> int:
        return self.go(self.index - 1)

    def reset_step(self) -> None:
        """Forget this step's answer: its values are hidden again and it starts afresh."""
        self.progress.reset_step(self.lesson, self.index)
        self.revealed.discard(self.index)
        self.last_feedback = None
        self._loaded = None  # the step's network comes back as the lesson wrote it
        self.go(self.index)

    def restart(self) -> None:
        """Forget every answer and go back to the first step."""
        self.progress.restart(self.lesson)
        self.revealed.clear()
        self.last_feedback = None
        self._loaded = None
        self.go(0)

    def answer(self, value: object) -> core.Feedback:
        """Check ``value`` for the current step's exercise (a number, or an option's
        index or letter); a right answer reveals the hidden values and plays on."""
        ex = self.exercise
        if ex is None:
            fb = core.Feedback(False, "This step has no question to answer.", False)
        else:
            was_solved = self.solved()
            fb = self.progress.answer(self.lesson, ex.id, value)
            if fb.correct and not was_solved:
                self._show_hidden(keep=self._asked_next())
                self._reveal(ex.reveal)
            self._save()
        self.last_feedback = fb
        self.answered.emit(fb)
        return fb

    def show_answer(self) -> bool:
        """Show the current exercise's answer without it being answered (a teacher
        presenting): the hidden values come back and the playback plays on to the
        reveal. It is not counted as solved. False if there is nothing to show."""
        ex = self.exercise
        if ex is None or self.solved() or self.index in self.revealed:
            return False
        self.revealed.add(self.index)
        self._show_hidden(keep=self._asked_next())
        self._reveal(ex.reveal)
        self.answer_shown.emit()
        return True

    def finish_reveal(self) -> None:
        """Jump to the end of a reveal that is still playing (tests, the next step)."""
        if self._reveal_to is not None and self.controller is not None:
            target, self._reveal_to = self._reveal_to, None
            self.controller.seek(target, 1.0)

    def _on_file_state(self) -> None:
        """Someone else replaced the network (File ▸ Open / New, an example): the "?" of
        the lesson's network mean nothing there; Next or Reset step brings it back.

        Only a load empties the undo history, and only a load puts another project
        in the document with an empty history: an edit or a save is not a replacement.
        """
        doc = self.document
        if self._loading or self._loaded is None or doc.undo_stack.count() != 0:
            return
        if doc.project is self._lesson_project:
            return
        self._loaded = None
        # after the load has finished telling every view about the new network
        QTimer.singleShot(
            0, lambda: (hidden_values.set_hidden(doc, ()), hidden_values.set_focus(doc, ()))
        )

    def _frame_now(self):
        c = self.controller
        return c.frame if c is not None and c.is_active() else None

    def _on_playback_step(self, _k: int = 0) -> None:
        """Another playback step: views that show numbers outside the canvas (inspector,
        chain rule, plots) redraw what is revealed now (only while values are hidden)."""
        if hidden_values.hidden(self.document):
            self.document.display_changed.emit("hidden_values")

    def close(self) -> None:
        try:
            self.document.file_state_changed.disconnect(self._on_file_state)
        except (RuntimeError, TypeError):
            pass
        hidden_values.set_hidden(self.document, ())
        hidden_values.set_focus(self.document, ())
        hidden_values.set_frame_source(self.document, None)
        self._hold(False)
        self._reveal_to = None
        c = self.controller
        if c is not None:
            try:
                c.frame_changed.disconnect(self._on_frame)
                c.step_changed.disconnect(self._on_playback_step)
            except (RuntimeError, TypeError):
                pass

    # ------------------------------------------------------------ actions
    def _apply(self, k: int) -> None:
        step = self.lesson.steps[k]
        win, doc = self.window, self.document
        ref = self.lesson.network_ref(k)
        loaded = False
        if ref is not None and (step.load is not None or ref != self._loaded):
            self._loading = True
            try:
                doc.load_project(ref.load())
            finally:
                self._loading = False
            self._loaded = ref
            self._lesson_project = doc.project
            loaded = True
            fit = getattr(getattr(win, "canvas", None), "fit", None)
            if fit is not None:
                fit()
        rate = self.lesson.learning_rate(k)
        if rate is not None and hasattr(doc, "set_learning_rate"):
            doc.set_learning_rate(rate)
        addr = self.lesson.selection(k)
        if addr is None:
            if loaded:
                doc.select(None)
        elif addr.is_edge:
            doc.select(Selection.of_edge(addr.layer, addr.neuron, addr.input))
        else:
            doc.select(Selection.of_neuron(addr.layer, addr.neuron))
        controller = self.controller
        if controller is not None:
            if step.seek is not None:
                target = step.seek.resolve(controller.plan)
                if target >= 0:
                    controller.seek(target, 1.0)
            elif loaded:
                controller.seek(0, 1.0)
            done = self.solved(k) or k in self.revealed
            if done and step.exercise is not None and step.exercise.reveal is not None:
                target = step.exercise.reveal.resolve(controller.plan)
                if target >= 0:
                    controller.seek(max(target, controller.step), 1.0)
        presenter = getattr(win, "presenter", None)
        if presenter is not None and presenter.active:  # beside the canvas, for this step
            presenter.show_step_panels(self.step_docks(k))
        for name in step.show:
            self._show_panel(name)
        hides = () if k in self.revealed else self.progress.hidden(self.lesson, k)
        hidden_values.set_focus(doc, focus_keys(self.lesson, k))
        hidden_values.set_hidden(doc, hidden_keys(hides))
        if hides and controller is not None and not controller.is_active():
            self._hold(True)  # the editing view at step 0 would give the numbers away
        elif not hides:
            self._hold(False)

    def _hold(self, on: bool) -> None:
        """Keep the animation view at step 0 (on), or let go of what this session held."""
        c = self.controller
        if c is None or on == self._holding:
            return
        self._holding = on
        c.set_hold_active(on)

    def step_docks(self, k: int | None = None) -> list[str]:
        """The dock objectNames step ``k`` (default: the current one) asks to show."""
        step = self.lesson.steps[self.index if k is None else k]
        return [DOCKS[n] for n in step.show if n in DOCKS]

    def _show_panel(self, name: str) -> None:
        dock = getattr(self.window, "docks", {}).get(DOCKS.get(name, ""))
        if dock is None:
            show = getattr(self.window, "show_message", None)
            if show is not None:
                show(f"This step shows the {name} panel, which this nnviz does not have yet.")
            return
        presenter = getattr(self.window, "presenter", None)
        if presenter is not None and presenter.active:
            return  # presenter mode shows it beside the canvas (show_step_panels)
        training = getattr(self.window, "training", None)
        if name == "training" and training is not None:
            training.set_visible(True)  # all its panels, laid out for the window's size
            return
        dock.show()
        dock.raise_()

    def _show_hidden(self, keep: tuple = ()) -> None:
        """Show the hidden values, except ``keep`` (keys the next step asks for)."""
        hidden_values.set_hidden(self.document, keep)
        if not keep:
            self._hold(False)

    def _asked_next(self) -> tuple:
        """The hidden keys of this step that the next step hides too (same network):
        answering "z" must not give away the "a" the next step asks for."""
        k = self.index
        if k + 1 >= len(self.lesson) or self.lesson.network_ref(k + 1) != self.lesson.network_ref(
            k
        ):
            return ()
        now = set(hidden_keys(self.lesson.steps[k].hide))
        later = hidden_keys(self.lesson.steps[k + 1].hide)
        return tuple(key for key in later if key in now)

    def _reveal(self, target: core.SeekTarget | None) -> None:
        c = self.controller
        if target is None or c is None:
            return
        k = target.resolve(c.plan)
        if k < 0:
            return
        if c.step >= k:
            c.seek(c.step, 1.0)
            return
        self._reveal_to = k
        c.play()

    def _on_frame(self, _frame=None) -> None:
        k = self._reveal_to
        c = self.controller
        if k is None or c is None:
            return
        pos = c.position
        if pos.step > k or (pos.step == k and pos.fraction >= 1.0) or not c.playing:
            self._reveal_to = None  # the reveal step has played (or the play was stopped)
            c.seek(k, 1.0)

    def _save(self) -> None:
        save_progress(self.lesson, self.progress)
        self.progress_changed.emit()
