"""The class report of ``grader batch``: what the class did not understand.

:func:`figures` computes everything from the students' reports (the JSON
reports batch writes): the score distribution, each assignment's and each
test's pass rate, the most common diagnoses per layer with the students who
have them, timeouts and crashes, and the tests almost everyone fails (a
misleading instruction or a wrong test). :func:`render_csv` and
:func:`render_html` write the same figures as ``class-report.csv`` and
``class-report.html`` (:meth:`grader.platforms.class_folder.ClassFolder.finish` writes
them); student names link to their own HTML reports (a report's ``link``).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from urllib.parse import quote

from grader.judge.record import StudentReport, percent
from grader.lang.sanitize import csv_table
import grader.reports.pictures as pictures

ALMOST_ALL = 0.8  # a test failed by at least this share of the graded students
HISTOGRAM_BINS = 10
PROBLEM_CODES = ("timeout", "crash", "bad_reply", "grader_error")

try:
    from grader.lang import _
except ImportError:  # pragma: no cover - before translations exist
    def _(text: str) -> str:
        return text


def student_link(report: StudentReport) -> str:
    """The relative link to the student's own report: the report's ``link``, else ``<student>.html``."""
    return report.link or quote(f"{report.student}.html")


def _who(report: StudentReport) -> dict:
    """A student as the figures list them: the name shown, and the link to their report."""
    return {"student": report.student, "link": student_link(report)}


def figures(reports: list[StudentReport | dict]) -> dict:
    """Every figure of the class report, from the students' reports (records or their dicts)."""
    reports = sorted(map(StudentReport.read, reports), key=lambda r: r.student)
    graded = [r for r in reports if r.report.tests]
    percents = [round(r.report.percent, 1) for r in reports]
    tests = _test_figures(graded)
    return {
        "students": [{**_who(r), "status": r.status, "score": r.report.score, "max_score": r.report.max_score,
                      "percent": p} for r, p in zip(reports, percents)],
        "histogram": pictures.bin_counts(percents, bins=HISTOGRAM_BINS),
        "assignments": _assignment_figures(graded),
        "tests": tests,
        "diagnoses": _common_diagnoses(graded),
        "problems": _problems(reports),
        "almost_all_fail": [t for t in tests
                            if t["students"] and (t["students"] - t["passed"]) / t["students"] >= ALMOST_ALL],
        "graded": len(graded),
        "mean_percent": sum(percents) / len(percents) if percents else 0.0,
    }


def _test_figures(graded: list[StudentReport]) -> list[dict]:
    """Per test: how many students it ran for, how many passed, who failed."""
    tests: dict[str, dict] = {}
    for student in graded:
        for test in student.report.tests:
            entry = tests.setdefault(test.name, {"test": test.name, "assignment": test.assignment, "layer": test.layer,
                                                 "students": 0, "passed": 0, "failed_students": []})
            entry["students"] += 1
            if test.passed:
                entry["passed"] += 1
            else:
                entry["failed_students"].append(_who(student))
    for entry in tests.values():
        entry["pass_rate"] = entry["passed"] / entry["students"] if entry["students"] else 0.0
    return list(tests.values())


def _assignment_figures(graded: list[StudentReport]) -> list[dict]:
    """Per assignment: how many students got full marks, and the mean score."""
    assignments: dict[str, dict] = {}
    for student in graded:
        for name, totals in student.report.assignments.items():
            entry = assignments.setdefault(name, {"assignment": name, "students": 0, "full_marks": 0,
                                                  "score": 0.0, "max_score": 0.0})
            entry["students"] += 1
            entry["full_marks"] += totals.score == totals.max_score
            entry["score"] += totals.score
            entry["max_score"] += totals.max_score
    for entry in assignments.values():
        entry["pass_rate"] = entry["full_marks"] / entry["students"] if entry["students"] else 0.0
        entry["mean_percent"] = percent(entry["score"], entry["max_score"])
    return list(assignments.values())


def _common_diagnoses(graded: list[StudentReport]) -> list[dict]:
    """The diagnoses of failed tests per layer and array, the most widespread first, with who has them."""
    found: dict[tuple, dict] = {}
    for student in graded:
        who = _who(student)
        for test in student.report.tests:
            if test.passed or not test.diagnosis:
                continue
            key = (test.assignment, test.layer, test.diagnosis.code, test.diagnosis.array)
            entry = found.setdefault(key, {"assignment": key[0], "layer": key[1], "code": key[2], "array": key[3],
                                           "tests": 0, "students": []})
            entry["tests"] += 1
            if who not in entry["students"]:
                entry["students"].append(who)
    return sorted(found.values(), key=lambda d: (-len(d["students"]), -d["tests"], d["layer"], d["code"]))


def _problems(reports: list[StudentReport]) -> list[dict]:
    """The students not graded, and those whose tests timed out, crashed or broke the judge."""
    problems = []
    for student in reports:
        codes = Counter(t.diagnosis.code for t in student.report.tests
                        if t.diagnosis and t.diagnosis.code in PROBLEM_CODES)
        if student.status != "ok" or codes:
            problems.append({**_who(student), "status": student.status, "message": student.status_message,
                             "timeouts": codes["timeout"], "crashes": codes["crash"],
                             "other": codes["bad_reply"] + codes["grader_error"]})
    return problems


CSV_FIELDS = ("section", "assignment", "layer", "test", "code", "array", "student", "count", "total", "rate",
              "students")


def render_csv(data: dict) -> str:
    """The figures as one long table: a ``section`` column says which figure a row belongs to."""
    rows = []
    for k, count in enumerate(data["histogram"]):
        low = 100 * k // HISTOGRAM_BINS
        rows.append({"section": "score_bin", "test": f"{low}-{low + 100 // HISTOGRAM_BINS}", "count": count,
                     "total": len(data["students"])})
    for s in data["students"]:
        rows.append({"section": "student", "student": s["student"], "count": f"{s['score']:g}",
                     "total": f"{s['max_score']:g}", "rate": f"{s['percent']:.1f}", "code": s["status"]})
    for a in data["assignments"]:
        rows.append({"section": "assignment", "assignment": a["assignment"], "count": a["full_marks"],
                     "total": a["students"], "rate": f"{a['pass_rate']:.3f}"})
    for t in data["tests"]:
        rows.append({"section": "test", "assignment": t["assignment"], "layer": t["layer"], "test": t["test"],
                     "count": t["passed"], "total": t["students"], "rate": f"{t['pass_rate']:.3f}",
                     "students": _names(t["failed_students"])})
    for d in data["diagnoses"]:
        rows.append({"section": "diagnosis", "assignment": d["assignment"], "layer": d["layer"], "code": d["code"],
                     "array": d["array"], "count": len(d["students"]), "total": d["tests"],
                     "students": _names(d["students"])})
    for p in data["problems"]:
        rows.append({"section": "problem", "student": p["student"], "code": p["status"],
                     "count": p["timeouts"], "total": p["crashes"], "test": p["message"]})
    for t in data["almost_all_fail"]:
        rows.append({"section": "almost_all_fail", "assignment": t["assignment"], "layer": t["layer"],
                     "test": t["test"], "count": t["students"] - t["passed"], "total": t["students"],
                     "rate": f"{1 - t['pass_rate']:.3f}"})
    return csv_table(rows, CSV_FIELDS)


def _names(students: list[dict]) -> str:
    return " ".join(s["student"] for s in students)


def course_order(data: dict):
    """A sort key putting a diagnosis's layer where the course puts it: the order of the tests in the reports."""
    layers = {}
    for test in data["tests"]:
        layers.setdefault((test["assignment"], test["layer"]), len(layers))
    return lambda d: layers.get((d["assignment"], d["layer"]), len(layers))


def render_html(data: dict, *, title: str = "") -> str:
    from grader.reports.html import environment, labels, language

    histogram = pictures.histogram([s["percent"] for s in data["students"]], bins=HISTOGRAM_BINS,
                                   label=_("score distribution (percent of the maximum)"))
    by_layer: dict[str, list] = defaultdict(list)
    for d in sorted(data["diagnoses"], key=course_order(data)):  # sorted() keeps each layer's order
        by_layer[f"{d['assignment']} / {d['layer']}"].append(d)
    return environment().get_template("class.html").render(
        title=title or _("Class report"), data=data, histogram=histogram, by_layer=dict(by_layer),
        almost=int(ALMOST_ALL * 100), t=labels(), lang=language())


def student_html(student: StudentReport | dict) -> str:
    """The student's own HTML report, linked from the class report; for a student not graded, it says why."""
    from grader.reports.html import render

    student = StudentReport.read(student)
    if student.report.tests:
        return render(student.report)
    return render(replace(student.report, notes=[*student.report.notes, f"{student.status}: {student.status_message}"]))
