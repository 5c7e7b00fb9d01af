"""Training: datasets through features into the network, batch by batch, epoch by epoch.

:func:`sgd_step` is one step of plain gradient descent (the same arithmetic as
the "apply update" edit, bit for bit). :class:`Trainer` runs a file's
``training`` section (:class:`nnviz.core.trainspec.TrainingSpec`):

* the dataset is generated from its seed (or given as points) and turned into
  the input matrix by the features, once;
* with ``shuffle`` the training seed shuffles the points before the split and
  the training points at the start of every epoch; without it nothing is
  shuffled (the split and the batches are in file order, the last partial
  batch included, as PyTorch's ``DataLoader(shuffle=False)``);
* the first ``round(train_fraction · count)`` points train, the rest test;
* a step is one batch: forward, backward (the batch-mean gradient), the
  optimiser's update (:mod:`nnviz.core.optim`), in place;
* at an epoch's end the train and test loss (mean over the points, with the
  epoch-end weights, without the regularisation term) and, for classification,
  the accuracies go into :attr:`Trainer.history`;
* a NaN or infinite loss stops training: :attr:`Trainer.divergence` says where,
  and :meth:`Trainer.restore_last_finite` goes back to the last weights whose
  loss was finite.

Settings of the optimiser and the batch size change between steps without a
reset (:meth:`Trainer.update_settings`); :meth:`Trainer.reset` gives the same
start weights and the same batches again.

Threading: a Trainer is used by one thread at a time. A UI that trains on a
worker thread takes :meth:`Trainer.snapshot` copies there, between steps, and
hands them to the GUI (a copy taken during a step could mix two updates); it
wraps each slice of steps in :func:`nnviz.core.threads.training_threads`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import datasets, features, optim
from .network import MAX_ABS_VALUE, Network
from .propagation import Trace, backward, forward, loss_values
from .trainspec import TrainingSpec


def sgd_step(net: Network, X: np.ndarray, Y: np.ndarray, lr: float) -> float:
    """One gradient-descent step of ``net`` on the batch ``(X, Y)``; returns the loss before it.

    ``X`` is (batch, n_in) and ``Y`` (batch, n_out), or one example each as a
    vector. The loss is the batch mean, as :func:`nnviz.core.propagation.backward`
    computes it. Weights and biases are updated in place.
    """
    trace = forward(net, X)
    grads = backward(net, trace, Y, input_grad=False)
    for l, layer in enumerate(net.layers, start=1):  # noqa: E741
        # in place, and the same numbers as ``W - lr * dL_dW``
        np.subtract(layer.W, lr * grads.dL_dW[l], out=layer.W)
        np.subtract(layer.b, lr * grads.dL_db[l], out=layer.b)
    return grads.loss


def train_step(
    net: Network,
    optimizer: optim.Optimizer,
    X: np.ndarray,
    Y: np.ndarray,
    keep: list[np.ndarray] | None = None,
) -> float:
    """One step on the batch ``(X, Y)`` with ``optimizer`` (built on ``net``'s arrays).

    ``optimizer.params`` are the network's arrays in order (W¹, b¹, W², …), or one
    flat array that every W and b is a view of (the Trainer's layout).

    Forward, backward (the batch-mean gradient), then the update in place;
    returns the loss before it. A NaN or infinite loss returns at once and
    changes nothing. ``keep`` (arrays shaped as ``optimizer.params``) receives
    the weights before the update: the last ones whose loss was finite.
    Overflow inside a diverging step is not a warning (it is what the loss reports).
    """
    with np.errstate(all="ignore"):
        trace = forward(net, X)
        grads = backward(net, trace, Y, input_grad=False)
        if not math.isfinite(grads.loss):
            return grads.loss
        if keep is not None:
            for p, k in zip(optimizer.params, keep):
                np.copyto(k, p)
        g = [a for l in range(1, net.depth + 1) for a in (grads.dL_dW[l], grads.dL_db[l])]  # noqa: E741
        if len(optimizer.params) != len(g):  # one flat array of every parameter (the Trainer's)
            g = [np.concatenate([a.ravel() for a in g])]
        optimizer.step(g)
    return grads.loss


class TrainingError(ValueError):
    """Settings that cannot train this network; the message is one sentence."""


#: the settings :meth:`Trainer.update_settings` changes without rebuilding anything
LIVE_SETTINGS = (
    "optimizer",
    "learning_rate",
    "momentum",
    "betas",
    "eps",
    "regularization",
    "regularization_rate",
    "batch_size",
)


@dataclass(frozen=True)
class EpochStats:
    """One finished epoch; accuracies None for regression, test figures None without test points."""

    epoch: int
    train_loss: float
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    #: per weighted layer (1 first), mean |∂L/∂W| and mean |∂L/∂z| over the training
    #: points with the epoch-end weights: the gradient-flow view's measures, per epoch
    mean_abs_dL_dW: tuple[float, ...] = ()
    mean_abs_dL_dz: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def finite(v: float | None) -> float | None:
            return v if v is None or math.isfinite(v) else None

        return {
            "epoch": self.epoch,
            "train_loss": finite(self.train_loss),
            "test_loss": finite(self.test_loss),
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
        }


@dataclass(frozen=True)
class Divergence:
    """Where the loss stopped being finite (or a weight left the file's limit of ±1e6)."""

    epoch: int  # the epoch it happened in (1 = the first)
    step: int  # the step within that epoch (1 = the first batch); 0 = at the epoch's end
    loss: float
    #: True when the loss was finite but a weight or bias grew beyond ±MAX_ABS_VALUE
    weights_too_large: bool = False

    @property
    def cause(self) -> str:
        """What happened and where: ``training diverged: the loss became NaN at epoch 3``."""
        where = f"step {self.step} of epoch {self.epoch}" if self.step else f"epoch {self.epoch}"
        if self.weights_too_large:
            what = f"a weight grew beyond ±{MAX_ABS_VALUE:g}"
        else:
            what = "the loss became " + ("NaN" if math.isnan(self.loss) else "infinite")
        return f"training diverged: {what} at {where}"

    @property
    def message(self) -> str:
        """The window's sentence: the cause, and what to do (its button goes back)."""
        return f"{self.cause}; go back to the last finite weights and lower the learning rate"


#: the settings a trainer's progress belongs to: progress kept under other values of
#: these (or for another shape of network) cannot be taken up again
PROGRESS_KEYS = ("dataset", "features", "train_fraction", "shuffle", "seed")


@dataclass(frozen=True, eq=False)
class Progress:
    """Where a :class:`Trainer` is, apart from its weights: the epoch and the step in
    it, the shuffle generator, the epoch's order, the history of finished epochs, the
    optimiser's state and the weights kept for going back after a divergence.

    :meth:`Trainer.progress` takes one (copies); :meth:`Trainer.restore_progress`
    puts it back, so that undoing a run gives back the epoch counter and the curves
    and training on from there repeats the same batches and the same updates.
    Compared by identity (``eq=False``): a document keeps the one it was given.
    """

    key: tuple
    sizes: tuple[int, ...]
    epoch: int
    step_in_epoch: int
    steps_done: int
    pos: int
    rng_state: dict
    order: np.ndarray
    history: tuple[EpochStats, ...]
    divergence: Divergence | None
    optimizer_kind: str
    optimizer_t: int
    optimizer_arrays: tuple[np.ndarray, ...]
    last_good: tuple[np.ndarray, ...]
    epoch_good: tuple[np.ndarray, ...]

    @property
    def nbytes(self) -> int:
        arrays = (self.order, *self.optimizer_arrays, *self.last_good, *self.epoch_good)
        return sum(a.nbytes for a in arrays) + 200 * len(self.history)


def make_dataset(spec: TrainingSpec, loss: str, n_out: int = 1) -> datasets.Dataset:
    """The spec's dataset (generated from its seed, or its points read for ``loss``, ``n_out``)."""
    d = spec.dataset
    if d.kind == "points":
        return datasets.from_points(np.array(d.points, dtype=float), loss, n_out)
    return datasets.generate(d.kind, d.count, d.noise, d.seed)


class Trainer:
    """Trains a copy of ``network`` with ``spec``; see the module docstring.

    ``init_seed`` and ``init`` are what :meth:`reset` draws fresh weights from
    (the file's ``seed`` and ``init``). The trained network is :attr:`network`.
    Raises TrainingError (one sentence) when the data, features and network do
    not fit together.
    """

    def __init__(
        self,
        network: Network,
        spec: TrainingSpec,
        *,
        init_seed: int = 0,
        init: str = "uniform",
    ) -> None:
        if len(spec.features) != network.input_size:
            raise TrainingError(
                f"{len(spec.features)} feature(s) ({', '.join(spec.features)}) but the network "
                f"has {network.input_size} input(s); they must match"
            )
        try:
            self.data = make_dataset(spec, network.loss, network.layers[-1].size)
            self.targets = datasets.targets(self.data, network.loss, network.layers[-1].size)
        except datasets.DatasetError as e:
            raise TrainingError(str(e)) from None
        self.spec = spec
        self.network = network.copy()
        self.start = network.copy()
        self.init_seed = int(init_seed)
        self.init = init
        #: the inputs of every point (features applied), in dataset order
        self.inputs = features.transform(self.data.points, spec.features)
        self.n_train = spec.n_train
        self._params: list[np.ndarray] = []
        self._last_good: list[np.ndarray] = []
        self.optimizer: optim.Optimizer
        self._restart()

    # ------------------------------------------------------------ set-up
    def _restart(self) -> None:
        """Epoch 0: the shuffle generator from the seed, the split, a fresh optimiser."""
        spec = self.spec
        self._rng = np.random.default_rng(spec.seed)
        n = self.data.count
        order = self._rng.permutation(n) if spec.shuffle else np.arange(n)
        #: indices (into the dataset) of the training and the test points
        self.train_index = order[: self.n_train]
        self.test_index = order[self.n_train :]
        self._X_train = self.inputs[self.train_index]
        self._Y_train = self.targets[self.train_index]
        self._X_test = self.inputs[self.test_index]
        self._Y_test = self.targets[self.test_index]
        # every W and b becomes a view into one flat array, so that an update (and
        # keeping the last finite weights) is a few numpy calls, not a few per layer
        layers = self.network.layers
        total = sum(layer.W.size + layer.b.size for layer in layers)
        flat, is_weight = np.empty(total), np.empty(total)
        start = 0
        for layer in layers:
            for name, weight in (("W", 1.0), ("b", 0.0)):
                a = getattr(layer, name)
                view = flat[start : start + a.size].reshape(a.shape)
                view[...] = a
                setattr(layer, name, view)
                is_weight[start : start + a.size] = weight
                start += a.size
        self._params = [flat]
        self._last_good = [flat.copy()]
        self._epoch_good = [flat.copy()]
        self.optimizer = optim.Optimizer(
            self._params,
            [is_weight],
            spec.optimizer,
            spec.learning_rate,
            spec.momentum,
            spec.betas,
            spec.eps,
            spec.regularization,
            spec.regularization_rate,
        )
        self.epoch = 0  # epochs finished
        self.step_in_epoch = 0  # batches done in the current epoch
        self.steps_done = 0
        self._order = np.arange(0)
        self._X_epoch, self._Y_epoch = self._X_train, self._Y_train
        self._pos = self.n_train  # the next step begins a new epoch
        self.history: list[EpochStats] = []
        self.divergence: Divergence | None = None

    def reset(self, reinitialise: bool = True) -> None:
        """Epoch 0: fresh weights from ``init_seed`` (or the start weights), the same batches."""
        if reinitialise:
            self.network.reinitialise(self.init_seed, self.init)
        else:
            self.network = self.start.copy()
        self._restart()

    def update_settings(self, **changes: Any) -> None:
        """Change optimiser settings or the batch size between steps, without a reset.

        The keys are :data:`LIVE_SETTINGS` with a TrainingSpec's value types; the
        change is checked as a file's would be (FileFormatError) and takes effect
        at the next step. The new spec is :attr:`spec`.
        """
        unknown = sorted(set(changes) - set(LIVE_SETTINGS))
        if unknown:
            raise TrainingError(
                f"{unknown[0]} cannot change while training; build a new trainer for it"
            )
        if "betas" in changes:
            changes["betas"] = tuple(changes["betas"])
        spec = self.spec.with_changes(**changes)
        self.spec = spec
        opt = self.optimizer
        opt.kind = spec.optimizer
        opt.learning_rate = spec.learning_rate
        opt.momentum = spec.momentum
        opt.betas = spec.betas
        opt.eps = spec.eps
        opt.regularization = spec.regularization
        opt.regularization_rate = spec.regularization_rate

    # ---------------------------------------------------------- training
    @property
    def diverged(self) -> bool:
        return self.divergence is not None

    @property
    def batches_per_epoch(self) -> int:
        return -(-self.n_train // self.spec.batch_size)

    def step(self) -> EpochStats | None:
        """One batch; returns the epoch's stats when this step finished an epoch.

        Does nothing (returns None) once training has diverged, until
        :meth:`restore_last_finite` or :meth:`reset`.
        """
        if self.divergence is not None:
            return None
        if self._pos >= self.n_train:
            n = self.n_train
            if self.spec.shuffle:  # the epoch's order, gathered once: batches are slices
                self._order = self._rng.permutation(n)
                self._X_epoch = self._X_train[self._order]
                self._Y_epoch = self._Y_train[self._order]
            else:
                self._order = np.arange(n)
                self._X_epoch, self._Y_epoch = self._X_train, self._Y_train
            self._pos = 0
            self.step_in_epoch = 0
        start = self._pos
        self._pos += self.spec.batch_size
        self.step_in_epoch += 1
        loss = train_step(
            self.network,
            self.optimizer,
            self._X_epoch[start : self._pos],
            self._Y_epoch[start : self._pos],
            self._last_good,
        )
        if not math.isfinite(loss):
            self.divergence = Divergence(self.epoch + 1, self.step_in_epoch, loss)
            return None
        self.steps_done += 1
        if self._pos < self.n_train:
            return None
        return self._end_epoch()

    def _end_epoch(self) -> EpochStats | None:
        self.epoch += 1
        with np.errstate(all="ignore"):
            trace = forward(self.network, self._X_train)
            grads = backward(self.network, trace, self._Y_train, input_grad=False)
        train_loss = grads.loss
        train_acc = self._accuracy(trace.output, self._Y_train)
        if not math.isfinite(train_loss):
            self.divergence = Divergence(self.epoch, 0, train_loss)
            return None
        if _too_large(self._params):  # finite, but no longer a network a file can hold
            self.divergence = Divergence(self.epoch, 0, train_loss, weights_too_large=True)
            return None
        for p, keep in zip(self._params, self._epoch_good):
            np.copyto(keep, p)
        if self.test_index.size:
            test_loss, test_acc = self.evaluate(self._X_test, self._Y_test)
        else:
            test_loss, test_acc = None, None
        layers = range(1, self.network.depth + 1)
        stats = EpochStats(
            self.epoch,
            train_loss,
            test_loss,
            train_acc,
            test_acc,
            tuple(float(np.mean(np.abs(grads.dL_dW[l]))) for l in layers),  # noqa: E741
            tuple(float(np.mean(np.abs(grads.dL_dz[l]))) for l in layers),  # noqa: E741
        )
        self.history.append(stats)
        return stats

    def run_epoch(self) -> EpochStats | None:
        """Steps until the current epoch ends; its stats, or None if training diverged."""
        while True:
            stats = self.step()
            if stats is not None or self.divergence is not None:
                return stats

    def train(self, epochs: int) -> list[EpochStats]:
        """Up to ``epochs`` more epochs (fewer if it diverges); their stats."""
        out = []
        for _ in range(epochs):
            stats = self.run_epoch()
            if stats is None:
                break
            out.append(stats)
        return out

    def restore_last_finite(self) -> None:
        """After divergence: the last weights whose loss was finite, a fresh optimiser state.

        Those are the weights before the step that diverged, or, if they are
        already beyond the limit of ±1e6, the weights at the last epoch's end.
        """
        good = self._epoch_good if _too_large(self._last_good) else self._last_good
        for p, keep in zip(self._params, good):
            np.copyto(p, keep)
        self.optimizer.reset()
        self.divergence = None
        self._pos = self.n_train  # the next step starts a new epoch

    # ---------------------------------------------------------- progress
    def progress_key(self) -> tuple:
        """What a :class:`Progress` must share with this trainer to be taken up by it."""
        return tuple(getattr(self.spec, k) for k in PROGRESS_KEYS) + (
            self.network.loss,
            tuple(layer.activation for layer in self.network.layers),
        )

    def progress(self) -> Progress:
        """Where training is (everything but the weights), as a copy."""
        opt = self.optimizer
        return Progress(
            key=self.progress_key(),
            sizes=tuple(self.network.sizes),
            epoch=self.epoch,
            step_in_epoch=self.step_in_epoch,
            steps_done=self.steps_done,
            pos=self._pos,
            rng_state=copy.deepcopy(self._rng.bit_generator.state),
            order=self._order.copy(),
            history=tuple(self.history),
            divergence=self.divergence,
            optimizer_kind=opt._state_kind,
            optimizer_t=opt.t,
            optimizer_arrays=tuple(a.copy() for a in opt.state()),
            last_good=tuple(a.copy() for a in self._last_good),
            epoch_good=tuple(a.copy() for a in self._epoch_good),
        )

    def fits(self, progress: Progress) -> bool:
        """Whether ``progress`` was taken from a trainer of this data, split and shape."""
        return progress.key == self.progress_key() and progress.sizes == tuple(self.network.sizes)

    def restore_progress(self, progress: Progress) -> None:
        """Be where ``progress`` was (the weights stay as they are: they are the
        document's). TrainingError when it does not :meth:`fit` this trainer."""
        if not self.fits(progress):
            raise TrainingError("that training progress belongs to other data or another network")
        self.epoch = progress.epoch
        self.step_in_epoch = progress.step_in_epoch
        self.steps_done = progress.steps_done
        self._rng.bit_generator.state = copy.deepcopy(progress.rng_state)
        self._order = progress.order.copy()
        self._pos = progress.pos
        if self._order.size == self.n_train:
            self._X_epoch = self._X_train[self._order]
            self._Y_epoch = self._Y_train[self._order]
        else:  # no epoch begun yet: the next step begins one
            self._X_epoch, self._Y_epoch = self._X_train, self._Y_train
            self._pos = self.n_train
        self.history = list(progress.history)
        self.divergence = progress.divergence
        opt = self.optimizer
        opt.kind = progress.optimizer_kind  # the state's own kind, then the spec's
        opt._reset_state()
        for mine, saved in zip(opt.state(), progress.optimizer_arrays):
            np.copyto(mine, saved)
        opt.t = progress.optimizer_t
        opt.kind = self.spec.optimizer  # another kind now: its state starts afresh
        for mine, saved in zip(self._last_good, progress.last_good):
            np.copyto(mine, saved)
        for mine, saved in zip(self._epoch_good, progress.epoch_good):
            np.copyto(mine, saved)

    # -------------------------------------------------------- evaluation
    def evaluate(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float | None]:
        """Mean loss (no regularisation) and accuracy (None for regression) on ``(X, Y)``."""
        with np.errstate(all="ignore"):
            trace = forward(self.network, X)
            loss = float(np.mean(loss_values(self.network, trace, Y)))
        return loss, self._accuracy(trace.output, Y)

    def _accuracy(self, output: np.ndarray, Y: np.ndarray) -> float | None:
        if self.data.is_regression:
            return None
        pred = datasets.predicted_classes(output, self.network.loss)
        truth = datasets.predicted_classes(Y, self.network.loss)
        return float(np.mean(pred == truth))

    def confusion(self, which: str = "test") -> np.ndarray:
        """Counts ``[true class, predicted class]`` on the ``"train"`` or ``"test"`` points.

        Classification only (ValueError for regression); classes × classes.
        """
        if self.data.is_regression:
            raise ValueError("a regression dataset has no classes to confuse")
        X, Y = (self._X_train, self._Y_train) if which == "train" else (self._X_test, self._Y_test)
        k = max(self.data.classes or 2, Y.shape[1])
        if not len(X):
            return np.zeros((k, k), dtype=np.intp)
        loss = self.network.loss
        pred = datasets.predicted_classes(forward(self.network, X).output, loss)
        truth = datasets.predicted_classes(Y, loss)
        out = np.zeros((k, k), dtype=np.intp)
        np.add.at(out, (truth, pred), 1)
        return out

    def point_rows(self) -> np.ndarray:
        """The dataset as ``(x1, x2, label)`` rows, labels as the loss writes them.

        For clicked points: add or remove rows, then
        ``spec.with_changes(dataset=trainspec.points_dataset(rows))`` and a new Trainer.
        """
        labels = datasets.labels_for(self.data, self.network.loss)
        return np.column_stack([self.data.points, labels])

    def predict(self, points: np.ndarray) -> np.ndarray:
        """The network's output for points ``(n, 2)`` of the plane (features applied)."""
        return forward(self.network, features.transform(points, self.spec.features)).output

    def grid(self, n: int = 100, extent: float = 6.0) -> tuple[np.ndarray, Trace]:
        """A ``n × n`` grid over ±extent (row-major, x1 fastest) and its forward trace.

        ``trace.a[l][:, j].reshape(n, n)`` is neuron j of layer l over the plane:
        the decision boundary (the output) and every hidden neuron's map.
        """
        ticks = np.linspace(-extent, extent, n)
        xx, yy = np.meshgrid(ticks, ticks)
        points = np.column_stack([xx.ravel(), yy.ravel()])
        with np.errstate(all="ignore"):
            trace = forward(self.network, features.transform(points, self.spec.features))
        return points, trace

    def snapshot(self) -> Network:
        """A copy of the network as it is now (for a view on another thread)."""
        return self.network.copy()


def _too_large(arrays: list[np.ndarray]) -> bool:
    """Whether any value is NaN, infinite or beyond ±MAX_ABS_VALUE (the file's limit)."""
    with np.errstate(invalid="ignore"):
        return not all(np.all(np.abs(a) <= MAX_ABS_VALUE) for a in arrays)
