"""Playback of the forward and backward pass: the controller that owns the timeline.

Animation is a position on a timeline, not a clock (DESIGN.md, convention 5).
:class:`PlaybackController` holds a :class:`~nnviz.core.timeline.Timeline`
for the document's network and the app's one playback QTimer, whose only job
is to call :meth:`PlaybackController.advance`. Everything else, buttons,
shortcuts, the step slider, ``--step N`` and the GIF export, seeks.

Signals say what moved: ``step_changed(step)`` when the step shown (or the
plan, or whether playback is active) changed — the bar, the chain-rule panel,
the caption and the plots listen to it; ``frame_changed(frame)`` on every tick
of progress within a step — only the canvas needs it; ``playing_changed``,
``plan_changed`` and ``speed_changed``.

The controller knows the document and nothing of the window: it takes a
``messages`` callable for the one sentence of a bad ``--step``. The canvas
draws the frame through its ``playback_painter`` hook while the controller says
playback is active: whenever it is playing or the position is past step 0
("start"). At step 0 and paused the canvas is the ordinary editing view.

:func:`install` is the playback feature: through the window's host interface
(:mod:`nnviz.ui.context`) it adds the controller, the playback bar (a bottom
toolbar), a Playback menu, the window-level shortcut actions and the caption
over the canvas. The chain-rule panel and the plots are features of their own
that follow the controller when it is there.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QToolBar

from nnviz.core.steps import StepKind
from nnviz.core.timeline import (
    GRANULARITIES,
    TICKS_PER_SECOND,
    Frame,
    Position,
    Timeline,
    build_plan,
)
from nnviz.ui import hidden_values
from nnviz.ui.canvas.animation import PlaybackPainter
from nnviz.ui.canvas.caption import CaptionOverlay
from nnviz.ui.context import AppContext, Host

#: interval of the playback timer in milliseconds (one tick)
TICK_MS = round(1000 / TICKS_PER_SECOND)

#: (objectName, text, tooltip, shortcuts, controller method)
ACTIONS = (
    ("playPauseAction", "&Play / Pause", "Play or pause the animation", ["Space"], "toggle_play"),
    (
        "stepForwardAction",
        "Step &Forward",
        "Show the next step of the forward and backward pass",
        ["Right", "PgDown"],
        "step_forward",
    ),
    (
        "stepBackAction",
        "Step &Back",
        "Show the previous step again",
        ["Left", "PgUp"],
        "step_back",
    ),
    ("toStartAction", "To &Start", "Back to the start: the editing view", ["Home"], "to_start"),
    ("toEndAction", "To &End", "Jump to the last step: the update", ["End"], "to_end"),
)


class PlaybackController(QObject):
    """The timeline of the document's network, and everything that moves it.

    ``PlaybackController(document, messages=None)``; ``messages(text, error)``
    shows one sentence to the user (None: stderr when headless).

    Signals: ``step_changed(int)`` when the step shown changed (or the plan was
    rebuilt, or playback became active or not); ``frame_changed(Frame)`` on every
    change of what is shown, each tick while playing (the canvas's signal);
    ``playing_changed(bool)``; ``plan_changed()`` when the list of steps was
    rebuilt (an edit or a change of granularity); ``speed_changed(float)``.
    """

    step_changed = Signal(int)
    frame_changed = Signal(object)
    playing_changed = Signal(bool)
    plan_changed = Signal()
    speed_changed = Signal(float)

    def __init__(self, document, parent: QObject | None = None, messages=None) -> None:
        super().__init__(parent)
        self.setObjectName("playbackController")
        self.document = document
        self._messages = messages
        self.timeline = Timeline(build_plan(self.document.network, "layer"))
        self._frame: Frame = self.timeline.frame()
        self._was_playing = False
        self._step_key: tuple | None = None
        #: keep the animation view even at step 0 (the GIF export shows the empty start)
        self.hold_active = False
        self.timer = QTimer(self)
        self.timer.setObjectName("playbackTimer")
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        #: the canvas's ``playback_painter`` (the playback feature hands it over)
        self.painter = PlaybackPainter(lambda: self._frame, self.upcoming_frame)
        self.document.results_changed.connect(self._on_results_changed)
        self.document.display_changed.connect(self._on_display_changed)
        # another network: its story starts at the beginning, not at the old step
        self.document.project_loaded.connect(self.to_start)
        self._sync(force=True)

    # ------------------------------------------------------------- reading
    @property
    def frame(self) -> Frame:
        return self._frame

    @property
    def plan(self):
        return self.timeline.plan

    @property
    def position(self) -> Position:
        return self.timeline.position

    @property
    def step(self) -> int:
        return self.timeline.position.step

    @property
    def last(self) -> int:
        return self.timeline.last

    @property
    def playing(self) -> bool:
        return self.timeline.playing

    @property
    def granularity(self) -> str:
        return self.timeline.plan.granularity

    @property
    def speed(self) -> float:
        return self.timeline.speed

    def is_active(self) -> bool:
        """Whether the canvas shows the animation (else the ordinary editing view)."""
        return self.hold_active or self.timeline.playing or self.timeline.position.step > 0

    def caption(self) -> str:
        """``Step 5 / 15: layer 1 — z = Σ w·a + b``; the update step also says what
        the step does to the loss (it can rise: too large a learning rate)."""
        step = self.timeline.current()
        text = f"Step {self.step} / {self.last}: {step.caption}{self._inputs_named(step)}"
        if step.phase == "update":
            text += update_outcome(self.document)
        return text

    def _inputs_named(self, step) -> str:
        """The input step names the inputs when they are features: ``: x₁, x₂, x₁²``."""
        names = self.document.input_names
        if step.kind != StepKind.INPUTS or not names:
            return ""
        return ": " + ", ".join(names)

    def widest_captions(self) -> list[str]:
        """Every step's caption as :meth:`caption` writes it, with the widest step
        number (``Step 15 / 15``): the playback bar sizes its label by the longest."""
        last = self.last
        outcome = ""
        if any(s.phase == "update" for s in self.plan.steps):
            outcome = update_outcome(self.document)
        return [
            f"Step {last} / {last}: {s.caption}{self._inputs_named(s)}"
            + (outcome if s.phase == "update" else "")
            for s in self.plan.steps
        ]

    def active_neuron(self) -> tuple[int, int] | None:
        """The neuron the activation plot marks now, or None (it follows the selection).

        At a forward, loss or backward step of a weighted layer: the step's neuron
        (neuron granularity), else the selected neuron if it is in the step's layer,
        else the layer's first neuron.
        """
        if not self.is_active():
            return None
        step = self.timeline.current()
        if step.phase not in ("forward", "loss", "backward") or step.layer < 1:
            return None
        if step.neuron is not None:
            return step.layer, step.neuron
        sel = self.document.selection
        if sel is not None and sel.kind == "neuron" and sel.layer == step.layer:
            return step.layer, sel.neuron
        return step.layer, 0

    def upcoming_frame(self) -> Frame | None:
        """While playing, the first frame of the next step (what the canvas renders
        ahead of time); None when paused or at the last step."""
        if not self.playing or self.step >= self.last:
            return None
        return self.plan.frame(Position(self.step + 1, 0.0))

    def say(self, text: str, error: bool = False) -> None:
        """One sentence for the user (the window's status bar)."""
        if self._messages is not None:
            self._messages(text, error)

    # -------------------------------------------------------------- moving
    def advance(self, ticks: float = 1.0) -> Position:
        """What the timer calls each tick: play ``ticks`` on (no effect when paused)."""
        pos = self.timeline.advance(ticks)
        self._sync()
        return pos

    def _on_tick(self) -> None:
        self.advance(1.0)

    def seek(self, step: int, fraction: float = 1.0) -> Position:
        """Pause and go to ``step`` (clamped), ``fraction`` of it played."""
        self.timeline.pause()
        pos = self.timeline.seek(step, fraction)
        self._sync()
        return pos

    def seek_step(self, step: int) -> bool:
        """Show step ``step`` complete; an out-of-range step is one sentence and False."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= self.last:
            msg = f"step {step} is out of range: this network's timeline has steps 0 to {self.last}"
            if self._messages is not None:
                self._messages(msg, True)
            if QApplication.platformName() == "offscreen":
                print(f"nnviz: {msg}", file=sys.stderr)  # headless: no one sees a status bar
            return False
        self.seek(step, 1.0)
        return True

    def play(self) -> None:
        self.timeline.play()
        self._sync()

    def pause(self) -> None:
        self.timeline.pause()
        self._sync()

    def toggle_play(self) -> None:
        self.timeline.toggle()
        self._sync()

    def step_forward(self) -> None:
        self.timeline.pause()
        self.timeline.step_forward()
        self._sync()

    def step_back(self) -> None:
        self.timeline.pause()
        self.timeline.step_back()
        self._sync()

    def to_start(self) -> None:
        self.timeline.pause()
        self.timeline.to_start()
        self._sync()

    def to_end(self) -> None:
        self.timeline.pause()
        self.timeline.to_end()
        self._sync()

    def set_speed(self, speed: float) -> float:
        s = self.timeline.set_speed(speed)
        self.speed_changed.emit(s)
        return s

    def set_hold_active(self, on: bool) -> None:
        """Show the animation view at step 0 too (an export that starts from nothing)."""
        self.hold_active = bool(on)
        self._sync(force=True)

    def set_granularity(self, granularity: str) -> None:
        if granularity not in GRANULARITIES:
            raise ValueError(
                f"unknown granularity {granularity!r}; expected one of {', '.join(GRANULARITIES)}"
            )
        if granularity == self.granularity:
            return
        self.timeline.set_plan(build_plan(self.document.network, granularity), keep="moment")
        self.plan_changed.emit()
        self._sync(force=True)

    # ------------------------------------------------------------- model
    def _on_results_changed(self, change=None) -> None:
        """New numbers: forget the drawn paths; a new structure: recompute the steps
        (keeping the position, clamped)."""
        self.painter.invalidate()
        if change is not None and not change.shape:
            # the same steps and the same frame, other numbers: only the canvas redraws
            self.frame_changed.emit(self._frame)
            self._caption_numbers_changed()
            return
        plan = build_plan(self.document.network, self.granularity)
        same = plan.steps == self.timeline.plan.steps
        self.timeline.set_plan(plan)
        if not same:
            self.plan_changed.emit()
        self._sync(force=True)

    def _on_display_changed(self, name: str) -> None:
        if name in ("learning_rate", "decimals"):
            self._caption_numbers_changed()

    def _caption_numbers_changed(self) -> None:
        """The update step's caption names the loss before and after the step: other
        numbers or another learning rate rewrite it (the listeners re-read it)."""
        if self.timeline.current().phase == "update":
            self.step_changed.emit(self.step)

    def _sync(self, force: bool = False) -> None:
        """Bring the timer and the listeners in line with the timeline."""
        playing = self.timeline.playing
        if playing and not self.timer.isActive():
            self.timer.start()
        elif not playing and self.timer.isActive():
            self.timer.stop()
        frame = self.timeline.frame()
        changed = force or frame != self._frame
        self._frame = frame
        step_key = (frame.index, self.is_active(), self.timeline.plan)
        step_moved = force or step_key != self._step_key
        self._step_key = step_key
        if playing != self._was_playing:
            self._was_playing = playing
            self.playing_changed.emit(playing)
        if changed or step_moved:
            self.frame_changed.emit(frame)  # the canvas: progress within the step
        if step_moved:
            self.step_changed.emit(frame.index)


def update_outcome(document) -> str:
    """What Apply update would do to the loss, truthfully: ``" (η = 0.5): the loss
    falls from 1.82 to 0.91"``, or rises (the step overshoots), or stays."""
    from nnviz.core.explain import fmt, fmt_change

    d = document.decimals
    before, after = float(document.grads.loss), document.loss_after_update()
    lr = fmt(document.learning_rate, max(d, 3))
    b, a = fmt_change(before, after, d)  # as many digits as show the change
    if hidden_values.is_hidden(document, "loss"):  # a lesson asks for it: "?"
        b = hidden_values.HIDDEN_TEXT
    if hidden_values.is_hidden(document, "loss_next"):
        a = hidden_values.HIDDEN_TEXT
    if after < before:
        return f" (η = {lr}): the loss falls from {b} to {a}"
    if after > before:
        return f" (η = {lr}): too long a step — the loss rises from {b} to {a}"
    return f" (η = {lr}): the loss stays at {b}"


# ---------------------------------------------------------------- install
class PlaybackFeature:
    """The playback as a window feature: controller, bar, menu, shortcuts, caption."""

    name = "playback"

    def __init__(self) -> None:
        self.controller: PlaybackController | None = None
        self.actions: dict[str, QAction] = {}
        self.bar = None
        self.menu: QMenu | None = None
        self.caption_overlay: CaptionOverlay | None = None

    def install(self, ctx: AppContext, host: Host) -> None:
        from nnviz.ui.panels.playback_bar import PlaybackBar

        controller = PlaybackController(ctx.document, host.window(), messages=ctx.messages.show)
        self.controller = controller
        ctx.playback = controller
        canvas = host.canvas_view()
        canvas.playback_painter = controller.painter

        def canvas_sync(*_args) -> None:  # the canvas is the one listener of ticks
            canvas.set_playback_active(controller.is_active())

        controller.frame_changed.connect(canvas_sync)
        controller.playing_changed.connect(canvas_sync)
        canvas_sync()

        for name, text, tip, keys, method in ACTIONS:
            act = host.add_action(name, text, tip, getattr(controller, method), keys)
            # shortcuts work wherever the focus is in the window, but a widget that uses
            # the key itself (a spin box being typed in) still gets it first
            # (ShortcutOverride)
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setAutoRepeat(name != "playPauseAction")
            self.actions[name] = act
        # ... unless a field is actively being typed in: a focused but untouched field
        # lets them through ("change w, then press Space to watch")
        from nnviz.ui import keys

        self.keys = keys.install(host.window())

        self.bar = PlaybackBar(controller, self.actions)
        toolbar = QToolBar("Playback", host.window())
        toolbar.setObjectName("playbackToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.bar)
        host.add_toolbar(toolbar, Qt.ToolBarArea.BottomToolBarArea)

        a = self.actions
        self.menu = host.add_menu(
            "playbackMenu",
            "&Playback",
            [
                a["playPauseAction"],
                a["stepForwardAction"],
                a["stepBackAction"],
                None,
                a["toStartAction"],
                a["toEndAction"],
            ],
        )
        self.caption_overlay = CaptionOverlay(canvas, controller, ctx.theme.changed)


def install(ctx: AppContext, host: Host) -> PlaybackFeature:
    """Install the playback feature through ``host``; ``ctx.playback`` is its controller."""
    feature = PlaybackFeature()
    feature.install(ctx, host)
    return feature
