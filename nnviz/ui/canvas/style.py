"""Fonts, pens and the label painter of the canvas: the one place that holds a size.

A :class:`CanvasStyle` is made per theme (:func:`style_for`) and shared by the
editing view, the playback painter, the placement pass and the exporters, so a
label is measured by the same font it is drawn with. Two kinds of text:

* **scene text** (neuron numbers, ``b = …``, headers, the loss box) is part of
  the picture: it scales with the zoom, like the neurons it belongs to;
* **labels** (the boxed numbers of the animation, the selection's values) have a
  fixed size on screen, ``LABEL_PX`` pixels, shrinking to ``MIN_TEXT_PX`` at most
  where a layer is crowded: never smaller (a label that does not fit then is
  left out by the placement pass, and the canvas says so).
"""

from __future__ import annotations

import math
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from nnviz.ui import textscale
from nnviz.ui import theme as themes

#: the smallest text the canvas draws, in pixels on screen at 100 % zoom
MIN_TEXT_PX = 10
#: pixel size of the labels of fixed screen size (animation, selection)
LABEL_PX = 16
#: padding of a label's box around its text, in screen pixels (each side: half)
LABEL_PAD_X = 16.0
LABEL_PAD_Y = 8.0
#: corner radius of a label's box, screen pixels
LABEL_RADIUS = 5.0

# scene text, in points at 100 % zoom (the roles the canvas draws)
FONT_POINTS = {
    "header": (12.0, True),  # layer headers above the columns
    "number": (12.0, True),  # a neuron's value, inside its circle
    "small": (10.5, False),  # b = …, z = … beside a neuron; the input names x1, x2
    "target": (11.0, False),  # y = … beside the output neurons
    "loss": (12.0, True),  # the loss box of the editing view
    "legend": (10.0, False),  # the legend, in screen pixels
}
#: the loss label of the animation, in screen pixels
BIG_LABEL_PX = 20


@lru_cache(maxsize=256)
def _font_pt(size: float, bold: bool) -> QFont:
    f = QFont()
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


@lru_cache(maxsize=256)
def _font_px(px: int, bold: bool) -> QFont:
    f = QFont()
    f.setPixelSize(max(int(px), 1))
    f.setBold(bold)
    return f


@lru_cache(maxsize=256)
def _metrics_px(px: int, bold: bool) -> QFontMetricsF:
    return QFontMetricsF(_font_px(px, bold))


def font(role: str) -> QFont:
    """A copy of the scene font of ``role`` (see :data:`FONT_POINTS`), at the global
    text scale (View ▸ Zoom Text) and never below presenter mode's floor."""
    size, bold = FONT_POINTS[role]
    # rounded up (a few cached sizes, never below the presenter's floor)
    return QFont(_font_pt(math.ceil(textscale.pt(size) * 1000) / 1000, bold))


def scaled_px(px: float) -> int:
    """A label's pixel size at the global text scale: at least :data:`MIN_TEXT_PX`,
    and at least presenter mode's floor."""
    return int(round(max(px * textscale.factor(), MIN_TEXT_PX, textscale.min_px())))


def label_font(px: int, bold: bool = True) -> QFont:
    return _font_px(scaled_px(px), bold)


def label_size(text: str, px: int = LABEL_PX, boxed: bool = True) -> tuple[float, float]:
    """Width and height in screen pixels of a label (box included) of ``text``."""
    fm = _metrics_px(scaled_px(px), boxed)
    return fm.horizontalAdvance(text) + LABEL_PAD_X, fm.height() + LABEL_PAD_Y


def label_height(px: int = LABEL_PX) -> float:
    return _metrics_px(scaled_px(px), True).height() + LABEL_PAD_Y


def big_label_size(text: str) -> tuple[float, float]:
    fm = _metrics_px(scaled_px(BIG_LABEL_PX), True)
    return fm.horizontalAdvance(text) + 28.0, fm.height() + 14.0


# ------------------------------------------------------------- recording
#: while a test records (see :func:`recording`): every text the canvas draws, as
#: (kind, text, device rectangle (left, top, right, bottom) in viewport pixels,
#: pixel size on screen)
_recorder: list | None = None


class recording:  # noqa: N801 - used as a context manager, like contextlib's
    """Within ``with recording() as texts:``, every text drawn through this module is
    appended to ``texts`` with its rectangle on screen (tests check them all)."""

    def __enter__(self) -> list:
        global _recorder
        self._old = _recorder
        _recorder = []
        return _recorder

    def __exit__(self, *exc) -> None:
        global _recorder
        _recorder = self._old


def record(p: QPainter, kind: str, text: str, rect: QRectF, px: float) -> None:
    """Note a drawn text (scene or painter coordinates in ``rect``) if a test records."""
    if _recorder is None:
        return
    r = p.transform().mapRect(rect)
    _recorder.append((kind, text, (r.left(), r.top(), r.right(), r.bottom()), float(px)))


def screen_px(role: str, zoom: float) -> float:
    """How many pixels high scene text of ``role`` is on screen at ``zoom``."""
    return font(role).pointSizeF() * textscale.DPI / 72.0 * max(zoom, 1e-3)


def scene_text_box(
    role: str, text: str, zoom: float, anchor: tuple[float, float], align: str
) -> tuple[tuple[float, float, float, float], bool]:
    """The scene rectangle (left, top, right, bottom) of ``text`` of ``role`` drawn at
    ``anchor`` (``align``: which point of the text the anchor is: "center", "top",
    "bottom", "left", "right"), and whether it is drawn at a fixed screen size (the
    scene font would be under :data:`MIN_TEXT_PX` on screen at this zoom)."""
    zoom = max(zoom, 1e-3)
    fixed = screen_px(role, zoom) < MIN_TEXT_PX
    if fixed:
        fm = _metrics_px(scaled_px(MIN_TEXT_PX), FONT_POINTS[role][1])
        w, h = fm.horizontalAdvance(text) / zoom, fm.height() / zoom
    else:
        fm = QFontMetricsF(font(role))
        w, h = fm.horizontalAdvance(text), fm.height()
    x, y = anchor
    left = {"left": x, "right": x - w}.get(align, x - w / 2)
    top = {"top": y, "bottom": y - h}.get(align, y - h / 2)
    return (left, top, left + w, top + h), fixed


def draw_scene_text(
    p: QPainter,
    role: str,
    text: str,
    rect: tuple[float, float, float, float],
    fixed: bool,
    zoom: float,
) -> None:
    """``text`` of ``role`` centred in the scene rectangle ``rect`` from
    :func:`scene_text_box` (at a fixed screen size if ``fixed``)."""
    zoom = max(zoom, 1e-3)
    box = QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])
    if fixed:
        px = scaled_px(MIN_TEXT_PX)
        p.save()
        p.translate(box.center())
        p.scale(1 / zoom, 1 / zoom)
        p.setFont(_font_px(px, FONT_POINTS[role][1]))
        local = QRectF(
            -box.width() * zoom / 2,
            -box.height() * zoom / 2,
            box.width() * zoom,
            box.height() * zoom,
        )
        p.drawText(local, Qt.AlignmentFlag.AlignCenter, text)
        record(p, role, text, local, px)
        p.restore()
        return
    p.setFont(font(role))
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    record(p, role, text, box, screen_px(role, zoom))


class CanvasStyle:
    """Pens, fonts and the label painter for one theme."""

    def __init__(self, theme: themes.Theme) -> None:
        self.theme = theme

    # ------------------------------------------------------------- labels
    def draw_label(
        self,
        p: QPainter,
        center: QPointF,
        text: str,
        zoom: float,
        color: QColor | None = None,
        px: int = LABEL_PX,
        boxed: bool = True,
    ) -> QRectF:
        """Text (bold in a rounded box, or plain) ``px`` pixels high on screen, centred on
        the scene point ``center``; returns the scene rectangle it covers."""
        th = self.theme
        color = color or th.text
        zoom = max(zoom, 1e-3)
        w, h = label_size(text, px, boxed)
        p.save()
        p.translate(center)
        p.scale(1 / zoom, 1 / zoom)
        p.setFont(label_font(px, boxed))
        rect = QRectF(-w / 2, -h / 2, w, h)
        if boxed:
            p.setPen(QPen(color, 1.2))
            p.setBrush(th.surface)
            p.drawRoundedRect(rect, LABEL_RADIUS, LABEL_RADIUS)
        p.setPen(color)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        record(p, "label", text, rect, scaled_px(px))
        p.restore()
        return QRectF(center.x() - w / 2 / zoom, center.y() - h / 2 / zoom, w / zoom, h / zoom)

    def draw_big_label(
        self, p: QPainter, center: QPointF, text: str, zoom: float, color: QColor, focus: bool
    ) -> QRectF:
        """The loss label of the animation (larger, thicker frame while its step plays)."""
        th = self.theme
        zoom = max(zoom, 1e-3)
        w, h = big_label_size(text)
        p.save()
        p.translate(center)
        p.scale(1 / zoom, 1 / zoom)
        p.setFont(_font_px(scaled_px(BIG_LABEL_PX), True))
        rect = QRectF(-w / 2, -h / 2, w, h)
        p.setPen(QPen(th.text if focus else th.muted, 3.0 if focus else 1.4))
        p.setBrush(th.surface)
        p.drawRoundedRect(rect, 7, 7)
        p.setPen(color)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        record(p, "label", text, rect, scaled_px(BIG_LABEL_PX))
        p.restore()
        return QRectF(center.x() - w / 2 / zoom, center.y() - h / 2 / zoom, w / zoom, h / zoom)

    @staticmethod
    def fit_text(
        p: QPainter,
        rect: QRectF,
        text: str,
        role: str = "number",
        room: tuple[float, float] | None = None,
    ) -> bool:
        """Centred scene text inside ``rect`` (a neuron's circle), shrunk until it fits,
        but never below :data:`MIN_TEXT_PX` on screen (nor presenter mode's floor): then it
        is left out (False). In presenter mode a number may be wider than its circle, up
        to ``room`` (width, height in scene units: the space to its neighbours) and no
        further: numbers never run into each other."""
        t = p.transform()
        zoom = max(math.hypot(t.m11(), t.m12()), 1e-3)
        f = font(role)
        p.setFont(f)
        avail = rect.width() * 0.9
        fm = p.fontMetrics()
        w = fm.horizontalAdvance(text)
        floor = textscale.floor_pt()  # presenter mode: never below its large print
        # never under MIN_TEXT_PX on screen: zoomed out, the number keeps that size
        lowest = max(floor, MIN_TEXT_PX * 72.0 / textscale.DPI / zoom)
        size = f.pointSizeF()
        if w > avail:
            size = f.pointSizeF() * avail / w
        size = max(size, lowest)
        if size != f.pointSizeF():
            f.setPointSizeF(size)
            p.setFont(f)
            fm = p.fontMetrics()
            w = fm.horizontalAdvance(text)
        if w > avail and not floor:
            if w > rect.width() * 1.04:
                return False  # too small to read inside its circle: left out
            avail = w  # at the smallest size it may fill the circle to its rim
        if w > avail:  # presenter's floor: the number may be wider than the circle
            if room is not None and (w + 8 > room[0] or fm.height() > room[1]):
                return False  # … but never into its neighbours
            rect = QRectF(rect.center().x() - w / 2 - 4, rect.top(), w + 8, rect.height())
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        c = rect.center()
        record(
            p,
            "number",
            text,
            QRectF(c.x() - w / 2, c.y() - fm.ascent() / 2 - 1, w, fm.ascent() + 2),
            p.font().pointSizeF() * textscale.DPI / 72.0 * zoom,
        )
        return True


_styles: dict[tuple, CanvasStyle] = {}


def style_for(theme: themes.Theme | None = None) -> CanvasStyle:
    """The style of ``theme`` (by default the current one), made once per theme."""
    th = theme or themes.current()
    key = (th.name, th.background.rgba(), th.text.rgba())
    s = _styles.get(key)
    if s is None:
        s = _styles[key] = CanvasStyle(th)
    return s
