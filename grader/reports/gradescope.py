"""Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

Gradescope shows each entry of ``tests`` as a box with its name, points and
output. Public tests are ``visible`` at once; hidden tests are
``after_published``, so students see them only when the instructor publishes
the grades. Gradescope knows only "passed" and "failed": errors, timeouts and
missing modules are "failed", and the grader's own status is kept in
``extra_data`` and stated in the output. The top-level ``extra_data`` also holds
``isolation``, how the student's code was confined: Gradescope's format allows
no other top-level key, and ``extra_data`` is free-form.
"""
from __future__ import annotations

import json

from grader.judge.record import Report, TestResult
from grader.lang import N_, _
from grader.reports.shared import fraction, percentage, points

VISIBILITY = {"public": "visible", "hidden": "after_published"}
# The stdout of run_autograder is for the course staff (debugging), never for students.
STDOUT_VISIBILITY = "hidden"
STATUS_WORDS = {
    "error": N_("Error"),
    "timeout": N_("Ran out of time"),
    "missing": N_("Not submitted"),
}


def _test_output(test: TestResult) -> str:
    parts = []
    if not test.passed:
        word = STATUS_WORDS.get(test.status)
        message = test.message or _("wrong result")
        parts.append(f"{_(word)}: {message}" if word else message)
    elif test.description:
        parts.append(test.description)
    if test.output:
        parts.append(_("Your code printed:") + "\n" + test.output.rstrip())
    return "\n\n".join(parts)


def _test(test: TestResult) -> dict:
    return {
        "name": test.name,
        "name_format": "text",
        "score": test.score,
        "max_score": test.max_score,
        "status": "passed" if test.passed else "failed",
        "output": _test_output(test),
        "output_format": "text",
        "tags": [test.assignment, test.layer, test.kind],
        "visibility": VISIBILITY[test.visibility],
        "extra_data": {"status": test.status, "kind": test.kind},
    }


def summary(report: Report) -> str:
    """The text above the test boxes: total, per assignment, seed, notes."""
    lines = [_("Total: {score}/{max_score} ({percent}%)").format(
        score=points(report.score), max_score=points(report.max_score), percent=percentage(report))]
    for name, entry in report.assignments.items():
        source = entry.file or _("{file} (not found)").format(file=f"{name}.py")
        lines.append(f"  {name} ({source}): {fraction(entry.score, entry.max_score)}")
    if any(t.visibility == "hidden" for t in report.tests):
        lines.append(_("Hidden tests count towards the score; their details appear when grades are published."))
    if report.internal_error:
        lines.append(_("The grader itself failed on some tests of this submission: this is not a problem with your "
                       "code. They show 0 points until the course staff fixes the grader and grades again."))
    lines.extend(_("Note: {note}").format(note=note) for note in report.notes)
    lines.append(_("Seed {seed} (grader {version}).").format(seed=report.seed, version=report.grader_version or "?"))
    return "\n".join(lines)


def results(report: Report | dict) -> dict:
    """The report as a Gradescope results dict."""
    report = Report.read(report)
    return {
        "score": report.score,
        "execution_time": round(report.duration_seconds, 3),
        "output": summary(report),
        "output_format": "text",
        "stdout_visibility": STDOUT_VISIBILITY,
        "extra_data": {
            "max_score": report.max_score,
            "seed": report.seed,
            "grader_version": report.grader_version or None,
            "counts": report.counts,
            "isolation": report.isolation,  # which confinement measures were taken (docs/instructors.md)
            **({"internal_error": report.internal_error} if report.internal_error else {}),
        },
        "tests": [_test(t) for t in report.tests],
    }


def fallback(message: str) -> dict:
    """What to upload when grading itself failed: score 0 and a message for the student."""
    return {
        "score": 0.0,
        "output": message,
        "output_format": "text",
        "stdout_visibility": STDOUT_VISIBILITY,
        "tests": [],
    }


def render(report: Report | dict, **options) -> str:
    return json.dumps(results(report), indent=2, ensure_ascii=False) + "\n"
