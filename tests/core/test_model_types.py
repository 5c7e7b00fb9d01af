"""Typed addresses, the step-kind table and the one module of update terms."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from nnviz.cli import main
from nnviz.core import examples, explain, io, propagation, steps, timeline, training, updates
from nnviz.core.addresses import Bias, Input, Target, Weight, from_key
from nnviz.core.network import EditError
from nnviz.core.steps import SPECS, StepKind


@pytest.fixture
def project() -> io.Project:
    return examples.load("default")


# ------------------------------------------------------------------ addresses
def test_addresses_read_write_and_name_the_same_numbers_as_the_arrays(project):
    net, sample = project.network, project.sample
    trace, grads = propagation.evaluate(net, sample.input, sample.target)
    w, b, x, y = Weight(2, 0, 1), Bias(1, 2), Input(1), Target(0)
    assert w.get(project) == net.layers[1].W[0, 1]
    assert b.get(project) == net.layers[0].b[2]
    assert x.get(project) == sample.input[1] and y.get(project) == sample.target[0]
    assert w.grad(grads) == grads.dL_dW[2][0, 1] and b.grad(grads) == grads.dL_db[1][2]
    assert x.grad(grads) == grads.dL_dx[0, 1] and y.grad(grads) is None
    w.set(project, 0.25)
    assert net.layers[1].W[0, 1] == 0.25
    assert (w.label, b.label, x.label, y.label) == (
        "w[2](1←2)",
        "b[1](3)",
        "input x2",
        "target y1",
    )
    assert (w.symbol, b.symbol, x.symbol) == ("w", "b", "x2")
    assert w.is_parameter and b.is_parameter and not x.is_parameter and not y.is_parameter


def test_the_gradient_check_takes_an_address(project):
    from nnviz.core import gradcheck

    net, sample = project.network, project.sample
    for addr in (Weight(2, 0, 1), Bias(1, 0), Input(1)):
        c = gradcheck.check(net, sample.input, sample.target, addr)
        assert c.key == addr.key and c.agrees
        assert c == gradcheck.check(net, sample.input, sample.target, addr.key)


def test_addresses_are_values_and_keep_the_legacy_keys():
    assert Weight(1, 0, 0) == Weight(1, 0, 0) and len({Weight(1, 0, 0), Weight(1, 0, 0)}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        Weight(1, 0, 0).l = 2  # type: ignore[misc]
    for addr in (Weight(1, 2, 0), Bias(2, 0), Input(1), Target(0)):
        assert from_key(addr.key) == addr and from_key(addr) is addr
    for bad in (("weight", 1, 2), ("neuron", 1), (), "weight", ("bias", 1.5, 0)):
        with pytest.raises(ValueError, match="names no weight"):
            from_key(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("addr", "sentence"),
    [
        (Weight(3, 0, 0), "there is no neuron 1 in weighted layer 3"),
        (Weight(1, 0, 5), "neuron 1 of layer 1 has no input 6"),
        (Bias(0, 0), "there is no neuron 1 in weighted layer 0"),
        (Input(2), "there is no input 3"),
        (Target(1), "there is no output 2"),
    ],
)
def test_an_address_outside_the_network_is_one_sentence(project, addr, sentence):
    with pytest.raises(EditError, match=sentence):
        addr.check(project.network.sizes)


# ------------------------------------------------------------------ step kinds
def test_every_step_kind_has_one_row_and_the_enum_still_equals_its_string():
    assert set(SPECS) == set(StepKind) and list(timeline.KINDS) == list(StepKind)
    assert StepKind.FORWARD_EDGES == "forward_edges" and "grad_edges" in set(StepKind)
    for kind, spec in SPECS.items():
        assert spec.kind is kind and spec.phase in steps.PHASES and spec.duration > 0
        assert (spec.direction is None) == (spec.pulses is None) == (spec.edge_values is None)
    assert timeline.DURATIONS == {k: s.duration for k, s in SPECS.items()}
    with pytest.raises(ValueError, match="unknown step kind 'fly'"):
        steps.spec("fly")


def test_the_step_table_drives_captions_durations_and_pulses(project, monkeypatch):
    net = project.network
    row = SPECS[StepKind.Z]
    monkeypatch.setitem(
        SPECS,
        StepKind.Z,
        dataclasses.replace(row, caption=lambda n, l, j: f"layer {l}: add it all up", duration=7),
    )
    monkeypatch.setattr(timeline, "DURATIONS", {k: s.duration for k, s in SPECS.items()})
    plan = timeline.build_plan(net)
    z_steps = [s for s in plan.steps if s.kind == StepKind.Z]
    assert [s.caption for s in z_steps] == [f"layer {l}: add it all up" for l in (1, 2)]
    assert all(s.duration == 7 for s in z_steps)
    # pulses: rows of the step's layer forward, columns of the next layer when collecting
    plan = timeline.build_plan(net)
    for k, s in enumerate(plan.steps):
        frame = plan.frame(timeline.Position(k))
        spec = SPECS[s.kind]
        assert frame.active_layer == spec.edge_layer(s.layer)
        assert frame.direction == spec.direction and frame.phase == spec.phase


def test_steps_built_from_strings_become_enum_members():
    s = timeline.Step("collect", 1)
    assert s.kind is StepKind.COLLECT and s.edge_layer == 2 and s.direction == "backward"
    with pytest.raises(ValueError, match="unknown step kind"):
        timeline.Step("fly")


# --------------------------------------------------------------- update terms
@pytest.mark.parametrize("name", examples.names())
def test_update_terms_equal_the_engine_bit_for_bit(name):
    project = examples.load(name)
    net, sample = project.network, project.sample
    trace, grads = propagation.evaluate(net, sample.input, sample.target)
    lr = 0.37
    stepped = net.copy()
    updates.apply_step(stepped, grads, lr)
    trained = net.copy()  # the optimiser's in-place step: the same numbers
    training.sgd_step(trained, sample.input, sample.target, lr)
    for l in range(1, net.depth + 1):  # noqa: E741
        W, b = net.layers[l - 1].W, net.layers[l - 1].b
        a_prev, dz = trace.a[l - 1][0], grads.dL_dz[l][0]
        assert np.array_equal(stepped.layers[l - 1].W, W - lr * grads.dL_dW[l])
        assert np.array_equal(stepped.layers[l - 1].b, b - lr * grads.dL_db[l])
        assert np.array_equal(stepped.layers[l - 1].W, trained.layers[l - 1].W)
        assert np.array_equal(stepped.layers[l - 1].b, trained.layers[l - 1].b)
        aw = updates.forward_products(net, trace, l)
        # each edge's a·w summed with the bias is the engine's z
        assert np.allclose(aw.sum(axis=1) + b, trace.z[l][0], rtol=1e-12, atol=1e-12)
        for j, i in np.ndindex(W.shape):
            assert aw[j, i] == updates.product(a_prev[i], W[j, i])
        assert np.array_equal(updates.weight_gradients(grads, l), grads.dL_dW[l])
        assert np.allclose(np.outer(dz, a_prev), grads.dL_dW[l], rtol=1e-12, atol=1e-15)
        wdz = updates.collect_terms(net, grads, l)
        # the terms collected at layer l − 1 sum to the engine's ∂L/∂a there
        assert np.allclose(wdz.sum(axis=0), grads.dL_da[l - 1][0], rtol=1e-12, atol=1e-15)
        for kind in ("w", "aw", "gw", "wdz", "new_w"):
            assert updates.edge_values(kind, net, trace, grads, lr, l).shape == W.shape
    with pytest.raises(ValueError, match="unknown edge values"):
        updates.edge_values("x", net, trace, grads, lr, 1)


def test_formula_texts_are_written_once_and_used_by_explain_and_captions(project):
    net, sample = project.network, project.sample
    trace, grads = propagation.evaluate(net, sample.input, sample.target)
    line = explain.update_line(0.5, -0.25, 0.1)
    assert line.startswith(updates.formula("update_w")) and line.endswith("= 0.525")
    assert explain.update_bias_line(1.0, 2.0, 0.5).startswith(updates.formula("update_b"))
    plan = timeline.build_plan(net)
    assert updates.formula("update_w") in plan.steps[plan.update_at].caption
    assert updates.formula("dL_dw") in plan.steps[plan.find("grad_edges")].caption
    assert updates.formula("a", "tanh") == "a = tanh(z)"


def test_trace_lr_prints_and_exports_the_update_from_the_same_module(tmp_path, capsys):
    path = str(tmp_path / "default.json")
    io.save(examples.load("default"), path)
    project = io.load(path)
    net, sample = project.network, project.sample
    _, grads = propagation.evaluate(net, sample.input, sample.target)
    assert main(["trace", path, "--json", "--lr", "0.5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["update"]["lr"] == 0.5
    for l, layer in enumerate(data["update"]["layers"], start=1):  # noqa: E741
        assert layer["W"] == updates.updated_weights(net, grads, 0.5, l).tolist()
        assert layer["b"] == updates.updated_biases(net, grads, 0.5, l).tolist()
    assert main(["trace", path, "--lr", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "Update (η = 0.5)" in out and out.count("w ← w − η·∂L/∂w") == net.n_edges
    for bad in ("0", "-1", "nan", "abc", "1000"):
        with pytest.raises(SystemExit):
            main(["trace", path, "--lr", bad])
        assert "--lr" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["default", "one_neuron"])
def test_the_update_step_equals_torch_sgd(name):
    """w − η·∂L/∂w from updates equals torch.optim.SGD's step on the same network."""
    torch = pytest.importorskip("torch")
    project = examples.load(name)
    net, sample = project.network, project.sample
    if any(layer.activation not in ("tanh", "sigmoid", "relu", "linear") for layer in net.layers):
        pytest.skip("this oracle covers tanh, sigmoid, relu and linear layers")
    if net.loss != "mse":
        pytest.skip("this oracle covers the mse loss")
    _, grads = propagation.evaluate(net, sample.input, sample.target)
    lr = 0.3
    params = []
    for layer in net.layers:
        params += [
            torch.tensor(layer.W, dtype=torch.float64, requires_grad=True),
            torch.tensor(layer.b, dtype=torch.float64, requires_grad=True),
        ]
    a = torch.tensor(np.atleast_2d(sample.input), dtype=torch.float64)
    fns = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}
    for k, layer in enumerate(net.layers):
        z = a @ params[2 * k].T + params[2 * k + 1]
        a = fns.get(layer.activation, lambda t: t)(z)
    y = torch.tensor(np.atleast_2d(sample.target), dtype=torch.float64)
    loss = (0.5 * ((a - y) ** 2).sum(dim=1)).mean()
    opt = torch.optim.SGD(params, lr=lr)
    opt.zero_grad()
    loss.backward()
    opt.step()
    for l in range(1, net.depth + 1):  # noqa: E741
        W_t, b_t = params[2 * l - 2].detach().numpy(), params[2 * l - 1].detach().numpy()
        assert np.allclose(updates.updated_weights(net, grads, lr, l), W_t, rtol=1e-12, atol=1e-14)
        assert np.allclose(updates.updated_biases(net, grads, lr, l), b_t, rtol=1e-12, atol=1e-14)
