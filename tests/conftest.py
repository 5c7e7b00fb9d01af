"""Shared test set-up: Qt renders offscreen, so a plain ``pytest`` needs no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# keep the user's real settings (recent files, theme) out of the tests
os.environ.setdefault("NNVIZ_SETTINGS_SCOPE", "test")


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
