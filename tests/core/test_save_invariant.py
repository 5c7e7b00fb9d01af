"""The invariant of issue 14, item 1: whatever the network can hold, it can save, and
whatever it saves opens again to the same network.

Random runs of every core edit, with arguments at and past the limits (10**400,
2**63, NaN, ±1e6 and just past it, gradient steps with large learning rates), made
the way the document makes them: scalar edits through ``check_value``, structural
edits on a copy that must pass ``validate()``. After each edit the project saves and
reopens to the same network; a refused edit changes nothing.
"""

from __future__ import annotations

import math
import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import activations, examples, io, losses, propagation
from nnviz.core.network import EditError, check_value

LONG = os.environ.get("NNVIZ_FUZZ_LONG") == "1"

EXTREMES = st.sampled_from(
    [
        0.0,
        -0.0,
        1e6,
        -1e6,
        1e6 * (1 + 2**-52),
        -1e6 - 1,
        10**400,
        -(10**400),
        2**63,
        math.nan,
        math.inf,
        -math.inf,
        5e-324,
        1e-300,
        "1.5",
        None,
        True,
    ]
)
VALUES = st.one_of(EXTREMES, st.floats(-1e3, 1e3), st.integers(-(10**7), 10**7))
INDEX = st.integers(0, 5)
LAYER = st.integers(-1, 5)
NAMES = st.sampled_from(activations.NAMES + ("swish", ""))
SEEDS = st.one_of(st.integers(0, 2**63 - 1), st.sampled_from([2**63, -1, 10**400, 1.0, "3"]))

EDITS = st.one_of(
    st.tuples(st.just("weight"), LAYER, INDEX, INDEX, VALUES),
    st.tuples(st.just("bias"), LAYER, INDEX, VALUES),
    st.tuples(st.just("input"), INDEX, VALUES),
    st.tuples(st.just("target"), INDEX, VALUES),
    st.tuples(st.just("activation"), LAYER, NAMES),
    st.tuples(st.just("output_and_loss"), NAMES, st.sampled_from(losses.NAMES)),
    st.tuples(st.just("seed"), SEEDS, st.sampled_from(["uniform", "xavier", "he", "bad"])),
    st.tuples(st.just("add_neuron"), LAYER),
    st.tuples(st.just("remove_neuron"), LAYER, INDEX),
    st.tuples(st.just("insert_layer"), LAYER, st.integers(0, 4), NAMES),
    st.tuples(st.just("remove_layer"), LAYER),
    st.tuples(st.just("step"), st.sampled_from([0.1, 1.0, 100.0, 1e4, 1e6])),
)


def same(a: io.Project, b: io.Project) -> None:
    assert a.network.same_as(b.network)
    np.testing.assert_array_equal(a.sample.input, b.sample.input)
    np.testing.assert_array_equal(a.sample.target, b.sample.target)
    assert (a.seed, a.init, a.name, a.extra) == (b.seed, b.init, b.name, b.extra)


def scalar(p: io.Project, edit: tuple) -> None:
    """A value edit as the document makes it: check the value, then write it."""
    kind = edit[0]
    net = p.network
    if kind == "weight":
        _, l, j, i, v = edit
        net.set_weight(l, j, i, v)
        return
    if kind == "bias":
        _, l, j, v = edit
        net.set_bias(l, j, v)
        return
    _, k, v = edit
    vec = p.sample.input if kind == "input" else p.sample.target
    if not 0 <= k < vec.size:
        raise EditError(f"there is no {kind} {k + 1}")
    vec[k] = check_value(v, kind)


def structural(p: io.Project, edit: tuple, rng: np.random.Generator) -> None:
    """A shape edit as the document makes it (on a copy, which the caller validates)."""
    kind, net = edit[0], p.network
    if kind == "activation":
        net.set_activation(edit[1], edit[2])
    elif kind == "output_and_loss":
        net.loss = "mse"
        net.set_activation(net.depth, edit[1])
        net.set_loss(edit[2])
    elif kind == "seed":
        net.reinitialise(edit[1], edit[2])
        p.seed, p.init = int(edit[1]), edit[2]
    elif kind == "add_neuron":
        net.add_neuron(edit[1], rng)
        if edit[1] == 0:
            p.sample.input = np.append(p.sample.input, 0.0)
        if edit[1] == net.depth:
            p.sample.target = np.append(p.sample.target, 0.0)
    elif kind == "remove_neuron":
        l, j = edit[1], edit[2]  # noqa: E741
        net.remove_neuron(l, j)
        if l == 0:
            p.sample.input = np.delete(p.sample.input, j)
        if l == net.depth:
            p.sample.target = np.delete(p.sample.target, j)
    elif kind == "insert_layer":
        net.insert_layer(edit[1], edit[2], edit[3], rng)
    elif kind == "remove_layer":
        net.remove_layer(edit[1], rng)
    elif kind == "step":
        with np.errstate(all="ignore"):
            _, grads = propagation.evaluate(net, p.sample.input, p.sample.target)
            for l, layer in enumerate(net.layers, start=1):  # noqa: E741
                layer.W = layer.W - edit[1] * grads.dL_dW[l]
                layer.b = layer.b - edit[1] * grads.dL_db[l]


@settings(
    max_examples=1000 if LONG else 60,
    derandomize=not LONG,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.sampled_from(examples.names()), st.lists(EDITS, min_size=1, max_size=25))
def test_whatever_an_edit_leaves_saves_and_opens_again_the_same(example, edits):
    p = examples.load(example)
    rng = np.random.default_rng(0)
    accepted = 0
    for edit in edits:
        before = p.copy()
        if edit[0] in ("weight", "bias", "input", "target"):
            try:
                scalar(p, edit)
                accepted += 1
            except EditError as e:
                assert "\n" not in str(e)
                same(p, before)  # a refused edit changes nothing
        else:
            after = p.copy()
            try:
                structural(after, edit, rng)
                after.network.validate()
            except EditError as e:
                assert "\n" not in str(e)
            else:
                p = after
                accepted += 1
            same(before, before.copy())
        p.check()  # within every limit the file has
        reopened = io.loads(io.dumps(p))
        same(reopened, p)
