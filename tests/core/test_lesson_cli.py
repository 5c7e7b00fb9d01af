"""``nnviz lesson check LESSON [--answers ANSWERS.json]`` and ``nnviz lesson list``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nnviz.cli import main
from nnviz.core import lessons


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_a_shipped_lesson(capsys):
    for name in lessons.names():
        code, out, err = run(capsys, "lesson", "check", name)
        assert code == 0 and err == ""
        lesson = lessons.load_named(name)
        n, m = len(lesson), len(lesson.exercises)
        assert out == f"{name}: ok — {n} steps, {m} exercises ({lesson.title})\n"


def test_check_with_answers_prints_the_score_per_exercise(capsys, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"z": -3.0, "a": "B", "dL_dw": "-0.0231", "collapse": 1}), encoding="utf-8"
    )
    code, out, err = run(capsys, "lesson", "check", "lesson-1", "--answers", str(answers))
    assert code == 0 and err == ""
    result = json.loads(out)
    assert result["lesson"] == "lesson-1" and result["total"] == 10 and result["score"] == 2
    rows = {r["id"]: r for r in result["exercises"]}
    assert rows["z"]["score"] == 0 and "bias" in rows["z"]["feedback"]
    assert rows["a"]["score"] == 1 and rows["dL_dw"]["score"] == 1
    assert rows["collapse"]["score"] == 0 and rows["collapse"]["answered"]
    assert not rows["vanishing"]["answered"]


def test_check_a_lesson_file_by_path(capsys, tmp_path):
    src = lessons.load_named("lesson-1").path.read_text(encoding="utf-8")
    mine = tmp_path / "mine.md"
    mine.write_text(src, encoding="utf-8")
    code, out, _ = run(capsys, "lesson", "check", str(mine))
    assert code == 0 and out.startswith("mine: ok — 13 steps")
    broken = src.replace("answer = -2.0", "answer = -2.5", 1)
    mine.write_text(broken, encoding="utf-8")
    code, out, err = run(capsys, "lesson", "check", str(mine))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nnviz: mine.md, step 8 (line ")
    assert "exercise.answer is -2.5, but the engine computes z = -2" in err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ('{"zz": 1}', "did you mean 'z'"),
        (None, "no answers file"),
    ],
)
def test_bad_answers_files_exit_2_with_one_sentence(capsys, tmp_path, content, words):
    path = tmp_path / "answers.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "lesson", "check", "lesson-1", "--answers", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1 and words in err


@pytest.mark.parametrize(
    "argv",
    [["lesson"], ["lesson", "grade"], ["lesson", "check", "nope"], ["lesson", "check", "x.md"]],
)
def test_bad_command_lines_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.startswith("nnviz: ") and err.count("\n") == 1


def test_list(capsys):
    code, out, _ = run(capsys, "lesson", "list")
    assert code == 0
    assert out.splitlines()[:2] == [
        "lesson-1\tActivation functions and backpropagation",
        "lesson-2\tGradient descent: one step at a time",
    ]


def test_lesson_check_never_imports_qt():
    code = (
        "import sys; from nnviz.cli import main; rc = main(['lesson', 'check', 'lesson-2']); "
        "assert not any(m.startswith(('PySide6', 'pyqtgraph', 'nnviz.ui')) for m in sys.modules); "
        "sys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_check_counts_one_step_and_one_exercise_in_the_singular(capsys, tmp_path):
    # QA2 F14i: "1 steps, 1 exercises"
    src = lessons.load_named("lesson-1").path.read_text(encoding="utf-8")
    parts = src.split("+++\n")
    # the front matter, then the first step that holds an exercise (with its text)
    front = "+++\n" + parts[1] + "+++\n" + parts[2]
    with_ex = next(i for i in range(3, len(parts), 2) if "[exercise]" in parts[i])
    one = front + "+++\n" + parts[with_ex] + "+++\n" + parts[with_ex + 1]
    mine = tmp_path / "one.md"
    mine.write_text(one, encoding="utf-8")
    code, out, err = run(capsys, "lesson", "check", str(mine))
    assert code == 0 and err == "", err
    assert out.startswith("one: ok — 1 step, 1 exercise ("), out
