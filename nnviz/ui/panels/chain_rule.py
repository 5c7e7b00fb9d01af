"""The chain-rule panel: the selection's equations with the real numbers, step by step.

Every line is built by :mod:`nnviz.core.explain` from the document's Trace and
Grads (the same text ``nnviz trace`` prints). While playback is active a line
appears once the timeline has computed it (until then its formula stands there,
greyed) and the line of the active step is highlighted. With nothing selected
the panel shows the active step's equations for the neurons or edges it works
on. "Check" puts the central finite-difference estimate of the selected
weight's (bias's, input's) gradient beside the backpropagated value.

Text is large rich text, sized for a projector; A− / A+ change it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import activations, explain, gradcheck, losses
from nnviz.core.addresses import Address, from_key
from nnviz.core.steps import StepKind
from nnviz.core.timeline import Frame, Step
from nnviz.core.updates import formula
from nnviz.ui import hidden_values
from nnviz.ui import theme as themes
from nnviz.ui.panels.shown import RefreshWhenShown

#: in "no selection" mode, at most this many neurons or edges are written out
MAX_ITEMS = 6
DEFAULT_PT = 15.0
MIN_PT, MAX_PT = 9.0, 32.0


@dataclass(frozen=True)
class Line:
    """One equation: ``state`` is done, active, future (formula only) or note."""

    text: str
    state: str = "done"


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]


def _matches(step: Step, kinds: tuple[str, ...], l: int, j: int | None) -> bool:  # noqa: E741
    return (
        step.kind in kinds
        and step.layer == l
        and (step.neuron is None or j is None or step.neuron == j)
    )


def _line(text: str, revealed: bool, active: bool, formula: str) -> Line:
    if not revealed:
        return Line(formula, "future")
    return Line(text, "active" if active else "done")


def build_sections(doc, frame: Frame | None, playing: bool) -> tuple[str, list[Section]]:
    """(title, sections) for the document's selection at ``frame``.

    ``playing`` is whether playback is active; when it is not (``frame`` None or
    the editing view) every line is shown with its numbers.
    """
    net, trace, grads = doc.network, doc.trace, doc.grads
    y = doc.sample.target
    d = doc.decimals
    lr = doc.learning_rate
    sel = doc.selection
    depth = net.depth
    names = doc.input_names  # the inputs by their features (x₁², sin x₁) when training
    if frame is not None and [m.size for m in frame.z_shown] != net.sizes:
        frame = None  # a frame of the network before an edit: the plan is being rebuilt
    reveal_all = frame is None or not playing
    step = frame.step if frame is not None else Step(StepKind.START)

    def shown(mask_tuple, l: int, j: int, name: str = "", *more: int) -> bool:  # noqa: E741
        """Revealed at the frame, and not a value a lesson step hides (hidden_values)."""
        if name and hidden_values.is_hidden(doc, name, l, j, *more):
            return False
        return reveal_all or bool(mask_tuple[l][j])

    def now(kinds: tuple[str, ...], l: int, j: int | None) -> bool:  # noqa: E741
        return not reveal_all and _matches(step, kinds, l, j)

    sections: list[Section] = []
    if sel is not None and sel.kind == "neuron" and sel.layer >= 1:
        l, j = sel.layer, sel.neuron  # noqa: E741
        act = activations.get(net.layers[l - 1].activation)
        title = f"{explain.neuron_label(l, j, depth, names).capitalize()} · {act.label}"
        fwd = [
            _line(
                explain.z_line(net, trace, l, j, d),
                shown(frame and frame.z_shown, l, j, "z"),
                now((StepKind.Z,), l, j),
                formula("z"),
            ),
            _line(
                explain.a_line(net, trace, l, j, d),
                shown(frame and frame.a_shown, l, j, "a"),
                now((StepKind.A,), l, j),
                formula("a", act.label),
            ),
        ]
        sections.append(Section("Forward", tuple(fwd)))
        if l == depth:
            spec = losses.get(net.loss)
            sections.append(
                Section(
                    "Loss",
                    (
                        _line(
                            explain.loss_line(net, trace, y, grads, d),
                            (reveal_all or frame.loss_shown)
                            and not hidden_values.is_hidden(doc, "loss"),
                            now((StepKind.LOSS,), l, None),
                            f"L = {spec.formula}",
                        ),
                    ),
                )
            )
        da_kind = (StepKind.DL_DA,) if l == depth else (StepKind.COLLECT,)
        back = [
            _line(
                explain.dL_da_line(net, trace, grads, y, l, j, d),
                shown(frame and frame.dL_da_shown, l, j, "dL_da"),
                now(da_kind, l, j),
                formula("dL_da_out") if l == depth else formula("dL_da"),
            ),
            _line(
                explain.dL_dz_line(net, trace, grads, l, j, d),
                shown(frame and frame.dL_dz_shown, l, j, "dL_dz"),
                now((StepKind.DL_DZ,), l, j),
                formula("dL_dz", act.label),
            ),
            _line(
                explain.dL_db_line(grads, l, j, d),
                shown(frame and frame.dL_dz_shown, l, j, "dL_db"),
                now((StepKind.DL_DZ,), l, j),
                formula("dL_db"),
            ),
        ]
        sections.append(Section("Backward (chain rule)", tuple(back)))
        b = float(net.layers[l - 1].b[j])
        sections.append(
            Section(
                "Update",
                (
                    _line(
                        explain.update_bias_line(b, float(grads.dL_db[l][j]), lr, d),
                        (reveal_all or frame.update_shown)
                        and not hidden_values.is_hidden(doc, "b_next", l, j),
                        now((StepKind.UPDATE,), 0, None),
                        formula("update_b"),
                    ),
                ),
            )
        )
        return title, sections

    if sel is not None and sel.kind == "neuron":  # an input
        j = sel.neuron
        title = f"Input {explain.input_symbol(j, names)}"
        sections.append(
            Section(
                "Forward",
                (
                    _line(
                        explain.input_line(doc.sample.input, j, d, names),
                        reveal_all or bool(frame.a_shown[0][j]),
                        now((StepKind.INPUTS,), 0, None),
                        explain.input_symbol(j, names) + formula("x").removeprefix("x"),
                    ),
                    Line("an input has no weights of its own: nothing here is learnt", "note"),
                ),
            )
        )
        return title, sections

    if sel is not None and sel.kind == "edge":
        l, j, i = sel.layer, sel.neuron, sel.source  # noqa: E741
        src = explain.input_symbol(i, names) if l == 1 else f"layer {l - 1}, neuron {i + 1}"
        dst = explain.neuron_label(l, j, depth, names)
        title = f"Weight w from {src} to {dst}"
        sections.append(
            Section(
                "Forward",
                (
                    _line(
                        explain.product_line(net, trace, l, j, i, d),
                        shown(frame and frame.fwd_rows, l, j, "wa", i),
                        now((StepKind.FORWARD_EDGES,), l, j),
                        formula("aw"),
                    ),
                ),
            )
        )
        back = [
            _line(
                explain.dL_dw_line(net, trace, grads, l, j, i, d),
                shown(frame and frame.grad_rows, l, j, "dL_dw", i),
                now((StepKind.GRAD_EDGES,), l, j),
                formula("dL_dw"),
            )
        ]
        if l >= 2:
            back.append(
                _line(
                    explain.collect_term_line(net, grads, l - 1, j, i, d)
                    + f"   (its share of ∂L/∂a at layer {l - 1}, neuron {i + 1})",
                    shown(frame and frame.dL_da_shown, l - 1, i, "dL_da"),
                    now((StepKind.COLLECT,), l - 1, i),
                    formula("wdz") + ", carried back to the previous layer",
                )
            )
        sections.append(Section("Backward (chain rule)", tuple(back)))
        w = float(net.layers[l - 1].W[j, i])
        sections.append(
            Section(
                "Update",
                (
                    _line(
                        explain.update_line(w, float(grads.dL_dW[l][j, i]), lr, d),
                        (reveal_all or frame.update_shown)
                        and not hidden_values.is_hidden(doc, "w_next", l, j, i),
                        now((StepKind.UPDATE,), 0, None),
                        formula("update_w"),
                    ),
                ),
            )
        )
        return title, sections

    # nothing selected
    if reveal_all:
        return "Chain rule", [
            Section(
                "",
                (
                    Line(
                        "Select a neuron or an edge to see its chain rule with the real numbers.",
                        "note",
                    ),
                    Line(explain.loss_line(net, trace, y, grads, d)),
                    Line("Press Space to play the forward and backward pass, → to step.", "note"),
                ),
            )
        ]
    return step.caption[:1].upper() + step.caption[1:], [
        Section("", tuple(_step_lines(doc, frame)))
    ]


def _step_lines(doc, frame: Frame) -> list[Line]:
    """The active step's equations, for the neurons or edges it works on."""
    net, trace, grads = doc.network, doc.trace, doc.grads
    y = doc.sample.target
    d = doc.decimals
    lr = doc.learning_rate
    step = frame.step
    depth = net.depth
    kind = step.kind
    names = doc.input_names
    out: list[str] = []
    total = 0

    def neurons(l: int) -> list[int]:  # noqa: E741
        return [int(j) for j in np.flatnonzero(frame.focus[l])]

    def who(l: int, j: int) -> str:  # noqa: E741
        return f"neuron {j + 1}: " if net.sizes[l] > 1 else ""

    if kind == StepKind.START:
        out.append("Nothing is computed yet: the weights and biases wait for an input.")
    elif kind == StepKind.INPUTS:
        out += [explain.input_line(doc.sample.input, i, d, names) for i in range(net.input_size)]
    elif step.spec.pulses is not None:  # a step whose edges carry numbers
        al = frame.active_layer
        if step.spec.pulses == "cols":  # collected into the step's own neurons
            focus = neurons(step.layer)
            total = len(focus)
            out += [
                who(step.layer, i) + explain.dL_da_line(net, trace, grads, y, step.layer, i, d)
                for i in focus[:MAX_ITEMS]
            ]
        else:
            rows = np.flatnonzero(frame.active_rows)
            n_in = net.sizes[al - 1]
            total = rows.size * n_in
            for j in rows[:MAX_ITEMS]:
                for i in range(min(n_in, MAX_ITEMS)):
                    if len(out) >= MAX_ITEMS:
                        break
                    src = explain.input_symbol(i, names) if al == 1 else f"n{i + 1}"
                    line = (
                        explain.product_line(net, trace, al, int(j), i, d)
                        if step.spec.edge_values == "aw"
                        else explain.dL_dw_line(net, trace, grads, al, int(j), i, d)
                    )
                    out.append(f"w({src}→n{j + 1}): {line}")
    elif kind in (StepKind.Z, StepKind.A, StepKind.DL_DZ):
        fn = {
            StepKind.Z: lambda l, j: explain.z_line(net, trace, l, j, d),  # noqa: E741
            StepKind.A: lambda l, j: explain.a_line(net, trace, l, j, d),  # noqa: E741
            StepKind.DL_DZ: lambda l, j: explain.dL_dz_line(net, trace, grads, l, j, d),  # noqa: E741
        }[kind]
        focus = neurons(step.layer)
        total = len(focus)
        out += [who(step.layer, j) + fn(step.layer, j) for j in focus[:MAX_ITEMS]]
    elif kind == StepKind.LOSS:
        out.append(explain.loss_line(net, trace, y, grads, d))
    elif kind == StepKind.DL_DA:
        total = net.sizes[depth]
        out += [
            who(depth, j) + explain.dL_da_line(net, trace, grads, y, depth, j, d)
            for j in range(min(total, MAX_ITEMS))
        ]
    elif kind == StepKind.UPDATE:
        total = net.n_params
        for l in range(1, depth + 1):  # noqa: E741
            W, gW = net.layers[l - 1].W, grads.dL_dW[l]
            for j in range(min(W.shape[0], MAX_ITEMS)):
                for i in range(min(W.shape[1], MAX_ITEMS)):
                    if len(out) < MAX_ITEMS:
                        src = explain.input_symbol(i, names) if l == 1 else f"n{i + 1}"
                        out.append(
                            f"w{l}({src}→n{j + 1}): "
                            + explain.update_line(float(W[j, i]), float(gW[j, i]), lr, d)
                        )
                if len(out) < MAX_ITEMS:
                    b = float(net.layers[l - 1].b[j])
                    g = float(grads.dL_db[l][j])
                    out.append(f"b{l}(n{j + 1}): " + explain.update_bias_line(b, g, lr, d))
    total = max(total, len(out))
    lines = [Line(t, "active") for t in out[:MAX_ITEMS]]
    if total > len(lines):
        lines.append(Line(f"… and {total - len(lines)} more: select one to see it", "note"))
    return lines


def check_key(selection) -> Address | None:
    """The address the check perturbs: the selection's weight, bias or input; None if
    nothing is selected."""
    return None if selection is None else selection.address()


class _ChainText(QTextBrowser):
    """The panel's text. A panel hidden behind another tab waits to write it; reading
    it brings the text up to date first."""

    def __init__(self, panel: ChainRulePanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def toPlainText(self) -> str:  # noqa: N802 - Qt's name
        self._panel.catch_up()
        return super().toPlainText()

    def toHtml(self) -> str:  # noqa: N802 - Qt's name
        self._panel.catch_up()
        return super().toHtml()


class ChainRulePanel(RefreshWhenShown, QWidget):
    """``ChainRulePanel(document, controller)``; ``controller`` may be None (no playback).

    A panel hidden in its window (a dock tab behind another) only notes that it is
    stale and writes its text when shown; the text is set only when it changed (an
    epoch of training that moves no shown digit costs no layout and no repaint).
    """

    def __init__(self, document, controller=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chainRulePanel")
        self.setToolTip("The chain rule for the selection, with the real numbers")
        self.document = document
        self.controller = controller
        self.last_check: gradcheck.Check | None = None
        self._check_for: Address | None = None
        self._rendered: tuple | None = None
        self._pt = DEFAULT_PT
        self._plain = ""
        self._html: str | None = None
        self._shown: tuple | None = None  # (caption, title, sections) of the shown text

        self.text = _ChainText(self)
        self.text.setObjectName("chainRuleText")
        self.text.setToolTip(
            "Each line is the chain rule with this sample's numbers; the highlighted line "
            "is the step shown on the canvas"
        )
        self.text.setOpenLinks(False)
        self.text.document().setUndoRedoEnabled(False)  # lines are patched in place
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text.setMinimumHeight(120)

        self.check_button = QPushButton("Check by finite differences", self)
        self.check_button.setObjectName("gradCheckButton")
        self.check_button.setToolTip(
            "Nudge the selected weight (or bias, or input) by ±h, run the network again and "
            "compare (L(+h) − L(−h)) / 2h with the backpropagated gradient"
        )
        self.check_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.check_button.clicked.connect(self.run_check)
        self.smaller = QToolButton(self)
        self.smaller.setObjectName("chainRuleSmaller")
        self.smaller.setText("A−")
        self.smaller.setToolTip("Smaller text")
        self.smaller.clicked.connect(lambda: self.set_point_size(self._pt - 2))
        self.larger = QToolButton(self)
        self.larger.setObjectName("chainRuleLarger")
        self.larger.setText("A+")
        self.larger.setToolTip("Larger text (for the back of the room)")
        self.larger.clicked.connect(lambda: self.set_point_size(self._pt + 2))
        for b in (self.smaller, self.larger):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        buttons.addWidget(self.smaller)
        buttons.addWidget(self.larger)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

        document.results_changed.connect(self._on_results_changed)
        document.selection_changed.connect(self._on_selection_changed)
        document.display_changed.connect(self._on_display_changed)
        if controller is not None:
            controller.step_changed.connect(self._on_step_changed)
            controller.playing_changed.connect(lambda _p: self._on_step_changed())
        self.refresh()

    def set_check_action(self, action: QAction) -> None:
        """The window's check action (Ctrl+G): the button shows its shortcut."""
        self.check_button.setToolTip(action.toolTip())
        self._check_action = action
        self._update_check_enabled()

    # ---------------------------------------------------------------- model
    def _on_results_changed(self, _change=None) -> None:
        self.last_check = None
        self._check_for = None
        self.refresh()

    def _on_selection_changed(self, _old=None, _new=None) -> None:
        self.last_check = None
        self._check_for = None
        self.refresh()

    def _on_display_changed(self, _name: str = "") -> None:
        self.refresh()

    def _on_step_changed(self, _step=None) -> None:
        c = self.controller
        key = (c.step, c.is_active(), c.plan.granularity)
        if key != self._rendered:  # the text changes only per step
            self.refresh()

    def set_point_size(self, pt: float) -> None:
        self._pt = float(min(max(pt, MIN_PT), MAX_PT))
        self.refresh()

    # -------------------------------------------------------------- check
    def run_check(self) -> gradcheck.Check | None:
        """Finite differences for the selection; the result is shown in the panel."""
        doc = self.document
        key = check_key(doc.selection)
        if key is None:
            self.last_check = None
            self._check_for = None
            self.refresh()
            return None
        self.last_check = gradcheck.check(
            doc.network, doc.sample.input, doc.sample.target, key, grads=doc.grads
        )
        self._check_for = key
        self.refresh()
        self.show_check()
        return self.last_check

    def show_check(self) -> None:
        """Bring the check's result into view: its dock shown and raised, the text
        scrolled to it (it is appended below the equations, often out of sight)."""
        dock = self.parent()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parent()
        if dock is not None and not dock.isVisible():
            dock.show()
        if dock is not None:
            dock.raise_()
        self.catch_up()
        self.text.scrollToAnchor(CHECK_ANCHOR)

    def check_in_view(self) -> bool:
        """Whether the check's heading is inside the visible part of the text."""
        self.catch_up()
        doc = self.text.document()
        block = doc.find(CHECK_TITLE.upper())
        if block.isNull():
            return False
        rect = self.text.cursorRect(block)
        return 0 <= rect.top() and rect.bottom() <= self.text.viewport().height()

    def _check_lines(self) -> list[Line]:
        c = self.last_check
        if c is None or self._check_for != check_key(self.document.selection):
            return []
        d = self.document.decimals
        name = from_key(c.key).symbol
        lines = explain.fd_lines(
            name, c.value, c.h, c.loss_plus, c.loss_minus, c.numeric, c.analytic, d
        )
        out = [Line(t, "done") for t in lines]
        verdict = (
            "✓ they agree: backpropagation computed this gradient correctly"
            if c.agrees
            else "✗ they differ"
            + (": a kink of the activation lies within ±h" if c.near_kink else "")
        )
        out.append(Line(verdict, "verdict"))
        return out

    def _update_check_enabled(self) -> None:
        ok = check_key(self.document.selection) is not None
        self.check_button.setEnabled(ok)
        act = getattr(self, "_check_action", None)
        if act is not None:
            act.setEnabled(ok)

    # ------------------------------------------------------------- render
    def sections(self) -> tuple[str, list[Section]]:
        c = self.controller
        frame = c.frame if c is not None else None
        active = c.is_active() if c is not None else False
        return build_sections(self.document, frame, active)

    def plain_text(self) -> str:
        """The panel's text without markup (what a test reads)."""
        self.catch_up()
        return self._plain

    def catch_up(self) -> None:
        """Write the text now if the panel waited while hidden."""
        if self._stale:
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        self._update_check_enabled()  # the menu's action too: never waits
        if self._skip_while_hidden(force):  # a tab behind another: catch up when shown
            return
        c = self.controller
        self._rendered = (c.step, c.is_active(), c.plan.granularity) if c is not None else None
        title, sections = self.sections()
        check = self._check_lines()
        if check:
            sections = sections + [Section(CHECK_TITLE, tuple(check))]
        # the canvas and the bar show the step's caption; with nothing selected it is the title
        caption = ""
        self._plain = _plain(caption, title, sections)
        text = _html(caption, title, sections, self._pt)
        if text == self._html:  # the same text again would lay it out and repaint it
            return
        # the page without the lines' texts: where it is the same, only texts changed
        blank = [Section(x.title, tuple(Line("", ln.state) for ln in x.lines)) for x in sections]
        skeleton = _html(caption, title, blank, self._pt)
        shown = self._shown
        self._html = text
        self._shown = (skeleton, sections)
        if not (shown is not None and shown[0] == skeleton and self._patch(shown[1], sections)):
            self.text.setHtml(text)

    def _patch(self, old: list[Section], new: list[Section]) -> bool:
        """Write the lines whose text changed into the shown document (the rest of the
        page is the same): a training frame changes a few numbers, and each line is one
        table cell, so the document lays out and repaints those cells only (setHtml laid
        out and repainted all of it, with its scroll bars: ~1-2 ms a frame). False (the
        page is then written whole) when a line is not found as shown."""
        doc = self.text.document()
        at = QTextCursor(doc)
        for a, b in zip(old, new):
            for x, y in zip(a.lines, b.lines):
                # the cell as _html writes it: a marker before the active line's text,
                # a note after a future one's
                before = "▶ " if x.state == "active" else ""
                after = " (not yet)" if x.state == "future" else ""
                found = doc.find(x.text, at, QTextDocument.FindFlag.FindCaseSensitively)
                if (
                    found.isNull()
                    or found.block().text() != before + x.text + after
                    or found.selectionStart() - found.block().position() != len(before)
                ):
                    return False  # not the whole line as shown (HTML folds runs of spaces)
                if y.text != x.text:
                    found.insertText(y.text)  # in the format of the text it replaces
                at = found
        return True


def _plain(caption: str, title: str, sections: list[Section]) -> str:
    out = [caption] if caption else []
    out.append(title)
    for s in sections:
        if s.title:
            out.append(s.title)
        out += [line.text for line in s.lines]
    return "\n".join(out)


def _css(c) -> str:
    return c.name()


def _html(caption: str, title: str, sections: list[Section], pt: float) -> str:
    th = themes.current()
    e = html.escape
    hl = th.grad_positive
    bg = f"rgba({hl.red()}, {hl.green()}, {hl.blue()}, 40)"
    parts = [f'<div style="font-size:{pt:.0f}pt; color:{_css(th.text)};">']
    if caption:
        parts.append(
            f'<p style="font-size:{pt * 0.8:.0f}pt; color:{_css(th.muted)}; margin:0 0 4px 0;">'
            f"{e(caption)}</p>"
        )
    parts.append(f'<p style="font-size:{pt * 1.1:.0f}pt; margin:0 0 6px 0;"><b>{e(title)}</b></p>')
    for s in sections:
        if s.title:
            anchor = f'<a name="{CHECK_ANCHOR}"></a>' if s.title == CHECK_TITLE else ""
            parts.append(
                f'<p style="font-size:{pt * 0.75:.0f}pt; color:{_css(th.muted)}; '
                f'margin:8px 0 2px 0;">{anchor}<b>{e(s.title.upper())}</b></p>'
            )
        parts.append('<table cellspacing="0" cellpadding="3" width="100%">')
        for line in s.lines:
            text = e(line.text)
            if line.state == "active":
                cell = (
                    f'<td style="background-color:{bg};"><b>'
                    f'<span style="color:{_css(hl)};">▶</span> {text}</b></td>'
                )
            elif line.state == "future":
                cell = f'<td style="color:{_css(th.muted)};">{text} <i>(not yet)</i></td>'
            elif line.state == "note":
                cell = f'<td style="color:{_css(th.muted)};"><i>{text}</i></td>'
            elif line.state == "verdict":
                cell = f"<td><b>{text}</b></td>"
            else:
                cell = f"<td>{text}</td>"
            parts.append(f"<tr>{cell}</tr>")
        parts.append("</table>")
    parts.append("</div>")
    return "".join(parts)


# ------------------------------------------------------------------ feature
#: the heading of the finite-difference check, and its anchor in the text
CHECK_TITLE = "Check by finite differences"
CHECK_ANCHOR = "gradient-check"

#: the chain-rule dock's starting height in pixels
CHAIN_RULE_HEIGHT = 240


class ChainRuleFeature:
    """The chain-rule panel as a window feature: a bottom dock, the check action
    (Ctrl+G, in the Playback menu when there is one). It follows the playback
    controller in the context, if any."""

    name = "chain_rule"

    def __init__(self) -> None:
        self.panel: ChainRulePanel | None = None
        self.dock = None
        self.check_action: QAction | None = None

    def install(self, ctx, host) -> None:
        from PySide6.QtCore import QTimer

        self.panel = panel = ChainRulePanel(ctx.document, ctx.playback)
        check = host.add_action(
            "gradCheckAction",
            "&Check Gradient",
            "Estimate the selected weight's or bias's gradient by finite differences, "
            "beside the backpropagated value",
            panel.run_check,
            ["Ctrl+G"],
        )
        check.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        panel.set_check_action(check)
        self.check_action = check
        area = Qt.DockWidgetArea.BottomDockWidgetArea
        self.dock = dock = host.add_dock("chainRuleDock", "Chain rule", panel, area)
        window = host.window()
        if dock.parent() is window:  # room for about six lines of large equations
            size = ([dock], [CHAIN_RULE_HEIGHT], Qt.Orientation.Vertical)
            window.resizeDocks(*size)
            QTimer.singleShot(0, dock, lambda: window.resizeDocks(*size))
        menu = host.menu("playbackMenu")
        if menu is not None:
            menu.addSeparator()
            menu.addAction(check)
