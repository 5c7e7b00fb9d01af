"""The headless renderer: a canvas for a project at a playback position, with no window.

Used by ``nnviz export`` (GIF, PNG, SVG) and by File ▸ Export… (which passes the
window's own document and view). It builds only what the picture needs: a
:class:`~nnviz.ui.canvas.view.NetworkCanvas` of the requested size (never shown
on a screen), a timeline of the network's steps, the playback painter and the
step caption. Rasters come from ``QWidget.grab`` (the canvas's caches do their
work); SVG comes from painting the canvas into a ``QSvgGenerator`` inside
:meth:`NetworkCanvas.vector_output`, where every raster cache steps aside, so
edges are paths (one per colour bucket), neurons circles and labels ``<text>``.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from nnviz.core.timeline import Timeline, build_plan
from nnviz.ui import theme as themes
from nnviz.ui.canvas.animation import PlaybackPainter
from nnviz.ui.canvas.view import NetworkCanvas


class _Playback(QObject):
    """What the step caption reads: the caption text, whether playback shows, and the
    signals it follows (a stand-in for the window's playback controller)."""

    frame_changed = Signal(object)
    step_changed = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, renderer: HeadlessRenderer) -> None:
        super().__init__()
        self._r = renderer
        self.document = renderer.document

    def is_active(self) -> bool:
        return self._r.active

    def caption(self) -> str:
        t = self._r.timeline
        return f"Step {t.position.step} / {t.last}: {t.current().caption}"


class HeadlessRenderer:
    """Draws ``document``'s network at a playback step, at ``size``, with no main window.

    ``document`` is a :class:`~nnviz.ui.document.Document` (the renderer only reads
    it). ``view`` (a canvas) copies that canvas's zoom and centre instead of
    fitting the network: File ▸ Export… exports the current view.
    """

    def __init__(
        self,
        document,
        size: tuple[int, int],
        theme: str | None = None,
        granularity: str = "layer",
        view: NetworkCanvas | None = None,
    ) -> None:
        if theme is not None:
            themes.set_current(themes.resolve(theme))
        self.document = document
        self.size = size
        self.timeline = Timeline(build_plan(document.network, granularity))
        self.frame = self.timeline.frame()
        self.active = False
        self.canvas = NetworkCanvas(document)
        self.canvas.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.canvas.setFrameShape(NetworkCanvas.Shape.NoFrame)
        self.canvas.setMinimumSize(1, 1)
        self.canvas.resize(*size)
        self.painter = PlaybackPainter(lambda: self.frame)
        self.canvas.playback_painter = self.painter
        self.canvas.show()
        QCoreApplication.processEvents()
        self.canvas.resize(*size)
        self._playback = _Playback(self)
        from nnviz.ui.canvas.caption import CaptionOverlay

        self.caption = CaptionOverlay(self.canvas, self._playback)
        if view is not None:
            self.canvas.show_view_of(view)
        else:
            self.canvas.fit()

    @property
    def plan(self):
        return self.timeline.plan

    def seek(self, step: int, fraction: float = 1.0, hold: bool = False) -> None:
        """Show ``step`` at ``fraction`` (step 0 is the editing view unless ``hold``)."""
        self.timeline.seek(step, fraction)
        self.frame = self.timeline.frame()
        self.active = hold or self.timeline.position.step > 0
        self.canvas.set_playback_active(self.active)
        self.canvas.overlay.update()
        self._playback.step_changed.emit(self.timeline.position.step)
        self._playback.frame_changed.emit(self.frame)

    # ------------------------------------------------------------ output
    def image(self) -> QImage:
        """The canvas as a raster image of exactly ``size`` pixels."""
        QCoreApplication.processEvents()
        image = self.canvas.grab().toImage()
        w, h = self.size
        if image.size() != QSize(w, h):
            image = image.scaled(
                w,
                h,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        return image

    def save_png(self, path: str | Path) -> None:
        if not self.image().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def save_svg(self, path: str | Path, title: str = "nnviz network") -> None:
        """The canvas as a vector SVG: paths, circles and ``<text>``, no ``<image>``."""
        from PySide6.QtSvg import QSvgGenerator

        w, h = self.size
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRect(0, 0, w, h))
        gen.setResolution(96)  # as the screen: fonts measure as on the canvas
        gen.setTitle(title)
        gen.setDescription("Drawn by nnviz")
        QCoreApplication.processEvents()
        with self.canvas.vector_output():
            p = QPainter()
            if not p.begin(gen):
                raise OSError(f"could not write {path}")
            try:
                p.setRenderHints(
                    QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                )
                # the widget's render (not the view's): the caption child is drawn too
                QWidget.render(self.canvas, p, QPoint(0, 0))
            finally:
                p.end()
        svg = Path(path)
        if not svg.exists():
            raise OSError(f"could not write {path}")
        # Qt writes the size in millimetres; browsers and Inkscape want the pixels asked for
        text = svg.read_text(encoding="utf-8")
        head, sep, rest = text.partition("<svg")
        tag, close, body = rest.partition(">")
        tag = re.sub(r'\bwidth="[^"]*"', f'width="{w}"', tag, count=1)
        tag = re.sub(r'\bheight="[^"]*"', f'height="{h}"', tag, count=1)
        svg.write_text(head + sep + tag + close + body, encoding="utf-8")

    def close(self) -> None:
        self.caption.deleteLater()
        self.canvas.close()
        self.canvas.deleteLater()
