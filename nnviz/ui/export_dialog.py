"""File ▸ Export…: the current step of the current view as an SVG or PNG picture.

``install_export_action(window)`` adds the action to the window's File menu (one
line in the main window calls it). The picture is drawn by the headless
renderer from the window's own document, at the canvas's size, zoom and
centre, at the playback step on screen: what the user sees, without the hover.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

FILTERS = "SVG picture (*.svg);;PNG image (*.png)"


def export_view(window, path: str | Path) -> str:
    """Write what the window's canvas shows to ``path`` (.svg or .png); a sentence saying
    what was written. Raises ValueError (bad name) or OSError (cannot write)."""
    from nnviz.ui.canvas.render import HeadlessRenderer

    out = Path(path)
    kind = out.suffix.lower()
    if kind not in (".svg", ".png"):
        raise ValueError(f"{out.name}: choose a name ending in .svg or .png")
    canvas = window.canvas
    vp = canvas.viewport()
    size = (max(vp.width(), 1), max(vp.height(), 1))
    playback = getattr(window, "playback", None)
    granularity = getattr(playback, "granularity", "layer")
    renderer = HeadlessRenderer(window.document, size, granularity=granularity, view=canvas)
    try:
        if playback is not None and playback.is_active():
            pos = playback.position
            renderer.seek(pos.step, pos.fraction, hold=True)
        if kind == ".svg":
            renderer.save_svg(out, title=f"nnviz: {window.windowTitle()}")
        else:
            renderer.save_png(out)
    finally:
        renderer.close()
    return f"Exported {out.name} ({size[0]}×{size[1]})"


def _on_export(window) -> None:
    start = str(Path.home() / "network.svg")
    path, _filter = QFileDialog.getSaveFileName(window, "Export Picture", start, FILTERS)
    if not path:
        return
    if not Path(path).suffix:
        path += ".png" if _filter.startswith("PNG") else ".svg"
    try:
        msg = export_view(window, path)
    except (ValueError, OSError) as e:
        report = getattr(window, "error_dialog", None)
        if report is not None:
            report("Cannot export the picture", str(e))
        return
    show = getattr(window, "show_message", None)
    if show is not None:
        show(msg)


def install_export_action(window) -> QAction:
    """Add File ▸ Export Picture… (Ctrl+Shift+E) to ``window``; returns the action."""
    act = QAction("&Export Picture…", window)
    act.setObjectName("exportPictureAction")
    act.setShortcut(QKeySequence("Ctrl+Shift+E"))
    act.setToolTip(
        "Save the network as it is shown now (this step, this view) as an SVG or PNG picture "
        f"({act.shortcut().toString()})"
    )
    act.setStatusTip(act.toolTip())
    act.triggered.connect(lambda _checked=False: _on_export(window))
    window.addAction(act)
    menu = next(
        (m for m in window.menuBar().findChildren(QMenu) if m.objectName() == "fileMenu"), None
    )
    if menu is None:
        menu = next(
            (
                a.menu()
                for a in window.menuBar().actions()
                if a.menu() is not None and a.text().replace("&", "") == "File"
            ),
            None,
        )
    if menu is not None:
        quit_act = next((a for a in menu.actions() if a.objectName() == "quitAction"), None)
        if quit_act is not None:
            menu.insertAction(quit_act, act)
            menu.insertSeparator(quit_act)
        else:
            menu.addAction(act)
    return act
