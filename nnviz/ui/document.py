"""The open document: project (network + sample), selection, undo stack, results.

One document, many views (DESIGN.md). Every change goes through a method here,
which pushes a ``QUndoCommand`` onto :attr:`Document.undo_stack`; the command
changes the core network, the document recomputes the forward and backward
pass once, and emits ``network_changed``. Views redraw from :attr:`trace` and
:attr:`grads`; they never compute maths and never write into each other.

An edit the core refuses (``EditError``) pushes nothing, emits
``edit_refused(message)`` with the one sentence, and returns False.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from nnviz.core import examples, io, propagation
from nnviz.core.network import EditError, Network, check_value
from nnviz.core.propagation import Grads, Trace


@dataclass(frozen=True)
class Selection:
    """A neuron ``(layer, neuron)`` or an edge ``(layer, neuron, source)``.

    ``layer`` is the lesson's index (0 = input). An edge belongs to the layer it
    feeds: edge ``(l, j, i)`` is the weight ``W[l][j, i]`` from neuron ``i`` of
    layer ``l − 1`` into neuron ``j`` of layer ``l``.
    """

    kind: str  # "neuron" | "edge"
    layer: int
    neuron: int
    source: int = -1

    @staticmethod
    def of_neuron(l: int, j: int) -> Selection:  # noqa: E741
        return Selection("neuron", l, j)

    @staticmethod
    def of_edge(l: int, j: int, i: int) -> Selection:  # noqa: E741
        return Selection("edge", l, j, i)

    def valid_for(self, net: Network) -> bool:
        sizes = net.sizes
        if not 0 <= self.layer < len(sizes) or not 0 <= self.neuron < sizes[self.layer]:
            return False
        if self.kind == "edge":
            return self.layer >= 1 and 0 <= self.source < sizes[self.layer - 1]
        return True


# ------------------------------------------------------------------ commands
class _ScalarCommand(QUndoCommand):
    """One number changed (weight, bias, input, target).

    ``gesture`` > 0 names one drag or wheel gesture: its many small changes of the
    same number merge into one undo step; 0 means "never merge".
    """

    def __init__(
        self, doc: Document, key: tuple, old: float, new: float, text: str, gesture: int
    ) -> None:
        super().__init__(text)
        self._doc, self._key, self._old, self._new = doc, key, old, new
        self._gesture = int(gesture)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 1 if self._gesture else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if (
            not isinstance(other, _ScalarCommand)
            or other._gesture != self._gesture
            or other._key != self._key
        ):
            return False
        self._new = other._new
        # the history names the value the whole gesture arrived at
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self._doc._apply_scalar(self._key, self._new)

    def undo(self) -> None:
        self._doc._apply_scalar(self._key, self._old)


class _SnapshotCommand(QUndoCommand):
    """A structural change (layers, neurons, activation, loss, re-initialise)."""

    def __init__(self, doc: Document, before: io.Project, after: io.Project, text: str) -> None:
        super().__init__(text)
        self._doc, self._before, self._after = doc, before, after

    def redo(self) -> None:
        self._doc._apply_project(self._after.copy())

    def undo(self) -> None:
        self._doc._apply_project(self._before.copy())


class Document(QObject):
    """The network being taught with, and everything computed from it."""

    #: the network or sample changed; trace and grads are recomputed
    network_changed = Signal()
    #: the selected neuron or edge changed (or was cleared)
    selection_changed = Signal()
    #: an edit was refused; the argument is the one sentence for the user
    edit_refused = Signal(str)
    #: the file path or the saved/unsaved state changed
    file_state_changed = Signal()
    #: display settings (decimals, learning rate) changed
    settings_changed = Signal()
    #: the file's ``training`` section changed (training feature; see the end of the class)
    training_changed = Signal()

    def __init__(self, project: io.Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._project = project if project is not None else examples.default_project()
        self._path: Path | None = None
        self._selection: Selection | None = None
        self._decimals = 3
        self._learning_rate = 0.5
        self.trace: Trace
        self.grads: Grads
        self._recompute()

    def _on_clean_changed(self, _clean: bool) -> None:
        self.file_state_changed.emit()

    # ------------------------------------------------------------- reading
    @property
    def project(self) -> io.Project:
        return self._project

    @property
    def network(self) -> Network:
        return self._project.network

    @property
    def sample(self) -> io.Sample:
        return self._project.sample

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def selection(self) -> Selection | None:
        return self._selection

    @property
    def decimals(self) -> int:
        return self._decimals

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    def display_name(self) -> str:
        return self._path.name if self._path else (self._project.name or "Untitled")

    # ------------------------------------------------------------ settings
    def set_decimals(self, d: int) -> None:
        d = max(1, min(8, int(d)))
        if d != self._decimals:
            self._decimals = d
            self.settings_changed.emit()

    def set_learning_rate(self, lr: float) -> bool:
        try:
            v = check_value(lr, "the learning rate")
            if not 0 < v <= 100:
                raise EditError(f"the learning rate must be above 0 and at most 100, not {v:g}")
        except EditError as e:
            self.edit_refused.emit(str(e))
            return False
        if v != self._learning_rate:
            self._learning_rate = v
            self.settings_changed.emit()
        return True

    # ----------------------------------------------------------- selection
    def select(self, selection: Selection | None) -> None:
        if selection is not None and not selection.valid_for(self.network):
            selection = None
        if selection != self._selection:
            self._selection = selection
            self.selection_changed.emit()

    # ---------------------------------------------------------- recompute
    def _recompute(self) -> None:
        self.trace, self.grads = propagation.evaluate(
            self.network, self.sample.input, self.sample.target
        )

    def _changed(self) -> None:
        self._recompute()
        if self._selection is not None and not self._selection.valid_for(self.network):
            self._selection = None
            self.selection_changed.emit()
        self.network_changed.emit()

    def _apply_scalar(self, key: tuple, value: float) -> None:
        kind = key[0]
        if kind == "weight":
            _, l, j, i = key
            self.network.layer(l).W[j, i] = value
        elif kind == "bias":
            _, l, j = key
            self.network.layer(l).b[j] = value
        elif kind == "input":
            self.sample.input[key[1]] = value
        elif kind == "target":
            self.sample.target[key[1]] = value
        self._changed()

    def _apply_project(self, project: io.Project) -> None:
        self._project = project
        self._changed()

    # --------------------------------------------------------------- edits
    def value_of(self, key: tuple) -> float:
        kind = key[0]
        if kind == "weight":
            return float(self.network.layer(key[1]).W[key[2], key[3]])
        if kind == "bias":
            return float(self.network.layer(key[1]).b[key[2]])
        if kind == "input":
            return float(self.sample.input[key[1]])
        return float(self.sample.target[key[1]])

    def _set_scalar(self, key: tuple, value: object, what: str, gesture: int) -> bool:
        try:
            self._check_key(key)
            v = check_value(value, what)
        except EditError as e:
            self.edit_refused.emit(str(e))
            return False
        old = self.value_of(key)
        if v == old:
            return True
        self.undo_stack.push(_ScalarCommand(self, key, old, v, f"Set {what} to {v:g}", gesture))
        return True

    def _check_key(self, key: tuple) -> None:
        sizes = self.network.sizes
        kind = key[0]
        if kind in ("weight", "bias"):
            l, j = key[1], key[2]
            if not 1 <= l < len(sizes) or not 0 <= j < sizes[l]:
                raise EditError(f"there is no neuron {j + 1} in weighted layer {l}")
            if kind == "weight" and not 0 <= key[3] < sizes[l - 1]:
                raise EditError(f"neuron {j + 1} of layer {l} has no input {key[3] + 1}")
        elif kind == "input" and not 0 <= key[1] < sizes[0]:
            raise EditError(f"there is no input {key[1] + 1}")
        elif kind == "target" and not 0 <= key[1] < sizes[-1]:
            raise EditError(f"there is no output {key[1] + 1}")

    def set_weight(self, l: int, j: int, i: int, value: object, gesture: int = 0) -> bool:  # noqa: E741
        return self._set_scalar(("weight", l, j, i), value, f"w[{l}]({j + 1}←{i + 1})", gesture)

    def set_bias(self, l: int, j: int, value: object, gesture: int = 0) -> bool:  # noqa: E741
        return self._set_scalar(("bias", l, j), value, f"b[{l}]({j + 1})", gesture)

    def set_input(self, i: int, value: object, gesture: int = 0) -> bool:
        return self._set_scalar(("input", i), value, f"input x{i + 1}", gesture)

    def set_target(self, k: int, value: object, gesture: int = 0) -> bool:
        return self._set_scalar(("target", k), value, f"target y{k + 1}", gesture)

    def _structural(self, text: str, edit) -> bool:
        """Run ``edit(project_copy)``; push it as one undoable step if the core accepts it."""
        before = self._project.copy()
        after = self._project.copy()
        try:
            edit(after)
            after.network.validate()
        except EditError as e:
            self.edit_refused.emit(str(e))
            return False
        if (
            after.network.same_as(before.network)
            and np.array_equal(after.sample.input, before.sample.input)
            and np.array_equal(after.sample.target, before.sample.target)
            and after.seed == before.seed
            and after.init == before.init
        ):
            return True
        self.undo_stack.push(_SnapshotCommand(self, before, after, text))
        return True

    def set_activation(self, l: int, name: str) -> bool:  # noqa: E741
        return self._structural(
            f"Layer {l} activation → {name}", lambda p: p.network.set_activation(l, name)
        )

    def set_loss(self, name: str) -> bool:
        return self._structural(f"Loss → {name}", lambda p: p.network.set_loss(name))

    def set_output_and_loss(self, activation: str, loss: str) -> bool:
        """Change the output activation and the loss together (e.g. softmax + cross-entropy)."""

        def edit(p: io.Project) -> None:
            net = p.network
            net.loss = "mse"  # any activation is valid with mse; then set the pair
            net.set_activation(net.depth, activation)
            net.set_loss(loss)

        return self._structural(f"Output {activation} with {loss}", edit)

    def reinitialise(self, seed: int, scheme: str = "uniform") -> bool:
        def edit(p: io.Project) -> None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise EditError(f"the seed must be a whole number ≥ 0, not {seed!r}")
            p.network.reinitialise(int(seed), scheme)
            p.seed, p.init = int(seed), scheme

        return self._structural(f"Re-initialise ({scheme}, seed {seed})", edit)

    def _rng(self) -> np.random.Generator:
        # reproducible: new weights come from the stored seed and the edit count
        return np.random.default_rng([self._project.seed, self.undo_stack.index()])

    def add_neuron(self, l: int) -> bool:  # noqa: E741
        rng = self._rng()

        def edit(p: io.Project) -> None:
            p.network.add_neuron(l, rng)
            if l == 0:
                p.sample.input = np.append(p.sample.input, 0.0)
            if l == p.network.depth:
                p.sample.target = np.append(p.sample.target, 0.0)

        return self._structural(f"Add a neuron to layer {l}", edit)

    def remove_neuron(self, l: int, j: int) -> bool:  # noqa: E741
        def edit(p: io.Project) -> None:
            p.network.remove_neuron(l, j)
            if l == 0:
                p.sample.input = np.delete(p.sample.input, j)
            if l == p.network.depth:
                p.sample.target = np.delete(p.sample.target, j)

        return self._structural(f"Remove neuron {j + 1} of layer {l}", edit)

    def insert_layer(self, l: int, size: int, activation: str = "tanh") -> bool:  # noqa: E741
        rng = self._rng()
        return self._structural(
            f"Insert a layer of {size} at {l}",
            lambda p: p.network.insert_layer(l, size, activation, rng),
        )

    def remove_layer(self, l: int) -> bool:  # noqa: E741
        rng = self._rng()
        return self._structural(f"Remove layer {l}", lambda p: p.network.remove_layer(l, rng))

    def apply_update(self) -> bool:
        """One gradient-descent step on the sample: w ← w − η ∂L/∂w (undoable)."""
        lr = self._learning_rate
        grads = self.grads

        def edit(p: io.Project) -> None:
            for l, layer in enumerate(p.network.layers, start=1):  # noqa: E741
                layer.W = layer.W - lr * grads.dL_dW[l]
                layer.b = layer.b - lr * grads.dL_db[l]
                if not (np.all(np.isfinite(layer.W)) and np.all(np.isfinite(layer.b))):
                    raise EditError("the update made a weight infinite; lower the learning rate")

        return self._structural(f"Gradient step (η = {lr:g})", edit)

    # --------------------------------------------------------------- files
    def load_project(self, project: io.Project, path: Path | None = None) -> None:
        """Replace everything with ``project`` (a fresh history; nothing to undo)."""
        self._project = project
        self._path = Path(path) if path is not None else None
        self._selection = None
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._recompute()
        self.selection_changed.emit()
        self.network_changed.emit()
        self.file_state_changed.emit()

    def open(self, path: str | Path) -> None:
        """Load ``path``; raises io.FileFormatError (and changes nothing) if it is invalid."""
        project = io.load(path)
        self.load_project(project, Path(path))

    def save(self, path: str | Path | None = None) -> None:
        """Save atomically to ``path`` (or the current path); raises OSError on failure."""
        target = Path(path) if path is not None else self._path
        if target is None:
            raise ValueError("no file name to save to")
        io.save(self._project, target)
        self._path = target
        self.undo_stack.setClean()
        self.file_state_changed.emit()

    # ------------------------------------------------ training (live weights)
    # Added for the training feature (nnviz/ui/training). Training changes the
    # weights many times a second: those changes are shown (network_changed) but
    # are not undo steps; one "Train N epochs" command is pushed when the run
    # pauses, so one undo goes back to the weights before the run.

    @property
    def training_spec(self):
        """The file's ``training`` section (a TrainingSpec), or None."""
        return self._project.training

    def set_training_spec(self, spec) -> None:
        """Store training settings (optimiser, rates, dataset, ...); not an undo step,
        but the file is then unsaved (closing asks to save it)."""
        if spec != self._project.training:
            self._project.training = spec
            self.undo_stack.resetClean()
            self.training_changed.emit()

    def edit_training(
        self,
        text: str,
        spec,
        network: Network | None = None,
        sample: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> bool:
        """One undoable step that sets the training section and optionally the network
        (e.g. new input features) and the sample. A network the core refuses is refused."""
        before = self._project.copy()
        after = self._project.copy()
        after.training = spec
        if network is not None:
            try:
                network.validate()
            except EditError as e:
                self.edit_refused.emit(str(e))
                return False
            after.network = network.copy()
        if sample is not None:
            after.sample = io.Sample(
                np.array(sample[0], dtype=float), np.array(sample[1], dtype=float)
            )
        self.undo_stack.push(_SnapshotCommand(self, before, after, text))
        self.training_changed.emit()
        return True

    def set_parameters_live(self, params: list[np.ndarray]) -> None:
        """Copy ``[W1, b1, W2, b2, ...]`` into the network in place and show it; no undo step.

        The arrays must have the network's shapes (the trainer's copy of it).
        """
        k = 0
        for layer in self.network.layers:
            np.copyto(layer.W, params[k])
            np.copyto(layer.b, params[k + 1])
            k += 2
        if self.undo_stack.isClean():
            self.undo_stack.resetClean()  # trained weights are unsaved work
        with np.errstate(all="ignore"):  # a diverging run shows its inf/NaN, without warnings
            self._changed()

    def begin_live_run(self) -> None:
        """Remember the project as it is before live changes start."""
        self._live_before = self._project.copy()

    def cancel_live_run(self) -> None:
        """Forget :meth:`begin_live_run` (another file was loaded meanwhile)."""
        self._live_before = None

    def end_live_run(self, text: str) -> bool:
        """Push one undo step from the project at :meth:`begin_live_run` to now (if it changed)."""
        before = getattr(self, "_live_before", None)
        self._live_before = None
        if before is None or before.network.same_as(self.network):
            return False
        self.undo_stack.push(_SnapshotCommand(self, before, self._project.copy(), text))
        return True
