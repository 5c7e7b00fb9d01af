"""A lesson's pictures and links are read by the safe-file rules (QA2 F7, the lesson panel).

Qt's QTextBrowser opens whatever ``![](path)`` names and reads it whole: a FIFO hung
the window, a 3 GB file would be read into memory. Each case runs in a child with a
timeout and a memory limit, since the old code hangs or exhausts memory; none reads
/dev/zero (a shared machine).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHILD = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication
app = QApplication([])
from nnviz.testing import close_window, make_window
folder = Path(sys.argv[1])
lesson = folder / "pictures.md"
lesson.write_text(
    '+++\nformat = "nnviz.lesson"\nversion = 1\ntitle = "T"\n+++\n\n'
    '+++\ntitle = "A picture"\nexample = "one_neuron"\n+++\n'
    f"Look:\n\n![a figure]({sys.argv[2]})\n",
    encoding="utf-8",
)
window = make_window(folder / "settings")
window.show()
assert window.lessons.open(str(lesson), 0)
text = window.lessons.panel.text
text.grab()  # laid out and drawn: every picture it names is loaded now
got = text.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(sys.argv[2]))
print("loaded" if got is not None and not getattr(got, "isNull", lambda: False)() else "not shown")
close_window(window)
"""


def run_child(folder, name: str, limit: int = 3 << 30) -> str:
    def cap() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", QT_QPA_PLATFORM="offscreen")
    try:
        r = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder), name],
            capture_output=True,
            text=True,
            timeout=90,
            env=env,
            preexec_fn=cap,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the lesson panel waited on {name} (a FIFO read, not refused)")
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_picture_that_is_a_fifo_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "figure.png")
    assert run_child(tmp_path, "figure.png") == "not shown"


def test_a_picture_over_the_limit_is_not_read(tmp_path):
    with open(tmp_path / "huge.png", "wb") as f:
        f.truncate(4 * 1024**3)  # sparse: no disk used; 4 GB read whole is past the cap
    assert run_child(tmp_path, "huge.png") == "not shown"


def test_a_picture_beside_the_lesson_is_still_shown(tmp_path):
    from PySide6.QtGui import QImage

    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    assert image.save(str(tmp_path / "chain.png"))
    assert run_child(tmp_path, "chain.png") == "loaded"


def test_load_resource_refuses_what_read_bounded_refuses(qtbot, tmp_path):
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    from nnviz.ui.lessons.lesson_text import MAX_RESOURCE_BYTES, LessonText

    text = LessonText()
    qtbot.addWidget(text)
    text.setSearchPaths([str(tmp_path)])
    image = QTextDocument.ResourceType.ImageResource
    with open(tmp_path / "big.png", "wb") as f:
        f.truncate(MAX_RESOURCE_BYTES + 1)
    assert text.loadResource(image, QUrl("big.png")) is None
    assert text.loadResource(image, QUrl("missing.png")) is None
    (tmp_path / "sub").mkdir()
    assert text.loadResource(image, QUrl("sub")) is None  # a folder
    (tmp_path / "page.md").write_text("# A page", encoding="utf-8")
    page = text.loadResource(QTextDocument.ResourceType.MarkdownResource, QUrl("page.md"))
    assert bytes(page) == b"# A page"
