"""The training controller: runs the core Trainer in time slices and shows the latest weights.

Training runs on the GUI thread in *slices* driven by one QTimer. A slice steps
the :class:`nnviz.core.training.Trainer` until its quota (one step, one epoch,
ten epochs: the speed) is done or its time budget (:data:`SLICE_BUDGET_S`) is
spent, whichever comes first, so the event loop never waits for more than the
budget plus one step. The display is decoupled: the document gets the latest
weights at most once per frame (:data:`FRAME_S`), through
:meth:`Document.set_parameters_live`, which is not an undo step; when a run
pauses one undo step "Train N epochs" is pushed (:meth:`Document.end_live_run`).

The document stays the one source of truth for what is shown: an edit the user
makes while paused (a weight, Apply update, undo) is copied into the trainer,
which keeps its optimiser state and epoch; a change of shape (a layer, features)
or of the data builds a new trainer from the document's weights.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from nnviz.core import datasets, features, io, training_view, trainspec
from nnviz.core.threads import training_threads
from nnviz.core.training import (
    LIVE_SETTINGS,
    Divergence,
    EpochStats,
    Progress,
    Trainer,
    TrainingError,
)
from nnviz.core.trainspec import DatasetSpec, TrainingSpec

#: a frame of the display (60 per second)
FRAME_S = 1 / 60
#: the timer's interval at the speeds that train per frame, whole milliseconds (Qt's
#: timers count no finer): 16, not 17, which would cap the display at 58.8 frames a
#: second, below a 60 Hz screen's
FRAME_MS = math.floor(FRAME_S * 1000)
#: a slice trains at most this long before the event loop runs again
SLICE_BUDGET_S = 0.012
#: the output's heatmap: 100 × 100 cells, unless that is more than BOUNDARY_WORK
#: multiply-adds (then fewer cells, at least BOUNDARY_MIN a side)
BOUNDARY_MAX, BOUNDARY_MIN, BOUNDARY_WORK = 100, 40, 3e8

#: (label, steps per slice, epochs per slice; 0 = no limit but the time budget)
SPEEDS: tuple[tuple[str, int, int], ...] = (
    ("1 step per frame", 1, 0),
    ("1 epoch per frame", 0, 1),
    ("10 epochs per frame", 0, 10),
    ("As fast as possible", 0, 0),
)
DEFAULT_SPEED = 1


@dataclass
class SliceResult:
    steps: int
    epochs: list[EpochStats]
    seconds: float


def default_spec(input_size: int, output_size: int, loss: str) -> TrainingSpec:
    """TFP's defaults for a network without a training section, or TrainingError."""
    if not 1 <= input_size <= len(features.NAMES):
        raise TrainingError(
            f"training on the plane needs 1 to {len(features.NAMES)} inputs (features), "
            f"this network has {input_size}"
        )
    if loss == "cross_entropy" or output_size >= 3:
        kind = "three-class"
    else:
        kind = "circle"
    return TrainingSpec(dataset=DatasetSpec(kind=kind), features=features.NAMES[:input_size])


def in_words(sentence: str) -> str:
    """A settings sentence for the window, not the file: "training, learning_rate: …"
    (where a file's field is named) becomes "learning rate: …"."""
    m = re.match(r"training, ((?:[a-z_]+, )*[a-z_]+): (.*)", sentence, re.S)
    if m is None:
        return sentence
    return f"{m.group(1).replace(', ', ' ').replace('_', ' ')}: {m.group(2)}"


class TrainingController(QObject):
    """Owns the trainer for the document's network and the timer that runs it."""

    #: playing, paused, a new trainer, a divergence: the controls refresh
    state_changed = Signal()
    #: the latest weights were given to the document (plots redraw now)
    shown = Signal()
    #: training diverged: the Divergence
    diverged = Signal(object)
    #: a sentence for the user; True when it is an error
    message = Signal(str, bool)

    def __init__(self, document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingController")
        self.document = document
        self._trainer: Trainer | None = None
        self._trainer_error = ""
        self.playing = False
        self._speed = DEFAULT_SPEED
        self._stop_at = 0
        self._publishing = False
        self._run_start_epoch = 0
        self._run_start_steps = 0
        self._last_frame = 0.0
        self._threads: contextlib.ExitStack | None = None
        #: the point of the plane the sample is (or None when unknown)
        self.sample_point: np.ndarray | None = None
        #: the dataset index of the sample point (or None)
        self.sample_index: int | None = None
        #: how long each slice trained (seconds), the last few hundred (bench, tests)
        self.slice_seconds: list[float] = []
        self.clock: Callable[[], float] = time.perf_counter
        #: counts the document's network changes (the plane's values are cached on it)
        self.revision = 0
        self._plane: dict[int, tuple] = {}
        #: the document's training progress the trainer is at (None: its own, unshared)
        self._adopted: Progress | None = None
        self._adopted_steps = -1  # the trainer's steps_done when it was at _adopted
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._on_tick)
        document.results_changed.connect(self._on_network_changed)
        document.training_changed.connect(self._on_training_changed)
        document.display_changed.connect(self._on_display_changed)
        self._derive_sample_point()

    # ------------------------------------------------- settings held here
    # The controller is the one source of truth for the speed and the stop epoch,
    # the document's training section for everything else: a control shows them and
    # follows a change made from code (``state_changed``; ``training_changed``).
    @property
    def speed(self) -> int:
        """Which of :data:`SPEEDS` a run uses (an index)."""
        return self._speed

    @speed.setter
    def speed(self, index: int) -> None:
        self.set_speed(index)

    @property
    def stop_at(self) -> int:
        """Pause when the epoch counter reaches this (0: never)."""
        return self._stop_at

    @stop_at.setter
    def stop_at(self, epoch: int) -> None:
        epoch = max(0, int(epoch))
        if epoch != self._stop_at:
            self._stop_at = epoch
            self.state_changed.emit()

    def _on_display_changed(self, name: str) -> None:
        """One η: the inspector's learning rate (Apply update's) is the training's too."""
        spec = self.document.training_spec
        lr = self.document.learning_rate
        if name == "learning_rate" and spec is not None and lr != spec.learning_rate:
            self.change_settings(learning_rate=lr)

    # ------------------------------------------------------------ the spec
    @property
    def spec(self) -> TrainingSpec | None:
        """The document's training settings, or defaults for its network (None if impossible)."""
        spec = self.document.training_spec
        if spec is not None:
            return spec
        net = self.document.network
        try:
            return default_spec(net.input_size, net.layers[-1].size, net.loss)
        except TrainingError:
            return None

    def change_settings(self, **changes) -> bool:
        """Change training settings (checked as a file's; a bad value: one sentence, no change)."""
        spec = self.spec
        if spec is None:
            self.message.emit(self.trainer_error or "this network cannot train on the plane", True)
            return False
        try:
            new = spec.with_changes(**changes)
        except (io.FileFormatError, TypeError, ValueError) as e:
            self.message.emit(in_words(str(e)), True)
            return False
        self.document.set_training_spec(new)
        if "learning_rate" in changes and new.learning_rate <= 100:
            # Apply update on the sample uses the panel's rate too
            self.document.set_learning_rate(new.learning_rate)
        return True

    def change_dataset(self, undo_text: str = "", **changes) -> bool:
        """Change the dataset (kind, count, noise, seed, points); undoable with ``undo_text``."""
        spec = self.spec
        if spec is None:
            return self.change_settings()
        from dataclasses import replace

        try:
            if "points" in changes:
                ds = trainspec.points_dataset(
                    changes["points"], spec.dataset.noise, spec.dataset.seed
                )
            else:
                if changes.get("kind", spec.dataset.kind) != "points":
                    changes.setdefault("points", ())
                ds = replace(spec.dataset, **changes)
            new = spec.with_changes(dataset=ds)
            Trainer(self.document.network, new)  # the data must fit the network
        except (io.FileFormatError, TrainingError, TypeError, ValueError) as e:
            self.message.emit(in_words(str(e)), True)
            return False
        if undo_text:
            self.document.edit_training(undo_text, new)
        else:
            self.document.set_training_spec(new)
        return True

    def set_features(self, names: list[str]) -> bool:
        """New input features: the input layer follows them (one undo step)."""
        spec = self.spec
        if spec is None:
            return self.change_settings()
        try:
            names = list(features.check(names))
        except ValueError as e:
            self.message.emit(str(e), True)
            return False
        if tuple(names) == spec.features:
            return True
        self.pause()
        doc = self.document
        rng = np.random.default_rng([doc.project.seed, doc.undo_stack.index(), 7])
        try:
            net = training_view.remap_inputs(doc.network, spec.features, names, rng)
            new = spec.with_changes(features=tuple(names))
        except (ValueError, io.FileFormatError) as e:
            self.message.emit(str(e), True)
            return False
        point = self.sample_point if self.sample_point is not None else np.zeros(2)
        x = features.transform(point.reshape(1, 2), names)[0]
        return doc.edit_training(
            "Input features: " + ", ".join(features.LABELS.get(n, n) for n in names),
            new,
            network=net,
            sample=(x, doc.sample.target.copy()),
        )

    # ------------------------------------------------------------ trainer
    @property
    def trainer_error(self) -> str:
        self.trainer  # noqa: B018 - builds it and its error
        return self._trainer_error

    @property
    def trainer(self) -> Trainer | None:
        """The trainer for the document's network and settings (built when first needed)."""
        if self._trainer is None:
            spec = self.spec
            if spec is None:
                net = self.document.network
                try:
                    default_spec(net.input_size, net.layers[-1].size, net.loss)
                except TrainingError as e:
                    self._trainer_error = str(e)
                return None
            p = self.document.project
            try:
                self._trainer = Trainer(p.network, spec, init_seed=p.seed, init=p.init)
                self._trainer_error = ""
            except TrainingError as e:
                self._trainer_error = str(e)
                return None
            self._adopted, self._adopted_steps = None, -1
            self._take_up_progress()
            self._derive_sample_point()
        return self._trainer

    # ------------------------------------------------------------ progress
    # The epoch counter, the curves and the optimiser's state go with the weights
    # into the undo history: a run's undo step carries the trainer's Progress from
    # before and after it (Document.begin_live_run / end_live_run), and an undo or
    # redo hands the document's progress back to the trainer here.
    def _progress_now(self) -> Progress | None:
        """The trainer's progress as a shared object (the same one while it has not
        trained since, so consecutive runs keep one copy between them)."""
        tr = self._trainer
        if tr is None:
            return None
        if self._adopted is not None and self._adopted_steps == tr.steps_done:
            if self._adopted.divergence is tr.divergence and self._adopted.epoch == tr.epoch:
                return self._adopted
        p = tr.progress()
        self._adopted, self._adopted_steps = p, tr.steps_done
        return p

    def _take_up_progress(self) -> bool:
        """Bring the trainer to the document's progress if it is another one that fits
        (an undo or redo of a run); True if it did."""
        tr = self._trainer
        p = self.document.training_progress
        if tr is None or p is None or p is self._adopted or not isinstance(p, Progress):
            return False
        if not tr.fits(p):
            return False
        tr.restore_progress(p)
        self._adopted, self._adopted_steps = p, tr.steps_done
        return True

    def _drop_trainer(self) -> None:
        if self.playing:
            self.pause()
        self._trainer = None
        self._adopted, self._adopted_steps = None, -1
        self.state_changed.emit()

    @property
    def publishing(self) -> bool:
        """True while the document is being given the trainer's weights (views may skip
        work that only an edit needs)."""
        return self._publishing

    def plane_values(self, n: int) -> list[np.ndarray] | None:
        """Every layer's values over an ``n × n`` grid of the plane for the document's
        network (cached until it changes), or None when its inputs are not the features."""
        spec = self.spec
        net = self.document.network
        if spec is None or len(spec.features) != net.input_size:
            return None
        key = (self.revision, spec.features)
        cached = self._plane.get(n)
        if cached is None or cached[0] != key:
            cached = self._plane[n] = (key, training_view.neuron_values(net, spec.features, n))
        return cached[1]

    def cached_plane_values(self, n: int) -> list[np.ndarray] | None:
        """:meth:`plane_values` if they are computed for the network as it is now, else None."""
        cached = self._plane.get(n)
        spec = self.spec
        if cached is None or spec is None or cached[0] != (self.revision, spec.features):
            return None
        return cached[1]

    def boundary_size(self) -> int:
        """Cells per side of the output's heatmap: 100, fewer only for a big network
        (its 10,000-point forward pass would cost more than a few frames)."""
        edges = self.document.network.n_edges
        return max(BOUNDARY_MIN, min(BOUNDARY_MAX, int(math.sqrt(BOUNDARY_WORK / edges))))

    def _on_network_changed(self, _change=None) -> None:
        self.revision += 1
        if self._publishing:
            return
        if self.playing and self.document.undo_stack.count() == 0:
            # another file (or a fresh history) while a run plays: the run ends, and its
            # start belongs to the old file, so it is no undo step of the new one
            self.abort_run()
        tr = self._trainer
        if tr is None:
            self._derive_sample_point()
            self.state_changed.emit()
            return
        if self.spec != tr.spec:  # undo/redo of a data or feature edit brings its settings
            self._on_training_changed()
            tr = self._trainer
            if tr is None:
                return
        net = self.document.network
        same_shape = (
            net.sizes == tr.network.sizes
            and net.loss == tr.network.loss
            and all(a.activation == b.activation for a, b in zip(net.layers, tr.network.layers))
        )
        if not same_shape:
            self._drop_trainer()
            return
        # an edit while paused (or undo): the trainer continues from the document's weights
        for mine, theirs in zip(tr.network.layers, net.layers):
            np.copyto(mine.W, theirs.W)
            np.copyto(mine.b, theirs.b)
        p = self.document.training_progress
        if p is not None and p is not self._adopted and self.playing:
            # a run's undo or redo from the history while another run plays: that run
            # ends without a step of its own (Edit ▸ Undo pauses first: see the feature)
            self.abort_run(keep_trainer=True)
        if self._take_up_progress():
            self.state_changed.emit()  # the counter and the curves of that moment
        self._derive_sample_point()

    def _on_training_changed(self) -> None:
        tr = self._trainer
        spec = self.spec
        if tr is None or spec is None:
            self._drop_trainer()
            return
        if spec == tr.spec:
            return
        old = tr.spec
        live = {k: getattr(spec, k) for k in LIVE_SETTINGS if getattr(spec, k) != getattr(old, k)}
        rest_same = all(
            getattr(spec, f) == getattr(old, f)
            for f in ("dataset", "features", "train_fraction", "shuffle", "seed")
        )
        if rest_same:
            tr.update_settings(**live)
            self.state_changed.emit()
        else:
            self._drop_trainer()

    # ------------------------------------------------------------ the run
    def play(self) -> bool:
        tr = self.trainer
        if tr is None:
            self.message.emit(self._trainer_error or "this network cannot train", True)
            return False
        if self.playing:
            return True
        if tr.diverged:
            self.message.emit(tr.divergence.message, True)
            return False
        if self.stop_at and tr.epoch >= self.stop_at:
            self._stop_at = 0  # a new run past the old limit (state_changed follows)
        self._begin_run()
        self.playing = True
        self._last_frame = 0.0
        self._apply_speed()
        self.state_changed.emit()
        return True

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self.timer.stop()
        self._publish()
        self._end_run()
        self.state_changed.emit()

    def abort_run(self, keep_trainer: bool = False) -> None:
        """Stop a run without showing its weights or leaving an undo step; a new trainer
        is built for the document's network when needed (``keep_trainer``: the trainer
        stays, to be given the document's weights and progress)."""
        if not self.playing:
            return
        self.playing = False
        self.timer.stop()
        if self._threads is not None:
            self._threads.close()
            self._threads = None
        self.document.cancel_live_run()
        if not keep_trainer:
            self._trainer = None
            self._adopted, self._adopted_steps = None, -1
        self.state_changed.emit()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, index: int) -> None:
        speed = max(0, min(len(SPEEDS) - 1, int(index)))
        if speed == self._speed:
            return
        self._speed = speed
        if self.playing:
            self._apply_speed()
        self.state_changed.emit()

    def _apply_speed(self) -> None:
        _, steps, epochs = SPEEDS[self.speed]
        # as fast as possible: a slice whenever the event loop is free; else one per frame
        self.timer.start(0 if steps == 0 and epochs == 0 else FRAME_MS)

    def _begin_run(self) -> None:
        tr = self._trainer
        self._run_start_epoch = tr.epoch if tr else 0
        self._run_start_steps = tr.steps_done if tr else 0
        if self.document.training_spec is None and self.spec is not None:
            self.document.set_training_spec(self.spec)  # the file keeps what was trained with
        self.document.begin_live_run(self._progress_now())
        self._threads = contextlib.ExitStack()
        self._threads.enter_context(training_threads())

    def _end_run(self) -> None:
        if self._threads is not None:
            self._threads.close()
            self._threads = None
        tr = self._trainer
        if tr is None:
            self.document.end_live_run("Train")
            return
        epochs = tr.epoch - self._run_start_epoch
        steps = tr.steps_done - self._run_start_steps
        if epochs >= 1:
            text = f"Train {epochs} epoch" + ("s" if epochs != 1 else "")
        else:
            text = f"Train {steps} step" + ("s" if steps != 1 else "")
        self.document.end_live_run(text, self._progress_now())

    def step_once(self) -> None:
        """One batch, then show it (paused; one undo step)."""
        self._single(steps=1, epochs=0)

    def epoch_once(self) -> None:
        """Until the current epoch ends, then show it (paused; one undo step)."""
        self._single(steps=0, epochs=1)

    def _single(self, steps: int, epochs: int) -> None:
        self.pause()
        tr = self.trainer
        if tr is None:
            self.message.emit(self._trainer_error or "this network cannot train", True)
            return
        if tr.diverged:
            self.message.emit(tr.divergence.message, True)
            return
        self._begin_run()
        self.run_slice(steps, epochs, budget=math.inf)
        self._publish()
        self._end_run()
        self._check_divergence()
        self.state_changed.emit()

    def run_slice(self, max_steps: int, max_epochs: int, budget: float) -> SliceResult:
        """Train until ``max_steps`` steps or ``max_epochs`` epochs (0 = no such limit) are done,
        training diverges, the stop epoch is reached, or ``budget`` seconds have passed.

        The clock is read after every step: a slice overruns its budget by at
        most one step. Without any limit it does one step.
        """
        tr = self._trainer
        t0 = self.clock()
        done: list[EpochStats] = []
        steps = 0
        if tr is None:
            return SliceResult(0, done, 0.0)
        while True:
            stats = tr.step()
            if tr.diverged:
                break
            steps += 1
            if stats is not None:
                done.append(stats)
                if self.stop_at and tr.epoch >= self.stop_at:
                    break
                if max_epochs and len(done) >= max_epochs:
                    break
            if max_steps and steps >= max_steps:
                break
            if self.clock() - t0 >= budget:
                break
        seconds = self.clock() - t0
        self.slice_seconds.append(seconds)
        del self.slice_seconds[:-500]
        return SliceResult(steps, done, seconds)

    def _on_tick(self) -> None:
        tr = self._trainer
        if tr is None or not self.playing:
            self.pause()
            return
        _, steps, epochs = SPEEDS[self.speed]
        self.run_slice(steps, epochs, SLICE_BUDGET_S)
        now = self.clock()
        stop = bool(self.stop_at and tr.epoch >= self.stop_at)
        if steps or epochs or now - self._last_frame >= FRAME_S or stop or tr.diverged:
            self._last_frame = now
            self._publish()
        if tr.diverged:
            self.pause()
            self._check_divergence()
        elif stop:
            self.pause()
            self.message.emit(f"Stopped after epoch {tr.epoch}.", False)

    def _check_divergence(self) -> None:
        tr = self._trainer
        if tr is not None and tr.divergence is not None:
            self.message.emit(tr.divergence.message, True)
            self.diverged.emit(tr.divergence)
            self.state_changed.emit()

    def _publish(self) -> None:
        """Give the document the trainer's weights (no undo step); views redraw."""
        tr = self._trainer
        if tr is None:
            return
        shapes = [layer.W.shape for layer in tr.network.layers]
        if shapes != [layer.W.shape for layer in self.document.network.layers]:
            return  # the document holds another network now (a file was opened)
        if not tr.diverged:
            self._publishing = True
            try:
                self.document.set_parameters_live(
                    [a for layer in tr.network.layers for a in (layer.W, layer.b)]
                )
            finally:
                self._publishing = False
        self.shown.emit()

    @property
    def grad_history(self) -> list[tuple[float, ...]]:
        """Per finished epoch: mean |∂L/∂W| of each layer (the trainer's, at the epoch's end)."""
        tr = self._trainer
        return [h.mean_abs_dL_dW for h in tr.history] if tr is not None else []

    # ------------------------------------------------------------ actions
    @property
    def divergence(self) -> Divergence | None:
        tr = self._trainer
        return tr.divergence if tr is not None else None

    def restore_last_finite(self) -> None:
        """After divergence: back to the last weights whose loss was finite (one undo step)."""
        tr = self._trainer
        if tr is None or tr.divergence is None:
            return
        self.document.begin_live_run(self._progress_now())
        tr.restore_last_finite()
        self._publish()
        self.document.end_live_run("Back to the last finite weights", self._progress_now())
        self.message.emit("Back to the last finite weights; lower the learning rate.", False)
        self.state_changed.emit()

    def reset(self) -> None:
        """Epoch 0: start weights drawn from the file's seed, the same batches (one undo step)."""
        self.pause()
        tr = self.trainer
        if tr is None:
            self.message.emit(self._trainer_error or "this network cannot train", True)
            return
        self.document.begin_live_run(self._progress_now())
        tr.reset()
        self._publish()
        self.document.end_live_run("Reset training", self._progress_now())
        self.state_changed.emit()

    # ------------------------------------------------------------ samples
    def _derive_sample_point(self) -> None:
        """Where the document's sample lies on the plane, when its inputs say so."""
        spec = self.spec
        if spec is None:
            self.sample_point = None
            return
        x = self.document.sample.input
        names = list(spec.features)
        if "x1" in names and "x2" in names and len(x) == len(names):
            p = np.array([x[names.index("x1")], x[names.index("x2")]])
            if self.sample_point is None or not np.array_equal(p, self.sample_point):
                self.sample_point = p
                self.sample_index = None

    def select_point(self, index: int) -> bool:
        """Data point ``index`` (into the dataset) becomes the document's sample (undoable)."""
        tr = self.trainer
        if tr is None:
            return False
        data = tr.data
        if not 0 <= index < data.count:
            return False
        net = self.document.network
        try:
            x, y = training_view.point_sample(
                data.points[index],
                data.labels[index],
                data,
                tr.spec.features,
                net.loss,
                net.layers[-1].size,
            )
        except datasets.DatasetError as e:
            self.message.emit(str(e), True)
            return False
        self.sample_point = data.points[index].copy()
        self.sample_index = index
        where = "test" if index in set(tr.test_index.tolist()) else "training"
        ok = self.document.edit_training(
            f"Sample: {where} point {index + 1}",
            self.document.training_spec or tr.spec,
            sample=(x, y),
        )
        self.sample_index = index
        self.state_changed.emit()
        return ok

    def data_rows(self) -> np.ndarray:
        """The dataset as ``(x1, x2, label)`` rows, labels written for the network's loss."""
        tr = self.trainer
        return tr.point_rows() if tr is not None else np.zeros((0, 3))

    def class_label(self, cls: int) -> float:
        """How class ``cls`` (0, 1, 2) is written as a label for the network's loss."""
        loss = self.document.network.loss
        if loss in ("bce", "cross_entropy") or self.document.network.layers[-1].size > 1:
            return float(cls)
        return 1.0 if cls == 1 else -1.0

    def add_point(self, point: tuple[float, float], cls: int) -> bool:
        """Add a point of class ``cls`` (the dataset becomes a list of points; undoable)."""
        rows = self.data_rows()
        row = np.array([[point[0], point[1], self.class_label(cls)]])
        return self.change_dataset(
            f"Add a point at ({point[0]:.2f}, {point[1]:.2f})", points=np.vstack([rows, row])
        )

    def remove_point(self, index: int) -> bool:
        rows = self.data_rows()
        if not 0 <= index < len(rows) or len(rows) <= 2:
            self.message.emit("a dataset keeps at least two points", True)
            return False
        return self.change_dataset(f"Remove point {index + 1}", points=np.delete(rows, index, 0))
