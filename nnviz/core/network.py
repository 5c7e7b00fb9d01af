"""The network: an input size and a list of dense layers, with validated edits.

Layer numbering follows the lesson: layer 0 is the input (a size only) and
layer ``l >= 1`` is ``net.layers[l - 1]``, with ``W`` of shape ``(n_out, n_in)``
(row j holds the weights into neuron j, as PyTorch's ``Linear.weight``),
``b`` of shape ``(n_out,)`` and an activation name.

Every edit checks its arguments first and raises :class:`EditError` with one
sentence before it changes anything, so a refused edit leaves the network as
it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import activations, losses
from .messages import quote

#: limits on the shape of a network (and of a network file)
MAX_LAYER_SIZE = 1024
MAX_WEIGHTED_LAYERS = 33  # up to 32 hidden layers and the output layer
MAX_EDGES = 2_000_000
#: limit on any weight, bias, input or target value
MAX_ABS_VALUE = 1e6
#: limit on the seed (numpy takes any integer; the file and the settings hold 64 bits)
MAX_SEED = 2**63 - 1

INIT_SCHEMES = ("uniform", "xavier", "he")


class EditError(ValueError):
    """An edit that cannot be made; the message is one sentence for the user."""


def check_seed(seed: object) -> int:
    """``seed`` as an int if it is a whole number from 0 to 2⁶³ − 1, else EditError."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise EditError(f"the seed must be a whole number from 0 to {MAX_SEED}, not {quote(seed)}")
    n = int(seed)
    if not 0 <= n <= MAX_SEED:
        shown = n if abs(n) < 10**20 else "a number that large"
        raise EditError(f"the seed must be from 0 to {MAX_SEED} (2⁶³ − 1), not {shown}")
    return n


def check_value(value: object, what: str) -> float:
    """``value`` as a float if it is a finite number within the limits, else EditError."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise EditError(f"{what} must be a number, not {quote(value)}")
    try:
        v = float(value)
    except OverflowError:  # an integer such as 10**400: more than a float can hold
        raise EditError(
            f"{what} is too large (beyond ±{MAX_ABS_VALUE:g}, the limit for any value)"
        ) from None
    if not math.isfinite(v):
        raise EditError(f"{what} must be a finite number, not {v}")
    if abs(v) > MAX_ABS_VALUE:
        raise EditError(f"{what} is {v:g}, beyond the limit of ±{MAX_ABS_VALUE:g}")
    return v


@dataclass
class Dense:
    """One weighted layer: z = W a_prev + b, a = f(z)."""

    W: np.ndarray
    b: np.ndarray
    activation: str

    @property
    def size(self) -> int:
        return int(self.W.shape[0])

    @property
    def fan_in(self) -> int:
        return int(self.W.shape[1])

    def copy(self) -> Dense:
        return Dense(self.W.copy(), self.b.copy(), self.activation)


def init_layer(
    rng: np.random.Generator, n_in: int, n_out: int, scheme: str
) -> tuple[np.ndarray, np.ndarray]:
    """Fresh (W, b) for a layer from ``rng`` by ``scheme`` (uniform, xavier or he)."""
    if scheme == "uniform":  # PyTorch's nn.Linear default
        bound = 1.0 / math.sqrt(n_in)
        return rng.uniform(-bound, bound, (n_out, n_in)), rng.uniform(-bound, bound, n_out)
    if scheme == "xavier":
        bound = math.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-bound, bound, (n_out, n_in)), np.zeros(n_out)
    if scheme == "he":
        return rng.normal(0.0, math.sqrt(2.0 / n_in), (n_out, n_in)), np.zeros(n_out)
    raise EditError(
        f"unknown initialisation {quote(scheme)}; expected one of {', '.join(INIT_SCHEMES)}"
    )


@dataclass
class Network:
    """Input size, dense layers and the loss they are trained with."""

    input_size: int
    layers: list[Dense] = field(default_factory=list)
    loss: str = "mse"

    # ----------------------------------------------------------------- shape
    @classmethod
    def create(
        cls,
        sizes: list[int] | tuple[int, ...],
        activations_: list[str] | tuple[str, ...] | str = "tanh",
        *,
        output_activation: str | None = None,
        loss: str = "mse",
        seed: int = 0,
        init: str = "uniform",
    ) -> Network:
        """A network with layer sizes ``sizes`` (input first), weights from ``seed``."""
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise EditError("a network needs an input layer and at least one more layer")
        n = len(sizes) - 1
        if isinstance(activations_, str):
            acts = [activations_] * n
        else:
            acts = list(activations_)
        if output_activation is not None:
            acts[-1] = output_activation
        if len(acts) != n:
            raise EditError(f"{n} weighted layers but {len(acts)} activations")
        net = cls(
            sizes[0],
            [
                Dense(np.zeros((o, i)), np.zeros(o), a)
                for i, o, a in zip(sizes[:-1], sizes[1:], acts)
            ],
            loss,
        )
        net.validate()
        net.reinitialise(seed, init)
        return net

    @property
    def sizes(self) -> list[int]:
        return [self.input_size] + [layer.size for layer in self.layers]

    @property
    def depth(self) -> int:
        """Number of weighted layers (the output layer is layer ``depth``)."""
        return len(self.layers)

    @property
    def n_edges(self) -> int:
        return sum(layer.W.size for layer in self.layers)

    @property
    def n_params(self) -> int:
        return sum(layer.W.size + layer.b.size for layer in self.layers)

    def layer(self, l: int) -> Dense:  # noqa: E741 - l is the lesson's layer index
        if not 1 <= l <= self.depth:
            raise EditError(f"there is no weighted layer {l}; layers are 1 to {self.depth}")
        return self.layers[l - 1]

    def copy(self) -> Network:
        return Network(self.input_size, [layer.copy() for layer in self.layers], self.loss)

    def same_as(self, other: Network) -> bool:
        return (
            self.input_size == other.input_size
            and self.loss == other.loss
            and len(self.layers) == len(other.layers)
            and all(
                a.activation == b.activation
                and np.array_equal(a.W, b.W)
                and np.array_equal(a.b, b.b)
                for a, b in zip(self.layers, other.layers)
            )
        )

    # ------------------------------------------------------------ validation
    def validate(self) -> None:
        """Raise EditError (one sentence) if the shape or settings are impossible."""
        _check_size(self.input_size, "the input layer")
        if not self.layers:
            raise EditError("a network needs at least one layer after the input")
        if len(self.layers) > MAX_WEIGHTED_LAYERS:
            raise EditError(
                f"{len(self.layers)} weighted layers is beyond the limit of {MAX_WEIGHTED_LAYERS}"
            )
        n_in = self.input_size
        for l, layer in enumerate(self.layers, start=1):  # noqa: E741
            _check_size(layer.size, f"layer {l}")
            if layer.W.shape != (layer.size, n_in):
                raise EditError(
                    f"layer {l}: weights have shape {layer.W.shape}, expected "
                    f"({layer.size}, {n_in})"
                )
            if layer.b.shape != (layer.size,):
                raise EditError(
                    f"layer {l}: biases have {layer.b.size} values, expected {layer.size}"
                )
            act = _activation(layer.activation)
            if not act.elementwise and l != self.depth:
                raise EditError(f"layer {l}: {act.name} is allowed on the output layer only")
            n_in = layer.size
        if self.n_edges > MAX_EDGES:
            raise EditError(f"{self.n_edges} weights is beyond the limit of {MAX_EDGES}")
        _check_softmax_size(self.layers[-1].activation, self.layers[-1].size, self.depth)
        self._check_loss(self.loss, self.layers[-1].activation)
        self.check_values()

    def check_values(self) -> None:
        """Raise EditError (one sentence) if a weight or bias is not finite or beyond ±1e6.

        Whatever a network holds must be savable, and a file keeps every value within
        ±``MAX_ABS_VALUE``; an edit (a gradient step, training) that would leave that
        range is refused here, naming the first value out of range.
        """
        for l, layer in enumerate(self.layers, start=1):  # noqa: E741
            for arr, kind in ((layer.W, "weight"), (layer.b, "bias")):
                bad = ~(np.abs(arr) <= MAX_ABS_VALUE)  # NaN compares False: caught too
                if bad.any():
                    idx = tuple(int(i) for i in np.argwhere(bad)[0])
                    v = float(arr[idx])
                    place = ",".join(str(i + 1) for i in idx)
                    shown = "not a finite number" if not math.isfinite(v) else f"{v:g}"
                    raise EditError(
                        f"layer {l}: {kind} ({place}) would be {shown}, beyond the limit "
                        f"of ±{MAX_ABS_VALUE:g} that a network file holds"
                    )

    def _check_loss(self, loss: str, output_activation: str) -> None:
        try:
            spec = losses.get(loss)
        except ValueError:
            raise EditError(
                f"unknown loss {quote(loss)}; expected one of {', '.join(losses.NAMES)}"
            ) from None
        if spec.requires_output and output_activation != spec.requires_output:
            raise EditError(
                f"the {spec.name} loss needs a {spec.requires_output} output layer, "
                f"not {output_activation}"
            )

    # ----------------------------------------------------------- value edits
    def set_weight(self, l: int, j: int, i: int, value: float) -> None:  # noqa: E741
        """Set the weight from neuron ``i`` of layer l−1 to neuron ``j`` of layer l."""
        layer = self.layer(l)
        if not (0 <= j < layer.size and 0 <= i < layer.fan_in):
            raise EditError(f"layer {l} has no weight from neuron {i + 1} to neuron {j + 1}")
        layer.W[j, i] = check_value(value, f"weight w[{l}]({j + 1},{i + 1})")

    def set_bias(self, l: int, j: int, value: float) -> None:  # noqa: E741
        layer = self.layer(l)
        if not 0 <= j < layer.size:
            raise EditError(f"layer {l} has no neuron {j + 1}")
        layer.b[j] = check_value(value, f"bias b[{l}]({j + 1})")

    def set_activation(self, l: int, name: str) -> None:  # noqa: E741
        layer = self.layer(l)
        act = (
            activations.get(name)
            if isinstance(name, str) and name in activations.ACTIVATIONS
            else None
        )
        if act is None:
            raise EditError(
                f"unknown activation {quote(name)}; expected one of {', '.join(activations.NAMES)}"
            )
        if not act.elementwise and l != self.depth:
            raise EditError(f"{act.name} is allowed on the output layer only")
        if l == self.depth:
            _check_softmax_size(name, layer.size, l)
            self._check_loss(self.loss, name)
        layer.activation = name

    def set_loss(self, name: str) -> None:
        if not isinstance(name, str) or name not in losses.LOSSES:
            raise EditError(
                f"unknown loss {quote(name)}; expected one of {', '.join(losses.NAMES)}"
            )
        self._check_loss(name, self.layers[-1].activation)
        self.loss = name

    def reinitialise(self, seed: int, scheme: str = "uniform") -> None:
        """New weights and biases drawn from ``seed``: the same seed gives the same weights."""
        if scheme not in INIT_SCHEMES:
            raise EditError(
                f"unknown initialisation {quote(scheme)}; expected one of {', '.join(INIT_SCHEMES)}"
            )
        rng = np.random.default_rng(check_seed(seed))
        for layer in self.layers:
            layer.W, layer.b = init_layer(rng, layer.fan_in, layer.size, scheme)

    # ----------------------------------------------------------- shape edits
    def add_neuron(self, l: int, rng: np.random.Generator | None = None) -> None:  # noqa: E741
        """Append a neuron to layer ``l`` (0 = input); other weights are kept.

        The new neuron's incoming weights and bias come from ``rng`` (small, uniform);
        its outgoing weights start at 0 so that the network's output is unchanged.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        sizes = self.sizes
        if not 0 <= l <= self.depth:
            raise EditError(f"there is no layer {l}; layers are 0 to {self.depth}")
        if sizes[l] + 1 > MAX_LAYER_SIZE:
            raise EditError(f"layer {l} already has {sizes[l]} neurons, the limit")
        added = (sizes[l - 1] if l > 0 else 0) + (sizes[l + 1] if l < self.depth else 0)
        _check_edges(self.n_edges + added)
        if l == 0:
            self.input_size += 1
        else:
            layer = self.layers[l - 1]
            bound = 1.0 / math.sqrt(layer.fan_in)
            layer.W = np.vstack([layer.W, rng.uniform(-bound, bound, (1, layer.fan_in))])
            layer.b = np.append(layer.b, rng.uniform(-bound, bound))
        if l < self.depth:
            nxt = self.layers[l]
            nxt.W = np.hstack([nxt.W, np.zeros((nxt.size, 1))])

    def remove_neuron(self, l: int, j: int) -> None:  # noqa: E741
        """Remove neuron ``j`` of layer ``l`` (0 = input) and its edges."""
        sizes = self.sizes
        if not 0 <= l <= self.depth:
            raise EditError(f"there is no layer {l}; layers are 0 to {self.depth}")
        if not 0 <= j < sizes[l]:
            raise EditError(f"layer {l} has no neuron {j + 1}")
        if sizes[l] <= 1:
            raise EditError(f"layer {l} has only one neuron; remove the layer instead")
        if l == self.depth and self.layers[-1].activation == "softmax" and sizes[l] <= 2:
            raise EditError("a softmax output layer needs at least two neurons")
        if l == 0:
            self.input_size -= 1
        else:
            layer = self.layers[l - 1]
            layer.W = np.delete(layer.W, j, axis=0)
            layer.b = np.delete(layer.b, j)
        if l < self.depth:
            nxt = self.layers[l]
            nxt.W = np.delete(nxt.W, j, axis=1)

    def insert_layer(
        self,
        l: int,  # noqa: E741
        size: int,
        activation: str = "tanh",
        rng: np.random.Generator | None = None,
    ) -> None:
        """Insert a hidden layer so that it becomes layer ``l`` (1 ≤ l ≤ depth).

        The layer after it keeps its own size; its weights are re-drawn for the
        new fan-in, since the old ones belonged to different inputs.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        if not 1 <= l <= self.depth:
            raise EditError(f"a hidden layer can go at positions 1 to {self.depth}, not {l}")
        if self.depth + 1 > MAX_WEIGHTED_LAYERS:
            raise EditError(f"the network already has {self.depth - 1} hidden layers, the limit")
        _check_size(size, "the new layer")
        act = _activation(activation)
        if not act.elementwise:
            raise EditError(f"{act.name} is allowed on the output layer only")
        n_in = self.sizes[l - 1]
        nxt = self.layers[l - 1]
        _check_edges(self.n_edges - nxt.W.size + n_in * size + size * nxt.size)
        W, b = init_layer(rng, n_in, size, "uniform")
        nxt.W, _ = init_layer(rng, size, nxt.size, "uniform")
        self.layers.insert(l - 1, Dense(W, b, activation))

    def remove_layer(self, l: int, rng: np.random.Generator | None = None) -> None:  # noqa: E741
        """Remove hidden layer ``l``; the next layer's weights are re-drawn for its new fan-in."""
        rng = rng if rng is not None else np.random.default_rng(0)
        if not 1 <= l < self.depth:
            if self.depth == 1:
                raise EditError("there is no hidden layer to remove")
            raise EditError(f"only hidden layers (1 to {self.depth - 1}) can be removed, not {l}")
        n_in = self.sizes[l - 1]
        gone, nxt = self.layers[l - 1], self.layers[l]
        _check_edges(self.n_edges - gone.W.size - nxt.W.size + n_in * nxt.size)
        del self.layers[l - 1]
        nxt.W, _ = init_layer(rng, n_in, nxt.size, "uniform")


def _activation(name: str) -> activations.Activation:
    try:
        return activations.get(name)
    except ValueError:  # an edit's refusal is always an EditError, its echo quoted
        raise EditError(
            f"unknown activation {quote(name)}; expected one of {', '.join(activations.NAMES)}"
        ) from None


def _check_softmax_size(activation: str, size: int, l: int) -> None:  # noqa: E741
    if activation == "softmax" and size < 2:
        raise EditError(
            f"layer {l}: a softmax output layer needs at least two neurons "
            "(with one, its output is always 1 and its gradient always 0)"
        )


def _check_edges(n_edges: int) -> None:
    if n_edges > MAX_EDGES:
        raise EditError(f"that would make {n_edges} weights, beyond the limit of {MAX_EDGES}")


def _check_size(n: object, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise EditError(f"{what} size must be a whole number, not {quote(n)}")
    if not 1 <= n <= MAX_LAYER_SIZE:
        raise EditError(f"{what} has {n} neurons; expected 1 to {MAX_LAYER_SIZE}")
