"""The step's caption, drawn over the canvas in large type during playback.

It belongs to the canvas (the headless renderer shows it too); it reads its text
from any playback source with ``caption()``, ``is_active()``, ``step_changed`` and
``playing_changed`` (the window's PlaybackController, or the renderer's own).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel

from nnviz.ui import theme as themes


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
        f.setPointSizeF(16)
        f.setBold(True)
        self.setFont(f)
        self.setMargin(8)
        controller.step_changed.connect(self.refresh)  # the caption is per step
        controller.playing_changed.connect(lambda _p: self.refresh())
        if theme_changed is not None:
            theme_changed.connect(self.refresh)
        canvas.viewport().installEventFilter(self)
        self.refresh()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.refresh()
        return False

    def refresh(self, *_args) -> None:
        c = self._controller
        if not c.is_active():
            self.hide()
            return
        th = themes.current()
        key = (c.caption(), th.name, self._canvas.viewport().width())
        if key == self._key and self.isVisible():
            return  # every tick emits: redo the box only when it changes
        if self._key is None or self._key[1] != th.name:
            # a style sheet is costly to apply (it restyles the label): only per theme
            bg = th.surface
            self.setStyleSheet(
                f"QLabel {{ color: {th.text.name()}; background: rgba({bg.red()}, "
                f"{bg.green()}, {bg.blue()}, 225); border: 1px solid {th.grid.name()}; "
                "border-radius: 6px; }"
            )
        self._key = key
        # the same caption must give the same box whatever came before (stepping back)
        self.setWordWrap(False)
        self.setMinimumWidth(0)
        self.setMaximumWidth(16777215)
        self.setText(c.caption())
        self.adjustSize()
        vw = self._canvas.viewport().width()
        if self.width() > vw - 20:
            self.setWordWrap(True)
            self.setFixedWidth(max(vw - 20, 100))
            self.adjustSize()
        self.move(max((vw - self.width()) // 2, 10), 8)
        self.show()
        self.raise_()
