"""Presenter mode (F5, View ▸ Presenter Mode, ``--presenter``; Esc leaves).

For a lecture on a projector: the window goes full screen; the canvas stays
large with the lesson text (or, without a lesson, the chain-rule panel) beside
it; the editing panels, toolbars, menu and status bar are hidden; every text is
drawn at the presenter text scale (100–300 %, default 150 %, so that nothing is
below 18 px at 1024×768); an optional high-contrast theme; PageDown / PageUp
(what a clicker sends) walk the lesson wherever the focus is — on a step with a
question the first PageDown shows its answer and plays on to the reveal, the
next one goes on; and a red
"laser pointer" ring follows the neuron or edge under the mouse.

Also here: the global text scale (View ▸ Zoom Text: Ctrl+Shift+Plus / Minus,
Ctrl+Shift+0), the base presenter mode builds on (:mod:`nnviz.ui.textscale`).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar, QWidget

from nnviz.ui import settings, textscale
from nnviz.ui import theme as themes
from nnviz.ui.lessons.panel import page_keys

#: the presenter's text scale unless the user chose another (remembered)
DEFAULT_PRESENTER_SCALE = 1.5
#: presenter mode: no text smaller than this on screen (readable from the back of a room)
MIN_TEXT_PX = 18.0
#: the share of the width the lesson's text takes beside the canvas
LESSON_SHARE = 0.36
#: the share of the height a panel a lesson step asks for takes, under the canvas
STEP_PANEL_SHARE = 0.34
#: narrower than this side by side, a step's panels are tabs under the canvas (the
#: clicker's PageDown brings each to the front in turn)
MIN_STEP_PANEL_WIDTH = 520
#: the chain-rule panel's own point size is multiplied by the scale too
CHAIN_RULE_PT = 15.0

#: the high-contrast theme (black on white, strong colours), for bright rooms
HIGH_CONTRAST = themes.HIGH_CONTRAST

LASER = QColor(230, 20, 20)


class LaserPointer(QWidget):
    """A red ring around the neuron or edge under the mouse, and a red dot at the mouse.

    A transparent child of the canvas's viewport: it never takes a click.
    """

    def __init__(self, canvas) -> None:
        super().__init__(canvas.viewport())
        self.setObjectName("laserPointer")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.canvas = canvas
        self.pos_: QPointF | None = None
        self.target = None  # the Selection under the mouse
        canvas.viewport().installEventFilter(self)
        self.hide()

    def set_enabled(self, on: bool) -> None:
        self.setVisible(on)
        if on:
            self.setGeometry(self.canvas.viewport().rect())
            self.raise_()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        t = event.type()
        if t == QEvent.Type.Resize:
            self.setGeometry(self.canvas.viewport().rect())
        elif t == QEvent.Type.MouseMove and self.isVisible():
            self.point_at(event.position())
        elif t == QEvent.Type.Leave:
            self.pos_, self.target = None, None
            self.update()
        return False

    def point_at(self, pos: QPointF) -> None:
        """Point at ``pos`` (viewport pixels): the element there is ringed."""
        self.pos_ = QPointF(pos)
        self.target = self.canvas.item_at(self.pos_)
        self.update()

    def target_rect(self) -> QRect | None:
        """Where the ring is drawn (viewport pixels), or None."""
        sel = self.target
        if sel is None:
            return None
        c = self.canvas
        zoom = c.transform().m11()
        if sel.kind == "neuron":
            center = c.view_pos_of(sel)
            r = max(c.layout.radius[sel.layer] * zoom, 8.0) + 10
        else:
            center = c.view_pos_of(sel)
            r = 22.0
        return QRect(round(center.x() - r), round(center.y() - r), round(2 * r), round(2 * r))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.pos_ is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = self.target_rect()
        if rect is not None:
            glow = QColor(LASER)
            glow.setAlpha(70)
            p.setPen(QPen(glow, 14))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(rect)
            p.setPen(QPen(LASER, 4))
            p.drawEllipse(rect)
        halo = QColor(LASER)  # see-through: the number under the mouse stays readable
        halo.setAlpha(60)
        dot = QColor(LASER)
        dot.setAlpha(170)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(halo)
        p.drawEllipse(self.pos_, 12, 12)
        p.setBrush(dot)
        p.drawEllipse(self.pos_, 4, 4)
        p.end()


class _ClickerKeys(QObject):
    """In presenter mode PageDown / PageUp walk the open lesson, wherever the focus is."""

    def __init__(self, presenter: Presenter) -> None:
        super().__init__(presenter)
        self.presenter = presenter

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        pres = self.presenter
        panel = pres.lesson_panel()
        if not pres.active or panel is None:
            return False
        if not isinstance(obj, QWidget) or obj.window() is not pres.window:
            return False
        return page_keys(event, panel.present_next, panel.present_previous)


class Presenter(QObject):
    """Presenter mode for one main window; ``enter()`` / ``leave()`` / ``toggle()``."""

    def __init__(self, window, lessons=None) -> None:
        super().__init__(window)
        self.setObjectName("presenter")
        self.window = window
        self.lessons = lessons
        self.active = False
        self.high_contrast = bool(_as_bool(settings.get("presenter_high_contrast", False)))
        self.scale = textscale.clamp(
            _as_float(settings.get("presenter_text_scale"), DEFAULT_PRESENTER_SCALE)
        )
        self._saved: dict = {}
        #: the docks shown because the lesson step asked for them (hidden at the next step)
        self.step_docks: list[QDockWidget] = []
        #: which of them is in front (when they are tabs)
        self.step_tab = 0
        self.laser = LaserPointer(window.canvas)
        self._keys = _ClickerKeys(self)
        self.actions: dict[str, QAction] = {}
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if self.active and obj is self.window and event.type() == QEvent.Type.Close:
            # before the window's own closeEvent: whatever it saves (geometry, dock
            # state) is the normal layout, not the presenter's
            self.leave()
            return False
        if self.active and obj is self.window and event.type() == QEvent.Type.Hide:
            if not event.spontaneous():  # hidden (not minimised): the text scale goes back
                self.leave()
            return False
        if self.active and obj is self.window and event.type() == QEvent.Type.Resize:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self._size_lesson_dock)  # after the layout took the new size
            QTimer.singleShot(0, self._size_step_docks)
            self._fit_later()
        return False

    def _size_lesson_dock(self) -> None:
        """The lesson's text beside the canvas: :data:`LESSON_SHARE` of the width."""
        win = self.window
        dock = getattr(win, "docks", {}).get("lessonDock")
        if dock is not None and dock.isVisibleTo(win):
            win.resizeDocks([dock], [int(win.width() * LESSON_SHARE)], Qt.Orientation.Horizontal)

    def show_step_panels(self, names: list[str]) -> None:
        """The panels a lesson step asks for (dock objectNames), under the canvas (the
        lesson's text keeps its column), side by side; a panel shown for the step before
        and not asked for now is hidden again. (Outside presenter mode the session
        raises docks itself.)"""
        win = self.window
        docks = getattr(win, "docks", {})
        keep = set(self._visible_dock_names())
        wanted = [docks[n] for n in dict.fromkeys(names) if n in docks and n not in keep]
        for dock in self.step_docks:
            if dock not in wanted:
                dock.hide()
        self.step_docks = []
        if not self.active:
            return
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        room = win.width() * (1 - LESSON_SHARE) / max(len(wanted), 1)
        tabs = room < MIN_STEP_PANEL_WIDTH  # too narrow side by side: one tab each
        previous = None
        for dock in wanted:
            if dock.isFloating():
                dock.setFloating(False)
            if previous is None:
                win.addDockWidget(bottom, dock)  # (out of any tab group it was in)
            elif tabs:
                win.tabifyDockWidget(previous, dock)
            else:
                win.splitDockWidget(previous, dock, Qt.Orientation.Horizontal)
            dock.show()
            previous = dock if not tabs or previous is None else previous
        self.step_docks = wanted
        self.step_tab = 0
        if wanted:
            wanted[0].raise_()
            self._size_step_docks()
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self._size_step_docks)  # once the new text sizes are laid out
            self._fit_later()

    def next_step_panel(self) -> bool:
        """A clicker's PageDown on a step whose panels are tabs: the next tab comes to
        the front. False when every tab has been shown (or there are none)."""
        docks = self.step_docks
        if not self.active or self.step_tab + 1 >= len(docks):
            return False
        if docks[-1] not in self.window.tabifiedDockWidgets(docks[0]):
            return False  # side by side: nothing hidden
        self.step_tab += 1
        docks[self.step_tab].raise_()
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self._size_step_docks)
        return True

    def _size_step_docks(self) -> None:
        """The step's panels: :data:`STEP_PANEL_SHARE` of the height, or what they need
        (a legend ran over the text under a plot squeezed below its minimum)."""
        docks = [d for d in self.step_docks if d.isVisible()]
        if not docks or not self.active:
            return
        win = self.window
        need = max(_height_needed(d) for d in docks)
        # (never more than 60 %: measured at a passing narrow width, the wrapped text of
        # a plot's title asked for nearly all of it)
        share = min(max(int(win.height() * STEP_PANEL_SHARE), need), int(win.height() * 0.6))
        win.resizeDocks([docks[0]], [share], Qt.Orientation.Vertical)

    def _step_panel_names(self) -> list[str]:
        session = None if self.lessons is None else self.lessons.session
        return [] if session is None else session.step_docks()

    # ------------------------------------------------------------ helpers
    def lesson_panel(self):
        return None if self.lessons is None else self.lessons.panel

    def _visible_dock_names(self) -> list[str]:
        """The docks presenter mode keeps: the lesson, or else the chain-rule panel."""
        docks = getattr(self.window, "docks", {})
        if self.lesson_panel() is not None and "lessonDock" in docks:
            return ["lessonDock"]
        return ["chainRuleDock"] if "chainRuleDock" in docks else []

    # ------------------------------------------------------------ on / off
    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self, full_screen: bool = True) -> None:
        """Presenter mode on; ``full_screen=False`` keeps the window's size (screenshots)."""
        if self.active:
            return
        win = self.window
        self.active = True
        keep = self._visible_dock_names()
        self._saved = {
            "state": win.saveState(),
            "geometry": win.saveGeometry(),
            "full_screen": win.isFullScreen(),
            "menubar": not win.menuBar().isHidden(),
            "statusbar": not win.statusBar().isHidden(),
            "scale": textscale.factor(),
            "theme": themes.current(),
            "chain_pt": getattr(self._chain_rule(), "_pt", None),
            "hidden": [],
            "corner": win.corner(Qt.Corner.BottomLeftCorner),
            "canvas_min": win.canvas.minimumSize(),
        }
        # the panels a step asks for may take most of the height (two plots at large
        # text): the canvas gives way rather than the window growing past the screen
        win.canvas.setMinimumSize(240, 120)
        # the lesson's column runs down the whole left side; a step's panel sits under
        # the canvas only
        win.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        for dock in win.findChildren(QDockWidget):
            if dock.parent() is win and dock.objectName() not in keep and not dock.isHidden():
                dock.hide()
                self._saved["hidden"].append(dock)
        for tb in win.findChildren(QToolBar):
            if tb.parent() is win and not tb.isHidden():
                tb.hide()
                self._saved["hidden"].append(tb)
        for name in keep:
            dock = win.docks[name]
            dock.setTitleBarWidget(QWidget(dock))  # its small title is not needed on a projector
            self._saved.setdefault("titled", []).append(dock)
            dock.show()
            dock.raise_()
        self._size_lesson_dock()
        self.show_step_panels(self._step_panel_names())
        win.menuBar().hide()
        win.statusBar().hide()
        self._apply_scale()
        if self.high_contrast:
            self._apply_theme(HIGH_CONTRAST)
        self.laser.set_enabled(True)
        textscale.set_min_px(MIN_TEXT_PX, win.canvas.zoom_level)
        QApplication.instance().installEventFilter(self._keys)
        if full_screen:
            _full_screen(win, True)
        self._sync_actions()
        panel = self.lesson_panel()
        if panel is not None:
            panel.setFocus()
        self._fit_later()

    def leave(self) -> None:
        if not self.active:
            return
        win = self.window
        s = self._saved
        self.active = False
        self.step_docks = []  # (the saved state below brings every dock back where it was)
        QApplication.instance().removeEventFilter(self._keys)
        self.laser.set_enabled(False)
        textscale.set_min_px(0)
        textscale.set_factor(s["scale"])
        if s.get("chain_pt") is not None:
            self._chain_rule().set_point_size(s["chain_pt"])
        if themes.current() is HIGH_CONTRAST:
            self._apply_theme(s["theme"])
        self._refresh_fonts()
        if not s["full_screen"]:
            win.showNormal()
            if isinstance(s["geometry"], QByteArray):
                win.restoreGeometry(s["geometry"])
        for dock in s.get("titled", []):
            old = dock.titleBarWidget()
            dock.setTitleBarWidget(None)
            if old is not None:
                old.deleteLater()
        for w in s["hidden"]:
            w.show()
        win.setCorner(Qt.Corner.BottomLeftCorner, s["corner"])
        win.canvas.setMinimumSize(s["canvas_min"])
        win.restoreState(s["state"])
        win.menuBar().setVisible(s["menubar"])
        win.statusBar().setVisible(s["statusbar"])
        self._sync_actions()
        self._fit_later()

    # --------------------------------------------------------- text scale
    def set_scale(self, f: float) -> float:
        """The presenter's text scale (1.0–3.0, remembered); applied now if presenting."""
        self.scale = textscale.clamp(f)
        settings.put("presenter_text_scale", self.scale)
        if self.active:
            self._apply_scale()
        return self.scale

    def _apply_scale(self) -> None:
        textscale.set_factor(self.scale)
        chain = self._chain_rule()
        if chain is not None:
            chain.set_point_size(max(CHAIN_RULE_PT * self.scale, getattr(chain, "_pt", 0)))
        self._refresh_fonts()

    def _chain_rule(self):
        """The chain-rule panel (the chain-rule feature's), or None before it is built."""
        feature = getattr(self.window, "features", {}).get("chain_rule")
        return getattr(feature, "panel", None)

    def _refresh_fonts(self) -> None:
        """Widgets follow the application font; painted text is redrawn at the new size."""
        win = self.window
        canvas = win.canvas
        painter = getattr(canvas, "playback_painter", None)
        if painter is not None and hasattr(painter, "invalidate"):
            painter.invalidate()
        stills = getattr(canvas, "_stills", None)
        if isinstance(stills, dict):
            stills.clear()
        canvas.static.update()
        canvas.overlay.update()
        win.document.display_changed.emit("text_scale")
        panel = self.lesson_panel()
        if panel is not None:
            panel.refresh()

    def set_high_contrast(self, on: bool) -> None:
        self.high_contrast = bool(on)
        settings.put("presenter_high_contrast", self.high_contrast)
        if self.active:
            self._apply_theme(HIGH_CONTRAST if on else self._saved["theme"])
        self._sync_actions()

    def _apply_theme(self, theme: themes.Theme) -> None:
        themes.set_current(theme)
        themes.apply_to_app(theme)
        self.window.canvas.apply_theme()
        self.window.document.display_changed.emit("text_scale")

    def _fit_later(self) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(1, self.window.canvas.fit)

    def _sync_actions(self) -> None:
        act = self.actions.get("presenterAction")
        if act is not None:
            act.setChecked(self.active)
        leave = self.actions.get("leavePresenterAction")
        if leave is not None:
            leave.setEnabled(self.active)
        full = self.actions.get("fullScreenAction")
        if full is not None:
            full.setChecked(self.window.isFullScreen())
        hc = self.actions.get("highContrastAction")
        if hc is not None:
            hc.setChecked(self.high_contrast)


def _height_needed(dock: QDockWidget) -> int:
    """What ``dock`` needs at its width: its minimum, or more where wrapped text (a
    plot's summary at large print) needs more lines than the minimum counts."""
    need = dock.minimumSizeHint().height()
    panel = dock.widget()
    if panel is not None and panel.hasHeightForWidth() and panel.width() > 0:
        frame = max(dock.height() - panel.height(), 0)
        need = max(need, panel.heightForWidth(panel.width()) + frame)
    return need


# -------------------------------------------------------------- text zoom
def zoom_text(window, presenter: Presenter | None, delta: float) -> float:
    """Ctrl+Shift+Plus / Minus: the text scale (the presenter's while presenting)."""
    if presenter is not None and presenter.active:
        f = presenter.set_scale(presenter.scale + delta)
    else:
        f = textscale.set_factor(textscale.factor() + delta if delta else 1.0)
        settings.put("text_scale", f)
        if presenter is not None:
            chain = presenter._chain_rule()
            if chain is not None:  # the chain-rule panel sizes its own text: follow too
                chain.set_point_size(CHAIN_RULE_PT * f)
            presenter._refresh_fonts()
    show = getattr(window, "show_message", None)
    if show is not None:
        show(f"Text size {round(f * 100)} %")
    return f


def restore_text_scale(window) -> None:
    """The text scale chosen last time (View ▸ Zoom Text)."""
    f = _as_float(settings.get("text_scale"), 1.0)
    if not math.isclose(f, 1.0):
        textscale.set_factor(f)


def _as_float(v, default: float) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


def _as_bool(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "on")
    return bool(v)


def install(window, lessons=None) -> Presenter:
    """Presenter mode and the text zoom: actions, View menu entries, shortcuts."""
    pres = Presenter(window, lessons)
    window.presenter = pres
    add = _adder(window)
    pres.actions["presenterAction"] = add(
        "presenterAction",
        "&Presenter Mode",
        "Full screen for a projector: large text, the lesson beside the canvas, "
        "PageDown / PageUp walk the lesson (Esc leaves)",
        pres.toggle,
        ["F5"],
        checkable=True,
    )
    leave = add(
        "leavePresenterAction", "Leave Presenter Mode", "Leave presenter mode", pres.leave, ["Esc"]
    )
    leave.setEnabled(False)
    pres.actions["leavePresenterAction"] = leave
    hc = add(
        "highContrastAction",
        "&High-Contrast Presenter Theme",
        "Black on white with strong colours while presenting (for bright rooms)",
        pres.set_high_contrast,
        [],
        checkable=True,
    )
    pres.actions["highContrastAction"] = hc
    bigger = add(
        "textLargerAction",
        "&Larger Text",
        "Make every text larger (up to 300 %)",
        lambda: zoom_text(window, pres, textscale.STEP),
        ["Ctrl+Shift+=", "Ctrl+Shift++"],
    )
    smaller = add(
        "textSmallerAction",
        "&Smaller Text",
        "Make every text smaller (down to 100 %)",
        lambda: zoom_text(window, pres, -textscale.STEP),
        ["Ctrl+Shift+-"],
    )
    reset = add(
        "textResetAction",
        "&Normal Text Size",
        "Text at 100 %",
        lambda: zoom_text(window, pres, 0.0),
        ["Ctrl+Shift+0"],
    )
    full = add(
        "fullScreenAction",
        "&Full Screen",
        "Fill the screen with the window (F11 again: back)",
        lambda on: _full_screen(window, on),
        ["F11"],
        checkable=True,
    )
    pres.actions["fullScreenAction"] = full
    pres._sync_actions()
    view = getattr(window, "view_menu", None)
    if view is not None:
        view.addSeparator()
        zoom = view.addMenu("Zoom &Text")
        zoom.setObjectName("zoomTextMenu")
        for a in (bigger, smaller, reset):
            zoom.addAction(a)
        view.addAction(full)
        view.addAction(pres.actions["presenterAction"])
        view.addAction(hc)
    restore_text_scale(window)
    return pres


def _full_screen(window, on: bool) -> None:
    """View ▸ Full Screen (F11): the window fills its screen, or comes back."""
    if on:
        if window.screen() is not None:  # without a window manager nothing else moves it
            window.setGeometry(window.screen().geometry())
        window.showFullScreen()  # after: a new geometry would end the full-screen state
    else:
        window.showNormal()


def _adder(window):
    def add(name, text, tip, slot, keys, checkable=False) -> QAction:
        act = QAction(text, window)
        act.setObjectName(name)
        act.setCheckable(checkable)
        if keys:
            act.setShortcuts([QKeySequence(k) for k in keys])
            shown = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            act.setToolTip(f"{tip} ({shown})")
        else:
            act.setToolTip(tip)
        act.setStatusTip(tip)
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(slot)
        window.addAction(act)
        by_name = getattr(window, "actions_by_name", None)
        if isinstance(by_name, dict):
            by_name[name] = act
        return act

    return add
