"""Shared test set-up: Qt renders offscreen, so a plain ``pytest`` needs no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# keep the user's real settings (recent files, theme) out of the tests
os.environ.setdefault("NNVIZ_SETTINGS_SCOPE", "test")
