"""The lesson panel on real screen sizes (QA2: F4, F9, F10, F14b, F14e): the whole step
text is readable with a clicker in presenter mode at 1024x768, the answer field takes
the keyboard, feedback moves nothing, and the canvas keeps its room at 1280x800."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from nnviz.core import lessons as core

LESSON_1 = core.load_named("lesson-1")


def _settle(n: int = 3) -> None:
    for _ in range(n):
        QApplication.processEvents()


def _present(d, width: int = 1024, height: int = 768) -> None:
    win = d.window
    win.resize(width, height)
    win.presenter.enter(full_screen=False)
    _settle()


def _seen_text(panel) -> tuple[float, float]:
    """The part of the step's text (document pixels, top and bottom) on screen now:
    where the text widget is visible, shifted by how far its own content is scrolled."""
    text = panel.text
    r = _visible_rect(text)
    if r.isEmpty():
        return (0.0, 0.0)
    off = text.verticalScrollBar().value()
    return (off + r.top(), off + r.bottom() + 1)


def _visible_rect(widget) -> QRect:
    """The part of ``widget`` (its own pixels) its parents do not clip away (a scroll
    area's viewport, the panel, the window)."""
    r = QRect(QPoint(0, 0), widget.size())
    w = widget
    shift = QPoint(0, 0)
    while w.parentWidget() is not None and not w.isWindow():
        shift += w.pos()
        w = w.parentWidget()
        r = r.intersected(w.rect().translated(-shift))
    return r


def _covers(ranges: list[tuple[float, float]], height: float) -> bool:
    reach = 0.0
    for top, bottom in sorted(ranges):
        if top > reach + 1:
            return False
        reach = max(reach, bottom)
    return reach >= height - 2


def test_presenter_1024x768_a_clicker_shows_every_steps_whole_text(nnviz_window):
    """PageDown only (a clicker): every line of every step's text is on screen at some
    press before the next step comes; after an answer the text keeps its length."""
    d = nnviz_window.open("lesson-1")
    win = d.window
    _present(d)
    panel = win.lessons.panel
    win.canvas.setFocus()
    seen: dict[int, list[tuple[float, float]]] = {}
    heights: dict[int, float] = {}
    for _ in range(80):
        k = d.lesson_step
        seen.setdefault(k, []).append(_seen_text(panel))
        heights[k] = panel.text.document().size().height()
        if d.session.index in d.session.revealed or d.session.solved():
            # the answer is out: the text is not squeezed to its heading by it
            assert panel.text.height() >= heights[k] - 1, k
        if k == len(LESSON_1):
            break
        QTest.keyClick(QApplication.focusWidget() or win.canvas, Qt.Key.Key_PageDown)
        d.session.finish_reveal()
        _settle()
    assert sorted(seen) == list(range(1, len(LESSON_1) + 1))
    # the last step: page down to its end too
    for _ in range(5):
        QTest.keyClick(QApplication.focusWidget() or win.canvas, Qt.Key.Key_PageDown)
        _settle()
        seen[len(LESSON_1)].append(_seen_text(panel))
    missing = [k for k, r in seen.items() if not _covers(r, heights[k])]
    assert missing == [], f"steps whose text was never all on screen: {missing}"


def test_presenter_page_up_scrolls_back_before_it_goes_back(nnviz_window):
    d = nnviz_window.open("lesson-1", step=1)
    win = d.window
    _present(d)
    panel = win.lessons.panel
    bar = panel.scroll.verticalScrollBar()
    assert bar.maximum() > 0, "step 1 is longer than a 1024x768 screen"
    QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
    _settle()
    assert d.lesson_step == 1 and bar.value() > 0
    QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
    _settle()
    assert d.lesson_step == 1 and bar.value() == 0
    d.go(3)
    QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
    _settle()
    assert d.lesson_step == 2 and bar.value() == 0  # a step is shown from its top


def test_answer_field_has_the_focus_when_a_number_question_opens(nnviz_window):
    """Presenter mode, PageDown onto the "compute z" step: typing the class's answer and
    Enter checks it; PageDown from the field still walks the lesson."""
    z = LESSON_1.step_of("z").number
    d = nnviz_window.open("lesson-1", step=z - 1)
    win = d.window
    _present(d)
    panel = win.lessons.panel
    win.canvas.setFocus()  # the clicker walks from wherever the focus is
    while d.lesson_step < z:
        QTest.keyClick(win.focusWidget(), Qt.Key.Key_PageDown)
        d.session.finish_reveal()
        _settle()
    assert win.focusWidget() is panel.number
    QTest.keyClicks(panel.number, "-2")
    QTest.keyClick(panel.number, Qt.Key.Key_Return)
    _settle()
    assert d.session.solved() and d.feedback().startswith("✔")
    while d.lesson_step == z:
        QTest.keyClick(panel.number, Qt.Key.Key_PageDown)
        d.session.finish_reveal()
        _settle()
    assert d.lesson_step == z + 1
    QTest.keyClick(win.focusWidget(), Qt.Key.Key_PageUp)
    _settle()
    while d.lesson_step != z:  # (PageUp scrolls a long step back first)
        QTest.keyClick(win.focusWidget(), Qt.Key.Key_PageUp)
        _settle()
    assert win.focusWidget() is panel.number


def test_the_next_button_hands_the_focus_to_the_answer_field(nnviz_window):
    z = LESSON_1.step_of("z").number
    d = nnviz_window.open("lesson-1", step=z - 1)
    panel = d.window.lessons.panel
    panel.next_button.setFocus()
    QTest.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    _settle()
    assert d.lesson_step == z
    assert d.window.focusWidget() is panel.number


def test_feedback_does_not_move_the_options(nnviz_window):
    """A wrong answer's feedback appears under the options: a second click at the same
    place hits the same option (at 1280x800 and in presenter mode at 1024x768)."""
    step = next(s for s in LESSON_1.steps if isinstance(s.exercise, core.ChoiceExercise))
    ex = step.exercise
    wrong = next(k for k, o in enumerate(ex.options) if not o.correct)
    for presenting in (False, True):
        d = nnviz_window.open("lesson-1", step=step.number)
        d.session.reset_step()
        win = d.window
        if presenting:
            _present(d)
        else:
            win.resize(1280, 800)
            _settle()
        panel = win.lessons.panel
        bar = panel.scroll.verticalScrollBar() if hasattr(panel, "scroll") else None
        while bar is not None and panel.scroll_page(1):  # read down to the question
            _settle()
        before = [b.mapTo(win, QPoint(0, 0)) for b in panel.option_buttons]
        panel.option_buttons[wrong].setChecked(True)
        panel.check()
        _settle()
        assert d.feedback().startswith("✘")
        after = [b.mapTo(win, QPoint(0, 0)) for b in panel.option_buttons]
        assert after == before, presenting
        assert _visible_rect(panel.feedback).height() >= panel.feedback.height() - 1
        win.presenter.leave()


def test_a_lesson_at_1280x800_leaves_the_canvas_room(nnviz_window):
    """The chain-rule dock under the canvas only on the steps that ask for it, and no
    caption card repeating the playback bar: the canvas is more than half the window
    high on the other steps; presenter mode brings the card back (no bar there), and
    closing the lesson gives the chain-rule dock back."""
    d = nnviz_window
    win = d.window
    win.resize(1280, 800)
    _settle()
    chain = win.docks["chainRuleDock"]
    assert chain.isVisible()
    overlay = win.features["playback"].caption_overlay
    d.open("lesson-1")
    for step in LESSON_1.steps:
        d.go(step.number)
        _settle()
        assert chain.isVisible() == ("chainRule" in step.show), step.number
        assert win.playback.is_active() and not overlay.isVisible()
        assert win.canvas.caption_band == 0
        if "chainRule" not in step.show:
            assert win.canvas.viewport().height() > 0.5 * win.height(), step.number
    _present(d)
    assert overlay.isVisible() and win.canvas.caption_band > 0
    d.go(2)  # (presenting: a step without the chain rule)
    win.presenter.leave()
    _settle()
    assert not overlay.isVisible()
    assert not chain.isVisible()  # this step's docks, not those of the step it began at
    win.lessons.close()
    _settle()
    assert chain.isVisible() and overlay.shown_elsewhere is None
    win.playback.seek(win.playback.last, 1.0)
    _settle()
    assert overlay.isVisible()  # the card is back without the lesson


def test_the_linear_map_panel_wraps_at_1024x768(nnviz_window):
    """Lesson 1 step 1 (it shows the linear map) on a 1024x768 screen: the panel's text
    wraps to its width, with no horizontal scroll bar; wide again, W and b sit side by
    side."""
    from PySide6.QtWidgets import QScrollArea

    d = nnviz_window
    win = d.window
    win.resize(1024, 768)
    _settle()
    d.open("lesson-1", step=1)
    _settle()
    # the right column as a real 1024x768 screen gives it (QA2: about 320 px)
    win.resizeDocks([win.docks["linearMapDock"]], [320], Qt.Orientation.Horizontal)
    _settle()
    panel = win.findChild(QWidget, "linearMapPanel")
    scroll = panel.findChild(QScrollArea, "linearMapScroll")
    assert panel.isVisible() and panel.collapsed is not None
    bar = scroll.horizontalScrollBar()
    assert bar.maximum() == 0, f"the text is {bar.maximum()} px wider than the panel"
    assert panel.text.width() <= scroll.viewport().width()
    assert "Every activation is linear" in panel.text.text()
    win.docks["linearMapDock"].setFloating(True)
    win.docks["linearMapDock"].resize(900, 600)
    _settle()
    assert not panel.stacked and bar.maximum() == 0


def test_page_down_from_a_choice_to_a_choice_keeps_the_keyboard_on_the_options(nnviz_window):
    """The option that had the focus is rebuilt with the step: the new step's option
    takes it (not the canvas), so arrows and Enter answer at once."""
    choices = [s.number for s in LESSON_1.steps if isinstance(s.exercise, core.ChoiceExercise)]
    d = nnviz_window.open("lesson-1", step=choices[0])
    panel = d.window.lessons.panel
    panel.setFocus()
    _settle()
    assert d.window.focusWidget() is panel.option_buttons[0]
    target = LESSON_1.steps[choices[0]].exercise  # the step after: what it asks
    QTest.keyClick(panel.option_buttons[0], Qt.Key.Key_PageDown)
    _settle()
    assert d.lesson_step == choices[0] + 1
    if target is None:
        assert d.window.focusWidget() is panel.text
    elif isinstance(target, core.ChoiceExercise):
        assert d.window.focusWidget() is panel.option_buttons[0]
    else:
        assert d.window.focusWidget() is panel.number
