"""Lesson 1's text against the engine and the playback (QA2 F5, F11, F14d).

Each claim a step makes about the network on screen is checked here: the numbers
a prompt asks the student to multiply are in the prompt, the neuron a text talks
about is the one the step selects, and the first step does not open on a
gradient step that has nothing to do with it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnviz.core import lessons, propagation, timeline
from nnviz.core.explain import fmt


@pytest.fixture(scope="module")
def lesson1() -> lessons.Lesson:
    return lessons.load_named("lesson-1")


def _network(lesson: lessons.Lesson, k: int):
    p = lesson.network_ref(k).load()
    trace, grads = propagation.evaluate(p.network, p.sample.input, p.sample.target)
    return p.network, trace, grads


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


# ---------------------------------------------------- F11: step 1 opens on the loss
def test_step_1_shows_the_end_of_the_forward_pass_not_an_update(lesson1):
    step = lesson1.steps[0]  # the panel shows "Step 1 of 13"
    assert step.load.example == "linear_collapse" and "linearMap" in step.show
    net, _, _ = _network(lesson1, 0)
    for granularity in timeline.GRANULARITIES:
        plan = timeline.build_plan(net, granularity)
        at = plan.steps[step.seek.resolve(plan)]
        assert at.kind == "loss" and at.phase == "loss", at
        # everything of the forward pass is on screen there, nothing of the backward
        frame = plan.frame(timeline.Position(step.seek.resolve(plan)))
        assert all(np.all(shown) for shown in frame.a_shown[1:])
        assert not any(np.any(shown) for shown in frame.dL_dz_shown[1:])


# ------------------------------------- F14d: step 6 selects a neuron its text is true of
def _selected_z(lesson1, k: int) -> tuple[float, str]:
    step = lesson1.steps[k]
    _, trace, grads = _network(lesson1, k)
    sel = step.select
    return float(trace.z[sel.layer][0, sel.neuron]), " ".join(step.text.split())


def test_step_6_selects_a_live_relu_neuron_and_its_text_gives_its_z(lesson1):
    k = lesson1.step_of("relu-slope").index
    step = lesson1.steps[k]
    assert step.load.example == "deep_relu"
    z, text = _selected_z(lesson1, k)
    assert z > 0  # on ReLU's rising half: the text's "slope 1" is true of it
    m = re.search(r"layer (\d+), neuron (\d+)\) has z = ([−\d.]+)", text)
    assert m, text
    assert (int(m.group(1)), int(m.group(2)) - 1) == (step.select.layer, step.select.neuron)
    assert _number(m.group(3)) == pytest.approx(z, abs=5e-4)
    _, _, grads = _network(lesson1, k)
    assert grads.dL_dz[1][0, step.select.neuron] != 0.0  # "the gradient reaches ... alive"
    # the text names the two panels it shows, and which tabs hold them
    for words in (
        "activation plot",
        "*Activation*",
        "gradient-flow",
        "*Gradients* or *Gradient flow*",
    ):
        assert words in text, words


def test_step_7_names_the_inactive_neuron_it_selects(lesson1):
    k = lesson1.step_of("dead-neuron").index
    step = lesson1.steps[k]
    z, text = _selected_z(lesson1, k)
    assert z < 0
    flat = r"layer (\d+), neuron (\d+)\) is in its flat half for this sample:\s+z = ([−\d.]+)"
    m = re.search(flat, text)
    assert m, text
    assert (int(m.group(1)), int(m.group(2)) - 1) == (step.select.layer, step.select.neuron)
    assert _number(m.group(3)) == pytest.approx(z, abs=5e-4)
    # the step stops where the backward pass reaches that neuron: its ∂L/∂z (0) is on screen
    net, _, grads = _network(lesson1, k)
    plan = timeline.build_plan(net)
    at = step.seek.resolve(plan)
    frame = plan.frame(timeline.Position(at))
    assert plan.steps[at].kind == "dL_dz" and plan.steps[at].layer == step.select.layer
    assert frame.dL_dz_shown[step.select.layer][step.select.neuron]
    assert grads.dL_dz[step.select.layer][0, step.select.neuron] == 0.0
    assert {"inspector", "chainRule"} <= set(step.show)


# ------------------------------------------ F5: step 12 names the ∂L/∂z it multiplies
def test_step_12_prompt_names_both_factors_it_multiplies(lesson1):
    step = lesson1.step_of("dL_da-hidden")
    net, trace, grads = _network(lesson1, step.index)
    j = step.select.neuron
    w = float(net.layers[1].W[0, j])
    dz_out = float(grads.dL_dz[2][0, 0])
    prompt = step.exercise.prompt
    assert f"w = {fmt(w, 3)}" in prompt, prompt
    assert f"∂L/∂z = {fmt(dz_out, 3)}" in prompt, prompt  # −0.028, as step 11 showed it
    # and the product of the two numbers as written is a right answer
    assert lessons.check_answer(step.exercise, round(w, 3) * round(dz_out, 3)).correct


def test_every_number_prompt_of_part_5_names_numbers_the_engine_computes(lesson1):
    """Every ``name = value`` a part-5 prompt gives is the engine's number on that step."""
    for step in lesson1.steps:
        if not step.part or not step.part.startswith("5") or step.exercise is None:
            continue
        net, trace, grads = _network(lesson1, step.index)
        values = {fmt(float(v), 3) for v in np.concatenate([
            *(layer.W.ravel() for layer in net.layers),
            *(g.ravel() for g in grads.dL_dz[1:]),
            *(a.ravel() for a in trace.a[1:]),
        ])}  # fmt: skip
        for m in re.finditer(r"= ([−-]?\d+\.\d+)", step.exercise.prompt):
            assert m.group(1) in values, (step.title, m.group(0))
