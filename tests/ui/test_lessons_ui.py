"""The lesson panel, its session and presenter mode, driven through the ``nnviz_window``
fixture of the package's own pytest plugin (nnviz.testing)."""

from __future__ import annotations

import math

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QFontInfo, QMouseEvent, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTextBrowser,
    QToolBar,
    QWidget,
)

from nnviz.core import lessons as core
from nnviz.testing import close_window, make_window
from nnviz.ui import hidden_values, textscale
from nnviz.ui import theme as themes
from nnviz.ui.document import Selection
from nnviz.ui.lessons import presenter as presenter_mod
from nnviz.ui.lessons.session import settings_key

LESSON_1 = core.load_named("lesson-1")


def _wrong_answers(ex: core.Exercise) -> list[tuple[object, str]]:
    """Every wrong answer the lesson has feedback for, with that feedback."""
    if isinstance(ex, core.ChoiceExercise):
        return [(k, o.feedback) for k, o in enumerate(ex.options) if not o.correct]
    out: list[tuple[object, str]] = [(m.value, m.feedback) for m in ex.mistakes]
    far = ex.answer + 1000.0  # a number matching no mistake: the general hint
    out.append((far, ex.wrong or "Not quite; check each term and try again."))
    return out


def _hidden_at_selection(session) -> list[str]:
    sel = session.document.selection
    if sel is None or sel.kind != "neuron":
        return []
    keys = hidden_values.hidden(session.document)
    return [k[0] for k in keys if len(k) == 3 and (k[1], k[2]) == (sel.layer, sel.neuron)]


# ------------------------------------------------------------------ walking
def test_walk_lesson_1_answering_wrong_then_right_at_every_exercise(nnviz_window):
    """Every step of lesson 1 shows; at each exercise every common mistake gets its own
    feedback (and changes nothing), then the right answer reveals the hidden values."""
    d = nnviz_window
    d.open("lesson-1")
    panel = d.window.lessons.panel
    assert panel.objectName() == "lessonPanel" and panel.isVisible()
    n_ex = len(LESSON_1.exercises)
    solved = 0
    for k, step in enumerate(LESSON_1.steps):
        d.go(k + 1)
        assert d.lesson_step == k + 1
        assert step.title in panel.text.toPlainText()
        assert panel.step_label.text().startswith(f"Step {k + 1} of {len(LESSON_1)}")
        ex = step.exercise
        assert panel.exercise_box.isVisibleTo(panel) == (ex is not None)
        if ex is None:
            continue
        assert panel.prompt.text() == ex.prompt
        hidden_before = _hidden_at_selection(d.session)
        sel = d.document.selection
        for name in hidden_before:  # the canvas asks: "?" where the number will be
            assert d.shown(sel.layer, sel.neuron).get(name) == "?", (step.title, name)
        if isinstance(ex, core.NumberExercise):
            fb = d.answer("two")
            assert not fb.valid and "not a number" in fb.message
        for value, message in _wrong_answers(ex):
            fb = d.answer(value)
            assert not fb.correct and fb.message == message, (step.title, value)
            assert message in d.feedback() and d.feedback().startswith("✘")
            assert _hidden_at_selection(d.session) == hidden_before  # nothing given away
        fb = d.answer(ex.answer)
        assert fb.correct, (step.title, fb)
        assert d.feedback().startswith("✔")
        solved += 1
        assert f"{solved} of {n_ex} answered" in panel.step_label.text()
        # every "?" is gone but what the next step asks (answering z keeps the next a)
        assert hidden_values.hidden(d.document) == frozenset(d.session._asked_next())
        if ex.reveal is not None:  # the animation played on to the reveal
            assert d.step == ex.reveal.resolve(d.playback.plan)
        shown = d.shown(sel.layer, sel.neuron) if hidden_before else {}
        kept = {key[0] for key in d.session._asked_next()}
        for name in hidden_before:  # no "?" left: a number, or not reached yet
            if name not in kept:  # (what the next step asks stays "?")
                assert shown.get(name) != "?", (step.title, name, shown)
        engine = getattr(ex, "engine", None)
        if engine in hidden_before:  # the reveal shows the engine's number, the answer
            assert shown[engine] == pytest.approx(ex.answer, abs=ex.tolerance)
    assert d.session.progress.solved == n_ex


def test_one_neuron_exercise_shows_engine_numbers_after_reveal(nnviz_window):
    d = nnviz_window
    d.open("lesson-1")
    z_step = LESSON_1.step_of("z").number
    d.go(z_step)
    assert d.shown(1, 0) == {"b": 1.0, "z": "?", "a": "?"}
    assert "z = ?" in d.window.inspector.values.text()
    fb = d.answer(-3.0)
    assert not fb.correct and "bias" in fb.message
    assert d.answer("−2,0").correct  # a Unicode minus and a decimal comma are read
    assert d.shown(1, 0) == {"z": -2.0, "b": 1.0, "a": "?"}  # the next step asks for a
    d.next()
    assert d.shown(1, 0)["a"] == "?"
    assert d.answer("A").correct is False  # a = −2.0: ReLU does not pass negatives
    assert "ReLU does not pass negative values" in d.feedback()
    option_b = d.window.lessons.panel.option_buttons[1]
    option_b.setFocus()
    QTest.keyClick(option_b, Qt.Key.Key_Return)  # the keyboard alone: Enter on an answer
    assert d.feedback().startswith("✔")
    assert d.answer("B").correct
    assert d.shown(1, 0) == {"z": -2.0, "a": 0.0, "b": 1.0}


def test_step_actions_load_select_seek_and_show(nnviz_window):
    d = nnviz_window
    d.open("lesson-1")
    step = LESSON_1.step_of("dL_dw")
    d.go(step.number)
    assert d.document.network.sizes == [2, 3, 1]
    sel = d.document.selection
    assert (sel.kind, sel.layer, sel.neuron, sel.source) == ("edge", 2, 0, 0)
    assert d.step == step.seek.resolve(d.playback.plan)
    assert d.window.docks["chainRuleDock"].isVisible()
    assert ("dL_dw", 2, 0, 0) in hidden_values.hidden(d.document)
    assert "∂L/∂w = ?" in d.window.inspector.values.text()
    assert hidden_values.asked_edge_label(d.document, 2, 0, 0) == "∂L/∂w = ?"  # on the edge
    assert hidden_values.asked_edge_label(d.document, 2, 0, 1) == ""
    d.seek("end")
    assert d.step == d.playback.last
    d.seek(0).select(0, 1)
    assert d.shown(0, 1) == {"x": -0.5}


def test_page_down_and_up_walk_the_lesson_when_it_has_the_focus(nnviz_window):
    d = nnviz_window
    d.open("lesson-1")
    panel = d.window.lessons.panel
    d.window.activateWindow()
    panel.text.setFocus()
    QTest.keyClick(panel.text, Qt.Key.Key_PageDown)
    QTest.keyClick(panel.text, Qt.Key.Key_PageDown)
    assert d.lesson_step == 3
    QTest.keyClick(panel.next_button, Qt.Key.Key_PageUp)
    assert d.lesson_step == 2
    # elsewhere PageDown still steps the playback, not the lesson
    canvas = d.window.canvas
    before = d.step
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_PageDown)
    assert d.lesson_step == 2
    assert d.step == min(before + 1, d.playback.last) or before == d.playback.last


def test_progress_is_remembered_reset_and_restarted(qtbot, tmp_path, monkeypatch):
    """The step and each answer survive a restart of the app (QSettings in a temp folder)."""
    where = tmp_path / "settings"
    monkeypatch.setenv("NNVIZ_CONFIG_DIR", str(where))  # make_window points it here too
    win = make_window(where)
    qtbot.addWidget(win, before_close_func=close_window)
    win.show()
    assert win.lessons.open("lesson-1")
    s = win.lessons.session
    s.go(LESSON_1.step_of("z").index)
    s.answer(-3.0)
    assert s.answer(-2.0).correct
    s.next()
    from nnviz.ui import settings

    stored = settings.get(settings_key(LESSON_1))
    assert '"current": 8' in stored and where.exists()
    close_window(win)

    again = make_window(where)
    qtbot.addWidget(again, before_close_func=close_window)
    again.show()
    assert again.lessons.open("lesson-1")
    s = again.lessons.session
    assert s.index == LESSON_1.step_of("z").index + 1
    z = s.progress.exercises["z"]
    assert z.solved and z.attempts == 2 and not z.first_try
    s.previous()
    assert not hidden_values.hidden(again.document)  # solved: nothing hidden any more
    assert again.lessons.panel.number.text() == "-2.0"
    again.lessons.panel.reset_step()
    assert not s.progress.exercises["z"].solved
    assert ("z", 1, 0) in hidden_values.hidden(again.document)
    assert again.lessons.panel.feedback.text() == ""
    s.answer(-2.0)
    again.lessons.panel.restart()
    assert s.index == 0 and s.progress.solved == 0


def test_help_menu_lists_the_lessons_and_opens_one(nnviz_window):
    win = nnviz_window.window
    menu = win.lessons.menu
    menu.aboutToShow.emit()
    names = [a.objectName() for a in menu.actions()]
    assert names[:2] == ["lesson_lesson-1", "lesson_lesson-2"]
    menu.actions()[0].trigger()
    assert win.lessons.session.lesson.name == "lesson-1"
    win.actions_by_name["closeLessonAction"].trigger()
    assert win.lessons.session is None and not hidden_values.hidden(win.document)


def test_a_broken_lesson_file_is_one_sentence_and_changes_nothing(nnviz_window, tmp_path):
    d = nnviz_window
    bad = tmp_path / "bad.md"
    bad.write_text(
        '+++\nformat = "nnviz.lesson"\nversion = 1\ntitle = "T"\n+++\n\n'
        '+++\ntitle = "S"\nexample = "one_neuron"\nseek = "nowhere"\n+++\nText.\n',
        encoding="utf-8",
    )
    sizes = d.document.network.sizes
    assert not d.window.lessons.open(bad)
    msg = d.window.status.text()
    assert msg.startswith("bad.md, step 1") and "seek" in msg and "\n" not in msg
    assert d.window.lessons.session is None and d.document.network.sizes == sizes


# ------------------------------------------------------------------ presenter
def _small_widget_texts(win: QWidget, min_px: float) -> list[tuple]:
    small = []
    for w in win.findChildren(QWidget):
        if not w.isVisibleTo(win) or not w.isVisible():
            continue
        text = ""
        if isinstance(w, QLabel | QAbstractButton):
            text = w.text()
        elif isinstance(w, QLineEdit):
            text = w.text() or w.placeholderText()
        elif isinstance(w, QGroupBox):
            text = w.title()
        elif isinstance(w, QTextBrowser):
            text = w.toPlainText()
            doc = w.document()
            block = doc.begin()
            while block.isValid():  # every run of the rendered Markdown
                it = block.begin()
                while not it.atEnd():
                    frag = it.fragment()
                    if frag.text().strip():
                        f = frag.charFormat().font()
                        px = f.pointSizeF() * w.logicalDpiY() / 72 if f.pointSizeF() > 0 else 0
                        if px and px < min_px:
                            small.append((px, w.objectName(), frag.text()[:20]))
                    it += 1
                block = block.next()
        if text.strip():
            px = QFontInfo(w.font()).pixelSize()
            if px < min_px:
                small.append((px, type(w).__name__, w.objectName(), text[:30]))
    return small


def _painted_text_sizes(win, monkeypatch) -> list[tuple[float, str]]:
    """Every font the canvas's painting sets, as pixels on screen (the painter's
    transform included), recorded while the whole window is rendered afresh."""
    seen: list[tuple[float, str]] = []
    original = QPainter.setFont

    def record(p: QPainter, font) -> None:
        t = p.worldTransform()
        scale = math.sqrt(abs(t.determinant())) or 1.0
        dpi = p.device().logicalDpiY() if p.device() is not None else 96
        px = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * dpi / 72
        seen.append((px * scale, font.family()))
        original(p, font)

    monkeypatch.setattr(QPainter, "setFont", record)
    win.presenter._refresh_fonts()  # nothing drawn from a cache
    win.canvas.static.rebuild()
    win.grab()
    monkeypatch.setattr(QPainter, "setFont", original)
    return seen


@pytest.mark.parametrize("lesson_step", [None, 1, 4, 5, 6, 8, 11, 12])
def test_presenter_at_1024x768_hides_editing_panels_and_no_text_below_18px(
    nnviz_window, monkeypatch, lesson_step
):
    d = nnviz_window
    win = d.window
    if lesson_step is not None:
        d.open("lesson-1", step=lesson_step)
    win.resize(1024, 768)
    win.presenter.enter(full_screen=False)
    QApplication.processEvents()
    win.canvas.fit()
    assert win.width() == 1024 and win.height() <= 768
    visible_docks = {dk.objectName() for dk in win.findChildren(QDockWidget) if dk.isVisible()}
    # with a lesson: its text, and the panels the step asks for (plots, chain rule, …)
    expected = {"lessonDock"} if lesson_step is not None else {"chainRuleDock"}
    if lesson_step is not None:
        expected |= set(d.session.step_docks())
    assert visible_docks == expected
    assert not any(tb.isVisible() for tb in win.findChildren(QToolBar))
    assert not win.menuBar().isVisible() and not win.statusBar().isVisible()
    assert win.canvas.width() >= 0.5 * win.width()
    assert _small_widget_texts(win, 18.0) == []
    # the painted fonts below include the plots' (ticks, legends: pyqtgraph paints
    # them) where the step shows one, and the caption is a label measured above
    plots = {"gradientFlowDock", "activationPlotDock"} & expected
    assert not plots or any(v.isVisible() for v in win.findChildren(pg.GraphicsView))
    if win.playback.is_active():
        assert win.canvas.caption_overlay.isVisible()
    painted = _painted_text_sizes(win, monkeypatch)
    assert painted, "the canvas painted no text"
    assert min(px for px, _ in painted) >= 18.0 - 1e-6
    # Esc leaves and gives everything back
    QTest.keyClick(win.canvas, Qt.Key.Key_Escape)
    assert not win.presenter.active
    assert win.menuBar().isVisible() or win.menuBar().isVisibleTo(win)
    assert win.docks["inspectorDock"].isVisible()
    assert textscale.factor() == 1.0 and textscale.min_px() == 0


def test_presenter_keys_clicker_walks_lesson_wherever_the_focus_is(nnviz_window):
    """A clicker's PageDown: first the rest of a text that did not fit (scrolled a page
    at a time), then the step's panels that are tabs, on a question then the answer
    (played on to its reveal), then the next step; PageUp goes back. No mouse,
    wherever the focus is."""
    d = nnviz_window
    win = d.window
    d.open("lesson-1")
    QTest.keyClick(win, Qt.Key.Key_F5)
    assert win.presenter.active and win.actions_by_name["presenterAction"].isChecked()
    win.canvas.setFocus()
    z_step = LESSON_1.step_of("z")
    expected, shown_answer = 1, False
    while expected < z_step.number or not shown_answer:
        QApplication.processEvents()  # the page's layout after the last step
        bar = win.lessons.panel.scroll.verticalScrollBar()  # the step's page
        more, at = bar.isVisible() and bar.value() < bar.maximum(), bar.value()
        tab = win.presenter.step_tab
        QTest.keyClick(win.canvas, Qt.Key.Key_PageDown)
        if more:  # the text first: the same step, further down
            assert d.lesson_step == expected and bar.value() > at
            continue
        if win.presenter.step_tab == tab + 1:  # then the step's next panel (a tab)
            assert d.lesson_step == expected
            continue
        d.session.finish_reveal()
        ex = LESSON_1.steps[expected - 1].exercise
        if ex is not None and not shown_answer:
            shown_answer = True  # the answer first
            assert d.lesson_step == expected
            assert d.feedback().startswith("▶ The answer:")
        else:
            expected += 1
            shown_answer = False
            assert d.lesson_step == expected
    assert "The answer: −2.0." in d.feedback()
    # z is revealed on the canvas; only what the next step asks stays "?"
    assert hidden_values.hidden(d.document) == frozenset(d.session._asked_next())
    assert d.shown(1, 0)["z"] == -2.0
    assert d.session.progress.exercises["z"].solved is False  # shown, not answered
    for _ in range(20):  # PageUp scrolls the page back up first, then goes back
        QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
        if d.lesson_step != z_step.number:
            break
    assert d.lesson_step == z_step.number - 1
    QTest.keyClick(win.canvas, Qt.Key.Key_F5)
    assert not win.presenter.active


def test_presenter_text_scale_high_contrast_and_laser(nnviz_window):
    d = nnviz_window
    win = d.window
    pres = win.presenter
    pres.set_high_contrast(True)
    pres.enter(full_screen=False)
    assert themes.current() is presenter_mod.HIGH_CONTRAST
    assert textscale.factor() == pres.scale == presenter_mod.DEFAULT_PRESENTER_SCALE
    win.actions_by_name["textLargerAction"].trigger()
    assert textscale.factor() == pres.scale == presenter_mod.DEFAULT_PRESENTER_SCALE + 0.25
    for _ in range(20):
        win.actions_by_name["textLargerAction"].trigger()
    assert pres.scale == textscale.MAX
    # the laser ring sits on the neuron under the mouse
    canvas = win.canvas
    target = canvas.view_pos_of(Selection.of_neuron(1, 0))
    # the mouse, as a teacher moves it: a move event straight to the viewport (QTest's
    # mouseMove goes through Qt's global mouse state, which earlier tests that click
    # in other windows leave behind, and then sends nothing)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        target,
        canvas.viewport().mapToGlobal(target),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas.viewport(), move)
    assert pres.laser.isVisible() and pres.laser.target is not None
    assert (pres.laser.target.layer, pres.laser.target.neuron) == (1, 0)
    assert pres.laser.target_rect().contains(target.toPoint())
    pres.leave()
    assert themes.current().name == "light" and not pres.laser.isVisible()
    assert textscale.factor() == 1.0
    pres.set_high_contrast(False)
    # outside presenter mode the text zoom is the global one, remembered
    win.actions_by_name["textLargerAction"].trigger()
    assert textscale.factor() == 1.25
    assert win.features["chain_rule"].panel._pt == presenter_mod.CHAIN_RULE_PT * 1.25
    from nnviz.ui import settings

    assert settings.get("text_scale") in (1.25, "1.25")
    win.actions_by_name["textResetAction"].trigger()
    assert textscale.factor() == 1.0


# ------------------------------------------------------------------ hook units
def test_hidden_values_mask_lines_and_texts():
    class Doc:
        class _Sig:
            def emit(self, *_args):
                pass

        display_changed = _Sig()

    class Sel:
        kind, layer, neuron, source = "neuron", 1, 0, -1

    doc = Doc()
    assert hidden_values.set_hidden(doc, [("z", 1, 0)])
    assert not hidden_values.set_hidden(doc, [("z", 1, 0)])  # no change, no redraw
    lines = ["z = -2.0    a = 0.0", "∂L/∂z = 0.0    ∂L/∂a = -1.0"]
    assert hidden_values.mask_lines(doc, Sel(), lines) == [
        "z = ?    a = 0.0",
        "∂L/∂z = 0.0    ∂L/∂a = -1.0",
    ]
    assert hidden_values.mask("∂L/∂w = -0.0231") == "∂L/∂w = ?"
    assert hidden_values.mask("0.818") == "?"


def test_the_activation_plot_keeps_the_asked_numbers_hidden(nnviz_window):
    """At "compute a" the plot knows z but must not print a = f(z) before the answer."""
    d = nnviz_window
    d.open("lesson-1", step=LESSON_1.step_of("a").number)
    plot = d.window.activation_plot
    plot.refresh()
    assert "0.0" not in plot.values_label.text().split("a = f(z) =")[1]
    assert "?" in plot.values_label.text()
    assert "f" not in plot.values
    assert d.answer("B").correct
    plot.refresh()
    assert plot.values["f"] == 0.0
    d.go(LESSON_1.step_of("z").number)
    d.session.reset_step()
    plot.refresh()
    assert plot.values == {}  # z asked again: no value, no marker


@pytest.mark.parametrize("name", core.names())
def test_every_shipped_lesson_walks_to_its_end(nnviz_window, name):
    """Every step of every shipped lesson shows without an error and every exercise takes
    its right answer (lesson 2: the learning rate is set, the training panel is asked for)."""
    d = nnviz_window
    lesson = core.load_named(name)
    d.open(name)
    for k, step in enumerate(lesson.steps):
        d.go(k + 1)
        if step.learning_rate is not None:
            assert d.document.learning_rate == step.learning_rate
        if step.exercise is not None:
            assert d.answer(step.exercise.answer).correct, (name, step.title)
    assert d.session.progress.solved == len(lesson.exercises)
    assert "Traceback" not in d.window.status.text()


def test_full_screen_f11_toggles(nnviz_window):
    win = nnviz_window.window
    act = win.actions_by_name["fullScreenAction"]
    assert act.shortcut().toString() == "F11" and act in win.view_menu.actions()
    act.trigger()
    assert win.isFullScreen()
    act.trigger()
    assert not win.isFullScreen()


def test_lesson_command_line_screenshots(qapp, tmp_path, monkeypatch, capsys):
    """``--lesson NAME --lesson-step K [--presenter] --screenshot``: that step rendered;
    a bad name or step is one sentence and exit status 2."""

    from nnviz.cli import _app_parser
    from nnviz.ui import app as nnviz_app

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    out = tmp_path / "step8.png"
    args = ["--lesson", "lesson-1", "--lesson-step", "8", "--presenter"]
    args += ["--screenshot", str(out), "--size", "1024x768"]
    assert nnviz_app.run(_app_parser().parse_args(args)) == 0
    assert out.stat().st_size > 10_000
    assert textscale.factor() == 1.0 and textscale.min_px() == 0  # presenter left on close
    for bad, said in (
        (["--lesson", "lesson-9"], "there is no lesson 'lesson-9'"),
        (["--lesson", "lesson-1", "--lesson-step", "99"], "has steps 1 to"),
        (["--lesson-step", "2"], "--lesson-step needs --lesson"),
    ):
        argv = bad + ["--screenshot", str(tmp_path / "x.png")]
        assert nnviz_app.run(_app_parser().parse_args(argv)) == 2
        err = capsys.readouterr().err
        assert said in err and err.count("\n") == 1


def test_closing_the_window_leaves_presenter_mode_first(nnviz_window):
    """Whatever the window saves as it closes is its normal layout, not the presenter's."""
    win = nnviz_window.window
    seen = {}
    original = win.closeEvent

    def close_event(event):
        seen["presenting"] = win.presenter.active
        seen["inspector"] = not win.docks["inspectorDock"].isHidden()
        original(event)

    win.closeEvent = close_event
    win.presenter.enter(full_screen=False)
    win.close()
    assert seen == {"presenting": False, "inspector": True}
    assert textscale.factor() == 1.0


def test_another_network_opened_mid_lesson_drops_the_lessons_question_marks(nnviz_window):
    d = nnviz_window
    d.open("lesson-1", step=LESSON_1.step_of("z").number)
    assert hidden_values.hidden(d.document)
    d.document.set_bias(1, 0, 0.5)  # an edit of the lesson's own network keeps them
    assert hidden_values.hidden(d.document)
    d.window.unsaved_answer = QMessageBox.StandardButton.Discard
    d.window.open_example("default")  # File ▸ Open Example: not the lesson's network
    QApplication.processEvents()
    assert not hidden_values.hidden(d.document)
    d.session.reset_step()  # the lesson's network and its question come back
    assert d.document.network.sizes == [1, 1]
    assert ("z", 1, 0) in hidden_values.hidden(d.document)


def test_a_hidden_value_at_step_0_keeps_the_animation_view_until_the_lesson_closes(
    nnviz_window, tmp_path
):
    """At step 0 the editing view writes every number in the neurons: a step that hides
    one there keeps the (empty) animation view instead, and lets go when closed."""
    path = tmp_path / "start.md"
    path.write_text(
        '+++\nformat = "nnviz.lesson"\nversion = 1\ntitle = "T"\n+++\n\n'
        '+++\ntitle = "Guess a"\nexample = "one_neuron"\nselect = [1, 0]\nseek = "start"\n'
        'hide = ["a"]\n[exercise]\ntype = "number"\nprompt = "a?"\nanswer = 0.0\n'
        "+++\nWhat is a?\n",
        encoding="utf-8",
    )
    d = nnviz_window.open(path)
    pb = d.playback
    assert pb.step == 0 and pb.is_active() and pb.hold_active
    assert d.shown(1, 0).get("a") == "?"
    d.window.lessons.close()
    assert not pb.hold_active and not pb.is_active()
    assert d.shown(1, 0)["a"] == 0.0  # the editing view: every number again


def test_a_step_shows_an_image_beside_the_lesson(nnviz_window, tmp_path):
    """Maths a teacher draws as a picture: ![](figure.png) next to the lesson file."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument

    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    assert image.save(str(tmp_path / "chain.png"))
    path = tmp_path / "pictures.md"
    path.write_text(
        '+++\nformat = "nnviz.lesson"\nversion = 1\ntitle = "T"\n+++\n\n'
        '+++\ntitle = "A picture"\nexample = "one_neuron"\n+++\n'
        "The chain rule:\n\n![the chain rule](chain.png)\n",
        encoding="utf-8",
    )
    d = nnviz_window.open(path)
    text = d.window.lessons.panel.text
    text.grab()  # laid out and drawn: the image is loaded
    loaded = text.document().resource(QTextDocument.ResourceType.ImageResource, QUrl("chain.png"))
    assert loaded is not None and loaded.width() == 40  # the picture itself
