"""Inputs named by their features (issue 12): with x₁², sin x₁, … on, the canvas, the
inspector, the chain-rule panel, the activation plot and the playback captions write
each input as its feature, from one source (``Document.input_names``)."""

from __future__ import annotations

import pytest

from nnviz.core import examples, explain
from nnviz.ui.document import Selection


@pytest.fixture
def window(open_window):
    return open_window("train_spiral")


def chain_text(w) -> str:
    return w.findChild(object, "chainRuleText").toPlainText()


def test_the_document_names_the_inputs_by_the_training_features(window):
    doc, panel = window.document, window.training.panel
    assert doc.training_spec.features == (
        "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"
    )  # fmt: skip
    assert doc.input_names == ("x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin x₁", "sin x₂")
    for name in ("x1*x2", "sin(x2)"):
        panel.feature_boxes[name].setChecked(False)
    assert doc.input_names == ("x₁", "x₂", "x₁²", "x₂²", "sin x₁")
    doc.undo_stack.undo()
    assert doc.input_names[-1] == "sin x₂" and len(doc.input_names) == 6
    # a network without a training section: x1, x2, … as ever
    doc.load_project(examples.default_project())
    assert doc.input_names is None
    assert explain.input_symbol(0, doc.input_names) == "x1"


def test_inspector_chain_rule_canvas_and_activation_plot_name_a_feature_input(window):
    doc = window.document
    doc.select(Selection.of_neuron(0, 5))  # sin(x1)
    assert window.inspector.title.text() == "Input sin x₁"
    text = chain_text(window)
    assert "Input sin x₁" in text and "sin x₁ = " in text
    assert "x6" not in text
    doc.select(Selection.of_edge(1, 0, 2))  # from x1^2 into hidden neuron 1
    assert window.inspector.title.text().startswith("Weight from x₁² to neuron 1")
    assert "Weight w from x₁² to layer 1, neuron 1" in chain_text(window)
    # the canvas draws the same names by its input neurons
    canvas = window.canvas
    assert (canvas.input_names or list(doc.input_names))[3] == "x₂²"
    window.training.set_visible(False)  # the panels hidden: still the features' names
    assert canvas.input_names is None and doc.input_names[3] == "x₂²"


def test_the_playback_names_the_feature_inputs_in_its_caption_and_step_lines(window):
    pb = window.playback
    pb.seek(1, 1.0)  # the input step
    caption = pb.caption()
    assert caption.endswith(": x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂"), caption
    assert caption in pb.widest_captions() or any(
        c.endswith(caption.split(":", 1)[1]) for c in pb.widest_captions()
    )
    window.document.select(None)
    text = chain_text(window)
    assert "x₁x₂ = " in text and "sin x₁ = " in text and "x6" not in text
    pb.seek(2, 1.0)  # the first layer's edges: a·w per edge, named by the feature
    text = chain_text(window)
    assert "w(x₁→n1)" in text, text
