"""Labels never overlap: every example network, every playback step, two window sizes.

The placement pass exposes what it drew (``painter.last_placement``), so this reads
the real rectangles of the labels on the canvas, not a model of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import examples
from nnviz.ui.canvas import placement
from nnviz.ui.canvas import style as styles
from nnviz.ui.canvas.style import LABEL_PX, MIN_TEXT_PX
from nnviz.ui.document import Document, Selection
from nnviz.ui.main_window import MainWindow


def _names() -> list[str]:
    from importlib import resources

    root = resources.files("nnviz.resources") / "networks"
    return sorted(p.name.removesuffix(".json") for p in root.iterdir() if p.name.endswith(".json"))


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [(1024, 768), (1440, 900)], ids=["1024x768", "1440x900"])
@pytest.mark.parametrize("name", _names())
def test_no_label_covers_another_or_a_neuron_at_any_step(qtbot, tmp_path, monkeypatch, name, size):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    window = MainWindow(Document(examples.load(name)), theme_choice="light")
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    canvas, c = window.canvas, window.playback
    canvas.fit()
    layout = canvas.layout
    neurons = layout.neuron_boxes()
    drawn = 0
    for step in range(1, c.last + 1):
        # mid-step too: the labels are drawn with the moving part of every frame
        for fraction in (0.5, 1.0):
            c.seek(step, fraction)
            canvas.viewport().grab()
            result = c.painter.last_placement
            assert result is not None
            rects = result.rects()
            drawn += len(rects)
            left, top, right, bottom = canvas.visible_scene_rect()
            for a in rects:  # every label inside the view
                assert left <= a[0] and a[2] <= right and top <= a[1] and a[3] <= bottom
            for k, a in enumerate(rects):
                for b in rects[k + 1 :]:
                    assert not _overlap(a, b), (name, step, a, b)
                r = np.array(a)
                over = (
                    (neurons[:, 0] < r[2])
                    & (r[0] < neurons[:, 2])
                    & (neurons[:, 1] < r[3])
                    & (r[1] < neurons[:, 3])
                )
                assert not over.any(), (name, step, a, neurons[over][:2])
            # a label is never drawn smaller than the minimum on screen
            for lab in result.placed:
                assert MIN_TEXT_PX <= lab.payload.px <= LABEL_PX
            if result.hidden:
                assert canvas.hidden_labels == result.hidden
    labelled = any(layout.labelled(l) for l in range(len(layout.sizes)))  # noqa: E741
    assert drawn > 0 or not labelled


def test_placement_drops_what_has_no_room_and_counts_it():
    # two labels wanting the same spot, one candidate each: the lower priority goes
    a = placement.Label(("a",), "a", 40, 20, 0, (0, 0), [(0.0, 0.0)])
    b = placement.Label(("b",), "b", 40, 20, 1, (0, 0), [(5.0, 5.0)])
    c = placement.Label(("c",), "c", 40, 20, 1, (0, 0), [(5.0, 5.0), (0.0, 40.0)])
    out = placement.place([b, c, a], obstacles=[], zoom=1.0)
    assert [lab.key for lab in out.placed] == [("a",), ("c",)]
    assert out.dropped == [b] and out.hidden == 1
    assert out.placed[1].rect == (-20.0, 30.0, 20.0, 50.0)
    # an obstacle (a neuron) is never covered
    n = placement.place(
        [placement.Label(("n",), "n", 10, 10, 0, (0, 0), [(0.0, 0.0)])],
        obstacles=[(-3.0, -3.0, 3.0, 3.0)],
        zoom=1.0,
    )
    assert n.placed == [] and n.hidden == 1


def test_z_labels_go_when_the_forward_pass_ends(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    window = MainWindow(Document(examples.load("default")), theme_choice="light")
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    window.resize(1280, 800)
    window.show()
    c = window.playback
    for step in range(1, c.last + 1):
        c.seek(step, 1.0)
        window.canvas.viewport().grab()
        texts = [lab.key[0] for lab in c.painter.last_placement.placed]
        if c.frame.phase in ("backward", "update"):
            assert "z" not in texts, step


def test_labels_stay_inside_the_view_and_offscreen_ones_are_not_counted():
    inside = placement.Label(("a",), "a", 40, 20, 0, (50, 50), [(95.0, 50.0), (50.0, 50.0)])
    away = placement.Label(("b",), "b", 40, 20, 0, (500, 50), [(500.0, 50.0)])
    out = placement.place([inside, away], [], 1.0, bounds=(0.0, 0.0, 100.0, 100.0))
    assert out.placed == [inside] and inside.rect == (30.0, 40.0, 70.0, 60.0)
    assert out.offscreen == [away] and out.hidden == 0


# ------------------------------------------------------------------------------------
# Every text the canvas draws, not only the playback labels: recorded as it is drawn
# (style.recording), with the step caption (a widget over the viewport) and the legend.
def _screen_texts(canvas) -> list[tuple[str, str, tuple, float]]:
    """Every text drawn on the viewport now: (kind, text, (l, t, r, b) px, size px)."""
    with styles.recording() as texts, canvas.vector_output():
        canvas.viewport().grab()
    out = list(texts)
    cap = getattr(canvas, "caption_overlay", None)
    if cap is not None and cap.isVisible():
        g = cap.geometry()
        out.append(("caption", cap.text(), (g.left(), g.top(), g.right(), g.bottom()), 99.0))
    return out


def _neurons_on_screen(canvas) -> np.ndarray:
    b = canvas.layout.neuron_boxes()
    t = canvas.transform()
    s, dx, dy = t.m11(), t.dx(), t.dy()
    origin = canvas.mapFromScene(0.0, 0.0)
    ox, oy = origin.x(), origin.y()
    del dx, dy
    return np.stack([b[:, 0] * s + ox, b[:, 1] * s + oy, b[:, 2] * s + ox, b[:, 3] * s + oy], 1)


def _check_texts(canvas, where) -> int:
    texts = _screen_texts(canvas)
    neurons = _neurons_on_screen(canvas)
    shrink = 0.75  # pixels: rectangles that only touch do not overlap
    rects = [
        (k, t, (r[0] + shrink, r[1] + shrink, r[2] - shrink, r[3] - shrink), px)
        for k, t, r, px in texts
    ]
    for k, t, r, px in rects:
        if k not in ("box", "caption", "legend"):
            assert px >= MIN_TEXT_PX - 0.05, (where, k, t, px)
        if k in ("caption", "legend"):
            pass
        over = (
            (neurons[:, 0] < r[2])
            & (r[0] < neurons[:, 2])
            & (neurons[:, 1] < r[3])
            & (r[1] < neurons[:, 3])
        )
        allowed = 1 if k == "number" else 0  # a neuron's number sits in its circle
        assert over.sum() <= allowed, (where, k, t, r, neurons[over][:2].tolist())
    for n, (k, t, a, _) in enumerate(rects):
        for k2, t2, b, _ in rects[n + 1 :]:
            if {k, k2} == {"box", "loss"} and (t == t2):
                continue  # the loss box and its text
            assert not _overlap(a, b), (where, (k, t, a), (k2, t2, b))
    return len(texts)


def _window(qtbot, tmp_path, monkeypatch, name, size):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    window = MainWindow(Document(examples.load(name)), theme_choice="light")
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.canvas.fit()
    return window


@pytest.mark.parametrize("size", [(1024, 768), (1440, 900)], ids=["1024x768", "1440x900"])
@pytest.mark.parametrize("name", _names())
def test_no_text_of_the_canvas_covers_another_or_a_neuron(qtbot, tmp_path, monkeypatch, name, size):
    """Headers, input names, b/z labels, targets, loss box, neuron numbers, weight labels,
    the legend, the hidden-labels note, the step caption and the playback labels: none
    over another or over a neuron, none under 10 px, in the editing view and at every step."""
    window = _window(qtbot, tmp_path, monkeypatch, name, size)
    canvas, c = window.canvas, window.playback
    drawn = _check_texts(canvas, (name, "editing"))
    # the selection's label (a neuron's z, a, b; an edge's w) is placed too
    doc = window.document
    sizes = doc.network.sizes
    if len(sizes) > 1 and sizes[1] <= 24:
        doc.select(Selection.of_neuron(1, sizes[1] // 2))
        drawn += _check_texts(canvas, (name, "neuron selected"))
        doc.select(Selection.of_edge(1, 0, 0))
        drawn += _check_texts(canvas, (name, "edge selected"))
    for step in range(1, c.last + 1):
        c.seek(step, 1.0)
        qtbot.wait(1)  # the caption's note comes a turn of the event loop later
        drawn += _check_texts(canvas, (name, step))
    assert drawn > 0


@pytest.mark.parametrize("name", ["default", "train_three_classes", "deep_sigmoid"])
def test_canvas_text_at_triple_scale_and_in_presenter_mode(qtbot, tmp_path, monkeypatch, name):
    """View ▸ Zoom Text at 300 % and presenter mode's 18 px floor: numbers are dropped
    rather than run into each other, headers shorten, the legend stays in its corner."""
    from nnviz.ui import textscale

    names = _names()
    if name not in names:
        pytest.skip(f"no example {name}")
    window = _window(qtbot, tmp_path, monkeypatch, name, (1024, 768))
    canvas, c = window.canvas, window.playback
    try:
        for setup in ("scale", "presenter"):
            if setup == "scale":
                textscale.set_factor(3.0)
            else:
                textscale.set_factor(1.0)
                textscale.set_min_px(18, canvas.zoom_level)
            canvas.fit()
            _check_texts(canvas, (name, setup, "editing"))
            legend = canvas.legend_layout()[0]
            vp = canvas.viewport()
            assert legend.height() <= vp.height() / 4 + 1, (setup, legend)
            for step in (2, 3, c.last):
                c.seek(step, 1.0)
                qtbot.wait(1)
                _check_texts(canvas, (name, setup, step))
            c.seek(0, 0.0)
    finally:
        textscale.set_factor(1.0)
        textscale.set_min_px(0)


def test_a_step_shows_its_own_numbers_when_there_is_room(qtbot, tmp_path, monkeypatch):
    """QA: the default network at 1280x800, step 3 showed 1 of 3 z labels ("2 labels
    hidden"); at the update step the b updates were hidden."""
    window = _window(qtbot, tmp_path, monkeypatch, "default", (1280, 800))
    canvas, c = window.canvas, window.playback
    kinds_of_step = {"z": "z", "update": "update_b", "dL_dz": "dL_dz", "dL_da": "dL_da"}
    seen = set()
    for step in range(1, c.last + 1):
        c.seek(step, 1.0)
        canvas.viewport().grab()
        result = c.painter.last_placement
        focus = [lab for lab in result.dropped if lab.priority == 0]
        assert not focus, (step, c.caption(), [lab.text for lab in focus])
        placed = {lab.key for lab in result.placed}
        kind = kinds_of_step.get(
            c.frame.step.kind.value
            if hasattr(c.frame.step.kind, "value")
            else str(c.frame.step.kind)
        )
        if kind is not None:
            seen.add(kind)
        assert result.hidden <= 3, (step, c.caption(), [lab.text for lab in result.dropped])
        del placed
    assert seen


def test_bias_labels_are_small_and_beside_their_neuron_at_1024x768(qtbot, tmp_path, monkeypatch):
    """QA: at 1024x768 "b = −0.1" was drawn larger than every other label and far from
    its neuron; in the editing view the b labels were ~5 px (spiral)."""
    window = _window(qtbot, tmp_path, monkeypatch, "default", (1024, 768))
    canvas, c = window.canvas, window.playback
    layout = canvas.layout
    zoom = canvas.zoom_level()
    for lab in canvas.scene_texts().placed:  # the editing view's b = … labels
        t = lab.payload[0]
        if t.kind == "b":
            x, y = layout.pos(t.l, t.j)
            assert lab.rect[1] - (y + layout.radius[t.l]) < 12 / zoom, lab
    for step in range(1, c.last + 1):
        c.seek(step, 1.0)
        canvas.viewport().grab()
        zoom = canvas.zoom_level()
        placed = c.painter.last_placement.placed
        others = [lab.payload.px for lab in placed if lab.key[0] != "b" and not lab.payload.big]
        for lab in placed:
            if lab.key[0] != "b":
                continue
            if others:
                assert lab.payload.px <= min(others), (step, lab.text)
            x, y = layout.pos(lab.key[1], lab.key[2])
            cx, cy = (lab.rect[0] + lab.rect[2]) / 2, (lab.rect[1] + lab.rect[3]) / 2
            reach = layout.radius[lab.key[1]] + 2.5 * (lab.rect[3] - lab.rect[1]) + lab.w / zoom
            assert abs(cx - x) + abs(cy - y) < reach, (step, lab.text, (cx, cy), (x, y))


@pytest.mark.parametrize("presenter", [False, True], ids=["window", "presenter"])
def test_lesson_question_marks_cover_nothing_at_any_lesson_step(nnviz_window, presenter):
    """QA: lesson 1 step 11, "∂L/∂w = ?" covered "∂L/∂a = −0.186"; step 10's revealed
    label was struck out by the selected edge's line. Every text at every lesson step,
    in a 1024x768 window and in presenter mode."""
    from PySide6.QtWidgets import QApplication

    from nnviz.ui import textscale

    d = nnviz_window
    win = d.window
    d.open("lesson-1")
    win.resize(1024, 768)
    try:
        if presenter:
            win.presenter.enter(full_screen=False)
        QApplication.processEvents()
        steps = len(d.session.lesson.steps) if hasattr(d, "session") else 13
        for k in range(1, steps + 1):
            d.open("lesson-1", step=k)
            QApplication.processEvents()
            win.canvas.fit()
            QApplication.processEvents()
            _check_texts(win.canvas, ("lesson-1", k, presenter))
    finally:
        if presenter:
            win.presenter.leave()
        textscale.set_min_px(0)
