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
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QTabBar

from nnviz.ui.training.maps import neuron_maps

__all__ = ["TrainingFeature", "install", "neuron_maps"]

#: the canvas's maps are this many pixels a side
MAP_SIZE = 24
#: no maps on the canvas for more hidden neurons than this (they are dots then)
MAX_MAPS = 256

DOCKS = ("trainingDock", "boundaryDock", "lossDock", "gradientEpochDock")


class TrainingFeature(QObject):
    """What :func:`install` built: controller, panel, plots, docks, actions, the maps cache."""

    def __init__(self, window) -> None:
        super().__init__(window)
        from nnviz.ui.training.controller import TrainingController
        from nnviz.ui.training.panel import TrainingPanel
        from nnviz.ui.training.plots import BoundaryPlot, GradientEpochPlot, LossPlot

        self.window = window
        doc = window.document
        self.controller = TrainingController(doc, self)
        self.panel = TrainingPanel(self.controller)
        self.boundary = BoundaryPlot(self.controller)
        self.loss = LossPlot(self.controller)
        self.gradients = GradientEpochPlot(self.controller)
        self._maps: dict | None = None

        # left: the controls over the data plane; right: the curves, in front of the
        # activation plot's tabs (a file without training keeps today's window)
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        window.setCorner(Qt.Corner.BottomLeftCorner, left)  # the chain rule under the canvas only
        window.setCorner(Qt.Corner.TopLeftCorner, left)
        add = window.add_panel
        self.docks = {
            "trainingDock": add("trainingDock", "Training", self.panel, left, scroll=True),
            "boundaryDock": add("boundaryDock", "Data and output", self.boundary, left),
            "lossDock": add("lossDock", "Loss and accuracy", self.loss, right),
            "gradientEpochDock": add(
                "gradientEpochDock", "Gradient per epoch", self.gradients, right
            ),
        }
        beside = getattr(window, "docks", {}).get("activationPlotDock")
        if beside is not None:
            window.tabifyDockWidget(beside, self.docks["lossDock"])
        window.tabifyDockWidget(self.docks["lossDock"], self.docks["gradientEpochDock"])
        self._beside = beside

        self.actions: dict[str, QAction] = {}
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
            act = QAction(text, window)
            act.setObjectName(name)
            act.setShortcut(QKeySequence(key))
            act.setToolTip(f"{tip} ({key})")
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            window.addAction(act)
            self.actions[name] = act
        self.show_action = QAction("Show &Training Panels", window)
        self.show_action.setObjectName("showTrainingAction")
        self.show_action.setCheckable(True)
        self.show_action.setToolTip("Show the training panel and its plots")
        self.show_action.toggled.connect(self.set_visible)
        menu = window.menuBar().addMenu("&Train")
        menu.setObjectName("trainMenu")
        menu.addAction(self.show_action)
        menu.addSeparator()
        for act in self.actions.values():
            menu.addAction(act)
        if hasattr(window, "actions_by_name"):
            window.actions_by_name.update(self.actions)

        canvas = window.canvas
        canvas.neuron_image_hook = self.neuron_image
        canvas.hover_hook = self.on_hover
        ctrl.shown.connect(self._invalidate_maps)
        ctrl.state_changed.connect(self._on_training_state)
        ctrl.message.connect(lambda text, error: text and window.show_message(text, error))
        doc.results_changed.connect(self._invalidate_maps)
        doc.file_state_changed.connect(self._follow_file)
        self._file_key: object = object()
        self._follow_file()

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
        playback = getattr(getattr(self.window, "context", None), "playback", None)
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
        doc = self.window.document
        key = (doc.path, id(doc.project)) if doc.undo_stack.count() == 0 else self._file_key
        if key != self._file_key:
            self._file_key = key
            self.controller.pause()
            self.set_visible(doc.training_spec is not None)

    # ------------------------------------------------------------ the maps
    def _invalidate_maps(self, *_args) -> None:
        self._maps = None

    def neuron_image(self, l: int, j: int) -> QImage | None:  # noqa: E741
        """The canvas's hook: hidden neuron ``(l, j)``'s map over the plane, or None."""
        if not self.visible:
            return None
        if self._maps is None:
            net = self.window.document.network
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


def install(window) -> TrainingFeature:
    """Add the training feature to ``window`` (a MainWindow: document, canvas, add_panel)."""
    return TrainingFeature(window)
