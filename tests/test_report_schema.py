"""The JSON report has a published schema (docs/report.schema.json), and every report the grader makes follows it.

The reports of the course's solutions, its stubs, every known mistake and
the hostile submissions validate; the schema's enums are the code's own
vocabularies; a report read back into its record gives the same JSON, key
order included; and the schema refuses what a report must not be, so a
valid report means something. (``tests/conftest.py`` also checks every
report any other test makes.)
"""
from __future__ import annotations

import copy
import json

import pytest
from jsonschema import Draft202012Validator

import report_schema
from builtin_course import COURSE, MUTANTS, RELEASED, SOLUTIONS, mutant_submission
from grader.judge.diagnoses import CODES
from grader.judge.engine import grade_submission
from grader.judge.record import SCHEMA_VERSION, STATUSES, Report, StudentReport
from grader.judge.suites import KINDS
from grader.judge.course import VISIBILITIES
from grader.reports import render

SCHEMA = report_schema.schema()
DEFS = SCHEMA["$defs"]
SEED = 7
# hostile submissions whose reports carry what a student can put there: markup, escapes, odd numbers, crashes
HOSTILE = ("html_injection", "terminal_escapes", "format_characters", "lone_surrogate", "not_utf8", "huge_output",
           "nan_and_inf", "huge_gradients", "wrong_shape", "wrong_dtype", "keyboard_interrupt", "syntax_error",
           "missing_class_and_method", "empty_file", "segfault", "os_exit_in_method", "forged_frames",
           "wrong_request_reply", "array_like_object", "lying_subclass")


def _assert_valid(report: dict, kind: str = "report") -> None:
    problems = report_schema.problems(report)
    assert report_schema.kind_of(report) == kind and problems == [], problems


def _reads_back_the_same(report: dict) -> None:
    """The record read from the report gives the report back, byte for byte once written."""
    again = Report.from_dict(report).to_dict()
    assert json.dumps(again, ensure_ascii=False) == json.dumps(report, ensure_ascii=False)
    assert render(again, "json") == render(report, "json")


def _consistent(report: dict) -> None:
    """What the schema cannot say: counts, totals and per-assignment points agree with the tests."""
    tests = report["tests"]
    assert report["counts"] == {s: sum(t["status"] == s for t in tests) for s in STATUSES}
    assert report["score"] == pytest.approx(sum(t["score"] for t in tests))
    assert report["max_score"] == pytest.approx(sum(t["max_score"] for t in tests))
    for name, summary in report["assignments"].items():
        mine = [t for t in tests if t["assignment"] == name]
        assert summary["score"] == pytest.approx(sum(t["score"] for t in mine))
        assert set(summary["layers"]) == {t["layer"] for t in mine}
    assert len({t["name"] for t in tests}) == len(tests)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "A field added keeps the version" in SCHEMA["description"]


def test_the_schemas_vocabularies_are_the_codes():
    fields = DEFS["report_fields"]["properties"]
    assert fields["schema_version"]["const"] == SCHEMA_VERSION
    assert DEFS["status"]["enum"] == list(STATUSES)
    assert DEFS["kind"]["enum"] == list(KINDS)
    assert DEFS["test"]["properties"]["visibility"]["enum"] == list(VISIBILITIES)
    assert DEFS["diagnosis"]["properties"]["code"]["enum"] == list(CODES), \
        "a diagnosis code was added or removed: say so in docs/report.schema.json too"
    assert fields["counts"]["required"] == list(STATUSES)
    from grader.platforms.batch import STUDENT_STATUSES

    assert DEFS["student_report"]["properties"]["status"]["enum"] == list(STUDENT_STATUSES)


def test_the_required_fields_are_those_every_report_has_in_its_order():
    every = Report(0.0, 0.0, 1).to_dict()
    assert DEFS["report_fields"]["required"] == list(every)
    assert set(DEFS["report_fields"]["properties"]) - set(every) == {"interrupted", "internal_error"}


@pytest.fixture(scope="module")
def solutions_report():
    return grade_submission(SOLUTIONS, seed=SEED)


def test_the_solutions_report_is_valid_full_marks_and_reads_back_the_same(solutions_report):
    _assert_valid(solutions_report)
    _consistent(solutions_report)
    _reads_back_the_same(solutions_report)
    assert solutions_report["score"] == solutions_report["max_score"] == COURSE.max_score
    assert solutions_report["schema_version"] == SCHEMA_VERSION and list(solutions_report)[0] == "schema_version"
    assert "interrupted" not in solutions_report and "internal_error" not in solutions_report


def test_the_stubs_report_is_valid_with_a_diagnosis_for_every_test():
    report = grade_submission(RELEASED, seed=SEED)
    _assert_valid(report)
    _consistent(report)
    _reads_back_the_same(report)
    assert report["score"] == 0 and all(t["diagnosis"] for t in report["tests"])


def test_every_known_mistake_gives_a_valid_report(tmp_path):
    codes = set()
    for mutant in MUTANTS:
        report = grade_submission(mutant_submission(tmp_path / mutant.name / mutant.mistake, mutant.id), seed=SEED)
        _assert_valid(report)
        _consistent(report)
        _reads_back_the_same(report)
        assert report["score"] < report["max_score"], mutant.id
        codes |= {t["diagnosis"]["code"] for t in report["tests"] if t["diagnosis"]}
    assert len(codes) >= 10  # the mistakes are told apart, not all "wrong_values"


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_submission_gives_a_valid_report(case, tmp_path):
    from test_adversarial import build_submission

    build_submission(case, tmp_path / case)
    report = grade_submission(tmp_path / case, seed=SEED, timeout=2.0)
    _assert_valid(report)
    _consistent(report)
    _reads_back_the_same(report)
    assert "interrupted" not in report  # only Ctrl+C in the grader interrupts, not what student code raises


def test_a_report_that_could_not_grade_anything_is_valid_and_complete():
    from grader.cli.output import unfinished_report

    unfinished = unfinished_report("somewhere", None, RuntimeError("a broken loader"))
    _assert_valid(unfinished)
    assert unfinished["internal_error"] == "RuntimeError: a broken loader" and unfinished["seed"] == 0
    assert list(unfinished) == DEFS["report_fields"]["required"] + ["internal_error"]


def test_an_ungraded_students_report_is_valid_and_scores_zero_out_of_every_layer(tmp_path):
    from grader.judge.context import Grading
    from grader.platforms.batch import Student, maximum_scores, ungraded

    grading = Grading(COURSE, seed=SEED)
    student = ungraded(Student("alice", tmp_path / "alice.zip"), "broken", "not a zip", grading).to_dict()
    _assert_valid(student, "student_report")
    assert list(student)[:3] == ["student", "status", "status_message"] and student["tests"] == []
    assert student["max_score"] == COURSE.max_score
    maxima = maximum_scores(grading)
    assert {name: a["max_score"] for name, a in student["assignments"].items()} == pytest.approx(maxima)
    assert all(a["file"] is None and a["layers"] for a in student["assignments"].values())
    assert StudentReport.from_dict(student).to_dict() == student


# -- the schema refuses what a report must not be ------------------------------------------


def _broken(report: dict, change) -> dict:
    report = copy.deepcopy(report)
    change(report)
    return report


def _first(report, status):
    return next(t for t in report["tests"] if t["status"] == status)


BREAKAGES = {
    "an unknown status": lambda r: r["tests"][0].update(status="skipped"),
    "an unknown kind": lambda r: r["tests"][0].update(kind="fuzz"),
    "an unknown visibility": lambda r: r["tests"][0].update(visibility="secret"),
    "a passed test with a diagnosis": lambda r: _first(r, "passed").update(diagnosis={"code": "zero", "array": "",
                                                                                      "params": {}}),
    "a failed test with points": lambda r: _first(r, "failed").update(score=1.0),
    "a failed test without a diagnosis": lambda r: _first(r, "failed").update(diagnosis=None),
    "an unknown diagnosis code": lambda r: _first(r, "failed")["diagnosis"].update(code="typo"),
    "a test without its message": lambda r: r["tests"][0].pop("message"),
    "a field nobody documented": lambda r: r.update(grade="A+"),
    "a count of an unknown status": lambda r: r["counts"].update(skipped=0),
    "an assignment without its file": lambda r: next(iter(r["assignments"].values())).pop("file"),
    "a negative score": lambda r: r.update(score=-1.0),
    "interrupted false": lambda r: r.update(interrupted=False),
    "an empty internal error": lambda r: r.update(internal_error=""),
    "another schema version": lambda r: r.update(schema_version="2.0"),
    "no schema version": lambda r: r.pop("schema_version"),
}


@pytest.fixture(scope="module")
def mixed_report(tmp_path_factory):
    """A report with passed and failed tests: the solutions with one known mistake."""
    mutant = MUTANTS[0]
    return grade_submission(mutant_submission(tmp_path_factory.mktemp("mixed"), mutant.id), seed=SEED)


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_the_schema_refuses(breakage, mixed_report):
    _assert_valid(mixed_report)
    assert report_schema.problems(_broken(mixed_report, BREAKAGES[breakage]))


def test_the_schema_refuses_a_student_report_with_an_unknown_status(mixed_report):
    student = {"student": "alice", "status": "ok", "status_message": "", **mixed_report}
    _assert_valid(student, "student_report")
    assert report_schema.problems({**student, "status": "fine"})
    assert report_schema.problems({**student, "link": "students/alice.html"})  # the links stay in the gradebook
