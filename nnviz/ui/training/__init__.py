"""Live training in the window (issue 12, items 4–8): a feature installed by :func:`install`.

* :mod:`.controller` — the trainer run in time slices, the display decoupled;
* :mod:`.panel` — the training panel (``trainingPanel``);
* :mod:`.plots` — loss (``lossPlot``), accuracy, confusion, gradient per epoch,
  the output over the plane (``boundaryPlot``);
* :mod:`.maps` — heatmaps over the plane, :func:`neuron_maps` for the canvas.

The canvas draws each hidden neuron's map through one optional hook,
``canvas.neuron_image_hook(l, j) -> QImage | None``, and reports the neuron
under the mouse through ``canvas.hover_hook(selection)``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QDockWidget, QTabBar

from nnviz.ui.training.maps import neuron_maps

__all__ = ["TrainingFeature", "install", "neuron_maps"]

#: the canvas's maps are this many pixels a side
MAP_SIZE = 24
#: no maps on the canvas for more hidden neurons than this (they are dots then)
MAX_MAPS = 256

DOCKS = ("trainingDock", "boundaryDock", "lossDock", "gradientEpochDock")


class TrainingFeature(QObject):
    """The training feature: ``install(ctx, host)`` builds the controller, the panel,
    the plots, their docks, the Train menu and the canvas hooks."""

    name = "training"

    def __init__(self) -> None:
        super().__init__()
        self.controller = None
        self.panel = self.boundary = self.loss = self.gradients = None
        self.docks: dict = {}
        self.actions: dict[str, QAction] = {}
        self._maps: dict | None = None
        #: the general plots closed to make room in a small window (reopened later)
        self._closed_plots: list = []

    def install(self, ctx, host) -> None:
        from nnviz.ui.training.controller import TrainingController
        from nnviz.ui.training.panel import TrainingPanel
        from nnviz.ui.training.plots import BoundaryPlot, GradientEpochPlot, LossPlot

        window = host.window()
        self.setParent(window)
        self.window = window
        self.canvas = host.canvas_view()
        self.playback = ctx.playback
        doc = ctx.document
        self.document = doc
        self.controller = TrainingController(doc, self)
        self.panel = TrainingPanel(self.controller)
        self.boundary = BoundaryPlot(self.controller)
        self.loss = LossPlot(self.controller)
        self.gradients = GradientEpochPlot(self.controller)

        # left: the controls over the data plane; right: the curves, in front of the
        # activation plot's tabs (a file without training keeps today's window)
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        window.setCorner(Qt.Corner.BottomLeftCorner, left)  # the chain rule under the canvas only
        window.setCorner(Qt.Corner.TopLeftCorner, left)
        add = host.add_dock
        self.docks = {
            "trainingDock": add("trainingDock", "Training", self.panel, left, scroll=True),
            "boundaryDock": add("boundaryDock", "Data and output", self.boundary, left),
            "lossDock": add("lossDock", "Loss and accuracy", self.loss, right),
            "gradientEpochDock": add(
                "gradientEpochDock", "Gradient per epoch", self.gradients, right
            ),
        }
        beside = window.findChild(QDockWidget, "activationPlotDock")
        if beside is not None:
            window.tabifyDockWidget(beside, self.docks["lossDock"])
        window.tabifyDockWidget(self.docks["lossDock"], self.docks["gradientEpochDock"])
        self._beside = beside
        # a small window: the run controls in one row above the canvas (see arrange)
        from nnviz.ui.training.runbar import RunBar

        self.runbar = RunBar(self.controller, window)
        self.runbar.hide()
        self._host = host
        self._runbar_placed = False  # in the window's top toolbar area (only while shown:
        # a hidden bar after a break still changed how the main toolbar is painted)
        window.installEventFilter(self)  # a resize across the compact height moves them

        ctrl = self.controller
        for name, text, tip, key, slot in (
            (
                "trainPlayAction",
                "&Train / Pause",
                "Train continuously, or pause",
                "Ctrl+T",
                ctrl.toggle,
            ),
            (
                "trainStepAction",
                "Train One &Step",
                "Train on one batch",
                "Ctrl+Shift+T",
                ctrl.step_once,
            ),
            ("trainEpochAction", "Train One &Epoch", "Train one epoch", "Ctrl+E", ctrl.epoch_once),
            (
                "trainResetAction",
                "&Reset Training",
                "Epoch 0, weights from the seed",
                "Ctrl+Shift+R",
                ctrl.reset,
            ),
        ):
            self.actions[name] = host.add_action(name, text, tip, slot, [key])
        self.show_action = QAction("Show &Training Panels", window)
        self.show_action.setObjectName("showTrainingAction")
        self.show_action.setCheckable(True)
        self.show_action.setToolTip("Show the training panel and its plots")
        self.show_action.toggled.connect(self.set_visible)
        host.add_menu("trainMenu", "&Train", [self.show_action, None, *self.actions.values()])

        canvas = self.canvas
        canvas.neuron_image_hook = self.neuron_image
        canvas.hover_hook = self.on_hover
        ctrl.shown.connect(self._invalidate_maps)
        ctrl.state_changed.connect(self._on_training_state)
        ctrl.message.connect(lambda text, error: text and ctx.messages.show(text, error))
        doc.results_changed.connect(self._on_results)
        doc.file_state_changed.connect(self._follow_file)
        self._pause_before_undo(ctx)
        if self.playback is not None:  # playing the pass pauses training: one at a time
            self.playback.playing_changed.connect(self._on_playback_playing)
        self._file_key: object = object()
        self._follow_file()

    def _pause_before_undo(self, ctx) -> None:
        """Edit ▸ Undo (and Redo) while training plays pauses first: the run becomes its
        undo step, and Undo then goes back to the weights, the epoch and the curves
        from before it (without this it undid the step before the run)."""
        stack = self.document.undo_stack
        for name, move in (("undoAction", stack.undo), ("redoAction", stack.redo)):
            action = ctx.actions.get(name) if ctx.actions is not None else None
            if action is None:
                continue
            # the stack's own connection is the action's only one (QUndoStack's
            # createUndoAction); a C++ connection cannot be named from Python
            action.triggered.disconnect()

            def paused_then(_checked=False, move=move) -> None:
                self.controller.pause()
                move()

            action.triggered.connect(paused_then)

    def _on_playback_playing(self, playing: bool) -> None:
        if playing and self.controller.playing:
            self.controller.pause()

    def _to_front(self, dock) -> None:
        """Make ``dock``'s tab the current one (``raise_()`` alone did not, here)."""
        dock.raise_()
        for bar in self.window.findChildren(QTabBar):
            for i in range(bar.count()):
                if bar.tabText(i) == dock.windowTitle():
                    bar.setCurrentIndex(i)
                    return

    def _on_training_state(self) -> None:
        """Training runs on the editing view: a playback of the pass goes back to its start
        (pause training to step through the pass on the weights it has reached)."""
        playback = self.playback
        if self.controller.playing and playback is not None and playback.is_active():
            playback.pause()
            playback.to_start()

    # ------------------------------------------------------------ showing
    @property
    def visible(self) -> bool:
        return self.show_action.isChecked()

    def set_visible(self, on: bool) -> None:
        """Show or hide the training docks (and the maps on the canvas)."""
        if self.show_action.isChecked() != on:
            self.show_action.setChecked(on)  # comes back here through toggled
            return
        if not on:
            self.controller.pause()
        for dock in self.docks.values():
            dock.setVisible(on)
        if on:
            self.boundary.refresh(force=True)
            self.arrange()
        else:
            self.fit_controls()
            if self._closed_plots:  # back to the window's own compact arrangement
                from nnviz.ui import window_layout

                self._reopen_plots()
                self.window.setProperty("nnvizTrainingColumn", False)
                window_layout.arrange(self.window)
            if self._beside is not None:
                self._to_front(self._beside)  # the tab in front before training showed
        self._invalidate_maps()

    # ------------------------------------------------------------ arranging
    @property
    def compact(self) -> bool:
        """The window is small (less than window_layout.COMPACT_HEIGHT high)."""
        from nnviz.ui import window_layout

        return window_layout.is_compact(self.window)

    def fit_controls(self) -> None:
        """The run controls: in the training toolbar in a small window, else in the panel."""
        compact = self.visible and self.compact
        window, top = self.window, Qt.ToolBarArea.TopToolBarArea
        if compact and not self._runbar_placed:
            window.addToolBarBreak(top)
            self._host.add_toolbar(self.runbar, top)
            self._runbar_placed = True
        elif not compact and self._runbar_placed:
            window.removeToolBarBreak(self.runbar)
            window.removeToolBar(self.runbar)
            self._runbar_placed = False
        if self.runbar.isVisibleTo(window) != compact:
            self.runbar.setVisible(compact)
        self.panel.run_controls.setVisible(not compact)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit_controls()
        elif watched is self.window and event.type() == QEvent.Type.Close:
            self._reopen_plots()  # the next start's saved arrangement keeps them open
        return False

    def arrange(self) -> None:
        """Lay the training docks out for the window's size (the window's own arrangement,
        nnviz.ui.window_layout.arrange, calls this too).

        * Small window (compact): the canvas keeps at least half of the width. The run
          controls are one row above it (``trainingToolbar``); the right column holds
          two tab groups: the inspector and the plots above, the training's below —
          *Data* (the boundary plot, in front), *Loss*, *Per epoch* and *Training*
          (the panel's data, features and optimiser).
        * Otherwise: the training panel over the data plot in a left column, the loss
          and the gradient per epoch as tabs beside the activation plot.
        """
        if not self.visible:
            self.window.setProperty("nnvizTrainingColumn", False)
            self.fit_controls()
            return
        compact = self.compact
        # the inspector shares the column with the plots then: it may scroll (up-down)
        self.window.setProperty("nnvizTrainingColumn", compact)
        if compact:
            self._arrange_compact()
        else:
            self._arrange_roomy()
        self.fit_controls()

    def _arrange_compact(self) -> None:
        """The right column is one tab group: Data (in front), Loss, Per epoch, Training,
        Inspector. Two groups stacked do not fit a 768-pixel screen (the activation
        plot alone needs 380 px, the data plot 300), and a second group squeezed to
        100 px hid the feature boxes and the inspector's fields; so the general
        plots (activation, gradient flow, linearity) close while training shows in a
        small window (View ▸ Panels opens them; they come back when training hides or
        the window grows)."""
        from nnviz.ui import window_layout

        window, docks = self.window, self.docks
        size = window.size()
        right = Qt.DockWidgetArea.RightDockWidgetArea
        inspector = window.findChild(QDockWidget, "inspectorDock")
        data = docks["boundaryDock"]
        # built the same way whatever came before (the window's own arrangement, a roomy
        # one, a second call); the layout is applied after each move, or Qt paints
        # stale tab bars over the panels
        window.addDockWidget(right, data, Qt.Orientation.Vertical)
        window_layout.settle(window, size)
        for dock in (
            docks["lossDock"],
            docks["gradientEpochDock"],
            docks["trainingDock"],
            inspector,
        ):
            if dock is not None:
                _tabify(window, right, data, dock)
                window_layout.settle(window, size)
        for name in window_layout.PLOT_DOCKS:
            dock = window.findChild(QDockWidget, name)
            if dock is not None and dock not in self._closed_plots and not dock.isHidden():
                self._closed_plots.append(dock)
            if dock is not None:
                dock.hide()
        window.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        window.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.TopDockWidgetArea)
        window_layout.settle(window, size)
        window_layout.fit_tab_titles(window)
        self._fit_column()
        # once more after the window is laid out (a window not yet shown ignores sizes)
        QTimer.singleShot(0, self._fit_column)

    def _reopen_plots(self) -> None:
        """The general plots this feature closed, open again (where they were)."""
        for dock in self._closed_plots:
            dock.show()
        self._closed_plots = []

    def _fit_column(self) -> None:
        """The compact right column's width, the data plot in front, and no stale tab
        bar left over from the moves."""
        from nnviz.ui import window_layout

        window, data = self.window, self.docks["boundaryDock"]
        if not (self.visible and self.compact):
            return
        size = window.size()
        horizontal = Qt.Orientation.Horizontal
        # room for the five tabs' names and the inspector's fields (the canvas keeps half)
        width = min(window.width() // 2 - 8, max(window_layout.right_width_for(window), 420))
        window.resizeDocks([data], [width], horizontal)
        window_layout.settle(window, size)
        self._to_front(data)
        _hide_stale_tab_bars(window)

    def _arrange_roomy(self) -> None:
        from nnviz.ui import window_layout

        window, docks = self.window, self.docks
        size = window.size()
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        vertical = Qt.Orientation.Vertical
        window.setCorner(Qt.Corner.BottomLeftCorner, left)
        window.setCorner(Qt.Corner.TopLeftCorner, left)
        inspector = window.findChild(QDockWidget, "inspectorDock")
        if window.dockWidgetArea(docks["trainingDock"]) != left:  # back from the compact
            self._reopen_plots()
            if inspector is not None:  # the inspector over the plots again
                window.addDockWidget(right, inspector, vertical)
                window_layout.settle(window, size)
            first = self._beside or docks["lossDock"]
            window.addDockWidget(right, first, vertical)
            window_layout.settle(window, size)
            for name in (*window_layout.PLOT_DOCKS, "lossDock", "gradientEpochDock"):
                dock = docks.get(name) or window.findChild(QDockWidget, name)
                if dock is not None and dock is not first:
                    _tabify(window, right, first, dock)
                    window_layout.settle(window, size)
            window.addDockWidget(left, docks["trainingDock"])
            window.splitDockWidget(docks["trainingDock"], docks["boundaryDock"], vertical)
            window_layout.settle(window, size)
            _hide_stale_tab_bars(window)
        self._to_front(docks["lossDock"])
        QTimer.singleShot(0, lambda: self._to_front(docks["lossDock"]))
        # the left column: a third of the window at most, the boundary near square
        width = max(300, min(380, window.width() // 3))
        window.resizeDocks([docks["trainingDock"]], [width], Qt.Orientation.Horizontal)
        window_layout.settle(window, size)

    def _follow_file(self) -> None:
        """A file with a training section opens with the training panels shown."""
        doc = self.document
        key = (doc.path, id(doc.project)) if doc.undo_stack.count() == 0 else self._file_key
        if key != self._file_key:
            self._file_key = key
            self.controller.abort_run()
            self.set_visible(doc.training_spec is not None)
            spec = doc.training_spec
            if spec is not None and spec.learning_rate <= 100:
                doc.set_learning_rate(spec.learning_rate)  # Apply update uses the file's η

    # ------------------------------------------------------------ the maps
    def _on_results(self, _change) -> None:
        self._invalidate_maps()

    def _invalidate_maps(self) -> None:
        self._maps = None
        # the input neurons are named by their features while training shows
        names = None
        if self.visible and self.document.input_names:  # the one source of these names
            names = list(self.document.input_names)
        if names != self.canvas.input_names:
            self.canvas.input_names = names
            self.canvas.static.update()

    def neuron_image(self, l: int, j: int) -> QImage | None:  # noqa: E741
        """The canvas's hook: hidden neuron ``(l, j)``'s map over the plane, or None."""
        if not self.visible:
            return None
        if self._maps is None:
            net = self.document.network
            hidden = sum(net.sizes[1:-1])
            spec = self.controller.spec
            if hidden > MAX_MAPS or spec is None:
                self._maps = {}
            else:
                self._maps = self._maps_from_plane()
        return self._maps.get((l, j))

    def _maps_from_plane(self) -> dict:
        """The maps, sampled from the boundary plot's grid (one forward pass per frame)."""
        from nnviz.ui.training.maps import colorize, to_qimage

        ctrl = self.controller
        n = ctrl.boundary_size()
        values = ctrl.cached_plane_values(n)  # the boundary's grid, when it is up to date
        step = n // MAP_SIZE
        if values is None or step < 1:
            values, step = ctrl.plane_values(MAP_SIZE), 1
        if values is None:
            return {}
        out = {}
        for l in range(1, len(values) - 1):  # noqa: E741
            pixels = colorize(values[l][::step, ::step])
            for j in range(pixels.shape[2]):
                out[(l, j)] = to_qimage(pixels[:, :, j])
        return out

    def on_hover(self, selection) -> None:
        """The canvas's hover hook: a hidden neuron's map goes into the big plot."""
        if not self.visible:
            return
        if selection is not None and selection.kind == "neuron":
            self.boundary.show_neuron((selection.layer, selection.neuron))
        else:
            self.boundary.show_neuron(None)


def _tabify(window, area, anchor: QDockWidget, dock: QDockWidget) -> None:
    """``dock`` as a tab of ``anchor``'s group, out of whatever group it was in first:
    Qt 6.12's tabifyDockWidget leaves a dock that is a tab of another group where it is
    (two groups stacked: the window grew past a 768-pixel screen). Shown or hidden as
    it was."""
    shown = not dock.isHidden()
    window.removeDockWidget(dock)
    window.addDockWidget(area, dock, Qt.Orientation.Vertical)
    window.tabifyDockWidget(anchor, dock)
    dock.setVisible(shown)


def _hide_stale_tab_bars(window) -> None:
    """Hide the docks' tab bars that belong to no tab group any more.

    Moving docks between groups from code leaves the old group's tab bar shown
    where it was (Qt hides unused tab bars only when a drag ends or a whole state
    is restored), painted over the panels. A tab bar in use sits right under the
    dock in front of its group, as wide as it.
    """
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()]
    for bar in window.findChildren(QTabBar):
        if bar.parent() is not window or not bar.isVisible():
            continue
        g = bar.geometry()
        used = any(
            d.geometry().left() == g.left()
            and d.geometry().width() == g.width()
            and abs(d.geometry().bottom() + 1 - g.top()) <= 1
            and any(bar.tabText(i) == d.windowTitle() for i in range(bar.count()))
            for d in docks
        )
        if not used:
            bar.hide()


def install(ctx, host) -> TrainingFeature:
    """Add the training feature to ``host`` (see :class:`nnviz.ui.context.Host`)."""
    feature = TrainingFeature()
    feature.install(ctx, host)
    return feature
