"""Lessons: the file format, its parser, answer checking, scoring and progress.

A lesson is a Markdown file under ``resources/lessons/`` (or anywhere a
teacher keeps one). Settings sit in small TOML blocks between ``+++`` lines,
as in Hugo's front matter; the Markdown after a block is that step's text::

    +++
    format = "nnviz.lesson"
    version = 1
    title = "Activation functions and backpropagation"
    +++
    (optional introduction, Markdown)

    +++
    title = "The weighted sum"
    example = "one_neuron"          # or: file = "my_network.json" (beside the lesson)
    select = [1, 0]                 # layer 1, neuron 0 (layer 0 = input); [l, j, i] = an edge
    seek = "forward_edges"          # a timeline step kind, or "start" / "end"
    show = ["inspector"]            # panels to bring forward
    hide = ["z", "a"]               # shown "?" until the exercise is answered right

    [exercise]
    type = "number"
    prompt = "What is z?"
    answer = -2.0
    tolerance = 0.01
    engine = "z"                    # the answer must be the engine's own z here
    reveal = "z"                    # after a right answer, play on to this step kind
    mistakes = [{ value = -3.0, feedback = "The bias is missing: add b." }]
    +++
    Markdown text of the step …

Everything here is pure Python (the standard library, numpy and the rest of
``nnviz.core``): the lesson panel, presenter mode and the pytest plugin read
:class:`Lesson` / :class:`Step`, call :func:`check_answer` and keep a
:class:`Progress` (which the UI stores, e.g. in QSettings, through
:meth:`Progress.to_json` / :meth:`Progress.from_json`).

A file with a mistake is refused with :class:`LessonError`, whose message is
one sentence naming the file, the step and the field
(``lesson-1.md, step 4 (line 57): exercise.tolerance must be a number ≥ 0,
got 'small'``). Nothing is built from a file until all of it has been checked,
including that every selected neuron exists in the step's network, every
seek target exists in its timeline and every ``engine`` answer equals the
number the engine computes.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import examples, io, propagation, timeline, training
from .network import Network

FORMAT = "nnviz.lesson"
VERSION = 1
SUFFIX = ".md"
DELIMITER = "+++"

#: the panels a step may bring forward (the UI maps each to its dock or tab)
PANELS = ("inspector", "chainRule", "activationPlot", "gradientFlow", "linearMap", "training")

#: seek targets: every timeline step kind, and the two ends
SEEK_KINDS = timeline.KINDS + ("end",)

#: values a step may hide (shown "?"), and which of them belong to a neuron or an edge
NEURON_VALUES = ("z", "a", "dL_da", "dL_dz", "b", "dL_db")
EDGE_VALUES = ("w", "wa", "dL_dw")
NETWORK_VALUES = ("loss",)
HIDEABLE = NEURON_VALUES + EDGE_VALUES + NETWORK_VALUES

#: quantities a number exercise's answer may be tied to (``engine = ...``)
ENGINE_NEURON = NEURON_VALUES
ENGINE_EDGE = ("w", "wa", "dL_dw", "w_next")
ENGINE_NETWORK = ("loss", "loss_next")
ENGINE_QUANTITIES = ENGINE_NEURON + ENGINE_EDGE + ENGINE_NETWORK

EXERCISE_TYPES = ("number", "choice")
DEFAULT_TOLERANCE = 1e-3
MAX_OPTIONS = 8
LETTERS = "ABCDEFGH"
MAX_STEPS = 200
MAX_TEXT = 20_000
MAX_LEARNING_RATE = 100.0
MAX_FILE_BYTES = 1_000_000

HEADER_KEYS = ("format", "version", "title", "summary", "order", "author")
STEP_KEYS = (
    "title",
    "part",
    "example",
    "file",
    "select",
    "seek",
    "show",
    "hide",
    "learning_rate",
    "exercise",
)
NUMBER_KEYS = (
    "type",
    "id",
    "prompt",
    "answer",
    "tolerance",
    "engine",
    "mistakes",
    "correct",
    "wrong",
    "reveal",
)
CHOICE_KEYS = ("type", "id", "prompt", "options", "correct", "reveal")
OPTION_KEYS = ("text", "correct", "feedback")
MISTAKE_KEYS = ("value", "feedback", "tolerance")
SEEK_KEYS = ("kind", "layer", "neuron")

MINUS = "\u2212"


class LessonError(ValueError):
    """A lesson file that cannot be used; the message is one sentence."""


# ---------------------------------------------------------------- the model
@dataclass(frozen=True)
class NetworkRef:
    """The network a step works on: a built-in example, or a file beside the lesson."""

    example: str | None = None
    path: Path | None = None

    def load(self) -> io.Project:
        """The network file, read fresh (the caller owns the copy)."""
        if self.example is not None:
            return examples.load(self.example)
        assert self.path is not None
        return io.load(self.path)

    def __str__(self) -> str:
        return f"example {self.example!r}" if self.example else f"file {self.path}"


@dataclass(frozen=True)
class Address:
    """A neuron ``(layer, neuron)`` or, with ``input`` set, the edge ``W[layer][neuron, input]``.

    Layer 0 is the input layer; edges belong to the layer they feed.
    """

    layer: int
    neuron: int
    input: int | None = None

    @property
    def is_edge(self) -> bool:
        return self.input is not None

    def as_list(self) -> list[int]:
        return [self.layer, self.neuron] + ([] if self.input is None else [self.input])


@dataclass(frozen=True)
class SeekTarget:
    """Where the playback goes: the first step of ``kind`` (in ``layer``, for ``neuron``).

    ``kind`` is one of :data:`nnviz.core.timeline.KINDS` or ``"end"``.
    """

    kind: str
    layer: int | None = None
    neuron: int | None = None

    def resolve(self, plan: timeline.Plan) -> int:
        """The step index in ``plan``; -1 if the plan has no such step."""
        if self.kind == "end":
            return plan.last
        k = plan.find(self.kind, self.layer, self.neuron)
        if k < 0 and self.neuron is not None:  # a layer-by-layer plan: the layer's step
            k = plan.find(self.kind, self.layer, None)
        return k


@dataclass(frozen=True)
class Hide:
    """A value shown as "?" until the step's exercise is answered right.

    ``address`` is None for network-wide values (the loss).
    """

    value: str
    address: Address | None


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Mistake:
    """A common wrong number and what to tell the student who gives it."""

    value: float
    feedback: str
    tolerance: float


@dataclass(frozen=True)
class NumberExercise:
    id: str
    prompt: str
    answer: float
    tolerance: float
    mistakes: tuple[Mistake, ...] = ()
    correct: str = ""
    wrong: str = ""
    engine: str | None = None
    reveal: SeekTarget | None = None
    type: str = "number"


@dataclass(frozen=True)
class ChoiceExercise:
    id: str
    prompt: str
    options: tuple[Option, ...]
    correct: str = ""
    reveal: SeekTarget | None = None
    type: str = "choice"

    @property
    def answer(self) -> int:
        """The index of the right option."""
        return next(k for k, o in enumerate(self.options) if o.correct)


Exercise = NumberExercise | ChoiceExercise


@dataclass(frozen=True)
class Step:
    """One step of a lesson: its Markdown text and what happens when the student reaches it.

    ``load`` is set only on steps that load a network; :meth:`Lesson.network_ref`
    gives the network in force at any step. ``select``/``hide`` addresses use
    the lesson's layer numbers (0 = input).
    """

    index: int  # 0-based
    title: str
    text: str
    part: str = ""
    load: NetworkRef | None = None
    select: Address | None = None
    seek: SeekTarget | None = None
    show: tuple[str, ...] = ()
    hide: tuple[Hide, ...] = ()
    learning_rate: float | None = None
    exercise: Exercise | None = None
    line: int = 0  # the line of its "+++" in the file

    @property
    def number(self) -> int:
        """1-based, as the student sees it."""
        return self.index + 1


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    steps: tuple[Step, ...]
    summary: str = ""
    intro: str = ""
    order: int = 0
    author: str = ""
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def exercises(self) -> list[Exercise]:
        return [s.exercise for s in self.steps if s.exercise is not None]

    def exercise(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(exercise_id)

    def step_of(self, exercise_id: str) -> Step:
        for s in self.steps:
            if s.exercise is not None and s.exercise.id == exercise_id:
                return s
        raise KeyError(exercise_id)

    def network_ref(self, k: int) -> NetworkRef | None:
        """The network in force at step ``k`` (0-based): the last one loaded at or before it."""
        for s in reversed(self.steps[: k + 1]):
            if s.load is not None:
                return s.load
        return None

    def selection(self, k: int) -> Address | None:
        """The neuron or edge selected at step ``k``: the last ``select`` since the last load."""
        for s in reversed(self.steps[: k + 1]):
            if s.select is not None:
                return s.select
            if s.load is not None:
                return None
        return None

    def learning_rate(self, k: int) -> float | None:
        """The learning rate in force at step ``k``: the last one set at or before it."""
        for s in reversed(self.steps[: k + 1]):
            if s.learning_rate is not None:
                return s.learning_rate
        return None


# ----------------------------------------------------------------- feedback
@dataclass(frozen=True)
class Feedback:
    """What the student is told after an answer.

    ``valid`` is False when the answer could not be read (not a number, no
    such option): it is not counted as an attempt. ``matched`` names what the
    answer matched: ``"answer"``, ``"mistake:K"``, ``"option:K"`` or ``""``.
    """

    correct: bool
    message: str
    valid: bool = True
    matched: str = ""


def _parse_number(answer: object) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float | np.integer | np.floating):
        v = float(answer)
        return v if math.isfinite(v) else None
    if isinstance(answer, str):
        text = answer.strip().replace(MINUS, "-").replace(",", ".").replace(" ", "")
        if not text:
            return None
        try:
            v = float(text)
        except ValueError:
            return None
        return v if math.isfinite(v) else None
    return None


def _parse_choice(answer: object, n: int) -> int | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | np.integer):
        k = int(answer)
        return k if 0 <= k < n else None
    if isinstance(answer, str):
        text = answer.strip().rstrip(").").upper()
        if len(text) == 1 and text in LETTERS[:n]:
            return LETTERS.index(text)
    return None


def _close(a: float, b: float, tol: float) -> bool:
    # a hair of slack so that a tolerance of 0.01 accepts 0.01 written in decimal
    return abs(a - b) <= tol * (1 + 1e-9) + 1e-12


def check_answer(exercise: Exercise, answer: object) -> Feedback:
    """Check one answer; pure, so the panel, the CLI and tests all agree.

    A number exercise takes a number or a string (``"-2"``, ``"−2.0"``,
    ``"-2,0"``); a choice exercise takes the option's 0-based index or its
    letter (``"B"``).
    """
    if isinstance(exercise, NumberExercise):
        v = _parse_number(answer)
        if v is None:
            return Feedback(
                False, f"{answer!r} is not a number; type a number such as -1.5.", False
            )
        if _close(v, exercise.answer, exercise.tolerance):
            return Feedback(True, exercise.correct or "Right.", True, "answer")
        best: tuple[float, int] | None = None
        for k, m in enumerate(exercise.mistakes):
            d = abs(v - m.value)
            if _close(v, m.value, m.tolerance) and (best is None or d < best[0]):
                best = (d, k)
        if best is not None:
            return Feedback(False, exercise.mistakes[best[1]].feedback, True, f"mistake:{best[1]}")
        return Feedback(False, exercise.wrong or "Not quite; check each term and try again.")
    k = _parse_choice(answer, len(exercise.options))
    if k is None:
        letters = ", ".join(LETTERS[: len(exercise.options)])
        return Feedback(False, f"{answer!r} is not one of the options {letters}.", False)
    option = exercise.options[k]
    if option.correct:
        return Feedback(True, option.feedback or exercise.correct or "Right.", True, f"option:{k}")
    return Feedback(False, option.feedback, True, f"option:{k}")


def score(lesson: Lesson, answers: Mapping[str, object]) -> dict[str, Any]:
    """Score a set of answers (exercise id -> answer): one entry per exercise, in order.

    Unknown ids are refused with :class:`LessonError` (a typo in an answers
    file would otherwise score 0 silently).
    """
    known = [ex.id for ex in lesson.exercises]
    for key in answers:
        if key not in known:
            hint = _suggest(str(key), known)
            raise LessonError(
                f"the answers name exercise {key!r}, which lesson {lesson.name!r} does not have"
                f"{hint}; its exercises are {', '.join(known)}"
            )
    rows = []
    for ex in lesson.exercises:
        step = lesson.step_of(ex.id)
        row: dict[str, Any] = {"id": ex.id, "step": step.number, "type": ex.type}
        if ex.id in answers:
            fb = check_answer(ex, answers[ex.id])
            row.update(
                answered=True,
                score=1 if fb.correct else 0,
                correct=fb.correct,
                valid=fb.valid,
                feedback=fb.message,
            )
        else:
            row.update(answered=False, score=0, correct=False, valid=True, feedback="")
        rows.append(row)
    return {
        "lesson": lesson.name,
        "title": lesson.title,
        "score": sum(r["score"] for r in rows),
        "total": len(rows),
        "exercises": rows,
    }


# ----------------------------------------------------------------- progress
@dataclass
class ExerciseProgress:
    attempts: int = 0
    solved: bool = False
    first_try: bool = False
    last_answer: str = ""


@dataclass
class Progress:
    """One student's way through one lesson: the current step and each exercise's state.

    Pure data with a JSON form; the UI stores it per user (QSettings). A step
    is *done* when it has no exercise or its exercise is solved; hidden values
    show once their step is done.
    """

    lesson: str
    n_steps: int
    current: int = 0
    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)

    @classmethod
    def start(cls, lesson: Lesson) -> Progress:
        return cls(
            lesson.name, len(lesson), 0, {ex.id: ExerciseProgress() for ex in lesson.exercises}
        )

    def go(self, k: int) -> int:
        """Move to step ``k`` (clamped); returns the step now current."""
        self.current = min(max(int(k), 0), self.n_steps - 1)
        return self.current

    def next(self) -> int:
        return self.go(self.current + 1)

    def previous(self) -> int:
        return self.go(self.current - 1)

    def answer(self, lesson: Lesson, exercise_id: str, answer: object) -> Feedback:
        """Check ``answer`` and record the attempt (unreadable answers are not counted)."""
        ex = lesson.exercise(exercise_id)
        fb = check_answer(ex, answer)
        state = self.exercises.setdefault(exercise_id, ExerciseProgress())
        if fb.valid and not state.solved:
            state.attempts += 1
            state.last_answer = str(answer)
            if fb.correct:
                state.solved = True
                state.first_try = state.attempts == 1
        return fb

    def step_done(self, lesson: Lesson, k: int) -> bool:
        ex = lesson.steps[k].exercise
        return ex is None or self.exercises.get(ex.id, ExerciseProgress()).solved

    def hidden(self, lesson: Lesson, k: int) -> tuple[Hide, ...]:
        """The values to show as "?" at step ``k`` now."""
        return () if self.step_done(lesson, k) else lesson.steps[k].hide

    def reset_step(self, lesson: Lesson, k: int) -> None:
        ex = lesson.steps[k].exercise
        if ex is not None:
            self.exercises[ex.id] = ExerciseProgress()

    def restart(self, lesson: Lesson) -> None:
        fresh = Progress.start(lesson)
        self.current, self.exercises = fresh.current, fresh.exercises

    @property
    def solved(self) -> int:
        return sum(1 for e in self.exercises.values() if e.solved)

    def fraction_done(self) -> float:
        """How far through the lesson the student is, 0.0 to 1.0, for a progress bar."""
        return (self.current + 1) / self.n_steps if self.n_steps else 0.0

    def to_json(self) -> str:
        return json.dumps(
            {
                "lesson": self.lesson,
                "n_steps": self.n_steps,
                "current": self.current,
                "exercises": {k: vars(v) for k, v in self.exercises.items()},
            }
        )

    @classmethod
    def from_json(cls, text: str | None, lesson: Lesson) -> Progress:
        """Progress stored earlier; a fresh start if it is missing, damaged or for another lesson.

        Exercises the lesson no longer has are dropped; new ones start fresh.
        """
        fresh = cls.start(lesson)
        try:
            data = json.loads(text or "")
        except (ValueError, TypeError):
            return fresh
        if not isinstance(data, dict) or data.get("lesson") != lesson.name:
            return fresh
        cur = data.get("current")
        if isinstance(cur, int) and not isinstance(cur, bool):
            fresh.go(cur)
        stored = data.get("exercises")
        if isinstance(stored, dict):
            for key, value in stored.items():
                if key in fresh.exercises and isinstance(value, dict):
                    try:
                        e = ExerciseProgress(
                            attempts=max(0, int(value.get("attempts", 0))),
                            solved=bool(value.get("solved", False)),
                            first_try=bool(value.get("first_try", False)),
                            last_answer=str(value.get("last_answer", "")),
                        )
                    except (TypeError, ValueError):
                        continue
                    fresh.exercises[key] = e
        return fresh


# -------------------------------------------------------------- the engine
def engine_value(
    project: io.Project, quantity: str, address: Address | None, learning_rate: float | None = None
) -> float:
    """The engine's own number for ``quantity`` at ``address`` on the project's sample.

    ``w_next`` / ``loss_next`` are the weight and the loss after one
    gradient-descent step with ``learning_rate`` (:func:`nnviz.core.training.sgd_step`).
    """
    net: Network = project.network
    x, y = project.sample.input, project.sample.target
    if quantity in ("w_next", "loss_next"):
        if learning_rate is None:
            raise ValueError(f"{quantity} needs a learning rate")
        after = net.copy()
        training.sgd_step(after, x, y, learning_rate)
        if quantity == "loss_next":
            return propagation.evaluate(after, x, y)[1].loss
        assert address is not None and address.input is not None
        return float(after.layers[address.layer - 1].W[address.neuron, address.input])
    trace, grads = propagation.evaluate(net, x, y)
    if quantity == "loss":
        return grads.loss
    assert address is not None
    l, j = address.layer, address.neuron
    if quantity in ("w", "wa", "dL_dw"):
        i = address.input
        assert i is not None
        w = float(net.layers[l - 1].W[j, i])
        if quantity == "w":
            return w
        if quantity == "wa":
            return w * float(trace.a[l - 1][0, i])
        return float(grads.dL_dW[l][j, i])
    table = {
        "z": trace.z[l][0],
        "a": trace.a[l][0],
        "dL_da": grads.dL_da[l][0],
        "dL_dz": None if l == 0 else grads.dL_dz[l][0],
        "b": None if l == 0 else net.layers[l - 1].b,
        "dL_db": None if l == 0 else grads.dL_db[l],
    }
    values = table[quantity]
    assert values is not None
    return float(values[j])


# ------------------------------------------------------------------ parsing
def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _show(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "…"


class _Where:
    """The place a field lives, for messages: ``lesson-1.md, step 4 (line 57)``."""

    def __init__(self, source: str, step: int | None, line: int) -> None:
        self.source, self.step, self.line = source, step, line

    def __str__(self) -> str:
        parts = [self.source] if self.source else []
        if self.step is None:
            parts.append(f"the lesson header (line {self.line})")
        else:
            parts.append(f"step {self.step} (line {self.line})")
        return ", ".join(parts)

    def fail(self, fieldname: str, problem: str) -> LessonError:
        return LessonError(f"{self}: {fieldname} {problem}")


def _split(text: str, where: str) -> list[tuple[int, str, int, str]]:
    """The file's blocks: (line of its "+++", TOML text, first line of the TOML, Markdown after)."""
    lines = text.removeprefix("\ufeff").splitlines()  # a BOM some editors write
    k = 0
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k == len(lines) or lines[k].strip() != DELIMITER:
        raise LessonError(
            f"{where}: a lesson must begin with a {DELIMITER} line that opens the lesson header"
        )
    blocks = []
    while k < len(lines):
        start = k
        k += 1
        toml_start = k
        while k < len(lines) and lines[k].strip() != DELIMITER:
            k += 1
        if k == len(lines):
            which = "the lesson header" if not blocks else f"step {len(blocks)}"
            raise LessonError(
                f"{where}: the settings block of {which} opened at line {start + 1} "
                f"is never closed by a {DELIMITER} line"
            )
        toml_text = "\n".join(lines[toml_start:k])
        k += 1
        body_start = k
        while k < len(lines) and lines[k].strip() != DELIMITER:
            k += 1
        body = "\n".join(lines[body_start:k]).strip("\n")
        blocks.append((start + 1, toml_text, toml_start + 1, body))
    return blocks


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml(text: str, first_line: int, where: _Where) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_AT.search(msg)
        if m:
            line = first_line + int(m.group(1)) - 1
            msg = _TOML_AT.sub(f"(line {line}, column {m.group(2)})", msg)
        msg = msg.rstrip(".")
        raise LessonError(f"{where}: the settings block is not valid TOML: {msg}") from None


def _keys(data: Mapping[str, Any], allowed: Sequence[str], prefix: str, where: _Where) -> None:
    for key in data:
        if key not in allowed:
            raise where.fail(
                f"{prefix}{key}",
                f"is not a known field{_suggest(key, allowed)}; expected one of "
                f"{', '.join(allowed)}",
            )


def _table(
    v: object,
    name: str,
    expected: str,
    allowed: Sequence[str],
    required: Sequence[str],
    where: _Where,
) -> dict[str, Any]:
    """``v`` as a table of ``allowed`` fields that holds every ``required`` one;
    ``expected`` says what it should be ("a table {value, feedback}")."""
    if not isinstance(v, dict):
        raise where.fail(name, f"must be {expected}, got {_show(v)}")
    _keys(v, allowed, f"{name}.", where)
    for key in required:
        if key not in v:
            raise where.fail(f"{name}.{key}", "is missing")
    return v


def _string(v: object, name: str, where: _Where, *, empty: bool = False) -> str:
    if not isinstance(v, str):
        raise where.fail(name, f"must be text in quotes, got {_show(v)}")
    if not empty and not v.strip():
        raise where.fail(name, "must not be empty")
    if len(v) > MAX_TEXT:
        raise where.fail(name, f"is longer than {MAX_TEXT} characters")
    return v.strip()


def _float(v: object, name: str, where: _Where, lo: float = -1e12, hi: float = 1e12) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise where.fail(name, f"must be a number, got {_show(v)}")
    if not lo <= v <= hi:
        raise where.fail(name, f"must be between {lo:g} and {hi:g}, got {v:g}")
    return float(v)


def _int(v: object, name: str, where: _Where, lo: int = 0, hi: int = 10**6) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise where.fail(name, f"must be a whole number, got {_show(v)}")
    if not lo <= v <= hi:
        raise where.fail(name, f"must be from {lo} to {hi}, got {v}")
    return v


def _seek(v: object, name: str, where: _Where) -> SeekTarget:
    if isinstance(v, str):
        v = {"kind": v}
    expected = 'a step kind such as "z" or a table {kind, layer}'
    v = _table(v, name, expected, SEEK_KEYS, ("kind",), where)
    kind = v["kind"]
    if not isinstance(kind, str) or kind not in SEEK_KINDS:
        raise where.fail(
            name,
            f"must be a timeline step kind{_suggest(str(kind), SEEK_KINDS)}; expected one of "
            f"{', '.join(SEEK_KINDS)}, got {_show(kind)}",
        )
    layer = None if "layer" not in v else _int(v["layer"], f"{name}.layer", where, 0, 10**4)
    neuron = None if "neuron" not in v else _int(v["neuron"], f"{name}.neuron", where, 0, 10**6)
    return SeekTarget(kind, layer, neuron)


def _address(v: object, name: str, where: _Where) -> Address:
    if (
        not isinstance(v, list)
        or len(v) not in (2, 3)
        or any(isinstance(x, bool) or not isinstance(x, int) for x in v)
    ):
        raise where.fail(
            name,
            "must be [layer, neuron] for a neuron or [layer, neuron, input] for an edge "
            f"(whole numbers, layer 0 = input), got {_show(v)}",
        )
    if any(x < 0 for x in v):
        raise where.fail(name, f"must not hold negative numbers, got {_show(v)}")
    if len(v) == 3 and v[0] == 0:
        raise where.fail(name, "names an edge into layer 0, but the input layer has no edges")
    return Address(v[0], v[1], v[2] if len(v) == 3 else None)


def _hides(v: object, select: Address | None, where: _Where) -> tuple[Hide, ...]:
    items = v if isinstance(v, list) else [v]
    out = []
    for k, item in enumerate(items):
        name = f"hide[{k}]" if isinstance(v, list) else "hide"
        if isinstance(item, str):
            value, addr = item, None
        elif isinstance(item, dict):
            _keys(item, ("value", "at"), f"{name}.", where)
            if "value" not in item:
                raise where.fail(f"{name}.value", "is missing")
            value = item["value"]
            addr = _address(item["at"], f"{name}.at", where) if "at" in item else None
        else:
            raise where.fail(name, f'must be a value name such as "z", got {_show(item)}')
        if not isinstance(value, str) or value not in HIDEABLE:
            raise where.fail(
                name,
                f"must name a value{_suggest(str(value), HIDEABLE)}; expected one of "
                f"{', '.join(HIDEABLE)}, got {_show(value)}",
            )
        if value in NETWORK_VALUES:
            addr = None
        else:
            addr = addr or select
            if addr is None:
                raise where.fail(
                    name,
                    f"hides {value!r} but names no neuron or edge; select one or add at = [...]",
                )
            if value in EDGE_VALUES and not addr.is_edge:
                raise where.fail(name, f"hides the edge value {value!r} at a neuron; use an edge")
            if value in NEURON_VALUES and addr.is_edge:
                raise where.fail(name, f"hides the neuron value {value!r} at an edge; use a neuron")
        out.append(Hide(value, addr))
    return tuple(out)


def _text_list(v: object, name: str, where: _Where) -> list[str]:
    items = v if isinstance(v, list) else [v]
    if not all(isinstance(x, str) for x in items):
        raise where.fail(name, f"must be a name or a list of names, got {_show(v)}")
    return items  # type: ignore[return-value]


def _exercise(v: object, where: _Where, default_id: str) -> Exercise:
    if not isinstance(v, dict):
        raise where.fail("exercise", f"must be a table [exercise], got {_show(v)}")
    kind = v.get("type")
    if kind not in EXERCISE_TYPES:
        problem = (
            "is missing" if kind is None else f"must be one of number, choice, got {_show(kind)}"
        )
        raise where.fail("exercise.type", problem)
    _keys(v, NUMBER_KEYS if kind == "number" else CHOICE_KEYS, "exercise.", where)
    ex_id = default_id
    if "id" in v:
        ex_id = _string(v["id"], "exercise.id", where)
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", ex_id):
            raise where.fail("exercise.id", "may hold only letters, digits, '_', '.' and '-'")
    if "prompt" not in v:
        raise where.fail("exercise.prompt", "is missing")
    prompt = _string(v["prompt"], "exercise.prompt", where)
    correct = _string(v["correct"], "exercise.correct", where) if "correct" in v else ""
    reveal = _seek(v["reveal"], "exercise.reveal", where) if "reveal" in v else None
    if kind == "choice":
        opts = v.get("options")
        if not isinstance(opts, list) or not 2 <= len(opts) <= MAX_OPTIONS:
            raise where.fail(
                "exercise.options",
                f"must be a list of 2 to {MAX_OPTIONS} options, got {_show(opts)}",
            )
        options = []
        for k, o in enumerate(opts):
            name = f"exercise.options[{k}]"
            expected = "a table {text, correct, feedback}"
            o = _table(o, name, expected, OPTION_KEYS, ("text",), where)
            text = _string(o["text"], f"{name}.text", where)
            right = o.get("correct", False)
            if not isinstance(right, bool):
                raise where.fail(f"{name}.correct", f"must be true or false, got {_show(right)}")
            if not right and "feedback" not in o:
                raise where.fail(
                    f"{name}.feedback", "is missing: every wrong option needs its own feedback"
                )
            fb = _string(o["feedback"], f"{name}.feedback", where) if "feedback" in o else ""
            options.append(Option(text, right, fb))
        n_right = sum(o.correct for o in options)
        if n_right != 1:
            raise where.fail(
                "exercise.options",
                f"must have exactly one option with correct = true, found {n_right}",
            )
        return ChoiceExercise(ex_id, prompt, tuple(options), correct, reveal)
    tol = DEFAULT_TOLERANCE
    if "tolerance" in v:
        tol = _float(v["tolerance"], "exercise.tolerance", where, 0.0, 1e6)
    engine = None
    if "engine" in v:
        engine = v["engine"]
        if not isinstance(engine, str) or engine not in ENGINE_QUANTITIES:
            raise where.fail(
                "exercise.engine",
                f"must name a value the engine computes{_suggest(str(engine), ENGINE_QUANTITIES)}; "
                f"expected one of {', '.join(ENGINE_QUANTITIES)}, got {_show(engine)}",
            )
    if "answer" not in v:
        raise where.fail("exercise.answer", "is missing")
    answer = _float(v["answer"], "exercise.answer", where)
    raw = v.get("mistakes", [])
    if not isinstance(raw, list):
        raise where.fail("exercise.mistakes", f"must be a list of tables, got {_show(raw)}")
    mistakes = []
    for k, m in enumerate(raw):
        name = f"exercise.mistakes[{k}]"
        expected = "a table {value, feedback}"
        m = _table(m, name, expected, MISTAKE_KEYS, ("value", "feedback"), where)
        value = _float(m["value"], f"{name}.value", where)
        fb = _string(m["feedback"], f"{name}.feedback", where)
        mtol = tol
        if "tolerance" in m:
            mtol = _float(m["tolerance"], f"{name}.tolerance", where, 0.0, 1e6)
        if _close(value, answer, tol):
            raise where.fail(
                f"{name}.value",
                f"{value:g} is within the tolerance of the right answer {answer:g}, "
                "so it would be marked right",
            )
        mistakes.append(Mistake(value, fb, mtol))
    wrong = _string(v["wrong"], "exercise.wrong", where) if "wrong" in v else ""
    return NumberExercise(
        ex_id, prompt, answer, tol, tuple(mistakes), correct, wrong, engine, reveal
    )


def _check_address(addr: Address, sizes: Sequence[int], name: str, where: _Where) -> None:
    depth = len(sizes) - 1
    if addr.layer > depth:
        raise where.fail(
            name, f"names layer {addr.layer}, but the network has layers 0 to {depth} (0 = input)"
        )
    if addr.neuron >= sizes[addr.layer]:
        raise where.fail(
            name,
            f"names neuron {addr.neuron} of layer {addr.layer}, which has neurons 0 to "
            f"{sizes[addr.layer] - 1}",
        )
    if addr.input is not None and addr.input >= sizes[addr.layer - 1]:
        raise where.fail(
            name,
            f"names input {addr.input} of an edge into layer {addr.layer}, but layer "
            f"{addr.layer - 1} has neurons 0 to {sizes[addr.layer - 1] - 1}",
        )


def _check_seek(target: SeekTarget, plan: timeline.Plan, name: str, where: _Where) -> None:
    if target.layer is not None and target.layer > plan.depth:
        raise where.fail(
            f"{name}.layer", f"is {target.layer}, but the network has layers 0 to {plan.depth}"
        )
    if target.resolve(plan) < 0:
        at = "" if target.layer is None else f" in layer {target.layer}"
        raise where.fail(
            name, f"asks for a {target.kind!r} step{at}, which this network's playback has none of"
        )


class _Networks:
    """Loads each network a lesson names once while it is checked."""

    def __init__(self) -> None:
        self.cache: dict[NetworkRef, io.Project] = {}

    def get(self, ref: NetworkRef, field_name: str, where: _Where) -> io.Project:
        if ref not in self.cache:
            try:
                self.cache[ref] = ref.load()
            except io.FileFormatError as e:
                raise where.fail(field_name, f"cannot be loaded: {e}") from None
        return self.cache[ref]


def parse(
    text: str, name: str = "lesson", base: Path | None = None, *, source: str | None = None
) -> Lesson:
    """Parse and check a lesson's text; files it names are looked for in ``base``.

    ``source`` is how messages name the file (default: ``name`` + ``.md``).
    Raises :class:`LessonError` with one sentence on the first mistake.
    """
    src = source if source is not None else f"{name}{SUFFIX}"
    blocks = _split(text, src)
    line, toml_text, first, intro = blocks[0]
    where = _Where(src, None, line)
    header = _toml(toml_text, first, where)
    _keys(header, HEADER_KEYS, "", where)
    if header.get("format") != FORMAT:
        raise where.fail("format", f'must be "{FORMAT}", got {_show(header.get("format"))}')
    version = header.get("version")
    if version != VERSION or isinstance(version, bool):
        raise where.fail(
            "version",
            f"must be {VERSION} (this nnviz reads version {VERSION}), got {_show(version)}",
        )
    if "title" not in header:
        raise where.fail("title", "is missing")
    title = _string(header["title"], "title", where)
    summary = _string(header["summary"], "summary", where) if "summary" in header else ""
    author = _string(header["author"], "author", where) if "author" in header else ""
    order = _int(header["order"], "order", where, 0, 10**6) if "order" in header else 0
    if len(blocks) < 2:
        raise LessonError(
            f"{src}: the lesson has no steps; each step begins with a {DELIMITER} block"
        )
    if len(blocks) - 1 > MAX_STEPS:
        raise LessonError(f"{src}: the lesson has {len(blocks) - 1} steps, more than {MAX_STEPS}")

    networks = _Networks()
    steps: list[Step] = []
    ids: dict[str, int] = {}
    ref: NetworkRef | None = None
    selected: Address | None = None  # the selection in force (kept until a new network)
    part = ""
    rate: float | None = None
    for k, (line, toml_text, first, body) in enumerate(blocks[1:]):
        where = _Where(src, k + 1, line)
        data = _toml(toml_text, first, where)
        _keys(data, STEP_KEYS, "", where)
        if "title" not in data:
            raise where.fail("title", "is missing")
        step_title = _string(data["title"], "title", where)
        if not body.strip():
            raise where.fail(
                "text", f"is missing: write the step's Markdown after its closing {DELIMITER}"
            )
        if len(body) > MAX_TEXT:
            raise where.fail("text", f"is longer than {MAX_TEXT} characters")
        if "part" in data:
            part = _string(data["part"], "part", where)
        load = None
        if "example" in data and "file" in data:
            raise where.fail("file", "and example are both given; a step loads one network")
        if "example" in data:
            ex_name = _string(data["example"], "example", where)
            if ex_name not in examples.names():
                raise where.fail(
                    "example",
                    f"names no built-in network{_suggest(ex_name, examples.names())}; expected one "
                    f"of {', '.join(examples.names())}, got {ex_name!r}",
                )
            load = NetworkRef(example=ex_name)
        elif "file" in data:
            fname = _string(data["file"], "file", where)
            rel = Path(fname)
            if rel.is_absolute() or ".." in rel.parts:
                raise where.fail("file", f"must be a file beside the lesson, not {fname!r}")
            if base is None:
                raise where.fail(
                    "file", f"names {fname!r}, but this lesson is not read from a folder"
                )
            path = base / rel
            if not path.is_file():
                raise where.fail(
                    "file", f"names {fname!r}, which is not beside the lesson in {base}"
                )
            load = NetworkRef(path=path)
        if load is not None:
            ref = load
            selected = None
        project = (
            networks.get(ref, "example" if ref and ref.example else "file", where) if ref else None
        )
        sizes = project.network.sizes if project else None
        plan = timeline.build_plan(project.network) if project else None

        def need_network(fieldname: str, where: _Where = where, project=project) -> None:
            if project is None:
                raise where.fail(
                    fieldname,
                    "needs a network; load one in this or an earlier step (example = ...)",
                )

        select = None
        if "select" in data:
            select = _address(data["select"], "select", where)
            need_network("select")
            _check_address(select, sizes, "select", where)  # type: ignore[arg-type]
            selected = select
        seek = None
        if "seek" in data:
            seek = _seek(data["seek"], "seek", where)
            need_network("seek")
            _check_seek(seek, plan, "seek", where)  # type: ignore[arg-type]
        show: tuple[str, ...] = ()
        if "show" in data:
            items = _text_list(data["show"], "show", where)
            for p in items:
                if p not in PANELS:
                    raise where.fail(
                        "show",
                        f"names no panel{_suggest(p, PANELS)}; expected one of "
                        f"{', '.join(PANELS)}, got {p!r}",
                    )
            show = tuple(items)
        hide: tuple[Hide, ...] = ()
        if "hide" in data:
            hide = _hides(data["hide"], selected, where)
            need_network("hide")
            for h in hide:
                if h.address is not None:
                    _check_address(h.address, sizes, "hide", where)  # type: ignore[arg-type]
                    if h.address.layer == 0 and h.value not in ("a",):
                        # the neuron may come from this step's select: name both fields
                        via = " (the neuron that select names)" if "select" in data else ""
                        raise where.fail(
                            "hide",
                            f"hides {h.value!r} of an input neuron{via}, which has only its "
                            "value a",
                        )
        if "learning_rate" in data:
            lr = data["learning_rate"]
            rate = _float(lr, "learning_rate", where, 0.0, MAX_LEARNING_RATE)
            if rate <= 0:
                raise where.fail("learning_rate", f"must be more than 0, got {lr:g}")
        exercise = None
        if "exercise" in data:
            exercise = _exercise(data["exercise"], where, f"step-{k + 1}")
            if exercise.id in ids:
                raise where.fail(
                    "exercise.id",
                    f"{exercise.id!r} is already the id of step {ids[exercise.id]}'s exercise",
                )
            ids[exercise.id] = k + 1
            if exercise.reveal is not None:
                need_network("exercise.reveal")
                _check_seek(exercise.reveal, plan, "exercise.reveal", where)  # type: ignore[arg-type]
            if isinstance(exercise, NumberExercise) and exercise.engine is not None:
                need_network("exercise.engine")
                _check_engine(exercise, selected, project, rate, where)  # type: ignore[arg-type]
        steps.append(
            Step(
                k,
                step_title,
                body,
                part,
                load,
                select,
                seek,
                show,
                hide,
                float(data["learning_rate"]) if "learning_rate" in data else None,
                exercise,
                line,
            )
        )
    return Lesson(name, title, tuple(steps), summary, intro.strip(), order, author, None)


def _check_engine(
    ex: NumberExercise,
    select: Address | None,
    project: io.Project,
    rate: float | None,
    where: _Where,
) -> None:
    q = ex.engine
    assert q is not None
    if q in ENGINE_NETWORK:
        addr = None
    else:
        if select is None:
            raise where.fail(
                "exercise.engine",
                f"is {q!r}, which needs a selected neuron or edge (select = [...])",
            )
        if q in ENGINE_EDGE and not select.is_edge:
            raise where.fail(
                "exercise.engine", f"is the edge value {q!r}, but select names a neuron"
            )
        if q in ENGINE_NEURON and select.is_edge:
            raise where.fail(
                "exercise.engine", f"is the neuron value {q!r}, but select names an edge"
            )
        if select.layer == 0 and q != "a":
            raise where.fail("exercise.engine", f"is {q!r}, which an input neuron does not have")
        addr = select
    if q in ("w_next", "loss_next") and rate is None:
        raise where.fail(
            "exercise.engine", f"is {q!r}, which needs learning_rate in this or an earlier step"
        )
    value = engine_value(project, q, addr, rate)
    if not _close(ex.answer, value, ex.tolerance):
        raise where.fail(
            "exercise.answer",
            f"is {ex.answer:g}, but the engine computes {q} = {value:.6g} here "
            f"(tolerance {ex.tolerance:g})",
        )


# -------------------------------------------------------------- the files
def _folder():
    return resources.files("nnviz.resources").joinpath("lessons")


def names() -> list[str]:
    """The shipped lessons, by file name without ``.md``, in their ``order``."""
    folder = _folder()
    found = sorted(p.name[: -len(SUFFIX)] for p in folder.iterdir() if p.name.endswith(SUFFIX))
    found = [n for n in found if not n.upper().startswith("README")]
    return sorted(found, key=lambda n: (_order(n), n))


def _order(name: str) -> int:
    m = re.match(r"\D*(\d+)", name)
    return int(m.group(1)) if m else 10**6


def load(path: str | Path) -> Lesson:
    """A lesson file from disk; networks it names by ``file`` are looked for beside it."""
    p = Path(path)
    text = read_text(p, MAX_FILE_BYTES, "lesson file")
    lesson = parse(text, p.stem, p.parent.resolve(), source=p.name)
    return _with_path(lesson, p.resolve())


def read_text(path: Path, limit: int, what: str) -> str:
    """A lesson or answers file as text, by the rules of network files (see io.read_bounded).

    Only a regular file is read (a FIFO, a device such as /dev/zero or a socket is
    refused before it is opened), and never more than ``limit`` bytes; LessonError
    with one sentence otherwise.
    """
    try:
        return io.read_text_bounded(path, limit, what)
    except io.FileFormatError as e:
        if not os.path.lexists(path):
            raise LessonError(f"there is no {what} {str(path)!r}") from None
        raise LessonError(str(e)) from None


def _with_path(lesson: Lesson, path: Path) -> Lesson:
    from dataclasses import replace

    return replace(lesson, path=path)


def load_named(name: str) -> Lesson:
    """A shipped lesson by name (see :func:`names`)."""
    if name not in names():
        raise LessonError(
            f"there is no lesson {name!r}{_suggest(name, names())}; the lessons are "
            f"{', '.join(names())}"
        )
    with resources.as_file(_folder().joinpath(f"{name}{SUFFIX}")) as p:
        return load(p)


def find(name_or_path: str) -> Lesson:
    """A shipped lesson by name, else a lesson file by path (what ``--lesson`` accepts)."""
    if name_or_path in names():
        return load_named(name_or_path)
    p = Path(name_or_path)
    if p.suffix == SUFFIX or p.exists():
        return load(p)
    return load_named(name_or_path)
