"""Step kinds of the playback timeline, and the one table that says what each does.

:class:`StepKind` is a ``StrEnum`` (so ``kind == "forward_edges"`` still holds
for code written against the strings); :data:`SPECS` holds one
:class:`StepSpec` per kind: its phase, its duration, which way its pulses
travel along which edges, which numbers its edges carry, which neurons it
focuses on, its caption and its general formula. The timeline, the chain-rule
panel and the canvas read the table; a new step kind is one row here (and the
place in :func:`nnviz.core.timeline.build_plan` where it happens).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from . import activations, losses
from .network import Network
from .updates import formula


class StepKind(enum.StrEnum):
    """The kinds of step, in the order they first appear on a timeline."""

    START = "start"  # the editing view; the animation has computed nothing yet
    INPUTS = "inputs"  # the input x appears
    FORWARD_EDGES = "forward_edges"  # pulses carry a·w along the edges into a layer
    Z = "z"  # z = Σ w·a + b
    A = "a"  # a = f(z)
    LOSS = "loss"  # L at the output
    DL_DA = "dL_da"  # ∂L/∂a at the output, from the loss
    DL_DZ = "dL_dz"  # ∂L/∂z = ∂L/∂a · f′(z)
    GRAD_EDGES = "grad_edges"  # pulses carry ∂L/∂w back along the edges
    COLLECT = "collect"  # ∂L/∂a_prev = Σ w · ∂L/∂z collects at the previous layer
    UPDATE = "update"  # w ← w − η·∂L/∂w


#: phases, in order
PHASES = ("start", "forward", "loss", "backward", "update")


def layer_name(l: int, depth: int) -> str:  # noqa: E741
    if l == 0:
        return "input"
    if l == depth:
        return f"layer {l} (output)"
    return f"layer {l}"


def who(l: int, j: int | None, depth: int) -> str:  # noqa: E741
    """``layer 1`` or ``layer 1, neuron 2``: whom a step works on."""
    name = layer_name(l, depth)
    return name if j is None else f"{name}, neuron {j + 1}"


# --------------------------------------------------------------- captions
# Each takes (network, layer, neuron or None) and returns the caption's text.
Caption = Callable[[Network, int, "int | None"], str]


def _about(text: str) -> Caption:
    """The caption "<layer, neuron> — ``text``" of a step about one layer or neuron."""
    return lambda net, l, j: f"{who(l, j, net.depth)} — {text}"


def _act(net: Network, l: int):  # noqa: E741
    return activations.get(net.layers[l - 1].activation)


def _cap_a(net: Network, l: int, j: int | None) -> str:  # noqa: E741
    act = _act(net, l)
    text = formula("a_softmax") if not act.elementwise else formula("a", act.label)
    return f"{who(l, j, net.depth)} — {text}"


def _cap_dL_dz(net: Network, l: int, j: int | None) -> str:  # noqa: E741, N802
    act = _act(net, l)
    spec = losses.get(net.loss)
    w = who(l, j, net.depth)
    if l == net.depth and spec.dL_dz is not None:
        return f"{w} — {formula('dL_dz_paired')} ({act.label} with {spec.label})"
    if not act.elementwise:
        return f"{w} — ∂L/∂z through the softmax"
    return f"{w} — {formula('dL_dz', act.label)}"


@dataclass(frozen=True)
class StepSpec:
    """What a kind of step does.

    ``pulses``: which edges pulse and how they are picked — ``"rows"`` (the edges
    *into* the step's neurons, of the step's layer) or ``"cols"`` (the edges *out
    of* the step's neurons, of the next layer); None: no pulses. ``direction`` is
    the way the pulses travel. ``edge_values`` names what the pulsing edges carry
    (a kind of :func:`nnviz.core.updates.edge_values`). ``focus``: the neurons the
    step works on — ``"step"`` (its layer, or its one neuron), ``"inputs"``,
    ``"output"`` or None.
    """

    kind: StepKind
    phase: str
    duration: int
    caption: Caption
    formula: str = ""
    pulses: str | None = None
    direction: str | None = None
    edge_values: str | None = None
    focus: str | None = "step"

    def edge_layer(self, layer: int) -> int | None:
        """The layer whose edges carry the pulses of a step of this kind in ``layer``."""
        if self.pulses == "rows":
            return layer
        if self.pulses == "cols":
            return layer + 1
        return None


K = StepKind
#: THE table: one row per step kind
SPECS: dict[StepKind, StepSpec] = {
    s.kind: s
    for s in (
        StepSpec(
            K.START,
            "start",
            15,
            lambda net, l, j: "start — all numbers at once (step on to watch the order)",
            focus=None,
        ),
        StepSpec(
            K.INPUTS,
            "forward",
            20,
            lambda net, l, j: "input — the sample x enters the network",
            formula("x"),
            focus="inputs",
        ),
        StepSpec(
            K.FORWARD_EDGES,
            "forward",
            45,
            _about("each input times its weight: a·w"),
            formula("aw"),
            pulses="rows",
            direction="forward",
            edge_values="aw",
        ),
        StepSpec(K.Z, "forward", 25, _about(formula("z")), formula("z")),
        StepSpec(K.A, "forward", 25, _cap_a, formula("a")),
        StepSpec(
            K.LOSS,
            "loss",
            35,
            lambda net, l, j: f"loss — L = {losses.get(net.loss).formula}",
            "L = (the loss)",
            focus="output",
        ),
        StepSpec(K.DL_DA, "backward", 30, _about("∂L/∂a from the loss"), formula("dL_da_out")),
        StepSpec(K.DL_DZ, "backward", 30, _cap_dL_dz, formula("dL_dz")),
        StepSpec(
            K.GRAD_EDGES,
            "backward",
            45,
            _about(f"back along the edges: {formula('dL_dw')}"),
            formula("dL_dw"),
            pulses="rows",
            direction="backward",
            edge_values="gw",
        ),
        StepSpec(
            K.COLLECT,
            "backward",
            40,
            lambda net, l, j: (
                f"{who(l, j, net.depth)} — ∂L/∂a = Σ w · ∂L/∂z from {layer_name(l + 1, net.depth)}"
            ),
            formula("dL_da"),
            pulses="cols",
            direction="backward",
            edge_values="wdz",
        ),
        StepSpec(
            K.UPDATE,
            "update",
            60,
            lambda net, l, j: (
                f"update — every weight steps against its gradient: {formula('update_w')}"
            ),
            formula("update_w"),
            focus=None,
        ),
    )
}
del K

if set(SPECS) != set(StepKind):  # pragma: no cover - a row was forgotten
    raise RuntimeError("every StepKind needs a row in SPECS")


def spec(kind: str | StepKind) -> StepSpec:
    """The row of ``kind``; an unknown kind raises ValueError with one sentence."""
    try:
        return SPECS[StepKind(kind)]
    except ValueError:
        raise ValueError(f"unknown step kind {kind!r}") from None


def caption(net: Network, kind: str | StepKind, l: int = 0, j: int | None = None) -> str:  # noqa: E741
    """The caption of a step of ``kind`` in layer ``l`` (neuron ``j``) of ``net``."""
    return spec(kind).caption(net, l, j)
