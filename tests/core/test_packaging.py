"""The package as installed: resources through importlib.resources, the entry points.

CI runs the whole suite a second time against a non-editable wheel install with
``NNVIZ_EXPECT_INSTALLED=1``; then nnviz and its resources must come from
site-packages, not from a source tree.
"""

from __future__ import annotations

import os
from importlib import metadata, resources
from pathlib import Path

import pytest

import nnviz
from nnviz.core import examples


def test_resources_are_a_package_with_the_example_networks():
    folder = resources.files("nnviz.resources").joinpath("networks")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert "default.json" in names and "one_neuron.json" in names
    assert examples.names() == sorted(n[:-5] for n in names)
    text = folder.joinpath("one_neuron.json").read_text(encoding="utf-8")
    assert '"nnviz.network"' in text


def test_entry_point_and_version():
    dist = metadata.distribution("nnviz")
    assert dist.version == nnviz.__version__
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"nnviz": "nnviz.cli:main"}
    requires = dist.requires or []
    # PySide6 6.12.0 aborts Python 3.11: the bounds must never allow that pair
    assert any("PySide6-Essentials" in r and "<6.12" in r and "3.12" in r for r in requires)


@pytest.mark.skipif(
    os.environ.get("NNVIZ_EXPECT_INSTALLED") != "1", reason="only for the wheel-install CI run"
)
def test_running_from_an_installed_wheel():
    pkg = Path(nnviz.__file__).resolve().parent
    assert "site-packages" in pkg.parts, pkg
    res = resources.files("nnviz.resources")
    assert isinstance(res, Path) and pkg in res.resolve().parents, res
    assert (pkg / "resources" / "networks" / "one_neuron.json").is_file()
    assert not (pkg.parent / "pyproject.toml").exists()
