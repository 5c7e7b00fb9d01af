"""The document inherits the core's limits: whatever it holds it can save (issue 14, item 1).

On main, Apply update pushed a weight past ±1e6 (the file then would not open), a seed
of 2**63 was taken, and 10**400 raised OverflowError out of a setter.
"""

from __future__ import annotations

import numpy as np

from nnviz.core import examples, io
from nnviz.ui.document import Document


def refusals(doc: Document) -> list[str]:
    seen: list[str] = []
    doc.edit_refused.connect(seen.append)
    return seen


def test_a_gradient_step_past_the_limit_is_refused_and_changes_nothing(qtbot, tmp_path):
    project = examples.load("linear_collapse")
    doc = Document(project)
    seen = refusals(doc)
    assert doc.set_target(0, 1_000_000)
    doc.set_learning_rate(1.0)
    before = doc.project.copy()
    assert not doc.apply_update()
    assert len(seen) == 1 and "beyond the limit of ±1e+06" in seen[0], seen
    assert doc.network.same_as(before.network)
    doc.save(tmp_path / "net.json")  # what it holds, it saves...
    again = io.load(tmp_path / "net.json")  # ...and what it saves, it opens
    assert again.network.same_as(doc.network)
    np.testing.assert_array_equal(again.sample.target, [1_000_000])


def test_seeds_and_values_past_the_limits_are_refused_with_a_sentence(qtbot):
    doc = Document(examples.load("default"))
    seen = refusals(doc)
    before = doc.project.copy()
    assert not doc.reinitialise(2**63)
    assert not doc.reinitialise(10**400)
    assert not doc.set_weight(1, 0, 0, 10**400)
    assert not doc.set_learning_rate(10**400)
    assert len(seen) == 4 and all("\n" not in s for s in seen)
    assert "2⁶³ − 1" in seen[0] and "too large" in seen[2]
    assert doc.network.same_as(before.network) and doc.project.seed == before.seed
    assert doc.reinitialise(2**63 - 1)
    assert doc.project.seed == 2**63 - 1


def test_a_one_neuron_softmax_output_is_refused(qtbot):
    doc = Document(examples.load("default"))  # 2-3-1 with a sigmoid output
    seen = refusals(doc)
    assert not doc.set_activation(doc.network.depth, "softmax")
    assert not doc.set_output_and_loss("softmax", "cross_entropy")
    assert len(seen) == 2 and all("at least two neurons" in s for s in seen)


def test_structural_edits_share_the_unknown_fields(qtbot):
    project = examples.load("default")
    project = io.Project(
        project.network,
        project.sample,
        project.seed,
        project.init,
        project.name,
        {"positions": [[float(i), 0.0] for i in range(100_000)]},
    )
    doc = Document(project)
    kept = doc.project.extra["positions"]
    assert doc.add_neuron(1)
    assert doc.project.extra["positions"] is kept  # shared by the undo snapshots, not copied
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    assert doc.project.extra["positions"] is kept
