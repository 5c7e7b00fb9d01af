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

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QDockWidget, QTabBar

from nnviz.core import features
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
        if self.playback is not None:  # playing the pass pauses training: one at a time
            self.playback.playing_changed.connect(self._on_playback_playing)
        self._file_key: object = object()
        self._follow_file()

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
            self._to_front(self.docks["lossDock"])
            QTimer.singleShot(0, lambda: self._to_front(self.docks["lossDock"]))
            self.boundary.refresh(force=True)
            # the left column: a third of the window at most, the boundary near square
            width = max(300, min(380, self.window.width() // 3))
            horizontal = Qt.Orientation.Horizontal
            self.window.resizeDocks([self.docks["trainingDock"]], [width], horizontal)
        elif self._beside is not None:
            self._to_front(self._beside)  # the tab that was in front before training showed
        self._invalidate_maps()

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
        spec = self.controller.spec
        names = None
        if self.visible and spec is not None:
            names = [features.LABELS.get(n, n) for n in spec.features]
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


def install(ctx, host) -> TrainingFeature:
    """Add the training feature to ``host`` (see :class:`nnviz.ui.context.Host`)."""
    feature = TrainingFeature()
    feature.install(ctx, host)
    return feature
