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
# the tests run in one process per core (pytest-xdist): one BLAS thread each, or
# numpy's threads spin against the other workers
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="run the fuzzers long and with fresh random inputs (CI runs them short, "
        "with a fixed seed)",
    )


def pytest_configure(config):
    # read by the fuzz tests when they are collected (tests/core/test_fuzz_*.py)
    if config.getoption("--fuzz-long", default=False):
        os.environ["NNVIZ_FUZZ_LONG"] = "1"


_home = tempfile.mkdtemp(prefix="nnviz-tests-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["NNVIZ_CONFIG_DIR"] = os.path.join(_home, "config")
os.environ["NNVIZ_DATA_DIR"] = os.path.join(_home, "data")

from PySide6.QtCore import QStandardPaths  # noqa: E402

QStandardPaths.setTestModeEnabled(True)
