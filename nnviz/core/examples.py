"""Example networks shipped in ``nnviz.resources/networks`` (read via importlib.resources)."""

from __future__ import annotations

from importlib import resources

from . import io

DEFAULT = "default"


def names() -> list[str]:
    """The example networks, by file name without ``.json``, sorted."""
    folder = resources.files("nnviz.resources").joinpath("networks")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


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
