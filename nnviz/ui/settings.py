"""Persistent settings through QSettings (recent files, theme, decimals, geometry).

Tests set ``NNVIZ_SETTINGS_SCOPE`` so they never touch the user's own settings.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

MAX_RECENT = 8


def settings() -> QSettings:
    scope = os.environ.get("NNVIZ_SETTINGS_SCOPE", "")
    app = f"nnviz-{scope}" if scope else "nnviz"
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nnviz", app)


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])][:MAX_RECENT]


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
