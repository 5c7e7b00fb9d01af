"""Where every neuron sits on the canvas, and what lies under a point.

Pure geometry over numpy arrays (no Qt objects are kept): columns of neurons,
one per layer, centred vertically. Hit testing is vectorised, so it stays fast
at 100,000 edges.
"""

from __future__ import annotations

import numpy as np

COLUMN_GAP = 260.0
NEURON_GAP = 110.0
MAX_RADIUS = 30.0
#: a column of many neurons is squeezed to about this height (scene units)
COLUMN_HEIGHT = 640.0
#: above this many edges the canvas draws without per-edge detail
LOD_EDGES = 3000
#: above this many neurons in a layer, its neurons are drawn without text
LOD_NEURONS = 24


def minimum_size(sizes: list[int]) -> tuple[int, int]:
    """The smallest picture, in pixels, that draws a network of layer ``sizes`` legibly.

    Each column needs about 90 px across for its header and labels; a column's
    neurons about 12 px each up to the level of detail (LOD_NEURONS), plus room
    for the headers and the loss; never under 200×200.
    """
    tallest = max(min(n, LOD_NEURONS) for n in sizes)
    return max(200, 90 * len(sizes)), max(200, 12 * tallest + 120)


class Layout:
    """Neuron centres and radii for a network with layer sizes ``sizes``."""

    def __init__(self, sizes: list[int]) -> None:
        self.sizes = list(sizes)
        # deep networks get closer columns so that the fitted view stays readable
        gap = max(150.0, COLUMN_GAP - 20.0 * max(0, len(sizes) - 5))
        self.x = np.arange(len(sizes), dtype=float) * gap
        self.spacing: list[float] = []
        self.radius: list[float] = []
        self.y: list[np.ndarray] = []
        for n in sizes:
            height = min(NEURON_GAP * (n - 1), max(COLUMN_HEIGHT, 2.5 * n))
            gap = height / (n - 1) if n > 1 else NEURON_GAP
            self.spacing.append(gap)
            self.radius.append(float(np.clip(gap * 0.36, 1.2, MAX_RADIUS)))
            self.y.append((np.arange(n) - (n - 1) / 2.0) * gap)
        self.n_edges = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        self.detailed = self.n_edges <= LOD_EDGES
        self._segments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def pos(self, l: int, j: int) -> tuple[float, float]:  # noqa: E741
        return float(self.x[l]), float(self.y[l][j])

    def labelled(self, l: int) -> bool:  # noqa: E741
        """Whether neurons of layer ``l`` get their numbers written in them."""
        return self.sizes[l] <= LOD_NEURONS and self.detailed

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, width, height) of everything drawn, with room for labels."""
        top = min(float(y[0]) for y in self.y) - 115.0  # headers above the z labels
        # the loss box sits under the output column: room for it too
        loss_box = float(self.y[-1][-1]) + self.radius[-1] + 28.0 + 34.0 + 14.0  # loss_box_rect
        bottom = max(max(float(y[-1]) for y in self.y) + 80.0, loss_box)
        left = -150.0
        right = float(self.x[-1]) + 230.0
        return left, top, right - left, bottom - top

    def scene_rect(self) -> tuple[float, float, float, float]:
        """The scene's extent: the drawing's bounds and room to pan around them
        (the playback veil covers all of it)."""
        left, top, width, height = self.bounds()
        return left - 400.0, top - 300.0, width + 800.0, height + 600.0

    def edge_segments(self, l: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # noqa: E741
        """x1, y1, x2, y2 of every edge into layer ``l``, each shaped like W[l] (n_out, n_in)."""
        n_out, n_in = self.sizes[l], self.sizes[l - 1]
        x1 = np.full((n_out, n_in), self.x[l - 1] + self.radius[l - 1])
        x2 = np.full((n_out, n_in), self.x[l] - self.radius[l])
        y1 = np.broadcast_to(self.y[l - 1][None, :], (n_out, n_in))
        y2 = np.broadcast_to(self.y[l][:, None], (n_out, n_in))
        return x1, y1, x2, y2

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """x1, y1, x2, y2 of every edge, flat: layer after layer, each in ``W[l].ravel()`` order.

        Computed once per layout (a layout never changes) and read-only.
        """
        if self._segments is None:
            parts = [self.edge_segments(l) for l in range(1, len(self.sizes))]  # noqa: E741
            flat = tuple(np.concatenate([np.ravel(part[k]) for part in parts]) for k in range(4))
            for a in flat:
                a.setflags(write=False)
            self._segments = flat  # type: ignore[assignment]
        return self._segments  # type: ignore[return-value]

    # ------------------------------------------------------ rectangles drawn
    # Every rectangle of scene text the canvas draws, as (left, top, width, height)
    # in scene units: the editing view, the animation and the exporters read these.
    def neuron_rect(self, l: int, j: int) -> tuple[float, float, float, float]:  # noqa: E741
        x, y = self.pos(l, j)
        r = self.radius[l]
        return x - r, y - r, 2 * r, 2 * r

    def neuron_boxes(self) -> np.ndarray:
        """(left, top, right, bottom) of every neuron's circle, layer after layer: (N, 4)."""
        out = []
        for l, x in enumerate(self.x):  # noqa: E741
            r = max(self.radius[l], 1.0)
            y = self.y[l]
            out.append(np.stack([np.full_like(y, x - r), y - r, np.full_like(y, x + r), y + r], 1))
        return np.concatenate(out) if out else np.empty((0, 4))

    def header_rect(self, l: int) -> tuple[float, float, float, float]:  # noqa: E741
        return float(self.x[l]) - 120.0, self.bounds()[1] + 8.0, 240.0, 30.0

    def input_name_rect(self, j: int) -> tuple[float, float, float, float]:
        x, y = self.pos(0, j)
        return x - self.radius[0] - 70.0, y - 12.0, 64.0, 24.0

    def bias_rect(self, l: int, j: int) -> tuple[float, float, float, float]:  # noqa: E741
        x, y = self.pos(l, j)
        return x - 60.0, y + self.radius[l] + 1.0, 120.0, 18.0

    def z_rect(self, l: int, j: int) -> tuple[float, float, float, float]:  # noqa: E741
        x, y = self.pos(l, j)
        return x - 60.0, y - self.radius[l] - 19.0, 120.0, 18.0

    def target_rect(self, j: int) -> tuple[float, float, float, float]:
        L = len(self.sizes) - 1
        x, y = self.pos(L, j)
        return x + self.radius[L] + 8.0, y - 12.0, 100.0, 24.0

    def loss_box_rect(self) -> tuple[float, float, float, float]:
        L = len(self.sizes) - 1
        bottom = float(self.y[L][-1]) + self.radius[L] + 28.0
        return float(self.x[L]) - 80.0, bottom, 160.0, 34.0

    # ------------------------------------------------------------- hit tests
    def neuron_at(self, px: float, py: float, slack: float = 4.0) -> tuple[int, int] | None:
        for l, x in enumerate(self.x):  # noqa: E741
            r = max(self.radius[l], 6.0) + slack
            if abs(px - x) > r:
                continue
            d = np.hypot(self.y[l] - py, px - x)
            j = int(np.argmin(d))
            if d[j] <= r:
                return l, j
        return None

    def edge_at(self, px: float, py: float, tol: float = 5.0) -> tuple[int, int, int] | None:
        """The edge (l, j, i) nearest to the point, if within ``tol`` scene units."""
        for l in range(1, len(self.sizes)):  # noqa: E741
            if not self.x[l - 1] < px < self.x[l]:
                continue
            x1, y1, x2, y2 = (a.ravel() for a in self.edge_segments(l))
            dx, dy = x2 - x1, y2 - y1
            t = np.clip(((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
            d = np.hypot(x1 + t * dx - px, y1 + t * dy - py)
            k = int(np.argmin(d))
            if d[k] <= tol:
                n_in = self.sizes[l - 1]
                return l, k // n_in, k % n_in
        return None
