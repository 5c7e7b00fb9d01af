"""Persistent settings through QSettings (recent files, theme, decimals, geometry),
and the folder for the user's own data (autosaves, the log file).

Where things go:

- settings: Qt's place for an ini file (``~/.config/nnviz/nnviz.ini`` on Linux),
  or ``$NNVIZ_CONFIG_DIR/nnviz.ini`` when that variable is set;
- data (autosaves, ``nnviz.log``): ``QStandardPaths.AppDataLocation``
  (``~/.local/share/nnviz/nnviz`` on Linux), or ``$NNVIZ_DATA_DIR``.

Tests point both variables at a temporary folder (tests/conftest.py) and set
``NNVIZ_SETTINGS_SCOPE`` to keep one test's settings from the next, so no test
ever touches the user's own files.

A value that cannot be used (a hand-edited ``decimals=abc``, a theme that does not
exist) is not an error: the typed getters give the default and note it in the
log, once per key and run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

MAX_RECENT = 8

_log = logging.getLogger("nnviz.settings")
_noted: set[tuple[str, str]] = set()


def _app_name() -> str:
    scope = os.environ.get("NNVIZ_SETTINGS_SCOPE", "")
    return f"nnviz-{scope}" if scope else "nnviz"


def settings() -> QSettings:
    folder = os.environ.get("NNVIZ_CONFIG_DIR")
    if folder:
        return QSettings(str(Path(folder) / f"{_app_name()}.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nnviz", _app_name())


def data_dir() -> Path:
    """The user's data folder for nnviz (made if missing): autosaves and the log."""
    folder = os.environ.get("NNVIZ_DATA_DIR")
    if folder:
        path = Path(folder)
    else:
        location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
        path = Path(location) if location else Path.home() / ".local" / "share" / "nnviz"
    path.mkdir(parents=True, exist_ok=True)
    return path


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        _note("recent_files", value, "an empty list")
        return []
    return [str(v) for v in value if isinstance(v, str) and v][:MAX_RECENT]


def add_recent(path: str) -> list[str]:
    files = [path] + [f for f in recent_files() if f != path]
    files = files[:MAX_RECENT]
    settings().setValue("recent_files", files)
    return files


def clear_recent() -> None:
    settings().setValue("recent_files", [])


def get(key: str, default=None):
    return settings().value(key, default)


def put(key: str, value) -> None:
    settings().setValue(key, value)


def _note(key: str, value: object, used: str) -> None:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:80] + "…"
    if (key, shown) not in _noted:
        _noted.add((key, shown))
        _log.warning("setting %s=%s cannot be used; %s is used instead", key, shown, used)


def get_int(key: str, default: int, lo: int, hi: int) -> int:
    """The whole number stored under ``key`` if it lies in [lo, hi]; else ``default``."""
    value = get(key)
    if value is None:
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not lo <= number <= hi:
        _note(key, value, f"{default} (the default; it must be {lo} to {hi})")
        return default
    return number


def get_choice(key: str, default: str, choices: Iterable[str]) -> str:
    """The text stored under ``key`` if it is one of ``choices``; else ``default``."""
    value = get(key)
    if value is None:
        return default
    options = tuple(choices)
    if not isinstance(value, str) or value not in options:
        _note(key, value, f"{default!r} (the default; one of {', '.join(options)})")
        return default
    return value
