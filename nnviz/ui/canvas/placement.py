"""Where each label goes: a placement pass that never lets two labels overlap.

Input: the labels a frame wants to show (text, size, the scene point it is
about, a priority), the obstacles (neurons, headers) and the zoom. Each label
has a list of candidate positions, best first: for a neuron's label, straight
above or below it, then stacked further out, then beside; for an edge's label,
points along its edge (nudged from the middle towards either end), then the
same points moved off the edge with a leader line back to it. Labels go in by
priority (0 first: the loss and the neurons the step works on) and each takes
its first candidate that covers no neuron and no label already placed. A label
with no free candidate is dropped, and counted: the canvas says "labels
hidden: zoom in" instead of drawing labels on top of each other.

Pure geometry over rectangles in scene units (a label's size is its screen size
divided by the zoom); no painting here, so a test reads exactly what was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: gap kept between a label and what it must not touch, in screen pixels
GAP_PX = 2.0
#: where along its edge an edge label may sit (fractions from source to target)
EDGE_TS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88)


@dataclass
class Label:
    """A label to place. ``w``/``h`` in screen pixels; ``anchor`` the scene point it
    is about; ``candidates`` scene centres to try, best first (built by the helpers)."""

    key: tuple
    text: str
    w: float
    h: float
    priority: int
    anchor: tuple[float, float]
    candidates: list[tuple[float, float]] = field(default_factory=list)
    #: candidates from this index on are off the anchor's spot: draw a leader line
    leader_from: int = 10**9
    # the result
    rect: tuple[float, float, float, float] | None = None  # left, top, right, bottom (scene)
    leader: bool = False
    payload: object = None


@dataclass
class Placement:
    placed: list[Label]
    #: labels with no free spot (what "labels hidden: zoom in" counts)
    dropped: list[Label]
    #: labels about something outside the view (not drawn, not counted)
    offscreen: list[Label] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return len(self.dropped)

    def rects(self) -> list[tuple[float, float, float, float]]:
        return [lab.rect for lab in self.placed if lab.rect is not None]


class _Boxes:
    """The rectangles a label must not touch (obstacles, labels placed so far).

    A test is a pure-Python scan with the strict comparisons of the numpy scan it
    replaces (the same answer, NaN and inf included), newest box first: a candidate
    is mostly refused by the label placed just before it, its neighbour. For the few
    dozen boxes of a frame numpy's per-call overhead on tiny arrays cost several
    times more than the tests themselves (~15 µs a test, ~300 tests a frame).
    """

    __slots__ = ("boxes",)

    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []

    def add(self, r) -> None:
        x0, y0, x1, y1 = r
        self.boxes.append((float(x0), float(y0), float(x1), float(y1)))

    def hits(self, r: tuple[float, float, float, float]) -> bool:
        """Whether ``r`` (left, top, right, bottom) overlaps any box (strictly)."""
        r0, r1, r2, r3 = r
        for b0, b1, b2, b3 in reversed(self.boxes):
            if b0 < r2 and b2 > r0 and b1 < r3 and b3 > r1:
                return True
        return False


def place(
    labels: list[Label],
    obstacles: list[tuple[float, float, float, float]],
    zoom: float,
    bounds: tuple[float, float, float, float] | None = None,
) -> Placement:
    """Place ``labels`` (highest priority first) clear of ``obstacles`` and of each other,
    and, given ``bounds`` (the view, left, top, right, bottom), inside it: a label about
    a point outside the view is left out without being counted as hidden."""
    zoom = max(zoom, 1e-3)
    offscreen: list[Label] = []
    if bounds is not None:
        bl, bt, br, bb = bounds
        inside = []
        for lab in labels:
            ax, ay = lab.anchor
            (inside if bl <= ax <= br and bt <= ay <= bb else offscreen).append(lab)
        labels = inside
    gap = GAP_PX / zoom
    boxes = _Boxes()
    for o in obstacles:
        boxes.add(o)
    placed: list[Label] = []
    dropped: list[Label] = []
    for lab in sorted(labels, key=lambda b: b.priority):
        hw, hh = lab.w / 2 / zoom, lab.h / 2 / zoom
        for k, (cx, cy) in enumerate(lab.candidates):
            r = (cx - hw, cy - hh, cx + hw, cy + hh)
            test = (r[0] - gap, r[1] - gap, r[2] + gap, r[3] + gap)
            if bounds is not None and (
                r[0] < bounds[0] or r[1] < bounds[1] or r[2] > bounds[2] or r[3] > bounds[3]
            ):
                continue
            if not boxes.hits(test):
                lab.rect = r
                lab.leader = k >= lab.leader_from
                boxes.add(r)
                placed.append(lab)
                break
        else:
            lab.rect = None
            dropped.append(lab)
    return Placement(placed, dropped, offscreen)


# ------------------------------------------------------------------ candidates
def neuron_candidates(
    x: float, y: float, r: float, h_scene: float, w_scene: float, above: bool, gap: float
) -> list[tuple[float, float]]:
    """Above (or below) the neuron; then nudged sideways (a quarter, a half of its width,
    then clear beside it); then on the other side of the neuron; then level with it,
    left or right of it (over the edges: a label is boxed); then one and two rows
    further out (stacked)."""
    s = -1.0 if above else 1.0
    base = y + s * (r + gap + h_scene / 2)
    other = y - s * (r + gap + h_scene / 2)
    side = w_scene / 2 + r * 0.3
    shifts = (0.0, 0.25 * w_scene, -0.25 * w_scene, 0.5 * w_scene, -0.5 * w_scene, side, -side)
    beside = r + gap + w_scene / 2
    out = [(x + dx, base) for dx in shifts]
    out += [(x + dx, other) for dx in shifts[:5]]
    out += [(x + beside, y), (x - beside, y)]
    out += [(x + sx * beside, y + dy * (h_scene + gap)) for dy in (s, -s) for sx in (1.0, -1.0)]
    out += [(x + dx, base + s * k * (h_scene + gap)) for k in (1, 2) for dx in shifts]
    return out


def edge_candidates(
    x1: float, y1: float, x2: float, y2: float, h_scene: float, lo: float = 0.0, hi: float = 1.0
) -> tuple[list[tuple[float, float]], int]:
    """Points along the edge (the middle first), then the same points moved off it
    by one and two label heights (these need a leader line). ``lo``/``hi`` limit the
    fractions used (to keep clear of the neurons' own labels)."""
    ts = [t for t in EDGE_TS if lo <= t <= hi] or [0.5 * (lo + hi)]
    on = [(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t) for t in ts]
    off = []
    for k in (1.0, -1.0, 2.0, -2.0, 3.0, -3.0):
        off += [(x, y + k * 1.1 * h_scene) for x, y in on]
    return on + off, len(on)
