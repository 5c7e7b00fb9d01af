"""The playback timeline: steps, what each position reveals, and pure movement."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.core import examples
from nnviz.core import timeline as T
from nnviz.core.network import Network


@pytest.fixture
def one_neuron() -> Network:
    return examples.load("one_neuron").network


@pytest.fixture
def net_231() -> Network:
    return examples.load("default").network


def kinds(plan: T.Plan) -> list[tuple[str, int, int | None]]:
    return [(s.kind, s.layer, s.neuron) for s in plan.steps]


def test_one_neuron_plan_reads_like_the_lesson(one_neuron):
    plan = T.build_plan(one_neuron)
    assert kinds(plan) == [
        ("start", 0, None),
        ("inputs", 0, None),
        ("forward_edges", 1, None),
        ("z", 1, None),
        ("a", 1, None),
        ("loss", 1, None),
        ("dL_da", 1, None),
        ("dL_dz", 1, None),
        ("grad_edges", 1, None),
        ("update", 0, None),
    ]
    assert plan.last == 9
    assert plan.steps[3].caption == "layer 1 (output) — z = Σ w·a + b"
    assert plan.steps[4].caption == "layer 1 (output) — a = ReLU(z)"


def test_231_layer_plan_collects_at_the_hidden_layer_only(net_231):
    plan = T.build_plan(net_231)
    assert len(plan) == 16
    assert [k for k, *_ in kinds(plan)].count("collect") == 1
    k = plan.find("collect")
    assert plan.steps[k].layer == 1 and plan.steps[k].edge_layer == 2
    assert plan.steps[plan.find("dL_dz", 1)].caption.endswith("∂L/∂z = ∂L/∂a · tanh′(z)")


def test_neuron_granularity_has_one_step_per_neuron(net_231):
    plan = T.build_plan(net_231, "neuron")
    # forward: 3 steps per neuron of layers 1 and 2; backward: 2 per neuron, + collect per hidden
    assert len(plan) == 1 + 1 + 3 * 4 + 1 + 1 + 2 * 4 + 3 + 1
    assert plan.find("z", 1, 2) < plan.find("forward_edges", 1, 2) + 2
    with pytest.raises(ValueError, match="granularity"):
        T.build_plan(net_231, "edge")


def test_softmax_layers_reveal_a_and_dz_as_a_whole():
    net = Network.create([2, 3, 3], "tanh", output_activation="softmax", loss="cross_entropy")
    plan = T.build_plan(net, "neuron")
    a_steps = [s for s in plan.steps if s.kind == "a" and s.layer == 2]
    dz_steps = [s for s in plan.steps if s.kind == "dL_dz" and s.layer == 2]
    assert [s.neuron for s in a_steps] == [None]
    assert [s.neuron for s in dz_steps] == [None]
    assert "softmax" in a_steps[0].caption
    assert "a − y" in dz_steps[0].caption


@pytest.mark.parametrize("granularity", T.GRANULARITIES)
def test_every_value_is_revealed_once_and_stays(net_231, granularity):
    plan = T.build_plan(net_231, granularity)
    prev = None
    for s in range(len(plan)):
        f = plan.frame(T.Position(s))
        if prev is not None:
            for name in ("z_shown", "a_shown", "dL_da_shown", "dL_dz_shown", "fwd_rows"):
                for a, b in zip(getattr(prev, name), getattr(f, name)):
                    assert np.all(b[a]), f"{name} hid something at step {s}"
            assert f.loss_shown >= prev.loss_shown
        prev = f
    end = plan.frame(T.Position(plan.last))
    for l in range(3):  # noqa: E741
        assert end.z_shown[l].all() and end.a_shown[l].all()
    assert end.dL_da_shown[1].all() and end.dL_da_shown[2].all()
    assert not end.dL_da_shown[0].any()  # the input's gradient is not part of the lesson
    assert end.dL_dz_shown[1].all() and end.dL_dz_shown[2].all()
    assert end.grad_rows[1].all() and end.grad_rows[2].all()
    assert end.loss_shown and end.update_shown
    start = plan.frame(T.Position(0))
    assert not any(m.any() for m in start.a_shown) and not start.loss_shown


@pytest.mark.parametrize("granularity", T.GRANULARITIES)
def test_order_follows_the_chain_rule(net_231, granularity):
    plan = T.build_plan(net_231, granularity)
    for l in (1, 2):  # noqa: E741
        for j in range(plan.sizes[l]):
            assert plan.fwd_at[l][j] < plan.z_at[l][j] < plan.a_at[l][j] < plan.loss_at
            assert plan.z_at[l][j] > plan.a_at[l - 1].max()
            assert plan.loss_at < plan.dL_da_at[l][j] < plan.dL_dz_at[l][j]
            assert plan.dL_dz_at[l][j] < plan.grad_at[l][j] < plan.update_at
    assert plan.dL_da_at[1].min() > plan.dL_dz_at[2].max()


def test_frames_light_the_active_edges_and_focus(net_231):
    plan = T.build_plan(net_231)
    f = plan.frame(T.Position(plan.find("forward_edges", 2), 0.5))
    assert f.direction == "forward" and f.active_layer == 2 and f.fraction == 0.5
    assert f.active_edges().shape == (1, 3) and f.active_edges().all()
    assert f.focus[2].all() and not f.focus[1].any()
    f = plan.frame(T.Position(plan.find("collect")))
    assert f.direction == "backward" and f.active_layer == 2 and f.active_edges().all()
    assert f.focus[1].all()
    f = plan.frame(T.Position(plan.find("z", 1)))
    assert f.active_layer is None and f.active_edges() is None
    neuron = T.build_plan(net_231, "neuron")
    f = neuron.frame(T.Position(neuron.find("collect", 1, 1)))
    assert f.active_edges().tolist() == [[False, True, False]]
    assert f.focus[1].tolist() == [False, True, False]
    f = neuron.frame(T.Position(neuron.find("forward_edges", 1, 2)))
    assert f.active_edges().tolist() == [[False, False], [False, False], [True, True]]
    assert f.fwd_edges(1).tolist() == [[True, True], [True, True], [True, True]]
    assert f.z_shown[1].tolist() == [True, True, False]


def test_frames_compare_by_value(net_231):
    plan = T.build_plan(net_231)
    a = plan.frame(T.Position(5, 0.25))
    assert a == T.build_plan(net_231).frame(T.Position(5, 0.25))
    assert a != plan.frame(T.Position(5, 0.5))
    assert a != plan.frame(T.Position(6, 0.25))


def test_stepping_back_gives_exactly_the_previous_frame(net_231):
    tl = T.Timeline(T.build_plan(net_231, "neuron"))
    seen = [tl.frame()]
    while tl.step < tl.last:
        tl.step_forward()
        seen.append(tl.frame())
    assert tl.step_forward() == T.Position(tl.last, 1.0)  # the end stays the end
    for k in range(len(seen) - 2, -1, -1):
        tl.step_back()
        assert tl.frame() == seen[k]
    assert tl.step_back() == T.Position(0, 1.0)


def test_seek_clamps_and_keeps_the_fraction(net_231):
    tl = T.Timeline(T.build_plan(net_231))
    assert tl.seek(3, 0.25) == T.Position(3, 0.25)
    assert tl.seek(99) == T.Position(15, 1.0)
    assert tl.seek(-4, 3.0) == T.Position(0, 1.0)
    assert tl.to_end() == T.Position(15, 1.0) and tl.at_end
    assert tl.to_start() == T.Position(0, 1.0) and tl.at_start


def test_advance_moves_only_while_playing_and_stops_at_the_end(one_neuron):
    plan = T.build_plan(one_neuron)
    tl = T.Timeline(plan)
    tl.seek(2, 0.0)
    assert tl.advance(10) == T.Position(2, 0.0)  # paused: nothing moves
    tl.play()
    dur = plan.steps[2].duration
    assert tl.advance(dur / 2) == T.Position(2, 0.5)
    assert tl.advance(dur / 2 + plan.steps[3].duration / 4) == T.Position(3, 0.25)
    tl.advance(10_000)
    assert tl.at_end and not tl.playing
    tl.play()  # from the end, play starts again at the beginning
    assert tl.position == T.Position(0, 0.0) and tl.playing


def test_speed_scales_time_and_is_clamped(one_neuron):
    plan = T.build_plan(one_neuron)
    total = plan.total_ticks()
    for speed in T.SPEEDS:
        tl = T.Timeline(plan, T.Position(0, 0.0), speed)
        tl.play()
        tl.advance(total / speed * 0.999)
        assert not tl.at_end
        tl.advance(total / speed * 0.002)
        assert tl.at_end
    assert T.Timeline(plan, speed=10).speed == T.SPEED_MAX
    assert T.Timeline(plan, speed=0.01).speed == T.SPEED_MIN


def _progress(plan: T.Plan, pos: T.Position) -> float:
    return (
        sum(s.duration for s in plan.steps[: pos.step])
        + pos.fraction * plan.steps[pos.step].duration
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 80, allow_nan=False), min_size=1, max_size=12),
    st.sampled_from(T.SPEEDS),
)
def test_advance_is_additive_whatever_the_tick_sizes(chunks, speed):
    plan = T.build_plan(examples.load("default").network)
    a = T.Timeline(plan, T.Position(0, 0.0), speed)
    b = T.Timeline(plan, T.Position(0, 0.0), speed)
    a.play()
    b.play()
    for c in chunks:
        a.advance(c)
    b.advance(sum(chunks))
    assert _progress(plan, a.position) == pytest.approx(_progress(plan, b.position), abs=1e-6)
    expected = min(sum(chunks) * speed, plan.total_ticks())
    assert _progress(plan, b.position) == pytest.approx(expected, abs=1e-6)


def test_changing_granularity_keeps_the_moment(net_231):
    layer = T.build_plan(net_231, "layer")
    neuron = T.build_plan(net_231, "neuron")
    tl = T.Timeline(layer)
    tl.seek(layer.find("z", 1))
    tl.set_plan(neuron, keep="moment")
    assert tl.current().kind == "z" and tl.current().layer == 1
    assert tl.frame().z_shown[1].all()  # the whole layer's z stays revealed
    tl.set_plan(layer, keep="moment")
    assert tl.position.step == layer.find("z", 1)


def test_a_new_plan_after_an_edit_keeps_the_index_clamped(net_231):
    tl = T.Timeline(T.build_plan(net_231))
    tl.seek(12)
    bigger = net_231.copy()
    bigger.insert_layer(2, 2)
    tl.set_plan(T.build_plan(bigger))
    assert tl.position == T.Position(12, 1.0)
    tl.set_plan(T.build_plan(examples.load("one_neuron").network))
    assert tl.position == T.Position(9, 1.0)
