"""The main window: menus, toolbars and docks around the canvas. Composition only.

Every action has an objectName, a tooltip and, where it is a command, a
shortcut (DESIGN.md convention 8). All changes go through the Document.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QToolBar,
    QUndoView,
    QWidget,
)

from nnviz import __version__
from nnviz.core import activations, examples, io
from nnviz.ui import lessons, settings
from nnviz.ui import theme as themes
from nnviz.ui.canvas.view import NetworkCanvas
from nnviz.ui.context import AppContext, Messages, ThemeState
from nnviz.ui.document import Document
from nnviz.ui.export_dialog import install_export_action
from nnviz.ui.panels.inspector import InspectorPanel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

FILE_FILTER = "nnviz networks (*.json);;All files (*)"


class _FirstPaint(QObject):
    """Calls ``then`` once, right after ``widget`` is first painted."""

    def __init__(self, widget: QWidget, then) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            obj.removeEventFilter(self)
            QTimer.singleShot(0, then)
        return False


def default_features() -> list:
    """The features every window installs, in order: playback first (the others follow
    its controller), then the chain-rule panel and the plots."""
    from nnviz.ui.panels.chain_rule import ChainRuleFeature
    from nnviz.ui.panels.plots import PlotsFeature
    from nnviz.ui.playback import PlaybackFeature
    from nnviz.ui.training import TrainingFeature

    return [PlaybackFeature(), ChainRuleFeature(), PlotsFeature(), TrainingFeature()]


class MainWindow(QMainWindow):
    """The nnviz window. ``MainWindow(document)``; tests drive it through its widgets.

    It is the features' :class:`~nnviz.ui.context.Host`: ``add_dock``,
    ``add_action``, ``add_menu``, ``menu``, ``add_toolbar``, ``canvas_view``. Its
    :attr:`context` (document, theme, playback, messages, actions) is built once;
    :attr:`features` holds the installed features by name.
    """

    #: the playback and the plot panels exist now (with ``defer_panels``: right
    #: after the window's first paint)
    panels_built = Signal()

    def __init__(
        self,
        document: Document | None = None,
        theme_choice: str | None = None,
        defer_panels: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.document = document if document is not None else Document()
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        # the right column (inspector, plots) runs the full height; the chain-rule
        # panel sits under the canvas only
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.actions_by_name: dict[str, QAction] = {}
        self._docks_fitted = False
        #: the answer to "save the changes?" when no one can be asked (tests)
        self.unsaved_answer: QMessageBox.StandardButton | None = None
        self._theme_choice = theme_choice or settings.get_choice(
            "theme", "system", ("system", "light", "dark")
        )
        self.messages = Messages(self)
        self.messages.posted.connect(self.show_message)
        self.context = AppContext(
            self.document, ThemeState(self._theme_choice, self), self.messages, self.actions_by_name
        )
        self.features: dict[str, object] = {}

        self.canvas = NetworkCanvas(self.document, self)
        self.setCentralWidget(self.canvas)
        self.inspector = InspectorPanel(self.document)
        self.docks: dict[str, QDockWidget] = {}
        self._add_dock(
            "inspectorDock",
            "Inspector",
            self._scrolled(self.inspector),
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        self.history = QUndoView(self.document.undo_stack)
        self.history.setObjectName("historyView")
        self.history.setEmptyLabel("Opened")
        self.history.setToolTip("Every edit, oldest first: click a line to go back to it")
        history_dock = self._add_dock(
            "historyDock", "History", self.history, Qt.DockWidgetArea.RightDockWidgetArea
        )
        history_dock.hide()

        self.status = QLabel()
        self.status.setObjectName("statusMessage")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # sentences echo file content
        self.statusBar().addWidget(self.status, 1)
        self.zoom_label = QLabel()
        self.statusBar().addPermanentWidget(self.zoom_label)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(lambda: self.show_message(""))

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        lessons.install(self)  # Help ▸ Lessons, the lesson panel, presenter mode (F5)

        doc = self.document
        doc.file_state_changed.connect(self._on_file_state_changed)
        doc.edit_refused.connect(self._on_edit_refused)
        doc.shape_changed.connect(self._on_shape_changed)
        doc.selection_changed.connect(lambda _old, _new: self._update_actions())
        doc.undo_stack.canUndoChanged.connect(self._update_actions)
        doc.undo_stack.canRedoChanged.connect(self._update_actions)
        self.canvas.scrubbed.connect(self.show_message)
        # Enter or Esc in an inspector field: the canvas (and the playback keys) again
        self.inspector.editing_done.connect(self.canvas.setFocus)
        self.playback = None
        self.training = None
        self.activation_plot = self.gradient_flow = self.linear_map = None
        self.apply_theme(self._theme_choice, remember=False)  # --theme is for this run
        self._on_file_state_changed()
        self._update_actions()
        install_export_action(self)  # File ▸ Export Picture… (nnviz.ui.export_dialog)
        self.resize(1440, 900)
        if defer_panels:
            # The window paints first with the network, the inspector and the menus;
            # the playback (bar, chain-rule panel) and the plots (pyqtgraph alone costs
            # ~200 ms to import) are built right after that first paint.
            self._first_paint = _FirstPaint(self.canvas.viewport(), self.build_panels)
        else:
            self.build_panels()

    # ---------------------------------------------------------------- docks
    def build_panels(self) -> None:
        """Install the features (playback, chain rule, plots); ``panels_built`` is
        emitted after them (start-up is over then)."""
        try:
            if not self.features:
                for feature in default_features():
                    self.install_feature(feature)
        finally:
            self.panels_built.emit()

    def install_feature(self, feature) -> object:
        """``feature.install(context, self)``; kept in :attr:`features` by its name."""
        feature.install(self.context, self)
        self.features[feature.name] = feature
        if feature.name == "playback":
            self.playback = self.context.playback
        elif feature.name == "plots":
            self.activation_plot = feature.activation_plot
            self.gradient_flow = feature.gradient_flow
            self.linear_map = feature.linear_map
        elif feature.name == "training":
            self.training = feature
        return feature

    def seek_step(self, step: int) -> bool:
        """Show playback step ``step`` (``--step N``); False and one sentence if out of range."""
        if self.playback is None:
            self.show_message("There is no playback in this window.", error=True)
            return False
        return self.playback.seek_step(step)

    # ------------------------------------------------------------ host
    def canvas_view(self) -> NetworkCanvas:
        return self.canvas

    def add_dock(
        self, name: str, title: str, widget: QWidget, area, scroll: bool = False
    ) -> QDockWidget:
        """Put a panel in a dock and list it in View ▸ Panels."""
        dock = self._add_dock(name, title, self._scrolled(widget) if scroll else widget, area)
        self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    add_panel = add_dock

    def add_action(self, name: str, text: str, tip: str, slot, shortcuts=None) -> QAction:
        """A window action (in :attr:`actions_by_name` and the context's actions)."""
        return self._action(name, text, tip, slot, list(shortcuts) if shortcuts else None)

    def add_menu(self, name: str, title: str, actions: list, before: str = "helpMenu") -> QMenu:
        """A menu of ``actions`` (None: a separator) in the menu bar, before ``before``."""
        mb = self.menuBar()
        menu = QMenu(title, mb)
        menu.setObjectName(name)
        for act in actions:
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(act)
        anchor = self.menu(before)
        if anchor is not None:
            mb.insertMenu(anchor.menuAction(), menu)
        else:
            mb.addMenu(menu)
        return menu

    def menu(self, name: str) -> QMenu | None:
        return self.menuBar().findChild(QMenu, name)

    def add_toolbar(self, toolbar: QToolBar, area) -> QToolBar:
        self.addToolBar(area, toolbar)
        return toolbar

    def _scrolled(self, widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidget(widget)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        return area

    def _add_dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    # -------------------------------------------------------------- actions
    def _action(
        self, name: str, text: str, tip: str, slot, shortcut=None, checkable: bool = False
    ) -> QAction:
        act = QAction(text, self)
        act.setObjectName(name)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                keys: list[QKeySequence] = []
                for s in shortcut:
                    k = QKeySequence(s)
                    if not k.isEmpty() and k not in keys:
                        keys.append(k)
                act.setShortcuts(keys)
            else:
                act.setShortcut(QKeySequence(shortcut))
            act.setToolTip(
                f"{tip} ({act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.addAction(act)
        self.actions_by_name[name] = act
        return act

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        doc = self.document
        a = self._action
        a("newAction", "&New", "Start again from the built-in network", self.new_file, K.New)
        a("openAction", "&Open…", "Open a network file", self.open_dialog, K.Open)
        a("saveAction", "&Save", "Save the network", self.save, K.Save)
        a("saveAsAction", "Save &As…", "Save the network under a new name", self.save_as, K.SaveAs)
        a("quitAction", "&Quit", "Quit nnviz", self.close, K.Quit)
        undo = doc.undo_stack.createUndoAction(self, "&Undo")
        undo.setObjectName("undoAction")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.setToolTip("Undo the last edit (Ctrl+Z)")
        redo = doc.undo_stack.createRedoAction(self, "&Redo")
        redo.setObjectName("redoAction")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        redo.setToolTip("Redo the edit just undone (Ctrl+Shift+Z)")
        # the toolbar says "Undo" and "Redo" (the menu names the edit): "Undo Sample:
        # training point 120" pushed Fit Network behind the toolbar's » at 1024×768
        undo.setIconText("Undo")
        redo.setIconText("Redo")
        for act in (undo, redo):
            self.addAction(act)
            self.actions_by_name[act.objectName()] = act
        a(
            "addNeuronAction",
            "Add &Neuron",
            "Add a neuron to the selected layer",
            self.add_neuron,
            "Ctrl+N" if False else "N",
        )
        a(
            "removeNeuronAction",
            "&Remove Neuron",
            "Remove the selected neuron",
            self.remove_neuron,
            QKeySequence.StandardKey.Delete,
        )
        a(
            "addLayerAction",
            "Add &Layer",
            "Insert a hidden layer after the selected one (or before the output)",
            self.add_layer,
            "L",
        )
        a(
            "removeLayerAction",
            "Remove La&yer",
            "Remove the selected hidden layer",
            self.remove_layer,
            "Shift+Delete",
        )
        a(
            "reinitAction",
            "Re-&initialise Weights…",
            "Draw all weights again from a seed",
            self.reinitialise_dialog,
            "Ctrl+R",
        )
        # Ctrl++ is Ctrl+Shift+= on most keyboards: Ctrl+= (the same key unshifted) zooms too
        a(
            "zoomInAction",
            "Zoom &In",
            "Zoom in on the network",
            self.canvas.zoom_in,
            [*QKeySequence.keyBindings(K.ZoomIn), QKeySequence("Ctrl+=")],
        )
        a("zoomOutAction", "Zoom &Out", "Zoom out", self.canvas.zoom_out, K.ZoomOut)
        a(
            "fitAction",
            "&Fit Network",
            "Fit the whole network in the view",
            self.canvas.fit,
            "Ctrl+0",
        )
        a("historyAction", "&History", "Show the list of edits", self._toggle_history, "Ctrl+H")
        a("aboutAction", "&About nnviz", "About nnviz", self.about)
        a(
            "shortcutsAction",
            "&Keyboard Shortcuts",
            "List the keyboard shortcuts",
            self.show_shortcuts,
            "F1",
        )

    def _build_menus(self) -> None:
        mb = self.menuBar()
        acts = self.actions_by_name
        m = mb.addMenu("&File")
        m.setObjectName("fileMenu")
        m.addAction(acts["newAction"])
        m.addAction(acts["openAction"])
        self.examples_menu = m.addMenu("Open &Example")
        self.examples_menu.setObjectName("examplesMenu")
        # filled when first opened: reading every example's title is start-up time
        self.examples_menu.aboutToShow.connect(self._fill_examples_menu)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        m.addAction(acts["saveAction"])
        m.addAction(acts["saveAsAction"])
        self.file_menu = m
        self._file_menu_tail = m.addSeparator()
        m.addAction(acts["quitAction"])

        m = mb.addMenu("&Edit")
        m.setObjectName("editMenu")
        m.addAction(acts["undoAction"])
        m.addAction(acts["redoAction"])
        m.addAction(acts["historyAction"])
        m.addSeparator()
        for n in ("addNeuronAction", "removeNeuronAction", "addLayerAction", "removeLayerAction"):
            m.addAction(acts[n])
        self.activation_menu = m.addMenu("Layer &Activation")
        self.activation_menu.setObjectName("activationMenu")
        for name in activations.NAMES:
            act = self.activation_menu.addAction(name)
            act.setObjectName(f"activation_{name}")
            act.triggered.connect(lambda _=False, n=name: self.set_selected_activation(n))
        m.addSeparator()
        m.addAction(acts["reinitAction"])
        self.edit_menu = m

        m = mb.addMenu("&View")
        m.setObjectName("viewMenu")
        for n in ("zoomInAction", "zoomOutAction", "fitAction"):
            m.addAction(acts[n])
        act = self._action(
            "labelWeightsAction",
            "Label Every &Weight",
            "Write every weight on its edge in a small network (up to 40 weights)",
            self.set_label_weights,
            "Ctrl+Shift+W",
            checkable=True,
        )
        act.setChecked(settings.get_choice("label_weights", "on", ("on", "off")) == "on")
        self.canvas.label_weights = act.isChecked()
        m.addAction(act)
        m.addSeparator()
        theme_menu = m.addMenu("&Theme")
        theme_menu.setObjectName("themeMenu")
        self._theme_actions = {}
        for choice in ("system", "light", "dark"):
            act = theme_menu.addAction(choice.capitalize())
            act.setObjectName(f"theme_{choice}")
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, c=choice: self.apply_theme(c))
            self._theme_actions[choice] = act
        dec_menu = m.addMenu("&Decimals")
        dec_menu.setObjectName("decimalsMenu")
        self._decimal_actions = {}
        for d in range(1, 7):
            act = dec_menu.addAction(str(d))
            act.setObjectName(f"decimals_{d}")
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, d=d: self.set_decimals(d))
            self._decimal_actions[d] = act
        self.document.set_decimals(settings.get_int("decimals", self.document.decimals, 1, 8))
        self._sync_decimal_actions()
        m.addSeparator()
        self.panels_menu = m.addMenu("&Panels")
        self.panels_menu.setObjectName("panelsMenu")
        for dock in self.docks.values():
            self.panels_menu.addAction(dock.toggleViewAction())
        self.view_menu = m

        m = mb.addMenu("&Help")
        m.setObjectName("helpMenu")
        m.addAction(self.actions_by_name["shortcutsAction"])
        m.addAction(self.actions_by_name["aboutAction"])

    def _fill_examples_menu(self) -> None:
        if self.examples_menu.actions():
            return
        for name in examples.menu_names():
            act = self.examples_menu.addAction(examples.title(name))
            act.setObjectName(f"example_{name}")
            act.triggered.connect(lambda _=False, n=name: self.open_example(n))

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolbar")
        tb.setIconSize(QSize(20, 20))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        acts = self.actions_by_name
        for n in (
            "openAction",
            "saveAction",
            None,
            "undoAction",
            "redoAction",
            None,
            "addNeuronAction",
            "removeNeuronAction",
            "addLayerAction",
            "removeLayerAction",
            "reinitAction",
            None,
            "fitAction",
        ):
            if n is None:
                tb.addSeparator()
            else:
                tb.addAction(acts[n])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb

    # -------------------------------------------------------------- state
    def _on_file_state_changed(self) -> None:
        doc = self.document
        self.setWindowTitle(f"{doc.display_name()}[*] — nnviz")
        self.setWindowModified(doc.modified)

    def _on_shape_changed(self, _revision: int = 0) -> None:
        self._update_actions()

    def _on_edit_refused(self, message: str) -> None:
        self.show_message(message, error=True)

    def show_message(self, text: str, error: bool = False, ms: int = 6000) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #cc3311; font-weight: bold;" if error else "")
        if text:
            self._status_timer.start(ms)

    def _update_actions(self) -> None:
        doc = self.document
        sel = doc.selection
        acts = self.actions_by_name
        depth = doc.network.depth
        acts["removeNeuronAction"].setEnabled(sel is not None and sel.kind == "neuron")
        acts["removeLayerAction"].setEnabled(sel is not None and 1 <= sel.layer < depth)
        self.activation_menu.setEnabled(sel is not None and sel.layer >= 1)
        n = doc.network.n_edges
        self.zoom_label.setText(f"{n} weight" if n == 1 else f"{n:,} weights")

    # -------------------------------------------------------------- edits
    def add_neuron(self) -> None:
        """Add a neuron to the selected layer; with nothing selected, to the last hidden
        layer (and say so), or one sentence when the network has no hidden layer."""
        doc = self.document
        sel = doc.selection
        if sel is not None:
            doc.add_neuron(sel.layer)
            return
        layer = doc.network.depth - 1
        if layer < 1:
            self.show_message(
                "Select a neuron or an edge first: the new neuron goes into its layer.",
                error=True,
            )
            return
        if doc.add_neuron(layer):
            self.show_message(
                f"Added a neuron to layer {layer}, the last hidden layer "
                "(select a neuron first to choose the layer)."
            )

    def remove_neuron(self) -> None:
        sel = self.document.selection
        if sel is None or sel.kind != "neuron":
            self.show_message("Select the neuron to remove first.", error=True)
            return
        self.document.remove_neuron(sel.layer, sel.neuron)

    def add_layer(self) -> None:
        doc = self.document
        sel = doc.selection
        at = doc.network.depth if sel is None else min(sel.layer + 1, doc.network.depth)
        doc.insert_layer(max(at, 1), 3, "tanh")

    def remove_layer(self) -> None:
        sel = self.document.selection
        if sel is None:
            self.show_message("Select a neuron of the hidden layer to remove first.", error=True)
            return
        self.document.remove_layer(sel.layer)

    def set_selected_activation(self, name: str) -> None:
        sel = self.document.selection
        if sel is None or sel.layer == 0:
            self.show_message("Select a neuron of a weighted layer first.", error=True)
            return
        self.document.set_activation(sel.layer, name)

    def reinitialise_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog  # dialogs are imported when first used

        doc = self.document
        seed, ok = QInputDialog.getInt(
            self,
            "Re-initialise weights",
            "Seed (the same seed gives the same weights):",
            doc.project.seed,
            0,
            2**31 - 1,
        )
        if ok:
            doc.reinitialise(seed, doc.project.init)

    def set_label_weights(self, on: bool) -> None:
        """View ▸ Label Every Weight: on, a small network shows every weight's value."""
        on = bool(on)
        self.actions_by_name["labelWeightsAction"].setChecked(on)
        self.canvas.label_weights = on
        self.canvas.overlay.update()
        settings.put("label_weights", "on" if on else "off")

    def set_decimals(self, d: int) -> None:
        self.document.set_decimals(d)
        settings.put("decimals", d)
        self._sync_decimal_actions()

    def _sync_decimal_actions(self) -> None:
        for d, act in self._decimal_actions.items():
            act.setChecked(d == self.document.decimals)

    def apply_theme(self, choice: str, remember: bool = True) -> None:
        """Use the 'system', 'light' or 'dark' theme; the View menu's choice is remembered."""
        self._theme_choice = choice
        self.context.theme.set_choice(choice)
        themes.apply_to_app(themes.current())
        for c, act in self._theme_actions.items():
            act.setChecked(c == choice)
        if remember:
            settings.put("theme", choice)
        self.canvas.apply_theme()
        self.document.notify_display_changed("theme")

    def _toggle_history(self) -> None:
        dock = self.docks["historyDock"]
        dock.setVisible(not dock.isVisible())

    # --------------------------------------------------------------- files
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False if the user cancelled.

        With no screen (offscreen: tests, --screenshot) nobody can answer a modal
        question, so nothing is discarded and nothing blocks: the answer is Cancel,
        with a message, unless ``unsaved_answer`` (a QMessageBox.StandardButton) was
        set by the caller, as tests do.
        """
        if not self.document.modified:
            return True
        from PySide6.QtWidgets import QMessageBox

        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        if self.unsaved_answer is not None:
            answer = self.unsaved_answer
        elif QApplication.platformName() == "offscreen":
            self.show_message("There are unsaved changes: save them first.", error=True)
            return False
        else:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Unsaved changes",
                f"Save the changes to {self.document.display_name()}?",
                buttons,
                self,
            )
            box.setObjectName("unsavedDialog")
            box.setTextFormat(Qt.TextFormat.PlainText)  # the name may come from the file
            answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_file(self) -> None:
        if self.maybe_save():
            self.document.load_project(examples.default_project())
            self.canvas.fit()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        from PySide6.QtWidgets import QFileDialog

        start = str(self.document.path.parent) if self.document.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open network", start, FILE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Open ``path``; an invalid file shows one sentence and changes nothing."""
        try:
            self.document.open(path)
        except io.FileFormatError as e:
            self.error_dialog("Cannot open this file", str(e))
            return False
        settings.add_recent(str(Path(path).resolve()))
        self.canvas.fit()
        self.show_message(f"Opened {Path(path).name}")
        return True

    def open_example(self, name: str) -> None:
        if self.maybe_save():
            self.document.load_project(examples.load(name))
            self.canvas.fit()

    def error_dialog(self, title: str, message: str) -> None:
        self.show_message(message, error=True)
        if QApplication.platformName() == "offscreen":
            return  # no one to click OK; the status bar keeps the sentence
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("errorDialog")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the sentence may quote file content
        box.exec()

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        from PySide6.QtWidgets import QFileDialog

        start = str(self.document.path or Path.cwd() / "network.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save network as", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as e:
            self.error_dialog("Cannot save", f"{path}: cannot be written ({e.strerror or e}).")
            return False
        settings.add_recent(str(path.resolve()))
        self.show_message(f"Saved {path.name}")
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = settings.recent_files()
        for f in files:
            act = self.recent_menu.addAction(f)
            act.triggered.connect(lambda _=False, p=f: self.maybe_save() and self.open_path(p))
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list").triggered.connect(settings.clear_recent)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls and self.maybe_save():
            self.open_path(urls[0].toLocalFile())
            event.acceptProposedAction()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._docks_fitted:
            # the first time: the right column takes at most a third of a small screen,
            # so that on a 1024-wide laptop the network keeps most of the window
            self._docks_fitted = True
            from nnviz.ui.window_layout import right_width_for

            width = right_width_for(self)
            self.resizeDocks([self.docks["inspectorDock"]], [width], Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.maybe_save():
            from nnviz.ui import window_layout

            window_layout.save(self)  # geometry and docks, if the app placed this window
            event.accept()
        else:
            event.ignore()

    # ---------------------------------------------------------------- help
    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            "About nnviz",
            f"<b>nnviz {__version__}</b><p>See how a neural network computes: "
            "the forward pass, the backward pass and the chain rule, with the "
            "real numbers.</p>",
        )

    #: keys the canvas handles itself (no action): listed by F1 too
    CANVAS_KEYS = (
        ("Clear the selection", "Esc"),
        ("Nudge the selected value by ±0.1", "Alt+Up, Alt+Down"),
    )

    def shortcut_table(self) -> list[tuple[str, str]]:
        """Every action's keys (all of them: PgDown as well as Right) and the canvas's."""
        native = QKeySequence.SequenceFormat.NativeText
        rows = []
        for act in self.actions_by_name.values():
            # a keyboard's own media keys ("Zoom In") are left out: they are no key to type
            keys = [
                text
                for k in act.shortcuts()
                if not k.isEmpty() and " " not in (text := k.toString(native))
            ]
            if keys:
                rows.append((act.text().replace("&", ""), ", ".join(keys)))
        rows.extend(self.CANVAS_KEYS)
        return rows

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{t}</td><td><b>{k}</b></td></tr>" for t, k in self.shortcut_table()
        )
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")
