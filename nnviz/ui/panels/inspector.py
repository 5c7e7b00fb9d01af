"""The inspector: edit the selected weight, bias, activation, input or target.

Every field writes through a Document method (so it is undoable and checked by
the core) and is refreshed from the document on every change; an equality
check cuts the feedback loop (napari style).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator, QValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import activations, losses
from nnviz.core.explain import MINUS, OVERFLOW_NOTE, fmt, input_symbol, overflowed
from nnviz.core.network import INIT_SCHEMES
from nnviz.ui import hidden_values
from nnviz.ui.document import Document

MAX_SEED = 2**63 - 1
#: the spin boxes accept more than the core's limit, so a too-large typed value
#: reaches the document, which refuses it with a sentence in the status bar and
#: keeps the old value (at exactly ±MAX_ABS_VALUE Qt would clamp it silently)
SPIN_LIMIT = 1e12


class ValueSpin(QDoubleSpinBox):
    """A number field that shows its value as the canvas does (``fmt`` with the
    View ▸ Decimals setting, ``−`` for minus) but keeps it exactly.

    The stored value is never rounded to what is shown: the box holds 12 decimals,
    and text that still reads as the shown value maps back to the exact value, so
    pressing Enter or leaving the field without typing changes nothing. Any
    number may be typed (``0.123456``, ``-2``, ``1e-7``, ``−1.5``).
    """

    STORED_DECIMALS = 12

    def __init__(self) -> None:
        super().__init__()
        self.shown_decimals = 3
        self.setDecimals(self.STORED_DECIMALS)

    def set_shown_decimals(self, d: int) -> None:
        if d != self.shown_decimals:
            self.shown_decimals = int(d)
            self.lineEdit().setText(self.textFromValue(self.value()))

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return fmt(value, self.shown_decimals)

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        text = text.strip()
        if text == self.textFromValue(self.value()):
            return self.value()  # untouched: exactly the value, not its rounded text
        parsed = _parse(text)
        return self.value() if parsed is None else parsed

    def validate(self, text: str, pos: int):
        t = text.strip()
        if _parse(t) is not None:
            return QValidator.State.Acceptable, text, pos
        if all(c in "0123456789.-+eE−" for c in t):
            return QValidator.State.Intermediate, text, pos  # "-", "1e", "" on the way
        return QValidator.State.Invalid, text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())


def _parse(text: str) -> float | None:
    """A typed number (``−`` read as minus), or None if it is not one yet."""
    try:
        v = float(text.replace(MINUS, "-"))
    except ValueError:
        return None
    return v if abs(v) <= SPIN_LIMIT else None


def _spin(name: str, tip: str) -> ValueSpin:
    s = ValueSpin()
    s.setObjectName(name)
    s.setToolTip(tip)
    s.setRange(-SPIN_LIMIT, SPIN_LIMIT)
    s.setSingleStep(0.1)
    s.setKeyboardTracking(False)  # commit on Enter, arrows or leaving the field
    s.setAccelerated(True)
    return s


class InspectorPanel(QWidget):
    """Fields for the selection, plus the network-wide loss and initialisation.

    Enter in a field commits it, Esc puts back the document's value; either way
    ``editing_done`` is emitted and the window gives the focus back to the canvas,
    so the playback keys and the canvas's keys work at once.
    """

    #: Enter or Esc ended an edit in one of the fields
    editing_done = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.document = document
        self._updating = False

        self.title = QLabel()
        self.title.setObjectName("inspectorTitle")
        self.title.setWordWrap(True)
        self._title_font()

        self.weight = _spin("weightEdit", "The selected weight w (row = neuron it feeds)")
        self.bias = _spin("biasEdit", "The selected neuron's bias b")
        self.input = _spin("inputEdit", "The sample's value for this input")
        self.target = _spin("targetEdit", "The target y for this output neuron")
        self.activation = QComboBox()
        self.activation.setObjectName("activationCombo")
        self.activation.setToolTip("The activation function of the selected neuron's layer")
        for name in activations.NAMES:
            act = activations.get(name)
            self.activation.addItem(f"{name}   f(z) = {act.formula}", name)
        self.values = QLabel()
        self.values.setObjectName("inspectorValues")
        self.values.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values.setWordWrap(True)

        sel_box = QGroupBox("Selection")
        self.form = QFormLayout(sel_box)
        self.form.addRow(self.title)
        self.form.addRow("Weight w", self.weight)
        self.form.addRow("Bias b", self.bias)
        self.form.addRow("Input x", self.input)
        self.form.addRow("Target y", self.target)
        self.form.addRow("Activation", self.activation)
        self.form.addRow(self.values)

        net_box = QGroupBox("Network")
        net_form = QFormLayout(net_box)
        self.loss = QComboBox()
        self.loss.setObjectName("lossCombo")
        self.loss.setToolTip(
            "The loss L. bce needs a sigmoid output; cross_entropy a softmax output."
        )
        for name in losses.NAMES:
            self.loss.addItem(f"{name}   {losses.get(name).formula}", name)
        # a line edit, not a QSpinBox: seeds go up to 2^63 − 1 (a spin box stops at 2^31 − 1)
        self.seed = QLineEdit()
        self.seed.setObjectName("seedEdit")
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{1,19}")))
        self.seed.setToolTip(
            "The seed for new weights (0 to 2^63 − 1): the same seed gives the same weights"
        )
        self.init = QComboBox()
        self.init.setObjectName("initCombo")
        self.init.setToolTip("uniform: ±1/√fan-in; xavier: ±√(6/(in+out)); he: N(0, 2/fan-in)")
        for s in INIT_SCHEMES:
            self.init.addItem(s, s)
        self.reinit = QPushButton("Re-initialise weights")
        self.reinit.setObjectName("reinitButton")
        self.reinit.setToolTip("Draw every weight and bias again from the seed (undoable)")
        self.shape = QLabel()
        self.shape.setObjectName("networkShape")
        row = QHBoxLayout()
        row.addWidget(self.init)
        row.addWidget(self.reinit)
        self.learning_rate = _spin(
            "learningRateEdit",
            "The learning rate η of Apply update: every w ← w − η·∂L/∂w "
            "(above 0, at most 100; too large a step can raise the loss)",
        )
        self.learning_rate.setRange(0.0, 100.0)
        self.learning_rate.setSingleStep(0.05)
        net_form.addRow("Shape", self.shape)
        net_form.addRow("Loss", self.loss)
        net_form.addRow("Learning rate η", self.learning_rate)
        net_form.addRow("Seed", self.seed)
        net_form.addRow("Init", row)

        lay = QVBoxLayout(self)
        lay.addWidget(sel_box)
        lay.addWidget(net_box)
        lay.addStretch(1)

        self.weight.valueChanged.connect(self._on_weight_edited)
        self.bias.valueChanged.connect(self._on_bias_edited)
        self.input.valueChanged.connect(self._on_input_edited)
        self.target.valueChanged.connect(self._on_target_edited)
        self.learning_rate.valueChanged.connect(self._on_learning_rate_edited)
        self.activation.activated.connect(self._on_activation_chosen)
        self.loss.activated.connect(self._on_loss_chosen)
        self.reinit.clicked.connect(self._on_reinit_clicked)
        self._fields: dict[QWidget, QWidget] = {self.seed: self.seed}
        for spin in (self.weight, self.bias, self.input, self.target):
            self._fields[spin] = spin
            self._fields[spin.lineEdit()] = spin  # keys sent to the text part itself
        for field in self._fields:
            field.installEventFilter(self)
        document.results_changed.connect(self.refresh)
        document.selection_changed.connect(self.refresh)
        document.display_changed.connect(self.refresh)
        document.edit_refused.connect(lambda _msg: self.refresh())
        self.refresh()

    def _title_font(self) -> None:
        """The title a quarter larger than the application font (which follows View ▸
        Zoom Text and presenter mode): made again from it whenever the panel redraws."""
        f = QApplication.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        f.setBold(True)
        if f != self.title.font():
            self.title.setFont(f)

    # ------------------------------------------------------------ keyboard
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or obj not in self._fields:
            return False
        obj = self._fields[obj]
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if obj is self.seed:
                self.seed.setModified(False)
                self._on_reinit_clicked()  # Enter: the default button of the seed
            else:
                obj.interpretText()  # commits through valueChanged (or is refused)
            self.editing_done.emit()
            return True
        if key == Qt.Key.Key_Escape:
            self.cancel_edit(obj)
            self.editing_done.emit()
            return True
        return False

    def cancel_edit(self, field: QWidget) -> None:
        """Put the document's value back into ``field`` (Esc)."""
        if field is self.seed:
            self.seed.setText(str(self.document.project.seed))
            self.seed.setModified(False)
            return
        self._updating = True
        try:
            value = field.value()
            field.setValue(value + 1.0)  # a real change, so the text is redrawn
            field.setValue(value)
        finally:
            self._updating = False
        self.refresh()

    # ---------------------------------------------------------------- view
    def _show(self, widget: QWidget, visible: bool) -> None:
        widget.setVisible(visible)
        label = self.form.labelForField(widget)
        if label is not None:
            label.setVisible(visible)

    def refresh(self) -> None:
        """Show the document's current values (never writes back)."""
        self._title_font()
        doc = self.document
        net = doc.network
        sel = doc.selection
        d = doc.decimals
        self._updating = True
        try:
            self.shape.setText(" – ".join(map(str, net.sizes)) + f"   ({net.n_params} parameters)")
            self.loss.setCurrentIndex(self.loss.findData(net.loss))
            if not self.seed.hasFocus():
                self.seed.setText(str(doc.project.seed))
            self.init.setCurrentIndex(self.init.findData(doc.project.init))
            for spin in (self.weight, self.bias, self.input, self.target):
                spin.set_shown_decimals(d)  # the canvas's decimals (View ▸ Decimals)
            self.learning_rate.set_shown_decimals(max(d, 3))
            self.learning_rate.setValue(doc.learning_rate)
            show = {w: False for w in (self.weight, self.bias, self.input, self.target)}
            act_layer = None
            lines: list[str] = []
            if sel is None:
                self.title.setText("Nothing selected — click a neuron or an edge")
            elif sel.kind == "edge":
                l, j, i = sel.layer, sel.neuron, sel.source
                src = (
                    input_symbol(i, doc.input_names)
                    if l == 1
                    else f"neuron {i + 1} of layer {l - 1}"
                )
                self.title.setText(f"Weight from {src} to neuron {j + 1} of layer {l}")
                self.weight.setValue(float(net.layers[l - 1].W[j, i]))
                show[self.weight] = True
                lines.append(f"∂L/∂w = {fmt(doc.grads.dL_dW[l][j, i], d)}")
                lines.append(
                    f"carries a·w = {fmt(doc.trace.a[l - 1][0, i], d)} × "
                    f"{fmt(net.layers[l - 1].W[j, i], d)}"
                )
            elif sel.layer == 0:
                self.title.setText(f"Input {input_symbol(sel.neuron, doc.input_names)}")
                self.input.setValue(float(doc.sample.input[sel.neuron]))
                show[self.input] = True
                lines.append(f"∂L/∂x = {fmt(doc.grads.dL_dx[0, sel.neuron], d)}")
            else:
                l, j = sel.layer, sel.neuron
                role = "output" if l == net.depth else "hidden"
                self.title.setText(f"Neuron {j + 1} of layer {l} ({role})")
                self.bias.setValue(float(net.layers[l - 1].b[j]))
                show[self.bias] = True
                act_layer = l
                if l == net.depth:
                    self.target.setValue(float(doc.sample.target[j]))
                    show[self.target] = True
                lines.append(
                    f"z = {fmt(doc.trace.z[l][0, j], d)}    a = {fmt(doc.trace.a[l][0, j], d)}"
                )
                lines.append(
                    f"∂L/∂z = {fmt(doc.grads.dL_dz[l][0, j], d)}    "
                    f"∂L/∂a = {fmt(doc.grads.dL_da[l][0, j], d)}"
                )
            for w, v in show.items():
                self._show(w, v)
            self._show(self.activation, act_layer is not None)
            if act_layer is not None:
                name = net.layers[act_layer - 1].activation
                self.activation.setCurrentIndex(self.activation.findData(name))
            shown = hidden_values.mask_lines(doc, sel, lines)
            if overflowed(doc.grads.loss):  # the one-line why of every ∞ and NaN above
                shown = [*shown, "loss = overflow:", *OVERFLOW_NOTE.split("; ")]
            self.values.setText("\n".join(shown))
        finally:
            self._updating = False

    # ------------------------------------------------------------- editing
    def _edit_selected(self, kind: str, v: float) -> None:
        """The weight, bias or input spin box edits the selection's own address."""
        sel = self.document.selection
        if self._updating or sel is None:
            return
        addr = sel.address()
        if addr.kind == kind:
            self.document.set_value(addr, v)

    def _on_weight_edited(self, v: float) -> None:
        self._edit_selected("weight", v)

    def _on_bias_edited(self, v: float) -> None:
        self._edit_selected("bias", v)

    def _on_input_edited(self, v: float) -> None:
        self._edit_selected("input", v)

    def _on_target_edited(self, v: float) -> None:
        sel = self.document.selection
        if not self._updating and sel is not None and sel.kind == "neuron":
            self.document.set_target(sel.neuron, v)

    def _on_learning_rate_edited(self, v: float) -> None:
        if not self._updating and not self.document.set_learning_rate(v):
            self.refresh()  # refused (0): show the rate that still holds

    def _on_activation_chosen(self, index: int) -> None:
        sel = self.document.selection
        if sel is None or sel.layer == 0:
            return
        self.document.set_activation(sel.layer, self.activation.itemData(index))
        self.refresh()

    def _on_loss_chosen(self, index: int) -> None:
        self.document.set_loss(self.loss.itemData(index))
        self.refresh()

    def _on_reinit_clicked(self) -> None:
        text = self.seed.text().strip()
        seed = int(text) if text.isdigit() else -1
        if not 0 <= seed <= MAX_SEED:
            self.document.edit_refused.emit(f"the seed must be a whole number from 0 to {MAX_SEED}")
            return
        self.document.reinitialise(seed, self.init.currentData())
