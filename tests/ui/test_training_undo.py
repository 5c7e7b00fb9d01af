"""Undoing training (issue 12): a run's undo step gives back the weights AND the epoch
counter, the loss and accuracy curves and the optimiser's state from before it; redo
gives the ones after it; training on after an undo repeats the same run."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def window(open_window):
    return open_window("train_xor")


def params(net) -> list[np.ndarray]:
    return [a.copy() for layer in net.layers for a in (layer.W, layer.b)]


def same(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def shown(window):
    """What the student sees: the counter, the curve's points, the figures."""
    f = window.training
    x, y = f.loss.train_curve.getData()
    return (
        f.panel.epoch_label.text(),
        f.runbar.epoch_label.text(),
        [] if x is None else list(x),
        [] if y is None else list(y),
    )


def test_undo_and_redo_of_one_epoch_give_back_counter_curves_and_weights(window):
    ctrl, doc = window.training.controller, window.document
    ctrl.epoch_once()
    ctrl.epoch_once()
    two = (params(doc.network), shown(window), list(ctrl.trainer.history))
    assert two[1][0] == "Epoch 2" and len(two[1][2]) == 2
    ctrl.epoch_once()
    three = (params(doc.network), shown(window), list(ctrl.trainer.history))
    assert three[1][0] == "Epoch 3" and len(three[1][2]) == 3

    window.findChild(object, "undoAction").trigger()  # Edit ▸ Undo
    assert same(params(doc.network), two[0])
    assert shown(window) == two[1] and ctrl.trainer.history == two[2]
    assert ctrl.trainer.epoch == 2
    window.findChild(object, "redoAction").trigger()
    assert same(params(doc.network), three[0])
    assert shown(window) == three[1] and ctrl.trainer.history == three[2]

    # undo, then train on: the very same epoch again (batches, Adam/momentum state)
    window.findChild(object, "undoAction").trigger()
    ctrl.epoch_once()
    assert same(params(doc.network), three[0]) and ctrl.trainer.history == three[2]


def test_undo_of_steps_inside_an_epoch_gives_back_the_step_counter(window):
    ctrl, doc = window.training.controller, window.document
    ctrl.step_once()
    ctrl.step_once()
    assert shown(window)[0] == "Epoch 0 · step 2/25"
    ctrl.step_once()
    doc.undo_stack.undo()
    assert shown(window)[0] == "Epoch 0 · step 2/25"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert shown(window)[0] == "Epoch 0" and ctrl.trainer.steps_done == 0


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_played_run_undone_and_played_again_is_the_same_run(window, qtbot, optimizer):
    ctrl, doc, panel = window.training.controller, window.document, window.training.panel
    assert ctrl.change_settings(optimizer=optimizer, learning_rate=0.01)
    ctrl.epoch_once()  # some optimiser state before the run
    before = (params(doc.network), shown(window))
    ctrl.stop_at = 6
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ctrl.playing, timeout=60_000)
    after = (params(doc.network), shown(window), ctrl.trainer.optimizer.t)
    assert after[1][0] == "Epoch 6"
    doc.undo_stack.undo()
    assert same(params(doc.network), before[0]) and shown(window) == before[1]
    ctrl.stop_at = 6
    ctrl.play()
    qtbot.waitUntil(lambda: not ctrl.playing, timeout=60_000)
    assert same(params(doc.network), after[0]) and shown(window) == after[1]
    assert ctrl.trainer.optimizer.t == after[2]


def test_undo_while_training_plays_pauses_and_undoes_that_run(window, qtbot):
    ctrl, doc = window.training.controller, window.document
    ctrl.epoch_once()
    before = (params(doc.network), shown(window))
    count = doc.undo_stack.count()
    ctrl.set_speed(3)
    ctrl.play()
    qtbot.waitUntil(lambda: ctrl.trainer.epoch >= 3, timeout=30_000)
    window.findChild(object, "undoAction").trigger()
    assert not ctrl.playing
    assert doc.undo_stack.count() == count + 1  # the run became its step, then undone
    assert doc.undo_stack.index() == count
    assert same(params(doc.network), before[0]) and shown(window) == before[1]
    window.findChild(object, "redoAction").trigger()
    assert ctrl.trainer.epoch >= 3


def test_undo_of_a_reset_gives_back_the_trained_epochs(window):
    ctrl, doc = window.training.controller, window.document
    ctrl.epoch_once()
    ctrl.epoch_once()
    trained = (params(doc.network), shown(window))
    ctrl.reset()
    assert shown(window)[0] == "Epoch 0" and shown(window)[2] == []
    doc.undo_stack.undo()
    assert same(params(doc.network), trained[0]) and shown(window) == trained[1]


def test_a_weight_edit_between_runs_keeps_the_counter(window):
    from nnviz.core.addresses import Weight

    ctrl, doc = window.training.controller, window.document
    ctrl.epoch_once()
    ctrl.epoch_once()
    assert doc.set_value(Weight(1, 0, 0), 0.25)
    assert shown(window)[0] == "Epoch 2"
    doc.undo_stack.undo()  # the edit: the weights go back, the training's place stays
    assert shown(window)[0] == "Epoch 2" and ctrl.trainer.epoch == 2
    doc.undo_stack.undo()  # the second epoch
    assert shown(window)[0] == "Epoch 1"


def test_undoing_a_feature_change_gives_back_the_epochs_trained_before_it(window):
    ctrl, doc, panel = window.training.controller, window.document, window.training.panel
    ctrl.epoch_once()
    ctrl.epoch_once()
    trained = (params(doc.network), shown(window))
    panel.feature_boxes["x1^2"].setChecked(True)  # a new input layer: a new trainer
    assert doc.network.input_size == 3 and shown(window)[0] == "Epoch 0"
    ctrl.epoch_once()
    assert shown(window)[0] == "Epoch 1"
    doc.undo_stack.undo()  # that epoch
    assert shown(window)[0] == "Epoch 0"
    doc.undo_stack.undo()  # the feature
    assert doc.network.input_size == 2
    assert same(params(doc.network), trained[0]) and shown(window) == trained[1]
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert doc.network.input_size == 3 and shown(window)[0] == "Epoch 1"


def test_the_history_holds_one_copy_of_the_progress_between_two_runs(window):
    ctrl, doc = window.training.controller, window.document
    ctrl.epoch_once()
    ctrl.epoch_once()
    stack = doc.undo_stack
    first, second = stack.command(stack.count() - 2), stack.command(stack.count() - 1)
    assert first._progress[1] is second._progress[0]
    assert first.nbytes() > 0
