"""The activation plot: f(z) and f′(z) of the selected neuron's layer, and where it sits.

The curves are the core :class:`~nnviz.core.activations.Activation` record's
``f`` and ``df`` evaluated on a grid of z, so what a student sees is exactly
the function the engine applied. A vertical marker stands at the neuron's
current ``z`` (read from ``document.trace``), with a dot on each curve; the
other neurons of the layer are faint dots. Compare mode overlays other
activations (f dashed, f′ dotted) and shades the saturated regions, where
f′ is below 5 % of its peak and learning stalls.

Which neuron is shown: the playback's override if set (:meth:`set_override`,
:meth:`set_playback`), else the selected neuron (for an edge: the neuron it
feeds), else output neuron 1. During playback the plot shows only what the
animation has revealed: a neuron whose z is not computed yet gets the curves
and a note, no marker, dots or values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont
from PySide6.QtWidgets import (
    QBoxLayout,
    QGraphicsItem,
    QLabel,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import activations
from nnviz.core.explain import fmt, neuron_label
from nnviz.ui import hidden_values, theme
from nnviz.ui.document import Document
from nnviz.ui.panels import plot_style

PRIME = "\u2032"  # f′
NOT_YET = "?"  # the number of a z that playback has not computed yet
NOT_COMPUTED_HTML = "<i>z not computed yet</i>: playback has not reached it"


@dataclass(frozen=True)
class Target:
    """The neuron the plot is about: its layer, index, and why it was chosen."""

    layer: int
    neuron: int
    reason: str  # "override" | "neuron" | "edge" | "default"


class ActivationPlotPanel(plot_style.RefreshWhenShown, QWidget):
    """f(z) and f′(z) of one layer's activation, with the selected neuron marked."""

    #: the z range always covers ±Z_HALF_RANGE, widened to include every current z
    Z_HALF_RANGE = 6.0
    GRID_POINTS = 801
    LEGEND_TWO_COLUMNS_WIDTH = 640
    COMPACT_HEIGHT = 520

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activationPlot")
        self.setToolTip(
            "The activation f(z) of the selected neuron's layer and its derivative f′(z); "
            "the vertical line is where the neuron's z is now."
        )
        self._doc = document
        self._override: tuple[int, int] | None = None
        #: playback's per-layer masks of the z revealed so far (None: everything is)
        self._z_shown: tuple[tuple[bool, ...], ...] | None = None
        #: the same for a = f(z): the dots on f and f′ wait for the canvas's a step
        self._a_shown: tuple[bytes, ...] | None = None
        self._compare: list[str] = []
        self._shade = True
        self._compact = False
        self._z_range = (-self.Z_HALF_RANGE, self.Z_HALF_RANGE)
        #: (activation, layer) the z range was last fitted to: another one fits it afresh
        self._range_for: tuple | None = None
        #: what the styled plot, its overlays and legend were built for (None: rebuild)
        self._built_for: tuple | None = None
        self._x = np.zeros(0)
        self._y_shown: tuple[float, float] | None = None
        self._dot_labels: tuple | None = None  # the legend labels of f(z), f′(z)
        self._others_label = None  # the legend label of the layer's other neurons
        #: what the plot shows now: None if it shows a message instead
        self.target: Target | None = None
        self.values: dict[str, float] = {}

        self._build()
        document.results_changed.connect(self._on_results_changed)
        document.selection_changed.connect(self._on_selection_changed)
        document.display_changed.connect(self._on_display_changed)
        self.refresh()

    # --------------------------------------------------------------- layout
    def _build(self) -> None:
        self.title = QLabel(objectName="activationPlotTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.values_label = QLabel(objectName="activationPlotValues")
        self.values_label.setWordWrap(True)
        self.values_label.setTextFormat(Qt.TextFormat.RichText)
        self.values_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values_label.setToolTip("The selected neuron's z, its activation f(z) and f′(z)")

        self.compare_button = QToolButton(objectName="activationCompareButton")
        self.compare_button.setText("Compare ▾")
        self.compare_button.setObjectName("activationCompareButton")
        self.compare_button.setToolTip(
            "Overlay other activation functions: f dashed, f′ dotted (Ctrl+Shift+C)"
        )
        self.compare_button.setShortcut("Ctrl+Shift+C")
        self.compare_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.compare_button)
        menu.setObjectName("activationCompareMenu")
        self.compare_actions: dict[str, QAction] = {}
        for name in activations.ELEMENTWISE_NAMES:
            act = activations.get(name)
            action = QAction(f"{act.label}   f(z) = {act.formula}", menu)
            action.setObjectName(f"compare_{name}")
            action.setCheckable(True)
            action.setToolTip(
                f"Overlay {act.label}: f(z) = {act.formula}, f′(z) = {act.derivative}"
            )
            action.toggled.connect(lambda on, n=name: self._on_compare_toggled(n, on))
            menu.addAction(action)
            self.compare_actions[name] = action
        menu.addSeparator()
        self.shade_action = QAction("Shade saturated regions", menu)
        self.shade_action.setObjectName("activationShadeSaturated")
        self.shade_action.setCheckable(True)
        self.shade_action.setChecked(True)
        self.shade_action.setToolTip(
            "Shade where |f′(z)| is below 5 % of its peak: there the gradient almost vanishes"
        )
        self.shade_action.toggled.connect(self._on_shade_toggled)
        menu.addAction(self.shade_action)
        clear = QAction("Clear comparison", menu)
        clear.setObjectName("compare_clear")
        clear.triggered.connect(lambda: self.set_compare([]))
        menu.addAction(clear)
        self.compare_button.setMenu(menu)

        # the legend sits below the plot, in the same graphics layout, so it never
        # hides a curve or the marker
        self.plot_widget = pg.GraphicsLayoutWidget()
        self.plot_widget.setObjectName("activationPlotWidget")
        self.plot_widget.setMinimumSize(280, 200)
        self.plot_item: pg.PlotItem = self.plot_widget.addPlot(row=0, col=0)
        item = self.plot_item
        item.setMenuEnabled(False)
        item.hideButtons()
        self.legend = pg.LegendItem(colCount=2, labelTextSize=f"{plot_style.legend_pt()}pt")
        self.plot_widget.addItem(self.legend, row=1, col=0)
        self.f_curve = pg.PlotDataItem(name="f(z)", antialias=True)
        self.df_curve = pg.PlotDataItem(name="f′(z)", antialias=True)
        self.others_f = pg.PlotDataItem(name="other neurons", pen=None, symbol="o")
        self.others_df = pg.PlotDataItem(pen=None, symbol="o")
        self.marker = pg.InfiniteLine(angle=90, movable=False, label="")
        self.marker.label.setFont(plot_style.font_pt(plot_style.LEGEND_PT, bold=True))
        self.marker.label.setPosition(0.93)  # in the free band above the curves
        self.f_dot = pg.PlotDataItem(name="f at z", pen=None, symbol="o", symbolSize=16)
        self.df_dot = pg.PlotDataItem(name="f′ at z", pen=None, symbol="o", symbolSize=16)
        self.saturation_regions: list[pg.LinearRegionItem] = []
        self.compare_curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        # drawing order: shading at the back, then compared curves, curves, dots
        for it in (self.f_curve, self.df_curve, self.others_f, self.others_df):
            item.addItem(it)
            it.setZValue(10)
        item.addItem(self.marker)
        self.marker.setZValue(15)
        for it in (self.f_dot, self.df_dot):
            item.addItem(it)
            it.setZValue(20)
        self._saturation_sample = pg.BarGraphItem(x=[0], height=[1], width=1)
        # an edit moves the marker across the curves and the grid: keep them as
        # pixmaps (redrawn only when they change) so a repaint blits them
        cache = QGraphicsItem.CacheMode.DeviceCoordinateCache
        for it in (self.f_curve.curve, self.df_curve.curve):
            it.setCacheMode(cache)
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(cache)

        self.message = QLabel(objectName="activationPlotMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        plot_style.styled(self.message, "title")
        self.stack = QStackedWidget(objectName="activationPlotStack")
        self.stack.addWidget(self.plot_widget)
        self.stack.addWidget(self.message)

        # the title beside the Compare button; in a narrow panel (large text, presenter
        # mode's bottom row) the button goes under the title: a title squeezed beside
        # it wrapped into eight lines and made the panel taller than a 768-pixel screen
        self._header = header = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        header.addWidget(self.title, 1)
        header.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignRight)
        for w in (self.title, self.values_label):
            plot_style.styled(w, "title")
        # measures the longest texts the title and the values line can have
        self._probe = QLabel()
        self._probe.setWordWrap(True)
        self._probe.setTextFormat(Qt.TextFormat.RichText)
        plot_style.styled(self._probe, "title")
        self._probe.ensurePolished()  # the style sheet's font, before measuring
        self._reserved_for: tuple | None = None
        #: the playback texts, and the document revisions they were measured at
        self._texts: tuple = ((), ())
        self._texts_for: tuple | None = None
        plot_style.styled(self.compare_button, "button")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.values_label)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------ public API
    def set_override(self, layer: int | None, neuron: int | None = None) -> None:
        """Point the marker at ``(layer, neuron)`` instead of the selection (playback).

        ``set_override(None)`` returns to the selection. An override that does
        not exist in the network is ignored.
        """
        new = None if layer is None or neuron is None else (int(layer), int(neuron))
        if new != self._override:
            self._override = new
            self.refresh()

    def override(self) -> tuple[int, int] | None:
        return self._override

    def set_playback(self, target: tuple[int, int] | None, z_shown=None, a_shown=None) -> None:
        """Follow playback: mark ``target`` (None: the selection), showing only revealed z.

        ``z_shown`` is the playback Frame's per-layer masks of the neurons whose z
        the animation has computed (None: playback is off, everything is shown);
        ``a_shown`` those whose a = f(z) it has (None: the same as ``z_shown``): the
        marker stands at a computed z, the values f(z) and f′(z) wait for the a.
        One refresh, only if something changed.
        """
        new = None if target is None else (int(target[0]), int(target[1]))
        # every tick calls this: compare the masks as bytes, not bool by bool
        shown = (
            None if z_shown is None else tuple(np.asarray(m, dtype=bool).tobytes() for m in z_shown)
        )
        a_bytes = (
            shown
            if a_shown is None or shown is None
            else tuple(np.asarray(m, dtype=bool).tobytes() for m in a_shown)
        )
        if new != self._override or shown != self._z_shown or a_bytes != self._a_shown:
            began_or_ended = (shown is None) != (self._z_shown is None)
            self._override = new
            self._z_shown = shown
            self._a_shown = a_bytes
            if began_or_ended:  # within playback the longest texts stay the same
                self._reserve_text_heights()
            self.refresh()

    def z_revealed(self, layer: int, neuron: int) -> bool:
        """Whether playback has revealed this neuron's z (always, with playback off)."""
        if self._z_shown is None:
            return True
        if not 0 <= layer < len(self._z_shown) or not 0 <= neuron < len(self._z_shown[layer]):
            return False
        return self._z_shown[layer][neuron] != 0  # a byte per neuron: 1 shown, 0 not

    def _revealed_mask(self, layer: int, n: int, masks=False) -> np.ndarray:
        """:meth:`z_revealed` for every neuron of ``layer`` (``n`` of them) at once
        (``masks``: other masks than the z ones, e.g. ``self._a_shown``)."""
        masks = self._z_shown if masks is False else masks
        if masks is None:
            return np.ones(n, dtype=bool)
        if 0 <= layer < len(masks) and len(masks[layer]) == n:
            return np.frombuffer(masks[layer], dtype=bool).copy()
        return np.zeros(n, dtype=bool)

    def set_compare(self, names: Iterable[str]) -> None:
        """Overlay these activations (element-wise names; others are ignored)."""
        wanted = [n for n in dict.fromkeys(names) if n in self.compare_actions]
        for name, action in self.compare_actions.items():
            action.blockSignals(True)
            action.setChecked(name in wanted)
            action.blockSignals(False)
        if wanted != self._compare:
            self._compare = wanted
            self.refresh()

    def compared(self) -> list[str]:
        return list(self._compare)

    def set_shade_saturated(self, on: bool) -> None:
        self.shade_action.setChecked(bool(on))

    def z_range(self) -> tuple[float, float]:
        """The z interval the curves are drawn on."""
        return self._z_range

    # -------------------------------------------------------------- handlers
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # the cached axis and curve pictures belong to the old size: drop them now and
        # once more after the layout has settled (a dock built into a shown window
        # is resized several times in a row)
        self._flush_caches()
        QTimer.singleShot(0, self._flush_caches)
        narrow = self.width() < 2.5 * self.compare_button.sizeHint().width()
        direction = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self._header.direction() != direction:
            self._header.setDirection(direction)
        self._reserve_text_heights()
        # a short dock keeps the plot: the legend drops the entries that the
        # values line above the plot already shows, and goes into short columns
        compact = self.height() < self.COMPACT_HEIGHT
        if compact != self._compact:
            self._compact = compact
            self.refresh()
        self._set_legend_columns()

    def _values_html(self, z_s: str, f_s: str, df_s: str, elementwise: bool) -> str:
        t = theme.current()
        c_f, c_df = plot_style.css(t.curve_f), plot_style.css(t.curve_df)
        # a word joiner after the prime: Qt would break the line inside "f′(z)"
        df_name = "f′\u2060(z)" if elementwise else "∂aₖ/∂zₖ"
        return (
            f"z = <b>{z_s}</b> &nbsp;&nbsp; "
            f"<span style='color:{c_f}'>a = f(z) = <b>{f_s}</b></span> &nbsp;&nbsp; "
            f"<span style='color:{c_df}'>{df_name} = <b>{df_s}</b></span>"
            + (
                ""
                if elementwise
                else f"<br><span style='font-size:{plot_style.pt(12)}pt'>"
                "softmax is not element-wise: aₖ "
                "depends on every z of the layer. The curves vary zₖ with the other z held "
                "at their current values. The derivative drawn is only the diagonal "
                "aₖ(1 − aₖ) of the Jacobian; the backward pass uses all of it.</span>"
            )
        )

    def _reserve_text_heights(self) -> None:
        """While playback runs, give the title and the values line the height of the
        longest text the playback of this network can put there, at this width: they
        change every step, and a line that wrapped once more or less would move the
        plot (and make pyqtgraph lay it out again) each time. In editing they take
        the height of their text, as any label."""
        if self._z_shown is None:
            key = None
        else:
            key = (self.values_label.width(), self.title.width(), self._cached_playback_texts())
        if key == self._reserved_for:
            return
        self._reserved_for = key
        if key is None:
            self.values_label.setMinimumHeight(0)
            self.title.setMinimumHeight(0)
            return
        values, titles = key[2]
        for label, texts in ((self.values_label, values), (self.title, titles)):
            width = label.width()
            heights = [0]
            for text in texts if width > 0 else ():
                self._probe.setText(text)
                heights.append(self._probe.heightForWidth(width))
            label.setMinimumHeight(max(heights))

    def _cached_playback_texts(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """:meth:`_playback_texts`, made again only when the numbers (the document's
        revisions), the decimals or the kind of selection changed."""
        doc = self._doc
        sel = doc.selection
        key = (
            doc.values_revision,
            doc.shape_revision,
            doc.sample_revision,
            doc.decimals,
            sel is not None and sel.kind == "edge",
        )
        if key != self._texts_for:
            self._texts = self._playback_texts()
            self._texts_for = key
        return self._texts

    def _playback_texts(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The longest values lines and titles the playback can show for this network."""
        doc = self._doc
        net, trace, d = doc.network, doc.trace, doc.decimals
        values = [NOT_COMPUTED_HTML]
        titles = []
        # the step's neuron; between a layer's steps the plot shows the selection's
        sel = doc.selection
        reasons = ("override", "default") + (("edge",) if sel and sel.kind == "edge" else ())
        for l in range(1, net.depth + 1):  # noqa: E741
            act = activations.get(net.layer(l).activation)
            z, a = trace.z[l][0], trace.a[l][0]
            with np.errstate(all="ignore"):  # an overflowed z gives ∞ or NaN, silently
                df = act.df(trace.z[l])[0]
            # the values lines of the neurons with the longest numbers: the largest
            # |z|, |a| and |f′| of the layer (negative numbers are a sign longer)
            for j in {int(np.argmax(np.abs(v) + (v < 0))) for v in (z, a, df)}:
                values.append(
                    self._values_html(fmt(z[j], d), fmt(a[j], d), fmt(df[j], d), act.elementwise)
                )
            where = neuron_label(l, net.sizes[l] - 1, net.depth).capitalize()
            titles += [self._title_html(act, where, r) for r in reasons]
        return tuple(dict.fromkeys(values)), tuple(dict.fromkeys(titles))

    @staticmethod
    def _title_html(act: activations.Activation, where: str, reason: str) -> str:
        why = {
            "override": " (playback)",
            "edge": " (fed by the selected weight)",
            "default": " (nothing selected)",
        }.get(reason, "")
        return f"<b>{act.label}</b> &nbsp;·&nbsp; {where}{why}"

    def _flush_caches(self) -> None:
        item = self.plot_item
        items = [self.f_curve.curve, self.df_curve.curve]
        items += [item.getAxis(name) for name in ("left", "bottom")]
        for it in items:
            mode = it.cacheMode()
            it.setCacheMode(QGraphicsItem.CacheMode.NoCache)
            it.setCacheMode(mode)
            it.update()

    def _set_legend_columns(self) -> None:
        # two columns when there is room, one in a narrow dock; a short dock's
        # compact legend takes three only where the width allows (a legend wider
        # than the dock pushes the plot's right side out of view)
        cols = 2 if self.width() >= self.LEGEND_TWO_COLUMNS_WIDTH else 1
        if self._compact and self.width() >= 1.5 * self.LEGEND_TWO_COLUMNS_WIDTH:
            cols = 3
        if cols != self.legend.columnCount:
            self.legend.setColumnCount(cols)

    def _on_results_changed(self, _change=None) -> None:
        self._reserve_text_heights()  # other layers, activations or numbers: other texts
        self.refresh()

    def _on_selection_changed(self, _old=None, _new=None) -> None:
        self._reserve_text_heights()  # an edge selected: its title is longer
        self.refresh()

    def _on_display_changed(self, name: str = "") -> None:
        self._built_for = None  # the theme or the decimals: restyle everything
        if name in ("theme", "text_scale"):  # (style sheets hold colours and sizes)
            plot_style.restyle(self)  # the title, values line, message and Compare button
            plot_style.restyle(self._probe)
        self._reserve_text_heights()
        self.refresh()

    def _on_compare_toggled(self, name: str, on: bool) -> None:
        names = [n for n in self._compare if n != name] + ([name] if on else [])
        self._compare = names
        self.refresh()

    def _on_shade_toggled(self, on: bool) -> None:
        self._shade = on
        self.refresh()

    # ---------------------------------------------------------------- target
    def _target(self) -> Target:
        net = self._doc.network
        sizes = net.sizes
        if self._override is not None:
            l, j = self._override
            if 0 <= l < len(sizes) and 0 <= j < sizes[l]:
                return Target(l, j, "override")
        sel = self._doc.selection
        if sel is not None and sel.valid_for(net):
            return Target(sel.layer, sel.neuron, sel.kind)
        return Target(net.depth, 0, "default")

    # ---------------------------------------------------------------- redraw
    def refresh(self, force: bool = False) -> None:
        """Redraw from the document (called on every change).

        A value change moves only the marker, the dots and the numbers; the plot is
        restyled and its legend and shading rebuilt only when the activation, the
        comparison, the z range, the compact mode or the settings (theme) change;
        another layer or neuron with the same activation only moves data and labels. Hidden
        behind another dock tab, the panel only notes that it is stale and redraws
        when shown.
        """
        if self._skip_while_hidden(force):
            return
        target = self._target()
        net = self._doc.network
        if target.layer == 0:
            value = (
                fmt(self._doc.trace.a[0][0, target.neuron], self._doc.decimals)
                if self.z_revealed(0, target.neuron)
                else "not shown yet"
            )
            label = neuron_label(0, target.neuron, net.depth, self._doc.input_names)
            self._show_message(
                target,
                f"<b>{label.capitalize()}</b> = {value}",
                "An input neuron has no activation function: its value x is passed on as it "
                "is.<br>Select a neuron of a hidden layer or of the output layer to see its "
                "f(z) and f′(z).",
            )
            return
        self.stack.setCurrentWidget(self.plot_widget)
        self._draw(target)

    def _show_message(self, target: Target, title: str, text: str) -> None:
        self.target = None
        self.values = {}
        self.title.setText(title)
        self.values_label.setText("")
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)
        self._built_for = None
        self._clear_overlays()
        for it in (self.f_curve, self.df_curve, self.others_f, self.others_df):
            it.setData([], [])
        for it in (self.f_dot, self.df_dot):
            it.setData([], [])

    def _clear_overlays(self) -> None:
        item = self.plot_item
        for region in self.saturation_regions:
            item.removeItem(region)
        self.saturation_regions = []
        for f_item, df_item in self.compare_curves.values():
            item.removeItem(f_item)
            item.removeItem(df_item)
        self.compare_curves = {}

    def _steady_range(self, zs: np.ndarray, key: tuple) -> tuple[float, float]:
        """The z interval to draw: ±Z_HALF_RANGE and every z with a margin of 1.

        Beyond ±Z_HALF_RANGE it widens in coarse steps (to 1, 2, 5 × 10ᵏ), and it
        never shrinks while the same layer and activation are shown: the axes do
        not re-tick on every edit.
        """
        lo = min(-self.Z_HALF_RANGE, float(np.min(zs)) - 1.0 if zs.size else 0.0)
        hi = max(self.Z_HALF_RANGE, float(np.max(zs)) + 1.0 if zs.size else 0.0)
        h = self.Z_HALF_RANGE
        if lo >= -h and hi <= h:
            # everything fits the usual range again (an undo after a far edit): back
            # to it, with the y range that goes with it
            self._range_for = key
            return -h, h
        if key == self._range_for:
            cur_lo, cur_hi = self._z_range
            if cur_lo <= lo and hi <= cur_hi:
                return self._z_range
            lo, hi = min(lo, cur_lo), max(hi, cur_hi)
        self._range_for = key
        return (-h if lo >= -h else -_coarse(-lo)), (h if hi <= h else _coarse(hi))

    def _draw(self, target: Target) -> None:
        doc, t = self._doc, theme.current()
        d = doc.decimals
        net, trace = doc.network, doc.trace
        l, j = target.layer, target.neuron
        act = activations.get(net.layer(l).activation)
        zs = np.asarray(trace.z[l][0], dtype=float)
        # during playback only the z the animation has computed are shown
        shown = self._revealed_mask(l, zs.size)
        for k in np.flatnonzero(shown).tolist():  # a lesson hides these z: no marker
            if hidden_values.is_hidden(doc, "z", l, k):
                shown[k] = False
        revealed = bool(shown[j])
        # f(z) and f′(z) are shown once the canvas has shown a = f(z), not at the z step
        a_mask = shown & self._revealed_mask(l, zs.size, self._a_shown)
        a_revealed = bool(a_mask[j])
        z = float(zs[j])
        # an overflowed network (issue 14): ±∞ and NaN are written, not plotted; huge z
        # are clipped to ±Z_LIMIT so that no range or curve pyqtgraph gets is infinite
        finite = np.isfinite(zs)
        zs_plot = np.clip(np.where(finite, zs, 0.0), -Z_LIMIT, Z_LIMIT)

        lo, hi = self._steady_range(zs_plot[shown & finite], (act.name, l, zs.size))
        if (lo, hi) != self._z_range or self._x.size == 0:
            self._x = np.linspace(lo, hi, self.GRID_POINTS)
        self._z_range = (lo, hi)
        x = self._x

        mask = a_mask.copy()
        mask[j] = False
        for k in np.flatnonzero(mask).tolist():  # a lesson hides these a: no f(z) dot
            if hidden_values.is_hidden(doc, "a", l, k):
                mask[k] = False
        others = np.flatnonzero(mask & finite)
        fy = dfy = None  # element-wise curves change only with the activation or the range
        with np.errstate(all="ignore"):
            if act.elementwise:
                f_at = float(act.f(np.array([z]))[0])
                df_at = float(act.df(np.array([z]))[0])
                oz = zs_plot[others]
                of, odf = _plottable(act.f(oz)), _plottable(act.df(oz))
            else:
                # softmax: a_k depends on every z of the layer. Draw the honest slice:
                # z_k varies, the layer's other z stay at their current values.
                Z = np.repeat(zs_plot[None, :], x.size, axis=0)
                Z[:, j] = x
                fy, dfy = _plottable(act.f(Z)[:, j]), _plottable(act.df(Z)[:, j])
                f_at = float(trace.a[l][0, j])
                df_at = float(act.df(trace.z[l])[0, j])
                oz = of = odf = np.zeros(0)

        self.target = target
        where = neuron_label(l, j, net.depth).capitalize()
        self.title.setText(self._title_html(act, where, target.reason))
        ew = act.elementwise
        if a_revealed:
            self.values = {"z": z, "f": f_at, "df": df_at}
            z_s, f_s, df_s = fmt(z, d), fmt(f_at, d), fmt(df_at, d)
            if hidden_values.is_hidden(doc, "a", l, j):  # a lesson asks for a: "?"
                f_s = df_s = hidden_values.HIDDEN_TEXT
                self.values = {"z": z}
            self.values_label.setText(self._values_html(z_s, f_s, df_s, ew))
        elif revealed:
            self.values = {"z": z}
            z_s, f_s, df_s = fmt(z, d), NOT_YET, NOT_YET
            self.values_label.setText(self._values_html(z_s, f_s, df_s, ew))
        else:
            self.values = {}
            z_s = f_s = df_s = NOT_YET
            self.values_label.setText(NOT_COMPUTED_HTML)

        built_for = (
            t,
            act.name,
            tuple(self._compare),
            self._shade,
            self._compact,
            (lo, hi),
            plot_style.pt(plot_style.TICK_PT),  # the text scale (View ▸ Zoom Text)
        )
        if built_for != self._built_for:
            if fy is None:
                with np.errstate(all="ignore"):
                    fy, dfy = _plottable(act.f(x)), _plottable(act.df(x))
            self._build_plot(act, x, fy, dfy, z_s, f_s, df_s, l, oz.size)
            self._built_for = built_for
        else:  # a value, the layer or the neuron changed: move what shows it, nothing else
            if fy is not None:
                self.f_curve.setData(x, fy)
                self.df_curve.setData(x, dfy)
                self._set_y_range(fy, dfy)
            self._relabel_dots(ew, z_s, f_s, df_s)
            self._relabel_others(l, oz.size)

        on_axis = revealed and math.isfinite(z)  # ∞ or NaN: written above, no marker
        zp = float(np.clip(z, -Z_LIMIT, Z_LIMIT)) if math.isfinite(z) else 0.0
        self.marker.setVisible(on_axis)
        if on_axis:
            self.marker.setValue(zp)
            self.marker.label.setFormat(f"z = {z_s}")
        if a_revealed and math.isfinite(z):
            self.f_dot.setData(*_point(zp, f_at))
            self.df_dot.setData(*_point(zp, df_at))
        else:
            self.f_dot.setData([], [])
            self.df_dot.setData([], [])
        self.others_f.setData(oz, of)
        self.others_df.setData(oz, odf)

    def _build_plot(
        self,
        act: activations.Activation,
        x: np.ndarray,
        fy: np.ndarray,
        dfy: np.ndarray,
        z_s: str,
        f_s: str,
        df_s: str,
        l: int,  # noqa: E741
        n_others: int,
    ) -> None:
        """Style the plot and rebuild its curves, comparison, shading and legend."""
        t = theme.current()
        lo, hi = self._z_range
        plot_style.style_plot(
            self.plot_widget, self.plot_item, "z  (pre-activation)", "f(z),  f′(z)"
        )
        ew = act.elementwise
        f_name = f"f(z) = {act.formula}" if ew else f"aₖ = {act.formula}  (other z fixed)"
        df_name = f"f′(z) = {act.derivative}" if ew else "∂aₖ/∂zₖ = aₖ(1 − aₖ)  (diagonal only)"
        self.f_curve.setData(x, fy)
        self.f_curve.setPen(pg.mkPen(t.curve_f, width=4))
        self.df_curve.setData(x, dfy)
        self.df_curve.setPen(pg.mkPen(t.curve_df, width=4))

        self.marker.setPen(pg.mkPen(t.text, width=2, style=Qt.PenStyle.DashLine))
        self.marker.label.setColor(t.text)
        self.marker.label.setFont(plot_style.font_pt(plot_style.LEGEND_PT, bold=True))
        self.marker.label.fill = pg.mkBrush(plot_style.legend_brush())
        self.marker.label.border = pg.mkPen(t.muted)
        self.marker.label.update()
        self.f_dot.setSymbolBrush(t.curve_f)
        self.f_dot.setSymbolPen(pg.mkPen(t.background, width=2))
        self.df_dot.setSymbolBrush(t.curve_df)
        self.df_dot.setSymbolPen(pg.mkPen(t.background, width=2))
        for it, c in ((self.others_f, t.curve_f), (self.others_df, t.curve_df)):
            faint = QColor(c)
            faint.setAlpha(120)
            it.setSymbolBrush(faint)
            it.setSymbolPen(pg.mkPen(faint))
            it.setSymbolSize(11)

        self._clear_overlays()
        item = self.plot_item
        shown = [act.name] + [n for n in self._compare if n != act.name]
        colors = plot_style.compare_colors()
        for k, name in enumerate(n for n in shown[1:]):
            other = activations.get(name)
            color = QColor(colors[k % len(colors)])
            # f and f′ of a compared function must not look alike: f a long-dashed
            # thick line, f′ a thin dotted one, lighter
            f_pen = pg.mkPen(color, width=3.5)
            f_pen.setDashPattern([6, 3])
            faint = QColor(color)
            faint.setAlpha(190)
            df_pen = pg.mkPen(faint, width=2)
            df_pen.setDashPattern([1, 2.5])
            df_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            f_item = pg.PlotDataItem(x, other.f(x), pen=f_pen, antialias=True)
            df_item = pg.PlotDataItem(x, other.df(x), pen=df_pen, antialias=True)
            for it in (f_item, df_item):
                it.setZValue(5)
                item.addItem(it)
            self.compare_curves[name] = (f_item, df_item)
        if self._shade:
            for name in shown:
                for a, b in activations.saturated_ranges(name, lo, hi):
                    region = pg.LinearRegionItem(
                        values=(a, b),
                        movable=False,
                        brush=pg.mkBrush(t.saturated),
                        pen=pg.mkPen(None),
                    )
                    region.setZValue(-10)
                    region.setToolTip(
                        f"{activations.get(name).label} saturates here: |f′(z)| is below 5 % of "
                        "its peak, so almost no gradient flows back"
                    )
                    item.addItem(region)
                    self.saturation_regions.append(region)

        self._fill_legend(act, f_name, df_name, z_s, f_s, df_s, l, n_others)
        self.plot_item.setXRange(lo, hi, padding=0.01)
        self._y_shown = None
        self._set_y_range(fy, dfy)

    def _set_y_range(self, fy: np.ndarray, dfy: np.ndarray) -> None:
        """Set the y range, only when it differs from the one shown (no re-ticking)."""
        y_range = self._y_range(fy, dfy)
        if y_range != self._y_shown:
            self._y_shown = y_range
            self.plot_item.setYRange(*y_range, padding=0.06)

    def _relabel_dots(self, ew: bool, z_s: str, f_s: str, df_s: str) -> None:
        """The legend's f(z) and f′(z) entries, with the new numbers."""
        if self._dot_labels is None:
            return
        f_label, df_label = self._dot_labels
        f_text, df_text = _dot_texts(ew, z_s, f_s, df_s)
        if f_label.text != f_text:
            f_label.setText(f_text)
        if df_label.text != df_text:
            df_label.setText(df_text)

    def _relabel_others(self, l: int, n_others: int) -> None:  # noqa: E741
        """The legend's "other neurons of layer l" entry: shown iff it has dots, and named."""
        if self._compact:
            return
        self._set_others_entry(n_others > 0, l)

    def _set_others_entry(self, shown: bool, l: int) -> None:  # noqa: E741
        """Show the "other neurons" entry, or take it away: out of the legend in
        editing; while playback runs, as a blank row, since playback reveals a
        layer's z step by step and a legend that gained or lost a row would move the
        plot above it every time (a hidden item would leave pyqtgraph's grid)."""
        legend = self.legend
        entry = next(((smp, lab) for smp, lab in legend.items if smp.item is self.others_f), None)
        keep_row = shown or self._z_shown is not None
        if not keep_row:
            if entry is not None:
                legend.removeItem(self.others_f)
            self._others_label = None
            return
        if entry is None:
            legend.addItem(self.others_f, _others_text(l))
            entry = legend.items[-1]
        sample, label = entry
        sample.setVisible(shown)
        text = _others_text(l) if shown else "&nbsp;"
        if label.text != text:
            label.setText(text)
        self._others_label = label if shown else None

    #: the share of the plot's height kept free above the curves for the ``z = …`` label
    LABEL_HEADROOM = 0.22

    def _y_range(self, fy: np.ndarray, dfy: np.ndarray) -> tuple[float, float]:
        """The y interval: this layer's f and f′, every compared f and f′ (a compared
        ReLU is not cut off at tanh's 1), and 0 to 1; with a free band on top where
        the marker's ``z = …`` label sits, off the curves.
        """
        parts = [fy, dfy, np.array([0.0, 1.0])]
        for f_item, df_item in self.compare_curves.values():
            parts += [f_item.getData()[1], df_item.getData()[1]]
        ys = np.concatenate([p[np.isfinite(p)] for p in parts])
        lo, hi = float(np.min(ys)), float(np.max(ys))
        return lo, hi + (hi - lo) * self.LABEL_HEADROOM

    def _fill_legend(
        self,
        act: activations.Activation,
        f_name: str,
        df_name: str,
        z_s: str,
        f_s: str,
        df_s: str,
        l: int,  # noqa: E741
        n_others: int,
    ) -> None:
        t = theme.current()
        legend = self.legend
        legend.clear()
        legend.setMinimumHeight(0)
        self._dot_labels = None
        self._others_label = None
        legend.setBrush(pg.mkBrush(None))
        legend.setPen(pg.mkPen(None))
        legend.setLabelTextColor(t.text)
        legend.setLabelTextSize(f"{plot_style.legend_pt()}pt")
        if self._compact:
            # a short dock: the coloured values line above the plot names f and f′;
            # the legend keeps only what has no other key, in short words
            for name, (f_item, df_item) in self.compare_curves.items():
                legend.addItem(f_item, f"{activations.get(name).label} f")
                legend.addItem(df_item, f"{activations.get(name).label} f′")
            if self.saturation_regions:
                self._add_saturation_entry("saturated")
            return
        legend.addItem(self.f_curve, f"{act.label}: {f_name}")
        legend.addItem(self.df_curve, df_name)
        f_text, df_text = _dot_texts(act.elementwise, z_s, f_s, df_s)
        legend.addItem(self.f_dot, f_text)
        legend.addItem(self.df_dot, df_text)
        self._dot_labels = (legend.getLabel(self.f_dot), legend.getLabel(self.df_dot))
        self._set_others_entry(n_others > 0, l)
        for name, (f_item, df_item) in self.compare_curves.items():
            label = activations.get(name).label
            legend.addItem(f_item, f"{label} f(z), dashed")
            legend.addItem(df_item, f"{label} f′(z), dotted")
        if self.saturation_regions:
            self._add_saturation_entry("saturated: |f′| &lt; 5 % of its peak")

    def _add_saturation_entry(self, text: str) -> None:
        brush = pg.mkBrush(theme.current().saturated)
        self._saturation_sample.setOpts(brush=brush, pen=pg.mkPen(None))
        self.legend.addItem(self._saturation_sample, text)


def _others_text(l: int) -> str:  # noqa: E741
    return f"other neurons of layer {l}"


def _dot_texts(elementwise: bool, z_s: str, f_s: str, df_s: str) -> tuple[str, str]:
    """The legend texts of the dots on f and f′ at the neuron's z."""
    if z_s == NOT_YET:
        return "f at z: z not computed yet", "f′ at z: z not computed yet"
    if f_s == NOT_YET:
        return f"f({z_s}): not computed yet", f"f′({z_s}): not computed yet"
    if elementwise:
        return f"f({z_s}) = {f_s}", f"f′({z_s}) = {df_s}"
    return f"aₖ = {f_s}  at zₖ = {z_s}", f"aₖ(1 − aₖ) = {df_s}"


#: |z| and |f| beyond this are drawn at it (the value shown in words stays exact).
#: A view range far wider makes pyqtgraph's view transform singular (its scale squared
#: underflows to 0 near 1e300: its TextItems then fail to invert it inside a paint
#: event, which crashed PySide6 6.12 on Python 3.12); 1e12 keeps every transform sound
Z_LIMIT = 1e12


def _plottable(v: np.ndarray) -> np.ndarray:
    """``v`` for a curve: ±∞ and huge values clipped to ±Z_LIMIT, NaN left as a gap."""
    return np.clip(np.asarray(v, dtype=float), -Z_LIMIT, Z_LIMIT)


def _point(z: float, y: float) -> tuple[list[float], list[float]]:
    """One dot at (z, y), or none when y overflowed to NaN."""
    if math.isnan(y):
        return [], []
    return [z], [float(np.clip(y, -Z_LIMIT, Z_LIMIT))]


def _coarse(v: float) -> float:
    """The smallest of 1, 2, 5 × 10ᵏ at or above ``v`` (> 0): where a z range stops."""
    k = 10.0 ** np.floor(np.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * k >= v * (1 - 1e-12):
            return float(m * k)
    return float(10.0 * k)


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font
