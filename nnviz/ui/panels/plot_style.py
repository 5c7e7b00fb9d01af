"""Shared look of the pyqtgraph panels: projector-sized fonts and theme colours.

A teacher projects these plots, so every text is large: ticks, axis labels and
the legend are sized here once, and each plot panel calls :func:`style_plot`
whenever it redraws (which also picks up a change of theme).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from nnviz.ui import textscale, theme
from nnviz.ui.panels.shown import (  # noqa: F401 - re-exported (they lived here)
    RefreshWhenShown,
    follow_dock,
    hidden_in_shown_window,
)

#: point sizes, chosen to stay readable from the back of a classroom
TICK_PT = 13
AXIS_LABEL_PT = 15
LEGEND_PT = 13
TITLE_PT = 15

#: overlay colours for compared activations: Paul Tol's "muted" set, minus the
#: hues of the main f (blue) and f' (magenta) curves, one list per background
COMPARE_LIGHT = ("#117733", "#332288", "#999933", "#882255", "#44aa99", "#aa4499", "#661100")
COMPARE_DARK = ("#44bb99", "#bbcc33", "#eedd88", "#ffaabb", "#99ddff", "#aaaa00", "#dddddd")


def css(color: QColor) -> str:
    return color.name(QColor.NameFormat.HexRgb)


def compare_colors() -> tuple[str, ...]:
    return COMPARE_DARK if theme.current().dark else COMPARE_LIGHT


def pt(points: float) -> float | int:
    """``points`` at the global text scale (View ▸ Zoom Text), never below presenter
    mode's floor: the plots' texts follow the canvas's and the widgets'."""
    size = round(textscale.pt(points, screen=True), 2)
    return int(size) if size.is_integer() else size  # "13pt", as CSS is written


def legend_pt() -> float:
    return pt(LEGEND_PT)


def font_pt(points: float, bold: bool = False) -> QFont:
    """A font of ``points`` at the text scale (see :func:`pt`)."""
    font = QFont()
    font.setPointSizeF(pt(points))
    font.setBold(bold)
    return font


def tick_font() -> QFont:
    return font_pt(TICK_PT)


def style_plot(view: pg.GraphicsView, item: pg.PlotItem, x_label: str, y_label: str) -> None:
    """Background, axis colours, tick and label fonts of ``item`` from the current theme."""
    t = theme.current()
    view.setBackground(t.background)
    # reserve room for the large tick labels up front: the axis otherwise widens
    # only after a first paint, and the axis title overlaps the ticks until then
    # (pyqtgraph counts 0.8 of the title's height and measures ticks late)
    ticks = QFontMetrics(tick_font())
    title = font_pt(AXIS_LABEL_PT)
    left = item.getAxis("left")
    left.setWidth(
        ticks.horizontalAdvance("−0.000")
        + left.style["tickTextOffset"][0]
        + QFontMetrics(title).height()
        + 8
    )
    for name, text in (("bottom", x_label), ("left", y_label)):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(t.muted))
        axis.setTextPen(pg.mkPen(t.text))
        axis.setTickFont(tick_font())
        # no SI scaling at all: pyqtgraph's enableAutoSIPrefix(False) still scales the
        # tick values past 1e9 (an overflowing network's z of 1e243 read as "5e216")
        axis.setSIPrefixEnableRanges(())
        axis.enableAutoSIPrefix(False)
        axis.setLabel(text, **{"color": css(t.text), "font-size": f"{pt(AXIS_LABEL_PT)}pt"})
    item.showGrid(x=True, y=True, alpha=0.25)


def legend_brush() -> QColor:
    """A nearly opaque legend background, so the legend text reads over a curve."""
    c = QColor(theme.current().surface)
    c.setAlpha(220)
    return c


def title_style() -> str:
    """Style sheet of the large text labels around a plot, in the current theme's text
    colour (a label with a style sheet does not follow a live change of palette)."""
    return f"font-size: {pt(TITLE_PT)}pt; padding: 2px 4px; color: {css(theme.current().text)};"


def button_style() -> str:
    """Style sheet of a large menu button that draws its own ▾ (Qt's arrow is tiny),
    in the current theme's colours."""
    t = theme.current()
    return (
        f"QToolButton {{ font-size: {pt(TITLE_PT)}pt; padding: 2px 8px; color: {css(t.text)};"
        f" background: {css(t.surface)}; border: 1px solid {css(t.grid)};"
        " border-radius: 4px; }"
        f" QToolButton:hover, QToolButton:pressed {{ border-color: {css(t.muted)}; }}"
        f" QToolButton:checked {{ border: 2px solid {css(t.positive)}; }}"
        " QToolButton::menu-indicator { image: none; width: 0px; }"
    )


_STYLES = {"title": title_style, "button": button_style}


def styled(widget: QWidget, kind: str) -> QWidget:
    """Give ``widget`` the ``kind`` ("title" or "button") style sheet now, and again on
    every :func:`restyle` of a widget it sits in (the theme changed)."""
    widget.setProperty("nnvizPlotStyle", kind)
    widget.setStyleSheet(_STYLES[kind]())
    return widget


def restyle(root: QWidget) -> None:
    """Re-apply the style sheets :func:`styled` gave ``root`` and its children: after a
    change of theme their colours are the new theme's."""
    for w in [root, *root.findChildren(QWidget)]:
        kind = w.property("nnvizPlotStyle")
        if kind in _STYLES:
            w.setStyleSheet(_STYLES[kind]())
