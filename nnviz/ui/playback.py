"""Playback of the forward and backward pass: the controller that owns the timeline.

Animation is a position on a timeline, not a clock (DESIGN.md, convention 5).
:class:`PlaybackController` holds a :class:`~nnviz.core.timeline.Timeline`
for the document's network and the app's one playback QTimer, whose only job
is to call :meth:`PlaybackController.advance`. Everything else, buttons,
shortcuts, the step slider, ``--step N`` and the GIF export, seeks.

The canvas draws the frame through its ``playback_painter`` hook while the
controller says playback is active: whenever it is playing or the position is
past step 0 ("start"). At step 0 and paused the canvas is the ordinary editing
view with every number.

:func:`install` puts it all into a main window: the controller, the playback
bar (a bottom toolbar), the chain-rule panel (a dock), a Playback menu and
the window-level shortcut actions.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QToolBar

from nnviz.core.timeline import (
    GRANULARITIES,
    TICKS_PER_SECOND,
    Frame,
    Position,
    Timeline,
    build_plan,
)
from nnviz.ui import theme as themes
from nnviz.ui.canvas.animation import PlaybackPainter

#: interval of the playback timer in milliseconds (one tick)
TICK_MS = round(1000 / TICKS_PER_SECOND)

#: the chain-rule dock's starting height in pixels
CHAIN_RULE_HEIGHT = 240

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

    Signals: ``frame_changed(Frame)`` whenever what is shown changes (each tick
    while playing); ``playing_changed(bool)``; ``plan_changed()`` when the list
    of steps was rebuilt (an edit or a change of granularity).
    """

    frame_changed = Signal(object)
    playing_changed = Signal(bool)
    plan_changed = Signal()

    def __init__(self, window, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setObjectName("playbackController")
        self.window = window
        self.document = window.document
        self.canvas = window.canvas
        self.timeline = Timeline(build_plan(self.document.network, "layer"))
        self._frame: Frame = self.timeline.frame()
        self._was_playing = False
        #: keep the animation view even at step 0 (the GIF export shows the empty start)
        self.hold_active = False
        self.timer = QTimer(self)
        self.timer.setObjectName("playbackTimer")
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.painter = PlaybackPainter(lambda: self._frame, self.upcoming_frame)
        self.canvas.playback_painter = self.painter
        self.document.network_changed.connect(self._on_network_changed)
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
        """``Step 5 / 15: layer 1 — z = Σ w·a + b``."""
        step = self.timeline.current()
        return f"Step {self.step} / {self.last}: {step.caption}"

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
            show = getattr(self.window, "show_message", None)
            if show is not None:
                show(msg, error=True)
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
        self.frame_changed.emit(self._frame)  # the bar shows the speed
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
    def _on_network_changed(self) -> None:
        """Recompute the steps for the edited network; keep the position (clamped)."""
        self.painter.invalidate()
        plan = build_plan(self.document.network, self.granularity)
        same = plan.steps == self.timeline.plan.steps
        self.timeline.set_plan(plan)
        if not same:
            self.plan_changed.emit()
        self._sync(force=True)

    def _sync(self, force: bool = False) -> None:
        """Bring the timer, the canvas and the listeners in line with the timeline."""
        playing = self.timeline.playing
        if playing and not self.timer.isActive():
            self.timer.start()
        elif not playing and self.timer.isActive():
            self.timer.stop()
        frame = self.timeline.frame()
        changed = force or frame != self._frame
        self._frame = frame
        self.canvas.set_playback_active(self.is_active())
        if playing != self._was_playing:
            self._was_playing = playing
            self.playing_changed.emit(playing)
        if changed:
            self.frame_changed.emit(frame)


class CaptionOverlay(QLabel):
    """The step's caption in large type at the top of the canvas (for the back row)."""

    def __init__(self, canvas, controller: PlaybackController) -> None:
        super().__init__(canvas.viewport())
        self.setObjectName("playbackCaption")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self._canvas = canvas
        self._controller = controller
        self._key: tuple | None = None
        f = self.font()
        f.setPointSizeF(16)
        f.setBold(True)
        self.setFont(f)
        self.setMargin(8)
        controller.frame_changed.connect(self.refresh)
        controller.playing_changed.connect(lambda _p: self.refresh())
        controller.document.settings_changed.connect(self.refresh)  # a theme change
        canvas.viewport().installEventFilter(self)
        self.refresh()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.refresh()
        return False

    def refresh(self) -> None:
        c = self._controller
        if not c.is_active():
            self.hide()
            return
        th = themes.current()
        key = (c.caption(), th.name, self._canvas.viewport().width())
        if key == self._key and self.isVisible():
            return  # every tick emits: redo the box only when it changes
        if self._key is None or self._key[1] != th.name:
            # a style sheet is costly to apply (it restyles the label): only per theme
            bg = th.surface
            self.setStyleSheet(
                f"QLabel {{ color: {th.text.name()}; background: rgba({bg.red()}, "
                f"{bg.green()}, {bg.blue()}, 225); border: 1px solid {th.grid.name()}; "
                "border-radius: 6px; }"
            )
        self._key = key
        # the same caption must give the same box whatever came before (stepping back)
        self.setWordWrap(False)
        self.setMinimumWidth(0)
        self.setMaximumWidth(16777215)
        self.setText(c.caption())
        self.adjustSize()
        vw = self._canvas.viewport().width()
        if self.width() > vw - 20:
            self.setWordWrap(True)
            self.setFixedWidth(max(vw - 20, 100))
            self.adjustSize()
        self.move(max((vw - self.width()) // 2, 10), 8)
        self.show()
        self.raise_()


# ---------------------------------------------------------------- install
def _add_action(window, name: str, text: str, tip: str, shortcuts: list[str], slot) -> QAction:
    helper = getattr(window, "_action", None)
    if helper is not None:
        act = helper(name, text, tip, slot, shortcuts)
    else:  # a plain QMainWindow (tests, export)
        act = QAction(text, window)
        act.setObjectName(name)
        act.setShortcuts([QKeySequence(s) for s in shortcuts])
        act.setToolTip(f"{tip} ({act.shortcut().toString()})" if shortcuts else tip)
        act.triggered.connect(slot)
        window.addAction(act)
    # shortcuts work wherever the focus is in the window, but a widget that uses the key
    # itself (a spin box being typed in) still gets it first through ShortcutOverride
    act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.setAutoRepeat(name != "playPauseAction")
    return act


def install(window) -> PlaybackController:
    """Add the playback controller, bar, chain-rule panel, menu and shortcuts to ``window``."""
    from nnviz.ui.panels.chain_rule import ChainRulePanel
    from nnviz.ui.panels.playback_bar import PlaybackBar

    controller = PlaybackController(window)
    actions: dict[str, QAction] = {}
    for name, text, tip, keys, method in ACTIONS:
        actions[name] = _add_action(window, name, text, tip, keys, getattr(controller, method))
    controller.actions = actions

    bar = PlaybackBar(controller, actions)
    toolbar = QToolBar("Playback", window)
    toolbar.setObjectName("playbackToolbar")
    toolbar.setMovable(False)
    toolbar.addWidget(bar)
    window.addToolBar(Qt.ToolBarArea.BottomToolBarArea, toolbar)
    controller.bar = bar

    panel = ChainRulePanel(window.document, controller)
    check = _add_action(
        window,
        "gradCheckAction",
        "&Check Gradient",
        "Estimate the selected weight's or bias's gradient by finite differences, "
        "beside the backpropagated value",
        ["Ctrl+G"],
        panel.run_check,
    )
    panel.set_check_action(check)
    add_panel = getattr(window, "add_panel", None)
    if add_panel is not None:
        dock = add_panel(
            "chainRuleDock", "Chain rule", panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
    else:
        from PySide6.QtWidgets import QDockWidget

        dock = QDockWidget("Chain rule", window)
        dock.setObjectName("chainRuleDock")
        dock.setWidget(panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    controller.chain_rule = panel
    if dock.parent() is window:  # room for about six lines of large equations
        window.resizeDocks([dock], [CHAIN_RULE_HEIGHT], Qt.Orientation.Vertical)
        QTimer.singleShot(
            0, lambda: window.resizeDocks([dock], [CHAIN_RULE_HEIGHT], Qt.Orientation.Vertical)
        )
    controller.chain_rule_dock = dock

    _add_menu(window, actions, check)
    controller.caption_overlay = CaptionOverlay(window.canvas, controller)
    _follow_with_activation_plot(window, controller)
    window.seek_step = controller.seek_step
    return controller


def _add_menu(window, actions: dict[str, QAction], check: QAction) -> None:
    mb = window.menuBar()
    menu = QMenu("&Playback", mb)
    menu.setObjectName("playbackMenu")
    for name in ("playPauseAction", "stepForwardAction", "stepBackAction"):
        menu.addAction(actions[name])
    menu.addSeparator()
    menu.addAction(actions["toStartAction"])
    menu.addAction(actions["toEndAction"])
    menu.addSeparator()
    menu.addAction(check)
    help_menu = window.findChild(QMenu, "helpMenu")
    if help_menu is not None:
        mb.insertMenu(help_menu.menuAction(), menu)
    else:
        mb.addMenu(menu)
    window.playback_menu = menu


def _follow_with_activation_plot(window, controller: PlaybackController) -> None:
    """While playback is active the activation plot follows the step, showing only revealed z.

    Forward and backward steps of a layer l ≥ 1 point the plot at the step's neuron
    (at a whole-layer step: the selected neuron if it is in l, else neuron 1 of l);
    other steps leave it on the selection. Either way the plot gets the Frame's
    masks of the z computed so far, so it never shows a value before the animation.
    With playback off (step 0) it follows the selection as in editing.
    """

    def follow(_frame=None) -> None:
        # the window's own attribute (set when the plots are built), not findChild:
        # this runs every tick, and findChild walks the whole widget tree
        plot = getattr(window, "activation_plot", None)
        setter = getattr(plot, "set_playback", None)
        if setter is None:
            return
        if not controller.is_active():
            setter(None, None)
            return
        frame = controller.frame
        target = controller.active_neuron()
        setter(target, frame.z_shown)

    controller.frame_changed.connect(follow)
    controller.document.selection_changed.connect(follow)
