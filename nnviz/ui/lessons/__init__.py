"""The lesson feature: Help ▸ Lessons, the lesson panel, presenter mode.

``install(window)`` is the one call the main window makes; it returns the
:class:`LessonsFeature` (also at ``window.lessons``; presenter mode at
``window.presenter``). Lessons themselves are data (``resources/lessons/``)
read by :mod:`nnviz.core.lessons`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu

from nnviz.core import lessons as core

#: the lesson dock's width at first
LESSON_DOCK_WIDTH = 380
#: docks shown with a lesson only on the steps whose ``show`` names them (they take
#: the canvas's room: the chain-rule panel sits under it)
STEP_ONLY_DOCKS = ("chainRuleDock",)
#: the right column's width while a lesson is open (its panels wrap to it)
LESSON_RIGHT_WIDTH = 300


class LessonsFeature(QObject):
    """Opens lessons in a window: one at a time, in the ``lessonDock``."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("lessonsFeature")
        self.window = window
        self.session = None
        self.panel = None
        self.dock: QDockWidget | None = None
        #: docks a lesson shows only on the steps that ask for them -> shown before it
        self._step_only: dict[str, bool] = {}
        self._right_width: tuple[QDockWidget, int] | None = None

    # -------------------------------------------------------------- opening
    def open(self, lesson: core.Lesson | str | Path, step: int | None = None) -> bool:
        """Open ``lesson`` (a Lesson, a shipped lesson's name or a lesson file) at
        its remembered step, or at ``step`` (0-based). A broken lesson file is one
        sentence in the status bar (and a dialog on a screen); nothing changes."""
        win = self.window
        if not isinstance(lesson, core.Lesson):
            try:
                lesson = core.find(str(lesson))
            except core.LessonError as e:
                win.error_dialog("Cannot open this lesson", str(e))
                return False
        if step is not None and not 0 <= step < len(lesson):
            win.error_dialog(
                "No such step",
                f"lesson {lesson.name!r} has steps 1 to {len(lesson)}, not {step + 1}",
            )
            return False
        maybe_save = getattr(win, "maybe_save", None)
        if maybe_save is not None and not maybe_save():
            return False
        if win.playback is None and hasattr(win, "build_panels"):
            win.build_panels()  # a lesson drives the playback and the plots
        self.close()
        from nnviz.ui.lessons.panel import LessonPanel
        from nnviz.ui.lessons.session import LessonSession

        self.session = LessonSession(win, lesson)
        self.panel = LessonPanel(self.session)
        self.session.step_changed.connect(self._on_step_changed)
        if self.dock is None:
            self.dock = QDockWidget("Lesson", win)
            self.dock.setObjectName("lessonDock")
            self.dock.setToolTip("The lesson: read, answer, and walk on with PageDown")
            win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
            docks = getattr(win, "docks", None)
            if isinstance(docks, dict):
                docks["lessonDock"] = self.dock
            menu = getattr(win, "panels_menu", None)
            if menu is not None:
                menu.addAction(self.dock.toggleViewAction())
        self.dock.setWidget(self.panel)
        self.dock.setWindowTitle(f"Lesson: {lesson.title}")
        self.dock.show()
        self.dock.raise_()
        win.resizeDocks([self.dock], [LESSON_DOCK_WIDTH], Qt.Orientation.Horizontal)
        self._give_canvas_room(True)
        self.session.go(self.session.index if step is None else step)
        self.panel.setFocus()
        self._sync()
        presenter = getattr(win, "presenter", None)
        if presenter is not None and presenter.active:  # the lesson replaces the chain rule
            presenter.leave()
            presenter.enter(full_screen=win.isFullScreen())
        return True

    def _give_canvas_room(self, on: bool) -> None:
        """A lesson open (``on``): the canvas gets the room a laptop's screen has. The
        chain-rule dock under it is shown only on the steps that ask for it, and the
        caption card is not drawn while the playback bar shows the same caption.
        Closed: both as they were."""
        win = self.window
        docks = getattr(win, "docks", {})
        right = Qt.DockWidgetArea.RightDockWidgetArea
        if on and not self._step_only:
            self._step_only = {
                name: docks[name].isVisibleTo(win) for name in STEP_ONLY_DOCKS if name in docks
            }
            column = [
                d
                for d in docks.values()
                if d.isVisibleTo(win) and not d.isFloating() and win.dockWidgetArea(d) == right
            ]
            narrow = max([LESSON_RIGHT_WIDTH, *(_least_width(d) for d in column)])
            if column and column[0].width() > narrow:
                # the right column gives the canvas the width the lesson's text took
                # (no narrower than its panels need: no horizontal scroll bar)
                self._right_width = (column[0], column[0].width())
                win.resizeDocks([column[0]], [narrow], Qt.Orientation.Horizontal)
        elif not on:
            for name, shown in self._step_only.items():
                if name in docks and shown:
                    docks[name].show()
            self._step_only = {}
            if self._right_width is not None:
                dock, width = self._right_width
                self._right_width = None
                if dock.isVisibleTo(win):
                    win.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        playback = getattr(win, "features", {}).get("playback")
        overlay = getattr(playback, "caption_overlay", None)
        if overlay is not None and hasattr(overlay, "set_shown_elsewhere"):
            overlay.set_shown_elsewhere(getattr(playback, "bar", None) if on else None)

    def _show_step_only_docks(self) -> None:
        """The step-only docks are shown if this step asks for them, else hidden
        (outside presenter mode; there the presenter shows what a step asks for)."""
        session, win = self.session, self.window
        presenter = getattr(win, "presenter", None)
        if session is None or (presenter is not None and presenter.active):
            return
        from nnviz.ui.lessons.session import DOCKS

        asked = {DOCKS.get(name) for name in session.step.show}
        docks = getattr(win, "docks", {})
        for name in self._step_only:
            if name in docks:
                docks[name].setVisible(name in asked)

    def _on_step_changed(self, _k: int) -> None:
        self._show_step_only_docks()
        presenter = getattr(self.window, "presenter", None)
        if presenter is not None and presenter.active:  # a new step's text: keep the share
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, presenter._size_lesson_dock)

    def open_file_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open lesson", "", "nnviz lessons (*.md);;All files (*)"
        )
        if path:
            self.open(Path(path))

    def close(self) -> None:
        """Close the open lesson (its progress stays stored)."""
        if self.session is not None:
            self.session.close()
            self.session.deleteLater()
        if self.panel is not None:
            self.panel.hide()
            self.panel.deleteLater()
        self.session = self.panel = None
        if self.dock is not None:
            self.dock.hide()
        self._give_canvas_room(False)
        self._sync()

    def _sync(self) -> None:
        act = getattr(self.window, "actions_by_name", {}).get("closeLessonAction")
        if act is not None:
            act.setEnabled(self.session is not None)

    # ---------------------------------------------------------------- menu
    def fill_menu(self, menu: QMenu) -> None:
        """Help ▸ Lessons: the shipped lessons in order, a file, and Close (filled when
        first opened: reading a lesson checks it against the engine)."""
        if menu.actions():
            return
        for name in core.names():
            try:
                title = core.load_named(name).title
            except core.LessonError:
                title = name
            act = menu.addAction(title)
            act.setObjectName(f"lesson_{name}")
            act.setToolTip(f"Open the lesson {name!r}")
            act.triggered.connect(lambda _=False, n=name: self.open(n))
        menu.addSeparator()
        act = menu.addAction("Open Lesson &File…")
        act.setObjectName("openLessonFileAction")
        act.triggered.connect(self.open_file_dialog)
        close = getattr(self.window, "actions_by_name", {}).get("closeLessonAction")
        if close is not None:
            menu.addAction(close)


def _least_width(dock: QDockWidget) -> int:
    """The width ``dock``'s panel needs without a horizontal scroll bar."""
    from PySide6.QtWidgets import QScrollArea

    w = dock.widget()
    if w is None:
        return 0
    extra = 0
    if isinstance(w, QScrollArea) and w.widget() is not None:
        extra = 2 * w.frameWidth() + w.verticalScrollBar().sizeHint().width()
        w = w.widget()
    return max(w.minimumSizeHint().width(), w.minimumWidth()) + extra + 4


def install(window) -> LessonsFeature:
    """Help ▸ Lessons, the lesson dock (when a lesson opens) and presenter mode."""
    from nnviz.ui.lessons import presenter

    feature = LessonsFeature(window)
    window.lessons = feature
    close = QAction("&Close Lesson", window)
    close.setObjectName("closeLessonAction")
    close.setToolTip("Close the lesson (its progress is remembered)")
    close.triggered.connect(feature.close)
    close.setEnabled(False)
    window.addAction(close)
    by_name = getattr(window, "actions_by_name", None)
    if isinstance(by_name, dict):
        by_name["closeLessonAction"] = close
    help_menu = window.findChild(QMenu, "helpMenu")
    if help_menu is not None:
        menu = QMenu("&Lessons", help_menu)
        menu.setObjectName("lessonsMenu")
        menu.setToolTip("Guided lessons with questions")
        first = help_menu.actions()[0] if help_menu.actions() else None
        help_menu.insertMenu(first, menu) if first is not None else help_menu.addMenu(menu)
        menu.aboutToShow.connect(lambda: feature.fill_menu(menu))
        feature.menu = menu
    pres = presenter.install(window, feature)
    act = pres.actions.get("presenterAction")
    if act is not None:  # back from presenter mode (its saved layout): this step's docks
        act.toggled.connect(lambda on: None if on else feature._show_step_only_docks())
    return feature


def from_args(window, args) -> int | None:
    """``--lesson NAME [--lesson-step K]`` and ``--presenter``: apply them to ``window``.

    Returns an exit status when the app must stop (a bad lesson with
    ``--screenshot``: one sentence on stderr, 2), else None.
    """
    import sys

    name = getattr(args, "lesson", None)
    step = getattr(args, "lesson_step", None)
    headless = bool(getattr(args, "screenshot", None))
    feature = getattr(window, "lessons", None)
    if feature is None:
        return None
    if step is not None and name is None:
        print("nnviz: --lesson-step needs --lesson NAME", file=sys.stderr)
        return 2 if headless else None
    if name is not None:
        try:
            lesson = core.find(name)
        except core.LessonError as e:
            if headless:
                print(f"nnviz: {e}", file=sys.stderr)
                return 2
            window.error_dialog("Cannot open this lesson", str(e))
            lesson = None
        if lesson is not None and step is not None and not 1 <= step <= len(lesson):
            msg = f"lesson {lesson.name!r} has steps 1 to {len(lesson)}, not {step}"
            if headless:
                print(f"nnviz: {msg}", file=sys.stderr)
                return 2
            window.error_dialog("No such step", msg)
            step = None
        if lesson is None:
            name = None
    presenter = bool(getattr(args, "presenter", False))
    if name is None and not presenter:
        return None

    def apply() -> None:
        if name is not None:
            feature.open(lesson, None if step is None else step - 1)
        if presenter:
            window.presenter.enter(full_screen=not headless)

    if window.playback is None and not headless:
        # after the first paint, once every panel is built and shown (a dock added to a
        # shown window is shown by a queued call: run after it)
        from PySide6.QtCore import QTimer

        _once(window.panels_built, lambda: QTimer.singleShot(0, apply))
    else:
        apply()
    return None


def _once(signal, slot) -> None:
    def run() -> None:
        signal.disconnect(run)
        slot()

    signal.connect(run)
