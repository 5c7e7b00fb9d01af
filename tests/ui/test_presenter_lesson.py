"""Lesson 1 in presenter mode at 1024x768, walked by a clicker (PageDown only): the
numbers each step talks about are drawn, the panels it asks for are shown, no view
gives a hidden value away, and the plots and caption follow the text scale."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel

from nnviz.ui import hidden_values, textscale
from nnviz.ui.canvas import style as styles
from nnviz.ui.panels import plot_style
from nnviz.ui.panels.activation_plot import ActivationPlotPanel

#: lesson 1, step (1-based) -> the canvas texts its text and question tell the student
#: to read ("the canvas shows x; z and a are hidden", "read ∂L/∂z of the output", …)
NAMED = {
    8: ["2.0", "z = ?"],
    9: ["z = −2.0"],
    10: ["∂L/∂a = −1.0", "∂L/∂z = ?", "∂L/∂w = ?"],
    11: ["∂L/∂z = −0.028", "∂L/∂w = ?", "0.818"],
    12: ["∂L/∂z = −0.028", "∂L/∂a = ?"],
}


def _drawn(canvas) -> list[str]:
    with styles.recording() as texts, canvas.vector_output():
        canvas.viewport().grab()
    return [t for _k, t, _r, _px in texts]


def _present(d, step: int = 1):
    win = d.window
    d.open("lesson-1", step=step)
    win.resize(1024, 768)
    win.presenter.enter(full_screen=False)
    QApplication.processEvents()
    return win


def _settle(win) -> None:
    for _ in range(3):
        QApplication.processEvents()
    win.canvas.fit()
    QApplication.processEvents()


def test_a_clicker_walks_lesson_1_and_every_step_draws_the_numbers_it_names(nnviz_window):
    """PageDown only (what a clicker sends), wherever the focus is: on a question the
    first press shows the answer, the next goes on. At every step the numbers its text
    names are on the canvas, none of them among the labels left out."""
    d = nnviz_window
    win = _present(d)
    session = d.session
    seen: set[int] = set()
    presses = 0
    while presses < 40:
        k = session.index + 1
        if k not in seen:
            seen.add(k)
            _settle(win)
            drawn = _drawn(win.canvas)
            for text in NAMED.get(k, []):
                assert text in drawn, (k, text, drawn)
            assert win.presenter.active and not win.menuBar().isVisible()
        if k == len(session.lesson):
            break
        target = QApplication.focusWidget() or win
        QTest.keyClick(target, Qt.Key.Key_PageDown)
        presses += 1
    assert seen == set(range(1, len(session.lesson) + 1))
    # a clicker's "back" walks back
    QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_PageUp)
    assert session.index + 1 == len(session.lesson) - 1


def test_presenter_shows_the_panel_a_step_asks_for_and_hides_it_at_the_next(nnviz_window):
    d = nnviz_window
    corner = d.window.corner(Qt.Corner.BottomLeftCorner)
    win = _present(d, step=4)

    def visible() -> set[str]:
        return {dk.objectName() for dk in win.findChildren(QDockWidget) if dk.isVisible()}

    assert visible() == {"lessonDock"}
    d.go(5)  # "Read the gradient-flow panel before you answer"
    assert visible() == {"lessonDock", "gradientFlowDock"}
    assert win.canvas.width() >= 0.5 * win.width()  # under the canvas, not beside it
    flow = win.docks["gradientFlowDock"]
    assert flow.geometry().top() >= win.canvas.geometry().bottom() - 2
    d.go(6)
    assert visible() == {"lessonDock", "gradientFlowDock", "activationPlotDock"}
    d.go(7)  # the dead neuron: its numbers in the inspector and the chain rule
    assert visible() == {"lessonDock", "inspectorDock", "chainRuleDock"}
    d.go(4)  # asks for none: back to the lesson and the canvas
    assert visible() == {"lessonDock"}
    d.go(12)
    assert visible() == {"lessonDock", "chainRuleDock"}
    win.presenter.leave()  # the window's own layout comes back
    assert win.docks["inspectorDock"].isVisible()
    assert win.corner(Qt.Corner.BottomLeftCorner) == corner


def test_one_hidden_value_rule_in_every_view_at_the_compute_z_step(nnviz_window):
    """Step 8 asks for z (and a later): the inspector wrote ∂L/∂a = a − y = −1.0, which
    gives a away. Every view shows "?" for what the step hides and for what the
    animation has not reached yet."""
    d = nnviz_window
    d.open("lesson-1", step=8)
    win = d.window
    doc = win.document
    inspector = win.findChild(QLabel, "inspectorValues")
    text = inspector.text()
    assert "z = ?" in text and "a = ?" in text
    assert "∂L/∂a = ?" in text and "∂L/∂z = ?" in text
    assert "−1.0" not in text and "0.0" not in text.replace("= ?", "")
    assert hidden_values.is_hidden(doc, "dL_da", 1, 0)  # not revealed by the frame yet
    assert not hidden_values.is_hidden(doc, "b", 1, 0)  # a parameter: known from the start
    chain = win.features["chain_rule"].panel.plain_text()
    assert "−2.0" not in chain and "−1.0" not in chain
    for plot in win.findChildren(ActivationPlotPanel):
        assert "z" not in plot.values and "f" not in plot.values
    assert d.shown(1, 0).get("z") == "?"
    # the right answer reveals z (and plays on to it); a and ∂L/∂a stay "?"
    d.answer(-2.0)
    d.session.finish_reveal()
    QApplication.processEvents()
    text = inspector.text()
    assert "z = −2.0" in text and "a = ?" in text and "∂L/∂a = ?" in text
    assert d.shown(1, 0)["z"] == -2.0
    # a step without hidden values shows every number
    d.go(13)
    assert "?" not in inspector.text()


def _check_plot_fonts(win, setup: str, floor_px: float, dock) -> int:
    views = [v for v in dock.findChildren(pg.GraphicsView) if v.isVisible() and v.width() > 0]
    for view in views:
        for plot in [i for i in view.scene().items() if isinstance(i, pg.PlotItem)]:
            for name in ("bottom", "left"):
                axis = plot.getAxis(name)
                if axis.isVisible() and axis.style.get("tickFont") is not None:
                    px = axis.style["tickFont"].pointSizeF() * 96 / 72
                    assert px >= floor_px - 0.01, (setup, view.objectName(), name, px)
        for legend in [i for i in view.scene().items() if isinstance(i, pg.LegendItem)]:
            size = float(str(legend.opts["labelTextSize"]).removesuffix("pt"))
            assert size * 96 / 72 >= floor_px - 0.01, (setup, view.objectName(), size)
    return len(views)


@pytest.mark.parametrize("setup", ["zoom", "presenter"])
def test_plots_and_caption_follow_the_text_scale(nnviz_window, setup):
    """View ▸ Zoom Text and presenter mode's 18 px floor reach the activation and
    gradient-flow plots (ticks, legend) and the playback caption."""
    d = nnviz_window
    win = d.window
    checked = 0
    if setup == "zoom":
        d.open("lesson-1", step=6)
        _settle(win)
        # with a lesson open at this size the playback bar says the caption and the
        # card is not drawn; the card's own text must follow the scale all the same
        assert not win.canvas.caption_overlay.isVisible()
        win.canvas.caption_overlay.set_shown_elsewhere(None)
        _settle(win)
        band = win.canvas.caption_band  # the caption's two lines at 100 %
        textscale.set_factor(2.0)
        win.presenter._refresh_fonts()
        for name in ("activationPlotDock", "gradientFlowDock"):  # (tabs: one at a time)
            win.docks[name].show()
            win.docks[name].raise_()
            _settle(win)
            floor = plot_style.TICK_PT * 2.0 * 96 / 72
            checked += _check_plot_fonts(win, setup, floor, win.docks[name])
    else:
        win = _present(d, step=6)
        _settle(win)
        pres = win.presenter
        assert len(pres.step_docks) == 2  # two plots at 1024 wide: tabs, one at a time
        checked += _check_plot_fonts(win, setup, 18.0, pres.step_docks[0])
        for _ in range(6):  # the clicker: the rest of the text, then the next tab
            QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_PageDown)
            if pres.step_tab == 1:
                break
        assert pres.step_tab == 1 and d.lesson_step == 6
        _settle(win)
        checked += _check_plot_fonts(win, setup, 18.0, pres.step_docks[1])
    assert checked >= 2
    caption = win.canvas.caption_overlay
    assert caption.isVisible()
    if setup == "presenter":
        assert QFontInfo(caption.font()).pixelSize() >= 18
    else:  # (a long caption takes a smaller font to stay on two lines; its band grew)
        assert win.canvas.caption_band > band


def test_a_student_answers_by_keyboard_alone(nnviz_window):
    """PageDown walks to a question and puts the focus on its answer: digits choose an
    option, Enter checks it; a number is typed and Enter checks it. No mouse."""
    d = nnviz_window
    win = d.window
    d.open("lesson-1", step=1)
    panel = win.lessons.panel
    panel.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown)
    assert d.lesson_step == 2
    assert QApplication.focusWidget() is panel.option_buttons[0]
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)  # a wrong answer first
    assert panel.option_buttons[1].isChecked()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert d.feedback().startswith("✘") and not d.session.solved()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_A)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert d.feedback().startswith("✔") and d.session.solved()
    for _ in range(2):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown)
    assert d.lesson_step == 4
    assert QApplication.focusWidget() is panel.number
    QTest.keyClicks(panel.number, "0.25")
    QTest.keyClick(panel.number, Qt.Key.Key_Return)
    assert d.feedback().startswith("✔") and d.session.solved()
    QTest.keyClick(panel.number, Qt.Key.Key_PageDown)  # on from the field too
    assert d.lesson_step == 5
