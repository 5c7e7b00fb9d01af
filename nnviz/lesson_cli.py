"""``nnviz lesson``: check a lesson file headless, and score a set of answers.

    nnviz lesson check LESSON [--answers ANSWERS.json]
    nnviz lesson list

LESSON is a shipped lesson's name (``lesson-1``) or the path of a lesson file.
A lesson with a mistake exits with status 2 and one sentence naming the step
and the field. With ``--answers`` (a JSON object: exercise id -> answer) the
score of each exercise is printed as JSON. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from nnviz.cliargs import error
from nnviz.core import lessons

#: answers files larger than this are refused before reading (a lesson has at most 200)
MAX_ANSWERS_BYTES = 1_000_000


class _NotFinite(ValueError):
    """NaN, Infinity or a number too large for a float in an answers file."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(f"{text[:40]} is too large for a number")
    return value


def _constant(name: str) -> float:
    raise _NotFinite(f"{name} is not a number JSON allows")


def _read_answers(path: str) -> dict[str, object]:
    """The answers file: one JSON object read by the rules of every file nnviz reads.

    A FIFO or a device is refused before it is opened and no more than
    MAX_ANSWERS_BYTES are read (lessons.read_text); NaN, Infinity and numbers too
    large for a float (``1e400``) refuse the file, as they do a network file.
    """
    p = Path(path)
    text = lessons.read_text(p, MAX_ANSWERS_BYTES, "answers file")
    try:
        data = json.loads(text, parse_constant=_constant, parse_float=_finite)
    except json.JSONDecodeError as e:
        raise lessons.LessonError(
            f"{p.name} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})"
        ) from None
    except _NotFinite as e:
        raise lessons.LessonError(f"{p.name}: {e}; an answer must be a finite number") from None
    except (ValueError, RecursionError):  # an integer of more digits than Python converts
        raise lessons.LessonError(f"{p.name} holds a value that is too large to read") from None
    if not isinstance(data, dict):
        raise lessons.LessonError(
            f'{p.name} must hold one JSON object of exercise ids and answers, like {{"z": -2.0}}'
        )
    return data


def _check(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="nnviz lesson check",
        description="Validate a lesson file; with --answers, print the score of each exercise "
        "as JSON. Exit status 2 and one sentence on a mistake.",
    )
    p.add_argument("lesson", help="a shipped lesson's name (see `nnviz lesson list`) or a .md file")
    p.add_argument(
        "--answers",
        metavar="ANSWERS.json",
        help='a JSON object of exercise id -> answer, e.g. {"z": -2.0, "a": "B"}',
    )
    args = p.parse_args(argv)
    try:
        lesson = lessons.find(args.lesson)
        answers = _read_answers(args.answers) if args.answers else None
        result = lessons.score(lesson, answers) if answers is not None else None
    except lessons.LessonError as e:
        return error(str(e))
    if result is not None:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        n_ex = len(lesson.exercises)
        steps = _count(len(lesson), "step")
        print(f"{lesson.name}: ok — {steps}, {_count(n_ex, 'exercise')} ({lesson.title})")
    return 0


def _count(n: int, noun: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _list(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="nnviz lesson list", description="List the shipped lessons.")
    p.parse_args(argv)
    for name in lessons.names():
        try:
            lesson = lessons.load_named(name)
        except lessons.LessonError as e:  # a broken shipped lesson is reported, not hidden
            print(f"{name}\t(broken: {e})")
            continue
        print(f"{name}\t{lesson.title}")
    return 0


def main(argv: list[str]) -> int:
    actions = {"check": _check, "list": _list}
    if not argv or argv[0] not in actions:
        if argv and argv[0] in ("-h", "--help"):
            print(__doc__.strip().split("\n\n")[1])
            return 0
        got = f" {argv[0]!r}" if argv else ""
        return error(f"lesson needs an action{got and ', not' + got}: check LESSON or list")
    return actions[argv[0]](argv[1:])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
