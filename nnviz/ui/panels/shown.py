"""Panels that wait while hidden: a tab behind another redraws when it comes to the front.

Qt only (no pyqtgraph), so any panel can use it without importing the plotting
library. :mod:`nnviz.ui.panels.plot_style` re-exports these names.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QWidget


def hidden_in_shown_window(widget: QWidget) -> bool:
    """True when ``widget`` sits unseen in a window that is shown (a dock tab behind another).

    Such a panel need not redraw on every edit: it marks itself stale and redraws
    when it is shown (see :func:`follow_dock`). A panel without a shown window
    (built offscreen, read back by a test or an export) redraws at once, so its
    items always hold current data. (A tab behind another may stay "visible" to
    Qt, moved out of sight: what counts is that no part of it can be seen.)
    """
    window = widget.window()
    return window is not widget and window.isVisible() and widget.visibleRegion().isEmpty()


def follow_dock(widget: QWidget, on_shown) -> None:
    """Call ``on_shown()`` whenever the dock holding ``widget`` comes into view (its tab chosen).

    Safe to call repeatedly: it connects once, to the nearest QDockWidget above.
    """
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    if parent is None or getattr(widget, "_followed_dock", None) is parent:
        return
    widget._followed_dock = parent
    parent.visibilityChanged.connect(lambda visible: visible and on_shown())


class RefreshWhenShown:
    """Mixin for a panel that may sit in a dock tab behind another one.

    Hidden there, its ``refresh`` only notes that it is stale (an edit costs it
    nothing); it redraws when its tab comes to the front or it is shown. The panel's
    ``refresh(force=False)`` starts with ``if self._skip_while_hidden(force): return``.
    Put it first among the bases, before the Qt widget class.
    """

    _stale = False  # an edit came while the panel was hidden in its window

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        follow_dock(self, self._on_dock_shown)
        if self._stale:
            self.refresh()

    def _on_dock_shown(self) -> None:
        """The dock's tab came to the front: catch up on the edits made meanwhile."""
        if self._stale:
            self.refresh(force=True)

    def _skip_while_hidden(self, force: bool) -> bool:
        if not force and hidden_in_shown_window(self):
            self._stale = True
            return True
        self._stale = False
        return False
