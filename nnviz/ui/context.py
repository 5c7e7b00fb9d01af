"""The application context and the host interface features install themselves through.

An :class:`AppContext` is built once per window: the document, the theme (an
object with its own ``changed`` signal), the playback controller (set by the
playback feature; None until then or without it), the messages channel (one
sentence for the status bar) and the actions by objectName.

The main window is a :class:`Host`: a small interface to add a dock, an action,
a menu, a toolbar, and to reach the canvas. A feature is any object with a
``name`` and ``install(ctx, host)``; the window installs its features in order
(playback, chain rule, plots — later training and lessons) and keeps them in
``window.features`` by name. A feature reads the context, builds its widgets,
connects to the document's and the playback's signals, and touches the window
only through the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar, QWidget

from nnviz.ui import theme as themes


class Messages(QObject):
    """One sentence for the user: ``show(text, error)`` emits ``posted(text, error)``;
    the window shows it in its status bar."""

    posted = Signal(str, bool)

    def show(self, text: str, error: bool = False) -> None:
        self.posted.emit(text, bool(error))


class ThemeState(QObject):
    """The current theme as a window's object: ``theme`` is the palette, ``choice`` what
    the user picked (system, light or dark); ``changed(theme)`` after each real change.

    The palette itself is the app's one :func:`nnviz.ui.theme.state`; this object
    relays its ``changed`` signal, so a switch made anywhere (the View menu, a
    ``--theme`` render) reaches every listener once.
    """

    changed = Signal(object)

    def __init__(self, choice: str = "system", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.choice = choice
        themes.state().changed.connect(self.changed)

    @property
    def theme(self) -> themes.Theme:
        return themes.current()

    def set_choice(self, choice: str) -> themes.Theme:
        """Use ``choice``; every listener of ``changed`` gets the new palette."""
        self.choice = choice
        themes.set_current(themes.resolve(choice))
        return themes.current()


@dataclass
class AppContext:
    """What every feature may use; built once by the main window."""

    document: object
    theme: ThemeState
    messages: Messages
    actions: dict[str, QAction] = field(default_factory=dict)
    #: the playback controller, once the playback feature is installed
    playback: object | None = None


@runtime_checkable
class Host(Protocol):
    """What a window offers a feature."""

    def window(self) -> QWidget: ...

    def canvas_view(self): ...

    def add_dock(
        self,
        name: str,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        scroll: bool = False,
    ) -> QDockWidget: ...

    def add_action(
        self, name: str, text: str, tip: str, slot, shortcuts: list[str] | None = None
    ) -> QAction: ...

    def add_menu(
        self, name: str, title: str, actions: list[QAction | None], before: str = "helpMenu"
    ) -> QMenu: ...

    def menu(self, name: str) -> QMenu | None: ...

    def add_toolbar(self, toolbar: QToolBar, area: Qt.ToolBarArea) -> QToolBar: ...


@runtime_checkable
class Feature(Protocol):
    name: str

    def install(self, ctx: AppContext, host: Host) -> None: ...
