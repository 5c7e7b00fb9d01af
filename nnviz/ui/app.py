"""Starting the app: the QApplication, the first document, and headless screenshots."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _print_error(msg: str) -> None:
    print(f"nnviz: {msg}", file=sys.stderr)


def quiet_headless_qt() -> None:
    """Drop Qt's notes that mean nothing without a screen ("This plugin does not
    support propagateSizeHints()"); every other Qt message still reaches stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(mode, context, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)


def run(args: argparse.Namespace) -> int:
    """Open the main window (or render it to ``args.screenshot`` and exit)."""
    headless = bool(args.screenshot)
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from nnviz.core import examples, io

    # read the file before any window exists: a bad file headless is one line and exit 2
    project = None
    error = None
    if args.file:
        try:
            project = io.load(args.file)
        except io.FileFormatError as e:
            error = str(e)
            if headless:
                _print_error(error)
                return 2
    if headless and args.screenshot and not str(args.screenshot).lower().endswith(".png"):
        _print_error(f"{args.screenshot}: the screenshot must be a .png file")
        return 2

    from PySide6.QtWidgets import QApplication

    if headless:
        quiet_headless_qt()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setApplicationDisplayName("nnviz")

    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    doc = Document(project if project is not None else examples.default_project())
    if project is not None:
        doc.load_project(project, Path(args.file))
    # interactive: the window paints first, the plot docks follow (see MainWindow)
    window = MainWindow(doc, theme_choice=args.theme, defer_panels=not headless)

    if headless:
        return _screenshot(app, window, args)

    window.show()
    if error is not None:
        window.error_dialog("Cannot open this file", error)
    return app.exec()


def _screenshot(app, window, args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    w, h = args.size
    window.resize(w, h)
    window.show()
    for _ in range(3):
        QCoreApplication.processEvents()
    if args.step is not None:
        seek = getattr(window, "seek_step", None)
        if seek is None:
            _print_error("--step needs the playback bar, which this build does not have")
            return 2
        ok = seek(args.step)
        if ok is False:
            return 2
        for _ in range(2):
            QCoreApplication.processEvents()
    window.canvas.fit()
    QCoreApplication.processEvents()
    image = window.grab()
    out = Path(args.screenshot)
    try:
        if not image.save(str(out), "PNG"):
            raise OSError("could not write PNG")
    except OSError as e:
        _print_error(f"{out}: cannot be written ({e})")
        return 2
    print(f"saved {out} ({image.width()}×{image.height()})")
    window.document.undo_stack.setClean()
    window.close()
    return 0
