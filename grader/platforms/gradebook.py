"""``gradebook.csv``: one row per student, one column per chosen assignment, written spreadsheet-safe."""
from __future__ import annotations

from grader.judge.record import StudentReport, percent
from grader.lang.sanitize import csv_lines

COUNTED = ("passed", "failed", "error", "timeout", "missing")


def gradebook_fields(assignments) -> list[str]:
    """The gradebook's columns: who, how, the score, one column per chosen assignment, the counts, the rest."""
    return ["student", "status", "score", "max_score", "percent", *assignments, *COUNTED, "seed", "message",
            "found_in", "json_report", "html_report"]


def gradebook_row(student: StudentReport | dict, assignments) -> dict:
    """The student's row; text is made spreadsheet-safe when the table is written (``csv_lines``)."""
    from grader.reports.shared import found_in, points

    student = StudentReport.read(student)
    report = student.report
    row = {"student": student.student, "status": student.status, "score": points(report.score),
           "max_score": points(report.max_score), "percent": f"{percent(report.score, report.max_score):.1f}"}
    for assignment in assignments:
        summary = report.assignments.get(assignment)
        row[assignment] = points(summary.score) if summary else ""
    for status in COUNTED:
        row[status] = report.counts.get(status, 0)
    row.update(seed=report.seed, message=student.status_message, found_in=found_in(report),
               json_report=student.json_report, html_report=student.html_report)
    return row


def gradebook_lines(reports, assignments):
    """The gradebook a line at a time: one row per student (``reports`` in the order of their names, each read
    when its row is written), one column per chosen assignment."""
    return csv_lines((gradebook_row(r, assignments) for r in reports), gradebook_fields(assignments))
