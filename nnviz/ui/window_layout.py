"""Where the main window goes and how its panels sit, on any screen.

* **First start**: the window takes at most :data:`FIRST_FRACTION` (90 %) of the
  screen's *available* geometry (the screen minus panels and docks of the
  desktop), centred on it.
* **Later starts**: the last geometry and the docks' arrangement come back
  (QSettings keys ``window/rect``, ``window/maximized`` and ``window/state``, the
  last from ``QMainWindow.saveState``), then the window is clamped to the screen
  it lands on: a window saved on a large monitor opens whole on a small projector.
* **Without a window manager** (Xvfb, a kiosk) the frame is the window itself
  and nothing moves it: the same rules place it; after it is shown,
  :func:`keep_on_screen` checks the real frame once more (a window manager may
  add a title bar) and pulls the window back on screen.
* **Small windows** (less than :data:`COMPACT_HEIGHT` pixels high, e.g. on a
  1024×768 or 1280×800 screen) get the compact arrangement: the inspector and
  the plots share the right column as tabs (short tab names that fit), the
  chain-rule panel keeps a few lines under the canvas, the canvas keeps at least
  half of the width. Taller windows stack the inspector over the plots.
* ``--size WxH`` gives exactly that size, or refuses below :data:`MIN_SIZE` with
  one sentence (:func:`check_size`).

Everything here is geometry arithmetic over ``QRect`` plus a few QMainWindow
calls; the tests drive it with made-up screens and with real ones under Xvfb.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QScrollArea, QTabBar, QWidget

from nnviz.ui import settings

#: the smallest window whose every control is visible without scrolling the window
MIN_SIZE = QSize(900, 600)
#: a first start takes at most this share of the screen's available width and height
FIRST_FRACTION = 0.9
#: below this window height the inspector and the plots become tabs of one column
COMPACT_HEIGHT = 880
#: the right column's share of the window's width (more only where the inspector's
#: fields need it; the canvas keeps at least half)
RIGHT_SHARE = 0.34
#: saveState's version: bump it when the set or the names of the docks change, so an
#: old arrangement is not restored onto a different window
STATE_VERSION = 1
#: the size used when there is no screen at all (offscreen, no size asked)
FALLBACK_SIZE = QSize(1440, 900)

#: in the compact arrangement, tab names that fit a narrow column (the dock's full
#: title stays its tooltip and the Panels menu entry's)
SHORT_TITLES = {
    "inspectorDock": "Inspector",
    "activationPlotDock": "Activation",
    "gradientFlowDock": "Gradients",
    "linearMapDock": "Linearity",
    # the training's docks (a tab group of the right column in a small window)
    "boundaryDock": "Data",
    "lossDock": "Loss",
    "gradientEpochDock": "Per epoch",
}
PLOT_DOCKS = ("activationPlotDock", "gradientFlowDock", "linearMapDock")


# ------------------------------------------------------------------ arithmetic
def first_geometry(available: QRect, fraction: float = FIRST_FRACTION) -> QRect:
    """At most ``fraction`` of ``available`` (never below MIN_SIZE unless the screen
    itself is smaller), centred on it."""
    w = min(max(int(available.width() * fraction), MIN_SIZE.width()), available.width())
    h = min(max(int(available.height() * fraction), MIN_SIZE.height()), available.height())
    rect = QRect(0, 0, w, h)
    rect.moveCenter(available.center())
    return clamp(rect, available)


def clamp(rect: QRect, available: QRect, margins: QSize | None = None) -> QRect:
    """``rect`` shrunk to fit ``available`` (less ``margins``: the frame a window
    manager adds) and moved so that all of it is inside."""
    margins = margins or QSize(0, 0)
    w = max(1, min(rect.width(), available.width() - margins.width()))
    h = max(1, min(rect.height(), available.height() - margins.height()))
    x = min(max(rect.x(), available.left()), available.left() + available.width() - w)
    y = min(max(rect.y(), available.top()), available.top() + available.height() - h)
    return QRect(x, y, w, h)


def check_size(size: tuple[int, int]) -> str | None:
    """None if the window can be ``size`` (width, height) with every control visible;
    else the sentence that says why not."""
    w, h = size
    if w < MIN_SIZE.width() or h < MIN_SIZE.height():
        return (
            f"--size {w}x{h} is too small: nnviz needs at least "
            f"{MIN_SIZE.width()}x{MIN_SIZE.height()} to show every control"
        )
    return None


def _screen_for(rect: QRect | None):
    screen = None
    if rect is not None:
        screen = QGuiApplication.screenAt(rect.center())
    return screen or QGuiApplication.primaryScreen()


# ------------------------------------------------------------------ placing
def place(window: QMainWindow, size: tuple[int, int] | None = None, remember: bool = True) -> None:
    """Give ``window`` its start geometry (call before ``show``).

    ``size``: exactly that size (``--size``), centred on the screen. Otherwise the
    saved geometry clamped to its screen, or the first-start geometry. With
    ``remember`` the geometry and the docks are saved when the window closes and the
    saved dock arrangement is restored once the panels exist.
    """
    window.setProperty("nnvizRemember", bool(remember))
    if size is not None:
        screen = _screen_for(None)
        rect = QRect(0, 0, *size)
        if screen is not None:
            rect.moveCenter(screen.availableGeometry().center())
            top_left = screen.availableGeometry().topLeft()
            rect.moveTo(max(rect.x(), top_left.x()), max(rect.y(), top_left.y()))
        window.setGeometry(rect)
        window.setProperty("nnvizFixedSize", True)
        return
    saved = _saved_rect() if remember else None
    screen = _screen_for(saved)
    if screen is None:
        window.resize(FALLBACK_SIZE)
        return
    available = screen.availableGeometry()
    if saved is not None:
        window.setGeometry(clamp(saved, available))
        if settings.get("window/maximized") in (True, "true"):
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    else:
        window.setGeometry(first_geometry(available))


def _saved_rect() -> QRect | None:
    rect = settings.get("window/rect")
    if isinstance(rect, QRect) and rect.width() > 0 and rect.height() > 0:
        return rect
    return None


def keep_on_screen(window: QMainWindow) -> None:
    """Once shown: if the frame (title bar included) leaves the screen's available
    area, move and shrink the window so that all of it is inside."""
    if window.isMaximized() or window.isFullScreen() or window.property("nnvizFixedSize"):
        return
    screen = window.screen() or _screen_for(window.frameGeometry())
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    geo = window.geometry()
    margins = QSize(frame.width() - geo.width(), frame.height() - geo.height())
    target = clamp(frame, available)
    if target == frame:
        return
    inner = QRect(
        target.x() + (geo.x() - frame.x()),
        target.y() + (geo.y() - frame.y()),
        target.width() - margins.width(),
        target.height() - margins.height(),
    )
    window.setGeometry(inner)


def save(window: QMainWindow) -> None:
    """Remember the geometry and the docks (when the window was placed with ``remember``)."""
    if not window.property("nnvizRemember"):
        return
    # the normal geometry (of a maximized window: the one it comes back to), explicit
    # rather than saveGeometry's blob, so that it is clamped here to today's screen
    settings.put("window/rect", QRect(window.normalGeometry()))
    settings.put("window/maximized", bool(window.isMaximized()))
    settings.put("window/state", window.saveState(STATE_VERSION))


def restore_docks(window: QMainWindow) -> bool:
    """The saved dock arrangement, if there is one for these docks; True if restored."""
    if not window.property("nnvizRemember"):
        return False
    saved = settings.get("window/state")
    if not isinstance(saved, (QByteArray, bytes)) or not len(saved):
        return False
    return bool(window.restoreState(QByteArray(saved), STATE_VERSION))


# ------------------------------------------------------------------ arranging
def right_width_for(window: QMainWindow) -> int:
    """The right column's first width in ``window``: :func:`right_column_width`, but
    never narrower than the inspector's fields (else it scrolls sideways) as long as
    the canvas keeps half of the window."""
    width = right_column_width(window.width())
    inspector = window.findChild(QDockWidget, "inspectorDock")
    if inspector is not None:
        area = inspector.widget()
        content = area.widget() if isinstance(area, QScrollArea) else area
        if content is not None:
            need = content.minimumSizeHint().width() + 8
            width = max(width, min(need, window.width() // 2 - 8))
    return width


def right_column_width(window_width: int) -> int:
    """The right column's first width: a third of the window, 300 to 480 px (the
    canvas keeps the rest, at least half)."""
    return max(300, min(480, int(window_width * RIGHT_SHARE)))


def is_compact(window: QMainWindow) -> bool:
    return window.height() < COMPACT_HEIGHT


def arrange(window: QMainWindow) -> None:
    """Lay the docks out for the window's size (compact or stacked); call once the
    panels exist. A saved arrangement wins over this."""
    size = window.size()  # moving docks about may grow the window on the way: keep it
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    inspector = docks.get("inspectorDock")
    plots = [docks[n] for n in PLOT_DOCKS if n in docks]
    right_width = right_width_for(window)
    if inspector is not None and plots and is_compact(window):
        # into the plots' own tab group (already tabbed by the plots feature): moving
        # docks into a new group instead leaves Qt's old tab bars painted over the panels
        for dock in plots[1:]:
            if dock not in window.tabifiedDockWidgets(plots[0]):
                window.tabifyDockWidget(plots[0], dock)  # (the plots feature did it)
        window.tabifyDockWidget(plots[0], inspector)
        inspector.raise_()
        window.resizeDocks([inspector], [right_width], Qt.Orientation.Horizontal)
        window.setProperty("nnvizCompact", True)
    elif inspector is not None:
        window.resizeDocks([inspector], [right_width], Qt.Orientation.Horizontal)
        if plots:
            column = window.height() - 160
            top = _natural_height(inspector)
            window.resizeDocks(
                [inspector, plots[0]], [top, max(column - top, 300)], Qt.Orientation.Vertical
            )
        window.setProperty("nnvizCompact", False)
    settle(window, size)
    fit_tab_titles(window)
    chain = docks.get("chainRuleDock")
    if chain is not None and chain.isVisible() and is_compact(window):
        height = max(160, min(240, int(window.height() * 0.3)))
        window.resizeDocks([chain], [height], Qt.Orientation.Vertical)
    training = getattr(window, "training", None)
    if training is not None and hasattr(training, "arrange"):
        training.arrange()  # the training's docks, when they show (nnviz.ui.training)


def settle(window: QMainWindow, size: QSize) -> None:
    """Keep ``window`` at ``size`` after its docks moved: Qt grows a window to the
    minimum of every arrangement it passes through, and only lowers its minimum
    once the layout is activated again."""
    layout = window.layout()
    layout.invalidate()
    layout.activate()  # the window's minimum size follows the new arrangement now
    if not (window.isMaximized() or window.isFullScreen()):
        window.resize(size)


def fit_tab_titles(window: QMainWindow) -> None:
    """The docks that live as tabs (the plots; the inspector too in a compact window)
    are named by their short names, which fit a narrow column side by side; the full
    name stays in the dock's tooltip and in View ▸ Panels. The docks' tab bars never
    elide a name. (By name, not by asking Qt which docks are tabbed: for docks added
    to a window already shown Qt answers only once they have been laid out.)"""
    for dock in window.findChildren(QDockWidget):
        full = dock.property("nnvizFullTitle") or dock.windowTitle()
        dock.setProperty("nnvizFullTitle", full)
        title = SHORT_TITLES.get(dock.objectName(), full)
        if dock.windowTitle() != title:
            dock.setWindowTitle(title)
        dock.toggleViewAction().setText(full)
        if not dock.toolTip():
            dock.setToolTip(full)
    for bar in window.findChildren(QTabBar):
        if bar.parent() is window:  # the docks' tab bars
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setExpanding(False)


def _natural_height(dock: QDockWidget) -> int:
    """The height the dock's content wants (through its scroll area), plus its title."""
    w = dock.widget()
    if isinstance(w, QScrollArea) and w.widget() is not None:
        w = w.widget()
    hint = w.sizeHint().height() if w is not None else 200
    return hint + 30


def start(window: QMainWindow, size: tuple[int, int] | None = None, remember: bool = True) -> None:
    """Everything the app does for a window it opens: place it, arrange the docks once
    the panels exist (or restore the saved arrangement), keep it on screen once shown."""
    place(window, size, remember)

    def panels_ready() -> None:
        size = window.size()
        if restore_docks(window):
            settle(window, size)
            fit_tab_titles(window)
            training = getattr(window, "training", None)
            if training is not None and hasattr(training, "fit_controls"):
                training.fit_controls()  # the run controls' place follows the size
        else:
            arrange(window)
        keep_on_screen(window)

    if getattr(window, "features", None):
        panels_ready()
    else:
        window.panels_built.connect(panels_ready)
    QTimer.singleShot(0, window, lambda: keep_on_screen(window))


# ------------------------------------------------------------------ checking
#: the controls that must be whole and visible in every window (by objectName)
CONTROLS = (
    "mainToolbar",
    "playbackBar",
    "toStartButton",
    "stepBackButton",
    "playButton",
    "stepForwardButton",
    "toEndButton",
    "stepSlider",
    "stepLabel",
    "speedCombo",
    "granularityCombo",
    "applyUpdateButton",
    "statusMessage",
)


def layout_problems(window: QMainWindow) -> list[str]:
    """What is not right with ``window``'s layout, one sentence each (empty: all is
    well): a control outside the window or cut by its parent, a clipped tab name or
    playback caption, a scrolling inspector, a canvas narrower than half the window.
    The tests (offscreen and on real X screens) assert that this is empty."""
    problems: list[str] = []
    canvas = getattr(window, "canvas", None)
    if canvas is not None and canvas.width() < window.width() / 2:
        problems.append(f"the canvas is {canvas.width()} px of a {window.width()} px window")
    for name in CONTROLS:
        widget = window.findChild(QWidget, name)
        if widget is None:
            problems.append(f"{name} is missing")
            continue
        if not widget.isVisible():
            problems.append(f"{name} is hidden")
            continue
        cut = _cut(window, widget)
        if cut:
            problems.append(cut)
    label = window.findChild(QLabel, "stepLabel")
    if label is not None and label.isVisible():
        room = label.contentsRect()
        if label.wordWrap():
            flags = int(Qt.TextFlag.TextWordWrap)
            need = label.fontMetrics().boundingRect(room, flags, label.text())
            if need.height() > room.height() or need.width() > room.width():
                problems.append(
                    f"the playback caption is cut ({room.width()}×{room.height()} px "
                    f"for {need.width()}×{need.height()})"
                )
        else:
            need = label.fontMetrics().horizontalAdvance(label.text())
            if room.width() < need:
                problems.append(f"the playback caption is cut ({room.width()} of {need} px)")
    for dock in window.findChildren(QDockWidget):
        if not dock.isVisible() or dock.visibleRegion().isEmpty():
            continue  # closed, or a tab behind another
        cut = _cut(window, dock)
        if cut:
            problems.append(cut)
        area = dock.widget()
        if dock.objectName() == "inspectorDock" and isinstance(area, QScrollArea):
            # (a small window showing training shares the column between the inspector
            # and the plots: there the inspector may scroll up and down)
            shared = bool(window.property("nnvizTrainingColumn"))
            if area.verticalScrollBar().maximum() > 0 and not shared:
                problems.append("the inspector scrolls: it is shorter than its fields")
            if area.horizontalScrollBar().maximum() > 0:
                problems.append("the inspector scrolls sideways")
    for bar in window.findChildren(QTabBar):
        if bar.parent() is not window or not bar.isVisible():
            continue
        fm = bar.fontMetrics()
        for i in range(bar.count()):
            text = bar.tabText(i)
            rect = bar.tabRect(i)
            if not bar.rect().contains(rect) or rect.width() < fm.horizontalAdvance(text):
                problems.append(f"the tab {text!r} is cut")
    return problems


def _cut(window: QWidget, widget: QWidget) -> str | None:
    """A sentence if ``widget`` is not wholly inside each of its parents up to ``window``."""
    child = widget
    parent = widget.parentWidget()
    while child is not window and parent is not None:
        inner = QRect(child.mapTo(parent, QPoint(0, 0)), child.size())
        if not parent.rect().contains(inner):
            return (
                f"{widget.objectName() or type(widget).__name__} is cut by "
                f"{parent.objectName() or type(parent).__name__} ({inner} in {parent.rect()})"
            )
        child, parent = parent, parent.parentWidget()
    return None
