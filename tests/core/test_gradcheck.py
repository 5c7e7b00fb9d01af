"""The finite-difference check behind the chain-rule panel's "Check" button."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import examples, gradcheck, propagation
from nnviz.core.network import Network


@pytest.fixture
def project():
    return examples.load("default")


def keys(net: Network):
    for l in range(1, net.depth + 1):  # noqa: E741
        for j in range(net.sizes[l]):
            yield ("bias", l, j)
            for i in range(net.sizes[l - 1]):
                yield ("weight", l, j, i)
    for i in range(net.input_size):
        yield ("input", i)


def test_every_gradient_of_the_231_network_agrees(project):
    net, s = project.network, project.sample
    _, grads = propagation.evaluate(net, s.input, s.target)
    for key in keys(net):
        c = gradcheck.check(net, s.input, s.target, key, grads=grads)
        assert c.agrees, (key, c.numeric, c.analytic)
        assert c.numeric == pytest.approx(c.analytic, rel=1e-6, abs=1e-9)
        assert not c.near_kink


def test_the_check_computes_the_central_difference_it_reports(project):
    net, s = project.network, project.sample
    c = gradcheck.check(net, s.input, s.target, ("weight", 2, 0, 1), h=1e-4)
    assert c.value == -0.7
    assert c.numeric == (c.loss_plus - c.loss_minus) / 2e-4
    w = net.copy()
    w.layers[1].W[0, 1] = -0.7 + 1e-4
    assert c.loss_plus == gradcheck.loss_of(w, s.input, s.target)
    assert c.rel_error < 1e-6 and c.abs_error < 1e-9


def test_the_network_and_input_are_left_unchanged(project):
    net, s = project.network, project.sample
    before, x_before = net.copy(), s.input.copy()
    for key in keys(net):
        gradcheck.check(net, s.input, s.target, key)
    assert net.same_as(before)
    assert np.array_equal(s.input, x_before)


def test_one_neuron_exercise_dead_relu_has_zero_gradient_both_ways():
    p = examples.load("one_neuron")
    c = gradcheck.check(p.network, p.sample.input, p.sample.target, ("weight", 1, 0, 0))
    assert c.numeric == 0.0 and c.analytic == 0.0 and c.agrees


def test_a_kink_within_h_is_flagged():
    net = Network.create([1, 1], "relu")
    net.layers[0].W[:] = 1.0
    net.layers[0].b[:] = 0.0
    c = gradcheck.check(net, np.array([1e-7]), np.array([1.0]), ("bias", 1, 0), h=1e-5)
    assert c.near_kink


def test_batches_and_softmax_cross_entropy():
    rng = np.random.default_rng(3)
    net = Network.create([3, 4, 3], "tanh", output_activation="softmax", loss="cross_entropy")
    X = rng.normal(size=(4, 3))
    Y = np.eye(3)[[0, 2, 1, 1]]
    for key in keys(net):
        c = gradcheck.check(net, X, Y, key)
        assert c.numeric == pytest.approx(c.analytic, rel=1e-5, abs=1e-9), key


@pytest.mark.parametrize(
    "key", [("weight", 3, 0, 0), ("weight", 1, 5, 0), ("bias", 0, 0), ("input", 9), ("gain", 1)]
)
def test_a_key_that_names_nothing_is_refused(project, key):
    with pytest.raises(ValueError, match="names no weight, bias or input"):
        gradcheck.check(project.network, project.sample.input, project.sample.target, key)


def test_a_bad_step_is_refused(project):
    with pytest.raises(ValueError, match="positive"):
        gradcheck.check(
            project.network, project.sample.input, project.sample.target, ("bias", 1, 0), h=0.0
        )
