"""``nnviz export`` to SVG and PNG, through the headless renderer, and File ▸ Export….

The SVG is vector: it parses as XML, holds no ``<image>``, draws each edge colour
bucket as one path, and holds as ``<text>`` every number the canvas shows.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from nnviz import export
from nnviz.cli import main as cli_main
from nnviz.core import examples, io
from nnviz.core.explain import fmt

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")


@pytest.fixture
def example_file(tmp_path):
    def write(name: str):
        path = tmp_path / f"{name}.json"
        io.save(examples.load(name), path)
        return path

    return write


def _texts(root) -> list[str]:
    return ["".join(e.itertext()).strip() for e in root.iter(f"{SVG}text")]


def _renderer(qtbot, name: str, size=(960, 600)):
    from nnviz.ui.canvas.render import HeadlessRenderer
    from nnviz.ui.document import Document

    doc = Document(examples.load(name))
    r = HeadlessRenderer(doc, size, theme="light")
    qtbot.addWidget(r.canvas)
    return r


def test_svg_of_the_editing_view_is_vector_with_every_number(qtbot, tmp_path):
    r = _renderer(qtbot, "default")
    out = tmp_path / "net.svg"
    r.save_svg(out)
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "960" and root.get("height") == "600"
    assert not list(root.iter(f"{SVG}image")), "a bitmap inside the SVG"
    texts = _texts(root)
    doc = r.document
    d = doc.decimals
    for l, n in enumerate(doc.network.sizes):  # noqa: E741
        for j in range(n):
            assert fmt(doc.trace.a[l][0, j], d) in texts
            if l:
                assert f"b = {fmt(doc.network.layers[l - 1].b[j], d)}" in texts
    assert f"loss = {fmt(doc.grads.loss, d)}" in texts
    # a small network writes every weight on its edge (View ▸ Label Every Weight)
    for layer in doc.network.layers:
        for w in layer.W.ravel():
            assert fmt(w, d) in texts
    # each edge colour bucket is one path: as many stroked paths in edge colours (the
    # weight labels' boxes are stroked in the sign colours too: drawn without them)
    r.canvas.label_weights = False
    r.save_svg(out)
    root = ET.parse(out).getroot()
    from nnviz.ui import theme as themes
    from nnviz.ui.canvas.view import WIDTH_BUCKETS, edge_buckets, edge_pen

    values = np.concatenate([layer.W.ravel() for layer in doc.network.layers])
    bucket, sign = edge_buckets(values, WIDTH_BUCKETS)
    groups = {(int(s), int(b)) for s, b in zip(sign, bucket)}
    colours = {edge_pen(themes.current(), s, b, True).color().name(): (s, b) for s, b in groups}
    edge_paths = [
        g
        for g in root.iter(f"{SVG}g")
        if (g.get("stroke") or "").lower() in colours and g.find(f"{SVG}path") is not None
    ]
    assert len(edge_paths) == len(groups)
    r.close()


@pytest.mark.parametrize("name", ["default", "deep_sigmoid"])
def test_svg_of_every_step_holds_the_text_of_every_visible_label(qtbot, tmp_path, name):
    r = _renderer(qtbot, name)
    for step in range(1, r.plan.last + 1, 3 if name != "default" else 1):
        r.seek(step, 1.0)
        out = tmp_path / f"s{step}.svg"
        r.save_svg(out)
        root = ET.parse(out).getroot()
        assert not list(root.iter(f"{SVG}image"))
        texts = _texts(root)
        placed = r.painter.last_placement
        assert placed is not None
        for lab in placed.placed:
            assert lab.text in texts, (step, lab.text)
        scene = r.painter.last_scene
        for key, text in scene.neuron_texts.items():
            if key[0] in ("a", "x"):  # numbers inside the neurons
                assert text in texts or not r.canvas.layout.labelled(key[1]), (step, text)
    r.close()


def test_export_png_has_exactly_the_size_asked(example_file, tmp_path, capsys):
    out = tmp_path / "net.png"
    code = export.main([str(example_file("default")), "--out", str(out), "--size", "777x555"])
    assert code == 0
    with Image.open(out) as im:
        assert im.size == (777, 555)
    assert "saved" in capsys.readouterr().out


def test_export_svg_from_the_command_line_at_a_step(example_file, tmp_path):
    out = tmp_path / "net.svg"
    code = cli_main(["export", str(example_file("default")), "--out", str(out), "--step", "5"])
    assert code == 0
    root = ET.parse(out).getroot()
    assert any(t.startswith("Step 5 / ") for t in _texts(root))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--size", "200x200"], "too small to draw this network"),
        (["--step", "99"], "out of range"),
        (["--window"], "only for a .gif"),
    ],
)
def test_bad_still_options_are_one_sentence(example_file, tmp_path, capsys, extra, message):
    src = example_file("deep_relu")
    out = tmp_path / "x.png"
    code = export.main([str(src), "--out", str(out), *extra])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_gif_refuses_a_step(example_file, tmp_path, capsys):
    code = export.main(
        [str(example_file("default")), "--out", str(tmp_path / "a.gif"), "--step", "2"]
    )
    assert code == 2
    assert "--step" in capsys.readouterr().err


def test_export_and_cli_do_not_import_each_other():
    import ast
    from pathlib import Path

    import nnviz.export

    tree = ast.parse(Path(nnviz.export.__file__).read_text(encoding="utf-8"))
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert "nnviz.cli" not in names
