"""The live plots as a window feature: f and f′ with the neuron's marker, gradient
sizes per layer, and the one linear map a stack of linear layers collapses to.

While playback is active the activation plot follows the step (see
:func:`follow_playback`); otherwise it follows the selection.
"""

from __future__ import annotations

from PySide6.QtCore import Qt


class PlotsFeature:
    """Three tabbed docks on the right; ``install(ctx, host)``."""

    name = "plots"

    def __init__(self) -> None:
        self.activation_plot = None
        self.gradient_flow = None
        self.linear_map = None

    def install(self, ctx, host) -> None:
        # pyqtgraph alone costs ~200 ms to import: only when the plots are built
        from nnviz.ui.panels.activation_plot import ActivationPlotPanel
        from nnviz.ui.panels.gradient_flow import GradientFlowPanel
        from nnviz.ui.panels.linear_map import LinearMapPanel

        doc = ctx.document
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.activation_plot = ActivationPlotPanel(doc)
        plot = host.add_dock(
            "activationPlotDock", "Activation f(z) and f′(z)", self.activation_plot, right
        )
        self.gradient_flow = GradientFlowPanel(doc)
        flow = host.add_dock("gradientFlowDock", "Gradient flow", self.gradient_flow, right)
        self.linear_map = LinearMapPanel(doc)
        linear = host.add_dock(
            "linearMapDock", "Why non-linearity", self.linear_map, right, scroll=True
        )
        window = host.window()
        window.tabifyDockWidget(plot, flow)
        window.tabifyDockWidget(flow, linear)
        plot.raise_()
        inspector = window.findChild(type(plot), "inspectorDock")
        if inspector is not None:
            window.resizeDocks([inspector, plot], [330, 470], Qt.Orientation.Vertical)
        window.resizeDocks([plot], [480], Qt.Orientation.Horizontal)
        if ctx.playback is not None:
            follow_playback(self.activation_plot, ctx.playback)


def follow_playback(plot, controller) -> None:
    """While playback is active the activation plot follows the step, showing only revealed z.

    Forward and backward steps of a layer l ≥ 1 point the plot at the step's neuron
    (at a whole-layer step: the selected neuron if it is in l, else neuron 1 of l);
    other steps leave it on the selection. Either way the plot gets the Frame's
    masks of the z computed so far, so it never shows a value before the animation.
    With playback off (step 0) it follows the selection as in editing. Per step,
    not per tick: nothing here changes within a step.
    """

    def follow(*_args) -> None:
        if not controller.is_active():
            plot.set_playback(None, None)
            return
        frame = controller.frame
        plot.set_playback(controller.active_neuron(), frame.z_shown, frame.a_shown)

    controller.step_changed.connect(follow)
    controller.document.selection_changed.connect(follow)
    follow()
