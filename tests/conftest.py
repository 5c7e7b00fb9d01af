"""Shared test set-up: Qt renders offscreen, so a plain ``pytest`` needs no display.

No test touches the user's own files: settings, autosaves and the log go to a
temporary folder for the whole run (``NNVIZ_CONFIG_DIR``, ``NNVIZ_DATA_DIR``,
inherited by the app processes tests start), and Qt's standard paths are in
test mode.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# keep the user's real settings (recent files, theme) out of the tests
os.environ.setdefault("NNVIZ_SETTINGS_SCOPE", "test")

_home = tempfile.mkdtemp(prefix="nnviz-tests-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["NNVIZ_CONFIG_DIR"] = os.path.join(_home, "config")
os.environ["NNVIZ_DATA_DIR"] = os.path.join(_home, "data")

from PySide6.QtCore import QStandardPaths  # noqa: E402

QStandardPaths.setTestModeEnabled(True)
