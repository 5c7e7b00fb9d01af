"""Example networks shipped in ``nnviz.resources/networks`` (read via importlib.resources)."""

from __future__ import annotations

from importlib import resources

from . import io

DEFAULT = "default"


#: the order the lessons use the examples in (lesson 1, then lesson 2, then the
#: training examples); the Examples menu lists them so. A new example not named
#: here comes after these, by file name.
LESSON_ORDER = (
    "linear_collapse",
    "default",
    "deep_sigmoid",
    "deep_relu",
    "one_neuron",
    "one_weight_descent",
    "train_xor",
    "train_spiral",
    "train_three_classes",
)


def names() -> list[str]:
    """The example networks, by file name without ``.json``, sorted."""
    folder = resources.files("nnviz.resources").joinpath("networks")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def menu_names() -> list[str]:
    """The examples in lesson order (:data:`LESSON_ORDER`), then any others by name."""
    all_names = names()
    first = [n for n in LESSON_ORDER if n in all_names]
    return first + [n for n in all_names if n not in LESSON_ORDER]


def load(name: str) -> io.Project:
    """The example called ``name`` (see :func:`names`)."""
    if name not in names():
        raise io.FileFormatError(
            f"there is no example network {name!r}; expected one of {', '.join(names())}"
        )
    text = (
        resources.files("nnviz.resources")
        .joinpath("networks", f"{name}.json")
        .read_text(encoding="utf-8")
    )
    return io.loads(text)


def title(name: str) -> str:
    """The example's display name, read without building its network (menus at start-up)."""
    import json

    if name not in names():
        raise io.FileFormatError(f"there is no example network {name!r}")
    text = (
        resources.files("nnviz.resources")
        .joinpath("networks", f"{name}.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(text)
    return str(data.get("name") or name) if isinstance(data, dict) else name


def default_project() -> io.Project:
    return load(DEFAULT)
