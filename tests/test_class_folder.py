"""The output folder of ``grader batch``: file names made from students' names, and disk space held for reports."""
from __future__ import annotations

import errno
import os
import shutil
import tracemalloc
import unicodedata

import pytest

from builtin_course import SOLUTIONS
import grader.platforms.batch as batch
import grader.platforms.class_folder as class_folder
from grader.platforms.class_folder import ClassFolder, reserve, safe_stem, student_stems
from grader.reports import write_atomically


def _comparable(path: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", path).casefold())


@pytest.mark.parametrize("name, stem", [
    ("alice", "alice"), ("김민준", "김민준"), ("e\u0301", "\u00e9"), (".", "_"), ("..", "__"), ("...x", "_..x"),
    ("CON", "_CON"), ("con.txt", "_con.txt"), ("COM\u00b9", "_COM\u00b9"), ("lpt9", "_lpt9"), ("console", "console"),
    ("a/b\\c:d", "a_b_c_d"), ("x\x00y\nz\u202e", "x_y_z_"), ("dot.", "dot_"), (" space ", "_space_"),
    ("", "_"), ("\udcff", "_"), ("tab\there", "tab_here"),
])
def test_a_students_name_becomes_an_ordinary_file_name(name, stem):
    assert safe_stem(name) == stem


def test_an_over_long_name_is_cut_at_a_character_boundary():
    stem = safe_stem("가" * 200)
    assert len(stem.encode("utf-8")) <= 100 and stem == "가" * 33


def test_names_that_some_file_system_would_confuse_get_files_of_their_own():
    names = ["Alice", "alice", "ALICE", "\uff41lice", "e\u0301", "\u00e9", "a/b", "a_b", "a:b", "x" * 300,
             "x" * 299 + "y", "bob", "alice-" + "0" * 8]
    stems = student_stems(names)
    assert set(stems) == set(names)
    assert len({_comparable(s) for s in stems.values()}) == len(names)
    assert stems["bob"] == "bob" and all(safe_stem(s) == s for s in stems.values() if len(s.encode()) <= 100)
    assert max(len(s.encode()) for s in stems.values()) <= 100 + len("-12345678-9")
    assert stems["Alice"].startswith("Alice-") and stems["a/b"].startswith("a_b-")
    assert student_stems(reversed(names)) == stems


# -- disk space ----------------------------------------------------------------------


def _fill(folder) -> None:
    """Write into ``folder`` until its disk is full."""
    block = b"x" * (1 << 20)
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    with open(folder / "crumbs", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"x")
        except OSError as error:
            assert error.errno == errno.ENOSPC


def test_space_reserved_before_the_disk_fills_still_takes_the_report(small_disk):
    space = reserve(small_disk / "report.json", 1 << 20)
    _fill(small_disk)
    with pytest.raises(OSError) as refused:
        write_atomically(small_disk / "other.json", b"x" * 8192)
    assert refused.value.errno == errno.ENOSPC
    assert reserve(small_disk / "late.json", 4096) is None
    content = os.urandom(700_000)
    assert space.fill([content[:300_000], content[300_000:]]) == small_disk / "report.json"
    assert (small_disk / "report.json").read_bytes() == content
    assert sorted(p.name for p in small_disk.iterdir()) == ["crumbs", "filler", "report.json"]


def test_space_given_back_unused_leaves_nothing_behind(tmp_path):
    space = reserve(tmp_path / "report.html", 1 << 20)
    assert len(list(tmp_path.iterdir())) == 1
    space.release()
    space.release()
    assert list(tmp_path.iterdir()) == []


def test_reports_that_find_the_disk_full_are_written_once_no_student_code_runs(tmp_path, monkeypatch):
    """Every write in the workers finds no space: the batch writes each report itself at the end."""
    for name in ("ann", "ben"):
        shutil.copytree(SOLUTIONS, tmp_path / "class" / name, ignore=shutil.ignore_patterns("*.md"))
    batch_process, real = os.getpid(), class_folder.write

    def no_space_in_workers(path, content, space=None, encoding="utf-8"):
        if os.getpid() != batch_process:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, content, space, encoding)

    monkeypatch.setattr(class_folder, "write", no_space_in_workers)
    reports = batch.run_batch(tmp_path / "class", tmp_path / "out", seed=2, jobs=2)
    assert [(r["student"], r["score"] == r["max_score"] > 0, r["status_message"]) for r in reports] == \
        [("ann", True, ""), ("ben", True, "")]
    assert sorted(p.name for p in (tmp_path / "out" / "students").iterdir()) == \
        ["ann.html", "ann.json", "ben.html", "ben.json"]


def test_the_class_files_are_written_a_piece_at_a_time(graded_class, tmp_path):
    """The gradebook and the class report of 3,000 students take little more memory to write than those of
    300: each file is written as it is made, while the reports are read one at a time; only the class
    report's figures are held (under a kilobyte per student). Held whole, the three files took 4.5 KB
    more per student."""
    _, reports = graded_class
    assignments = sorted({name for report in reports for name in report["assignments"]})

    def peak(students: int) -> int:
        names = [f"s{i:05d}" for i in range(students)]
        folder = ClassFolder(tmp_path / str(students), names)
        folder.prepare(students)
        results = ((name, {**reports[i % len(reports)], "student": name}, True) for i, name in enumerate(names))
        tracemalloc.start()
        try:
            folder.finish(results, assignments)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(300), peak(3000)
    gradebook = (tmp_path / "3000" / "gradebook.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(gradebook) == 3001 and gradebook[-1].startswith("s02999,")
    assert (tmp_path / "3000" / "class-report.html").stat().st_size > 3000 * 100
    assert (large - small) / 2700 < 1500, f"{(large - small) / 2700:.0f} bytes more per student"
