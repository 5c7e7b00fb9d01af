"""The "why non-linearity" demo: linear layers stacked are still one linear map.

When every activation is linear, :func:`nnviz.core.propagation.collapse_linear`
folds the whole network into one ``(W, b)``; this panel shows that matrix and
bias, and checks on the current input that ``W·x + b`` is exactly the
network's output. As soon as one layer is non-linear it says which, and why
the collapse no longer holds.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from nnviz.core import activations, propagation
from nnviz.core.explain import fmt
from nnviz.ui import theme
from nnviz.ui.document import Document
from nnviz.ui.panels import plot_style

#: a larger matrix is shown by its corners, with ⋯ between
MAX_ROWS = 6
MAX_COLS = 5
#: a longer vector is shown by its ends
MAX_VECTOR = 6
#: W·x + b and the output agree when they differ by less than this (relative)
RTOL = 1e-9
ATOL = 1e-12

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(n: int) -> str:
    return str(n).translate(_SUB)


class LinearMapPanel(QWidget):
    """One equivalent W and b when every layer is linear; why not, otherwise."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linearMapPanel")
        self.setToolTip(
            "Why non-linearity: with only linear activations the whole network is one "
            "matrix W and one bias b"
        )
        self._doc = document
        #: what is shown now: the collapsed map (or None), W·x + b, and whether it matched
        self.collapsed: tuple[np.ndarray, np.ndarray] | None = None
        self.mapped: np.ndarray | None = None
        self.matches: bool | None = None

        self.text = QLabel(objectName="linearMapText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        plot_style.styled(self.text, "title")
        scroll = QScrollArea(objectName="linearMapScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll)

        document.results_changed.connect(self._on_results_changed)
        document.display_changed.connect(self._on_display_changed)
        self.refresh()

    # -------------------------------------------------------------- handlers
    def _on_results_changed(self, _change=None) -> None:
        self.refresh()

    def _on_display_changed(self, name: str = "") -> None:
        if name in ("theme", "text_scale"):
            plot_style.restyle(self)
        self.refresh()

    # ---------------------------------------------------------------- redraw
    def refresh(self) -> None:
        """Rebuild the text from the document (called on every change)."""
        net = self._doc.network
        self.collapsed = propagation.collapse_linear(net)
        if self.collapsed is None:
            self.mapped, self.matches = None, None
            self.text.setText(self._nonlinear_text())
            return
        self.stacked = False
        self.text.setText(self._collapsed_text(*self.collapsed))
        if self.text.minimumSizeHint().width() > self._room():
            self.stacked = True  # narrow: b under W, the text wraps to the panel
            self.text.setText(self._collapsed_text(*self.collapsed))

    #: W and b one above the other (a narrow panel), not side by side
    stacked = False

    def _room(self) -> int:
        """The width the text has without a horizontal scroll bar."""
        scroll = self.findChild(QScrollArea, "linearMapScroll")
        bar = scroll.verticalScrollBar()
        return scroll.viewport().width() + (bar.width() if bar.isVisible() else 0) - 20

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width() and self.collapsed is not None:
            self.refresh()  # side by side or stacked, for the new width

    def _matrices(self, W: np.ndarray, b: np.ndarray) -> str:
        """W and b side by side, or b under W when the panel is narrow."""
        between = "</tr><tr>" if self.stacked else "<td width='16'></td>"
        return (
            "<table cellspacing='8'><tr>"
            + self._matrix(W, "W")
            + between
            + self._matrix(b[:, None], "b")
            + "</tr></table>"
        )

    def _num(self, v: float) -> str:
        t = theme.current()
        color = plot_style.css(t.sign_color(v))
        return f"<span style='color:{color}'>{fmt(v, self._doc.decimals)}</span>"

    def _matrix(self, M: np.ndarray, name: str) -> str:
        """An HTML table of M (corners only if it is large), with its name and shape."""
        rows, cols = M.shape
        ri = _indices(rows, MAX_ROWS)
        ci = _indices(cols, MAX_COLS)
        body = []
        for i in ri:
            if i is None:
                body.append("<tr>" + "".join("<td align='center'>⋮</td>" for _ in ci) + "</tr>")
                continue
            cells = "".join(
                "<td align='center'>⋯</td>"
                if j is None
                else f"<td align='right'>{self._num(M[i, j])}</td>"
                for j in ci
            )
            body.append(f"<tr>{cells}</tr>")
        return (
            f"<td valign='middle'><b>{name}</b> = </td><td>"
            "<table border='1' cellspacing='0' cellpadding='4' "
            f"style='border-color:{plot_style.css(theme.current().muted)}'>"
            + "".join(body)
            + f"</table><span style='{_fs(11)}'>{rows} × {cols}</span></td>"
        )

    def _vector(self, v: np.ndarray) -> str:
        parts = ["…" if i is None else self._num(v[i]) for i in _indices(v.size, MAX_VECTOR)]
        more = f" <span style='{_fs(11)}'>[{v.size} values]</span>" if v.size > MAX_VECTOR else ""
        return "(" + ", ".join(parts) + ")" + more

    def _collapsed_text(self, W: np.ndarray, b: np.ndarray) -> str:
        doc = self._doc
        net = doc.network
        L = net.depth
        x = np.asarray(doc.sample.input, dtype=float)
        # the check the demo is about: one matrix product against the whole forward pass
        mapped = W @ x + b
        output = np.asarray(doc.trace.output[0], dtype=float)
        self.mapped = mapped
        self.matches = bool(np.allclose(mapped, output, rtol=RTOL, atol=ATOL))
        diff = float(np.max(np.abs(mapped - output))) if output.size else 0.0
        d = doc.decimals
        if self.matches and diff == 0:
            verdict = f"<span style='{_fs(17)}'>✓</span> <b>exactly the same</b>"
        elif self.matches:
            verdict = (
                f"<span style='{_fs(17)}'>✓</span> <b>the same</b> "
                f"(largest difference {fmt(diff, d)}: floating-point rounding only)"
            )
        else:
            verdict = f"✗ <b>different</b> (largest difference {fmt(diff, d)})"
        layers = {1: "the one layer is", 2: "both layers together are"}.get(
            L, f"all {L} layers together are"
        )
        return (
            f"<p><b>Every activation is linear</b>, so {layers} "
            "<b>one</b> linear map:</p>"
            f"<p style='{_fs(17)}'>&nbsp;&nbsp;y = W·x + b, &nbsp; W = {_product(L)}, "
            f"&nbsp; b = {_bias(L)}</p>"
            + self._matrices(W, b)
            + "<p>Check on the current input x = "
            + self._vector(x)
            + ":<br>&nbsp;&nbsp;W·x + b = "
            + self._vector(mapped)
            + "<br>&nbsp;&nbsp;the network's output = "
            + self._vector(output)
            + f"<br>&nbsp;&nbsp;{verdict}</p>"
            f"<p style='{_fs(13)}'>Adding linear layers adds no power: the network can "
            "still only draw straight decision boundaries. Make one activation non-linear "
            "(tanh, ReLU, σ …) and the collapse stops.</p>"
        )

    def _nonlinear_text(self) -> str:
        net = self._doc.network
        bent = [
            (l, activations.get(layer.activation))
            for l, layer in enumerate(net.layers, start=1)  # noqa: E741
            if not activations.get(layer.activation).is_linear
        ]
        # runs of neighbouring layers with the same function: "layers 1–8 use ReLU"
        runs: list[list] = []
        for l, a in bent:  # noqa: E741
            if runs and runs[-1][1] == l - 1 and runs[-1][2] is a:
                runs[-1][1] = l
            else:
                runs.append([l, l, a])
        names = [
            f"layer {lo} uses <b>{a.label}</b>"
            if lo == hi
            else f"layers {lo}–{hi} use <b>{a.label}</b>"
            for lo, hi, a in runs[:4]
        ]
        if len(runs) > 4:
            names.append("later layers are non-linear too")
        listed = _join(names)
        which = "it is not a straight line" if len(bent) == 1 else "they are not straight lines"
        return (
            "<p><b>This network does not collapse to one W·x + b.</b></p>"
            f"<p>{listed[0].upper() + listed[1:]}: {which}, so the layers cannot be multiplied "
            "together into a single matrix. That bend is what lets a network draw curved "
            "decision boundaries.</p>"
            f"<p style='{_fs(13)}'>To see the collapse, set every activation to "
            "<i>linear</i>, or open the example “Why non-linearity”.</p>"
        )


def _indices(n: int, limit: int) -> list[int | None]:
    """All of range(n), or its first and last few with None for the gap."""
    if n <= limit:
        return list(range(n))
    head = limit // 2
    tail = limit - head - 1
    return list(range(head)) + [None] + list(range(n - tail, n))


def _product(L: int) -> str:  # noqa: N803 - L is the lesson's name for the depth
    if L <= 5:
        return "·".join(f"W{_sub(l)}" for l in range(L, 0, -1))  # noqa: E741
    return f"W{_sub(L)}·W{_sub(L - 1)}·…·W₁"


def _bias(L: int) -> str:  # noqa: N803
    if L == 1:
        return "b₁"
    if L > 4:
        return f"b{_sub(L)} + W{_sub(L)}·b{_sub(L - 1)} + … (each bias carried through the later W)"
    s = "b₁"
    for l in range(2, L + 1):  # noqa: E741
        inner = f"W{_sub(l)}·{s}" if l == 2 else f"W{_sub(l)}({s})"
        s = f"{inner} + b{_sub(l)}"
    return s


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _fs(points: float) -> str:
    """A CSS font size at the text scale (View ▸ Zoom Text, presenter mode's floor)."""
    return f"font-size:{plot_style.pt(points)}pt"
