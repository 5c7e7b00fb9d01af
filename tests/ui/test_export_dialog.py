"""File ▸ Export Picture…: the current step and view of the window, as SVG or PNG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from nnviz.core import examples
from nnviz.ui.document import Document
from nnviz.ui.export_dialog import export_view
from nnviz.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    w = MainWindow(Document(examples.load("default")), theme_choice="light")
    qtbot.addWidget(w, before_close_func=lambda w: w.document.undo_stack.setClean())
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_the_file_menu_has_export_picture(window):
    act = window.findChild(type(window.actions()[0]), "exportPictureAction")
    assert act is not None and act.toolTip() and act.shortcut().toString()
    assert act in window.file_menu.actions()


def test_export_view_writes_the_current_step_and_view(window, tmp_path):
    c = window.playback
    c.seek_step(c.plan.find("grad_edges", 1))
    window.canvas.zoom_by(1.25)
    msg = export_view(window, tmp_path / "now.svg")
    assert "now.svg" in msg
    root = ET.parse(tmp_path / "now.svg").getroot()
    texts = ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith(f"Step {c.step} / ") for t in texts)
    assert any(t.startswith("∂L/∂w = ") for t in texts)
    vp = window.canvas.viewport()
    export_view(window, tmp_path / "now.png")
    with Image.open(tmp_path / "now.png") as im:
        assert im.size == (vp.width(), vp.height())
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        export_view(window, tmp_path / "now.bmp")
    # the window is untouched: same step, nothing to save
    assert c.step == c.plan.find("grad_edges", 1)
    assert window.document.undo_stack.isClean()
