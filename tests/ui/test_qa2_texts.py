"""QA2's small texts (issues 12 and 13), each with a test that fails on the old code."""

from __future__ import annotations

import re

import pytest

from nnviz.core import examples
from nnviz.core.explain import MINUS, fmt, fmt_change
from nnviz.ui.document import Document


@pytest.fixture
def window(open_window):
    return open_window(examples.default_project(), theme_choice="light")


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


def test_the_chain_rule_update_line_shows_a_tiny_step():
    from nnviz.core import explain

    # seen in lesson 1, step 5: "w ← w − η·∂L/∂w = −0.643 − 0.5 × 6.4e−08 = −0.643"
    line = explain.update_line(-0.643, 6.4e-8, 0.5, 3)
    assert line.endswith("= −0.643 − 0.5 × 6.4e−08 = −0.64300003"), line
    assert explain.update_line(0.5, -0.25, 0.1, 3).endswith("= 0.5 − 0.1 × (−0.25) = 0.525")
    assert explain.update_bias_line(0.0, 0.0, 0.5, 3).endswith("= 0.0 − 0.5 × 0.0 = 0.0")
    assert explain.update_bias_line(1.0, 1e-9, 0.5, 3).endswith("× 1.0e−09 = 0.999999999")


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


# ---------------------------------------- F14c: the gradient-flow axis skipped layer 8
@pytest.mark.parametrize("width", [420, 435, 480])
def test_gradient_flow_labels_every_layer_of_a_9_layer_net_in_the_lesson_dock(qtbot, width):
    from PySide6.QtGui import QImage, QPainter

    from nnviz.ui.panels.gradient_flow import GradientFlowPanel

    doc = Document(examples.load("deep_sigmoid"))
    L = doc.network.depth
    assert L == 9
    panel = GradientFlowPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(width, 380)  # lesson 1, step 5 at 1280x800: the dock is 435 px wide
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: panel.x_ticks[-1:] == [L])
    assert panel.x_ticks == list(range(1, L + 1)), panel.x_ticks
    # as drawn: "9 out" has its 9 on the output's tick, and no two labels overlap
    axis = panel.plot_item.getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    texts = sorted(texts, key=lambda t: t[0].left())
    assert [t[2] for t in texts] == [str(k) for k in range(1, L)] + [f"{L} out"]
    for (a, _, _), (b, _, _) in zip(texts, texts[1:]):
        assert a.right() + 4 <= b.left(), (a, b)
    # the 9 of "9 out" is centred on the output's tick, a layer after the 8's
    seventh, eighth, last = (t[0] for t in texts[-3:])
    tick_9 = eighth.center().x() + (eighth.center().x() - seventh.center().x())
    assert abs(last.left() + eighth.width() / 2 - tick_9) < 1.5, (last, tick_9)
    assert last.right() <= axis.boundingRect().right() + 1  # "out" is not cut
