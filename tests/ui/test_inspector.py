"""The inspector's number fields: a value beyond the core's limit is refused aloud."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.core import examples
from nnviz.core.network import MAX_ABS_VALUE
from nnviz.ui.document import Document, Selection
from nnviz.ui.panels.inspector import InspectorPanel


@pytest.fixture
def setup(qtbot):
    doc = Document(examples.load("default"))
    panel = InspectorPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return doc, panel


def _type(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def _state(doc: Document) -> list[np.ndarray]:
    net = doc.network
    return [x.copy() for layer in net.layers for x in (layer.W, layer.b)] + [
        doc.sample.input.copy(),
        doc.sample.target.copy(),
    ]


@pytest.mark.parametrize(
    ("select", "field"),
    [
        (Selection.of_edge(1, 0, 0), "weight"),
        (Selection.of_neuron(1, 0), "bias"),
        (Selection.of_neuron(0, 0), "input"),
    ],
)
def test_a_value_beyond_the_limit_is_refused_with_a_sentence(qtbot, setup, select, field):
    doc, panel = setup
    doc.select(select)
    spin = getattr(panel, field)
    old = spin.value()
    before = _state(doc)
    messages: list[str] = []
    doc.edit_refused.connect(messages.append)
    _type(qtbot, spin, "1000000000")
    assert len(messages) == 1
    assert "1e+09" in messages[0] and f"±{MAX_ABS_VALUE:g}" in messages[0]
    for a, b in zip(before, _state(doc), strict=True):
        np.testing.assert_array_equal(a, b)  # nothing changed
    assert spin.value() == old  # the field shows the kept value again


def test_the_target_too(qtbot, setup):
    doc, panel = setup
    doc.select(Selection.of_neuron(doc.network.depth, 0))
    before = doc.sample.target.copy()
    messages: list[str] = []
    doc.edit_refused.connect(messages.append)
    _type(qtbot, panel.target, "-2000000")
    assert messages and "beyond the limit" in messages[0]
    np.testing.assert_array_equal(doc.sample.target, before)
    assert panel.target.value() == before[0]


def test_a_value_within_the_limit_is_set(qtbot, setup):
    doc, panel = setup
    doc.select(Selection.of_edge(1, 0, 0))
    _type(qtbot, panel.weight, "999999")
    assert doc.network.layers[0].W[0, 0] == 999999.0
