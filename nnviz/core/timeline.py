"""The playback timeline: the list of steps of one forward and backward pass.

Animation is a position on a timeline, not a clock (DESIGN.md, convention 5).
A :class:`Plan` is the list of :class:`Step` for a network's shape, layer by
layer or neuron by neuron::

    start → the input appears
    → for each layer l: pulses along the incoming edges carry a·w
                        → the bias is added: z = Σ w·a + b → a = f(z)
    → the loss appears at the output
    → ∂L/∂a at the output
    → for each layer l, from the output back:
          ∂L/∂z = ∂L/∂a · f′(z)
          → pulses go back along the edges carrying ∂L/∂w = ∂L/∂z · a_prev
          → ∂L/∂a_prev = Σ w · ∂L/∂z collects at layer l − 1 (not at the input)
    → the update: each weight before and after w − η·∂L/∂w

A :class:`Position` is a step index and the fraction of that step played
(1.0 = complete). :func:`frame_at` maps a position to a :class:`Frame`, what is
revealed at that moment; it is a pure function, so seeking back to a position
gives exactly the frame seen there before. :class:`Timeline` holds a position
and moves it with :meth:`Timeline.advance` (ticks of the app's one timer) and
:meth:`Timeline.seek`; neither reads a clock.

Layer indices follow the lesson (0 = input). Edges belong to the layer they
feed: the edges of layer ``l`` are ``W[l]`` with shape ``(n_l, n_{l-1})``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations, steps
from .network import Network
from .steps import SPECS, StepKind

GRANULARITIES = ("layer", "neuron")
#: the UI timer runs at this rate; step durations are in ticks at speed 1×
TICKS_PER_SECOND = 30
SPEED_MIN = 0.25
SPEED_MAX = 4.0
SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)

#: step kinds, in the order they first appear (the table is nnviz.core.steps.SPECS)
KINDS = tuple(StepKind)
#: duration of each kind of step, in ticks at 1×
DURATIONS = {k: s.duration for k, s in SPECS.items()}
#: neuron-by-neuron steps are shorter (there are many more of them)
NEURON_DURATION_SCALE = 0.6

#: kinds whose pulses travel along edges, and in which direction
PULSE_KINDS = {k: s.direction for k, s in SPECS.items() if s.direction is not None}


@dataclass(frozen=True)
class Step:
    """One step of the timeline.

    ``layer`` is the lesson's layer index the step computes in: for edge steps
    (``forward_edges``, ``grad_edges``) the layer the edges feed; for ``collect``
    the layer whose ``∂L/∂a`` is collected (its edges are those of ``layer + 1``).
    ``neuron`` is None when the step covers the whole layer.
    """

    kind: StepKind
    layer: int = 0
    neuron: int | None = None
    caption: str = ""
    duration: int = 30

    def __post_init__(self) -> None:
        if not isinstance(self.kind, StepKind):  # a plain string: its enum member
            object.__setattr__(self, "kind", steps.spec(self.kind).kind)

    @property
    def spec(self) -> steps.StepSpec:
        """This kind's row of the step table."""
        return SPECS[self.kind]

    @property
    def phase(self) -> str:
        """'start', 'forward', 'loss', 'backward' or 'update'."""
        return SPECS[self.kind].phase

    @property
    def direction(self) -> str | None:
        """'forward' or 'backward' for steps with pulses along edges, else None."""
        return SPECS[self.kind].direction

    @property
    def edge_layer(self) -> int | None:
        """The layer whose edges carry this step's pulses (None: no pulses)."""
        return SPECS[self.kind].edge_layer(self.layer)


@dataclass(frozen=True)
class Position:
    """A step index and how much of that step has played (0.0 to 1.0; 1.0 = complete)."""

    step: int
    fraction: float = 1.0


# ------------------------------------------------------------------ captions
_layer_name = steps.layer_name
_who = steps.who


def _caption(net: Network, kind: str, l: int, j: int | None) -> str:  # noqa: E741
    return steps.caption(net, kind, l, j)


# ---------------------------------------------------------------------- plan
#: "never revealed" in the reveal tables
NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class Plan:
    """The steps for one network shape, and at which step each thing is revealed.

    The ``*_at`` tables hold, per layer (index 0 = input), the index of the
    step that reveals each neuron's value (or each edge row's value); the
    frame at step ``s`` shows exactly what has ``at <= s``.
    """

    sizes: tuple[int, ...]
    granularity: str
    steps: tuple[Step, ...]
    z_at: tuple[np.ndarray, ...]
    a_at: tuple[np.ndarray, ...]
    dL_da_at: tuple[np.ndarray, ...]
    dL_dz_at: tuple[np.ndarray, ...]
    fwd_at: tuple[np.ndarray, ...]  # per edge row (the neuron the edges feed)
    grad_at: tuple[np.ndarray, ...]
    loss_at: int
    update_at: int

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def last(self) -> int:
        return len(self.steps) - 1

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def frame(self, position: Position) -> Frame:
        return frame_at(self, position)

    def clamp(self, position: Position) -> Position:
        step = min(max(int(position.step), 0), self.last)
        fraction = float(min(max(position.fraction, 0.0), 1.0))
        return Position(step, fraction)

    def total_ticks(self) -> int:
        return sum(s.duration for s in self.steps)

    def find(self, kind: str, layer: int | None = None, neuron: int | None = None) -> int:
        """Index of the first step of ``kind`` (in ``layer``, for ``neuron``); -1 if none."""
        for k, s in enumerate(self.steps):
            if (
                s.kind == kind
                and (layer is None or s.layer == layer)
                and (neuron is None or s.neuron == neuron)
            ):
                return k
        return -1


def build_plan(net: Network, granularity: str = "layer") -> Plan:
    """The timeline of one forward and backward pass through ``net``."""
    if granularity not in GRANULARITIES:
        raise ValueError(
            f"unknown granularity {granularity!r}; expected one of {', '.join(GRANULARITIES)}"
        )
    sizes = tuple(net.sizes)
    depth = net.depth
    per_neuron = granularity == "neuron"
    scale = NEURON_DURATION_SCALE if per_neuron else 1.0
    steps: list[Step] = []

    def table() -> list[np.ndarray]:
        return [np.full(n, NEVER, dtype=np.int64) for n in sizes]

    z_at, a_at, dL_da_at, dL_dz_at = table(), table(), table(), table()
    fwd_at, grad_at = table(), table()
    fwd_at[0] = np.zeros(0, dtype=np.int64)  # the input layer has no incoming edges
    grad_at[0] = np.zeros(0, dtype=np.int64)

    def add(kind: StepKind, l: int = 0, j: int | None = None) -> int:  # noqa: E741
        dur = DURATIONS[kind]
        if j is not None:
            dur = max(1, round(dur * scale))
        steps.append(Step(kind, l, j, _caption(net, kind, l, j), dur))
        return len(steps) - 1

    def reveal(tab: list[np.ndarray], l: int, j: int | None, k: int) -> None:  # noqa: E741
        if j is None:
            tab[l][:] = k
        else:
            tab[l][j] = k

    def units(l: int) -> list[int | None]:  # noqa: E741
        return list(range(sizes[l])) if per_neuron else [None]

    add(StepKind.START)
    k = add(StepKind.INPUTS)
    z_at[0][:] = k
    a_at[0][:] = k
    for l in range(1, depth + 1):  # noqa: E741
        elementwise = activations.get(net.layers[l - 1].activation).elementwise
        for j in units(l):
            reveal(fwd_at, l, j, add(StepKind.FORWARD_EDGES, l, j))
            reveal(z_at, l, j, add(StepKind.Z, l, j))
            if elementwise:
                reveal(a_at, l, j, add(StepKind.A, l, j))
        if not elementwise:  # softmax needs the whole layer's z: one step for all
            reveal(a_at, l, None, add(StepKind.A, l, None))
    loss_at = add(StepKind.LOSS, depth)
    k = add(StepKind.DL_DA, depth, None)
    dL_da_at[depth][:] = k
    for l in range(depth, 0, -1):  # noqa: E741
        elementwise = activations.get(net.layers[l - 1].activation).elementwise
        if not elementwise:  # softmax's Jacobian mixes the layer: one step
            reveal(dL_dz_at, l, None, add(StepKind.DL_DZ, l, None))
        for j in units(l):
            if elementwise:
                reveal(dL_dz_at, l, j, add(StepKind.DL_DZ, l, j))
            reveal(grad_at, l, j, add(StepKind.GRAD_EDGES, l, j))
        if l >= 2:
            for i in units(l - 1):
                reveal(dL_da_at, l - 1, i, add(StepKind.COLLECT, l - 1, i))
    update_at = add(StepKind.UPDATE)

    def frozen(tab: list[np.ndarray]) -> tuple[np.ndarray, ...]:
        for arr in tab:
            arr.setflags(write=False)
        return tuple(tab)

    return Plan(
        sizes,
        granularity,
        tuple(steps),
        frozen(z_at),
        frozen(a_at),
        frozen(dL_da_at),
        frozen(dL_dz_at),
        frozen(fwd_at),
        frozen(grad_at),
        loss_at,
        update_at,
    )


# --------------------------------------------------------------------- frame
def _eq(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b))
        )
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    return a == b


@dataclass(frozen=True, eq=False)
class Frame:
    """What is revealed at one position of the timeline.

    Masks are per layer (index 0 = input) over that layer's neurons; the edge
    masks ``fwd_rows`` / ``grad_rows`` are over the neurons the edges feed (a
    row of ``W[l]``), so edge ``(l, j, i)`` has carried its value when
    ``fwd_rows[l][j]``. ``active_rows`` × ``active_cols`` are the edges of
    ``active_layer`` pulsing now; ``focus`` the neurons the step works on.
    """

    index: int
    step: Step
    fraction: float
    last: int
    z_shown: tuple[np.ndarray, ...]
    a_shown: tuple[np.ndarray, ...]
    dL_da_shown: tuple[np.ndarray, ...]
    dL_dz_shown: tuple[np.ndarray, ...]
    fwd_rows: tuple[np.ndarray, ...]
    grad_rows: tuple[np.ndarray, ...]
    loss_shown: bool
    update_shown: bool
    focus: tuple[np.ndarray, ...]
    active_layer: int | None = None
    active_rows: np.ndarray | None = None
    active_cols: np.ndarray | None = None

    @property
    def phase(self) -> str:
        return self.step.phase

    @property
    def direction(self) -> str | None:
        return self.step.direction

    @property
    def depth(self) -> int:
        return len(self.z_shown) - 1

    @property
    def inputs_shown(self) -> bool:
        return bool(self.a_shown[0].all()) if self.a_shown[0].size else False

    def active_edges(self) -> np.ndarray | None:
        """Bool mask shaped like ``W[active_layer]`` of the edges pulsing now."""
        if self.active_layer is None:
            return None
        return np.outer(self.active_rows, self.active_cols)

    def fwd_edges(self, l: int) -> np.ndarray:  # noqa: E741
        """Bool mask shaped like ``W[l]``: edges that have carried their a·w."""
        return np.repeat(self.fwd_rows[l][:, None], len(self.a_shown[l - 1]), axis=1)

    def grad_edges(self, l: int) -> np.ndarray:  # noqa: E741
        """Bool mask shaped like ``W[l]``: edges that have carried their ∂L/∂w."""
        return np.repeat(self.grad_rows[l][:, None], len(self.a_shown[l - 1]), axis=1)

    def _key(self) -> tuple:
        return (
            self.index,
            self.step,
            self.fraction,
            self.last,
            self.z_shown,
            self.a_shown,
            self.dL_da_shown,
            self.dL_dz_shown,
            self.fwd_rows,
            self.grad_rows,
            self.loss_shown,
            self.update_shown,
            self.focus,
            self.active_layer,
            self.active_rows,
            self.active_cols,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return _eq(self._key(), other._key())

    __hash__ = None  # type: ignore[assignment]


def frame_at(plan: Plan, position: Position) -> Frame:
    """What is revealed at ``position``: a pure function of the plan and the position."""
    pos = plan.clamp(position)
    s = pos.step
    step = plan.steps[s]

    def shown(tab: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        return tuple(t <= s for t in tab)

    sizes = plan.sizes
    focus = [np.zeros(n, dtype=bool) for n in sizes]
    active_layer = step.edge_layer
    rows = cols = None
    l = step.layer  # noqa: E741
    sel = slice(None) if step.neuron is None else step.neuron
    spec = step.spec
    if spec.pulses == "rows":  # the edges into the step's neurons
        rows = np.zeros(sizes[l], dtype=bool)
        rows[sel] = True
        cols = np.ones(sizes[l - 1], dtype=bool)
    elif spec.pulses == "cols":  # the edges out of the step's neurons
        rows = np.ones(sizes[l + 1], dtype=bool)
        cols = np.zeros(sizes[l], dtype=bool)
        cols[sel] = True
    if spec.focus == "step":
        focus[l][sel] = True
    elif spec.focus == "inputs":
        focus[0][:] = True
    elif spec.focus == "output":
        focus[-1][:] = True
    for arr in focus:
        arr.setflags(write=False)
    for arr in (rows, cols):
        if arr is not None:
            arr.setflags(write=False)
    return Frame(
        index=s,
        step=step,
        fraction=pos.fraction,
        last=plan.last,
        z_shown=shown(plan.z_at),
        a_shown=shown(plan.a_at),
        dL_da_shown=shown(plan.dL_da_at),
        dL_dz_shown=shown(plan.dL_dz_at),
        fwd_rows=shown(plan.fwd_at),
        grad_rows=shown(plan.grad_at),
        loss_shown=plan.loss_at <= s,
        update_shown=plan.update_at <= s,
        focus=tuple(focus),
        active_layer=active_layer,
        active_rows=rows,
        active_cols=cols,
    )


# ------------------------------------------------------------------ movement
def advance_position(
    plan: Plan, position: Position, ticks: float, speed: float = 1.0
) -> tuple[Position, bool]:
    """Move ``ticks`` timer ticks on at ``speed``; returns (new position, reached the end).

    A step of duration ``d`` ticks takes ``d / speed`` ticks to play. Reaching
    the end of a step carries the remainder into the next one; at the end of
    the last step the position stays complete and the second value is True.
    """
    pos = plan.clamp(position)
    step, frac = pos.step, pos.fraction
    budget = max(0.0, float(ticks)) * float(speed)
    while budget > 0:
        dur = float(plan.steps[step].duration)
        need = (1.0 - frac) * dur
        if budget < need:
            frac += budget / dur
            budget = 0.0
            break
        budget -= need
        if step >= plan.last:
            return Position(step, 1.0), True
        step, frac = step + 1, 0.0
    return Position(step, frac), (step >= plan.last and frac >= 1.0)


def map_position(old: Plan, new: Plan, position: Position) -> Position:
    """The position in ``new`` that shows the same moment as ``position`` in ``old``.

    Used when the granularity changes: a step maps to the last step of the
    same kind in the same layer (so a whole layer revealed stays revealed);
    failing that the index is clamped.
    """
    pos = old.clamp(position)
    step = old.steps[pos.step]
    best = -1
    for k, s in enumerate(new.steps):
        if s.kind == step.kind and s.layer == step.layer:
            if step.neuron is None or s.neuron is None or s.neuron == step.neuron:
                best = k
    if best < 0:
        return new.clamp(pos)
    return Position(best, pos.fraction)


def clamp_speed(speed: float) -> float:
    return float(min(max(float(speed), SPEED_MIN), SPEED_MAX))


class Timeline:
    """A position on a plan, moved only by :meth:`advance` and :meth:`seek`.

    No clock is read anywhere: the app's one timer calls ``advance(1)`` per
    tick; tests call :meth:`seek` and assert the :meth:`frame`.
    """

    def __init__(self, plan: Plan, position: Position | None = None, speed: float = 1.0) -> None:
        self.plan = plan
        self.position = plan.clamp(position or Position(0, 1.0))
        self.speed = clamp_speed(speed)
        self.playing = False

    # ------------------------------------------------------------ reading
    @property
    def step(self) -> int:
        return self.position.step

    @property
    def fraction(self) -> float:
        return self.position.fraction

    @property
    def last(self) -> int:
        return self.plan.last

    @property
    def at_start(self) -> bool:
        return self.position.step == 0

    @property
    def at_end(self) -> bool:
        return self.position.step == self.plan.last and self.position.fraction >= 1.0

    def frame(self) -> Frame:
        return frame_at(self.plan, self.position)

    def current(self) -> Step:
        return self.plan.steps[self.position.step]

    # ----------------------------------------------------------- moving
    def seek(self, step: int, fraction: float = 1.0) -> Position:
        """Go to ``step`` (clamped to the plan), ``fraction`` of it played."""
        self.position = self.plan.clamp(Position(int(step), float(fraction)))
        return self.position

    def advance(self, ticks: float = 1.0) -> Position:
        """Play ``ticks`` timer ticks on if playing; stop at the end."""
        if not self.playing:
            return self.position
        self.position, done = advance_position(self.plan, self.position, ticks, self.speed)
        if done:
            self.playing = False
        return self.position

    def play(self) -> None:
        if self.at_end:  # play again from the start
            self.position = Position(0, 0.0)
        self.playing = True

    def pause(self) -> None:
        self.playing = False

    def toggle(self) -> bool:
        if self.playing:
            self.pause()
        else:
            self.play()
        return self.playing

    def step_forward(self) -> Position:
        """The next step, complete (the end stays the end)."""
        return self.seek(min(self.position.step + 1, self.plan.last), 1.0)

    def step_back(self) -> Position:
        """The previous step, complete: exactly the frame shown there before.

        In the middle of a step, back goes to the previous step's end too.
        """
        return self.seek(max(self.position.step - 1, 0), 1.0)

    def to_start(self) -> Position:
        return self.seek(0, 1.0)

    def to_end(self) -> Position:
        return self.seek(self.plan.last, 1.0)

    def set_speed(self, speed: float) -> float:
        self.speed = clamp_speed(speed)
        return self.speed

    def set_plan(self, plan: Plan, keep: str = "index") -> Position:
        """Swap in a new plan (an edit or a change of granularity).

        ``keep="index"`` keeps the step index, clamped (an edit); ``keep="moment"``
        maps the position to the same kind of step (a change of granularity).
        """
        if keep == "moment":
            self.position = map_position(self.plan, plan, self.position)
        self.plan = plan
        self.position = plan.clamp(self.position)
        if self.at_end:
            self.playing = False
        return self.position
