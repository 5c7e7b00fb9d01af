"""Lessons: the shipped lessons, their numbers against the engine, answer checking, progress.

The broken-file and fuzzing tests are in ``test_lessons_format.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.core import activations, examples, lessons, propagation, timeline, training


@pytest.fixture(scope="module")
def lesson1() -> lessons.Lesson:
    return lessons.load_named("lesson-1")


@pytest.fixture(scope="module")
def lesson2() -> lessons.Lesson:
    return lessons.load_named("lesson-2")


def _evaluate(name: str):
    p = examples.load(name)
    trace, grads = propagation.evaluate(p.network, p.sample.input, p.sample.target)
    return p, trace, grads


# ------------------------------------------------------------------ shipped
def test_every_shipped_lesson_validates():
    names = lessons.names()
    assert names[:2] == ["lesson-1", "lesson-2"]
    for name in names:
        lesson = lessons.load_named(name)
        assert lesson.name == name and lesson.title and len(lesson) >= 1
        assert lesson.path is not None and lesson.path.name == f"{name}.md"
        assert lessons.find(name).steps == lesson.steps
        assert lessons.find(str(lesson.path)).steps == lesson.steps
        ids = [ex.id for ex in lesson.exercises]
        assert len(ids) == len(set(ids))
        for k, step in enumerate(lesson.steps):
            assert step.index == k and step.title and step.text.strip()
            assert lesson.network_ref(k) is not None  # every step has a network to show
            assert set(step.show) <= set(lessons.PANELS)


def test_lesson1_has_the_five_parts_of_the_course_in_order(lesson1):
    parts = []
    for s in lesson1.steps:
        if not parts or parts[-1] != s.part:
            parts.append(s.part)
    assert [p.split(".")[0] for p in parts] == ["1", "2", "3", "4", "5"]
    assert "activation" in parts[0].lower() and "sigmoid" in parts[1].lower()
    assert "relu" in parts[2].lower() and "forward" in parts[3].lower()
    assert "chain rule" in parts[4].lower()
    loaded = [s.load.example for s in lesson1.steps if s.load is not None]
    assert loaded == [
        "linear_collapse",
        "default",
        "deep_sigmoid",
        "deep_relu",
        "one_neuron",
        "default",
    ]
    # the panels each part is about
    shown = {p: set() for p in parts}
    for s in lesson1.steps:
        shown[s.part] |= set(s.show)
    assert "linearMap" in shown[parts[0]]
    assert {"activationPlot", "gradientFlow"} <= shown[parts[1]]
    assert "chainRule" in shown[parts[4]]


def test_lesson1_forward_pass_answers_are_the_engines_numbers(lesson1):
    p, trace, grads = _evaluate("one_neuron")
    np.testing.assert_array_equal(p.sample.input, [2.0])
    assert p.network.layers[0].W[0, 0] == -1.5 and p.network.layers[0].b[0] == 1.0
    assert p.network.layers[0].activation == "relu"

    z = lesson1.exercise("z")
    assert z.answer == trace.z[1][0, 0] == -2.0
    assert lessons.check_answer(z, trace.z[1][0, 0]).correct

    a = lesson1.exercise("a")
    right = a.options[a.answer].text
    assert trace.a[1][0, 0] == 0.0
    assert "= −2.0" in right and "= 0.0" in right
    # the course's three options: the right one, ReLU passing a negative, the sign dropped
    texts = [o.text for o in a.options]
    assert any(t.endswith("ReLU(−2.0) = −2.0") for t in texts)
    assert any("4.0" in t for t in texts)

    dead = lesson1.exercise("dL_dw-dead")
    assert dead.answer == grads.dL_dW[1][0, 0] == 0.0
    # the common mistake is the product without ReLU′: ∂L/∂a · x
    forgot = grads.dL_da[1][0, 0] * p.sample.input[0]
    assert lessons.check_answer(dead, forgot).matched.startswith("mistake")
    assert "slope" in lessons.check_answer(dead, forgot).message


def test_lesson1_backward_answers_are_the_engines_numbers(lesson1):
    p, trace, grads = _evaluate("default")
    step = lesson1.step_of("dL_dw")
    l, j, i = step.select.as_list()
    ex = lesson1.exercise("dL_dw")
    engine = grads.dL_dW[l][j, i]
    assert engine == pytest.approx(grads.dL_dz[l][0, j] * trace.a[l - 1][0, i])
    assert lessons.check_answer(ex, engine).correct
    # a student reading the canvas's 3-decimal numbers also gets it right
    shown = round(grads.dL_dz[l][0, j], 3) * round(trace.a[l - 1][0, i], 3)
    assert lessons.check_answer(ex, shown).correct
    # each listed mistake is the number the wrong path through the chain rule gives
    w = p.network.layers[l - 1].W[j, i]
    wrong_paths = {
        "∂L/∂a": grads.dL_da[l][0, j] * trace.a[l - 1][0, i],
        "weight": grads.dL_dz[l][0, j] * w,
        "z": grads.dL_dz[l][0, j] * trace.z[l - 1][0, i],
        "sign": -engine,
    }
    for what, value in wrong_paths.items():
        fb = lessons.check_answer(ex, value)
        assert not fb.correct and fb.matched.startswith("mistake"), what

    hidden = lesson1.exercise("dL_da-hidden")
    hstep = lesson1.step_of("dL_da-hidden")
    assert hidden.answer == pytest.approx(grads.dL_da[1][0, hstep.select.neuron], abs=1e-4)
    assert lessons.check_answer(hidden, grads.dL_da[1][0, 0]).correct
    assert lessons.check_answer(hidden, engine).matched.startswith("mistake")


def test_lesson1_activation_answers_are_the_activation_records(lesson1):
    sig = activations.get("sigmoid")
    z = np.linspace(-6, 6, 1201)
    assert lesson1.exercise("sigmoid-slope").answer == pytest.approx(float(np.max(sig.df(z))))
    assert lessons.check_answer(lesson1.exercise("sigmoid-slope"), sig.df(np.zeros(1))[0]).correct
    relu = activations.get("relu")
    assert lesson1.exercise("relu-slope").answer == relu.df(np.array([3.7]))[0]


def test_lesson1_vanishing_gradient_is_what_the_engine_shows(lesson1):
    _, _, grads = _evaluate("deep_sigmoid")
    norms = [np.abs(grads.dL_dW[l]).mean() for l in range(1, len(grads.dL_dW))]
    assert norms[0] < norms[-1] / 100  # the first layer's gradients are far the smallest
    ex = lesson1.exercise("vanishing")
    assert "first" in ex.options[ex.answer].text
    # and the ReLU step's claim: at the same depth the gradient reaches layer 1 alive
    _, _, relu = _evaluate("deep_relu")
    first = np.abs(relu.dL_dz[1]).mean()
    assert first > 1000 * np.abs(grads.dL_dz[1]).mean()
    assert first > np.abs(relu.dL_dz[-1]).mean() / 100


def test_lesson2_answers_are_the_engines_numbers(lesson2):
    p = examples.load("one_weight_descent")
    x, y = p.sample.input, p.sample.target
    before = propagation.evaluate(p.network, x, y)[1].loss
    assert before == 1.125
    for ex_id, rate in (("w-next", 0.1), ("w-next-small", 0.01)):
        step = lesson2.step_of(ex_id)
        assert lesson2.learning_rate(step.index) == rate
        net = p.network.copy()
        training.sgd_step(net, x, y, rate)
        assert lesson2.exercise(ex_id).answer == pytest.approx(net.layers[0].W[0, 0], abs=1e-12)
    step = lesson2.step_of("loss-large")
    net = p.network.copy()
    training.sgd_step(net, x, y, lesson2.learning_rate(step.index))
    after = propagation.evaluate(net, x, y)[1].loss
    assert lesson2.exercise("loss-large").answer == pytest.approx(after)
    assert after > 2 * before  # too large a rate: the loss grows
    # the last step trains a network shipped beside the lesson, in the training panel
    last = lesson2.steps[-1]
    assert last.load.path is not None and last.load.path.parent == lesson2.path.parent
    assert "training" in last.show
    assert last.load.load().network.sizes == [2, 4, 1]


def test_every_seek_and_reveal_resolves_on_its_network():
    for name in lessons.names():
        lesson = lessons.load_named(name)
        for k, step in enumerate(lesson.steps):
            net = lesson.network_ref(k).load().network
            for granularity in timeline.GRANULARITIES:
                plan = timeline.build_plan(net, granularity)
                for target in (step.seek, getattr(step.exercise, "reveal", None)):
                    if target is not None:
                        idx = target.resolve(plan)
                        assert 0 <= idx <= plan.last
                        if target.kind != "end":
                            assert plan.steps[idx].kind == target.kind


def test_hidden_values_are_not_yet_revealed_by_the_steps_own_seek():
    """A value the student must compute is hidden, and the exercise's reveal shows it."""
    lesson = lessons.load_named("lesson-1")
    step = lesson.step_of("z")
    net = lesson.network_ref(step.index).load().network
    plan = timeline.build_plan(net)
    at = plan.frame(timeline.Position(step.seek.resolve(plan)))
    assert not at.z_shown[1][0]
    after = plan.frame(timeline.Position(step.exercise.reveal.resolve(plan)))
    assert after.z_shown[1][0] and not after.a_shown[1][0]
    assert {h.value for h in step.hide} == {"z", "a"}
    assert all(h.address == lessons.Address(1, 0) for h in step.hide)


def _shown(frame: timeline.Frame, quantity: str, addr: lessons.Address) -> bool:
    l, j = addr.layer, addr.neuron
    table = {
        "z": frame.z_shown,
        "a": frame.a_shown,
        "dL_da": frame.dL_da_shown,
        "dL_dz": frame.dL_dz_shown,
        "dL_dw": frame.grad_rows,
    }
    return bool(table[quantity][l][j])


def test_the_asked_value_is_hidden_by_the_timeline_until_the_reveal():
    """At the step's seek the playback has not reached the asked number; the reveal shows it."""
    checked = 0
    for name in lessons.names():
        lesson = lessons.load_named(name)
        for step in lesson.steps:
            ex = step.exercise
            if not isinstance(ex, lessons.NumberExercise) or ex.engine not in (
                "z",
                "a",
                "dL_da",
                "dL_dz",
                "dL_dw",
            ):
                continue
            addr = lesson.selection(step.index)
            assert any(h.value == ex.engine and h.address == addr for h in step.hide)
            net = lesson.network_ref(step.index).load().network
            for granularity in timeline.GRANULARITIES:
                plan = timeline.build_plan(net, granularity)
                before = plan.frame(timeline.Position(step.seek.resolve(plan)))
                after = plan.frame(timeline.Position(ex.reveal.resolve(plan)))
                assert not _shown(before, ex.engine, addr), (ex.id, granularity)
                assert _shown(after, ex.engine, addr), (ex.id, granularity)
            checked += 1
    assert checked == 4  # z, dL_dw-dead, dL_dw, dL_da-hidden


# --------------------------------------------------------------- answering
def test_every_exercise_gives_the_right_feedback_right_and_wrong():
    for name in lessons.names():
        lesson = lessons.load_named(name)
        for ex in lesson.exercises:
            if isinstance(ex, lessons.NumberExercise):
                right = lessons.check_answer(ex, ex.answer)
                assert right.correct and right.valid and right.matched == "answer"
                assert right.message == (ex.correct or "Right.")
                for k, m in enumerate(ex.mistakes):
                    fb = lessons.check_answer(ex, m.value)
                    assert not fb.correct and fb.valid
                    assert fb.matched == f"mistake:{k}" and fb.message == m.feedback
                other = lessons.check_answer(ex, ex.answer + 1000)
                assert not other.correct and other.matched == ""
                assert other.message == (ex.wrong or "Not quite; check each term and try again.")
            else:
                for k, o in enumerate(ex.options):
                    fb = lessons.check_answer(ex, k)
                    assert fb.correct == o.correct and fb.matched == f"option:{k}"
                    if not o.correct:
                        assert fb.message == o.feedback and fb.message
                    assert lessons.check_answer(ex, "ABCDEFGH"[k]) == fb


def test_the_manual_forward_pass_mistakes_from_the_issue(lesson1):
    z = lesson1.exercise("z")
    assert "bias" in lessons.check_answer(z, -3.0).message
    assert "sign" in lessons.check_answer(z, 4.0).message
    a = lesson1.exercise("a")
    wrong = next(k for k, o in enumerate(a.options) if o.text.endswith("= −2.0"))
    assert "negative" in lessons.check_answer(a, wrong).message


@pytest.mark.parametrize(
    "typed", ["-2", "−2", "-2.0", " -2,0 ", "-2.0005", -2, np.float64(-2.0), "−2.000"]
)
def test_number_answers_are_read_as_a_student_types_them(lesson1, typed):
    assert lessons.check_answer(lesson1.exercise("z"), typed).correct


@pytest.mark.parametrize("typed", ["", "minus two", "2..0", None, True, [1], float("nan"), "inf"])
def test_unreadable_number_answers_are_not_attempts(lesson1, typed):
    fb = lessons.check_answer(lesson1.exercise("z"), typed)
    assert not fb.correct and not fb.valid and fb.message.endswith(".")


@pytest.mark.parametrize("typed", [3, -1, "D", "", "AB", None, True, 1.0])
def test_unreadable_choices_are_refused(lesson1, typed):
    fb = lessons.check_answer(lesson1.exercise("a"), typed)
    assert not fb.correct and not fb.valid and "A, B, C" in fb.message


def test_tolerance_edges():
    ex = lessons.NumberExercise("x", "?", 1.0, 0.01, (lessons.Mistake(2.0, "two", 0.1),))
    assert lessons.check_answer(ex, 1.01).correct
    assert lessons.check_answer(ex, 0.99).correct
    assert not lessons.check_answer(ex, 1.0101).correct
    assert lessons.check_answer(ex, 2.09).matched == "mistake:0"
    assert lessons.check_answer(ex, 2.2).matched == ""


def test_score_counts_each_exercise(lesson1):
    result = lessons.score(lesson1, {"z": "-2", "a": 0, "dL_dw": -0.5})
    assert result["total"] == len(lesson1.exercises) and result["score"] == 1
    rows = {r["id"]: r for r in result["exercises"]}
    assert [r["id"] for r in result["exercises"]] == [e.id for e in lesson1.exercises]
    assert rows["z"]["correct"] and rows["z"]["score"] == 1 and rows["z"]["step"] == 8
    assert rows["a"]["answered"] and not rows["a"]["correct"] and "ReLU" in rows["a"]["feedback"]
    assert not rows["collapse"]["answered"] and rows["collapse"]["score"] == 0
    json.dumps(result)  # plain JSON
    every_right = {
        ex.id: ex.answer if isinstance(ex, lessons.NumberExercise) else "ABCDEFGH"[ex.answer]
        for ex in lesson1.exercises
    }
    assert lessons.score(lesson1, every_right)["score"] == len(lesson1.exercises)


def test_score_refuses_an_unknown_exercise(lesson1):
    with pytest.raises(lessons.LessonError, match=r"'zz'.*did you mean 'z'"):
        lessons.score(lesson1, {"zz": 1})


# ---------------------------------------------------------------- progress
def test_progress_walks_answers_resets_and_restarts(lesson1):
    prog = lessons.Progress.start(lesson1)
    k = lesson1.step_of("z").index
    assert prog.go(k) == k
    assert prog.hidden(lesson1, k) == lesson1.steps[k].hide
    assert not prog.step_done(lesson1, k)
    assert not prog.answer(lesson1, "z", "nonsense").valid
    assert prog.exercises["z"].attempts == 0  # unreadable: not an attempt
    assert "bias" in prog.answer(lesson1, "z", -3).message
    assert prog.answer(lesson1, "z", -2).correct
    state = prog.exercises["z"]
    assert state.solved and state.attempts == 2 and not state.first_try
    assert prog.hidden(lesson1, k) == () and prog.step_done(lesson1, k)
    prog.answer(lesson1, "z", 5)  # answering again after solving changes nothing
    assert prog.exercises["z"].attempts == 2 and prog.exercises["z"].solved
    assert prog.answer(lesson1, "a", "B").correct and prog.exercises["a"].first_try
    assert prog.solved == 2

    prog.reset_step(lesson1, k)
    assert not prog.exercises["z"].solved and prog.exercises["a"].solved
    assert prog.next() == k + 1 and prog.previous() == k
    assert prog.go(10**6) == len(lesson1) - 1 and prog.fraction_done() == 1.0
    prog.restart(lesson1)
    assert prog.current == 0 and prog.solved == 0


def test_progress_json_round_trip_and_damaged_storage(lesson1, lesson2):
    prog = lessons.Progress.start(lesson1)
    prog.go(7)
    prog.answer(lesson1, "z", -3)
    prog.answer(lesson1, "z", -2)
    back = lessons.Progress.from_json(prog.to_json(), lesson1)
    assert back == prog
    fresh = lessons.Progress.start(lesson1)
    for damaged in (None, "", "{", "[]", '{"lesson": 3}', prog.to_json().replace("7", '"x"')):
        got = lessons.Progress.from_json(damaged, lesson1)
        assert got.lesson == "lesson-1"
        assert got.exercises.keys() == fresh.exercises.keys()
    assert lessons.Progress.from_json(prog.to_json(), lesson2) == lessons.Progress.start(lesson2)
    odd = json.loads(prog.to_json())
    odd["current"] = 999
    odd["exercises"]["gone"] = {"solved": True}
    odd["exercises"]["a"] = {"attempts": "many"}
    got = lessons.Progress.from_json(json.dumps(odd), lesson1)
    assert got.current == len(lesson1) - 1 and "gone" not in got.exercises
    assert got.exercises["a"] == lessons.ExerciseProgress()
    assert got.exercises["z"].solved


def test_network_and_learning_rate_in_force_at_each_step(lesson1, lesson2):
    k = lesson1.step_of("a").index  # loads nothing itself
    assert lesson1.steps[k].load is None
    assert lesson1.network_ref(k) == lessons.NetworkRef(example="one_neuron")
    assert lesson1.learning_rate(k) is None
    assert lesson1.selection(k) == lessons.Address(1, 0)
    assert lesson1.selection(0) is None  # nothing selected on the linear-collapse network
    last = len(lesson1) - 1  # selects nothing itself: the hidden neuron stays selected
    assert lesson1.steps[last].select is None and lesson1.selection(last) == lessons.Address(1, 0)
    assert lesson2.learning_rate(0) == 0.1
