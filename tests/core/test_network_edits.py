"""Network edits: shape edits keep the other weights, refused edits change nothing,
re-initialisation is reproducible, and a linear stack collapses to one layer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core import propagation
from nnviz.core.network import (
    MAX_EDGES,
    MAX_LAYER_SIZE,
    MAX_WEIGHTED_LAYERS,
    EditError,
    Network,
    check_seed,
    check_value,
)


def net_2_3_4_2(**kw) -> Network:
    return Network.create([2, 3, 4, 2], ["tanh", "relu", "sigmoid"], seed=5, **kw)


def one_sentence(msg: str) -> None:
    assert msg and "\n" not in msg and "Traceback" not in msg and len(msg) < 200, msg


def refused(net: Network, edit, match: str) -> str:
    """Run ``edit(net)``; it must raise EditError matching ``match`` and change nothing."""
    before = net.copy()
    sizes = net.sizes
    with pytest.raises(EditError, match=match) as info:
        edit(net)
    one_sentence(str(info.value))
    assert net.same_as(before), "a refused edit changed the network"
    assert net.sizes == sizes
    return str(info.value)


# ------------------------------------------------------------------ creation
def test_create_shapes_and_layer_numbering():
    net = net_2_3_4_2()
    assert net.sizes == [2, 3, 4, 2] and net.depth == 3
    assert [layer.W.shape for layer in net.layers] == [(3, 2), (4, 3), (2, 4)]
    assert net.layer(1) is net.layers[0] and net.layer(3) is net.layers[2]
    assert net.n_edges == 6 + 12 + 8 and net.n_params == 26 + 9
    with pytest.raises(EditError, match="there is no weighted layer 0; layers are 1 to 3"):
        net.layer(0)
    assert issubclass(EditError, ValueError)


@pytest.mark.parametrize(
    ("sizes", "acts", "match"),
    [
        ([3], "tanh", "at least one more layer"),
        ([0, 2], "tanh", "the input layer has 0 neurons; expected 1 to 1024"),
        ([2, MAX_LAYER_SIZE + 1], "tanh", "layer 1 has 1025 neurons"),
        ([2, 3, 2], ["softmax", "tanh"], "layer 1: softmax is allowed on the output layer only"),
        ([2, 3, 2], ["tanh"], "2 weighted layers but 1 activations"),
        ([2, 3], "nope", "unknown activation 'nope'"),
    ],
)
def test_create_refuses_impossible_networks(sizes, acts, match):
    with pytest.raises(EditError, match=match):
        Network.create(sizes, acts)


def test_create_refuses_a_loss_without_its_output():
    with pytest.raises(EditError, match="the bce loss needs a sigmoid output layer, not tanh"):
        Network.create([2, 1], "tanh", loss="bce")
    Network.create([2, 2], "tanh", output_activation="softmax", loss="cross_entropy")


# ------------------------------------------------------------- value edits
def test_set_weight_and_bias_change_exactly_one_number():
    net = net_2_3_4_2()
    before = net.copy()
    net.set_weight(2, 3, 1, 0.25)  # into neuron 4 of layer 2, from neuron 2 of layer 1
    assert net.layers[1].W[3, 1] == 0.25
    diff = net.layers[1].W != before.layers[1].W
    assert diff.sum() == 1
    net.set_bias(3, 1, -2)
    assert net.layers[2].b[1] == -2.0
    assert isinstance(net.layers[2].b[1], np.floating)
    np.testing.assert_array_equal(net.layers[0].W, before.layers[0].W)
    # the forward pass sees the edit
    x = np.array([[0.3, -0.7]])
    assert not np.array_equal(
        propagation.forward(net, x).output, propagation.forward(before, x).output
    )


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda n: n.set_weight(4, 0, 0, 1.0), "there is no weighted layer 4; layers are 1 to 3"),
        (lambda n: n.set_weight(1, 3, 0, 1.0), "layer 1 has no weight from neuron 1 to neuron 4"),
        (lambda n: n.set_weight(1, 0, 2, 1.0), "layer 1 has no weight from neuron 3 to neuron 1"),
        (lambda n: n.set_weight(1, 0, -1, 1.0), "layer 1 has no weight"),
        (lambda n: n.set_weight(1, 0, 0, math.nan), "must be a finite number"),
        (lambda n: n.set_weight(1, 0, 0, math.inf), "must be a finite number"),
        (lambda n: n.set_weight(1, 0, 0, 2e6), "beyond the limit of ±1e\\+06"),
        (lambda n: n.set_weight(1, 0, 0, True), "must be a number, not True"),
        (lambda n: n.set_weight(1, 0, 0, "1"), "must be a number, not '1'"),
        (lambda n: n.set_bias(2, 4, 1.0), "layer 2 has no neuron 5"),
        (lambda n: n.set_bias(2, 0, math.nan), "bias b\\[2\\]\\(1\\) must be a finite number"),
        (lambda n: n.set_activation(1, "softmax"), "softmax is allowed on the output layer only"),
        (lambda n: n.set_activation(1, "swish"), "unknown activation 'swish'"),
        (lambda n: n.set_loss("hinge"), "unknown loss 'hinge'"),
        (lambda n: n.set_loss("cross_entropy"), "needs a softmax output layer, not sigmoid"),
        (lambda n: n.reinitialise(1, "lecun"), "unknown initialisation 'lecun'"),
    ],
)
def test_refused_value_edits_change_nothing(edit, match):
    refused(net_2_3_4_2(), edit, match)


def test_activation_and_loss_edits():
    net = net_2_3_4_2()
    net.set_activation(3, "softmax")
    net.set_loss("cross_entropy")
    assert net.layers[-1].activation == "softmax" and net.loss == "cross_entropy"
    # the output activation cannot leave the loss without its partner
    refused(net, lambda n: n.set_activation(3, "relu"), "needs a softmax output layer, not relu")
    net.set_loss("mse")
    net.set_activation(3, "relu")
    net.validate()


# ------------------------------------------------------------- shape edits
@pytest.mark.parametrize("l", [0, 1, 2, 3])
def test_add_neuron_keeps_every_other_weight_and_the_output(l):  # noqa: E741
    net = net_2_3_4_2()
    before = net.copy()
    x = np.random.default_rng(0).normal(size=(5, 2))
    net.add_neuron(l, np.random.default_rng(1))
    sizes = before.sizes
    sizes[l] += 1
    assert net.sizes == sizes
    net.validate()
    for k, (new, old) in enumerate(zip(net.layers, before.layers), start=1):
        rows, cols = old.W.shape
        np.testing.assert_array_equal(new.W[:rows, :cols], old.W, err_msg=f"layer {k}")
        np.testing.assert_array_equal(new.b[:rows], old.b)
        if k == l + 1:  # the new neuron's outgoing weights start at 0
            np.testing.assert_array_equal(new.W[:, cols:], 0.0)
    if l == 0:
        x = np.hstack([x, np.full((5, 1), 0.7)])
    out_before = propagation.forward(before, x[:, :2]).output
    out_after = propagation.forward(net, x).output
    if l < net.depth:
        np.testing.assert_allclose(out_after, out_before, rtol=0, atol=1e-15)
    else:
        np.testing.assert_allclose(out_after[:, :2], out_before, rtol=0, atol=1e-15)


@pytest.mark.parametrize(("l", "j"), [(0, 1), (1, 0), (1, 2), (2, 1), (3, 0)])
def test_remove_neuron_keeps_every_other_weight(l, j):  # noqa: E741
    net = net_2_3_4_2()
    before = net.copy()
    net.remove_neuron(l, j)
    net.validate()
    for k, (new, old) in enumerate(zip(net.layers, before.layers), start=1):
        W, b = old.W, old.b
        if k == l:
            W, b = np.delete(W, j, axis=0), np.delete(b, j)
        if k == l + 1:
            W = np.delete(W, j, axis=1)
        np.testing.assert_array_equal(new.W, W, err_msg=f"layer {k}")
        np.testing.assert_array_equal(new.b, b, err_msg=f"layer {k}")


def test_insert_and_remove_layer():
    net = net_2_3_4_2()
    before = net.copy()
    net.insert_layer(2, 5, "gelu", np.random.default_rng(3))
    assert net.sizes == [2, 3, 5, 4, 2]
    assert [layer.activation for layer in net.layers] == ["tanh", "gelu", "relu", "sigmoid"]
    net.validate()
    # the layers away from the insertion keep their weights; the next one is re-drawn
    np.testing.assert_array_equal(net.layers[0].W, before.layers[0].W)
    np.testing.assert_array_equal(net.layers[3].W, before.layers[2].W)
    np.testing.assert_array_equal(net.layers[2].b, before.layers[1].b)
    assert net.layers[2].W.shape == (4, 5)
    net.remove_layer(2, np.random.default_rng(4))
    assert net.sizes == [2, 3, 4, 2]
    net.validate()
    np.testing.assert_array_equal(net.layers[0].W, before.layers[0].W)
    np.testing.assert_array_equal(net.layers[2].W, before.layers[2].W)
    assert net.layers[1].W.shape == (4, 3)
    net.remove_layer(1)
    assert net.sizes == [2, 4, 2]
    net.insert_layer(1, 1, "relu")
    assert net.sizes == [2, 1, 4, 2]


def test_shape_edits_with_the_same_rng_are_reproducible():
    a, b = net_2_3_4_2(), net_2_3_4_2()
    for n in (a, b):
        n.add_neuron(1, np.random.default_rng(9))
        n.insert_layer(1, 3, "elu", np.random.default_rng(9))
    assert a.same_as(b)


def test_shape_limits_are_refused_with_a_sentence_and_change_nothing():
    net = net_2_3_4_2()
    refused(net, lambda n: n.add_neuron(4), "there is no layer 4; layers are 0 to 3")
    refused(net, lambda n: n.add_neuron(-1), "there is no layer -1")
    refused(net, lambda n: n.remove_neuron(1, 3), "layer 1 has no neuron 4")
    refused(net, lambda n: n.remove_neuron(5, 0), "there is no layer 5")
    refused(net, lambda n: n.insert_layer(0, 3), "a hidden layer can go at positions 1 to 3, not 0")
    refused(net, lambda n: n.insert_layer(4, 3), "positions 1 to 3, not 4")
    refused(net, lambda n: n.insert_layer(1, 0), "the new layer has 0 neurons; expected 1 to 1024")
    refused(net, lambda n: n.insert_layer(1, MAX_LAYER_SIZE + 1), "the new layer has 1025")
    refused(net, lambda n: n.insert_layer(1, 2.5), "the new layer size must be a whole number")
    refused(net, lambda n: n.insert_layer(1, 3, "softmax"), "allowed on the output layer only")
    refused(net, lambda n: n.insert_layer(1, 3, "swish"), "unknown activation 'swish'")
    refused(
        net, lambda n: n.remove_layer(3), r"only hidden layers \(1 to 2\) can be removed, not 3"
    )
    refused(net, lambda n: n.remove_layer(0), "only hidden layers")

    single = Network.create([2, 1], "relu")
    refused(single, lambda n: n.remove_layer(1), "there is no hidden layer to remove")
    refused(single, lambda n: n.remove_neuron(1, 0), "layer 1 has only one neuron")
    lone_input = Network.create([1, 2], "relu")
    refused(lone_input, lambda n: n.remove_neuron(0, 0), "layer 0 has only one neuron")

    soft = Network.create([2, 2], "softmax", loss="cross_entropy")
    refused(soft, lambda n: n.remove_neuron(1, 0), "a softmax output layer needs at least two")

    wide = Network.create([MAX_LAYER_SIZE, 1], "linear")
    refused(wide, lambda n: n.add_neuron(0), "layer 0 already has 1024 neurons, the limit")


def test_depth_limit():
    net = Network.create([1] * (MAX_WEIGHTED_LAYERS + 1), "tanh")
    assert net.depth == MAX_WEIGHTED_LAYERS
    refused(net, lambda n: n.insert_layer(1, 1), "already has 32 hidden layers, the limit")
    with pytest.raises(EditError, match="34 weighted layers is beyond the limit of 33"):
        Network.create([1] * (MAX_WEIGHTED_LAYERS + 2), "tanh")


def test_edge_limit_is_kept_by_every_shape_edit():
    """Each edit that adds weights checks the total; a refused one changes nothing."""
    net = Network.create([1024, 1024, 929], "linear", seed=0)
    assert net.n_edges <= MAX_EDGES
    msg = refused(net, lambda n: n.add_neuron(2), "2000896 weights, beyond the limit of 2000000")
    assert "2000000" in msg
    refused(net, lambda n: n.add_neuron(1), "already has 1024 neurons")  # size limit first
    net = Network.create([1023, 1024, 930], "linear", seed=0)
    assert net.n_edges == 1_999_872
    refused(net, lambda n: n.add_neuron(0), "2000896 weights, beyond the limit")
    net2 = Network.create([1000, 1000, 1], "linear", seed=0)
    refused(net2, lambda n: n.insert_layer(1, 1000), "2001000 weights, beyond the limit")
    net3 = Network.create([1000, 1, 1001, 1000], "linear", seed=0)
    refused(net3, lambda n: n.remove_layer(1), "2002000 weights, beyond the limit")
    net3.validate()


# ------------------------------------------------------------ initialisation
@pytest.mark.parametrize("scheme", ["uniform", "xavier", "he"])
def test_reinitialise_is_reproducible(scheme):
    a = Network.create([3, 5, 2], "tanh", seed=0)
    b = Network.create([3, 5, 2], "tanh", seed=0)
    a.reinitialise(42, scheme)
    b.set_weight(1, 0, 0, 9.0)  # "reset" after an edit gives the start weights back
    b.reinitialise(42, scheme)
    assert a.same_as(b)
    c = a.copy()
    c.reinitialise(43, scheme)
    assert not c.same_as(a)
    a.reinitialise(42, scheme)
    assert a.same_as(b)


def test_initialisation_schemes_have_their_scales():
    n_in, n_out = 400, 300
    net = Network.create([n_in, n_out], "tanh", seed=1)
    W, b = net.layers[0].W, net.layers[0].b
    bound = 1 / math.sqrt(n_in)  # PyTorch Linear's default
    assert np.max(np.abs(W)) <= bound and np.max(np.abs(b)) <= bound
    assert np.max(np.abs(W)) > 0.95 * bound and np.any(b != 0)
    net.reinitialise(1, "xavier")
    W, b = net.layers[0].W, net.layers[0].b
    bound = math.sqrt(6 / (n_in + n_out))
    assert np.max(np.abs(W)) <= bound and np.max(np.abs(W)) > 0.95 * bound
    np.testing.assert_array_equal(b, 0.0)
    net.reinitialise(1, "he")
    W, b = net.layers[0].W, net.layers[0].b
    assert np.std(W) == pytest.approx(math.sqrt(2 / n_in), rel=0.02)
    assert abs(np.mean(W)) < 0.01
    np.testing.assert_array_equal(b, 0.0)


def test_copy_is_independent():
    net = net_2_3_4_2()
    c = net.copy()
    c.set_weight(1, 0, 0, 5.0)
    c.add_neuron(1)
    assert net.layers[0].W[0, 0] != 5.0 and net.sizes == [2, 3, 4, 2]
    assert not net.same_as(c)


# ------------------------------------------------------------ linear collapse
@pytest.mark.parametrize("seed", range(3))
def test_collapse_linear_equals_the_network(seed):
    rng = np.random.default_rng(seed)
    net = Network.create([3, 5, 4, 2], "linear", seed=seed)
    X = rng.normal(size=(7, 3))
    W, b = propagation.collapse_linear(net)
    assert W.shape == (2, 3) and b.shape == (2,)
    np.testing.assert_allclose(X @ W.T + b, propagation.forward(net, X).output, rtol=1e-12)
    net.set_activation(2, "relu")
    assert propagation.collapse_linear(net) is None


# ------------------------------------- what the network holds, a file can hold
def test_numbers_beyond_a_float_are_refused_not_raised():
    net = net_2_3_4_2()
    for value in (10**400, -(10**400), 10**309):
        msg = refused(net, lambda n, v=value: n.set_weight(1, 0, 0, v), "too large")
        assert "±1e+06" in msg
        refused(net, lambda n, v=value: n.set_bias(1, 0, v), "too large")
    with pytest.raises(EditError, match="too large"):
        check_value(10**400, "the learning rate")


def test_seeds_beyond_64_bits_are_refused():
    net = net_2_3_4_2()
    for seed in (2**63, 10**400, -1):
        msg = refused(net, lambda n, s=seed: n.reinitialise(s), "the seed must be from 0 to")
        assert "9223372036854775807" in msg
    for seed in (1.5, "7", None, True):
        refused(net, lambda n, s=seed: n.reinitialise(s), "the seed must be a whole number")
    assert check_seed(2**63 - 1) == 2**63 - 1
    net.reinitialise(2**63 - 1)  # the largest seed a file holds is accepted


def test_validate_refuses_values_a_file_cannot_hold():
    net = net_2_3_4_2()
    net.validate()
    for bad in (1e6 * (1 + 1e-12), -2e6, math.inf, math.nan):
        n = net.copy()
        n.layers[1].W[2, 1] = bad
        with pytest.raises(EditError) as info:
            n.validate()
        msg = str(info.value)
        one_sentence(msg)
        assert msg.startswith("layer 2: weight (3,2) would be") and "±1e+06" in msg, msg
    n = net.copy()
    n.layers[2].b[1] = -1e7
    with pytest.raises(EditError, match=r"layer 3: bias \(2\) would be -1e\+07"):
        n.validate()
    n = net.copy()
    n.layers[0].W[:] = 1e6  # exactly at the limit: allowed
    n.validate()


def test_a_gradient_step_past_the_limit_is_refused_by_validation():
    """The linear-collapse example with target 1,000,000: the step pushes a weight past 1e6."""
    from nnviz.core import examples

    p = examples.load("linear_collapse")
    p.sample.target[:] = 1e6
    trace, grads = propagation.evaluate(p.network, p.sample.input, p.sample.target)
    after = p.network.copy()
    for l, layer in enumerate(after.layers, start=1):  # noqa: E741 - as the document's step
        layer.W = layer.W - 1.0 * grads.dL_dW[l]
        layer.b = layer.b - 1.0 * grads.dL_db[l]
    assert all(np.isfinite(layer.W).all() for layer in after.layers)  # finite, yet too large
    with pytest.raises(EditError, match="beyond the limit of ±1e\\+06 that a network file holds"):
        after.validate()


def test_a_one_neuron_softmax_output_is_refused_everywhere():
    with pytest.raises(EditError, match="softmax output layer needs at least two neurons"):
        Network.create([2, 1], "softmax")
    net = Network.create([2, 3, 1], ["tanh", "sigmoid"])
    msg = refused(net, lambda n: n.set_activation(2, "softmax"), "at least two neurons")
    assert "gradient always 0" in msg
    net = Network.create([2, 3, 1], ["tanh", "linear"])
    net.layers[-1].activation = "softmax"  # written past the setters
    with pytest.raises(EditError, match="at least two neurons"):
        net.validate()


def test_echoed_names_are_escaped_and_cut():
    net = net_2_3_4_2()
    msg = refused(net, lambda n: n.set_activation(1, "x\n\x1b[31m" + "a" * 100), "unknown")
    assert "\\n\\x1b[31m" in msg and "(107 characters)" in msg
    refused(net, lambda n: n.set_activation(1, ["unhashable"]), "unknown activation")
    refused(net, lambda n: n.set_loss({"a": 1}), "unknown loss")
    refused(net, lambda n: n.insert_layer(1, 2, "a" * 10**6), "1,000,000 characters")
