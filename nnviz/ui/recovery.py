"""Autosave and crash recovery: nothing made is lost.

A few seconds after each change (:data:`DELAY_MS`, debounced) the document is
written to ``autosave/`` in the user's data folder
(:func:`nnviz.ui.settings.data_dir`). The GUI thread only copies the arrays (a
memcpy); one worker thread turns the copy into JSON a few thousand numbers at a
time (so the GUI thread gets the interpreter between pieces: one ``json.dumps``
of a 2-million-weight network held it for ~2 s) and writes it atomically (a
temporary file, fsync, rename, fsync of the folder), so typing and dragging
never wait for the disk and a crash mid-write leaves the previous autosave.
Edits that come faster than the disk replace the copy waiting to be written.
Saving the document, or a clean quit, removes its autosave.

Each autosaver holds a lock file (``<pid>-<time>.lock``, a ``QLockFile``: the
pid, host and an OS lock that the system drops when the process dies) beside its
autosave for as long as its window lives. When nnviz starts, it offers only the
autosaves whose lock it can take — their nnviz crashed or was killed — and
holds that lock while it asks, so a second nnviz starting meanwhile does not
offer the same one; autosaves of other running nnviz sessions are left alone.
An autosave without a lock file (an older nnviz) is judged by the pid and
process start time written in it. Each is offered with its name, its file and
the time of the autosave. Restoring opens it as an unsaved edit on top of the
file as saved (undo shows the saved file), so Save writes it where it came from.
Discard removes the autosave; Later keeps it for the next start. Tests answer
without a dialog through :data:`answer`, as ``MainWindow.unsaved_answer`` does.

An autosave file is one JSON object::

    {"format": "nnviz.autosave", "version": 1, "pid": 1234, "token": "…",
     "name": "xor.json", "path": "/home/me/xor.json" | null,
     "saved_at": 1796000000.0, "project": { …a network file… }}

The project inside is read back through the same checks as any network file
(``nnviz.core.io.from_dict``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Qt, QTimer, Signal

from nnviz.core import examples, io
from nnviz.ui import errors, settings
from nnviz.ui.document import Document

FORMAT = "nnviz.autosave"
VERSION = 1
#: the quiet time after the last change before the document is written
DELAY_MS = int(os.environ.get("NNVIZ_AUTOSAVE_MS", "3000") or 3000)

#: how tests answer the restore question without a dialog:
#: "restore", "discard" or "later" (None: ask; offscreen with no answer: later)
answer: str | None = None

_log = logging.getLogger("nnviz.recovery")  # written to the log file (nnviz.ui.errors)


def autosave_dir() -> Path:
    path = settings.data_dir() / "autosave"
    path.mkdir(parents=True, exist_ok=True)
    return path


# -------------------------------------------------------------- processes
def _process_token(pid: int) -> str | None:
    """Something that tells this process from a later one with the same id
    (Linux: its start time); None where it cannot be known."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after it
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None  # field 22: starttime


def _alive(pid: object, token: object) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: alive
    except OSError:
        return False
    if isinstance(token, str) and Path("/proc").is_dir():
        return _process_token(pid) == token
    return True


# ----------------------------------------------------------------- writer
class _Writer:
    """One worker thread that runs file jobs in order (so an older autosave never
    lands after a newer one); a job that fails is logged, never raised."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._last: Future | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="nnviz-autosave")
            try:
                self._last = self._pool.submit(_logged, job)
                return
            except RuntimeError:  # the interpreter is shutting down: no new threads
                pass
        self.drain()
        _logged(job)  # here and now, after the jobs before it

    def drain(self) -> None:
        """Wait until every job given so far is done (one worker: the last is the
        last to run)."""
        with self._lock:
            last = self._last
        if last is not None:
            last.result()


def _logged(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:  # noqa: BLE001 - an autosave that fails is logged, never raised
        errors.log_exception("autosave")


_writer = _Writer()

#: numbers encoded in one go by the worker: a few milliseconds of holding the
#: interpreter, after which the GUI thread can take it (a 2-million-weight network
#: encoded in one json.dumps held it, and so froze the window, for ~2 s)
CHUNK = 4096


class _Rows:
    """An array in the autosave's JSON object, written a few rows at a time."""

    def __init__(self, array) -> None:
        self.array = array

    def pieces(self) -> Iterator[str]:
        a = self.array
        if a.ndim == 0:
            yield json.dumps(a.item(), allow_nan=False)
            return
        per_row = max(1, a[0].size) if len(a) else 1
        step = max(1, CHUNK // per_row)
        yield "["
        for start in range(0, len(a), step):
            if start:
                yield ", "
            # a chunk of rows as one list, without its outer brackets
            yield json.dumps(a[start : start + step].tolist(), allow_nan=False)[1:-1]
        yield "]"


def _pieces(value) -> Iterator[str]:
    """The JSON text of ``value`` (the same as ``json.dumps``), in short pieces."""
    if isinstance(value, _Rows):
        yield from value.pieces()
    elif isinstance(value, dict):
        yield "{"
        for k, (key, item) in enumerate(value.items()):
            yield (", " if k else "") + json.dumps(str(key)) + ": "
            yield from _pieces(item)
        yield "}"
    elif isinstance(value, list) and any(isinstance(x, dict | _Rows) for x in value):
        yield "["
        for k, item in enumerate(value):
            if k:
                yield ", "
            yield from _pieces(item)
        yield "]"
    else:
        yield json.dumps(value, allow_nan=False)


def _write_atomically(path: Path, pieces: Iterable[str]) -> None:
    """Write the text ``pieces`` to ``path`` through a temporary file, fsync and a
    rename: a crash at any moment leaves either the old file or the new one."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            batch: list[str] = []
            size = 0
            for piece in pieces:
                batch.append(piece)
                size += len(piece)
                if size >= 1 << 20:  # about 1 MB a write: neither one huge nor many tiny
                    f.write("".join(batch).encode("utf-8"))
                    batch, size = [], 0
            f.write("".join(batch).encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (where the system allows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------- autosave
class Autosaver(QObject):
    """Writes ``document`` to its autosave file a little after each change."""

    #: an autosave was written (the file's path; emitted on the GUI thread)
    written = Signal(str)

    def __init__(self, document: Document, delay_ms: int | None = None) -> None:
        # no Qt parent and a weak reference: a child that holds its parent is a
        # cycle through C++ that PySide's garbage collection crashes on
        super().__init__()
        self._doc_ref = weakref.ref(document)
        stamp = time.time_ns()
        self.path = autosave_dir() / f"{os.getpid()}-{stamp}.json"
        self._token = _process_token(os.getpid())
        # held while this session runs: another nnviz starting meanwhile sees the
        # lock taken and leaves this autosave alone; the system drops it if we die
        self._lock = _session_lock(self.path)
        # the newest copy not yet written, and whether a job for it is queued:
        # edits faster than the disk replace the copy instead of queueing more
        self._state = threading.Lock()
        self._pending: tuple[dict, io.Project] | None = None
        self._queued = False
        self._generation = 0  # bumped by remove(): older queued writes do nothing
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS if delay_ms is None else delay_ms)
        self._timer.timeout.connect(self.flush)
        self._exists = False
        self._closed = False
        document.undo_stack.indexChanged.connect(self._on_changed)
        document.file_state_changed.connect(self._on_changed)
        document.results_changed.connect(self._on_changed)
        if document.modified:  # changed before the autosave began
            self._timer.start()

    @property
    def document(self) -> Document | None:
        return self._doc_ref()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def _on_changed(self, *_args) -> None:
        doc = self.document
        if self._closed or doc is None:
            return
        try:
            modified = doc.modified
        except RuntimeError:  # the document is being destroyed
            return
        if not modified:
            self._timer.stop()
            self.remove()  # saved (or back to the saved state): nothing to recover
        else:
            self._timer.start()

    def flush(self) -> None:
        """Write the autosave now (if there are unsaved changes)."""
        self._timer.stop()
        doc = self.document
        if self._closed or doc is None:
            return
        if not doc.modified:
            self.remove()
            return
        try:
            snapshot = doc.project.copy()  # cheap: copies the arrays, nothing more
            meta = {
                "format": FORMAT,
                "version": VERSION,
                "pid": os.getpid(),
                "token": self._token,
                "name": doc.display_name(),
                "path": str(doc.path.resolve()) if doc.path is not None else None,
                "saved_at": time.time(),
            }
        except Exception:  # noqa: BLE001
            errors.log_exception("autosave: copying the document")
            return
        self._exists = True
        with self._state:
            self._pending = (meta, snapshot)
            if self._queued:
                return  # the queued job writes this newer copy
            self._queued = True
            generation = self._generation
        _writer.submit(lambda: self._write(generation))

    def _write(self, generation: int) -> None:
        """On the worker thread: encode the newest copy and write it atomically."""
        with self._state:
            if generation != self._generation:
                return  # removed since: a later job has the newer copy, if any
            pending, self._pending, self._queued = self._pending, None, False
        if pending is None:
            return
        meta, snapshot = pending
        data = dict(meta, project=io.to_dict(snapshot, _Rows))
        _write_atomically(self.path, _pieces(data))
        self._emit_written(str(self.path))

    def _emit_written(self, path: str) -> None:
        # from the worker thread: a queued signal reaches the GUI thread
        with contextlib.suppress(RuntimeError):  # the autosaver is gone
            self.written.emit(path)

    def remove(self) -> None:
        """Remove the autosave file (after the writes already queued)."""
        if not self._exists:
            return
        self._exists = False
        path = self.path
        with self._state:
            self._pending, self._queued = None, False
            self._generation += 1

        def job() -> None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

        _writer.submit(job)

    def close(self) -> None:
        """A clean end: stop, remove the autosave and wait for the disk."""
        self._timer.stop()
        self.remove()
        self._closed = True
        _writer.drain()
        if self._lock is not None:
            self._lock.unlock()  # removes the lock file


def _lock_path(autosave: Path) -> Path:
    return autosave.with_suffix(".lock")


def _session_lock(autosave: Path) -> QLockFile | None:
    """The lock this session holds on ``autosave`` while it runs (None if the
    folder cannot hold one: the autosave is then told apart by its pid)."""
    lock = QLockFile(str(_lock_path(autosave)))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    if lock.tryLock(0):
        return lock
    _log.warning("autosave lock %s cannot be made: %s", _lock_path(autosave), lock.error())
    return None


# ---------------------------------------------------------------- recovery
@dataclass
class Leftover:
    """An autosave whose process is gone: what the restore question shows."""

    file: Path
    name: str
    path: str | None
    saved_at: float
    project: io.Project
    #: its session's lock, held by this process while the question is open (another
    #: nnviz starting meanwhile does not offer it too); None where there is none
    lock: QLockFile | None = None

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.saved_at).strftime("%H:%M:%S on %d %b %Y")

    def release(self) -> None:
        """Let go of its lock (and its lock file): answered, or asked again later."""
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None


def _claim(autosave: Path) -> tuple[QLockFile | None, bool] | None:
    """Take the lock of ``autosave``'s session: None while that session runs
    (another nnviz has it); else the lock, now ours, and whether a lock file was
    there (an autosave without one is judged by the pid written in it)."""
    lock_file = _lock_path(autosave)
    had_lock = lock_file.exists()
    lock = QLockFile(str(lock_file))
    lock.setStaleLockTime(0)  # stale only when its process is gone
    if lock.tryLock(0):
        return lock, had_lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None  # held: a running nnviz (its process is alive)
    return None if had_lock else (None, False)  # no lock can be made here


def leftovers() -> list[Leftover]:
    """Autosaves left by processes that ended without a clean quit, newest first.

    An unreadable autosave is noted in the log and removed; the temporary file of
    a write that was cut short is removed; autosaves of running nnviz windows are
    left alone.
    """
    found: list[Leftover] = []
    try:
        folder = autosave_dir()
        entries = sorted(folder.iterdir())
    except OSError:
        errors.log_exception("looking for autosaves")
        return found
    names = {entry.name for entry in entries}
    claims: dict[str, tuple[QLockFile | None, bool] | None] = {}

    def claim(autosave: Path) -> tuple[QLockFile | None, bool] | None:
        if autosave.name not in claims:  # once per session: the lock stays ours
            claims[autosave.name] = _claim(autosave)
        return claims[autosave.name]

    for entry in entries:
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            pid = entry.name[1:].split("-", 1)[0]
            stem = entry.name[1:].split(".", 1)[0]
            if f"{stem}.lock" in names and claim(folder / f"{stem}.json") is None:
                continue  # a running nnviz is writing it
            if not (pid.isdigit() and _alive(int(pid), None)):
                with contextlib.suppress(OSError):
                    entry.unlink()
            continue
        if entry.suffix == ".lock" and entry.with_suffix(".json").name not in names:
            claimed = claim(entry.with_suffix(".json"))
            if claimed is not None and claimed[0] is not None:
                claimed[0].unlock()  # a dead session that had written nothing: tidy up
            continue
        if entry.suffix != ".json" or not entry.is_file():
            continue
        claimed = claim(entry)
        if claimed is None:
            continue  # its nnviz is running (or another one is offering it right now)
        lock, had_lock = claimed
        try:
            if entry.stat().st_size > 64 * 1024 * 1024:
                raise ValueError("larger than any network file")
            data = json.loads(entry.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not an nnviz autosave")
            if not had_lock and _alive(data.get("pid"), data.get("token")):
                if lock is not None:
                    lock.unlock()
                continue  # no lock file (an older nnviz): its process is alive
            project = io.from_dict(data.get("project"))
            saved_at = float(data.get("saved_at", entry.stat().st_mtime))
            path = data.get("path")
            name = data.get("name")
            found.append(
                Leftover(
                    entry,
                    name if isinstance(name, str) and name else "Untitled",
                    path if isinstance(path, str) and path else None,
                    saved_at,
                    project,
                    lock,
                )
            )
        except (OSError, ValueError, RecursionError) as e:
            _log.warning("autosave %s cannot be restored and is removed: %s", entry, e)
            with contextlib.suppress(OSError):
                entry.unlink()
            if lock is not None:
                lock.unlock()
    found.sort(key=lambda x: x.saved_at, reverse=True)
    return found


def restore_into(document: Document, leftover: Leftover) -> None:
    """Open ``leftover`` in ``document``: the file as saved, then the unsaved
    changes as one undoable step (the document is marked unsaved)."""
    base = None
    path = Path(leftover.path) if leftover.path else None
    if path is not None:
        try:
            base = io.load(path)
        except io.FileFormatError as e:
            _log.warning("restoring %s: the saved file cannot be read (%s)", path, e)
    if base is None:
        base = examples.default_project()
    document.load_project(base, path)
    document.replace_project(leftover.project, "Restore unsaved changes")


def _ask(window, leftover: Leftover) -> str:
    from PySide6.QtWidgets import QApplication, QMessageBox

    if answer is not None:
        return answer
    if QApplication.platformName() == "offscreen":
        return "later"  # no one to ask; the autosave waits for a start with a screen
    box = QMessageBox(window)
    box.setObjectName("restoreDialog")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Restore unsaved work")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"nnviz closed without saving “{errors.shorten(leftover.name, 80)}”.")
    where = f"\nFile: {errors.shorten(leftover.path, 200)}" if leftover.path else ""
    box.setInformativeText(
        f"Its unsaved changes were kept at {leftover.when}.{where}\n\nRestore them?"
    )
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Ask Again Later", QMessageBox.ButtonRole.RejectRole)
    restore.setToolTip("Open the network as it was at the autosave, marked unsaved")
    discard.setToolTip("Delete the autosave; the file stays as it was last saved")
    later.setToolTip("Keep the autosave and ask at the next start")
    box.setDefaultButton(restore)
    box.exec()
    clicked = box.clickedButton()
    if clicked is restore:
        return "restore"
    if clicked is discard:
        return "discard"
    return "later"


class Recovery(QObject):
    """Autosave for every window of the app, and the restore offer at start."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self.autosavers: list[Autosaver] = []
        self.windows: list = []  # windows opened for restored documents
        app.aboutToQuit.connect(self.close)

    def watch(self, document: Document) -> Autosaver:
        saver = Autosaver(document)
        self.autosavers.append(saver)
        return saver

    def offer_restore(self, window) -> int:
        """Ask about each leftover autosave; the number of documents restored."""
        restored = 0
        for leftover in leftovers():
            try:
                restored += self._offer(window, leftover, restored)
            finally:
                leftover.release()
        return restored

    def _offer(self, window, leftover: Leftover, restored: int) -> int:
        """Ask about one leftover (``restored`` went before it): 1 if restored."""
        choice = _ask(window, leftover)
        if choice == "restore":
            # into the start window if it holds nothing of its own yet (the
            # built-in network, or the very file this autosave belongs to)
            doc = window.document
            here = doc.path is None or str(doc.path.resolve()) == leftover.path
            target = window if not restored and not doc.modified and here else None
            if target is None:
                target = self._new_window(window)
            try:
                restore_into(target.document, leftover)
            except Exception as exc:  # noqa: BLE001 - keep the autosave for later
                target.show_message(
                    errors.report(exc, f"Could not restore {leftover.name}", "it is kept"),
                    error=True,
                )
                return 0
            target.canvas.fit()
            target.show_message(f"Restored the unsaved changes from {leftover.when}.")
            # its own autosave is on the disk before the old one goes
            for saver in self.autosavers:
                if saver.document is target.document:
                    saver.flush()
            _writer.drain()
        if choice in ("restore", "discard"):
            with contextlib.suppress(OSError):
                leftover.file.unlink()
        return 1 if choice == "restore" else 0

    def _new_window(self, like):
        from nnviz.ui.main_window import MainWindow

        window = MainWindow(Document(), theme_choice=getattr(like, "_theme_choice", None))
        # closed (saved, or changes discarded): gone, and its autosave with it
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.windows.append(window)
        saver = self.watch(window.document)
        window.destroyed.connect(lambda *_: self._window_closed(window, saver))
        window.show()
        return window

    def _window_closed(self, window, saver: Autosaver) -> None:
        saver.close()
        with contextlib.suppress(ValueError):
            self.autosavers.remove(saver)
        with contextlib.suppress(ValueError):
            self.windows.remove(window)

    def close(self) -> None:
        """A clean quit: every autosave goes."""
        for saver in list(self.autosavers):
            with contextlib.suppress(RuntimeError):
                saver.close()


def install(app, window) -> Recovery:
    """Offer to restore what a crash left, then autosave ``window``'s document."""
    errors.logger()  # the log file is ready for what recovery notes
    recovery = Recovery(app)
    recovery.watch(window.document)
    recovery.offer_restore(window)
    return recovery
