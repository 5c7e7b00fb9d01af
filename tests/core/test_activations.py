"""Activation records: values, exact derivatives (vs central differences), stability.

Plain pytest, no Qt. pyproject sets ``filterwarnings = error``, so any overflow or
invalid-value warning from numpy fails a test; ``np.errstate(..., 'raise')`` makes
that doubly sure where it matters.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnviz.core import activations as A

ELEMENTWISE = A.ELEMENTWISE_NAMES
#: derivative has a jump (or f' has a kink) at 0: finite differences must stay clear of it
KINKED = {"step", "relu", "leaky_relu", "elu"}
MONOTONE = {"linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"}

finite_z = st.floats(-1000.0, 1000.0, allow_nan=False, allow_infinity=False)
hsettings = settings(max_examples=200, deadline=None)


def z_samples(seed: int = 0) -> np.ndarray:
    """Points near 0, moderate, far, and the extremes ±1000 (and the exp() overflow edge)."""
    rng = np.random.default_rng(seed)
    near = rng.uniform(-1e-2, 1e-2, 50)
    moderate = rng.normal(0.0, 3.0, 200)
    far = rng.uniform(10.0, 1000.0, 50) * rng.choice([-1.0, 1.0], 50)
    edges = np.array([-1000.0, 1000.0, -745.0, 745.0, -710.0, 710.0, -709.0, 709.0, -40.0, 40.0])
    return np.concatenate([near, moderate, far, edges])


def central_difference(f, z: np.ndarray) -> np.ndarray:
    h = 1e-6 * np.maximum(1.0, np.abs(z))
    return (f(z + h) - f(z - h)) / (2.0 * h)


def test_the_catalogue_is_complete():
    expected = {
        "linear",
        "step",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "softplus",
        "gelu",
        "silu",
        "softmax",
    }
    assert set(A.NAMES) == expected
    assert set(ELEMENTWISE) == expected - {"softmax"}
    assert not A.ACTIVATIONS["softmax"].elementwise
    for act in A.ACTIVATIONS.values():
        assert act.label and act.formula and act.derivative, act.name
    assert [n for n, a in A.ACTIVATIONS.items() if a.is_linear] == ["linear"]


def test_get_unknown_names_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'swish'; expected one of linear"):
        A.get("swish")
    with pytest.raises(ValueError, match="unknown activation"):
        A.get(["relu"])  # unhashable: still a clear ValueError, not a TypeError


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name):
    act = A.get(name)
    z = z_samples()
    if name in KINKED:
        z = z[np.abs(z) > 1e-3]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        fd = central_difference(act.f, z)
        df = act.df(z)
    np.testing.assert_allclose(df, fd, rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_no_warning_and_finite_up_to_1000(name):
    act = A.get(name)
    z = np.linspace(-1000.0, 1000.0, 20001)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        f, df = act.f(z), act.df(z)
    assert f.shape == df.shape == z.shape
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(df))


@pytest.mark.parametrize("name", A.NAMES)
def test_shapes_and_scalars(name):
    act = A.get(name)
    z2 = np.array([[-1.0, 0.0, 2.0], [3.0, -4.0, 0.5]])
    assert act.f(z2).shape == z2.shape
    assert act.df(z2).shape == z2.shape
    # a plot marker asks for one point: a numpy scalar and a Python float both work
    for z in (np.float64(0.75), 0.75, -0.75):
        f, df = act.f(z), act.df(z)
        assert np.ndim(f) == 0 and np.ndim(df) == 0
        assert math.isfinite(float(f)) and math.isfinite(float(df))
    if act.elementwise:
        np.testing.assert_array_equal(act.f(np.float64(0.75)), act.f(np.array([0.75]))[0])


def test_known_values():
    g = A.get
    assert g("relu").df(np.array([0.0]))[0] == 0.0  # relu'(0) = 0, by convention
    assert g("relu").f(np.array([-2.0]))[0] == 0.0
    np.testing.assert_array_equal(g("leaky_relu").df(np.array([0.0, -1.0, -1000.0])), 0.01)
    np.testing.assert_array_equal(g("leaky_relu").df(np.array([1e-9, 3.0])), 1.0)
    np.testing.assert_allclose(g("leaky_relu").f(np.array([-2.0])), [-0.02])
    np.testing.assert_array_equal(g("step").df(np.array([-1.0, 0.0, 1e-12, 5.0])), 0.0)
    np.testing.assert_array_equal(g("step").f(np.array([-1.0, 0.0, 1e-12, 5.0])), [0, 0, 1, 1])
    assert g("sigmoid").f(np.array([0.0]))[0] == 0.5
    assert g("sigmoid").df(np.array([0.0]))[0] == 0.25
    assert g("tanh").df(np.array([0.0]))[0] == 1.0
    assert g("softplus").f(np.array([0.0]))[0] == pytest.approx(math.log(2.0), rel=1e-15)
    assert g("softplus").df(np.array([0.0]))[0] == 0.5
    assert g("gelu").df(np.array([0.0]))[0] == 0.5
    assert g("silu").df(np.array([0.0]))[0] == 0.5
    assert g("elu").f(np.array([-1.0]))[0] == pytest.approx(math.exp(-1.0) - 1.0, rel=1e-15)
    assert g("elu").df(np.array([0.0]))[0] == 1.0
    # the saturated ends are exact, not merely close
    np.testing.assert_array_equal(g("sigmoid").f(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    np.testing.assert_array_equal(g("softplus").f(np.array([-1000.0, 1000.0])), [0.0, 1000.0])
    np.testing.assert_array_equal(g("gelu").f(np.array([-1000.0, 1000.0])), [-0.0, 1000.0])


def test_gelu_is_the_exact_erf_form():
    z = np.linspace(-6.0, 6.0, 121)
    exact = np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in z])
    np.testing.assert_allclose(A.get("gelu").f(z), exact, rtol=1e-15, atol=1e-300)
    tanh_approx = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    # the tanh approximation differs by ~1e-4 somewhere: we are not using it
    assert np.max(np.abs(A.get("gelu").f(z) - tanh_approx)) > 1e-5


@given(finite_z)
@hsettings
def test_sigmoid_is_a_probability_and_symmetric(z):
    s = A.get("sigmoid")
    a, b = s.f(np.array([z]))[0], s.f(np.array([-z]))[0]
    assert 0.0 <= a <= 1.0
    assert a + b == pytest.approx(1.0, abs=1e-15)
    assert s.df(np.array([z]))[0] == pytest.approx(a * b, rel=1e-12, abs=1e-300)
    assert s.df(np.array([z]))[0] == s.df(np.array([-z]))[0]  # f' is even


@given(finite_z)
@hsettings
def test_odd_and_even_identities(z):
    zz = np.array([z])
    mz = -zz
    t = A.get("tanh")
    assert t.f(mz)[0] == -t.f(zz)[0]
    assert t.df(mz)[0] == t.df(zz)[0]
    # f(z) − f(−z) = z for softplus, relu, gelu and silu (Φ(z) + Φ(−z) = 1, σ likewise)
    for name in ("softplus", "relu", "gelu", "silu"):
        f = A.get(name).f
        assert f(zz)[0] - f(mz)[0] == pytest.approx(z, rel=1e-12, abs=1e-12), name
    leaky = A.get("leaky_relu").f
    assert leaky(zz)[0] - leaky(mz)[0] == pytest.approx(1.01 * z, rel=1e-12, abs=1e-300)


@given(finite_z, finite_z)
@hsettings
def test_monotone_activations_never_decrease(z1, z2):
    lo, hi = np.array([min(z1, z2)]), np.array([max(z1, z2)])
    for name in MONOTONE:
        act = A.get(name)
        assert act.f(lo)[0] <= act.f(hi)[0], name
        assert act.df(lo)[0] >= 0.0, name


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 8)), elements=finite_z))
@hsettings
def test_softmax_rows_are_distributions(z):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = A.softmax(z)
        shifted = A.softmax(z + 123.0)
        log_a = A.log_softmax(z)
    assert np.all(a >= 0.0) and np.all(a <= 1.0)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(shifted, a, rtol=1e-9, atol=1e-12)  # shift invariant
    assert np.all(np.isfinite(log_a)) and np.all(log_a <= 0.0)
    big = a > 1e-300
    np.testing.assert_allclose(np.exp(log_a[big]), a[big], rtol=1e-9)
    # the "derivative" record of softmax is the Jacobian's diagonal, for display
    np.testing.assert_allclose(A.get("softmax").df(z), a * (1.0 - a), atol=1e-15)


def test_softmax_extreme_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    a = A.softmax(z)
    np.testing.assert_array_equal(a[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(a[1], 1.0 / 3.0)
    np.testing.assert_allclose(A.log_softmax(z)[0], [0.0, -2000.0, -1000.0])


def test_saturated_ranges():
    lo_hi = A.saturated_ranges("sigmoid", -10.0, 10.0)
    assert len(lo_hi) == 2
    (a0, a1), (b0, b1) = lo_hi
    assert a0 == -10.0 and b1 == 10.0
    assert -10.0 < a1 < -2.0 and 2.0 < b0 < 10.0
    assert A.saturated_ranges("relu", -10.0, 10.0) == []
    assert A.saturated_ranges("linear", -10.0, 10.0) == []
