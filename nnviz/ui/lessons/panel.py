"""The lesson panel (objectName ``lessonPanel``): a step's text, its question, and the way on.

The step's Markdown is rendered by Qt (``QTextBrowser.setMarkdown``). A
multiple-choice question is a column of radio buttons, a number question a
field; "Check" (or Enter) gives the feedback under it. Previous / Next walk the
lesson; PageUp / PageDown do the same whenever the focus is inside the panel,
so a presenter's clicker walks the lesson (elsewhere they step the playback).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import lessons as core
from nnviz.ui import theme as themes
from nnviz.ui.lessons.lesson_text import LessonText

#: keys that walk the lesson while the focus is in the panel: (next, previous)
NEXT_KEYS = (Qt.Key.Key_PageDown,)
PREVIOUS_KEYS = (Qt.Key.Key_PageUp,)

RIGHT_COLOR = "#228833"  # Paul Tol's green / red: not the value colours
WRONG_COLOR = "#cc3311"


class _LessonKeys(QObject):
    """PageDown / PageUp walk the lesson while the focus is in the panel (before the
    window's playback shortcuts see them)."""

    def __init__(self, panel: LessonPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        t = event.type()
        if t not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        key = event.key()
        if (
            t == QEvent.Type.KeyPress
            and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and isinstance(obj, QRadioButton)
        ):
            obj.setChecked(True)  # Enter on an answer: choose it and check it
            self.panel.check()
            return True
        if (
            t == QEvent.Type.KeyPress
            and not isinstance(obj, QLineEdit)
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            and self.panel.option_buttons
        ):  # 1, 2, 3 … or A, B, C …: choose that answer
            text = event.text().upper()
            k = "123456789".find(text) if text.isdigit() else core.LETTERS.find(text)
            if text and k >= 0 and self.panel.choose(k):
                return True
        return page_keys(event, self.panel.go_next, self.panel.go_previous)


def page_keys(event, on_next, on_previous) -> bool:
    """PageDown / PageUp (what a clicker sends, no modifier): ``on_next()`` /
    ``on_previous()`` on the key press. The shortcut override is taken too, so the key
    comes as a key press rather than to the window's playback actions. True if
    ``event`` was one of them (the caller's event filter then stops it)."""
    t = event.type()
    if t not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        return False
    key = event.key()
    if key not in NEXT_KEYS + PREVIOUS_KEYS or event.modifiers() not in (
        Qt.KeyboardModifier.NoModifier,
        Qt.KeyboardModifier.KeypadModifier,
    ):
        return False
    if t == QEvent.Type.ShortcutOverride:
        event.accept()
    elif key in NEXT_KEYS:
        on_next()
    else:
        on_previous()
    return True


class _OptionLabel(QLabel):
    """An answer's text beside its radio button: wraps, and a click chooses it."""

    def __init__(self, text: str, button: QRadioButton) -> None:
        super().__init__(text)
        self.button = button
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setToolTip(button.toolTip())

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.button.setChecked(True)
        self.button.setFocus()


class LessonPanel(QWidget):
    """Shows one :class:`~nnviz.ui.lessons.session.LessonSession` and walks it."""

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.setToolTip("")
        self.session = session
        self._keys = _LessonKeys(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)

        self.title = QLabel()
        self.title.setObjectName("lessonTitle")
        self.title.setWordWrap(True)
        self.title.setToolTip("The lesson and the part of it you are in")
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        lay.addWidget(self.title)

        row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("lessonProgress")
        self.progress.setToolTip("How far through the lesson you are")
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.step_label = QLabel()
        self.step_label.setObjectName("lessonStepLabel")
        self.step_label.setToolTip("The step you are on, and the questions answered so far")
        self.step_label.setWordWrap(True)
        row.addWidget(self.step_label)
        row.addWidget(self.progress, 1)
        lay.addLayout(row)

        # the step's text and its question read as one page that scrolls as a whole: an
        # answer's feedback is added below the options (nothing above it moves), and the
        # text never shrinks to make room for it (it is as tall as it is long)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("lessonScroll")
        self.scroll.setToolTip("")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page = QWidget()
        self.page.setObjectName("lessonPage")
        page = QVBoxLayout(self.page)
        page.setContentsMargins(0, 0, 0, 0)
        self.text = LessonText()  # pictures and links read by the safe-file rules
        self.text.setObjectName("lessonText")
        self.text.setToolTip("The step's text (PageDown / PageUp: next / previous step)")
        self.text.setOpenExternalLinks(True)
        self.text.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.text.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.text.document().documentLayout().documentSizeChanged.connect(self._fit_text_height)
        page.addWidget(self.text)
        lay.addWidget(self.scroll, 1)

        self.exercise_box = QGroupBox("Your turn")
        self.exercise_box.setObjectName("lessonExercise")
        self.exercise_box.setToolTip("Work it out, then check your answer")
        ex = QVBoxLayout(self.exercise_box)
        self.prompt = QLabel()
        self.prompt.setObjectName("lessonPrompt")
        self.prompt.setWordWrap(True)
        ex.addWidget(self.prompt)
        self.options_box = QWidget()
        self.options_layout = QVBoxLayout(self.options_box)
        self.options_layout.setContentsMargins(0, 0, 0, 0)
        self.option_group = QButtonGroup(self)
        self.option_buttons: list[QRadioButton] = []
        self._option_rows: list[QWidget] = []
        ex.addWidget(self.options_box)
        self.number = QLineEdit()
        self.number.setObjectName("lessonAnswer")
        self.number.setPlaceholderText("a number, e.g. -1.5")
        self.number.setToolTip("Type your answer and press Enter")
        self.number.returnPressed.connect(self.check)
        ex.addWidget(self.number)
        check_row = QHBoxLayout()
        self.check_button = QPushButton("Check")
        self.check_button.setObjectName("lessonCheck")
        self.check_button.setToolTip("Check your answer (Enter)")
        self.check_button.clicked.connect(self.check)
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)
        ex.addLayout(check_row)
        self.feedback = QLabel()
        self.feedback.setObjectName("lessonFeedback")
        self.feedback.setWordWrap(True)
        self.feedback.setToolTip("What your answer tells you")
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)
        self.feedback.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        ex.addWidget(self.feedback)
        page.addWidget(self.exercise_box)
        page.addStretch(1)
        self.scroll.setWidget(self.page)

        nav = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setObjectName("lessonPrevious")
        self.previous_button.setToolTip("The previous step (PageUp)")
        self.previous_button.clicked.connect(self.go_previous)
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("lessonNext")
        self.next_button.setToolTip("The next step (PageDown)")
        self.next_button.clicked.connect(self.go_next)
        self.reset_button = QPushButton("Reset step")
        self.reset_button.setObjectName("lessonResetStep")
        self.reset_button.setToolTip("Forget this step's answer and hide its values again")
        self.reset_button.clicked.connect(self.reset_step)
        self.restart_button = QPushButton("Restart")
        self.restart_button.setObjectName("lessonRestart")
        self.restart_button.setToolTip("Forget every answer and start the lesson again")
        self.restart_button.clicked.connect(self.restart)
        for b in (self.previous_button, self.next_button):
            nav.addWidget(b)
        nav.addStretch(1)
        lay.addLayout(nav)
        again = QHBoxLayout()  # a row of its own: the panel stays narrow at large text
        for b in (self.reset_button, self.restart_button):
            again.addWidget(b)
        again.addStretch(1)
        lay.addLayout(again)

        for w in [self, *self.findChildren(QWidget)]:
            w.installEventFilter(self._keys)
        session.step_changed.connect(self.refresh)
        session.answered.connect(self._on_answered)
        session.answer_shown.connect(self._on_answer_shown)
        self.refresh()

    # ------------------------------------------------------------- moving
    def go_next(self) -> None:
        self.session.finish_reveal()
        self.session.next()

    def present_next(self) -> None:
        """A clicker's "next" while presenting: first the rest of the step's page that did
        not fit (a screen at a time), then each of the step's panels that are tabs, then
        an unanswered question's answer (played on to its reveal), then, on the next
        press, the next step."""
        if self.scroll_page(1):
            return
        s = self.session
        answered = s.exercise is not None and (s.solved() or s.index in s.revealed)
        presenter = getattr(s.window, "presenter", None)
        if not answered and presenter is not None and presenter.next_step_panel():
            return  # the step's next panel (a tab under the canvas) to the front
        if s.exercise is not None and not answered:
            s.show_answer()
        else:
            self.go_next()

    def present_previous(self) -> None:
        """A clicker's "previous" while presenting: back up the step's page, then the
        previous step (shown from its top)."""
        if not self.scroll_page(-1):
            self.go_previous()

    def go_previous(self) -> None:
        self.session.finish_reveal()
        self.session.previous()

    def reset_step(self) -> None:
        self.session.reset_step()

    def restart(self) -> None:
        self.session.restart()

    # ------------------------------------------------------------- the page
    def scroll_page(self, direction: int) -> bool:
        """Scroll the step's page (text and question) one screen down (``direction`` >
        0) or up, keeping two lines of the last screen in view. False when it is already
        at that end: a clicker's PageDown then goes on to the answer or the next step."""
        # a step that just opened may not be laid out yet (a quick clicker): lay it
        # out now, so the range is this step's
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        bar = self.scroll.verticalScrollBar()
        end = bar.maximum() if direction > 0 else bar.minimum()
        if bar.value() == end:
            return False
        overlap = 2 * self.text.fontMetrics().lineSpacing()
        step = max(bar.pageStep() - overlap, bar.singleStep(), 1)
        bar.setValue(bar.value() + step if direction > 0 else bar.value() - step)
        return True

    def _fit_text_height(self, *_args) -> None:
        """The text is as tall as its document at the panel's width (the page scrolls)."""
        m = self.text.contentsMargins()
        h = math.ceil(self.text.document().size().height()) + m.top() + m.bottom()
        if h != self.text.height():
            self.text.setFixedHeight(h)

    def _feedback_texts(self, ex: core.Exercise) -> list[str]:
        """Every feedback this question can give (as the label writes it)."""
        out = ["▶ " + self.answer_text(ex), "✘ Choose one of the answers first."]
        if isinstance(ex, core.ChoiceExercise):
            answers: list[object] = list(range(len(ex.options)))
        else:
            answers = [ex.answer, ex.answer + 1000.0, "0.000000", *(m.value for m in ex.mistakes)]
        for value in answers:
            fb = core.check_answer(ex, value)
            out.append(("✔ " if fb.correct else "✘ ") + fb.message)
        return out

    def _reserve_feedback_room(self) -> None:
        """The feedback's room is kept free under the options from the start (as tall
        as its longest text at this width): when it appears nothing moves."""
        ex = self.session.exercise
        width = self.feedback.width()
        if ex is None or width <= 0:
            return
        f = self.feedback.font()
        f.setBold(True)
        fm = QFontMetrics(f)
        flags = int(Qt.TextFlag.TextWordWrap)
        tallest = max(
            fm.boundingRect(0, 0, width, 100000, flags, t).height()
            for t in self._feedback_texts(ex)
        )
        if self.feedback.minimumHeight() != tallest:
            self.feedback.setMinimumHeight(tallest)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._reserve_feedback_room)  # once the label has its width

    def _show_feedback(self) -> None:
        """Scroll the feedback into view once laid out (only if it is not in view: at a
        second try the options stay where they were)."""
        QTimer.singleShot(0, self, self._ensure_feedback_visible)

    def _ensure_feedback_visible(self) -> None:
        if self.feedback.text() and self.feedback.isVisible():
            self.scroll.ensureWidgetVisible(self.feedback, 0, 4)

    def _focus_target(self) -> QWidget:
        """Where the keyboard goes on this step: the answer field of a number question
        (type the answer, Enter), the chosen or first option of a choice (arrows,
        Enter), else the text (PageDown / PageUp walk the lesson from any of them)."""
        ex = self.session.exercise
        if ex is None:
            return self.text
        if isinstance(ex, core.ChoiceExercise) and self.option_buttons:
            checked = self.option_group.checkedButton()
            return checked if checked is not None else self.option_buttons[0]
        return self.text if isinstance(ex, core.ChoiceExercise) else self.number

    #: a step just opened with the keyboard in the panel: its answer takes the focus
    _want_focus = False

    def _refocus(self) -> None:
        target = self.focusProxy()
        if self._want_focus and target is not None and target.isVisible():
            self.setFocus()
        self._want_focus = False

    def _has_focus_inside(self) -> bool:
        """Whether the keyboard is in the panel, or the clicker walks the lesson from
        anywhere (presenter mode): then a new step's answer takes the focus."""
        presenter = getattr(self.session.window, "presenter", None)
        if presenter is not None and presenter.active:
            return True
        w = QApplication.focusWidget()
        return w is not None and (w is self or self.isAncestorOf(w))

    def check(self) -> None:
        """Check what is entered (the field's text, or the chosen option)."""
        ex = self.session.exercise
        if ex is None:
            return
        if isinstance(ex, core.ChoiceExercise):
            k = self.option_group.checkedId()
            if k < 0:
                self._set_feedback("Choose one of the answers first.", None)
                return
            self.session.answer(k)
        else:
            self.session.answer(self.number.text())

    # ------------------------------------------------------------- showing
    def refresh(self, _k=None) -> None:
        focused = self._has_focus_inside()
        s = self.session
        lesson, k = s.lesson, s.index
        step = lesson.steps[k]
        part = f" — {step.part}" if step.part else ""
        self.title.setText(f"{lesson.title}{part}")
        n_ex = len(lesson.exercises)
        solved = s.progress.solved
        answered = f" · {solved} of {n_ex} answered" if n_ex else ""
        self.step_label.setText(f"Step {k + 1} of {len(lesson)}{answered}")
        self.progress.setRange(0, len(lesson))
        self.progress.setValue(k + 1)
        if lesson.path is not None:  # images a lesson shows (![](figure.png)) sit beside it
            self.text.setSearchPaths([str(lesson.path.parent)])
        intro = f"{lesson.intro}\n\n---\n\n" if k == 0 and lesson.intro else ""
        self.text.setMarkdown(f"{intro}## {step.title}\n\n{step.text}")
        self._build_exercise(step.exercise)
        self.previous_button.setEnabled(k > 0)
        self.next_button.setEnabled(k < len(lesson) - 1)
        self.reset_button.setEnabled(step.exercise is not None)
        self.scroll.verticalScrollBar().setValue(0)  # a new step is read from its top
        # the panel's focus goes to the step's answer (the window, the presenter and
        # open() focus the panel); it moves there now if the focus was in the panel
        self.setFocusProxy(self._focus_target())
        if focused:
            self.setFocus()
            # new option buttons are shown by their layout a moment later (a hidden
            # widget takes no focus): once more then
            self._want_focus = True
            QTimer.singleShot(0, self, self._refocus)

    def _build_exercise(self, ex: core.Exercise | None) -> None:
        for b in self.option_buttons:
            self.option_group.removeButton(b)
        for row in self._option_rows:
            row.hide()
            row.deleteLater()
        self.option_buttons = []
        self._option_rows = []
        self.exercise_box.setVisible(ex is not None)
        if ex is None:
            return
        self.prompt.setText(ex.prompt)
        state = self.session.progress.exercises.get(ex.id, core.ExerciseProgress())
        if isinstance(ex, core.ChoiceExercise):
            self.number.hide()
            self.options_box.show()
            for i, opt in enumerate(ex.options):
                # the letter on the button, the text in a wrapping label beside it (a radio
                # button's own text never wraps: long answers would widen the panel)
                row = QWidget()
                rl = QHBoxLayout(row)
                rl.setContentsMargins(0, 0, 0, 0)
                b = QRadioButton(f"{core.LETTERS[i]})")
                b.setObjectName(f"lessonOption{i}")
                b.setToolTip(f"Answer {core.LETTERS[i]}")
                b.installEventFilter(self._keys)
                label = _OptionLabel(opt.text, b)
                label.setObjectName(f"lessonOptionText{i}")
                label.installEventFilter(self._keys)
                rl.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
                rl.addWidget(label, 1)
                self.option_group.addButton(b, i)
                self.options_layout.addWidget(row)
                self.option_buttons.append(b)
                self._option_rows.append(row)
            if state.solved:
                self.option_buttons[ex.answer].setChecked(True)
        else:
            self.options_box.hide()
            self.number.show()
            self.number.setText(state.last_answer if state.solved else "")
        if state.solved:
            fb = core.check_answer(ex, ex.answer)
            self._set_feedback(fb.message, True)
        elif self.session.index in self.session.revealed:
            self._on_answer_shown()
        else:
            self._set_feedback("", None)
        self._reserve_feedback_room()

    def choose(self, k: int) -> bool:
        """Choose option ``k`` (0-based) of a multiple-choice question (digit keys 1-9
        and letters A-H do this); Enter then checks it."""
        if not 0 <= k < len(self.option_buttons):
            return False
        self.option_buttons[k].setChecked(True)
        self.option_buttons[k].setFocus()
        return True

    def answer_text(self, ex: core.Exercise) -> str:
        """The right answer, written out, with why."""
        if isinstance(ex, core.ChoiceExercise):
            k = ex.answer
            opt = ex.options[k]
            why = opt.feedback or ex.correct
            return f"The answer: {core.LETTERS[k]}) {opt.text}. {why}".strip()
        value = f"{ex.answer:.10g}"
        if "." not in value and "e" not in value:
            value += ".0"  # −2.0, as the lesson writes it
        value = value.replace("-", core.MINUS)
        return f"The answer: {value}. {ex.correct}".strip()

    def _on_answer_shown(self) -> None:
        ex = self.session.exercise
        if ex is None:
            return
        if isinstance(ex, core.ChoiceExercise):
            self.option_buttons[ex.answer].setChecked(True)
        self.feedback.setText("▶ " + self.answer_text(ex))
        self.feedback.setStyleSheet("font-weight: bold;")
        self._show_feedback()

    def _on_answered(self, fb: core.Feedback) -> None:
        self._set_feedback(fb.message, fb.correct if fb.valid else False)
        self._show_feedback()
        self.step_label.setText(self.step_label.text().split(" · ")[0] + self._answered_suffix())

    def _answered_suffix(self) -> str:
        n = len(self.session.lesson.exercises)
        return f" · {self.session.progress.solved} of {n} answered" if n else ""

    def _set_feedback(self, text: str, correct: bool | None) -> None:
        if correct is None or not text:
            self.feedback.setText(text)
            self.feedback.setStyleSheet("")
            return
        mark = "✔ " if correct else "✘ "
        self.feedback.setText(mark + text)
        color = RIGHT_COLOR if correct else WRONG_COLOR
        if themes.current().dark:
            color = "#66cc77" if correct else "#ff7755"
        self.feedback.setStyleSheet(f"color: {color}; font-weight: bold;")

    @staticmethod
    def key_names() -> str:
        return ", ".join(
            QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
            for k in NEXT_KEYS + PREVIOUS_KEYS
        )
