"""``grader batch``: grade a whole class on one machine.

SUBMISSIONS holds one sub-folder or one ``.zip`` per student (unpacked by
:mod:`grader.platforms.archives`); the folder or zip name is the student's
name in the gradebook. ``--jobs`` worker processes
(:mod:`grader.platforms.workers`), forked from this one once everything is
imported, grade one student at a time each, so Python, numpy and the grader load once per batch,
not once per student. A student's own code never runs in a worker: it runs
in the sandboxed child of each grading (see ``grader/sandbox``). If a worker
dies or runs past its time limit anyway, only its current student is
affected: the gradebook says ``crashed``, a fresh worker takes over and the
others are graded as usual. A student on whom the grader itself failed (a
test that raised, a bug) is ``grader_error``, with what was graded; the
command then exits 3 once everything is written.

Every student is graded with the same seed, and the gradebook holds no
timings, so the same seed gives the same gradebook. Each student's JSON
report is a :class:`grader.judge.record.StudentReport`: the report, with the
student's name, status and status message in front.
"""
from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import grader.judge.course as courses
from grader.judge.context import Grading
from grader.judge.course import Course
from grader.judge.record import Report, StudentReport, percent
from grader.lang import _
from grader.lang.sanitize import clean_data, csv_table
from grader.platforms.archives import BrokenSubmission, extract_zip
from grader.platforms.class_folder import ClassFolder
from grader.platforms.workers import GRADER_ERROR, run_isolated

# GRADER_ERROR is the gradebook status of a student the grader itself failed on, in a test or in the whole
# grading, beside "ok", "broken" (nothing gradable) and "crashed" (the grading process died or ran too long);
# the batch then exits 3.
STUDENT_STATUSES = ("ok", "broken", "crashed", GRADER_ERROR)


@dataclass(frozen=True)
class Student:
    name: str
    path: Path  # a folder or a .zip file


def find_students(folder: Path, exclude: Path | None = None) -> list[Student]:
    """One student per sub-folder or ``.zip`` of ``folder``, sorted by name."""
    students, taken = [], set()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "__")) or (exclude and entry.resolve() == exclude.resolve()):
            continue
        if entry.is_dir() or (entry.is_file() and entry.suffix.lower() == ".zip"):
            name = entry.stem if entry.is_file() else entry.name
            if name in taken:  # both alice/ and alice.zip
                name = entry.name
            taken.add(name)
            students.append(Student(name, entry))
    return students


def grade_student(student: Student, grading: Grading) -> StudentReport:
    """The student's report, with their name, their status and a message about it for the gradebook."""
    from grader.judge.engine import grade_path

    with tempfile.TemporaryDirectory(prefix="grader-batch-") as scratch:
        folder = student.path
        if student.path.is_file():
            folder = Path(scratch)
            try:
                extract_zip(student.path, folder)
            except BrokenSubmission as error:
                return ungraded(student, "broken", str(error), grading)
        report = Report.from_dict(grade_path(folder, grading))
    report.submission = str(student.path)
    if report.internal_error:
        message = _("the grader itself failed ({error}); the report holds what was graded: grade this student "
                    "again once the grader is fixed").format(error=report.internal_error)
        return StudentReport(student.name, GRADER_ERROR, message, report)
    if any(summary.file for summary in report.assignments.values()):
        return StudentReport(student.name, "ok", _missing_message(report), report)
    modules = ", ".join(a.module for a in grading.course.select(grading.assignments))
    message = _("no assignment module found (expected any of {modules}, or .ipynb)").format(modules=modules)
    return StudentReport(student.name, "broken", message, report)


def _missing_message(report: Report) -> str:
    """What could not be found, for the gradebook's message column (empty when everything was)."""
    missing = []
    for assignment, summary in report.assignments.items():
        if not summary.file:
            missing.append(_("no {module} or .ipynb, and no file defines {names}").format(
                module=f"{assignment}.py", names=" or ".join(summary.layers)))
    return "; ".join(missing)


def ungraded(student: Student, status: str, message: str, grading: Grading) -> StudentReport:
    """The report of a student who could not be graded: score 0 out of the full maximum."""
    return StudentReport(student.name, status, message,
                         Report.ungraded(maxima(grading), seed=grading.seed, submission=student.path))


def maxima(grading: Grading) -> dict[str, dict[str, float]]:
    """The points of each of the grading's assignments, per layer, in course order."""
    found: dict[str, dict[str, float]] = {name: {} for name in grading.assignments}
    for check in grading.checks():
        layers = found.setdefault(check.assignment, {})
        layers[check.layer] = layers.get(check.layer, 0.0) + check.points
    return found


def maximum_scores(grading: Grading) -> dict[str, float]:
    """The maximum of each of the grading's assignments, in course order."""
    return {name: sum(layers.values()) for name, layers in maxima(grading).items()}


# --- the gradebook ------------------------------------------------------------

def gradebook_row(student: StudentReport | dict, grading: Grading) -> dict:
    """The student's row; text is made spreadsheet-safe when the table is written (``csv_table``)."""
    from grader.reports.shared import found_in, points

    student = StudentReport.read(student)
    report = student.report
    row = {"student": student.student, "status": student.status, "score": points(report.score),
           "max_score": points(report.max_score), "percent": f"{percent(report.score, report.max_score):.1f}"}
    for assignment in grading.assignments:
        summary = report.assignments.get(assignment)
        row[assignment] = points(summary.score) if summary else ""
    for status in ("passed", "failed", "error", "timeout", "missing"):
        row[status] = report.counts.get(status, 0)
    row.update(seed=report.seed, message=student.status_message, found_in=found_in(report),
               json_report=student.json_report, html_report=student.html_report)
    return row


def gradebook_csv(reports: list[dict], grading: Grading) -> str:
    """One row per student, one column per chosen assignment."""
    rows = [gradebook_row(r, grading) for r in sorted(reports, key=lambda r: r["student"])]
    return csv_table(rows, list(rows[0]) if rows else ["student"])


def time_limit_per_student(timeout: float, time_budget: float | None = None) -> float:
    """A backstop only: the engine stops at the time budget, and gives up on a layer after two timeouts."""
    if time_budget:
        return time_budget + 60 + 2 * timeout
    return 120 + 30 * timeout


def _warm_up(grading: Grading) -> None:
    """Import the engine, the runner and every test here, once, so each forked worker starts warm."""
    import grader.judge.engine as engine  # noqa: F401  (numpy, the runner, the reference layers)
    from grader.judge.memo import remember_across_submissions

    remember_across_submissions()  # every student gets the same seed: the same expected values
    maxima(grading)  # imports the suites


def run_batch(
    submissions: Path,
    out: Path,
    *,
    seed: int,
    course: Course | None = None,
    jobs: int | None = None,
    timeout: float = 10.0,
    suite: str = "all",
    assignments=None,
    time_budget: float | None = None,
    progress: Callable[[dict], None] = lambda report: None,
    csv_encoding: str = "utf-8-sig",
) -> list[dict]:
    """Grade every student of ``submissions``; write ``out/gradebook.csv``, the class report
    (``out/class-report.html`` and ``.csv``) and each student's reports in ``out/students/``
    (see :mod:`grader.platforms.class_folder`).

    ``assignments`` grades only those, with scores out of their points.
    ``time_budget`` is per student. Nothing one student's submission does can
    keep the others from being graded or the gradebook from being written:
    a student whose grading fails is ``crashed``, a report that cannot be
    written is noted in its row, one that finds the disk full is written once
    no student code runs, and if the batch itself fails the gradebook of what
    was graded is written before the error is raised.
    """
    from grader.reports.html import environment

    students = find_students(submissions, exclude=out)
    folder = ClassFolder(out, [s.name for s in students], html=True)
    grading = Grading(course or courses.default(), seed=seed, suite=suite, assignments=assignments, timeout=timeout,
                      time_budget=time_budget)
    _warm_up(grading)
    reports: dict[Student, dict] = {}
    waiting: dict[str, tuple] = {}
    environment().get_template("student.html")  # compiled once here, not once per worker
    work = functools.partial(grade_and_write, folder=folder, grading=grading)
    folder.prepare(len(students))  # before any student code runs
    outcomes = run_isolated(students, work, jobs=jobs or os.cpu_count() or 1,
                            time_limit=time_limit_per_student(timeout, time_budget))
    try:
        for student, (kind, value) in outcomes:
            if kind != "done":
                folder.forget(student.name)
                value = write_reports(folder, student, ungraded(student, kind, value, grading), grading)
            reports[student], waiting[student.name] = value
            progress(reports[student])
    finally:  # also when the batch itself fails: the gradebook holds every student, graded or not
        outcomes.close()  # the workers stop, and with them every student's code and scratch folder
        missing = _("not graded: the batch stopped before this student's turn")
        folder.finish({s.name: r for s, r in reports.items()}, waiting, lambda: gradebook_csv(
            [folder.with_links(s.name, reports.get(s) or ungraded(s, "crashed", missing, grading).to_dict())
             for s in students],
            grading).encode(csv_encoding))
    return sorted(reports.values(), key=lambda r: r["student"])


def grade_and_write(student: Student, *, folder: ClassFolder, grading: Grading) -> tuple[dict, tuple]:
    """Grade one student and write their reports, into disk space reserved before their code ran: the part
    of a batch that runs in the workers. Returns the report to keep and the reports left waiting for space."""
    spaces = folder.reserve_student(student.name)
    try:
        return write_reports(folder, student, grade_student(student, grading), grading, spaces)
    finally:
        for space in filter(None, spaces.values()):
            space.release()


def write_reports(folder: ClassFolder, student: Student, record: StudentReport, grading: Grading,
                  spaces: dict | None = None) -> tuple[dict, tuple]:
    """Write the student's JSON (and HTML) report: the report to keep for the gradebook (its dict, cleaned,
    possibly noting a failure), and the kinds of report that found no disk space
    (:meth:`ClassFolder.write_waiting`)."""
    try:
        report = clean_data(record.to_dict())
        rendered = folder.render(report)
    except Exception as error:  # a report the grader cannot even render: that student only
        failed = ungraded(student, GRADER_ERROR, f"the grader failed: {type(error).__name__}: {error}", grading)
        report = clean_data(failed.to_dict())
        rendered = folder.render(report)
    return report, folder.write_student(student.name, report, rendered, spaces)
