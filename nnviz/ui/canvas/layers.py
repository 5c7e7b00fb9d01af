"""The canvas as an ordered list of paint layers over one context.

Every frame of the canvas is painted by the same layers, in order::

    edges → neurons (and their numbers) → playback still
          → highlights (hover, selection) → playback moving → weight labels → legend

Each layer has ``key(ctx)`` (changes whenever its picture would; ``None``: not
worth caching) and ``paint(painter, ctx)``, where ``ctx`` is one
:class:`PaintContext`: the layout, the style, the zoom, the document, the
playback painter and frame, and the ``vector`` flag. Everything is drawn in
scene coordinates through the painter's world transform (labels of fixed
screen size scale by ``1/zoom`` about their scene point); no layer reads the
painter's device transform, so a picture is the same in a real window, in
``grab()``, in a GIF and in an SVG.

:class:`RasterCache` is the one caching wrapper: it renders a layer into a
viewport-sized image keyed on the layer's key, the world transform, the size
and the theme, blits it while the key holds, and steps aside (paints the layer
directly) when ``ctx.vector`` is set — an SVG gets shapes and text, never a
bitmap. (The edges keep a cache of their own under it, in ``StaticLayer``: an
image patched edge by edge when a weight changes, which a whole-layer cache
cannot do; it too steps aside for vector output.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QTransform

from nnviz.ui import theme as themes
from nnviz.ui.canvas.style import CanvasStyle, style_for

if TYPE_CHECKING:
    from nnviz.ui.canvas.view import NetworkCanvas


@dataclass(frozen=True)
class PaintContext:
    """Everything a layer may read while it paints one frame."""

    canvas: NetworkCanvas
    layout: object
    style: CanvasStyle
    theme: themes.Theme
    zoom: float
    document: object
    #: the playback painter (None without playback) and whether the animation shows
    playback: object | None
    active: bool
    #: the playback frame to draw; None: the playback's current frame
    frame: object | None = None
    #: painting for vector output (SVG): no raster caches, shapes and text only
    vector: bool = False


def context_of(canvas: NetworkCanvas, frame=None) -> PaintContext:
    th = themes.current()
    return PaintContext(
        canvas=canvas,
        layout=canvas.layout,
        style=style_for(th),
        theme=th,
        zoom=max(canvas.zoom_level(), 1e-3),
        document=canvas.document,
        playback=canvas.playback_painter,
        active=canvas.playback_active,
        frame=frame,
        vector=canvas.vector,
    )


class Layer:
    """One layer of the canvas picture."""

    name = "layer"

    def key(self, ctx: PaintContext) -> tuple | None:  # noqa: ARG002 - an interface
        return None

    def visible(self, ctx: PaintContext) -> bool:  # noqa: ARG002 - an interface
        return True

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        raise NotImplementedError


class EdgesLayer(Layer):
    """Every edge, one path per colour-and-width bucket (from the edge image if raster)."""

    name = "edges"

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        ctx.canvas.static.paint_edges(p, ctx)


class NeuronsLayer(Layer):
    """Layer headers, neurons, and (outside playback) their numbers, targets and loss."""

    name = "neurons"

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        ctx.canvas.paint_neurons(p, numbers=not ctx.active)


class PlaybackStillLayer(Layer):
    """What stays put within a playback step: veil, lit edges, neurons, numbers."""

    name = "playback still"

    def visible(self, ctx: PaintContext) -> bool:
        return ctx.active and ctx.playback is not None

    def key(self, ctx: PaintContext) -> tuple | None:
        painter = ctx.playback
        if not hasattr(painter, "still_key"):
            return None
        if ctx.frame is None:
            return painter.still_key(ctx.canvas)
        return painter.still_key(ctx.canvas, ctx.frame)

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        painter = ctx.playback
        if not hasattr(painter, "paint_still"):
            painter(ctx.canvas, p)  # a plain hook f(canvas, painter): all in one
        elif ctx.frame is None:
            painter.paint_still(ctx.canvas, p)
        else:
            painter.paint_still(ctx.canvas, p, ctx.frame)


class PlaybackMovingLayer(Layer):
    """The pulses and, over them, the labels where the placement pass put them."""

    name = "playback moving"

    def visible(self, ctx: PaintContext) -> bool:
        return ctx.active and hasattr(ctx.playback, "paint_moving")

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        ctx.playback.paint_moving(ctx.canvas, p)


class HighlightsLayer(Layer):
    """The hovered and the selected neuron or edge."""

    name = "highlights"

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        ctx.canvas.paint_highlights(p)


class LegendLayer(Layer):
    """The legend, in the viewport's bottom-left corner."""

    name = "legend"

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        ctx.canvas.paint_legend(p)
        ctx.canvas.paint_note(p)


class RasterCache(Layer):
    """The caching wrapper: ``layer`` rendered once into an image per key and view.

    The image covers the viewport at the device pixel ratio; its key is the
    layer's key plus the world transform (scene → viewport, never the device
    transform: a window grab adds the viewport's offset there), the size, the
    layout and the theme. It keeps the image painted last and one rendered ahead
    (:meth:`render_ahead`). With ``ctx.vector`` set, or a layer key of ``None``,
    it paints the layer directly.
    """

    def __init__(self, layer: Layer, keep: int = 2) -> None:
        self.layer = layer
        self.name = f"cached {layer.name}"
        self.keep = keep
        self.images: dict[tuple, QImage] = {}
        #: how often the layer was rendered while painting, and ahead of time
        self.renders = 0
        self.prerenders = 0
        self.geometry: tuple | None = None
        self.last_key: tuple | None = None

    def visible(self, ctx: PaintContext) -> bool:
        return self.layer.visible(ctx)

    def clear(self) -> None:
        self.images.clear()

    def _full_key(self, ctx: PaintContext, geometry: tuple) -> tuple | None:
        inner = self.layer.key(ctx)
        if inner is None:
            return None
        T, w, h, _hints = geometry
        th = ctx.theme
        return (
            inner,
            (T.m11(), T.m12(), T.m21(), T.m22(), T.dx(), T.dy()),
            (w, h),
            id(ctx.layout),
            th.background.rgba(),
            th.text.rgba(),
        )

    def _render(self, ctx: PaintContext, geometry: tuple) -> QImage:
        T, w, h, hints = geometry
        image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        ip = QPainter(image)
        try:  # a painter must end even if the layer raises
            ip.setRenderHints(hints)
            ip.setTransform(T)
            self.layer.paint(ip, ctx)
        finally:
            ip.end()
        return image

    def paint(self, p: QPainter, ctx: PaintContext) -> None:
        """Blit the layer's image (rendering it first if its key changed)."""
        device = p.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        vp = ctx.canvas.viewport()
        w = int(np.ceil(vp.width() * dpr))
        h = int(np.ceil(vp.height() * dpr))
        if ctx.vector or w <= 0 or h <= 0:
            self.layer.paint(p, ctx)
            return
        geometry = (p.transform() * QTransform.fromScale(dpr, dpr), w, h, p.renderHints())
        key = self._full_key(ctx, geometry)
        if key is None:
            self.layer.paint(p, ctx)
            return
        image = self.images.get(key)
        if image is None:
            image = self._render(ctx, geometry)
            self.renders += 1
        # keep the image painted (last), and one rendered ahead
        self.images = {k: v for k, v in self.images.items() if k != key}
        while len(self.images) >= self.keep:
            self.images.pop(next(iter(self.images)))
        self.images[key] = image
        self.geometry = geometry
        image.setDevicePixelRatio(dpr)
        p.save()
        p.resetTransform()  # world identity = the viewport's logical pixels
        p.drawImage(QPointF(0.0, 0.0), image)
        p.restore()
        self.last_key = key

    def render_ahead(self, ctx: PaintContext) -> bool:
        """Render the layer for ``ctx`` (another frame) at the last geometry, if not yet."""
        if self.geometry is None or ctx.vector:
            return False
        key = self._full_key(ctx, self.geometry)
        if key is None or key in self.images:
            return False
        self.images[key] = self._render(ctx, self.geometry)
        self.prerenders += 1
        return True


class StillAhead(QObject):
    """Renders the next playback step's still part between two ticks.

    Not after the tick that enters a step (the panels follow the new step then,
    and the idle time before the next tick is short): after the one after it,
    from the event loop, so the tick that enters the next step only blits it.
    """

    def __init__(self, canvas: NetworkCanvas, cache: RasterCache) -> None:
        super().__init__(canvas)
        self._canvas = canvas
        self._cache = cache
        self._pending = False
        self._painted: tuple | None = None

    def after_paint(self) -> None:
        key = self._cache.last_key
        again = key is not None and key == self._painted
        self._painted = key
        painter = self._canvas.playback_painter
        if again and not self._pending and hasattr(painter, "upcoming"):
            self._pending = True
            QTimer.singleShot(0, self, self._render)  # dropped if the canvas goes

    def _render(self) -> None:
        self._pending = False
        canvas = self._canvas
        painter = canvas.playback_painter
        if painter is None or not canvas.playback_active:
            return
        frame = painter.upcoming()
        if frame is None:
            return
        self._cache.render_ahead(replace(context_of(canvas), frame=frame))
