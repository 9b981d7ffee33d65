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
from urllib.parse import quote

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


def _percent(report: dict) -> float:
    return 100.0 * report["score"] / report["max_score"] if report.get("max_score") else 0.0


def student_link(report: dict) -> str:
    """The relative link to the student's own report: the report's ``link``, else ``<student>.html``."""
    return report.get("link") or quote(f"{report['student']}.html")


def _who(report: dict) -> dict:
    """A student as the figures list them: the name shown, and the link to their report."""
    return {"student": report["student"], "link": student_link(report)}


def figures(reports: list[dict]) -> dict:
    """Every figure of the class report, from the students' report dicts."""
    reports = sorted(reports, key=lambda r: r["student"])
    graded = [r for r in reports if r.get("tests")]
    percents = [round(_percent(r), 1) for r in reports]
    tests: dict[str, dict] = {}
    assignments: dict[str, dict] = {}
    diagnoses: dict[tuple, dict] = {}
    for report in graded:
        student = _who(report)
        for test in report["tests"]:
            entry = tests.setdefault(test["name"], {
                "test": test["name"], "assignment": test["assignment"], "layer": test["layer"],
                "students": 0, "passed": 0, "failed_students": []})
            entry["students"] += 1
            if test["status"] == "passed":
                entry["passed"] += 1
            else:
                entry["failed_students"].append(student)
            diagnosis = test.get("diagnosis")
            if test["status"] != "passed" and diagnosis:
                key = (test["assignment"], test["layer"], diagnosis["code"], diagnosis.get("array", ""))
                found = diagnoses.setdefault(key, {
                    "assignment": key[0], "layer": key[1], "code": key[2], "array": key[3],
                    "tests": 0, "students": []})
                found["tests"] += 1
                if student not in found["students"]:
                    found["students"].append(student)
        for name, totals in report.get("assignments", {}).items():
            entry = assignments.setdefault(name, {"assignment": name, "students": 0, "full_marks": 0,
                                                  "score": 0.0, "max_score": 0.0})
            entry["students"] += 1
            entry["full_marks"] += totals["score"] == totals["max_score"]
            entry["score"] += totals["score"]
            entry["max_score"] += totals["max_score"]
    for entry in tests.values():
        entry["pass_rate"] = entry["passed"] / entry["students"] if entry["students"] else 0.0
    for entry in assignments.values():
        entry["pass_rate"] = entry["full_marks"] / entry["students"] if entry["students"] else 0.0
        entry["mean_percent"] = 100.0 * entry["score"] / entry["max_score"] if entry["max_score"] else 0.0
    common = sorted(diagnoses.values(), key=lambda d: (-len(d["students"]), -d["tests"], d["layer"], d["code"]))
    return {
        "students": [{**_who(r), "status": r.get("status", "ok"), "score": r["score"],
                      "max_score": r["max_score"], "percent": p} for r, p in zip(reports, percents)],
        "histogram": pictures.bin_counts(percents, bins=HISTOGRAM_BINS),
        "assignments": list(assignments.values()),
        "tests": list(tests.values()),
        "diagnoses": common,
        "problems": _problems(reports),
        "almost_all_fail": [t for t in tests.values()
                            if t["students"] and (t["students"] - t["passed"]) / t["students"] >= ALMOST_ALL],
        "graded": len(graded),
        "mean_percent": sum(percents) / len(percents) if percents else 0.0,
    }


def _problems(reports: list[dict]) -> list[dict]:
    """The students not graded, and those whose tests timed out, crashed or broke the judge."""
    problems = []
    for report in reports:
        codes = Counter(t["diagnosis"]["code"] for t in report.get("tests", [])
                        if t.get("diagnosis") and t["diagnosis"]["code"] in PROBLEM_CODES)
        if report.get("status", "ok") != "ok" or codes:
            problems.append({**_who(report), "status": report.get("status", "ok"),
                             "message": report.get("status_message", ""),
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


def render_html(data: dict, *, title: str = "") -> str:
    from grader.reports.html import environment, labels, language

    histogram = pictures.histogram([s["percent"] for s in data["students"]], bins=HISTOGRAM_BINS,
                                   label=_("score distribution (percent of the maximum)"))
    by_layer: dict[str, list] = defaultdict(list)
    for d in data["diagnoses"]:
        by_layer[f"{d['assignment']} / {d['layer']}"].append(d)
    return environment().get_template("class.html").render(
        title=title or _("Class report"), data=data, histogram=histogram, by_layer=dict(by_layer),
        almost=int(ALMOST_ALL * 100), t=labels(), lang=language())


def html_available() -> bool:
    """Jinja2 is an optional dependency (the ``html`` extra)."""
    import importlib.util

    return importlib.util.find_spec("jinja2") is not None


def student_html(report: dict) -> str:
    """The student's own HTML report, linked from the class report; for a student not graded, it says why."""
    from grader.reports.html import render

    if report.get("tests"):
        return render(report)
    return render({**report, "notes": [*report.get("notes", []),
                                       f"{report.get('status', '')}: {report.get('status_message', '')}"]})
