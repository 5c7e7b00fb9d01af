"""Saving: any legal file name, through symlinks, never over a read-only file, no stale
temporary files, and the old file intact whenever a save fails (issue 14, item 6)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import examples, io

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file semantics")


def project() -> io.Project:
    return examples.load("default")


def temporaries(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


def same(a: io.Project, b: io.Project) -> None:
    assert a.network.same_as(b.network)
    np.testing.assert_array_equal(a.sample.input, b.sample.input)
    np.testing.assert_array_equal(a.sample.target, b.sample.target)
    assert (a.seed, a.init, a.name, a.extra) == (b.seed, b.init, b.name, b.extra)


def test_a_250_character_file_name_can_be_saved(tmp_path):
    for name in ("n" * 245 + ".json", "é" * 122 + ".json"):  # 250 bytes, 249 bytes
        target = tmp_path / name
        io.save(project(), target)
        same(io.load(target), project())
        assert temporaries(tmp_path) == []


def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "net.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    io.save(project(), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    same(io.load(real), project())
    assert temporaries(tmp_path) == [] and temporaries(real_dir) == []


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    io.save(project(), link)
    assert link.is_symlink() and (tmp_path / "new.json").is_file()


def test_a_read_only_file_is_refused_and_left_as_it_was(tmp_path):
    target = tmp_path / "net.json"
    target.write_text("the old file", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(io.FileSaveError) as info:
        io.save(project(), target)
    e = info.value
    assert isinstance(e, OSError) and e.errno == errno.EACCES
    assert "read-only" in e.strerror and "Save As" in e.strerror
    assert str(e) == f"{target}: {e.strerror}"
    assert target.read_text(encoding="utf-8") == "the old file"
    assert temporaries(tmp_path) == []


def test_a_folder_or_a_device_is_not_saved_over(tmp_path):
    with pytest.raises(io.FileSaveError, match="is a folder"):
        io.save(project(), tmp_path)
    if os.path.exists("/dev/null"):
        with pytest.raises(io.FileSaveError, match="not a regular file"):
            io.save(project(), "/dev/null")


def test_a_missing_folder_is_one_sentence(tmp_path):
    with pytest.raises(io.FileSaveError) as info:
        io.save(project(), tmp_path / "no" / "net.json")
    assert "the folder does not exist" in str(info.value)
    assert "\n" not in str(info.value)


def test_the_mode_of_the_old_file_is_kept(tmp_path):
    target = tmp_path / "net.json"
    target.write_text("x", encoding="utf-8")
    target.chmod(0o640)
    io.save(project(), target)
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_project_beyond_the_file_limits_is_not_saved(tmp_path):
    target = tmp_path / "net.json"
    io.save(project(), target)
    before = target.read_bytes()
    p = project()
    p.network.layers[0].W[0, 0] = 2e6  # past the limit, as a raw array write could do
    with pytest.raises(io.FileSaveError) as info:
        io.save(p, target)
    assert "cannot be saved" in str(info.value) and "1e+06" in str(info.value)
    assert target.read_bytes() == before
    p = project()
    p.seed = 2**63
    with pytest.raises(io.FileSaveError, match="seed"):
        io.save(p, target)
    p = project()
    p.sample.input[0] = float("nan")
    with pytest.raises(io.FileSaveError, match="input"):
        io.save(p, target)
    assert target.read_bytes() == before and temporaries(tmp_path) == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "net.json"
    io.save(project(), target)
    before = target.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(io.os, "fsync", full)
    with pytest.raises(io.FileSaveError) as info:
        io.save(project(), target)
    assert "the disk is full" in str(info.value)
    assert target.read_bytes() == before and temporaries(tmp_path) == []


KILLED_SAVE = textwrap.dedent(
    """
    import os, sys, time
    from nnviz.core import io
    def hang(*args):
        print("writing", flush=True)
        time.sleep(600)
    io.os.replace = hang
    io.save(io.load(sys.argv[1]), sys.argv[2])
    """
)


def test_a_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    source = Path(str(resources.files("nnviz.resources").joinpath("networks", "default.json")))
    target = tmp_path / "net.json"
    io.save(project(), target)
    before = target.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_SAVE, str(source), str(target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "writing"
        stale = temporaries(tmp_path)
        assert len(stale) == 1  # the killed save's, fully written but never renamed
        # while that save is alive its temporary is in use: another save leaves it
        io.save(project(), target)
        assert temporaries(tmp_path) == stale
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert target.read_bytes() == before  # the old file was never touched
    io.save(project(), target)  # the next save of the same file clears it
    assert temporaries(tmp_path) == []
    same(io.load(target), project())


def test_temporaries_of_other_files_are_left_alone(tmp_path):
    other = tmp_path / ".other.json.12345678.abcdefgh.tmp"
    other.write_text("someone else's", encoding="utf-8")
    io.save(project(), tmp_path / "net.json")
    assert other.exists()


def test_the_saved_text_reads_back_exactly(tmp_path):
    p = project()
    p.extra = {"positions": [[1.5, -2.0]], "lesson": {"step": 3}}
    p = io.Project(p.network, p.sample, p.seed, p.init, p.name, p.extra)
    target = tmp_path / "net.json"
    io.save(p, target)
    assert json.loads(target.read_text(encoding="utf-8"))["positions"] == [[1.5, -2.0]]
    same(io.load(target), p)
