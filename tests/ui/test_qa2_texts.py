"""QA2's small texts (issues 12 and 13), each with a test that fails on the old code."""

from __future__ import annotations

import re

import pytest

from nnviz.core import examples
from nnviz.core.explain import MINUS, fmt, fmt_change
from nnviz.ui.document import Document
from nnviz.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    w = MainWindow(Document(examples.default_project()), theme_choice="light")
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.document.undo_stack.setClean()
    w.close()
    w.deleteLater()


def numbers(text: str) -> list[float]:
    return [float(s.replace(MINUS, "-")) for s in re.findall(r"[−-]?\d+\.\d+(?:e[−-]\d+)?", text)]


# ------------------------------------------------ F12: "falls from 1.993 to 1.993"
def test_fmt_change_tells_the_two_numbers_apart():
    assert fmt_change(1.99321, 1.99283, 3) == ("1.9932", "1.9928")
    assert fmt_change(1.9931, 1.9929, 3) == ("1.9931", "1.9929")
    assert fmt_change(1.82, 53.834, 3) == ("1.82", "53.834")  # no digits added when not needed
    assert fmt_change(0.5, 0.5, 3) == ("0.5", "0.5")
    b, a = fmt_change(1.0, 1.0 + 1e-12, 3)
    assert b != a and float(a) == pytest.approx(1.0 + 1e-12, abs=1e-14)


def test_a_tiny_loss_change_is_shown_in_the_caption_and_the_status_bar(window):
    doc, pb = window.document, window.playback
    pb.to_end()
    assert doc.set_learning_rate(1e-4)  # the loss changes below the shown decimals
    before, after = float(doc.grads.loss), doc.loss_after_update()
    d = doc.decimals
    assert after < before and fmt(before, d) == fmt(after, d)  # the old text: "from x to x"
    caption = pb.caption()
    assert "falls from" in caption
    b, a = numbers(caption.split("falls from")[1])[:2]
    assert b != a and b == pytest.approx(before, abs=10**-d)
    assert a == pytest.approx(after, abs=10**-d)
    assert b > a  # the text says "falls", and its numbers fall
    bar = window.features["playback"].bar
    assert bar.label.text() == caption  # the playback bar writes the same sentence
    bar.apply_button.click()
    status = window.status.text()
    assert "the loss fell from" in status, status
    b, a = numbers(status.split("fell from")[1])[:2]
    assert b != a and b > a, status
