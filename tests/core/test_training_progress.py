"""Trainer progress (issue 12: undoing a run gives back the epoch counter and the curves).

A :class:`Progress` is everything but the weights; put back with the weights of
that moment, training on repeats the very same batches and updates.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core.network import Network
from nnviz.core.training import Trainer, TrainingError
from nnviz.core.trainspec import parse_training


def _spec(**kw):
    base = {"dataset": {"kind": "xor", "count": 200, "noise": 0.1, "seed": 1}, "batch_size": 7}
    base.update(kw)
    return parse_training(base)


def _weights(net: Network) -> list[np.ndarray]:
    return [a.copy() for layer in net.layers for a in (layer.W, layer.b)]


def _set_weights(net: Network, params: list[np.ndarray]) -> None:
    for k, layer in enumerate(net.layers):
        np.copyto(layer.W, params[2 * k])
        np.copyto(layer.b, params[2 * k + 1])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("steps", [0, 5, 29, 60])  # before any step, mid-epoch, epoch ends
def test_restoring_progress_repeats_the_same_run(optimizer, steps):
    spec = _spec(
        optimizer=optimizer, learning_rate=0.03, regularization="l2", regularization_rate=0.001
    )
    tr = Trainer(Network.create([2, 4, 1], "tanh", seed=3), spec)
    for _ in range(steps):
        tr.step()
    saved, weights = tr.progress(), _weights(tr.network)
    first = [tr.step() for _ in range(45)]
    after, history = _weights(tr.network), list(tr.history)
    assert tr.epoch > saved.epoch  # the 45 steps crossed an epoch's end

    _set_weights(tr.network, weights)
    tr.restore_progress(saved)
    assert (tr.epoch, tr.step_in_epoch, tr.steps_done) == (
        saved.epoch,
        saved.step_in_epoch,
        saved.steps_done,
    )
    assert tr.history == list(saved.history)
    again = [tr.step() for _ in range(45)]
    assert again == first and tr.history == history
    assert all(np.array_equal(a, b) for a, b in zip(after, _weights(tr.network)))


def test_progress_is_a_copy_and_fits_only_its_data_and_shape():
    spec = _spec(optimizer="adam")
    tr = Trainer(Network.create([2, 4, 1], "tanh", seed=3), spec)
    tr.train(2)
    p = tr.progress()
    tr.train(3)
    assert p.epoch == 2 and len(p.history) == 2  # later training did not change it
    assert p.optimizer_t == 2 * 15 and tr.optimizer.t == 5 * 15
    assert p.nbytes > 0
    # another learning rate or optimiser: it fits (they change while training)
    assert Trainer(tr.network, spec.with_changes(learning_rate=0.3)).fits(p)
    # other data, features or shape: it does not
    other = Trainer(tr.network, _spec(optimizer="adam", seed=5))
    assert not other.fits(p)
    wider = Trainer(Network.create([2, 5, 1], "tanh"), spec)
    assert not wider.fits(p)
    with pytest.raises(TrainingError, match="other data or another network"):
        wider.restore_progress(p)


def test_a_kept_progress_under_another_optimiser_starts_that_optimiser_afresh():
    spec = _spec(optimizer="adam", learning_rate=0.01)
    tr = Trainer(Network.create([2, 4, 1], "tanh", seed=3), spec)
    tr.train(1)
    p, w = tr.progress(), _weights(tr.network)
    sgd = Trainer(tr.network, spec.with_changes(optimizer="sgd"))
    _set_weights(sgd.network, w)
    sgd.restore_progress(p)
    assert sgd.epoch == 1 and sgd.optimizer.kind == "sgd"
    sgd.step()  # SGD's plain update, no stale Adam moments
    assert sgd.optimizer.state() == []
