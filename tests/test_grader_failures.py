"""When the grader itself fails on a test, the program's exit status says so, and the report keeps the rest.

The course here has a public test with a bug of its own (``builtin_course.copy_course_with_a_buggy_test``):
on a wrong ``MulLayer.backward`` it raises KeyError inside the grader. ``grade`` then exits 3 with the report
of what was graded and ``internal_error``; ``grader batch`` writes that student's row as ``grader_error``,
the gradebook and everyone's reports, then exits 3. (``run_autograder``, which must exit 0 for Gradescope,
is in test_bundle.py.) Everything runs the installed programs as a user does.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builtin_course import SOLUTIONS, copy_course_with_a_buggy_test, max_score, write_mutant

HERE = Path(__file__).parent
BUGGY_TEST = "gates/MulLayer/looked_up_in_a_table"


def launch(program, *arguments, cwd):
    return subprocess.run([sys.executable, "-c", f"from grader.cli.launch import {program}; {program}()", *arguments],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def buggy_course(tmp_path_factory):
    return copy_course_with_a_buggy_test(tmp_path_factory.mktemp("course")).root


def student(folder: Path, wrong: bool) -> Path:
    """A copy of the solutions; ``wrong``: MulLayer.backward does not swap its inputs."""
    folder.mkdir(parents=True)
    for module in SOLUTIONS.glob("*.py"):
        shutil.copy(module, folder)
    if wrong:
        write_mutant(folder, "MulLayer/no_swap")
    return folder


def grade(course: Path, submission: Path, tmp_path: Path):
    out = tmp_path / f"{submission.name}.json"
    result = launch("grade", "gates", "--course", str(course), "--submission", str(submission), "--format", "json",
                    "--output", str(out), "--seed", "5", cwd=tmp_path)
    return result, json.loads(out.read_text())


def test_a_grader_failure_on_one_test_makes_grade_exit_3_with_the_report(buggy_course, tmp_path):
    result, report = grade(buggy_course, student(tmp_path / "bob", wrong=True), tmp_path)
    assert result.returncode == 3, result.stderr
    tests = {t["name"]: t for t in report["tests"]}
    failed = tests.pop(BUGGY_TEST)
    assert failed["status"] == "error" and "the grader itself failed on this test" in failed["message"]
    assert failed["diagnosis"]["code"] == "grader_error"
    assert failed["diagnosis"]["params"] == {"error": "KeyError: (2.0, 3.0)"}
    assert report["internal_error"] == f"KeyError: (2.0, 3.0) (in test {BUGGY_TEST})"
    assert "The grader itself failed (KeyError: (2.0, 3.0) (in test" in result.stderr
    # the rest was graded: the wrong MulLayer fails, AddLayer passes
    assert {t["status"] for t in tests.values() if t["layer"] == "AddLayer"} == {"passed"}
    assert "failed" in {t["status"] for t in tests.values() if t["layer"] == "MulLayer"}

    # the same course grades a right answer without failing: exit status 0
    result, report = grade(buggy_course, student(tmp_path / "alice", wrong=False), tmp_path)
    assert result.returncode == 0, result.stderr
    assert report["score"] == report["max_score"] == max_score("gates") + 1
    assert "internal_error" not in report


def test_a_grader_failure_is_a_grader_error_row_and_the_batch_exits_3(buggy_course, tmp_path):
    classroom, out = tmp_path / "class", tmp_path / "grades"
    student(classroom / "alice", wrong=False)
    student(classroom / "bob", wrong=True)
    student(classroom / "carol", wrong=False)
    result = launch("grader", "--course", str(buggy_course), "batch", str(classroom), "--out", str(out),
                    "--jobs", "1", "--seed", "1", "--assignment", "gates", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    with open(out / "gradebook.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["alice"]["status"] == rows["carol"]["status"] == "ok"
    assert rows["alice"]["percent"] == rows["carol"]["percent"] == "100.0"
    assert rows["bob"]["status"] == "grader_error"
    assert rows["bob"]["message"].startswith("the grader itself failed (KeyError: (2.0, 3.0) (in test ")
    bob = json.loads((out / "students" / "bob.json").read_text())
    assert bob["status"] == "grader_error" and bob["internal_error"].startswith("KeyError")
    assert any(t["status"] == "passed" for t in bob["tests"])  # what was graded is kept
    assert json.loads((out / "students" / "alice.json").read_text())["status"] == "ok"
    assert "The grader itself failed on bob" in result.stderr
