"""The open document: project (network + sample), selection, undo stack, results.

One document, many views (DESIGN.md). Every change goes through a method here,
which pushes a ``QUndoCommand`` onto :attr:`Document.undo_stack`; the command
changes the core network, the document recomputes the forward and backward
pass once, and emits typed, past-tense signals that say what changed:

* ``results_changed(change)``: once per recompute, after the ones below; the
  :class:`Change` says what changed (views that show trace or grads use it);

* ``shape_changed(revision)``: layer sizes, an activation or the loss changed;
* ``values_changed(addresses, revision)``: parameter values changed —
  ``addresses`` is a ``frozenset`` of :mod:`nnviz.core.addresses` (one weight
  dragged: that weight alone) or None for "all of them";
* ``sample_changed(addresses, revision)``: the input or the target changed
  (a frozenset of ``Input`` / ``Target`` addresses, or None for all);
* ``selection_changed(old, new)``; ``display_changed(name)`` (``decimals``,
  ``learning_rate``, ``theme``).

Each kind of change bumps its counter (:attr:`Document.values_revision`,
:attr:`shape_revision`, :attr:`sample_revision`), so a cache keys on revisions
instead of hand-built tuples. Views redraw from :attr:`trace` and
:attr:`grads`; they never compute maths and never write into each other.

An edit the core refuses (``EditError``) pushes nothing, emits
``edit_refused(message)`` with the one sentence, and returns False.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from nnviz.core import examples, features, io, propagation, updates
from nnviz.core.addresses import Address, Bias, Input, Target, Weight, from_key
from nnviz.core.network import Dense, EditError, Network, check_value
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

    def address(self) -> Address:
        """The number this selection edits and checks: an edge's weight, a neuron's
        bias, or (a neuron of layer 0) the input."""
        if self.kind == "edge":
            return Weight(self.layer, self.neuron, self.source)
        if self.layer == 0:
            return Input(self.neuron)
        return Bias(self.layer, self.neuron)


@dataclass(frozen=True)
class Change:
    """What one recompute followed: the payload of ``Document.results_changed``.

    ``values`` / ``sample`` are a frozenset of addresses, None ("all") or False
    (unchanged); the revisions are the document's counters after the change.
    """

    shape: bool
    values: frozenset | None | bool
    sample: frozenset | None | bool
    shape_revision: int
    values_revision: int
    sample_revision: int


# ------------------------------------------------------------------ commands
# An undo command never lets an exception out into Qt: PySide prints it from
# inside its own handler, which a RecursionError or MemoryError can crash
# (issue 14: a deeply nested unknown field turned Add Layer into a SIGSEGV).
# A command that fails leaves the document as it was before the failed step,
# says one sentence through ``edit_refused`` and logs the traceback
# (nnviz.ui.errors). The first redo (inside ``push``) that fails marks the
# command obsolete, so Qt drops it and the history never shows it. An undo or
# redo from the history that fails keeps the command, remembers that the
# document did not move, and puts the stack's index back (the next event
# turn), so the history and the document always agree.


class _GuardedCommand(QUndoCommand):
    """Runs ``_forward``/``_backward`` so that a failure changes nothing."""

    def __init__(self, doc: Document, text: str) -> None:
        super().__init__(text)
        # a weak reference: a command holding its document made a cycle through the
        # C++ stack that the garbage collector cut in the wrong place (a document
        # with ~70 commands in its history crashed the process when collected)
        self._doc_ref = weakref.ref(doc)
        self._pushed = False  # the first redo is the one ``push`` makes
        self._applied = False  # the document holds this command's "after" state

    @property
    def _doc(self) -> Document:
        doc = self._doc_ref()
        if doc is None:
            raise RuntimeError("the document of this edit is gone")
        return doc

    def _forward(self) -> None:
        raise NotImplementedError

    def _backward(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._applied:  # a failed undo left the document here: nothing to do
            return
        first = not self._pushed
        self._pushed = True
        if self._run(self._forward, "redo" if not first else ""):
            self._applied = True
        elif first:
            self.setObsolete(True)  # never joins the history
        elif (doc := self._doc_ref()) is not None:
            doc._resync_index(doc.undo_stack.index() - 1)

    def undo(self) -> None:
        if not self._applied:  # a failed redo left the document here
            return
        if self._run(self._backward, "undo"):
            self._applied = False
        elif (doc := self._doc_ref()) is not None:
            doc._resync_index(doc.undo_stack.index() + 1)

    def _saved(self) -> tuple:
        """What :meth:`Document._rollback` needs to undo a half-done step."""
        return (self._doc.project, None)

    def _run(self, step, verb: str) -> bool:
        doc = self._doc_ref()
        if doc is None:
            return False
        try:
            saved = self._saved()
            step()
        except Exception as exc:  # noqa: BLE001 - nothing may escape into Qt
            doc._rollback(*saved)
            what = f"{verb} “{self.text()}”" if verb else f"do “{self.text()}”"
            doc._report_failure(exc, f"Could not {what}")
            return False
        return True


class _ScalarCommand(_GuardedCommand):
    """One number changed (weight, bias, input, target).

    ``gesture`` > 0 names one drag or wheel gesture: its many small changes of the
    same number merge into one undo step; 0 means "never merge".
    """

    def __init__(
        self, doc: Document, key: Address, old: float, new: float, text: str, gesture: int
    ) -> None:
        super().__init__(doc, text)
        self._key, self._old, self._new = key, old, new
        self._gesture = int(gesture)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 1 if self._gesture else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if (
            not isinstance(other, _ScalarCommand)
            or other.isObsolete()  # its redo failed: the document did not change
            or other._gesture != self._gesture
            or other._key != self._key
        ):
            return False
        self._new = other._new
        # the history names the value the whole gesture arrived at
        self.setText(other.text())
        return True

    def _saved(self) -> tuple:
        return (self._doc.project, (self._key, self._doc.value_of(self._key)))

    def _forward(self) -> None:
        self._doc._apply_scalar(self._key, self._new)

    def _backward(self) -> None:
        self._doc._apply_scalar(self._key, self._old)

    def nbytes(self) -> int:
        """Bytes of network data this command keeps (two floats)."""
        return 16


def _same_layer(a: Dense, b: Dense) -> bool:
    return (
        a.activation == b.activation
        and a.W.shape == b.W.shape
        and np.array_equal(a.W, b.W)
        and np.array_equal(a.b, b.b)
    )


def _fields(p: io.Project) -> dict[str, object]:
    """The small parts of a project, each replaced whole by a structural edit."""
    return {
        "input_size": p.network.input_size,
        "loss": p.network.loss,
        "input": p.sample.input,
        "target": p.sample.target,
        "seed": p.seed,
        "init": p.init,
        "name": p.name,
        "extra": p.extra,
        "training": p.training,
    }


def _equal(a: object, b: object) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
    try:
        return bool(a == b)
    except RecursionError:  # two deeply nested unknown fields: kept as a change
        return False


def _own(v: object) -> object:
    return v.copy() if isinstance(v, np.ndarray) else v


class _ProjectDelta:
    """What a structural edit changed, and nothing else.

    The layers the edit left alone at the start and at the end are not kept;
    the ones between are kept once as they were and once as they became (private
    copies: the live arrays change in place under scalar edits). Of the small
    fields only those that differ are kept. The unknown fields of the file
    (``extra``) are kept by reference, never copied: they are read-only here.
    An activation toggle on a 784-128-10 network keeps two names, not two
    networks (issue 14: 3.2 GB after 100 toggles before).
    """

    def __init__(self, before: io.Project, after: io.Project) -> None:
        a, b = before.network.layers, after.network.layers
        n = min(len(a), len(b))
        start = 0
        while start < n and _same_layer(a[start], b[start]):
            start += 1
        tail = 0
        while tail < n - start and _same_layer(a[len(a) - 1 - tail], b[len(b) - 1 - tail]):
            tail += 1
        self.start = start
        old_mid, new_mid = a[start : len(a) - tail], b[start : len(b) - tail]
        #: as many layers before as after: per layer, only the parts that differ
        self.patches: list[tuple[int, dict, dict]] = []
        self.old_layers: list[Dense] = []
        self.new_layers: list[Dense] = []
        if len(old_mid) == len(new_mid):
            for k, (x, y) in enumerate(zip(old_mid, new_mid)):
                old, new = {}, {}
                for part in ("activation", "W", "b"):
                    u, v = getattr(x, part), getattr(y, part)
                    if not _equal(u, v):
                        old[part], new[part] = _own(u), _own(v)
                self.patches.append((start + k, old, new))
        else:  # the number of layers changed: the layers between, whole
            self.old_layers = [layer.copy() for layer in old_mid]
            self.new_layers = [layer.copy() for layer in new_mid]
        fa, fb = _fields(before), _fields(after)
        self.old = {k: _own(v) for k, v in fa.items() if not _equal(v, fb[k])}
        self.new = {k: _own(fb[k]) for k in self.old}

    @property
    def empty(self) -> bool:
        return not (self.patches or self.old_layers or self.new_layers or self.old)

    def nbytes(self) -> int:
        """Bytes of array data held (what the history costs for this step)."""
        total = 0
        for layer in (*self.old_layers, *self.new_layers):
            total += layer.W.nbytes + layer.b.nbytes
        parts = [*self.old.values(), *self.new.values()]
        for _, old, new in self.patches:
            parts += [*old.values(), *new.values()]
        return total + sum(v.nbytes for v in parts if isinstance(v, np.ndarray))

    def apply(self, live: io.Project, forward: bool) -> io.Project:
        """``live`` (the state on one side of the edit) taken to the other side.

        The unchanged layers move into the new project as they are; the changed
        ones are fresh copies, so this delta stays as it was for the next time.
        """
        put, take = self.new_layers, self.old_layers
        if not forward:
            put, take = take, put
        fields = self.new if forward else self.old
        layers = live.network.layers
        end = self.start + len(take)
        new_layers = layers[: self.start] + [x.copy() for x in put] + layers[end:]
        for index, old, new in self.patches:
            parts, layer = (new if forward else old), new_layers[index]
            new_layers[index] = Dense(
                _own(parts["W"]) if "W" in parts else layer.W,
                _own(parts["b"]) if "b" in parts else layer.b,
                parts.get("activation", layer.activation),
            )
        f = _fields(live)
        f.update({k: _own(v) for k, v in fields.items()})
        net = Network(f["input_size"], new_layers, f["loss"])
        return io.Project(
            net,
            io.Sample(f["input"], f["target"]),
            f["seed"],
            f["init"],
            f["name"],
            f["extra"],
            f["training"],
        )


def _working_copy(p: io.Project) -> io.Project:
    """A copy to edit: arrays copied, the file's unknown fields shared (never deep-copied)."""
    return io.Project(
        p.network.copy(), p.sample.copy(), p.seed, p.init, p.name, p.extra, p.training
    )


class _SnapshotCommand(_GuardedCommand):
    """A structural change (layers, neurons, activation, loss, re-initialise).

    ``before`` is the document's project as it is, ``after`` the edited copy; the
    command keeps only the difference (:class:`_ProjectDelta`).
    """

    def __init__(self, doc: Document, before: io.Project, after: io.Project, text: str) -> None:
        super().__init__(doc, text)
        self._delta = _ProjectDelta(before, after)

    @property
    def empty(self) -> bool:
        return self._delta.empty

    def _forward(self) -> None:
        self._doc._apply_project(self._delta.apply(self._doc.project, forward=True))

    def _backward(self) -> None:
        self._doc._apply_project(self._delta.apply(self._doc.project, forward=False))

    def nbytes(self) -> int:
        return self._delta.nbytes()


class _TrainingCommand(_SnapshotCommand):
    """A snapshot edit of the training (a run, a reset, features, data, a clicked
    point) that also carries the training's progress before and after it: undo and
    redo put the document's :attr:`Document.training_progress` back *before* the
    project changes, so the views that follow the change see both together."""

    def __init__(
        self, doc: Document, before: io.Project, after: io.Project, text: str, progress: tuple
    ) -> None:
        super().__init__(doc, before, after, text)
        self._progress = progress  # (before, after): opaque objects of the training feature

    @property
    def empty(self) -> bool:
        return super().empty and self._progress[0] is self._progress[1]

    def _move(self, step, progress) -> None:
        doc = self._doc
        old, doc._training_progress = doc._training_progress, progress
        try:
            step()
        except BaseException:
            doc._training_progress = old
            raise

    def _forward(self) -> None:
        self._move(super()._forward, self._progress[1])

    def _backward(self) -> None:
        self._move(super()._backward, self._progress[0])

    def nbytes(self) -> int:
        mine = {id(p): p for p in self._progress if p is not None}
        extra = sum(int(getattr(p, "nbytes", 0)) for p in mine.values())
        return super().nbytes() + extra


class Document(QObject):
    """The network being taught with, and everything computed from it."""

    #: parameter values changed: (frozenset of addresses, or None for all; values_revision)
    values_changed = Signal(object, int)
    #: the structure changed (layer sizes, an activation, the loss): (shape_revision)
    shape_changed = Signal(int)
    #: the sample changed: (frozenset of Input/Target addresses, or None for all;
    #: sample_revision)
    sample_changed = Signal(object, int)
    #: the selected neuron or edge changed (or was cleared): (old, new), each a
    #: Selection or None
    selection_changed = Signal(object, object)
    #: trace and grads were recomputed, once per change: (Change); emitted after
    #: shape_changed / values_changed / sample_changed, for views that show results
    results_changed = Signal(object)
    #: a display setting changed: its name ("decimals", "learning_rate", "theme")
    display_changed = Signal(str)
    #: an edit was refused; the argument is the one sentence for the user
    edit_refused = Signal(str)
    #: the file path or the saved/unsaved state changed
    file_state_changed = Signal()
    #: a new project replaced everything (File ▸ New, Open, an example): views that
    #: keep a position of their own (playback) start again
    project_loaded = Signal()
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
        self._training_progress: object | None = None  # see training_progress
        #: bumped on each change of parameter values, of the structure, of the sample
        self.values_revision = 0
        self.shape_revision = 0
        self.sample_revision = 0
        self._failures = 0  # commands that failed and were rolled back (see _GuardedCommand)
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
            self.notify_display_changed("decimals")

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
            self.notify_display_changed("learning_rate")
        return True

    def notify_display_changed(self, name: str) -> None:
        """A display setting ``name`` changed (the window calls this for "theme")."""
        self.display_changed.emit(name)

    # ----------------------------------------------------------- selection
    def select(self, selection: Selection | None) -> None:
        if selection is not None and not selection.valid_for(self.network):
            selection = None
        if selection != self._selection:
            old, self._selection = self._selection, selection
            self.selection_changed.emit(old, selection)

    # ---------------------------------------------------------- recompute
    def _recompute(self) -> None:
        self.trace, self.grads = propagation.evaluate(
            self.network, self.sample.input, self.sample.target
        )

    def _changed(
        self,
        shape: bool = False,
        values: frozenset | None | bool = False,
        sample: frozenset | None | bool = False,
        clear_selection: bool = False,
    ) -> None:
        """Recompute once, then say what changed: ``values`` / ``sample`` are a
        frozenset of addresses, None ("all") or False (unchanged)."""
        self._recompute()
        if shape:
            self.shape_revision += 1
        if values is not False:
            self.values_revision += 1
        if sample is not False:
            self.sample_revision += 1
        old = self._selection
        if old is not None and (clear_selection or not old.valid_for(self.network)):
            self._selection = None
        if shape:
            self.shape_changed.emit(self.shape_revision)
        if values is not False:
            self.values_changed.emit(values, self.values_revision)
        if sample is not False:
            self.sample_changed.emit(sample, self.sample_revision)
        if self._selection is not old:
            self.selection_changed.emit(old, None)
        self.results_changed.emit(
            Change(
                bool(shape),
                values,
                sample,
                self.shape_revision,
                self.values_revision,
                self.sample_revision,
            )
        )

    def _apply_scalar(self, key: Address | tuple, value: float) -> None:
        addr = from_key(key)
        self._write_scalar(addr, value)
        if addr.is_parameter:
            self._changed(values=frozenset((addr,)))
        else:
            self._changed(sample=frozenset((addr,)))

    def _write_scalar(self, key: Address | tuple, value: float) -> None:
        from_key(key).set(self._project, value)

    def _apply_project(self, project: io.Project) -> None:
        before, self._project = self._project, project
        self._changed(**_differences(before, project))

    # ------------------------------------------------ failures (nnviz.ui.errors)
    def _rollback(self, project: io.Project, scalar: tuple | None = None) -> None:
        """Put back the state from before a command that failed half-way."""
        from nnviz.ui import errors

        self._project = project
        try:
            if scalar is not None:
                self._write_scalar(*scalar)
            # everything may have moved half-way: views redraw all of it
            self._changed(shape=True, values=None, sample=None)
        except Exception:  # noqa: BLE001 - the views keep the last good results
            errors.log_exception("restoring the document after a failed edit")

    def _report_failure(self, exc: BaseException, what: str) -> None:
        """Log the traceback; tell the user one sentence through ``edit_refused``."""
        from nnviz.ui import errors

        self._failures += 1
        self.edit_refused.emit(errors.report(exc, what, "the network is unchanged"))

    def _resync_index(self, index: int) -> None:
        """After a failed undo or redo from the history, move the stack's index
        back (the document did not move); done on the next event-loop turn,
        outside the stack's own undo()/redo()."""
        QTimer.singleShot(0, self, lambda: self.undo_stack.setIndex(index))

    # --------------------------------------------------------------- edits
    def value_of(self, key: Address | tuple) -> float:
        """The number at an address (a legacy tuple key is accepted too)."""
        return from_key(key).get(self._project)

    def set_value(self, addr: Address, value: object, gesture: int = 0) -> bool:
        """Set the number at ``addr`` (one undo step; a gesture > 0 merges its changes)."""
        addr = from_key(addr)
        return self._set_scalar(addr, value, edit_subject(addr), gesture)

    def _set_scalar(self, addr: Address, value: object, what: str, gesture: int) -> bool:
        try:
            addr.check(self.network.sizes)
            v = check_value(value, what)
        except EditError as e:
            self.edit_refused.emit(str(e))
            return False
        old = self.value_of(addr)
        if v == old:
            return True
        failures = self._failures
        text = f"Set {what} to {exact_number(v)}"
        self.undo_stack.push(_ScalarCommand(self, addr, old, v, text, gesture))
        return self._failures == failures

    def set_weight(self, l: int, j: int, i: int, value: object, gesture: int = 0) -> bool:  # noqa: E741
        return self.set_value(Weight(l, j, i), value, gesture)

    def set_bias(self, l: int, j: int, value: object, gesture: int = 0) -> bool:  # noqa: E741
        return self.set_value(Bias(l, j), value, gesture)

    def set_input(self, i: int, value: object, gesture: int = 0) -> bool:
        return self.set_value(Input(i), value, gesture)

    def set_target(self, k: int, value: object, gesture: int = 0) -> bool:
        return self.set_value(Target(k), value, gesture)

    def _structural(self, text: str, edit) -> bool:
        """Run ``edit(project_copy)``; push it as one undoable step if the core accepts it."""
        try:
            after = _working_copy(self._project)
            edit(after)
            after.network.validate()
            command = _SnapshotCommand(self, self._project, after, text)
        except EditError as e:
            self.edit_refused.emit(str(e))
            return False
        except Exception as exc:  # noqa: BLE001 - never into Qt (nnviz.ui.errors)
            self._report_failure(exc, f"Could not do “{text}”")
            return False
        if command.empty:
            return True
        failures = self._failures
        self.undo_stack.push(command)
        return self._failures == failures

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

    def loss_after_update(self) -> float:
        """The loss the sample would have after :meth:`apply_update` with the current
        learning rate (computed by the core engine, once per state of the document)."""
        key = (self.values_revision, self.shape_revision, self.sample_revision,
               self._learning_rate, id(self._project))  # fmt: skip
        if getattr(self, "_after_key", None) != key:
            net = self.network.copy()
            updates.apply_step(net, self.grads, self._learning_rate)
            _trace, grads = propagation.evaluate(net, self.sample.input, self.sample.target)
            self._after_key, self._after_loss = key, float(grads.loss)
        return self._after_loss

    def apply_update(self) -> bool:
        """One gradient-descent step on the sample: w ← w − η ∂L/∂w (undoable)."""
        lr = self._learning_rate
        grads = self.grads

        def edit(p: io.Project) -> None:
            updates.apply_step(p.network, grads, lr)
            for layer in p.network.layers:
                if not (np.all(np.isfinite(layer.W)) and np.all(np.isfinite(layer.b))):
                    raise EditError("the update made a weight infinite; lower the learning rate")

        return self._structural(f"Gradient step (η = {exact_number(lr)})", edit)

    def replace_project(self, project: io.Project, text: str) -> bool:
        """Everything replaced by ``project`` as one undoable step (crash recovery)."""

        def edit(p: io.Project) -> None:
            p.network, p.sample = project.network.copy(), project.sample.copy()
            p.seed, p.init = project.seed, project.init
            p.name, p.extra, p.training = project.name, project.extra, project.training

        return self._structural(text, edit)

    # --------------------------------------------------------------- files
    def load_project(self, project: io.Project, path: Path | None = None) -> None:
        """Replace everything with ``project`` (a fresh history; nothing to undo)."""
        self._project = project
        self._path = Path(path) if path is not None else None
        self._training_progress = None  # a new file starts at epoch 0
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._changed(shape=True, values=None, sample=None, clear_selection=True)
        self.file_state_changed.emit()
        self.project_loaded.emit()

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
    # weights many times a second: those changes are shown (values_changed and
    # results_changed) but are not undo steps; one "Train N epochs"
    # command is pushed when the run pauses, so one undo goes back to the weights
    # before the run.

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
        try:
            after = _working_copy(self._project)
            after.training = spec
            if network is not None:
                network.validate()
                after.network = network.copy()
            if sample is not None:
                after.sample = io.Sample(
                    np.array(sample[0], dtype=float), np.array(sample[1], dtype=float)
                )
            progress = (self._training_progress, self._training_progress)
            command = _TrainingCommand(self, self._project, after, text, progress)
        except EditError as e:
            self.edit_refused.emit(str(e))
            return False
        if command.empty:
            return True
        failures = self._failures
        self.undo_stack.push(command)
        self.training_changed.emit()
        return self._failures == failures

    @property
    def input_names(self) -> tuple[str, ...] | None:
        """How the inputs are written when they are the training's features (x₁, x₁²,
        sin x₂, …), or None (x1, x2, …): one source for the canvas, the inspector, the
        chain rule and the captions."""
        spec = self._project.training
        return features.input_names(getattr(spec, "features", None), self.network.input_size)

    @property
    def training_progress(self) -> object | None:
        """The training's progress (epoch, curves, optimiser state: an object of the
        training feature's) that goes with the weights shown. A run's undo step puts
        back the one from before the run, its redo the one after it; an edit of the
        training section keeps the one it found (undone, it puts that back)."""
        return self._training_progress

    def set_parameters_live(self, params: list[np.ndarray]) -> None:
        """Copy ``[W1, b1, W2, b2, ...]`` into the network in place and show it; no undo step.

        The arrays must have the network's shapes (the trainer's copy of it). Undo
        commands keep private copies, so changing the live arrays is safe.
        """
        k = 0
        for layer in self.network.layers:
            np.copyto(layer.W, params[k])
            np.copyto(layer.b, params[k + 1])
            k += 2
        if self.undo_stack.isClean():
            self.undo_stack.resetClean()  # trained weights are unsaved work
        with np.errstate(all="ignore"):  # a diverging run shows its inf/NaN, without warnings
            self._changed(values=None)

    def begin_live_run(self, progress: object | None = None) -> None:
        """Remember the project as it is before live changes start (and the training's
        ``progress`` then, for the undo step; None: the document's own)."""
        self._live_before = _working_copy(self._project)
        self._live_progress = progress if progress is not None else self._training_progress

    def cancel_live_run(self) -> None:
        """Forget :meth:`begin_live_run` (another file was loaded meanwhile)."""
        self._live_before = None

    def end_live_run(self, text: str, progress: object | None = None) -> bool:
        """Push one undo step from the project at :meth:`begin_live_run` to now (if it
        changed); ``progress``, the training's progress now, goes with it: undo gives
        back the progress from the run's start, redo this one."""
        before = getattr(self, "_live_before", None)
        self._live_before = None
        if before is None:
            return False
        start = getattr(self, "_live_progress", None)
        end = progress if progress is not None else self._training_progress
        command = _TrainingCommand(self, before, _working_copy(self._project), text, (start, end))
        if command.empty:
            return False
        self._training_progress = end  # the push's first redo sets it too
        self.undo_stack.push(command)
        return True


def exact_number(v: float) -> str:
    """``v`` written exactly and shortly: the shortest text that reads back as the same
    float (``12345.678``, ``1.5``, ``2``, ``1e-08``), never rounded; ``-0`` is ``0``."""
    v = float(v)
    if v == 0:
        return "0"
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


def edit_subject(addr: Address) -> str:
    """What an edit of ``addr`` changed, in words for the undo history: "the weight
    from neuron 1 of layer 0 into neuron 2 of layer 1", "the bias of neuron 1 of
    layer 2", "input x1", "target y1"."""
    if isinstance(addr, Weight):
        return (
            f"the weight from neuron {addr.i + 1} of layer {addr.l - 1} "
            f"into neuron {addr.j + 1} of layer {addr.l}"
        )
    if isinstance(addr, Bias):
        return f"the bias of neuron {addr.j + 1} of layer {addr.l}"
    return addr.label


def _differences(before: io.Project, after: io.Project) -> dict:
    """What a snapshot edit changed, as keyword arguments of ``Document._changed``."""
    a, b = before.network, after.network
    shape = (
        a.sizes != b.sizes
        or a.loss != b.loss
        or [layer.activation for layer in a.layers] != [layer.activation for layer in b.layers]
    )
    values = shape or not all(
        np.array_equal(x.W, y.W) and np.array_equal(x.b, y.b) for x, y in zip(a.layers, b.layers)
    )
    sample = not (
        np.array_equal(before.sample.input, after.sample.input)
        and np.array_equal(before.sample.target, after.sample.target)
    )
    return {
        "shape": shape,
        "values": None if values else False,
        "sample": None if sample else False,
    }
