"""Losses: per-example values and gradients, against the textbook formulas and
central finite differences, and their stability for saturated outputs (z = ±1000)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnviz.core import activations as A
from nnviz.core import losses as Lo

H = 1e-6


def _rng(seed):
    return np.random.default_rng(seed)


def fd_rows(fun, x: np.ndarray) -> np.ndarray:
    """Central differences of the per-row scalar ``fun(x)`` (shape (batch,)) w.r.t. x."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        h = H * max(abs(x[idx]), 1e-2)  # relative step: some outputs a are ~1e-4
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        g[idx] = (fun(xp)[idx[0]] - fun(xm)[idx[0]]) / (2 * h)
    return g


# textbook forms written from a (only valid away from saturation)
def mse_from_a(a, y):
    return 0.5 * np.sum((a - y) ** 2, axis=-1)


def bce_from_a(a, y):
    return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=-1)


def ce_from_a(a, y):
    return -np.sum(y * np.log(a), axis=-1)


def test_catalogue():
    assert Lo.NAMES == ("mse", "bce", "cross_entropy")
    assert Lo.get("bce").requires_output == "sigmoid"
    assert Lo.get("cross_entropy").requires_output == "softmax"
    assert Lo.get("mse").requires_output is None
    with pytest.raises(ValueError, match="unknown loss 'l1'; expected one of mse, bce"):
        Lo.get("l1")


@pytest.mark.parametrize("seed", range(5))
def test_mse_value_and_gradient(seed):
    rng = _rng(seed)
    B, n = rng.integers(1, 5), rng.integers(1, 5)
    z = rng.normal(size=(B, n))
    a, y = z.copy(), rng.normal(size=(B, n))
    spec = Lo.get("mse")
    np.testing.assert_allclose(spec.value(z, a, y), mse_from_a(a, y), rtol=1e-14)
    assert spec.value(z, a, y).shape == (B,)
    fd = fd_rows(lambda aa: spec.value(z, aa, y), a)
    np.testing.assert_allclose(spec.dL_da(z, a, y), fd, rtol=1e-6, atol=1e-8)
    assert spec.dL_dz is None  # mse goes through the activation's own derivative


@pytest.mark.parametrize("seed", range(5))
def test_bce_value_and_gradients(seed):
    rng = _rng(seed)
    B, n = rng.integers(1, 5), rng.integers(1, 4)
    z = rng.normal(0, 2, size=(B, n))
    y = rng.uniform(0, 1, size=(B, n))  # soft targets are allowed
    y[0, 0] = 1.0
    sig = A.get("sigmoid")
    a = sig.f(z)
    spec = Lo.get("bce")
    np.testing.assert_allclose(spec.value(z, a, y), bce_from_a(a, y), rtol=1e-12)
    # ∂L/∂a against the formula in a
    fd_a = fd_rows(lambda aa: bce_from_a(aa, y), a)
    np.testing.assert_allclose(spec.dL_da(z, a, y), fd_a, rtol=1e-6, atol=1e-8)
    # the fused ∂L/∂z against the loss as a function of z (a = σ(z))
    fd_z = fd_rows(lambda zz: spec.value(zz, sig.f(zz), y), z)
    np.testing.assert_allclose(spec.dL_dz(z, a, y), fd_z, rtol=1e-6, atol=1e-8)
    # and it is the chain ∂L/∂a · σ'(z)
    np.testing.assert_allclose(
        spec.dL_dz(z, a, y), spec.dL_da(z, a, y) * sig.df(z), rtol=1e-10, atol=1e-14
    )


@pytest.mark.parametrize("seed", range(5))
def test_cross_entropy_value_and_gradients(seed):
    rng = _rng(seed)
    B, n = rng.integers(1, 5), rng.integers(2, 6)
    z = rng.normal(0, 2, size=(B, n))
    if seed % 2:
        y = np.eye(n)[rng.integers(0, n, B)]  # one-hot
    else:
        y = rng.dirichlet(np.ones(n), B)  # soft labels
    a = A.softmax(z)
    spec = Lo.get("cross_entropy")
    np.testing.assert_allclose(spec.value(z, a, y), ce_from_a(a, y), rtol=1e-12)
    fd_a = fd_rows(lambda aa: ce_from_a(aa, y), a)
    np.testing.assert_allclose(spec.dL_da(z, a, y), fd_a, rtol=1e-6, atol=1e-8)
    fd_z = fd_rows(lambda zz: spec.value(zz, A.softmax(zz), y), z)
    np.testing.assert_allclose(spec.dL_dz(z, a, y), fd_z, rtol=1e-6, atol=1e-8)
    # the fused form equals ∂L/∂a pushed through the full softmax Jacobian
    g = spec.dL_da(z, a, y)
    through_jacobian = np.stack([(np.diag(a[r]) - np.outer(a[r], a[r])) @ g[r] for r in range(B)])
    np.testing.assert_allclose(spec.dL_dz(z, a, y), through_jacobian, rtol=1e-9, atol=1e-12)


def test_cross_entropy_targets_that_do_not_sum_to_one():
    """∂L/∂z = a·Σy − y (not a − y) when the target is not a distribution."""
    rng = _rng(11)
    z = rng.normal(size=(3, 4))
    y = rng.uniform(0, 2, size=(3, 4))
    spec = Lo.get("cross_entropy")
    fd_z = fd_rows(lambda zz: spec.value(zz, A.softmax(zz), y), z)
    np.testing.assert_allclose(spec.dL_dz(z, A.softmax(z), y), fd_z, rtol=1e-6, atol=1e-8)


SATURATED = np.array([[1000.0, -1000.0, 745.0, -745.0, 710.0, -710.0, 36.0, -36.0]])


@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_bce_never_inf_or_nan_when_saturated(target):
    z = SATURATED
    y = np.full_like(z, target)
    spec = Lo.get("bce")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = A.get("sigmoid").f(z)
        v, da, dz = spec.value(z, a, y), spec.dL_da(z, a, y), spec.dL_dz(z, a, y)
    for arr in (v, da, dz):
        assert np.all(np.isfinite(arr))
    # the value is exact: −ln σ(−1000) = 1000
    one = np.array([[1000.0]])
    assert spec.value(one, A.get("sigmoid").f(one), np.array([[0.0]]))[0] == 1000.0
    assert spec.value(-one, A.get("sigmoid").f(-one), np.array([[1.0]]))[0] == 1000.0
    assert spec.value(one, A.get("sigmoid").f(one), np.array([[1.0]]))[0] == 0.0


@pytest.mark.parametrize("hot", [0, 1, 2])
def test_cross_entropy_never_inf_or_nan_when_saturated(hot):
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    y = np.zeros_like(z)
    y[:, hot] = 1.0
    spec = Lo.get("cross_entropy")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = A.softmax(z)
        v, da, dz = spec.value(z, a, y), spec.dL_da(z, a, y), spec.dL_dz(z, a, y)
    for arr in (v, da, dz):
        assert np.all(np.isfinite(arr))
    expected_first_row = {0: 0.0, 1: 2000.0, 2: 1000.0}[hot]
    assert v[0] == pytest.approx(expected_first_row, rel=1e-15)
    np.testing.assert_allclose(dz, a - y, atol=1e-15)


@given(
    arrays(np.float64, (2, 3), elements=st.floats(-1000, 1000)),
    arrays(np.float64, (2, 3), elements=st.floats(0, 1)),
)
@settings(max_examples=150, deadline=None)
def test_losses_are_finite_and_non_negative_everywhere(z, y):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name, act in (("bce", "sigmoid"), ("cross_entropy", "softmax"), ("mse", "sigmoid")):
            spec = Lo.get(name)
            a = A.get(act).f(z)
            v = spec.value(z, a, y)
            assert np.all(np.isfinite(v)) and np.all(v >= -1e-12), name
            assert np.all(np.isfinite(spec.dL_da(z, a, y))), name
            if spec.dL_dz is not None:
                assert np.all(np.isfinite(spec.dL_dz(z, a, y))), name
