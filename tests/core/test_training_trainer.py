"""Trainer: learning XOR, reproducibility, the split, live settings, divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import propagation
from nnviz.core.network import Network
from nnviz.core.training import Trainer, TrainingError
from nnviz.core.trainspec import parse_training


def _spec(**kw):
    base = {"dataset": {"kind": "xor", "count": 200, "noise": 0.0, "seed": 1}}
    base.update(kw)
    return parse_training(base)


def test_a_2_4_1_tanh_network_learns_xor():
    spec = _spec(optimizer="sgd", learning_rate=0.03, batch_size=10, seed=0)
    net = Network.create([2, 4, 1], "tanh", seed=3)
    tr = Trainer(net, spec)
    first = tr.run_epoch()
    history = [first] + tr.train(149)
    assert history[-1].epoch == 150
    assert history[-1].train_accuracy >= 0.95
    assert history[-1].train_loss < 0.5 * first.train_loss


def test_the_same_seed_gives_the_same_weights_and_reset_the_same_run():
    spec = _spec(optimizer="adam", learning_rate=0.01, seed=7)
    net = Network.create([2, 3, 1], "tanh", seed=1)
    a, b = Trainer(net, spec, init_seed=1), Trainer(net, spec, init_seed=1)
    ha, hb = a.train(20), b.train(20)
    assert ha == hb
    assert a.network.same_as(b.network)
    assert not a.network.same_as(net)  # it trained a copy, the given network is untouched
    a.reset()  # fresh weights from seed 1 = the start, and the same batches
    assert a.network.same_as(net) and a.epoch == 0 and a.history == []
    assert a.train(20) == ha and a.network.same_as(b.network)
    other = Trainer(net, _spec(optimizer="adam", learning_rate=0.01, seed=8))
    other.train(20)
    assert not other.network.same_as(b.network)  # another seed: other batches


def test_the_split_is_the_first_round_fraction_points_and_shuffle_false_keeps_order():
    spec = _spec(train_fraction=0.3, shuffle=False, batch_size=7)
    tr = Trainer(Network.create([2, 2, 1], "tanh"), spec)
    assert tr.n_train == 60 and list(tr.train_index) == list(range(60))
    assert list(tr.test_index) == list(range(60, 200))
    assert tr.batches_per_epoch == 9  # 8 × 7 and a partial 4
    shuffled = Trainer(Network.create([2, 2, 1], "tanh"), _spec(train_fraction=0.3))
    assert sorted(shuffled.train_index.tolist() + shuffled.test_index.tolist()) == list(range(200))
    assert list(shuffled.train_index) != list(range(60))


def test_epoch_losses_are_means_with_the_epoch_end_weights_without_regularisation():
    spec = _spec(regularization="l2", regularization_rate=0.5, train_fraction=0.5)
    tr = Trainer(Network.create([2, 4, 1], "tanh", seed=2), spec)
    stats = tr.run_epoch()
    net = tr.network
    X, Y = tr.inputs, tr.targets
    for index, loss, acc in [
        (tr.train_index, stats.train_loss, stats.train_accuracy),
        (tr.test_index, stats.test_loss, stats.test_accuracy),
    ]:
        trace = propagation.forward(net, X[index])
        expected = np.mean(propagation.loss_values(net, trace, Y[index]))
        assert loss == pytest.approx(expected, abs=1e-15)
        sign = np.where(trace.output[:, 0] >= 0, 1.0, -1.0)
        assert acc == pytest.approx(np.mean(sign == Y[index, 0]))


def test_regression_has_no_accuracy_and_no_test_points_no_test_figures():
    spec = parse_training(
        {"dataset": {"kind": "reg-plane", "count": 50}, "train_fraction": 1.0, "batch_size": 50}
    )
    tr = Trainer(Network.create([2, 1], "linear"), spec)
    stats = tr.run_epoch()
    assert stats.train_accuracy is None and stats.test_loss is None and stats.test_accuracy is None
    assert stats.to_dict() == {
        "epoch": 1, "train_loss": stats.train_loss, "test_loss": None,
        "train_accuracy": None, "test_accuracy": None,
    }  # fmt: skip


def test_three_classes_train_with_softmax_and_cross_entropy():
    spec = parse_training(
        {"dataset": {"kind": "three-class", "count": 300, "seed": 2}, "optimizer": "adam",
         "learning_rate": 0.03}
    )  # fmt: skip
    net = Network.create([2, 5, 3], "tanh", output_activation="softmax", loss="cross_entropy")
    tr = Trainer(net, spec)
    assert tr.train(30)[-1].test_accuracy > 0.9


def test_settings_change_while_training_without_a_reset():
    tr = Trainer(Network.create([2, 4, 1], "tanh", seed=2), _spec(optimizer="momentum"))
    for _ in range(3):
        tr.step()
    v_before = [v.copy() for v in tr.optimizer.state()]
    tr.update_settings(learning_rate=0.1, batch_size=4, momentum=0.5)
    assert tr.step_in_epoch == 3 and tr.epoch == 0  # no reset
    assert tr.optimizer.learning_rate == 0.1 and tr.spec.batch_size == 4
    assert all(np.array_equal(a, b) for a, b in zip(tr.optimizer.state(), v_before))
    assert tr.run_epoch().epoch == 1
    with pytest.raises(TrainingError, match="seed cannot change while training"):
        tr.update_settings(seed=3)
    from nnviz.core.io import FileFormatError

    with pytest.raises(FileFormatError, match="learning_rate"):
        tr.update_settings(learning_rate=-1.0)
    assert tr.spec.learning_rate == 0.1


def test_divergence_is_reported_and_the_last_finite_weights_come_back():
    spec = _spec(optimizer="sgd", learning_rate=900.0, batch_size=200, train_fraction=1.0)
    net = Network.create([2, 8, 1], "relu", output_activation="linear", seed=0)
    tr = Trainer(net, spec)
    for _ in range(50):
        if tr.step() is None and tr.diverged:
            break
    assert tr.diverged
    d = tr.divergence
    assert d.message.startswith("training diverged: ") and f"epoch {d.epoch}" in d.message
    assert tr.step() is None  # stays stopped
    tr.restore_last_finite()
    assert not tr.diverged
    assert all(np.all(np.isfinite(a)) for L in tr.network.layers for a in (L.W, L.b))
    loss, _ = tr.evaluate(tr.inputs, tr.targets)
    assert math.isfinite(loss)


def test_features_that_do_not_match_the_inputs_are_refused():
    with pytest.raises(TrainingError, match=r"3 feature\(s\) \(x1, x2, x1\^2\) but the network"):
        Trainer(Network.create([2, 1], "tanh"), _spec(features=["x1", "x2", "x1^2"]))
    with pytest.raises(TrainingError, match="3 classes need 3 output neurons"):
        Trainer(
            Network.create([2, 1], "tanh"), parse_training({"dataset": {"kind": "three-class"}})
        )


def test_the_grid_gives_every_neurons_map():
    tr = Trainer(Network.create([2, 4, 1], "tanh"), _spec())
    points, trace = tr.grid(50, 6.0)
    assert points.shape == (2500, 2) and trace.a[1].shape == (2500, 4)
    assert np.array_equal(tr.predict(points[:3]), trace.output[:3])


def test_a_nan_loss_stops_at_its_step_and_going_back_restores_the_weights_before_it():
    tr = Trainer(Network.create([2, 4, 1], "tanh", seed=2), _spec(batch_size=20))
    tr.run_epoch()
    tr.step()
    before = [a.copy() for L in tr.network.layers for a in (L.W, L.b)]
    tr.step()  # its loss was finite: these weights are kept before the update
    tr.network.layers[0].W[0, 0] = np.nan
    assert tr.step() is None and tr.diverged
    assert tr.divergence.message == (
        "training diverged: the loss became NaN at step 3 of epoch 2; "
        "go back to the last finite weights and lower the learning rate"
    )
    tr.restore_last_finite()
    after = [a for L in tr.network.layers for a in (L.W, L.b)]
    assert all(np.array_equal(a, b) for a, b in zip(after, before))  # before the bad update
    assert tr.run_epoch() is not None and tr.epoch == 2


def test_each_epoch_records_the_gradient_flow_measures_with_its_weights():
    tr = Trainer(Network.create([2, 4, 3, 1], "sigmoid", seed=1), _spec())
    stats = tr.run_epoch()
    _, grads = propagation.evaluate(
        tr.network, tr.inputs[tr.train_index], tr.targets[tr.train_index]
    )
    assert stats.mean_abs_dL_dW == tuple(float(np.mean(np.abs(grads.dL_dW[l]))) for l in (1, 2, 3))
    assert stats.mean_abs_dL_dz == tuple(float(np.mean(np.abs(grads.dL_dz[l]))) for l in (1, 2, 3))
    assert stats.train_loss == grads.loss


def test_the_confusion_matrix_counts_true_against_predicted():
    spec = parse_training({"dataset": {"kind": "three-class", "count": 150, "seed": 2}})
    net = Network.create([2, 4, 3], "tanh", output_activation="softmax", loss="cross_entropy")
    tr = Trainer(net, spec)
    tr.train(3)
    m = tr.confusion("test")
    assert m.shape == (3, 3) and m.sum() == tr.test_index.size
    assert np.trace(m) / m.sum() == pytest.approx(tr.history[-1].test_accuracy)
    assert tr.confusion("train").sum() == tr.n_train
    reg = Trainer(Network.create([2, 1], "linear"), _spec(dataset={"kind": "reg-plane"}))
    with pytest.raises(ValueError, match="regression"):
        reg.confusion()


def test_a_clicked_point_makes_a_points_dataset_that_keeps_the_weights():
    from nnviz.core.trainspec import points_dataset

    tr = Trainer(Network.create([2, 4, 1], "tanh", seed=2), _spec())
    tr.train(2)
    rows = tr.point_rows()
    assert set(np.unique(rows[:, 2])) == {-1.0, 1.0}  # as mse writes labels
    clicked = np.vstack([rows, [[0.5, 0.5, -1.0]]])
    spec = tr.spec.with_changes(dataset=points_dataset(clicked))
    again = Trainer(tr.network, spec)
    assert again.data.count == 201 and again.network.same_as(tr.network)
    assert np.array_equal(again.data.points[:200], tr.data.points)
    assert np.array_equal(again.data.labels[:200], tr.data.labels) and again.data.labels[200] == 0


@pytest.mark.parametrize("kind, reg", [("sgd", "l2"), ("momentum", "l1"), ("adam", "l2")])
def test_the_flat_parameter_update_is_the_per_layer_update_bit_for_bit(kind, reg):
    """The Trainer keeps W and b as views of one flat array; the numbers must not change."""
    from nnviz.core import optim

    spec = _spec(optimizer=kind, regularization=reg, regularization_rate=0.01, shuffle=False)
    net = Network.create([2, 5, 3, 1], "tanh", seed=4)
    tr = Trainer(net, spec)
    ref = net.copy()
    params = [a for L in ref.layers for a in (L.W, L.b)]
    opt = optim.Optimizer(params, [True, False] * ref.depth, kind, regularization=reg,
                          regularization_rate=0.01, learning_rate=spec.learning_rate)  # fmt: skip
    for k in range(25):  # two epochs and a half of batches of 10, in file order
        i = (k % 10) * 10
        tr.step()
        X, Y = tr.inputs[i : i + 10], tr.targets[i : i + 10]
        g = propagation.backward(ref, propagation.forward(ref, X), Y, input_grad=False)
        opt.step([a for l in (1, 2, 3) for a in (g.dL_dW[l], g.dL_db[l])])
    assert tr.network.same_as(ref)
