"""Starting the app: the QApplication, the first document, and headless screenshots."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

#: called with the QApplication as soon as it exists, before any window is made
#: (``nnviz bench`` attaches its first-paint probe here to time start-up)
ON_QAPPLICATION: list[Callable[[object], None]] = []


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


#: platforms that draw into a window system (the others, offscreen, minimal, vnc, need none)
_WINDOW_PLATFORMS = ("", "xcb", "wayland", "wayland-egl")


def no_display_reason(environ=None, platform: str | None = None) -> str | None:
    """Why a window cannot be opened here, as one sentence, or None when it can (or
    when we cannot tell: not Linux, or a platform that needs no window system).

    Checked before the QApplication exists: without a display Qt's xcb plugin aborts
    the process (exit 134) with a message about plugins that sends users looking in
    the wrong place. A local ``DISPLAY=:N`` whose X socket nobody listens on is
    caught too.
    """
    env = os.environ if environ is None else environ
    if platform is None:
        platform = sys.platform
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip().lower()
    if qpa not in _WINDOW_PLATFORMS:
        return None
    hint = (
        "; to render the window to a picture use nnviz --screenshot OUT.png, "
        "or run it under a virtual display with xvfb-run nnviz"
    )
    display = env.get("DISPLAY", "")
    if env.get("WAYLAND_DISPLAY") and qpa != "xcb":
        return None
    if not display:
        return "there is no display to open a window on (DISPLAY is not set)" + hint
    if qpa.startswith("wayland"):
        return None
    if display.startswith(":") and not _x_socket_answers(display):
        return f"there is no X display at DISPLAY={display} (nothing answers there)" + hint
    return None


def _x_socket_answers(display: str) -> bool:
    """Whether an X server listens on the local display ``:N`` (its Unix socket, as a
    file or in the abstract namespace); True when ``display`` is not of that form."""
    import re
    import socket

    m = re.fullmatch(r":(\d+)(\.\d+)?", display)
    if m is None:
        return True
    path = f"/tmp/.X11-unix/X{m.group(1)}"
    for address in (path, "\0" + path):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            try:
                sock.connect(address)
            except OSError:
                continue
            return True
    return False


def run(args: argparse.Namespace) -> int:
    """Open the main window and run the app (or render it to ``args.screenshot``)."""
    started = start(args)
    if isinstance(started, int):
        return started
    app, _window = started
    return app.exec()


def start(args: argparse.Namespace):
    """The QApplication and the shown main window, ``(app, window)``; or, for a
    screenshot or a bad file with no screen, the exit status.

    The cyclic garbage collector is off while the app starts: the imports (numpy,
    Qt's types and enums) and the window make tens of thousands of objects that
    almost all stay alive, so collecting while they are made finds next to nothing
    (it cost ~10 ms, 4 %, of the time to the first paint). Once the panels are
    built, just after the first paint, one collection takes the few hundred
    cycles start-up left behind, the objects alive then are frozen (``gc.freeze``:
    later full collections skip them, so shorter pauses while an animation plays)
    and collection is switched back on.
    """
    collecting = gc.isenabled()
    gc.disable()
    started = None
    try:
        started = _start(args, collecting)
    finally:
        if not isinstance(started, tuple) and collecting:
            gc.enable()  # no window: a screenshot was saved, or the start failed
    return started


def _after_start_up(collecting: bool) -> None:
    gc.collect()  # the few hundred cycles start-up left behind, once, before freezing
    gc.freeze()
    if collecting:
        gc.enable()


def _start(args: argparse.Namespace, collecting: bool):
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
    size = getattr(args, "size", None)
    if size is not None:
        from nnviz.ui.window_layout import check_size

        refused = check_size(size)
        if refused is not None:
            _print_error(refused)
            return 2

    if not headless:
        reason = no_display_reason()
        if reason is not None:
            _print_error(reason)
            return 2

    from PySide6.QtWidgets import QApplication

    if headless:
        quiet_headless_qt()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setApplicationDisplayName("nnviz")
    for hook in ON_QAPPLICATION:
        hook(app)

    from nnviz.ui import errors

    errors.logger()  # notes (a setting that cannot be used) go to the user's log file
    if not headless:
        errors.install()  # an exception in a slot: logged, one sentence, the app runs on

    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    doc = Document(project if project is not None else examples.default_project())
    if project is not None:
        doc.load_project(project, Path(args.file))
    # interactive: the window paints first, the plot docks follow (see MainWindow)
    window = MainWindow(doc, theme_choice=args.theme, defer_panels=not headless)

    from nnviz.ui.lessons import from_args  # --lesson NAME [--lesson-step K], --presenter

    if (status := from_args(window, args)) is not None:
        return status
    if headless:
        return _screenshot(app, window, args)

    from nnviz.ui import window_layout

    window.panels_built.connect(lambda: _after_start_up(collecting))
    # after the first paint: the restore question (if a crash left work behind)
    # comes over the painted window, and the autosave starts
    window.panels_built.connect(lambda: _start_recovery(app, window))
    # the last geometry and docks (clamped to this screen), or 90 % of a first screen
    window_layout.start(window, size)
    window.show()
    if error is not None:
        window.error_dialog("Cannot open this file", error)
    return app, window


def _start_recovery(app, window) -> None:
    if getattr(window, "recovery", None) is not None:
        return
    from nnviz.ui import recovery

    # offer what a crash left behind, then autosave this window's document
    window.recovery = recovery.install(app, window)


def _screenshot(app, window, args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    from nnviz.ui import window_layout

    w, h = args.size or (1440, 900)
    window.resize(w, h)
    window_layout.arrange(window)  # compact below 880 px high, as on a real screen
    window.resize(w, h)  # the size asked, which the roomier arrangement before may have grown
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
