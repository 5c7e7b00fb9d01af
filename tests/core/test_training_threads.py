"""Training runs with a chosen number of BLAS threads (threadpoolctl), and restores it after."""

from __future__ import annotations

import pytest

from nnviz.core.threads import TRAINING_THREADS, training_threads


def _blas_threads() -> list[int]:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    return [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]


def test_training_threads_limit_blas_inside_and_restore_it_outside():
    import numpy as np

    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    before = _blas_threads()
    assert TRAINING_THREADS == 1
    with training_threads():
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before
