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


def pt(size: float) -> float:
    """A point size at the current scale."""
    return size * _factor


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
