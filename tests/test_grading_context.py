"""One grading context: two courses graded one after the other in one process give the reports two runs give."""
from __future__ import annotations

import json
import subprocess
import sys

from builtin_course import COURSE, SOLUTIONS, copy_course

import grader.lang as lang
from grader.judge.course import load
from grader.judge.engine import grade_submission

TIMINGS = ("execution_time", "duration_seconds")


def _comparable(report: dict) -> dict:
    report = dict(report)
    for key in TIMINGS:
        report.pop(key, None)
    report["tests"] = [{k: v for k, v in t.items() if k not in TIMINGS} for t in report["tests"]]
    return report


def _alone(course_root, language: str | None, tmp_path, name: str) -> dict:
    """The report of a ``grade`` process of its own."""
    out = tmp_path / f"{name}.json"
    arguments = ["--submission", str(SOLUTIONS), "--format", "json", "--output", str(out), "--seed", "11",
                 "--course", str(course_root)]
    env = {k: v for k, v in __import__("os").environ.items() if k != "GRADER_LANG"}
    ran = subprocess.run([sys.executable, "-m", "grader.cli", *arguments], env=env, capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_two_courses_graded_in_one_process_give_the_reports_of_two_runs(tmp_path, monkeypatch):
    other = copy_course(tmp_path / "other")
    toml = (other.root / "course.toml").read_text(encoding="utf-8")
    (other.root / "course.toml").write_text(toml.replace('language = "ko"', 'language = "en"'), encoding="utf-8")
    other = load(other.root)
    monkeypatch.delenv("GRADER_LANG")
    lang.forget()

    in_one = [grade_submission(SOLUTIONS, course=course, seed=11) for course in (COURSE, other, COURSE)]

    alone = [_alone(COURSE.root, None, tmp_path, "first"), _alone(other.root, None, tmp_path, "second")]
    assert in_one[0]["tests"][0]["description"] != in_one[1]["tests"][0]["description"]  # Korean, then English
    for report in (_comparable(in_one[0]), _comparable(in_one[2])):
        assert {**report, "isolation": ""} == {**_comparable(alone[0]), "isolation": ""}
    assert {**_comparable(in_one[1]), "isolation": ""} == {**_comparable(alone[1]), "isolation": ""}
