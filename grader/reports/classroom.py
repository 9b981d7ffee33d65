"""The class report of ``grader batch``: what the class did not understand.

:func:`figures` computes everything from the students' reports (the JSON
reports batch writes): the score distribution, each assignment's and each
test's pass rate, the most common diagnoses per layer with the students who
have them, timeouts and crashes, and the tests almost everyone fails (a
misleading instruction or a wrong test). :func:`csv_pieces` and
:func:`html_pieces` make the same figures into ``class-report.csv`` and
``class-report.html``, a piece at a time
(:meth:`grader.platforms.class_folder.ClassFolder.finish` writes them); student names link to their own HTML reports (a report's ``link``).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from urllib.parse import quote

from grader.judge.diagnoses import describe
from grader.judge.record import Rows, StudentReport, percent
from grader.lang.sanitize import csv_lines
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
    tally = Tally()
    for report in sorted(map(StudentReport.read, reports), key=lambda r: r.student):
        tally.add(report)
    return tally.figures()


class Tally:
    """The class report's figures gathered one student at a time, so a class of any size is read one report at
    a time: :meth:`add` each student's report in the order of their names, then :meth:`figures`."""

    def __init__(self):
        self.students = Rows(("student", "link", "status", "score", "max_score", "percent"))
        self.graded = 0
        self.tests: dict[str, dict] = {}
        self.assignments: dict[str, dict] = {}
        self.diagnoses: dict[tuple, dict] = {}
        self.problems: list[dict] = []

    def add(self, report: StudentReport | dict) -> None:
        student = StudentReport.read(report)
        who = _who(student)
        self.students.append({**who, "status": student.status, "score": student.report.score,
                              "max_score": student.report.max_score, "percent": round(student.report.percent, 1)})
        if student.report.tests:
            self.graded += 1
            self._add_tests(student, who)
            self._add_assignments(student)
            self._add_diagnoses(student, who)
        problem = _problem(student, who)
        if problem:
            self.problems.append(problem)

    def _add_tests(self, student: StudentReport, who: dict) -> None:
        """Per test: how many students it ran for, how many passed, who failed."""
        for test in student.report.tests:
            entry = self.tests.get(test.name)
            if entry is None:
                entry = self.tests[test.name] = {"test": test.name, "assignment": test.assignment, "layer": test.layer,
                                                 "students": 0, "passed": 0, "failed_students": []}
            entry["students"] += 1
            if test.passed:
                entry["passed"] += 1
            else:
                entry["failed_students"].append(who)

    def _add_assignments(self, student: StudentReport) -> None:
        """Per assignment: how many students got full marks, and the sum of scores."""
        for name, totals in student.report.assignments.items():
            entry = self.assignments.setdefault(name, {"assignment": name, "students": 0, "full_marks": 0,
                                                       "score": 0.0, "max_score": 0.0})
            entry["students"] += 1
            entry["full_marks"] += totals.score == totals.max_score
            entry["score"] += totals.score
            entry["max_score"] += totals.max_score

    def _add_diagnoses(self, student: StudentReport, who: dict) -> None:
        """The diagnoses of failed tests per layer and array, with who has them."""
        for test in student.report.tests:
            if test.passed or not test.diagnosis:
                continue
            key = (test.assignment, test.layer, test.diagnosis.code, test.diagnosis.array)
            entry = self.diagnoses.get(key)
            if entry is None:
                entry = self.diagnoses[key] = {"assignment": key[0], "layer": key[1], "code": key[2],
                                               "array": key[3], "arrays": [], "tests": 0, "students": [],
                                               "names": set()}
            entry["tests"] += 1
            for array in test.diagnosis.params.get("arrays") or [key[3]]:
                if array and array not in entry["arrays"]:
                    entry["arrays"].append(array)  # one mistake over several arrays is one row: all named
            if student.student not in entry["names"]:
                entry["names"].add(student.student)
                entry["students"].append(who)

    def figures(self) -> dict:
        percents = self.students.column("percent")
        tests = list(self.tests.values())
        for entry in tests:
            entry["pass_rate"] = entry["passed"] / entry["students"] if entry["students"] else 0.0
        assignments = list(self.assignments.values())
        for entry in assignments:
            entry["pass_rate"] = entry["full_marks"] / entry["students"] if entry["students"] else 0.0
            entry["mean_percent"] = percent(entry["score"], entry["max_score"])
        diagnoses = [{k: v for k, v in d.items() if k != "names"} for d in self.diagnoses.values()]
        return {
            "students": self.students,
            "histogram": pictures.bin_counts(percents, bins=HISTOGRAM_BINS),
            "assignments": assignments,
            "tests": tests,
            "diagnoses": sorted(diagnoses, key=lambda d: (-len(d["students"]), -d["tests"], d["layer"], d["code"])),
            "problems": self.problems,
            "almost_all_fail": [t for t in tests
                                if t["students"] and (t["students"] - t["passed"]) / t["students"] >= ALMOST_ALL],
            "graded": self.graded,
            "mean_percent": sum(percents) / len(percents) if percents else 0.0,
        }


def _problem(student: StudentReport, who: dict) -> dict | None:
    """A student not graded, or whose tests timed out, crashed or broke the judge."""
    codes = Counter(t.diagnosis.code for t in student.report.tests
                    if t.diagnosis and t.diagnosis.code in PROBLEM_CODES)
    if student.status == "ok" and not codes:
        return None
    return {**who, "status": student.status, "message": student.status_message,
            "timeouts": codes["timeout"], "crashes": codes["crash"], "other": codes["bad_reply"] + codes["grader_error"]}


CSV_FIELDS = ("section", "assignment", "layer", "test", "code", "array", "student", "count", "total", "rate",
              "students")


def csv_pieces(data: dict):
    """The figures as one long table, a line at a time: a ``section`` column says which figure a row belongs
    to."""
    return csv_lines(_csv_rows(data), CSV_FIELDS)


def _csv_rows(data: dict):
    """The class report's rows, one figure after another."""
    for k, count in enumerate(data["histogram"]):
        low = 100 * k // HISTOGRAM_BINS
        yield {"section": "score_bin", "test": f"{low}-{low + 100 // HISTOGRAM_BINS}", "count": count,
               "total": len(data["students"])}
    for s in data["students"]:
        yield {"section": "student", "student": s["student"], "count": f"{s['score']:g}",
               "total": f"{s['max_score']:g}", "rate": f"{s['percent']:.1f}", "code": s["status"]}
    for a in data["assignments"]:
        yield {"section": "assignment", "assignment": a["assignment"], "count": a["full_marks"],
               "total": a["students"], "rate": f"{a['pass_rate']:.3f}"}
    for t in data["tests"]:
        yield {"section": "test", "assignment": t["assignment"], "layer": t["layer"], "test": t["test"],
               "count": t["passed"], "total": t["students"], "rate": f"{t['pass_rate']:.3f}",
               "students": _names(t["failed_students"])}
    for d in data["diagnoses"]:
        yield {"section": "diagnosis", "assignment": d["assignment"], "layer": d["layer"], "code": d["code"],
               "array": d["array"], "count": len(d["students"]), "total": d["tests"],
               "students": _names(d["students"])}
    for p in data["problems"]:
        yield {"section": "problem", "student": p["student"], "code": p["status"],
               "count": p["timeouts"], "total": p["crashes"], "test": p["message"]}
    for t in data["almost_all_fail"]:
        yield {"section": "almost_all_fail", "assignment": t["assignment"], "layer": t["layer"],
               "test": t["test"], "count": t["students"] - t["passed"], "total": t["students"],
               "rate": f"{1 - t['pass_rate']:.3f}"}


def _names(students: list[dict]) -> str:
    return " ".join(s["student"] for s in students)


def course_order(data: dict):
    """A sort key putting a diagnosis's layer where the course puts it: the order of the tests in the reports."""
    layers = {}
    for test in data["tests"]:
        layers.setdefault((test["assignment"], test["layer"]), len(layers))
    return lambda d: layers.get((d["assignment"], d["layer"]), len(layers))


def html_pieces(data: dict, *, title: str = ""):
    """The class report's page in pieces as the template makes them: the page of a class of any size is never
    held whole."""
    from grader.reports.html import environment, labels, language

    histogram = pictures.histogram([s["percent"] for s in data["students"]], bins=HISTOGRAM_BINS,
                                   label=_("score distribution (percent of the maximum)"))
    by_layer: dict[str, list] = defaultdict(list)
    for d in sorted(data["diagnoses"], key=course_order(data)):  # sorted() keeps each layer's order
        by_layer[f"{d['assignment']} / {d['layer']}"].append(d)
    names = {d["code"]: describe(d["code"]) for d in data["diagnoses"]}
    return environment().get_template("class.html").generate(
        title=title or _("Class report"), data=data, histogram=histogram, by_layer=dict(by_layer), names=names,
        almost=int(ALMOST_ALL * 100), t=labels(), lang=language())


def student_html(student: StudentReport | dict) -> str:
    """The student's own HTML report, linked from the class report; for a student not graded, it says why."""
    from grader.reports.html import render

    student = StudentReport.read(student)
    if student.report.tests:
        return render(student.report)
    return render(replace(student.report, notes=[*student.report.notes, f"{student.status}: {student.status_message}"]))
