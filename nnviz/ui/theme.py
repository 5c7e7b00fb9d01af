"""Colours and fonts shared by every view, for a light and a dark theme.

Sign colours are Paul Tol's colour-blind-safe "vibrant" pair: blue for
positive, orange for negative values. Gradients use a distinct family
(magenta for positive, teal for negative) so that a value can never be
mistaken for a gradient on a projector.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette


@dataclass(frozen=True)
class Theme:
    name: str
    background: QColor
    surface: QColor  # neuron fill
    text: QColor
    muted: QColor  # secondary text, dimmed parts
    grid: QColor
    positive: QColor  # value > 0
    negative: QColor  # value < 0
    grad_positive: QColor
    grad_negative: QColor
    selection: QColor
    curve_f: QColor  # activation f(z)
    curve_df: QColor  # derivative f'(z)
    saturated: QColor  # shading of saturated regions
    dark: bool

    def sign_color(self, v: float) -> QColor:
        return self.positive if v >= 0 else self.negative

    def grad_color(self, v: float) -> QColor:
        """Magenta for a positive gradient, teal for a negative one, and the muted grey
        for an exact zero (no gradient flows: neither direction)."""
        if v > 0:
            return self.grad_positive
        if v < 0:
            return self.grad_negative
        return self.muted


LIGHT = Theme(
    "light",
    background=QColor("#fbfbfa"),
    surface=QColor("#ffffff"),
    text=QColor("#1b1b1b"),
    muted=QColor("#8a8a8a"),
    grid=QColor("#e4e4e4"),
    positive=QColor("#0077bb"),
    negative=QColor("#ee7733"),
    grad_positive=QColor("#cc3377"),
    grad_negative=QColor("#009988"),
    selection=QColor("#222222"),
    curve_f=QColor("#0077bb"),
    curve_df=QColor("#cc3377"),
    saturated=QColor(238, 119, 51, 40),
    dark=False,
)

DARK = Theme(
    "dark",
    background=QColor("#1e1f22"),
    surface=QColor("#2b2d31"),
    text=QColor("#f0f0f0"),
    muted=QColor("#8c8f96"),
    grid=QColor("#3a3c42"),
    positive=QColor("#33bbee"),
    negative=QColor("#ee7733"),
    grad_positive=QColor("#ee3377"),
    grad_negative=QColor("#33ccbb"),
    selection=QColor("#ffffff"),
    curve_f=QColor("#33bbee"),
    curve_df=QColor("#ee3377"),
    # a light veil: the light theme's orange tint turned into a heavy brown block
    saturated=QColor(255, 255, 255, 20),
    dark=True,
)


#: presenter mode's option for projectors in bright rooms: black on white, the sign
#: and gradient hues darkened for contrast (field, colour)
HIGH_CONTRAST = replace(
    LIGHT,
    name="contrast",
    saturated=QColor(204, 68, 0, 60),
    **{
        field: QColor(color)
        for field, color in (
            ("background", "#ffffff"),
            ("surface", "#ffffff"),
            ("text", "#000000"),
            ("muted", "#303030"),
            ("grid", "#000000"),
            ("positive", "#0044aa"),
            ("negative", "#cc4400"),
            ("grad_positive", "#aa0066"),
            ("grad_negative", "#006655"),
            ("selection", "#000000"),
            ("curve_f", "#0044aa"),
            ("curve_df", "#aa0066"),
        )
    },
)


class ThemeState(QObject):
    """The app's theme as an object: which :class:`Theme` is in use, and a signal when
    that changes (``changed(Theme)``, past tense, emitted only on a real change).

    The module-level :func:`current` / :func:`set_current` are thin wrappers over
    the one instance, :func:`state`, so code that reads ``themes.current()`` keeps
    working; a view that must redraw on a theme change connects to
    ``themes.state().changed``.
    """

    changed = Signal(object)

    def __init__(self, theme: Theme = LIGHT) -> None:
        super().__init__()
        self._theme = theme

    @property
    def theme(self) -> Theme:
        return self._theme

    def set(self, theme: Theme) -> None:
        if theme is self._theme:
            return
        self._theme = theme
        self.changed.emit(theme)


_state: ThemeState | None = None


def state() -> ThemeState:
    """The app's one :class:`ThemeState` (made on first use)."""
    global _state
    if _state is None:
        _state = ThemeState(LIGHT)
    return _state


def system_prefers_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None and scheme() == Qt.ColorScheme.Dark:
        return True
    if scheme is not None and scheme() == Qt.ColorScheme.Light:
        return False
    # the palette the system gave, not the dark one this app may have put in its place
    # (else Dark, then System, stayed dark)
    palette = _original_palette if _original_palette is not None else app.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def resolve(choice: str) -> Theme:
    """'light', 'dark' or 'system' → the Theme to use."""
    if choice == "dark":
        return DARK
    if choice == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def current() -> Theme:
    """The theme in use (a thin wrapper over :func:`state`)."""
    return state().theme


def set_current(theme: Theme) -> None:
    """Use ``theme`` from now on; ``state().changed`` tells whoever listens."""
    state().set(theme)


_original_palette: QPalette | None = None


def apply_to_app(theme: Theme) -> None:
    """Give the widgets (menus, docks, fields) the theme's light or dark palette."""
    global _original_palette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    if _original_palette is None:
        _original_palette = QPalette(app.palette())
    if not theme.dark:
        app.setPalette(_original_palette)
        return
    pal = QPalette()
    R = QPalette.ColorRole
    pal.setColor(R.Window, QColor("#2b2d31"))
    pal.setColor(R.WindowText, theme.text)
    pal.setColor(R.Base, QColor("#1e1f22"))
    pal.setColor(R.AlternateBase, QColor("#313338"))
    pal.setColor(R.ToolTipBase, QColor("#313338"))
    pal.setColor(R.ToolTipText, theme.text)
    pal.setColor(R.Text, theme.text)
    pal.setColor(R.Button, QColor("#313338"))
    pal.setColor(R.ButtonText, theme.text)
    pal.setColor(R.BrightText, QColor("#ff6666"))
    pal.setColor(R.Highlight, theme.positive)
    pal.setColor(R.HighlightedText, QColor("#000000"))
    pal.setColor(R.PlaceholderText, theme.muted)
    for role in (R.WindowText, R.Text, R.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, theme.muted)
    app.setPalette(pal)
