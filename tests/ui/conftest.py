"""The main window, as the UI tests open it."""

import pytest

from nnviz.core import examples, io
from nnviz.ui.document import Document
from nnviz.ui.main_window import MainWindow


@pytest.fixture
def open_window(qtbot, tmp_path, monkeypatch):
    """A factory: ``open_window(project, size=(1280, 800), **window_options)`` shows the
    main window on ``project`` (an example's name or a Project) with settings of its own,
    and closes it after the test — marked saved first, so no question blocks the
    teardown."""
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    windows: list[MainWindow] = []

    def make(project: str | io.Project, size=(1280, 800), **options) -> MainWindow:
        if isinstance(project, str):
            project = examples.load(project)
        w = MainWindow(Document(project), **options)
        windows.append(w)
        w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        return w

    yield make
    for w in windows:
        w.document.undo_stack.setClean()
        w.close()
        w.deleteLater()
