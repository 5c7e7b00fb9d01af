"""The top-level error handler: no exception escapes into Qt, nothing reaches the user raw.

An exception that leaves a slot reaches ``sys.excepthook`` (PySide prints it from
inside its own handler, which a RecursionError can crash, issue 14). The hook put
in by :func:`install` writes the traceback to the user's log file and shows one
sentence in the window's status bar; the app keeps running. Undo commands catch
their own exceptions (``nnviz.ui.document._GuardedCommand``) and come here to
log and word them.

The log file is ``nnviz.log`` in the data folder (:func:`nnviz.ui.settings.data_dir`:
``~/.local/share/nnviz/nnviz/nnviz.log`` on Linux, ``$NNVIZ_DATA_DIR`` when set);
it is rotated at 1 MB, two old files kept.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path

#: the longest exception text quoted in a sentence (the log keeps all of it)
MAX_QUOTED = 200

_logger = logging.getLogger("nnviz")
_handler: logging.Handler | None = None
_handler_path: Path | None = None
_lock = threading.Lock()
_in_hook = threading.local()


def log_path() -> Path:
    from nnviz.ui import settings

    return settings.data_dir() / "nnviz.log"


def logger() -> logging.Logger:
    """The ``nnviz`` logger, writing to :func:`log_path` (set up on first use)."""
    global _handler, _handler_path
    with _lock:
        try:
            path = log_path()
        except OSError:
            return _logger  # no data folder: nothing is written, nothing breaks
        if _handler is None or _handler_path != path:
            if _handler is not None:
                _logger.removeHandler(_handler)
                _handler.close()
            _handler = _LazyFileHandler(path)
            _handler_path = path
            _logger.addHandler(_handler)
            _logger.setLevel(logging.INFO)
    return _logger


class _LazyFileHandler(logging.Handler):
    """A rotating log file, opened (and ``logging.handlers`` imported, ~6 ms of
    start-up) only when the first line is written."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            import logging.handlers

            self._file = logging.handlers.RotatingFileHandler(
                self.path, maxBytes=1_000_000, backupCount=2, encoding="utf-8", delay=True
            )
            self._file.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
        self._file.emit(record)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` on one line, control characters escaped, cut after ``limit`` characters.

    A local helper until the shared message helper (nnviz.core.messages) lands.
    """
    out = []
    for ch in text[: limit + 1]:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    short = "".join(out)
    if len(text) > limit:
        short = f"{short[:limit]}… ({len(text):,} characters)"
    return short


def describe(exc: BaseException) -> str:
    """What went wrong, in words a user can act on."""
    if isinstance(exc, RecursionError):
        return "the data nests too deeply for nnviz to handle"
    if isinstance(exc, MemoryError):
        return "there is not enough memory"
    text = shorten(str(exc))
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def log_exception(what: str, exc: BaseException | None = None) -> None:
    """Write ``what`` and the traceback of ``exc`` (or the one being handled) to the log."""
    if exc is None:
        exc = sys.exc_info()[1]
    try:
        if exc is None:
            logger().error("%s", what)
        else:
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=60))
            logger().error("%s\n%s", what, tb)
    except Exception:  # noqa: BLE001 - the log is best effort; never a second failure
        pass


def report(exc: BaseException, what: str, outcome: str = "") -> str:
    """Log ``exc`` and give the sentence for the user: what failed, why, what it left."""
    log_exception(what, exc)
    sentence = f"{what}: {describe(exc)}"
    if outcome:
        sentence += f"; {outcome}"
    return f"{sentence}. The details are in {log_path_text()}."


def log_path_text() -> str:
    try:
        return str(log_path())
    except OSError:
        return "the log (which cannot be written)"


def _show(sentence: str) -> None:
    """Put ``sentence`` in the status bar of the active nnviz window (if any)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    window = QApplication.activeWindow()
    if window is None or not hasattr(window, "show_message") or not window.isVisible():
        windows = [w for w in QApplication.topLevelWidgets() if hasattr(w, "show_message")]
        window = next((w for w in windows if w.isVisible()), windows[0] if windows else None)
    if window is not None:
        window.show_message(sentence, error=True, ms=15000)


def _excepthook(exc_type, exc, tb, previous=None) -> None:
    if getattr(_in_hook, "active", False):  # a failure while handling one: stderr only
        sys.__excepthook__(exc_type, exc, tb)
        return
    _in_hook.active = True
    try:
        if exc is not None and exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        sentence = report(exc, "Something went wrong", "the app keeps running")
        try:
            _show(sentence)
        except Exception:  # noqa: BLE001
            log_exception("showing the error sentence")
        if previous is not None and previous is not sys.__excepthook__:
            previous(exc_type, exc, tb)  # e.g. pytest-qt, which fails the test
    finally:
        _in_hook.active = False


_installed: tuple | None = None


def install() -> None:
    """Route exceptions from slots and threads to the log and the status bar."""
    global _installed
    if _installed is not None and sys.excepthook is _installed[2]:
        return  # in place (someone else may have put theirs back since: then again)
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def hook(exc_type, exc, tb) -> None:
        _excepthook(exc_type, exc, tb, previous_sys)

    def thread_hook(args) -> None:
        if args.exc_type is SystemExit:
            return
        log_exception(f"in thread {getattr(args.thread, 'name', '?')}", args.exc_value)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    _installed = (previous_sys, previous_thread, hook)


def uninstall() -> None:
    """Put back the hooks from before :func:`install` (tests)."""
    global _installed
    if _installed is None:
        return
    if sys.excepthook is _installed[2]:
        sys.excepthook, threading.excepthook = _installed[:2]
    _installed = None
