"""Undo memory (issue 14, item 8): structural edits keep what changed, not two projects.

Before, every structural edit kept two full copies of the project: 100 activation
toggles on a 784-128-10 network held ~160 MB (3.2 GB on a 2-million-weight one).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from nnviz.core import examples, io
from nnviz.core.network import Network
from nnviz.ui.document import Document

LIMIT = 50 * 1024 * 1024  # the bar for 100 toggles


def _mnist_like() -> io.Project:
    net = Network.create([784, 128, 10], "relu", output_activation="linear", seed=1)
    return io.Project(net, io.Sample(np.zeros(784), np.zeros(10)))


def _held(doc: Document) -> int:
    stack = doc.undo_stack
    return sum(stack.command(i).nbytes() for i in range(stack.count()))


def test_activation_toggles_keep_names_not_networks(qapp):
    doc = Document(_mnist_like())
    network_bytes = sum(x.W.nbytes + x.b.nbytes for x in doc.network.layers)
    for k in range(100):
        assert doc.set_activation(1, "tanh" if k % 2 == 0 else "relu")
    assert doc.undo_stack.count() == 100
    held = _held(doc)
    print(f"100 toggles hold {held:,} bytes of arrays (one network is {network_bytes:,})")
    assert held < network_bytes / 100  # names only: no array at all
    assert held < LIMIT


def test_activation_toggles_measured_by_tracemalloc(qapp):
    """Everything the history holds (numpy reports its buffers to tracemalloc)."""
    doc = Document(_mnist_like())
    doc.set_activation(1, "tanh")  # warm the caches the first edit makes
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        for k in range(100):
            doc.set_activation(1, "relu" if k % 2 == 0 else "tanh")
        gc.collect()
        end, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = end - start
    print(f"100 toggles: +{grown / 1e6:.2f} MB held, peak +{(peak - start) / 1e6:.1f} MB")
    assert grown < LIMIT
    assert grown < 5 * 1024 * 1024  # in fact: the commands and their texts only


def test_an_edit_keeps_only_the_layers_it_touched(qapp):
    net = Network.create([784, 128, 64, 10], "tanh", seed=2)
    doc = Document(io.Project(net, io.Sample(np.zeros(784), np.zeros(10))))
    first = net.layers[0].W.nbytes + net.layers[0].b.nbytes
    assert doc.add_neuron(3)  # the output layer: layer 3 grows, layers 1 and 2 stay
    held = _held(doc)
    assert 0 < held < first / 10
    assert doc.add_neuron(1)  # layer 1 and the layer it feeds change
    assert _held(doc) - held > first


@pytest.mark.parametrize("seed", range(4))
def test_undo_all_and_redo_all_give_back_every_state(qapp, seed):
    """A random run of structural and scalar edits: every undo gives back the state
    before that edit exactly, and redoing all gives back the end."""
    rng = np.random.default_rng(seed)
    net = Network.create([3, 4, 2], "tanh", seed=seed)
    doc = Document(io.Project(net, io.Sample(np.zeros(3), np.zeros(2)), extra={"note": [1]}))
    states = [io.dumps(doc.project)]
    for _ in range(40):
        depth = doc.network.depth
        sizes = doc.network.sizes
        op = rng.integers(9)
        l = int(rng.integers(1, depth + 1))  # noqa: E741
        if op == 0:
            ok = doc.add_neuron(int(rng.integers(0, depth + 1)))
        elif op == 1:
            layer = int(rng.integers(0, depth + 1))
            ok = doc.remove_neuron(layer, int(rng.integers(sizes[layer])))
        elif op == 2:
            ok = doc.insert_layer(int(rng.integers(1, depth + 1)), int(rng.integers(1, 5)))
        elif op == 3:
            ok = doc.remove_layer(l)
        elif op == 4:
            ok = doc.set_activation(l, str(rng.choice(["tanh", "relu", "sigmoid"])))
        elif op == 5:
            ok = doc.reinitialise(int(rng.integers(100)), "he")
        elif op == 6:
            ok = doc.apply_update()
        elif op == 7:
            j = int(rng.integers(sizes[l]))
            ok = doc.set_weight(l, j, int(rng.integers(sizes[l - 1])), float(rng.normal()))
        else:
            ok = doc.set_input(int(rng.integers(sizes[0])), float(rng.normal()))
        text = io.dumps(doc.project)
        if ok and text != states[-1]:
            states.append(text)
    assert doc.undo_stack.count() == len(states) - 1
    for k in range(len(states) - 1, 0, -1):
        assert io.dumps(doc.project) == states[k]
        doc.undo_stack.undo()
    assert io.dumps(doc.project) == states[0]  # byte for byte, the unknown field too
    for k in range(1, len(states)):
        doc.undo_stack.redo()
        assert io.dumps(doc.project) == states[k]


def test_a_long_history_is_collected_without_a_crash(tmp_path):
    """A document whose history held ~70 commands crashed the process (SIGSEGV)
    when the garbage collector took it: each command held its document, a cycle
    through the C++ stack. In a child process, so a crash fails only this test."""
    script = tmp_path / "collect.py"
    script.write_text(
        "import gc\n"
        "import numpy as np\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from nnviz.core import io\n"
        "from nnviz.core.network import Network\n"
        "from nnviz.ui.document import Document\n"
        "for _ in range(3):\n"
        "    net = Network.create([4, 3, 2], 'relu', seed=1)\n"
        "    doc = Document(io.Project(net, io.Sample(np.zeros(4), np.zeros(2))))\n"
        "    for k in range(150):\n"
        "        doc.set_activation(1, 'tanh' if k % 2 == 0 else 'relu')\n"
        "        doc.set_weight(1, 0, 0, k / 10)\n"
        "    del doc\n"
        "    gc.collect()\n"
        "print('collected')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "collected"


def test_replacing_a_deeply_nested_unknown_field_is_one_undoable_step(qapp):
    def deep(n):
        v: list = []
        for _ in range(n):
            v = [v]
        return v

    # as deep as the file's limit for unknown fields allows (io.MAX_EXTRA_DEPTH; a
    # deeper one is refused when the project is made, see tests/core/test_io_reading.py)
    depth = io.MAX_EXTRA_DEPTH - 1
    doc = Document(examples.default_project())
    doc.load_project(io.Project(doc.network.copy(), doc.sample.copy(), extra={"x": deep(depth)}))
    other = io.Project(doc.network.copy(), doc.sample.copy(), extra={"x": deep(depth - 1)})
    other.network.layers[0].b[0] = 0.5
    assert doc.replace_project(other, "Restore unsaved changes")
    assert doc.project.extra["x"] is other.extra["x"]  # shared, never copied
    doc.undo_stack.undo()
    assert doc.network.layers[0].b[0] != 0.5 and doc.project.extra["x"] is not other.extra["x"]
