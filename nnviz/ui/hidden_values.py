"""Values shown as "?" until a student has worked them out (the lesson's ``hide``).

A small, separate hook so the number painting of every view can consult one
set without knowing about lessons: the lesson feature calls :func:`set_hidden`
on the document; the canvas (playback numbers, selection label), the inspector,
the chain-rule panel, the activation plot and the update caption ask
:func:`is_hidden` / :func:`mask` before they write a number. The one rule: while
a step hides anything, a value is "?" if the step hides it or if the playback
frame (:func:`set_frame_source`) has not revealed it yet.

The session also names the step's focus numbers (:func:`set_focus`: what it
hides and its exercise's engine value); with the selection, the canvas places
their labels before any other (:func:`is_focus`).

Keys use the lesson format's names (:data:`nnviz.core.lessons.HIDEABLE`):
``("z", l, j)``, ``("a", l, j)`` (``a`` of layer 0 is the input x),
``("dL_da", l, j)``, ``("dL_dz", l, j)``, ``("b", l, j)``, ``("dL_db", l, j)``,
edges ``("w", l, j, i)``, ``("wa", l, j, i)``, ``("dL_dw", l, j, i)`` and the
network's ``("loss",)``. Layer 0 is the input layer; edges belong to the layer
they feed.
"""

from __future__ import annotations

from collections.abc import Iterable

HIDDEN_TEXT = "?"
_ATTR = "_nnviz_hidden_values"
_REV = "_nnviz_hidden_revision"

#: the canvas's scene keys ("what") -> the lesson's value names
SCENE_NAMES = {
    "x": "a",
    "a": "a",
    "z": "z",
    "b": "b",
    "update_b": "b",
    "dL_da": "dL_da",
    "dL_dz": "dL_dz",
    "aw": "wa",
    "dL_dw": "dL_dw",
    "update_w": "w",
    "collect": None,
}


def hidden(document) -> frozenset[tuple]:
    """The keys hidden now on ``document`` (empty when no lesson hides anything)."""
    return getattr(document, _ATTR, frozenset())


def revision(document) -> int:
    """Changes whenever the hidden set changes (for caches' keys)."""
    return getattr(document, _REV, 0)


def set_hidden(document, keys: Iterable[tuple]) -> bool:
    """Hide exactly ``keys``; views redraw (``display_changed("hidden_values")``) if it
    changed."""
    return _set(document, _ATTR, keys)


def _set(document, attr: str, keys: Iterable[tuple]) -> bool:
    new = frozenset(tuple(k) for k in keys)
    if new == getattr(document, attr, frozenset()):
        return False
    setattr(document, attr, new)
    setattr(document, _REV, revision(document) + 1)
    document.display_changed.emit("hidden_values")
    return True


_FOCUS = "_nnviz_focus_values"


def focus(document) -> frozenset[tuple]:
    """The keys of the numbers the open lesson step talks about (its asked values and
    the engine value of its exercise): the canvas places their labels before any other."""
    return getattr(document, _FOCUS, frozenset())


def set_focus(document, keys: Iterable[tuple]) -> bool:
    """The step's focus numbers (same keys as :func:`set_hidden`); views redraw if it
    changed."""
    return _set(document, _FOCUS, keys)


def is_focus(document, scene_key: tuple) -> bool:
    """Whether the canvas label ``scene_key`` (``(what, l, j[, i])``, the canvas's names)
    is one the lesson step talks about, or a value of the selected neuron or edge."""
    name = SCENE_NAMES.get(scene_key[0])
    if name is None:
        return False
    address = tuple(scene_key[1:])
    if (name, *address) in focus(document):
        return True
    sel = getattr(document, "selection", None)
    if sel is None:
        return False
    if sel.kind == "edge":
        return address == (sel.layer, sel.neuron, sel.source)
    return address == (sel.layer, sel.neuron)


_FRAME = "_nnviz_frame_source"


def set_frame_source(document, source) -> None:
    """``source()`` gives the playback frame the canvas shows now (or None in the
    editing view); the lesson session sets it (None: no frame rule)."""
    setattr(document, _FRAME, source)


def current_frame(document):
    source = getattr(document, _FRAME, None)
    if source is None:
        return None
    try:
        return source()
    except RuntimeError:  # the playback is gone
        return None


def revealed(frame, value: str, *address: int) -> bool:
    """Whether ``frame`` (a :class:`~nnviz.core.timeline.Frame`; None: the editing view,
    everything) has revealed ``value`` at ``address`` yet (the lesson's names)."""
    if frame is None:
        return True
    if value in ("loss",):
        return bool(frame.loss_shown)
    if value in ("loss_next", "w_next", "b_next"):
        return bool(frame.update_shown)
    if len(address) < 2:
        return True
    l, j = address[0], address[1]
    masks = {
        "z": frame.z_shown,
        "a": frame.a_shown,
        "dL_da": frame.dL_da_shown,
        "dL_dz": frame.dL_dz_shown,
        "dL_db": frame.dL_dz_shown,
        "wa": frame.fwd_rows,
        "dL_dw": frame.grad_rows,
    }.get(value)
    if masks is None:  # w, b: parameters, known from the start
        return True
    try:
        return bool(masks[l][j])
    except IndexError:  # a frame of another network (being rebuilt)
        return True


def is_hidden(document, value: str, *address: int) -> bool:
    """The one rule every view follows (inspector, chain-rule panel, plots, canvas,
    captions): while a lesson step hides values, a value is "?" if the step hides it
    or if the playback has not revealed it yet (so no other number gives it away:
    ∂L/∂a = a − y tells a before the animation reaches a). Without a lesson's hidden
    values nothing is hidden."""
    keys = hidden(document)
    if not keys:
        return False
    if (value, *address) in keys:
        return True
    return not revealed(current_frame(document), value, *address)


def mask(text: str) -> str:
    """``"z = -2.0"`` -> ``"z = ?"``; a bare number -> ``"?"``."""
    head, sep, _ = text.rpartition(" = ")
    return f"{head}{sep}{HIDDEN_TEXT}" if sep else HIDDEN_TEXT


#: a hidden value the frame has not reached yet is still shown, as "?", so the student
#: sees what is asked: lesson name -> (scene key, text, the other scene keys of its place)
_ASKED_NEURON = {
    "z": ("z", "z = ?", ("dL_da",)),
    "a": ("a", "?", ()),
    "dL_da": ("dL_da", "∂L/∂a = ?", ("z",)),
    "dL_dz": ("dL_dz", "∂L/∂z = ?", ("b", "update_b")),
    "b": ("b", "b = ?", ("dL_dz", "update_b")),
}
_ASKED_EDGE = {"dL_dw": "∂L/∂w = ?", "wa": "a·w = ?", "w": "w = ?"}
#: the lesson's edge value names -> the canvas's scene keys
_EDGE_SCENE = {"dL_dw": "dL_dw", "wa": "aw", "w": "update_w"}


def asked_edge_label(document, l: int, j: int, i: int) -> str:  # noqa: E741
    """The "?" label of a hidden value of edge ``(l, j, i)`` ("" if none is hidden);
    the canvas writes it on the selected edge while the animation runs."""
    keys = hidden(document)
    return next((t for v, t in _ASKED_EDGE.items() if (v, l, j, i) in keys), "")


def mask_scene(document, scene) -> None:
    """Replace the hidden numbers of a canvas :class:`FrameScene` by "?" (in place);
    a hidden value the frame has not shown yet is added as "?"."""
    keys = hidden(document)
    if not keys:
        return
    sizes = [m.size for m in scene.frame.z_shown]
    for key in keys:
        if key == ("loss",):
            scene.loss_text = "L = ?"
        elif len(key) == 3 and key[0] in _ASKED_NEURON and key[1] < len(sizes):
            what, text, others = _ASKED_NEURON[key[0]]
            l, j = key[1], key[2]
            if l == 0:
                what = "x" if key[0] == "a" else what
            if (what, l, j) not in scene.neuron_texts and j < sizes[l]:
                for other in others:
                    scene.neuron_texts.pop((other, l, j), None)
                scene.neuron_texts[(what, l, j)] = text
        elif len(key) == 4 and key[0] in _ASKED_EDGE and key[1] < len(sizes):
            # an asked edge value: "?" on its edge, placed with the step's labels (first)
            what = _EDGE_SCENE[key[0]]
            l, j, i = key[1], key[2], key[3]
            if (what, l, j, i) not in scene.edge_texts and j < sizes[l] and i < sizes[l - 1]:
                scene.edge_texts[(what, l, j, i)] = _ASKED_EDGE[key[0]]
    for key, text in list(scene.neuron_texts.items()):
        name = SCENE_NAMES.get(key[0])
        if name is not None and (name, *key[1:]) in keys:
            scene.neuron_texts[key] = mask(text)
    for key, text in list(scene.edge_texts.items()):
        name = SCENE_NAMES.get(key[0])
        if name is not None and (name, *key[1:]) in keys:
            scene.edge_texts[key] = mask(text)
    if scene.loss_text and ("loss",) in keys:
        scene.loss_text = mask(scene.loss_text)


#: how the inspector writes a value -> the lesson's name for it
_LINE_NAMES = {
    "z": "z",
    "a": "a",
    "∂L/∂z": "dL_dz",
    "∂L/∂a": "dL_da",
    "∂L/∂w": "dL_dw",
    "∂L/∂x": "dL_da",
    "carries a·w": "wa",
}


def mask_lines(document, selection, lines: list[str]) -> list[str]:
    """The inspector's ``name = value`` lines for ``selection``, hidden ones as "?"."""
    keys = hidden(document)
    if not keys or selection is None:
        return lines
    address = (selection.layer, selection.neuron)
    if selection.kind == "edge":
        address = (selection.layer, selection.neuron, selection.source)
    out = []
    for line in lines:
        parts = []
        for part in line.split("    "):
            name, sep, _ = part.partition(" = ")
            value = _LINE_NAMES.get(name.strip())
            if sep and value is not None and is_hidden(document, value, *address):
                part = f"{name} = {HIDDEN_TEXT}"
            parts.append(part)
        out.append("    ".join(parts))
    return out
