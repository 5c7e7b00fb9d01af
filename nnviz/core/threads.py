"""How many BLAS threads training uses, chosen on purpose (threadpoolctl).

numpy's OpenBLAS starts one thread per core. On a quiet 2-core machine two
threads make a 784-128-10 step a little faster; with the other core busy
(the GUI, another program) the two threads spin against each other and a step
takes ten times longer (see README, Training speed). Training therefore runs
with :data:`TRAINING_THREADS` BLAS threads (1; ``NNVIZ_TRAINING_THREADS``
overrides it). Without threadpoolctl installed, nothing is changed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


def _default() -> int:
    try:
        return max(1, int(os.environ.get("NNVIZ_TRAINING_THREADS", "1")))
    except ValueError:
        return 1


TRAINING_THREADS = _default()


@contextlib.contextmanager
def training_threads(n: int | None = None) -> Iterator[None]:
    """Within the block, BLAS uses ``n`` threads (default :data:`TRAINING_THREADS`)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # an optional speed-up: training is right either way
        yield
        return
    with threadpool_limits(limits=n or TRAINING_THREADS, user_api="blas"):
        yield
