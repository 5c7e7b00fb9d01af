"""Lessons, answers files and CSV data are read by the rules of network files (QA2 F7).

A FIFO, a device or a socket is refused before it is opened, and a file over the
limit is refused before it is read. On main, ``nnviz lesson check /dev/zero`` was
OOM-killed at 22 GB, a FIFO named ``ff.md`` hung it forever, ``--answers`` of a
device gave a MemoryError traceback, and Load CSV… had no size limit at all.

Every case that would hang or exhaust memory on the old code runs in a child with a
timeout and a memory limit; none of them reads /dev/zero (a shared machine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from nnviz.core import datasets, io, lessons

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
LIMIT = 1 << 30  # a child that tried to read a 3 GB file whole fails inside this


def child(*argv: str, code: str | None = None, timeout: float = 60) -> tuple[int, str, str]:
    """``nnviz ARGV`` (or ``python -c CODE``) in a child: at most 1 GB, at most ``timeout`` s."""

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "nnviz", *argv]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    try:
        r = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, preexec_fn=limit
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(argv) or code} waited (a FIFO read, not refused)")
    return r.returncode, r.stdout, r.stderr


def one_sentence(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err and "MemoryError" not in err, err
    return err


def sparse(path, size: int = 3 * 1024**3):
    with open(path, "wb") as f:
        f.truncate(size)  # no disk used; reading it whole would need 3 GB
    return path


# ------------------------------------------------------------- lesson files
@needs_fifo
def test_lesson_check_of_a_fifo_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "ff.md")
    code, out, err = child("lesson", "check", str(tmp_path / "ff.md"), timeout=30)
    assert code == 2 and out == ""
    assert "ff.md: is not a regular file (a pipe, device or socket)" in one_sentence(err)
    assert "cannot be a lesson file" in err


def test_a_lesson_over_the_limit_is_refused_before_it_is_read(tmp_path):
    code, out, err = child("lesson", "check", str(sparse(tmp_path / "big.md")))
    assert code == 2 and out == ""
    assert "3,221,225,472 bytes is too large for a lesson file" in one_sentence(err)
    assert f"(the limit is {lessons.MAX_FILE_BYTES:,})" in err


@needs_fifo
def test_lessons_load_refuses_a_fifo_in_process(tmp_path):
    # the same rule through the API (what the window's Help ▸ Lessons ▸ Open… calls);
    # run in a child, as the old code would block in open() forever
    os.mkfifo(tmp_path / "ff.md")
    code, out, err = child(
        code="from nnviz.core import lessons\n"
        "try:\n"
        f"    lessons.load({str(tmp_path / 'ff.md')!r})\n"
        "except lessons.LessonError as e:\n"
        "    print(e)\n",
        timeout=30,
    )
    assert code == 0 and err == "" and "is not a regular file" in out, (out, err)


# ------------------------------------------------------------ answers files
@needs_fifo
def test_an_answers_fifo_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "answers.json")
    code, out, err = child(
        "lesson", "check", "lesson-1", "--answers", str(tmp_path / "answers.json"), timeout=30
    )
    assert code == 2 and out == ""
    assert "answers.json: is not a regular file" in one_sentence(err)
    assert "cannot be an answers file" in err


def test_an_answers_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = sparse(tmp_path / "answers.json")
    code, out, err = child("lesson", "check", "lesson-1", "--answers", str(path))
    assert code == 2 and out == ""
    assert "3,221,225,472 bytes is too large for an answers file" in one_sentence(err)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"z": NaN}', "NaN is not a number JSON allows"),
        ('{"z": -Infinity}', "-Infinity is not a number JSON allows"),
        ('{"z": 1e400}', "1e400 is too large for a number"),
        ('{"z": -2.0, "a": [Infinity]}', "Infinity is not a number JSON allows"),
    ],
)
def test_an_answers_file_with_nan_or_infinity_is_refused_as_a_file(capsys, tmp_path, text, words):
    from nnviz.cli import main

    path = tmp_path / "answers.json"
    path.write_text(text, encoding="utf-8")
    code = main(["lesson", "check", "lesson-1", "--answers", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "", out  # refused, not scored as "nan is not a number"
    assert err == f"nnviz: answers.json: {words}; an answer must be a finite number\n", err


def test_an_answers_file_with_a_bom_and_crlf_is_read(capsys, tmp_path):
    from nnviz.cli import main

    path = tmp_path / "answers.json"
    path.write_bytes(b'\xef\xbb\xbf{"z": -2.0,\r\n "a": "B"}\r\n')
    assert main(["lesson", "check", "lesson-1", "--answers", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["score"] == 2


# ---------------------------------------------------------------- CSV files
@needs_fifo
def test_read_csv_refuses_a_fifo_at_once(tmp_path):
    os.mkfifo(tmp_path / "d.csv")
    code, out, err = child(
        code="from nnviz.core import datasets\n"
        "try:\n"
        f"    datasets.read_csv({str(tmp_path / 'd.csv')!r})\n"
        "except datasets.DatasetError as e:\n"
        "    print(e)\n",
        timeout=30,
    )
    assert code == 0 and err == "", err
    assert out.strip().endswith(
        "d.csv: is not a regular file (a pipe, device or socket), so it cannot be a CSV file"
    ), out


def test_read_csv_refuses_a_file_over_the_limit_before_reading_it(tmp_path):
    path = sparse(tmp_path / "big.csv")
    code, out, err = child(
        code="from nnviz.core import datasets\n"
        "try:\n"
        f"    datasets.read_csv({str(path)!r})\n"
        "except datasets.DatasetError as e:\n"
        "    print(e)\n"
    )
    assert code == 0 and err == "", err  # on main: a MemoryError inside the 1 GB limit
    assert "3,221,225,472 bytes is too large for a CSV file" in out, out
    assert f"(the limit is {datasets.MAX_CSV_BYTES:,})" in out


def test_read_csv_in_process_messages(tmp_path):
    over = tmp_path / "over.csv"
    sparse(over, datasets.MAX_CSV_BYTES + 1)
    with pytest.raises(datasets.DatasetError, match="too large for a CSV file"):
        datasets.read_csv(over)
    with pytest.raises(datasets.DatasetError, match="is a folder, not a CSV file"):
        datasets.read_csv(tmp_path)
    ok = tmp_path / "ok.csv"
    ok.write_bytes(b"\xef\xbb\xbfx1,x2,label\r\n1,2,1\r\n3,4,-1\r\n")
    assert datasets.read_csv(ok).tolist() == [[1.0, 2.0, 1.0], [3.0, 4.0, -1.0]]


def test_the_network_messages_still_name_a_network_file(tmp_path):
    with pytest.raises(io.FileFormatError, match="is a folder, not a network file"):
        io.load(tmp_path)
    big = sparse(tmp_path / "big.json", io.MAX_FILE_BYTES + 1)
    with pytest.raises(io.FileFormatError, match="too large for a network file"):
        io.load(big)
