"""The global text scale (View ▸ Zoom Text, 100–300 %): one factor every text follows.

Widgets follow it through the application font; painted text (the canvas's
labels) multiplies its point sizes by :func:`factor` where it builds a font.
The factor is remembered in the settings (``text_scale``). Presenter mode sets
its own factor for as long as it is on.
"""

from __future__ import annotations

MIN, MAX, STEP = 1.0, 3.0, 0.25
_factor = 1.0
_base_pt: float | None = None


def factor() -> float:
    return _factor


#: presenter mode: painted text is never smaller than this many pixels on screen
_min_px = 0.0
_zoom_source = None
#: the logical dots per inch text is drawn at (Qt's default on X11 and offscreen)
DPI = 96.0


def set_min_px(px: float, zoom_source=None) -> None:
    """Painted canvas text at least ``px`` pixels high (0: no floor); ``zoom_source()``
    gives the canvas's zoom (scene units to pixels), which the floor divides out."""
    global _min_px, _zoom_source
    _min_px = max(0.0, float(px))
    _zoom_source = zoom_source if _min_px else None


def min_px() -> float:
    return _min_px


def floor_pt() -> float:
    """The smallest point size (in scene units) that still reads as :func:`min_px` pixels."""
    if not _min_px:
        return 0.0
    zoom = 1.0
    if _zoom_source is not None:
        try:
            zoom = max(float(_zoom_source()), 1e-3)
        except RuntimeError:  # the canvas is gone
            zoom = 1.0
    return _min_px * 72.0 / DPI / zoom


def pt(size: float, screen: bool = False) -> float:
    """A point size at the current scale, never below the presenter's floor: in scene
    units (divided by the zoom), or with ``screen`` for text drawn at a fixed screen size."""
    floor = _min_px * 72.0 / DPI if screen else floor_pt()
    return max(size * _factor, floor)


def clamp(f: float) -> float:
    return min(max(float(f), MIN), MAX)


def set_factor(f: float, app=None) -> float:
    """Use ``f`` (clamped to 1.0–3.0): the application font grows with it."""
    global _factor, _base_pt
    _factor = clamp(f)
    if app is None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
    if app is not None:
        font = app.font()
        if _base_pt is None:
            _base_pt = font.pointSizeF() if font.pointSizeF() > 0 else 9.0
        font.setPointSizeF(_base_pt * _factor)
        app.setFont(font)
    return _factor
