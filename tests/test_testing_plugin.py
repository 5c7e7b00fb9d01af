"""The pytest plugin shipped with nnviz (``nnviz.testing``), tried as a course author
would: a test file in a folder of its own, outside the repository, run by pytest."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

pytest_plugins = ["pytester"]


def _readme_example() -> str:
    """The five-line example of README's "Testing a lesson with pytest" (kept in step)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Testing a lesson with pytest", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


AUTHOR_TESTS = '''
import json
import pytest

NET = {
    "format": "nnviz.network",
    "version": 1,
    "layers": [
        {"size": 1},
        {"size": 1, "activation": "relu", "weights": [[-1.5]], "biases": [1.0]},
    ],
    "loss": "mse",
    "sample": {"input": [2.0], "target": [1.0]},
}

LESSON = """+++
format = "nnviz.lesson"
version = 1
title = "My lesson"
+++

+++
title = "Compute z"
file = "net.json"
select = [1, 0]
seek = "inputs"
hide = ["z"]
[exercise]
type = "number"
prompt = "z?"
answer = -2.0
engine = "z"
reveal = { kind = "z", layer = 1 }
mistakes = [{ value = -3.0, feedback = "Add the bias." }]
+++
Work out z.
"""


@pytest.fixture
def lesson_file(tmp_path):
    (tmp_path / "net.json").write_text(json.dumps(NET), encoding="utf-8")
    path = tmp_path / "mine.md"
    path.write_text(LESSON, encoding="utf-8")
    return path


def test_my_lesson(nnviz_window, lesson_file):
    d = nnviz_window.open(lesson_file)
    assert d.shown(1, 0) == {"b": 1.0, "z": "?"}
    fb = d.answer(-3.0)
    assert not fb.correct and fb.message == "Add the bias."
    assert d.feedback() == "✘ Add the bias."
    assert d.answer("-2").correct
    assert d.shown(1, 0)["z"] == -2.0


def test_open_select_seek_shown_on_a_network(nnviz_window, lesson_file):
    d = nnviz_window.open(lesson_file.parent / "net.json")
    d.select(1, 0).seek("end")
    shown = d.shown(1, 0)
    assert shown["a"] == 0.0 and "b_next" in shown
    d.seek(0)
    assert d.shown(0, 0) == {"x": 2.0}
    assert d.window.objectName() == "mainWindow"


def test_bad_paths_are_one_sentence(nnviz_window, tmp_path):
    with pytest.raises(ValueError, match="has no exercise 'zz'; its exercises are"):
        nnviz_window.open("lesson-1", step="zz")
    with pytest.raises(ValueError, match="no lesson file"):
        nnviz_window.open(tmp_path / "missing.md")
    with pytest.raises(ValueError, match="no lesson is open"):
        nnviz_window.answer(1.0)
'''


def test_the_plugin_is_registered_and_imports_no_qt():
    names = {ep.value for ep in entry_points(group="pytest11")}
    assert "nnviz.testing" in names
    code = "import sys, nnviz.testing; print(sorted(m for m in sys.modules if 'PySide6' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_readme_example_is_five_lines():
    assert len(_readme_example().strip().splitlines()) == 5


def test_a_course_authors_tests_pass_outside_the_repository(pytester):
    pytester.makepyfile(test_readme_example=_readme_example(), test_author=AUTHOR_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "-q")
    result.assert_outcomes(passed=4)


def test_a_failing_exercise_test_fails(pytester):
    """The fixture's answers are real: a test expecting a wrong answer to pass fails."""
    pytester.makepyfile(
        """
        def test_wrong(nnviz_window):
            nnviz_window.open("lesson-1", step="z")
            assert nnviz_window.answer(-3.0).correct
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(failed=1)


def test_the_offscreen_size_hints_line_is_silenced_and_nothing_else(pytester):
    """QA2 F14k: under ``pytest -s`` every window printed "This plugin does not support
    propagateSizeHints()"; other Qt warnings must still be printed."""
    pytester.makepyfile(
        """
        import pytest

        def test_open(nnviz_window):
            nnviz_window.open("lesson-1", 5)

        @pytest.mark.no_qt_log  # no pytest-qt capture: Qt prints as it would for a user
        def test_other_warnings_still_show(nnviz_window):
            from PySide6.QtCore import qWarning

            nnviz_window.window.resize(700, 500)
            qWarning("nnviz-test: a warning that must be seen")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "-s")
    result.assert_outcomes(passed=2)
    text = "\n".join(result.outlines + result.errlines)
    assert "propagateSizeHints" not in text, text
    assert "nnviz-test: a warning that must be seen" in text, text
