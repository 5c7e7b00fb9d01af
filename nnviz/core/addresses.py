"""Typed addresses of the numbers a student can edit: a weight, a bias, an input, a target.

One frozen dataclass per kind, each knowing how to read, write and check
itself, which gradient belongs to it and how to name it. Before these existed a
parameter was a tuple such as ``("weight", l, j, i)`` decoded by hand in five
files; now the document, the chain-rule panel, the finite-difference check and
the canvas ask the address.

Layer indices follow the lesson (0 = input): ``Weight(l, j, i)`` is
``W[l][j, i]``, the edge from neuron ``i`` of layer ``l − 1`` into neuron ``j``
of layer ``l`` (a row of ``W`` is the neuron it feeds, as in PyTorch).

Every address has:

* ``get(project)`` / ``set(project, value)``: the number in a project (anything
  with ``.network`` and ``.sample.input`` / ``.sample.target``);
* ``grad(grads)``: the backpropagated ∂L/∂(this number), or None (a target);
* ``check(sizes)``: raises :class:`~nnviz.core.network.EditError` with one
  sentence when the address names nothing in a network of these layer sizes;
* ``label`` (``w[1](2←1)``, for the undo history), ``symbol`` (``w``, ``b``,
  ``x1``, for the written-out finite differences) and ``key``, the legacy tuple
  (still accepted by :mod:`nnviz.core.gradcheck`).

Addresses are hashable and compare by value, so a set of them (a
``frozenset``) says exactly which numbers an edit changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from .network import EditError
from .propagation import Grads


class _Sample(Protocol):
    input: np.ndarray
    target: np.ndarray


class _Project(Protocol):
    network: object
    sample: _Sample


@dataclass(frozen=True)
class Weight:
    """``W[l][j, i]``: the weight from neuron ``i`` of layer ``l − 1`` into neuron ``j``."""

    l: int  # noqa: E741
    j: int
    i: int
    kind: ClassVar[str] = "weight"
    #: a parameter of the network (trained), not of the sample
    is_parameter: ClassVar[bool] = True

    @property
    def key(self) -> tuple:
        return ("weight", self.l, self.j, self.i)

    @property
    def label(self) -> str:
        return f"w[{self.l}]({self.j + 1}←{self.i + 1})"

    @property
    def symbol(self) -> str:
        return "w"

    def check(self, sizes) -> None:
        _check_neuron(self.l, self.j, sizes)
        if not 0 <= self.i < sizes[self.l - 1]:
            raise EditError(f"neuron {self.j + 1} of layer {self.l} has no input {self.i + 1}")

    def get(self, project: _Project) -> float:
        return float(project.network.layer(self.l).W[self.j, self.i])

    def set(self, project: _Project, value: float) -> None:  # noqa: A003
        project.network.layer(self.l).W[self.j, self.i] = value

    def grad(self, grads: Grads) -> float:
        return float(grads.dL_dW[self.l][self.j, self.i])


@dataclass(frozen=True)
class Bias:
    """``b[l][j]``: the bias of neuron ``j`` of weighted layer ``l``."""

    l: int  # noqa: E741
    j: int
    kind: ClassVar[str] = "bias"
    is_parameter: ClassVar[bool] = True

    @property
    def key(self) -> tuple:
        return ("bias", self.l, self.j)

    @property
    def label(self) -> str:
        return f"b[{self.l}]({self.j + 1})"

    @property
    def symbol(self) -> str:
        return "b"

    def check(self, sizes) -> None:
        _check_neuron(self.l, self.j, sizes)

    def get(self, project: _Project) -> float:
        return float(project.network.layer(self.l).b[self.j])

    def set(self, project: _Project, value: float) -> None:  # noqa: A003
        project.network.layer(self.l).b[self.j] = value

    def grad(self, grads: Grads) -> float:
        return float(grads.dL_db[self.l][self.j])


@dataclass(frozen=True)
class Input:
    """``x[i]``: input ``i`` of the sample."""

    i: int
    kind: ClassVar[str] = "input"
    is_parameter: ClassVar[bool] = False

    @property
    def key(self) -> tuple:
        return ("input", self.i)

    @property
    def label(self) -> str:
        return f"input x{self.i + 1}"

    @property
    def symbol(self) -> str:
        return f"x{self.i + 1}"

    def check(self, sizes) -> None:
        if not 0 <= self.i < sizes[0]:
            raise EditError(f"there is no input {self.i + 1}")

    def get(self, project: _Project) -> float:
        return float(project.sample.input[self.i])

    def set(self, project: _Project, value: float) -> None:  # noqa: A003
        project.sample.input[self.i] = value

    def grad(self, grads: Grads) -> float:
        """∂L/∂x summed over the batch (the sample is one row)."""
        return float(np.sum(grads.dL_dx[:, self.i]))


@dataclass(frozen=True)
class Target:
    """``y[k]``: the target of output ``k`` of the sample."""

    k: int
    kind: ClassVar[str] = "target"
    is_parameter: ClassVar[bool] = False

    @property
    def key(self) -> tuple:
        return ("target", self.k)

    @property
    def label(self) -> str:
        return f"target y{self.k + 1}"

    @property
    def symbol(self) -> str:
        return f"y{self.k + 1}"

    def check(self, sizes) -> None:
        if not 0 <= self.k < sizes[-1]:
            raise EditError(f"there is no output {self.k + 1}")

    def get(self, project: _Project) -> float:
        return float(project.sample.target[self.k])

    def set(self, project: _Project, value: float) -> None:  # noqa: A003
        project.sample.target[self.k] = value

    def grad(self, grads: Grads) -> None:
        """Not backpropagated: the target is what the loss compares with."""
        return None


Address = Weight | Bias | Input | Target
#: the address classes by their ``kind``
KINDS: dict[str, type] = {c.kind: c for c in (Weight, Bias, Input, Target)}


def _check_neuron(l: int, j: int, sizes) -> None:  # noqa: E741
    if not 1 <= l < len(sizes) or not 0 <= j < sizes[l]:
        raise EditError(f"there is no neuron {j + 1} in weighted layer {l}")


def from_key(key: tuple | Address) -> Address:
    """The address of a legacy tuple key (``("weight", l, j, i)`` …); an address is returned
    as it is. A tuple that names no kind raises ValueError with one sentence."""
    if isinstance(key, (Weight, Bias, Input, Target)):
        return key
    arity = {"weight": 3, "bias": 2, "input": 1, "target": 1}
    if (
        not isinstance(key, tuple)
        or not key
        or key[0] not in arity
        or len(key) != arity[key[0]] + 1
        or not all(isinstance(v, (int, np.integer)) for v in key[1:])
    ):
        raise ValueError(f"{key!r} names no weight, bias, input or target")
    return KINDS[key[0]](*(int(v) for v in key[1:]))


def is_address(value: object) -> bool:
    return isinstance(value, (Weight, Bias, Input, Target))
