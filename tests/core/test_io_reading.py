"""Bounded reading: only regular files, size checked before reading, unknown fields limited.

Each test here is a failure found on the main branch (issue 14): a FIFO hung the
loader, a sparse 3 GB file was read whole, a field nested 986 deep loaded and later
crashed the app, 22 million empty lists took 1.8 GB.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
import time
from importlib import resources
from pathlib import Path

import pytest

from nnviz.core import io

EXAMPLE = Path(str(resources.files("nnviz.resources").joinpath("networks", "default.json")))


def base() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def one_sentence(msg: str) -> None:
    assert msg and "\n" not in msg and "Traceback" not in msg and len(msg) < 400, msg
    assert "\x1b" not in msg, msg


def nested(depth: int) -> list:
    """A list nested ``depth`` levels deep, built without recursion: [[[…]]]."""
    top: list = []
    cur = top
    for _ in range(depth - 1):
        cur.append([])
        cur = cur[0]
    return top


def refused(call) -> str:
    with pytest.raises(io.FileFormatError) as info:
        call()
    msg = str(info.value)
    one_sentence(msg)
    return msg


def run_cli(*args: str, timeout: float = 60, limit_memory: int | None = None):
    """``nnviz ARGS`` in a child process: (exit status, stdout, stderr)."""

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONWARNINGS="error::RuntimeWarning")
    r = subprocess.run(
        [sys.executable, "-m", "nnviz", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        preexec_fn=limit if limit_memory else None,
    )
    return r.returncode, r.stdout, r.stderr


# ------------------------------------------------------------ regular files only
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "net.json"
    os.mkfifo(fifo)
    result: list = []

    def load() -> None:
        try:
            io.load(fifo)
        except io.FileFormatError as e:
            result.append(str(e))

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(20)
    if t.is_alive():  # unblock the reader so that the test process can end
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        t.join(5)
        pytest.fail("io.load waited on a FIFO")
    assert result and "not a regular file" in result[0], result
    one_sentence(result[0])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_trace_of_a_fifo_says_one_sentence_and_exits_2(tmp_path):
    fifo = tmp_path / "net.json"
    os.mkfifo(fifo)
    try:
        code, out, err = run_cli("trace", str(fifo), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("nnviz trace waited on a FIFO")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "not a regular file" in err, err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_trace_dev_zero_is_one_sentence_not_a_memory_error():
    # in a child limited to 1 GB: reading /dev/zero whole cannot take the machine down
    code, out, err = run_cli("trace", "/dev/zero", timeout=60, limit_memory=1 << 30)
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert "/dev/zero: is not a regular file" in err


def test_a_folder_and_a_missing_file_are_named(tmp_path):
    assert "is a folder" in refused(lambda: io.load(tmp_path))
    assert "no such file" in refused(lambda: io.load(tmp_path / "nope.json"))


# ------------------------------------------------------- size before reading
def test_a_sparse_3_gb_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(3 * 1024**3)  # sparse: no disk used
    # in a child limited to 1 GB of memory: reading it whole would fail there
    code, out, err = run_cli("trace", str(big), timeout=60, limit_memory=1 << 30)
    assert code == 2 and err.count("\n") == 1, err
    assert "3,221,225,472 bytes is too large" in err and "67,108,864" in err, err


def test_size_limit_is_checked_on_the_size_and_on_what_is_read(tmp_path):
    p = tmp_path / "net.json"
    p.write_text(json.dumps(base()), encoding="utf-8")
    assert io.read_bounded(p) == p.read_bytes()
    msg = refused(lambda: io.read_bounded(p, limit=10))
    assert "too large" in msg and "(the limit is 10)" in msg


def test_an_empty_file_says_it_is_empty(tmp_path):
    for i, content in enumerate([b"", b"  \n\t\n", b"\xef\xbb\xbf"]):
        p = tmp_path / f"empty{i}.json"
        p.write_bytes(content)
        msg = refused(lambda p=p: io.load(p))
        assert msg == f"empty{i}.json: the file is empty", msg


# ------------------------------------------------------------- unknown fields
def test_an_unknown_field_nested_986_deep_is_refused_naming_the_limit():
    d = base()
    text = json.dumps(d)[:-1] + ', "x": ' + "[" * 986 + "]" * 986 + "}"
    msg = refused(lambda: io.loads(text))
    assert "987 levels deep, beyond the limit of 33" in msg, msg
    d["x"] = nested(986)
    msg = refused(lambda: io.from_dict(d))  # the dict path has its own, exact check
    assert msg.startswith("field 'x': nests more than 32 levels deep"), msg


def test_an_unknown_field_within_the_depth_limit_is_kept_and_written_back():
    d = base()
    d["x"] = nested(io.MAX_EXTRA_DEPTH)
    p = io.loads(json.dumps(d))
    assert p.extra["x"] == nested(io.MAX_EXTRA_DEPTH)
    assert json.loads(io.dumps(p))["x"] == d["x"]
    d["x"] = nested(io.MAX_EXTRA_DEPTH + 1)
    refused(lambda: io.loads(json.dumps(d)))


def test_unknown_fields_are_limited_in_count():
    d = base()
    d["a"] = [0] * (io.MAX_EXTRA_ITEMS // 2)
    d["b"] = [0] * (io.MAX_EXTRA_ITEMS // 2)  # together (with the two lists) over the limit
    msg = refused(lambda: io.from_dict(d))
    assert "1,000,000 values" in msg and msg.startswith("field 'b'"), msg
    d["b"] = [0] * (io.MAX_EXTRA_ITEMS // 2 - 2)
    assert len(io.from_dict(d).extra["b"]) == io.MAX_EXTRA_ITEMS // 2 - 2


def test_22_million_empty_lists_are_refused_before_parsing(tmp_path):
    """63 MiB of ``[],``: 1.8 GB and 30-45 s per edit on main; refused in a child < 600 MB."""
    p = tmp_path / "lists.json"
    head = b'{"format": "nnviz.network", "version": 1, "x": ['
    with open(p, "wb") as f:
        f.write(head)
        chunk = b"[]," * 1_000_000
        for _ in range(22):
            f.write(chunk)
        f.write(b"[]]}")
    assert 60 * 2**20 < p.stat().st_size < io.MAX_FILE_BYTES
    code, out, err = run_cli("trace", str(p), timeout=120, limit_memory=600 << 20)
    assert code == 2 and err.count("\n") == 1, err
    assert "22,000,003 lists and objects, beyond the limit of 1,100,000" in err, err


def test_strings_do_not_count_as_structure():
    d = base()
    d["name"] = "[[[[[[[[[[" * 10 + '\\"{,,,'
    d["note"] = {"text": "]]]]" * 50, "esc": 'a"\\[[['}
    p = io.loads(json.dumps(d))
    assert p.name == d["name"] and p.extra["note"] == d["note"]


def test_extra_fields_are_frozen_and_shared_by_copies():
    d = base()
    d["positions"] = [[1, 2], [3, 4]]
    d["lesson"] = {"step": 3, "seen": [1, 2]}
    p = io.from_dict(d)
    q = p.copy()
    assert q.extra is not p.extra  # the dict of fields is the copy's own...
    assert q.extra["positions"] is p.extra["positions"]  # ...its values are shared
    assert q.extra == {"positions": [[1, 2], [3, 4]], "lesson": {"step": 3, "seen": [1, 2]}}
    with pytest.raises(TypeError):
        p.extra["positions"].append([5, 6])
    with pytest.raises(TypeError):
        p.extra["positions"][0][0] = 9
    with pytest.raises(TypeError):
        p.extra["lesson"]["step"] = 4
    assert copy.deepcopy(p.extra["lesson"]) is p.extra["lesson"]
    assert json.loads(json.dumps(p.extra)) == p.extra
    # an extra given as plain lists is frozen when the project is made
    r = io.Project(p.network, p.sample, extra={"k": [[1]]})
    with pytest.raises(TypeError):
        r.extra["k"][0].append(2)


def test_copying_a_project_with_large_extras_is_cheap():
    d = base()
    d["big"] = [[i, i + 1] for i in range(200_000)]
    p = io.from_dict(d)
    t = time.perf_counter()
    for _ in range(50):
        p = p.copy()
    elapsed = time.perf_counter() - t
    print(f"50 copies with 600,000 extra values: {elapsed * 1000:.1f} ms")
    assert p.extra["big"][199_999] == [199_999, 200_000]


def test_extras_that_json_cannot_write_are_refused():
    for bad in (float("nan"), [1, float("inf")], {"a": {1, 2}}, b"bytes"):
        d = base()
        d["x"] = bad
        refused(lambda d=d: io.from_dict(d))


# ------------------------------------------------------------------- messages
def test_echoed_keys_and_names_are_escaped_and_cut():
    d = base()
    d["k\n\x1b[31mRED\x1b[0m"] = [float("nan")]
    msg = refused(lambda: io.from_dict(d))
    assert "\\n\\x1b[31mRED" in msg
    d = base()
    d["layers"][1]["activation"] = "a" * 2_000_000
    t = time.perf_counter()
    msg = refused(lambda: io.from_dict(d))
    assert time.perf_counter() - t < 5
    assert "'" + "a" * 40 + "…' (2,000,000 characters)" in msg, msg
    d = base()
    d["layers"][1]["activation"] = "\ud800\u202e"  # a lone surrogate cannot even be printed
    msg = refused(lambda: io.from_dict(d))
    assert "'\\ud800\\u202e'" in msg
    msg.encode("utf-8")


def test_the_cli_prints_one_line_for_a_key_with_a_newline(tmp_path):
    d = base()
    d["bad\nkey\x1b[2J"] = float("nan")
    p = tmp_path / "net.json"
    p.write_text(json.dumps(d), encoding="utf-8")
    code, out, err = run_cli("trace", str(p))
    assert code == 2 and err.count("\n") == 1 and "\x1b" not in err, err
    assert "bad\\nkey\\x1b[2J" in err


def test_a_path_with_control_characters_is_shown_escaped(tmp_path):
    p = tmp_path / "a\nb\x1b.json"
    msg = refused(lambda: io.load(p))
    assert "a\\nb\\x1b.json: no such file" in msg


def test_a_name_longer_than_the_limit_is_refused():
    d = base()
    d["name"] = "n" * (io.MAX_NAME + 1)
    assert "1,001 characters is beyond the limit of 1,000" in refused(lambda: io.from_dict(d))


# ------------------------------------------------------ one-neuron softmax
def test_a_one_neuron_softmax_output_is_refused():
    d = base()
    last = d["layers"][-1]
    d["layers"][-1] = {
        "size": 1,
        "activation": "softmax",
        "weights": [last["weights"][0]],
        "biases": [0.0],
    }
    d["sample"]["target"] = [1.0]
    msg = refused(lambda: io.from_dict(d))
    assert "softmax output layer needs at least two neurons" in msg
    assert "gradient always 0" in msg
