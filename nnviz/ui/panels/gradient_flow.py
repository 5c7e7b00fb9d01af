"""Gradient flow: how big ∂L/∂z and ∂L/∂W are in each layer, on a log scale.

In a deep sigmoid network every layer multiplies the gradient by σ′(z) ≤ 0.25
on its way back, so the mean |∂L/∂z| falls by orders of magnitude from the
output layer to layer 1: the vanishing gradient, visible at a glance. The
values are read from ``document.grads`` (the panel only averages their
absolute values). A log axis cannot show 0, so an exact zero is drawn at a
floor below the smallest non-zero value, with its own marker and a note.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from nnviz.core import activations
from nnviz.core.explain import OVERFLOW_NOTE, fmt
from nnviz.ui import theme
from nnviz.ui.document import Document
from nnviz.ui.panels import plot_style

#: the floor is this many decades below the smallest non-zero value shown
FLOOR_DECADES = 1
#: a fall (or rise) by more than this factor from the output to layer 1 is called
#: vanishing (or exploding) in the summary line
VANISHING_RATIO = 1000.0
#: room a legend entry takes besides its text: the sample line and the gaps
LEGEND_ENTRY_EXTRA = 44
#: y tick labels at least this many tick-text heights apart (one label per
#: 2nd, 3rd, 5th... decade in a short dock)
Y_TICK_SPACING = 1.25
#: x tick labels at least this many pixels apart (thinned in a deep network)
X_TICK_GAP = 10
#: the output layer's tick label is its number and this word (``9 out``)
OUT_SUFFIX = " out"
#: the floor when every value is 0
DEFAULT_FLOOR = 1e-12
#: overflowed values (±∞, NaN) are drawn this many decades above the largest finite
#: one, at most at 10^CEILING_MAX (a log axis, and pyqtgraph, cannot hold ∞ or NaN)
CEILING_DECADES = 1
CEILING_MAX = 307
#: the fixed scale, in decades (10⁻⁸ to 10¹): the same for every network, so a deep
#: sigmoid (a line falling by decades) and a deep ReLU (a flat line) look different
#: at a glance; it widens only for a value outside it, never hides one
FIXED_DECADES = (-8, 1)


class _LayerAxis(pg.AxisItem):
    """The layer axis. The output's label (``9 out``) has its number on its tick and
    the word to the right, as a reader expects: centred, the word would push the
    label of the layer before it off the axis (QA2: ``1 … 7, 9 out`` without 8)."""

    def generateDrawSpecs(self, p):  # noqa: N802 (pyqtgraph's name)
        specs = super().generateDrawSpecs(p)
        if specs is None or self.orientation != "bottom":
            return specs
        axis, ticks, texts = specs
        metrics = QFontMetricsF(p.font())  # the tick font: pyqtgraph set it on p
        moved = []
        for rect, flags, text in texts:
            if text.endswith(OUT_SUFFIX) and len(text) > len(OUT_SUFFIX):
                head = metrics.horizontalAdvance(text[: -len(OUT_SUFFIX)])
                rect = rect.translated(rect.width() / 2 - head / 2, 0)
            moved.append((rect, flags, text))
        return axis, ticks, moved


class GradientFlowPanel(plot_style.RefreshWhenShown, QWidget):
    """Mean |∂L/∂z| and mean |∂L/∂W| per weighted layer, log y axis."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientFlowPlot")
        self.setToolTip(
            "Mean |∂L/∂z| and mean |∂L/∂W| of each weighted layer on a log scale: a line "
            "falling towards layer 1 is a vanishing gradient."
        )
        self._doc = document
        #: what is plotted now: layer numbers and the mean absolute gradients
        self.layers = np.zeros(0, dtype=int)
        self.dL_dz = np.zeros(0)
        self.dL_dW = np.zeros(0)
        self.floor: float | None = None  # set when some value is 0 and drawn at the floor
        #: set when some value overflowed (±∞ or NaN) and is drawn at this ceiling
        self.ceiling: float | None = None
        self._styled_for: tuple | None = None  # what the axes and legend were built for

        self.title = QLabel(objectName="gradientFlowTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        plot_style.styled(self.title, "title")
        self.summary = QLabel(objectName="gradientFlowSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        plot_style.styled(self.summary, "title")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.plot_widget = pg.GraphicsLayoutWidget()
        self.plot_widget.setObjectName("gradientFlowPlotWidget")
        self.plot_widget.setMinimumSize(320, self._plot_min_height())
        self.plot_item: pg.PlotItem = self.plot_widget.addPlot(
            row=0, col=0, axisItems={"bottom": _LayerAxis("bottom")}
        )
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.plot_item.setLogMode(x=False, y=True)
        # the tick labels are thinned here to what the height and width allow
        self.plot_item.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.legend = pg.LegendItem(colCount=2, labelTextSize=f"{plot_style.legend_pt()}pt")
        self.plot_widget.addItem(self.legend, row=1, col=0)
        self.dz_curve = pg.PlotDataItem(name="mean |∂L/∂z|", antialias=True)
        self.dW_curve = pg.PlotDataItem(name="mean |∂L/∂W|", antialias=True)
        self.zero_points = pg.PlotDataItem(name="exactly 0", pen=None, symbol="x")
        self.overflow_points = pg.PlotDataItem(name="overflow", pen=None, symbol="t1")
        for it in (self.dz_curve, self.dW_curve, self.zero_points, self.overflow_points):
            self.plot_item.addItem(it)
        self.zero_points.setZValue(5)
        self.overflow_points.setZValue(5)
        #: what the axes span (layers, lowest and highest decade) for the tick fitting
        self._span: tuple[int, int, int] | None = None
        #: the labelled ticks now shown: layer numbers and decades
        self.x_ticks: list[int] = []
        self.y_ticks: list[int] = []
        self.plot_item.vb.sigResized.connect(lambda *_: self._fit_axes())

        #: True: the fixed 10⁻⁸…10 scale (the default); False: fitted to the values
        self.fixed_scale = True
        self.scale_button = QToolButton(objectName="gradientFlowScaleButton")
        self.scale_button.setText("Fixed scale")
        self.scale_button.setCheckable(True)
        self.scale_button.setChecked(True)
        self.scale_button.setToolTip(
            "On: the same 10⁻⁸ to 10 scale for every network, so two networks compare at a "
            "glance (a deep sigmoid falls by decades, a deep ReLU stays flat). Off: the "
            "scale fits this network's values."
        )
        self.scale_button.toggled.connect(self.set_fixed_scale)
        plot_style.styled(self.scale_button, "button")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.scale_button, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.summary)

        document.results_changed.connect(self._on_results_changed)
        document.display_changed.connect(self._on_display_changed)
        self.refresh()

    # -------------------------------------------------------------- handlers
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_legend()

    @staticmethod
    def _plot_min_height() -> int:
        """Room for the axes, the ticks and two legend rows at the text scale (at 150 %
        160 pixels left the legend over the summary below the plot)."""
        return int(160 * plot_style.pt(plot_style.LEGEND_PT) / plot_style.LEGEND_PT)

    def _fit_legend(self) -> None:
        """As many legend entries on a row as the width allows: one row keeps the plot tall."""
        metrics = QFontMetrics(plot_style.font_pt(plot_style.LEGEND_PT))
        widths = [
            metrics.horizontalAdvance(label.text) + LEGEND_ENTRY_EXTRA
            for _sample, label in self.legend.items
        ]
        room = self.width() - 24
        cols = max(1, len(widths))
        while cols > 1 and sum(sorted(widths, reverse=True)[:cols]) > room:
            cols -= 1
        if cols != self.legend.columnCount:
            self.legend.setColumnCount(cols)

    def _on_results_changed(self, _change=None) -> None:
        self.refresh()

    def set_fixed_scale(self, on: bool) -> None:
        """The fixed 10⁻⁸…10 scale (True, the default) or one fitted to the values."""
        on = bool(on)
        if self.scale_button.isChecked() != on:
            self.scale_button.setChecked(on)  # comes back here through toggled
            return
        if on != self.fixed_scale:
            self.fixed_scale = on
            self.refresh(force=True)

    def y_decades(self) -> tuple[int, int]:
        """The decades the y axis spans now, ``(lo, hi)``: 10^lo to 10^hi."""
        return (self._span[1], self._span[2]) if self._span is not None else FIXED_DECADES

    def _on_display_changed(self, name: str = "") -> None:
        self._styled_for = None  # the theme or the decimals: restyle everything
        if name in ("theme", "text_scale"):  # (style sheets hold colours and sizes)
            plot_style.restyle(self)
            self.legend.setLabelTextSize(f"{plot_style.legend_pt()}pt")
            self.plot_widget.setMinimumHeight(self._plot_min_height())
            self._fit_legend()
        self.refresh()

    # ---------------------------------------------------------------- redraw
    def refresh(self, force: bool = False) -> None:
        """Redraw from ``document.grads`` (called on every change).

        The axes and the legend are rebuilt only when what they show changes;
        hidden behind another dock tab, the panel only notes that it is stale and
        redraws when shown.
        """
        if self._skip_while_hidden(force):
            return
        doc, t = self._doc, theme.current()
        d = doc.decimals
        net, grads = doc.network, doc.grads
        L = net.depth
        layers = np.arange(1, L + 1)
        with np.errstate(all="ignore"):  # an overflowed layer averages to ∞ or NaN
            dz = np.array([float(np.mean(np.abs(grads.dL_dz[l]))) for l in layers])
            dW = np.array([float(np.mean(np.abs(grads.dL_dW[l]))) for l in layers])
        self.layers, self.dL_dz, self.dL_dW = layers, dz, dW

        both = np.concatenate([dz, dW])
        finite = np.isfinite(both)
        positive = both[finite & (both > 0)]
        zero = both == 0
        if zero.any():
            if positive.size:
                exponent = math.floor(math.log10(float(positive.min()))) - FLOOR_DECADES
                self.floor = 10.0**exponent
            else:
                self.floor = DEFAULT_FLOOR
        else:
            self.floor = None
        if not finite.all():  # ±∞ and NaN sit on a ceiling above every finite value
            top = math.ceil(math.log10(float(positive.max()))) if positive.size else 0
            self.ceiling = 10.0 ** min(top + CEILING_DECADES, CEILING_MAX)
        else:
            self.ceiling = None
        floor = self.floor if self.floor is not None else 0.0
        ceiling = self.ceiling if self.ceiling is not None else 1.0
        dz_shown = np.where(np.isfinite(dz), np.where(dz > 0, dz, floor), ceiling)
        dW_shown = np.where(np.isfinite(dW), np.where(dW > 0, dW, floor), ceiling)

        zx = np.concatenate([layers[dz == 0], layers[dW == 0]]).astype(float)
        ox = np.concatenate([layers[~np.isfinite(dz)], layers[~np.isfinite(dW)]]).astype(float)
        self.dz_curve.setData(layers, dz_shown)
        self.dW_curve.setData(layers, dW_shown)
        self.zero_points.setData(zx, np.full(zx.size, floor if zx.size else 1.0))
        self.overflow_points.setData(ox, np.full(ox.size, ceiling))

        shown = np.concatenate([dz_shown, dW_shown])
        shown = shown[np.isfinite(shown) & (shown > 0)]
        if shown.size == 0:  # every value 0 and no floor cannot happen; keep a sane axis
            shown = np.array([DEFAULT_FLOOR, 1.0])
        lo = math.floor(math.log10(float(shown.min())))
        hi = math.ceil(math.log10(float(shown.max())))
        if hi <= lo:
            hi = lo + 1
        if self.fixed_scale:
            lo, hi = min(lo, FIXED_DECADES[0]), max(hi, FIXED_DECADES[1])
        zero_note = f"exactly 0 (drawn at {fmt(floor, d)})" if zx.size else None
        overflow_note = f"overflow, ∞ or NaN (drawn at {fmt(ceiling, d)})" if ox.size else None
        styled_for = (t, L, lo, hi, zero_note, overflow_note)
        if styled_for != self._styled_for:
            self._styled_for = styled_for
            self._restyle(L, layers, lo, hi, zero_note, overflow_note)

        self.title.setText(
            "<b>Gradient size per layer</b> (log) &nbsp;·&nbsp; "
            + _runs([activations.get(layer.activation).label for layer in net.layers])
        )
        self.summary.setText(self._summary(dz, d))
        self.plot_widget.setToolTip(self._tooltip(net, dz, dW, d))

    def _restyle(
        self,
        L: int,
        layers: np.ndarray,
        lo: int,
        hi: int,
        zero_note: str | None,
        overflow_note: str | None = None,
    ) -> None:
        """Theme, pens, axes (ticks and range) and legend: only when one of them changes."""
        t = theme.current()
        plot_style.style_plot(
            self.plot_widget,
            self.plot_item,
            f"layer  ({L} = output)",
            "|gradient|",
        )
        self.dz_curve.setPen(pg.mkPen(t.grad_positive, width=4))
        self.dz_curve.setSymbol("o")
        self.dz_curve.setSymbolSize(14)
        self.dz_curve.setSymbolBrush(t.grad_positive)
        self.dz_curve.setSymbolPen(pg.mkPen(t.background, width=2))
        self.dW_curve.setPen(pg.mkPen(t.grad_negative, width=4, style=Qt.PenStyle.DashLine))
        self.dW_curve.setSymbol("s")
        self.dW_curve.setSymbolSize(13)
        self.dW_curve.setSymbolBrush(t.grad_negative)
        self.dW_curve.setSymbolPen(pg.mkPen(t.background, width=2))
        self.zero_points.setSymbolSize(22)
        self.zero_points.setSymbolPen(pg.mkPen(t.text, width=3))
        self.zero_points.setSymbolBrush(QColor(t.text))
        self.overflow_points.setSymbolSize(22)
        self.overflow_points.setSymbolPen(pg.mkPen(t.text, width=2))
        self.overflow_points.setSymbolBrush(QColor(t.background))

        self._span = (L, lo, hi)
        self._fit_axes()

        legend = self.legend
        legend.clear()
        legend.setLabelTextColor(t.text)
        legend.addItem(self.dz_curve, "mean |∂L/∂z|")
        legend.addItem(self.dW_curve, "mean |∂L/∂W|")
        if zero_note is not None:
            legend.addItem(self.zero_points, zero_note)
        if overflow_note is not None:
            legend.addItem(self.overflow_points, overflow_note)
        self._fit_legend()

    def _fit_axes(self) -> None:
        """Ticks and ranges for the plot's present size (called on every resize).

        Every layer is ticked while the labels fit side by side; in a deep network
        or a narrow dock only every 2nd, 5th... layer is labelled, but always the
        output. Short, the y axis labels only every 2nd, 3rd... decade. Unlabelled
        layers and decades keep their grid line.
        """
        if self._span is None:
            return
        L, lo, hi = self._span
        net = self._doc.network
        metrics = QFontMetrics(plot_style.tick_font())
        vb = self.plot_item.vb.geometry()
        width, height = max(vb.width(), 1.0), max(vb.height(), 1.0)

        # x: room for half the first label before the first tick, and for the output's
        # label after the last: its number sits on the tick, " out" to the right of it
        labels = {l: self._tick(net, l) for l in range(1, L + 1)}  # noqa: E741
        w = {l: metrics.horizontalAdvance(text) for l, text in labels.items()}  # noqa: E741
        number = metrics.horizontalAdvance(str(L))  # the output label's part left of " out"
        right = w[L] - number / 2  # beyond the output's tick
        pad_l, pad_r = w[1] / 2 + 6, right + 6
        per_layer = (width - pad_l - pad_r) / max(L - 1, 1)
        pad_l, pad_r = max(pad_l, 0.4 * per_layer), max(pad_r, 0.4 * per_layer)
        per_layer = max((width - pad_l - pad_r) / max(L - 1, 1), 1.0)
        widest = max(w[l] for l in range(1, max(L, 2)) if l in w)  # noqa: E741 (output apart)
        step = next(
            (k for k in (1, 2, 3, 5, 10, 20, 50, 100) if k * per_layer >= widest + X_TICK_GAP),
            max(1, L),
        )
        shown = [
            l  # noqa: E741
            for l in range(1, L, step)
            if (L - l) * per_layer >= (w[l] + number) / 2 + X_TICK_GAP
        ] + [L]
        self.x_ticks = shown
        self.plot_item.getAxis("bottom").setTicks(
            [[(float(l), labels[l]) for l in shown], [(float(l), "") for l in range(1, L + 1)]]
        )
        if L > 1:
            self.plot_item.setXRange(1 - pad_l / per_layer, L + pad_r / per_layer, padding=0)
        else:
            self.plot_item.setXRange(0.5, 1.5, padding=0)

        # y: the view of a log axis is in decades; a label every `step` decades
        per_decade = height / ((hi - lo) * 1.08)
        need = metrics.height() * Y_TICK_SPACING
        step = next((k for k in (1, 2, 3, 5, 10) if k * per_decade >= need), 20)
        decades = list(range(lo, hi + 1))
        labelled = [k for k in decades if k % step == 0]
        if len(labelled) < 2:  # always two labels to read the scale from
            labelled = [lo, hi] if len(decades) * per_decade >= 2 * need else [hi]
        self.y_ticks = labelled
        self.plot_item.getAxis("left").setTicks(
            [[(float(k), _power_of_ten(k)) for k in labelled], [(float(k), "") for k in decades]]
        )
        self.plot_item.setYRange(lo, hi, padding=0.04)

    @staticmethod
    def _tick(net, l: int) -> str:  # noqa: E741
        return f"{l}{OUT_SUFFIX}" if l == net.depth else str(l)

    def _summary(self, dz: np.ndarray, d: int) -> str:
        L = dz.size
        note = ""
        if self.floor is not None:
            note = (
                f"<br><span style='font-size:{plot_style.pt(12)}pt'>"
                f"✕ = exactly 0 (log 0 = −∞), drawn at "
                f"{fmt(self.floor, d)}.</span>"
            )
        if L < 2:
            return f"One weighted layer: mean |∂L/∂z| = {fmt(dz[0], d)}." + note
        if self.ceiling is not None:
            note += (
                f"<br><span style='font-size:{plot_style.pt(12)}pt'>"
                f"△ = overflow (∞ or NaN), drawn at "
                f"{fmt(self.ceiling, d)}: {OVERFLOW_NOTE}.</span>"
            )
        first, last = float(dz[0]), float(dz[-1])
        head = (
            f"Mean |∂L/∂z| from the output back to layer 1: "
            f"<b>{fmt(last, d)}</b> → <b>{fmt(first, d)}</b>"
        )
        if first == 0 or last == 0 or not (math.isfinite(first) and math.isfinite(last)):
            return head + "." + note
        # in decades: last / first itself can overflow (or underflow to 0)
        decades = math.log10(last) - math.log10(first)
        if decades >= math.log10(VANISHING_RATIO):
            tail = f", {_times(decades)}× smaller: it <b>vanishes</b>."
        elif decades <= -math.log10(VANISHING_RATIO):
            tail = f", {_times(-decades)}× larger: it <b>explodes</b>."
        elif decades >= 0:
            tail = f", {_times(decades)}× smaller."
        else:
            tail = f", {_times(-decades)}× larger."
        return head + tail + note

    def _tooltip(self, net, dz: np.ndarray, dW: np.ndarray, d: int) -> str:
        rows = "".join(
            f"<tr><td>{l}</td><td>{activations.get(layer.activation).label}</td>"
            f"<td align='right'>{fmt(dz[l - 1], d)}</td>"
            f"<td align='right'>{fmt(dW[l - 1], d)}</td></tr>"
            for l, layer in enumerate(net.layers, start=1)  # noqa: E741
        )
        floor = (
            f"<p>Exact zeros are drawn at {fmt(self.floor, d)} (a log axis has no 0).</p>"
            if self.floor is not None
            else ""
        )
        return (
            "<table><tr><th>layer</th><th>f</th><th>mean |∂L/∂z|</th><th>mean |∂L/∂W|</th></tr>"
            f"{rows}</table>{floor}"
        )


def _runs(labels: list[str]) -> str:
    """``ReLU ×8, σ``: the layers' activations, with repeats counted."""
    runs: list[list] = []
    for label in labels:
        if runs and runs[-1][0] == label:
            runs[-1][1] += 1
        else:
            runs.append([label, 1])
    return ", ".join(label if n == 1 else f"{label} ×{n}" for label, n in runs)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(k: int) -> str:
    """``10⁻⁸``, ``1``, ``10``: a log-axis tick label."""
    if k == 0:
        return "1"
    if k == 1:
        return "10"
    return "10" + str(k).translate(_SUPERSCRIPT)


def _times(decades: float) -> str:
    """A ratio of ``10**decades`` as read aloud: ``37``, ``8.4 × 10⁵`` (given in decades,
    so that a ratio past float64's range is read too)."""
    if decades < 3:
        return f"{10.0**decades:.3g}"
    k = math.floor(decades)
    mantissa = 10.0 ** (decades - k)
    if mantissa >= 9.95:  # 9.96 × 10⁵ rounds to 10.0 × 10⁵
        mantissa, k = 1.0, k + 1
    return f"{mantissa:.1f} × {_power_of_ten(k)}"
