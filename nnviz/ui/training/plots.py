"""The training plots (pyqtgraph): loss per epoch, accuracy, confusion, gradient sizes, boundary.

Each plot redraws from the controller when it shows new weights
(:attr:`TrainingController.shown`, at most once per frame), never per step.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QImage, QPixmap, QTransform
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import training_view
from nnviz.ui import theme
from nnviz.ui.panels import plot_style
from nnviz.ui.training import maps

TICK_PT = 9
#: the boundary's resolution (cells per side)
BOUNDARY_N = 100
#: at most this share of the time goes to drawing the boundary of a big network
BOUNDARY_SHARE = 0.2
#: a click within this many pixels of a point hits it
HIT_PX = 9.0

#: a long run's curves: auto downsampling ("peak": each bin's minimum and maximum, so
#: the drawn line looks the same) to about this many epochs per pixel (pyqtgraph's
#: default is 5): a curve of 10,000 epochs cost ~20 ms a paint, drawn in full
SAMPLES_PER_PIXEL = 2.0
CURVE = {"autoDownsampleFactor": SAMPLES_PER_PIXEL}

TRAIN_COLOR = "#0077bb"
TEST_COLOR = "#ee7733"


def _style(widget: pg.PlotWidget, x: str, y: str, grid: bool = True) -> pg.PlotItem:
    t = theme.current()
    widget.setBackground(t.background)
    item = widget.getPlotItem()
    item.setMenuEnabled(False)
    item.hideButtons()
    font = QFont()
    font.setPointSize(TICK_PT)
    for name, text in (("bottom", x), ("left", y)):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(t.muted))
        axis.setTextPen(pg.mkPen(t.text))
        axis.setTickFont(font)
        axis.setSIPrefixEnableRanges(())  # no hidden rescaling of large values (as plot_style)
        axis.enableAutoSIPrefix(False)
        if text:
            axis.setLabel(text, **{"color": t.text.name(), "font-size": f"{TICK_PT}pt"})
        # an axis repaints from a pixmap unless its range changed: replaying its text
        # at every frame of training cost ~3 ms an axis
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    item.showGrid(x=grid, y=grid, alpha=0.2)
    return item


def follow_theme(widget: QWidget, document, views: list[tuple]) -> None:
    """Restyle ``views`` (plot, x label, y label[, grid]) when the theme changes."""
    state = {"dark": theme.current().dark}

    def on_settings() -> None:
        if theme.current().dark != state["dark"]:
            state["dark"] = theme.current().dark
            for view, *labels in views:
                _style(view, *labels)

    document.display_changed.connect(lambda _name: on_settings())
    widget._follow_theme = on_settings  # kept with the widget


def stepped_limit(v: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50, ... at or above ``v``: an axis that grows in steps
    (its ticks are drawn again only when it grows, not at every epoch)."""
    if not math.isfinite(v) or v <= 0:
        return 1.0
    e = 10.0 ** math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if v <= m * e * (1 + 1e-12):
            return m * e
    return 10.0 * e


class HistoryColumns:
    """The trainer's history as float columns (epoch, train loss, test loss, train and
    test accuracy; NaN for None), grown by the new epochs only: at 60 epochs a second
    rebuilding them from thousands of records each frame grew to milliseconds. A
    trainer's history only grows (a reset starts a new list); another list, a shorter
    one or a different last record is read again whole."""

    def __init__(self) -> None:
        self._hist: list | None = None
        self._last = None  # the last record read
        self._rows: list[tuple[float, ...]] = []
        self._arrays: tuple[np.ndarray, ...] = tuple(np.zeros(0) for _ in range(5))

    @staticmethod
    def _row(h) -> tuple[float, ...]:
        def f(v) -> float:
            return math.nan if v is None else float(v)

        return (
            float(h.epoch),
            float(h.train_loss),
            f(h.test_loss),
            f(h.train_accuracy),
            f(h.test_accuracy),
        )

    def read(self, hist: list) -> tuple[np.ndarray, ...]:
        n = len(self._rows)
        same = hist is self._hist and len(hist) >= n and (n == 0 or hist[n - 1] is self._last)
        if not same:  # another trainer, a reset, another history: read it all
            self._hist, self._rows, n = hist, [], 0
        if len(hist) > n or not same:
            self._rows.extend(self._row(h) for h in hist[n:])
            self._last = hist[-1] if hist else None
            table = np.array(self._rows, dtype=float).reshape(len(self._rows), 5)
            self._arrays = tuple(table[:, k].copy() for k in range(5))
        return self._arrays


class WrappedFigures(QWidget):
    """A word-wrapped, selectable label whose new text costs no relayout of the window.

    A QLabel in a layout asks its window to lay out again at every new text (Qt's
    ``updateGeometry``: the panel, the dock and the main window, ~1 ms a training
    frame, with repaints of the docks). Here the label is a child of this holder
    without a layout: a new text only repaints it, and the holder asks for a new
    layout only when the text needs another height at its width.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        policy = self.label.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name
        if text == self.label.text():
            return
        before = (self.minimumSizeHint(), self.heightForWidth(self.width()))
        self.label.setText(text)
        if (self.minimumSizeHint(), self.heightForWidth(self.width())) != before:
            self.updateGeometry()

    def text(self) -> str:
        return self.label.text()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.label.heightForWidth(width)

    def sizeHint(self):  # noqa: N802 - Qt's name
        return self.label.sizeHint()

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        return self.label.minimumSizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.label.setGeometry(self.rect())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()  # another font: another height for the text


class LossPlot(plot_style.RefreshWhenShown, QWidget):
    """Train and test loss per epoch (log scale optional), accuracy, a confusion matrix."""

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPanel")
        self.controller = controller
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("lossPlot")
        self.plot.setToolTip(
            "Loss per epoch: training points (blue) and test points (orange), without the "
            "regularisation term. A red line marks an epoch where training diverged."
        )
        self.plot.setMinimumSize(220, 130)
        self.item = _style(self.plot, "epoch", "loss")
        self.item.disableAutoRange()
        legend = self.item.addLegend(offset=(-5, 5), labelTextSize=f"{TICK_PT}pt")
        legend.setBrush(pg.mkBrush(theme.current().surface))
        self.item.setDownsampling(auto=True, mode="peak")
        self.train_curve = self.item.plot(
            [], [], pen=pg.mkPen(TRAIN_COLOR, width=2), name="train", **CURVE
        )
        self.test_curve = self.item.plot(
            [], [], pen=pg.mkPen(TEST_COLOR, width=2), name="test", **CURVE
        )
        self.divergence_lines: list[pg.InfiniteLine] = []
        self._columns = HistoryColumns()

        self.log_box = QCheckBox("Log scale")
        self.log_box.setObjectName("lossLogScale")
        self.log_box.setToolTip("Show the loss on a logarithmic axis (small losses become visible)")
        self.log_box.toggled.connect(self._on_log)
        self.figures = WrappedFigures()
        self.figures.label.setObjectName("trainingFigures")
        self.figures.label.setToolTip("The last epoch's loss and, for classes, accuracy")

        self.accuracy = pg.PlotWidget()
        self.accuracy.setObjectName("accuracyPlot")
        self.accuracy.setToolTip("Accuracy per epoch on the training and the test points")
        self.accuracy.setMinimumSize(220, 90)
        self.acc_item = _style(self.accuracy, "epoch", "accuracy")
        self.acc_item.disableAutoRange()
        self.acc_item.setYRange(0, 1, padding=0.02)
        self.acc_item.setDownsampling(auto=True, mode="peak")
        self.acc_train = self.acc_item.plot([], [], pen=pg.mkPen(TRAIN_COLOR, width=2), **CURVE)
        self.acc_test = self.acc_item.plot([], [], pen=pg.mkPen(TEST_COLOR, width=2), **CURVE)

        self.confusion = QTableWidget(0, 0)
        self.confusion.setObjectName("confusionMatrix")
        self.confusion.setToolTip(
            "Test points (training points if there are none): row = true class, "
            "column = predicted class"
        )
        self.confusion.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.confusion.setMaximumHeight(110)

        top = QHBoxLayout()
        top.addWidget(self.figures, 1)
        top.addWidget(self.log_box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.plot, 3)
        lay.addWidget(self.accuracy, 2)
        lay.addWidget(self.confusion)
        follow_theme(
            self,
            controller.document,
            [(self.plot, "epoch", "loss"), (self.accuracy, "epoch", "accuracy")],
        )
        controller.shown.connect(self.refresh)
        controller.state_changed.connect(self.refresh)
        controller.diverged.connect(self._on_diverged)
        self.refresh()

    @staticmethod
    def _curve(curve, x: np.ndarray, y: np.ndarray) -> None:
        """Set a curve; the quick path when every value is finite (the usual case)."""
        if np.isfinite(y).all():
            curve.setData(x, y, skipFiniteCheck=True)
        elif np.isfinite(y).any():
            curve.setData(x, y, connect="finite")
        else:
            curve.setData([], [])

    def _set_ranges(self, ep: np.ndarray, train: np.ndarray, test: np.ndarray) -> None:
        """Axes that grow in steps, so their ticks are not redrawn at every epoch."""
        x_max = stepped_limit(float(ep[-1])) if ep.size else 10.0
        both = np.concatenate([train, test])
        both = both[np.isfinite(both)]
        if self.log_box.isChecked():
            both = both[both > 0]
            if both.size:
                lo = math.floor(math.log10(both.min()))
                hi = math.ceil(math.log10(both.max()))
                y = (lo, max(hi, lo + 1))
            else:
                y = (-3, 0)
        else:
            y = (0.0, stepped_limit(float(both.max())) if both.size else 1.0)
        ranges = (x_max, y)
        if ranges != getattr(self, "_ranges", None):
            self._ranges = ranges
            self.item.setXRange(0, x_max, padding=0.02)
            self.item.setYRange(*y, padding=0.02)
            self.acc_item.setXRange(0, x_max, padding=0.02)

    def _on_log(self, on: bool) -> None:
        self.item.setLogMode(x=False, y=on)
        self.refresh(force=True)

    def _on_diverged(self, div) -> None:
        self.refresh()

    def refresh(self, force: bool = False) -> None:
        if self._skip_while_hidden(force):  # a tab behind another: catch up when shown
            return
        tr = self.controller._trainer
        hist = tr.history if tr is not None else []
        cols = self._columns.read(hist)
        ep, train, test = cols[0], cols[1], cols[2]
        if self.log_box.isChecked():  # a log axis cannot show 0
            train = np.where(train > 0, train, np.nan)
            test = np.where(test > 0, test, np.nan)
        self._curve(self.train_curve, ep, train)
        self._curve(self.test_curve, ep, test)
        self._set_ranges(ep, train, test)
        # the epoch where training diverged, marked
        div = tr.divergence if tr is not None else None
        for line in self.divergence_lines:
            self.item.removeItem(line)
        self.divergence_lines = []
        if div is not None:
            line = pg.InfiniteLine(
                pos=div.epoch,
                angle=90,
                pen=pg.mkPen("#cc3311", width=2, style=Qt.PenStyle.DashLine),
                label="diverged",
                labelOpts={"color": "#cc3311", "position": 0.85},
            )
            self.item.addItem(line)
            self.divergence_lines.append(line)
        classify = tr is not None and not tr.data.is_regression
        self.accuracy.setVisible(classify)
        if classify:
            self._curve(self.acc_train, ep, cols[3])
            self._curve(self.acc_test, ep, cols[4])
        self._figures(tr, hist)
        self._confusion(tr, classify)

    def _figures(self, tr, hist) -> None:
        if tr is None:
            self.figures.setText("No training yet.")
            return
        if not hist:
            self.figures.setText(f"Epoch {tr.epoch}: no loss yet (press Play or Epoch).")
            return
        h = hist[-1]

        def f(v):
            return "–" if v is None or not math.isfinite(v) else f"{v:.4f}"

        text = f"Epoch {h.epoch}: train loss {f(h.train_loss)}, test loss {f(h.test_loss)}"
        if h.train_accuracy is not None:
            text += f"; accuracy {h.train_accuracy:.1%} train"
            if h.test_accuracy is not None:
                text += f", {h.test_accuracy:.1%} test"
        self.figures.setText(text)

    def _confusion(self, tr, classify: bool) -> None:
        k = tr.data.classes if classify and tr is not None else 0
        show = bool(k) and k >= 3
        self.confusion.setVisible(show)
        if not show:
            return
        with np.errstate(all="ignore"):
            m = tr.confusion("test" if tr.test_index.size else "train")
        k = m.shape[0]
        if self.confusion.rowCount() != k:
            self.confusion.setRowCount(k)
            self.confusion.setColumnCount(k)
            names = [f"class {c}" for c in range(k)]
            self.confusion.setHorizontalHeaderLabels([f"→ {n}" for n in names])
            self.confusion.setVerticalHeaderLabels(names)
        for r in range(k):
            for c in range(k):
                item = self.confusion.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.confusion.setItem(r, c, item)
                item.setText(str(int(m[r, c])))
        self.confusion.resizeColumnsToContents()
        self.matrix = m


class GradientEpochPlot(plot_style.RefreshWhenShown, QWidget):
    """Mean |∂L/∂W| of each layer per epoch, log scale: a vanishing gradient seen as it trains."""

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("gradientEpochPlot")
        self.plot.setToolTip(
            "Mean |∂L/∂W| of each weighted layer at each epoch's end (log scale): layers "
            "near the input far below the output layer is the vanishing gradient."
        )
        self.plot.setMinimumSize(220, 110)
        self.item = _style(self.plot, "epoch", "mean |∂L/∂W|")
        self.item.setLogMode(x=False, y=True)
        self.item.setDownsampling(auto=True, mode="peak")
        self.legend = self.item.addLegend(offset=(-5, 5), labelTextSize=f"{TICK_PT}pt")
        self.curves: list[pg.PlotDataItem] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.plot)
        follow_theme(self, controller.document, [(self.plot, "epoch", "mean |∂L/∂W|")])
        controller.shown.connect(self.refresh)
        controller.state_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, force: bool = False) -> None:
        if self._skip_while_hidden(force):
            return
        hist = self.controller.grad_history
        depth = len(hist[0]) if hist else 0
        if len(self.curves) != depth:
            for c in self.curves:
                self.item.removeItem(c)
                self.legend.removeItem(c)
            palette = ("#0077bb", "#ee7733", "#009988", "#cc3311", "#33bbee", "#ee3377", "#bbbbbb")
            self.curves = [
                self.item.plot(
                    [],
                    [],
                    pen=pg.mkPen(palette[l % len(palette)], width=2),
                    name=f"layer {l + 1}",
                    **CURVE,
                )
                for l in range(depth)  # noqa: E741
            ]
        if not hist:
            return
        g = np.array(hist)
        g = np.where(g > 0, g, np.nan)
        ep = np.arange(1, len(g) + 1, dtype=float)
        for l, curve in enumerate(self.curves):  # noqa: E741
            curve.setData(ep, g[:, l], connect="finite")


class BoundaryPlot(QWidget):
    """The network's output over the plane (100×100), the data points on top, test points ringed.

    Click a point: it becomes the sample (its forward and backward pass can then
    be stepped through). With "Edit points" on, a click adds a point (Shift: the
    other class, Ctrl+Shift: the third) and a click on a point removes it.
    Hovering a neuron of the canvas shows that neuron's map here instead.
    """

    point_clicked = Signal(int)

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryPanel")
        self.controller = controller
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("boundaryPlot")
        self.plot.setToolTip(
            "The network's output over the plane (blue +, orange −); training points with a "
            "white ring, test points with a black ring. Click a point to make it the sample."
        )
        self.plot.setMinimumSize(200, 200)
        self.item = _style(self.plot, "x₁", "x₂", grid=False)
        e = training_view.EXTENT
        self.item.setRange(xRange=(-e, e), yRange=(-e, e), padding=0.0)
        self.item.setMouseEnabled(x=False, y=False)
        # the heatmap is a plain pixmap item: row 0 of the pixels is x2 = −extent, and
        # the view's y axis points up, so it is drawn without flipping
        self.image = QGraphicsPixmapItem()
        self.image.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.image.setTransform(QTransform.fromScale(2 * e / BOUNDARY_N, 2 * e / BOUNDARY_N))
        self.image.setPos(-e, -e)
        self.image.setZValue(-10)
        self.item.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1.2))
        self.test_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("k", width=1.6))
        self.sample_marker = pg.ScatterPlotItem(
            size=16, symbol="o", pen=pg.mkPen("#cc3311", width=2.5), brush=pg.mkBrush(0, 0, 0, 0)
        )
        for it in (self.train_points, self.test_points, self.sample_marker):
            self.item.addItem(it)
            # the points stay put while the heatmap under them changes every frame: each
            # set is drawn once into a cached image and blitted (500 sprites drew in ~0.6 ms)
            it.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.caption = QLabel()
        self.caption.setObjectName("boundaryCaption")
        self.caption.setWordWrap(True)

        self.discretize = QCheckBox("Discretize")
        self.discretize.setObjectName("discretizeCheck")
        self.discretize.setToolTip("Show only the predicted class (the sign), not its strength")
        self.discretize.toggled.connect(lambda _=False: self.refresh(force=True))
        self.show_test = QCheckBox("Test points")
        self.show_test.setObjectName("showTestCheck")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Show the test points (ringed in black)")
        self.show_test.toggled.connect(lambda _=False: self.refresh(force=True))
        self.edit_points = QCheckBox("Edit points")
        self.edit_points.setObjectName("editPointsCheck")
        self.edit_points.setToolTip(
            "Click the plot to add a point (Shift: the other class; Ctrl+Shift: a third), "
            "click a point to remove it; each is an undo step"
        )
        row = QHBoxLayout()
        row.addWidget(self.discretize)
        row.addWidget(self.show_test)
        row.addWidget(self.edit_points)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.caption)
        lay.addWidget(self.plot, 1)
        lay.addLayout(row)
        #: the neuron whose map is shown instead of the output (hover), or None
        self.neuron: tuple[int, int] | None = None
        self._last = 0.0  # when the plot was last drawn
        self._cost = 0.0  # how long that took (0 when cheap)
        self._deferred = QTimer(self)
        self._deferred.setSingleShot(True)
        self._deferred.timeout.connect(lambda: self.refresh(force=True))
        self._data_key: tuple | None = None
        self._sample_shown: tuple | None = None  # the sample marker's point
        self.pixels: np.ndarray | None = None
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        follow_theme(self, controller.document, [(self.plot, "x₁", "x₂", False)])
        # the weights shown (training or an edit) come as network changes
        controller.state_changed.connect(lambda: self.refresh(force=True))
        controller.document.results_changed.connect(self._on_results)
        self.refresh(force=True)

    # --------------------------------------------------------------- drawing
    def _on_results(self, _change) -> None:
        self.refresh()

    def show_neuron(self, key: tuple[int, int] | None) -> None:
        """Show neuron ``key``'s map (hover on the canvas), or the output again with None."""
        if key is not None and not 1 <= key[0] < self.controller.document.network.depth:
            key = None
        if key != self.neuron:
            self.neuron = key
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        if not force:
            if not self.isVisible() or plot_style.hidden_in_shown_window(self):
                self._stale = True
                return
            # a big network's 10,000-point forward pass may cost more than a frame: then
            # the plot follows at most every (1 + BOUNDARY_SHARE⁻¹) of its cost, and the
            # last weights always show (the deferred refresh)
            wait = self._last + self._cost / BOUNDARY_SHARE - time.perf_counter()
            if wait > 0:
                if not self._deferred.isActive():
                    self._deferred.start(max(1, round(wait * 1000)))
                return
        self._deferred.stop()
        t0 = time.perf_counter()
        self._draw()
        self._last = time.perf_counter()
        self._cost = self._last - t0 if self._cost_counts(t0) else 0.0

    def _cost_counts(self, t0: float) -> bool:
        """Only a draw slower than a few milliseconds is worth spacing out."""
        return self._last - t0 > 0.004

    def _draw(self) -> None:
        self._stale = False
        ctrl = self.controller
        tr = ctrl.trainer
        spec = ctrl.spec
        net = ctrl.document.network
        if tr is None or spec is None or ctrl.plane_values(ctrl.boundary_size()) is None:
            self.image.setPixmap(QPixmap())
            self.train_points.setData([])
            self.test_points.setData([])
            self.sample_marker.setData([])
            self._data_key = self._sample_shown = None  # set again when there is data
            self.caption.setText(ctrl.trainer_error or "This network cannot train on the plane.")
            return
        n = ctrl.boundary_size()
        values = ctrl.plane_values(n)
        disc = self.discretize.isChecked()
        if self.neuron is not None and self.neuron[1] < values[self.neuron[0]].shape[-1]:
            l, j = self.neuron  # noqa: E741
            self.pixels = maps.colorize(values[l][:, :, j], disc)
            self.caption.setText(f"Neuron {j + 1} of layer {l} over the plane (hovered)")
        else:
            self.pixels = maps.output_pixels(values[-1], net.loss, disc)
            self.caption.setText(
                "Output over the plane"
                + (" (predicted class)" if disc else "")
                + " · click a point: it becomes the sample"
            )
        pixels = np.ascontiguousarray(self.pixels)
        h, w = pixels.shape[:2]
        image = QImage(pixels.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
        self.image.setPixmap(QPixmap.fromImage(image))  # converted (copied) at once
        e = training_view.EXTENT
        self.image.setTransform(QTransform.fromScale(2 * e / w, 2 * e / h))
        self._update_points(tr)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if getattr(self, "_stale", False):
            self.refresh(force=True)

    def _update_points(self, tr) -> None:
        key = (id(tr), id(tr.data), self.show_test.isChecked())
        if key != self._data_key:
            self._data_key = key
            data = tr.data
            if data.is_regression:
                v = np.clip(data.labels, -1, 1)
                rgba = maps.colorize(v)
            else:
                idx = data.labels.astype(np.intp) % len(maps.CLASS_COLORS)
                rgba = np.column_stack(
                    [maps.CLASS_COLORS[idx].astype(np.uint8), np.full(len(idx), 255, np.uint8)]
                )
            brushes = [pg.mkBrush(*c) for c in rgba.tolist()]
            tri, tei = tr.train_index, tr.test_index
            self.train_points.setData(
                pos=data.points[tri], brush=[brushes[i] for i in tri.tolist()], data=tri
            )
            if self.show_test.isChecked() and tei.size:
                self.test_points.setData(
                    pos=data.points[tei], brush=[brushes[i] for i in tei.tolist()], data=tei
                )
            else:
                self.test_points.setData([])
        p = self.controller.sample_point
        p = None if p is None else tuple(np.asarray(p, dtype=float).ravel().tolist())
        if p != self._sample_shown:  # it stays put while training: set once, not per frame
            self._sample_shown = p
            if p is not None:
                self.sample_marker.setData(pos=np.array(p).reshape(1, 2))
            else:
                self.sample_marker.setData([])

    # --------------------------------------------------------------- clicks
    def point_at(self, plane: tuple[float, float]) -> int | None:
        """The dataset index of the point nearest ``plane`` within HIT_PX pixels, or None."""
        tr = self.controller.trainer
        if tr is None:
            return None
        shown = tr.train_index
        if self.show_test.isChecked():
            shown = np.concatenate([shown, tr.test_index])
        if not shown.size:
            return None
        vb = self.item.getViewBox()
        px = vb.viewPixelSize()  # plane units per pixel (x, y)
        d = (tr.data.points[shown] - np.asarray(plane)) / np.array(px)
        k = int(np.argmin(np.hypot(d[:, 0], d[:, 1])))
        return int(shown[k]) if math.hypot(*d[k]) <= HIT_PX else None

    def click(self, plane: tuple[float, float], modifiers=Qt.KeyboardModifier.NoModifier) -> None:
        """A click at ``plane`` (x1, x2), as the mouse does it (tests call this too)."""
        hit = self.point_at(plane)
        if self.edit_points.isChecked():
            if hit is not None:
                self.controller.remove_point(hit)
                return
            shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
            cls = 2 if shift and ctrl else (0 if shift else 1)
            tr = self.controller.trainer
            if cls == 2 and (tr is None or (tr.data.classes or 0) < 3):
                cls = 0
            self.controller.add_point(plane, cls)
            return
        if hit is not None:
            self.controller.select_point(hit)
            self.point_clicked.emit(hit)

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.item.getViewBox()
        pos = vb.mapSceneToView(event.scenePos())
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        self.click((pos.x(), pos.y()), event.modifiers())
        event.accept()

    def view_pos(self, plane: tuple[float, float]) -> QPointF:
        """Where ``plane`` is in the plot widget's coordinates (tests click there)."""
        vb = self.item.getViewBox()
        scene = vb.mapViewToScene(QPointF(*plane))
        return self.plot.mapFromScene(scene)
