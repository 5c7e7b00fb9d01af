"""The step's caption, drawn over the canvas in large type during playback.

It belongs to the canvas (the headless renderer shows it too); it reads its text
from any playback source with ``caption()``, ``is_active()``, ``step_changed`` and
``playing_changed`` (the window's PlaybackController, or the renderer's own).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel

from nnviz.ui import textscale
from nnviz.ui import theme as themes

#: the caption's size (points, at 100 %) and the smallest it shrinks to for a long one
CAPTION_PT = 16.0
MIN_CAPTION_PT = 11.0


class CaptionOverlay(QLabel):
    """The step's caption in large type at the top of the canvas (for the back row)."""

    def __init__(self, canvas, controller, theme_changed=None) -> None:
        super().__init__(canvas.viewport())
        self.setObjectName("playbackCaption")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self._canvas = canvas
        self._controller = controller
        self._key: tuple | None = None
        f = self.font()
        f.setPointSizeF(CAPTION_PT)
        f.setBold(True)
        self.setFont(f)
        self.setMargin(8)
        canvas.caption_overlay = self
        #: the hidden-labels count the caption says
        self.shown_hidden = 0
        #: the note did not fit in the caption's box: the canvas writes it in its corner
        self.note_in_corner = False
        #: a widget that already shows the caption (the playback bar): while it is
        #: visible the card is not drawn and keeps no band (the canvas has the room)
        self.shown_elsewhere = None
        controller.step_changed.connect(self.refresh)  # the caption is per step
        controller.playing_changed.connect(lambda _p: self.refresh())
        if theme_changed is not None:
            theme_changed.connect(self.refresh)
        canvas.viewport().installEventFilter(self)
        self.refresh()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self.refresh()
        return False

    def set_shown_elsewhere(self, widget) -> None:
        """Draw no card while ``widget`` (showing the same caption) is visible; None:
        the card again. (A lesson at a laptop's size: the playback bar says it.)"""
        old = self.shown_elsewhere
        if old is widget:
            return
        if old is not None:
            old.removeEventFilter(self)
        self.shown_elsewhere = widget
        if widget is not None:
            widget.installEventFilter(self)  # shown / hidden (presenter mode): follow it
        self._key = None
        self.refresh()

    def said_elsewhere(self) -> bool:
        w = self.shown_elsewhere
        try:
            return w is not None and w.isVisible()
        except RuntimeError:  # (deleted with its window)
            return False

    def _drop_band(self) -> None:
        if getattr(self._canvas, "caption_band", 0):
            self._canvas.caption_band = 0
            if getattr(self._canvas, "_fitted", False):
                self._canvas.fit()

    def note(self) -> str:
        """The canvas's "N labels hidden: zoom in", said in the caption line."""
        canvas = self._canvas
        n = getattr(canvas, "hidden_labels", 0)
        pp = getattr(canvas, "playback_painter", None)
        if getattr(canvas, "playback_active", False) and hasattr(pp, "placement"):
            # the step's own count, now (the placement is cached per step and zoom, and
            # does not depend on this caption: the canvas keeps its band free)
            scene = pp.scene(canvas)
            if scene is not None:
                n = pp.placement(canvas, scene).hidden
        self.shown_hidden = n
        return f"{n} label{'s' if n > 1 else ''} hidden: zoom in" if n else ""

    def refresh(self, *_args) -> None:
        c = self._controller
        if not c.is_active():
            self.hide()
            return
        if self.said_elsewhere():
            self.hide()
            self._key = None
            self.note_in_corner = True  # the canvas writes "N labels hidden" itself
            self._drop_band()
            return
        th = themes.current()
        note = self.note()
        vw = self._canvas.viewport().width()
        key = (
            c.caption(),
            note,
            th.name,
            vw,
            self._canvas.viewport().height(),
            textscale.factor(),
            textscale.min_px(),
        )
        if key == self._key and self.isVisible():
            return  # every tick emits: redo the box only when it changes
        if self._key is None or self._key[2] != th.name:
            # a style sheet is costly to apply (it restyles the label): only per theme
            bg = th.surface
            self.setStyleSheet(
                f"QLabel {{ color: {th.text.name()}; background: rgba({bg.red()}, "
                f"{bg.green()}, {bg.blue()}, 225); border: 1px solid {th.grid.name()}; "
                "border-radius: 6px; }"
            )
        self._key = key
        caption = c.caption()
        self.setTextFormat(Qt.TextFormat.PlainText)
        # at most two lines: a longer caption takes a smaller font (never under the
        # canvas's minimum); it grows with the text scale, but a line never takes more
        # than a twelfth of the canvas's height (at 300 % on a 1024x768 screen it
        # covered the network)
        vh = self._canvas.viewport().height()
        floor = textscale.min_px() * 72.0 / textscale.DPI  # presenter mode: never under
        base = min(textscale.pt(CAPTION_PT, screen=True), vh / 12 * 72.0 / textscale.DPI)
        base = max(base, floor)
        lowest = min(max(MIN_CAPTION_PT, floor), base)
        size = base
        while True:
            f = self.font()
            f.setPointSizeF(size)
            self.setFont(f)
            self._lay_out(caption, vw)
            two_lines = 2 * QFontMetrics(f).lineSpacing() + 2 * self.margin() + 6
            if self.height() <= two_lines or size <= lowest:
                break
            size = max(size - 1.0, lowest)
        # the band the canvas keeps free: two lines of the full-size caption, or what
        # this step's caption takes (a narrow canvas); it depends on the step alone
        f = self.font()
        f.setPointSizeF(base)
        band = int(2 * QFontMetrics(f).lineSpacing() + 2 * self.margin() + 12)
        band = max(band, 8 + self.height() + 4)
        if band != getattr(self._canvas, "caption_band", 0):
            self._canvas.caption_band = band
            if getattr(self._canvas, "_fitted", False):
                self._canvas.fit()
            note = self.note()  # at the new zoom
        # the hidden-labels note on the caption's line when it fits in the caption's box;
        # else the canvas writes it in its corner
        self.note_in_corner = False
        if note:
            height = self.height()
            muted = th.muted.name()
            self.setTextFormat(Qt.TextFormat.RichText)
            self._lay_out(
                f"{html.escape(caption)} <span style='color:{muted}; font-weight:normal'>"
                f"· {html.escape(note)}</span>",
                vw,
            )
            if self.height() > height:
                self.setTextFormat(Qt.TextFormat.PlainText)
                self._lay_out(caption, vw)
                self.note_in_corner = True
        self.move(max((vw - self.width()) // 2, 10), 8)
        self.show()
        self.raise_()

    def _lay_out(self, text: str, vw: int) -> None:
        # the same caption must give the same box whatever came before (stepping back)
        self.setWordWrap(False)
        self.setMinimumSize(0, 0)
        self.setMaximumSize(16777215, 16777215)
        self.setText(text)
        self.adjustSize()
        if self.width() > vw - 20:
            self.setWordWrap(True)
            self.setFixedWidth(max(vw - 20, 100))
            self.adjustSize()
            # adjustSize of a wrapped label may keep a stale height: ask for it
            self.setFixedHeight(self.heightForWidth(self.width()))
