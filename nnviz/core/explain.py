"""The chain rule written out with the real numbers, as plain text.

One source for every place that explains a number: ``nnviz trace``, the
chain-rule panel and the exported animation all call these functions, so the
text a student reads is built from the same Trace and Grads the engine made.
Numbers are formatted by :func:`fmt` (a true minus sign, trailing zeros cut).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import activations, losses, updates
from .network import Network
from .propagation import Grads, Trace

MINUS = "\u2212"
EM_DASH = "\u2014"
#: beyond this many terms a sum is written with an ellipsis
MAX_TERMS = 6


def fmt(x: float, decimals: int = 4) -> str:
    """A number as a student reads it: ``−2.0``, ``0.7311``, ``1.2e−07``."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else f"{MINUS}∞"
    if x != 0 and (abs(x) < 10 ** (-decimals) or abs(x) >= 1e7):
        s = f"{x:.{max(decimals - 2, 1)}e}"
    else:
        s = f"{x:.{decimals}f}".rstrip("0")
        if s.endswith("."):
            s += "0"
        if s in ("-0.0", "-0"):
            s = "0.0"
    return s.replace("-", MINUS)


def fmt_change(before: float, after: float, decimals: int = 4) -> tuple[str, str]:
    """``before`` and ``after`` with the fewest decimals (``decimals`` at least) that
    tell them apart: a loss that falls by 0.0004 reads ``1.9932 → 1.9928``, never
    ``1.993 → 1.993``. Equal numbers (or ones no float text parts) stay at ``decimals``."""
    b, a = fmt(before, decimals), fmt(after, decimals)
    if before == after:
        return b, a
    for d in range(decimals + 1, 18):
        if b != a:
            break
        b, a = fmt(before, d), fmt(after, d)
    return b, a


def par(x: float, decimals: int = 4) -> str:
    """fmt(x), in parentheses when negative so that ``2.0 × (−1.5)`` reads clearly."""
    s = fmt(x, decimals)
    return f"({s})" if s.startswith(MINUS) else s


def _written(n: int) -> list[int]:
    """The indices of the terms a sum of ``n`` writes out: all, or the first few and
    the last (formatting only those keeps a 784-term line as cheap as a 3-term one)."""
    return list(range(n)) if n <= MAX_TERMS else [*range(MAX_TERMS - 2), n - 1]


def _sum(terms: list[str], total_terms: int) -> str:
    if total_terms > MAX_TERMS:
        head = terms[: MAX_TERMS - 2]
        return " + ".join(head + ["…", terms[-1]]) + f"  [{total_terms} terms]"
    return " + ".join(terms)


def input_symbol(i: int, names: Sequence[str] | None = None) -> str:
    """How input ``i`` is written: its feature's name (``x₁²``) when ``names`` gives
    one, else ``x1``, ``x2``, …"""
    if names is not None and 0 <= i < len(names):
        return names[i]
    return f"x{i + 1}"


def neuron_label(l: int, j: int, depth: int, names: Sequence[str] | None = None) -> str:  # noqa: E741
    if l == 0:
        return f"input {input_symbol(j, names)}"
    if l == depth:
        return f"output neuron {j + 1}"
    return f"layer {l}, neuron {j + 1}"


def z_line(net: Network, trace: Trace, l: int, j: int, d: int = 4, row: int = 0) -> str:  # noqa: E741
    """``z = (a₁ × w₁) + (a₂ × w₂) + b = z``."""
    layer = net.layers[l - 1]
    a_prev = trace.a[l - 1][row]
    n = layer.fan_in
    # with the bias there are n + 1 terms: beyond MAX_TERMS, the first few products,
    # "…", the last product, then the bias
    shown = range(n) if n + 1 <= MAX_TERMS else [*range(MAX_TERMS - 2), n - 1]
    terms = [f"({fmt(a_prev[i], d)} × {fmt(layer.W[j, i], d)})" for i in shown]
    body = _sum(terms, layer.fan_in + 1) if layer.fan_in + 1 > MAX_TERMS else " + ".join(terms)
    return f"z = {body} + {par(layer.b[j], d)} = {fmt(trace.z[l][row, j], d)}"


def a_line(net: Network, trace: Trace, l: int, j: int, d: int = 4, row: int = 0) -> str:  # noqa: E741
    """``a = ReLU(−2.0) = 0.0`` (softmax: ``a = e^z / Σ e^z = …``)."""
    act = activations.get(net.layers[l - 1].activation)
    z = trace.z[l][row, j]
    a = trace.a[l][row, j]
    if not act.elementwise:
        return f"a = e^{par(z, d)} / Σⱼ e^zⱼ = {fmt(a, d)}"
    return f"a = {act.label}({fmt(z, d)}) = {fmt(a, d)}"


def loss_line(net: Network, trace: Trace, y: np.ndarray, grads: Grads, d: int = 4) -> str:
    spec = losses.get(net.loss)
    a = trace.a[-1][0]
    yy = np.asarray(y, dtype=float).reshape(-1)
    if spec.name == "mse":
        terms = [
            f"({fmt(a[k], d)} {MINUS} {par(yy[k], d)})²" for k in range(min(a.size, MAX_TERMS))
        ]
        body = "½ · [" + " + ".join(terms) + (" + …" if a.size > MAX_TERMS else "") + "]"
    elif spec.name == "bce":
        terms = [
            f"[{fmt(yy[k], d)}·ln {fmt(a[k], d)} + {fmt(1 - yy[k], d)}·ln {fmt(1 - a[k], d)}]"
            for k in range(min(a.size, MAX_TERMS))
        ]
        body = f"{MINUS}(" + " + ".join(terms) + (" + …" if a.size > MAX_TERMS else "") + ")"
    else:
        terms = [f"{fmt(yy[k], d)}·ln {fmt(a[k], d)}" for k in range(min(a.size, MAX_TERMS))]
        body = f"{MINUS}(" + " + ".join(terms) + (" + …" if a.size > MAX_TERMS else "") + ")"
    line = f"L = {spec.formula} = {body} = {fmt(grads.loss, d)}"
    if overflowed(grads.loss):  # one line that says what ∞ or NaN means here
        line += f" {EM_DASH} overflow: {OVERFLOW_NOTE}"
    return line


def dL_da_line(
    net: Network,
    trace: Trace,
    grads: Grads,
    y: np.ndarray,
    l: int,
    j: int,  # noqa: E741
    d: int = 4,
) -> str:
    """∂L/∂a: at the output from the loss; inside, the sum over the next layer."""
    g = grads.dL_da[l][0, j]
    if l == net.depth:
        spec = losses.get(net.loss)
        a = trace.a[l][0, j]
        yy = float(np.asarray(y, dtype=float).reshape(-1)[j])
        if spec.name == "mse":
            return f"∂L/∂a = a {MINUS} y = {fmt(a, d)} {MINUS} {par(yy, d)} = {fmt(g, d)}"
        if spec.name == "bce":
            return (
                f"∂L/∂a = {MINUS}y/a + (1 {MINUS} y)/(1 {MINUS} a) = "
                f"{MINUS}{par(yy, d)}/{fmt(a, d)} + {fmt(1 - yy, d)}/{fmt(1 - a, d)} = "
                f"{fmt(g, d)}"
            )
        return f"∂L/∂a = {MINUS}y/a = {MINUS}{par(yy, d)}/{fmt(a, d)} = {fmt(g, d)}"
    nxt = net.layers[l]
    dz = grads.dL_dz[l + 1][0]
    terms = [f"({fmt(nxt.W[k, j], d)} × {fmt(dz[k], d)})" for k in _written(nxt.size)]
    return f"{updates.formula('dL_da')} = {_sum(terms, nxt.size)} = {fmt(g, d)}"


def dL_dz_line(net: Network, trace: Trace, grads: Grads, l: int, j: int, d: int = 4) -> str:  # noqa: E741
    layer = net.layers[l - 1]
    act = activations.get(layer.activation)
    spec = losses.get(net.loss)
    g = grads.dL_dz[l][0, j]
    if l == net.depth and spec.dL_dz is not None:
        a = trace.a[l][0, j]
        return (
            f"∂L/∂z = a {MINUS} y = {fmt(a, d)} {MINUS} "
            f"{par(a - g * trace.a[l].shape[0], d)} = {fmt(g, d)}  "
            f"({spec.label} with {act.label}, simplified)"
        )
    if not act.elementwise:
        return f"∂L/∂z = aₖ(∂L/∂aₖ {MINUS} Σⱼ ∂L/∂aⱼ·aⱼ) = {fmt(g, d)}"
    da = grads.dL_da[l][0, j]
    dfz = float(act.df(trace.z[l][0:1, j])[0])
    return f"{updates.formula('dL_dz', act.label)} = {par(da, d)} × {par(dfz, d)} = {fmt(g, d)}"


def dL_dw_line(
    net: Network,
    trace: Trace,
    grads: Grads,
    l: int,
    j: int,
    i: int,  # noqa: E741
    d: int = 4,
) -> str:
    """``∂L/∂w = ∂L/∂a · f′(z) · a_prev = (…) × (…) × (…) = …``."""
    layer = net.layers[l - 1]
    act = activations.get(layer.activation)
    a_prev = trace.a[l - 1][0, i]
    dz = grads.dL_dz[l][0, j]
    g = grads.dL_dW[l][j, i]
    spec = losses.get(net.loss)
    if act.elementwise and not (l == net.depth and spec.dL_dz is not None):
        da = grads.dL_da[l][0, j]
        dfz = float(act.df(trace.z[l][0:1, j])[0])
        return (
            f"{updates.formula('dL_dw_chain', act.label)} = {par(da, d)} × {par(dfz, d)} × "
            f"{par(a_prev, d)} = {fmt(g, d)}"
        )
    return f"{updates.formula('dL_dw')} = {par(dz, d)} × {par(a_prev, d)} = {fmt(g, d)}"


def dL_db_line(grads: Grads, l: int, j: int, d: int = 4) -> str:  # noqa: E741
    return f"{updates.formula('dL_db')} = {fmt(grads.dL_db[l][j], d)}"


def update_line(w: float, g: float, lr: float, d: int = 4) -> str:
    """``w ← w − η·∂L/∂w = 0.5 − 0.1 × (−0.25) = 0.525``; before and after with as
    many digits as tell them apart (a tiny step never reads ``−0.643 … = −0.643``)."""
    before, after = fmt_change(w, updates.stepped(w, g, lr), d)
    return f"{updates.formula('update_w')} = {before} {MINUS} {fmt(lr, d)} × {par(g, d)} = {after}"


def input_line(x: np.ndarray, i: int, d: int = 4, names: Sequence[str] | None = None) -> str:
    """``x1 = 2.0`` (``x₁² = 4.0`` when the inputs are features: ``names``)."""
    return f"{input_symbol(i, names)} = {fmt(np.asarray(x, dtype=float).reshape(-1)[i], d)}"


def product_line(net: Network, trace: Trace, l: int, j: int, i: int, d: int = 4) -> str:  # noqa: E741
    """What edge ``(l, j, i)`` carries forward: ``a·w = 2.0 × (−1.5) = −3.0``."""
    a_prev = float(trace.a[l - 1][0, i])
    w = float(net.layers[l - 1].W[j, i])
    return f"a·w = {par(a_prev, d)} × {par(w, d)} = {fmt(updates.product(a_prev, w), d)}"


def collect_term_line(net: Network, grads: Grads, l: int, k: int, i: int, d: int = 4) -> str:  # noqa: E741
    """What edge ``(l + 1, k, i)`` carries back to neuron ``i`` of layer ``l``: w·∂L/∂z."""
    w = float(net.layers[l].W[k, i])
    dz = float(grads.dL_dz[l + 1][0, k])
    return f"w·∂L/∂z = {par(w, d)} × {par(dz, d)} = {fmt(updates.product(w, dz), d)}"


def update_bias_line(b: float, g: float, lr: float, d: int = 4) -> str:
    """``b ← b − η·∂L/∂b = 1.0 − 0.5 × (−0.2) = 1.1`` (digits as :func:`update_line`)."""
    before, after = fmt_change(b, updates.stepped(b, g, lr), d)
    return f"{updates.formula('update_b')} = {before} {MINUS} {fmt(lr, d)} × {par(g, d)} = {after}"


def fd_lines(
    name: str,
    value: float,
    h: float,
    loss_plus: float,
    loss_minus: float,
    numeric: float,
    analytic: float,
    d: int = 4,
) -> list[str]:
    """The finite-difference check written out: the estimate, then beside the analytic value.

    ``name`` is what was perturbed (``w``, ``b`` or ``x1``). Losses are shown with
    enough digits for their difference to be visible.
    """
    dd = max(d, 8)
    diff = abs(numeric - analytic)
    scale = max(abs(numeric), abs(analytic))
    rel = diff / scale if scale > 0 else 0.0
    return [
        f"L({name} + h) = {fmt(loss_plus, dd)},  L({name} {MINUS} h) = {fmt(loss_minus, dd)},"
        f"  h = {fmt(h, 8)}",
        f"finite difference: (L({name} + h) {MINUS} L({name} {MINUS} h)) / 2h = {fmt(numeric, dd)}",
        f"backpropagation: ∂L/∂{name} = {fmt(analytic, dd)}",
        f"difference: {fmt(diff, 3)}" + (f"  (relative {fmt(rel, 3)})" if scale > 0 else ""),
    ]


def report(
    net: Network,
    x: np.ndarray,
    y: np.ndarray,
    trace: Trace,
    grads: Grads,
    d: int = 4,
    lr: float | None = None,
) -> str:
    """The whole forward and backward pass of one sample, for ``nnviz trace``; with a
    learning rate ``lr``, then the gradient-descent step of every weight and bias."""
    out: list[str] = []
    sizes = net.sizes
    out.append(f"Network {'-'.join(map(str, sizes))}, loss {net.loss}")
    out.append("")
    out.append("Forward pass")
    out.append("Input: " + ", ".join(f"x{i + 1} = {fmt(v, d)}" for i, v in enumerate(x)))
    for l in range(1, net.depth + 1):  # noqa: E741
        act = net.layers[l - 1].activation
        out.append(f"Layer {l} ({act}):")
        for j in range(sizes[l]):
            out.append(f"  neuron {j + 1}: {z_line(net, trace, l, j, d)}")
            out.append(f"            {a_line(net, trace, l, j, d)}")
    out.append("")
    out.append("Loss")
    out.append("Target: " + ", ".join(f"y{k + 1} = {fmt(v, d)}" for k, v in enumerate(y)))
    out.append(loss_line(net, trace, y, grads, d))
    out.append("")
    out.append("Backward pass (chain rule)")
    for l in range(net.depth, 0, -1):  # noqa: E741
        out.append(f"Layer {l}:")
        for j in range(sizes[l]):
            out.append(f"  neuron {j + 1}: {dL_da_line(net, trace, grads, y, l, j, d)}")
            out.append(f"            {dL_dz_line(net, trace, grads, l, j, d)}")
            out.append(f"            {dL_db_line(grads, l, j, d)}")
            for i in range(sizes[l - 1]):
                src = f"x{i + 1}" if l == 1 else f"n{i + 1}"
                out.append(f"    w({src}→n{j + 1}): {dL_dw_line(net, trace, grads, l, j, i, d)}")
    out.append(
        "Input gradient: "
        + ", ".join(f"∂L/∂x{i + 1} = {fmt(v, d)}" for i, v in enumerate(grads.dL_dx[0]))
    )
    if lr is not None:
        out.append("")
        out.append(f"Update (η = {fmt(lr, d)})")
        for l in range(1, net.depth + 1):  # noqa: E741
            layer = net.layers[l - 1]
            out.append(f"Layer {l}:")
            for j in range(sizes[l]):
                for i in range(sizes[l - 1]):
                    src = f"x{i + 1}" if l == 1 else f"n{i + 1}"
                    w, g = float(layer.W[j, i]), float(grads.dL_dW[l][j, i])
                    out.append(f"    w({src}→n{j + 1}): {update_line(w, g, lr, d)}")
                b, g = float(layer.b[j]), float(grads.dL_db[l][j])
                out.append(f"    b(n{j + 1}): {update_bias_line(b, g, lr, d)}")
    return "\n".join(out)


#: the one-line explanation shown wherever an overflowed number is (issue 14, item 3)
OVERFLOW_NOTE = (
    "the numbers grew past float64's largest, about 1.8 × 10³⁰⁸, and show as ∞ or NaN; "
    "make the weights, biases or inputs smaller"
)


def overflowed(x: float) -> bool:
    """True for ±∞ and NaN: a value float64 could not hold."""
    return not math.isfinite(float(x))


def loss_text(loss: float, decimals: int = 4) -> str:
    """The loss as the canvas, the chain-rule panel and the inspector show it:
    ``0.5``, or ``overflow`` when it is ±∞ or NaN."""
    return "overflow" if overflowed(loss) else fmt(loss, decimals)
