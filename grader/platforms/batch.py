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

Each result is kept in the output folder as soon as it is written
(:mod:`grader.platforms.results_cache`), under a key of everything it
depends on: a later run grades only the students whose key changed, and a
batch stopped half-way resumes where it stopped. The gradebook and the
class report are then made from every student's report, read one at a
time, so the batch's own memory does not grow with the class. ``--shard``
grades one share of the class (:mod:`grader.platforms.shards`), and
``grader merge`` makes the class's files from every shard
(:mod:`grader.platforms.merge`).
"""
from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import grader.judge.course as courses
from grader.judge.context import Grading
from grader.judge.course import Course
from grader.judge.record import Report, Rows, StudentReport
from grader.lang import _, either
from grader.lang.sanitize import clean_data
import grader.platforms.shards as shards
from grader.platforms.archives import BrokenSubmission, extract_zip
from grader.platforms.class_folder import ClassFolder
from grader.platforms.results_cache import Entry, State, digest, settings, student_key
from grader.platforms.shards import Shard
from grader.platforms.students import Student, find_students
from grader.platforms.workers import GRADER_ERROR, run_isolated

# GRADER_ERROR is the gradebook status of a student the grader itself failed on, in a test or in the whole
# grading, beside "ok", "broken" (nothing gradable) and "crashed" (the grading process died or ran too long);
# the batch then exits 3. NOT_GRADED is every student's when the batch graded nobody: the course failed its
# check, or student code could reach what it must not on this machine; the batch then exits 2.
NOT_GRADED = "not_graded"
STUDENT_STATUSES = ("ok", "broken", "crashed", GRADER_ERROR, NOT_GRADED)
IMPORT_ERROR_LIMIT = 200  # characters of a compile or import error in the gradebook's message


def grade_student(student: Student, grading: Grading) -> StudentReport:
    """The student's report, with their name, their status and a message about it for the gradebook."""
    from grader.judge.engine import grade_path

    if student.path.is_file():
        with tempfile.TemporaryDirectory(prefix="grader-batch-") as scratch:
            try:
                extract_zip(student.path, Path(scratch))
            except BrokenSubmission as error:
                return ungraded(student, "broken", str(error), grading)
            report = Report.from_dict(grade_path(Path(scratch), grading))
    else:
        report = Report.from_dict(grade_path(student.path, grading))
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
    """What could not be found or imported, for the gradebook's message column (empty when all was fine): a
    file that does not compile gives its error's first line, "gates.py의 2번째 줄에 문법 오류가 있습니다"."""
    missing = []
    for assignment, summary in report.assignments.items():
        if not summary.file:
            missing.append(_("no {module} or .ipynb, and no file defines {names}").format(
                module=f"{assignment}.py", names=either(summary.layers)))
    for test in report.tests:
        if test.diagnosis and test.diagnosis.code == "import" and test.message:
            first = test.message.splitlines()[0].removeprefix(f"{test.layer}: ")  # one line per file
            first = first if len(first) <= IMPORT_ERROR_LIMIT else first[:IMPORT_ERROR_LIMIT - 1] + "…"
            if first not in missing:
                missing.append(first)
    return "; ".join(missing)


def ungraded(student: Student, status: str, message: str, grading: Grading) -> StudentReport:
    """The report of a student who could not be graded: score 0 out of the full maximum."""
    return StudentReport(student.name, status, message,
                         Report.ungraded(maxima(grading), seed=grading.seed, submission=student.path))


def maxima(grading: Grading) -> dict[str, dict[str, float]]:
    """The points of each of the grading's assignments, per layer, in course order: those of its tests, or
    those of the course file where the tests cannot be collected (a course that failed its check)."""
    found: dict[str, dict[str, float]] = {name: {} for name in grading.assignments}
    try:
        checks = grading.checks()
    except Exception:  # the course's own code or file is wrong: what it promises is all there is
        return {a.name: dict(a.points) for a in grading.course.select(grading.assignments)}
    for check in checks:
        layers = found.setdefault(check.assignment, {})
        layers[check.layer] = layers.get(check.layer, 0.0) + check.points
    return found


def maximum_scores(grading: Grading) -> dict[str, float]:
    """The maximum of each of the grading's assignments, in course order."""
    return {name: sum(layers.values()) for name, layers in maxima(grading).items()}


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


@dataclass
class Plan:
    """Who a run grades: the class (every student found), this run's share of it (its shard), and which of
    those have a result kept from an earlier run under the same key (:mod:`grader.platforms.results_cache`)."""

    students: list[Student]
    mine: list[Student]
    to_grade: list[Student]
    reused: list[Student]
    keys: dict[str, str | None]
    folder: ClassFolder
    state: State
    record: dict  # what the state records of the run: its seed, settings and shard
    shard: Shard | None = None


def plan_batch(submissions: Path, out: Path, grading: Grading, *, shard: Shard | None = None, force: bool = False,
               sandbox: str = "") -> Plan:
    """Find the class, this run's share of it, and what is kept of it in ``out``; ``force`` reuses nothing."""
    students = find_students(submissions, exclude=out)
    mine = [s for s in students if shard is None or shard.holds(s.name)]
    found = settings(grading, sandbox)
    batch_key = digest(found)
    keys = {s.name: student_key(batch_key, s.name, s.path) for s in mine}
    folder, state = ClassFolder(out, [s.name for s in students]), State(out)
    reused = [] if force else [s for s in mine if state.reusable(s.name, keys[s.name], folder.paths(s.name))]
    kept = {s.name for s in reused}
    record = {"seed": grading.seed, "shard": shard.to_dict() if shard else None, "settings": found}
    return Plan(students, mine, [s for s in mine if s.name not in kept], reused, keys, folder, state, record, shard)


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
    progress: Callable[[dict], None] = lambda summary: None,
    csv_encoding: str = "utf-8-sig",
    shard: Shard | None = None,
    force: bool = False,
    sandbox: str = "",
    announce: Callable[[Plan], None] = lambda plan: None,
) -> Sequence[dict]:
    """Grade every student of ``submissions`` (of ``shard`` only, if given) whose result ``out`` does not
    already hold; write ``out/gradebook.csv``, the class report (``out/class-report.html`` and ``.csv``) and
    each student's reports in ``out/students/`` (see :mod:`grader.platforms.class_folder`), or, for a shard,
    its students' reports and ``out/shard.json`` (:mod:`grader.platforms.merge`). Returns each student's
    summary (``student``, ``status``, ``status_message``, ``score``, ``max_score``) in the order of names.

    ``assignments`` grades only those, with scores out of their points.
    ``time_budget`` is per student. ``sandbox`` is what the machine's probe
    found (part of every result's key); ``announce(plan)`` is told who will be
    graded and whose results are reused before anyone is. Nothing one
    student's submission does can keep the others from being graded or the
    gradebook from being written: a student whose grading fails is
    ``crashed``, a report that cannot be written is noted in its row, one
    that finds the disk full is written once no student code runs, and if the
    batch itself fails the gradebook of what was graded is written before the
    error is raised.
    """
    grading = Grading(course or courses.default(), seed=seed, suite=suite, assignments=assignments, timeout=timeout,
                      time_budget=time_budget)
    _proven_or_nobody_graded(submissions, out, grading, csv_encoding)
    plan = plan_batch(submissions, out, grading, shard=shard, force=force, sandbox=sandbox)
    announce(plan)
    return grade_plan(plan, grading, jobs=jobs or os.cpu_count() or 1, progress=progress, csv_encoding=csv_encoding)


def grade_plan(plan: Plan, grading: Grading, *, jobs: int, progress, csv_encoding: str) -> Sequence[dict]:
    """Grade the plan's students in ``jobs`` workers, keeping each result as it comes, then write the class's
    files (or the shard's record) from every result, old and new."""
    folder, state = plan.folder, plan.state
    _warm_up(grading)
    from grader.reports.html import environment

    environment().get_template("student.html")  # compiled once here, not once per worker
    state.begin(plan.record)
    shards.unfinished(folder.out)  # a shard folder says it is finished only once it is
    folder.prepare(len(plan.mine), class_files=plan.shard is None)  # before any student code runs
    folder.clear_leftovers(s.name for s in plan.to_grade)
    work = functools.partial(grade_and_write, folder=folder, grading=grading, state=state, keys=plan.keys)
    done: set[str] = {s.name for s in plan.reused}
    waiting: dict[str, dict] = {}
    outcomes = run_isolated(plan.to_grade, work, jobs=jobs, time_limit=time_limit_per_student(
        grading.timeout, grading.time_budget))
    try:
        for student, (kind, value) in outcomes:
            if kind != "done":
                folder.forget(student.name)
                value = write_reports(folder, state, student, ungraded(student, kind, value, grading), grading,
                                      plan.keys.get(student.name))
            if "waiting" in value:
                waiting[student.name] = value
            done.add(student.name)
            progress(value)
    finally:  # also when the batch itself fails: the gradebook holds every student, graded or not
        outcomes.close()  # the workers stop, and with them every student's code and scratch folder
        try:
            for name, value in waiting.items():
                _write_waiting(folder, state, name, value, plan.keys.get(name))
        finally:
            summaries = _finish(plan, grading, done, waiting, csv_encoding)
    return summaries


def _proven_or_nobody_graded(submissions: Path, out: Path, grading: Grading, csv_encoding: str) -> None:
    """Return if the course has passed its check (``grader check``, run once if no certificate is kept); else
    write the gradebook with every student ``not_graded`` and raise :class:`CourseRefused`."""
    from grader.platforms.coursecheck import CourseRefused, ensure_checked

    try:
        ensure_checked(grading.course)
    except CourseRefused as refused:
        grade_nobody(submissions, out, str(refused), grading=grading, csv_encoding=csv_encoding)
        raise


def grade_nobody(submissions: Path, out: Path, reason: str, *, grading: Grading | None = None, course=None,
                 seed: int = 0, suite: str = "all", assignments=None, csv_encoding: str = "utf-8-sig") -> list[dict]:
    """Write the gradebook, the class report and every student's reports with the status ``not_graded`` and
    ``reason``: what a batch that may grade nobody writes (a course that failed its check, an exposed machine).
    Nothing is kept as a result: results kept from earlier runs stay valid for the next."""
    grading = grading or Grading(course or courses.default(), seed=seed, suite=suite, assignments=assignments)
    students = find_students(submissions, exclude=out)
    folder = ClassFolder(out, [s.name for s in students])
    folder.prepare(len(students))
    reports = {}
    for student in students:
        report = clean_data(ungraded(student, NOT_GRADED, reason, grading).to_dict())
        folder.write_student(student.name, report, folder.render(report))
        reports[student.name] = report
    folder.finish(((s.name, reports[s.name], True) for s in students), grading.assignments, csv_encoding)
    return [reports[s.name] for s in students]


def _finish(plan: Plan, grading: Grading, done: set[str], waiting: dict, csv_encoding: str) -> Rows:
    """The gradebook and class report of the whole class, or a shard's record; each student's summary."""
    names = sorted(s.name for s in plan.mine)
    if plan.shard is None:
        results = _results(plan, grading, done, waiting)
        plan.folder.finish(results, grading.assignments, csv_encoding)
    elif done.issuperset(names):  # every student of the shard has a result: the shard is finished
        shards.write_record(plan.folder.out, plan.shard, plan.record, [s.name for s in plan.students], names)
    summaries = Rows(Entry.FIELDS)
    for name in names:
        summaries.append(_summary(plan.state.read(name), name, done))
    return summaries


def _results(plan: Plan, grading: Grading, done: set[str], waiting: dict):
    """``(name, report, counted)`` of every student in the order of names, each report read when its turn comes:
    as kept in the state, or, for a student the batch stopped before, a report saying so (not counted)."""
    stopped = _("not graded: the batch stopped before this student's turn")
    for student in sorted(plan.mine, key=lambda s: s.name):
        report = None
        if student.name in done:
            entry = plan.state.read(student.name)
            if entry is not None:
                report = plan.state.report(entry, plan.folder.paths(student.name)["json"])
            report = report or waiting.get(student.name, {}).get("report")
        if report is None and student.name in done:
            lost = _("its report could not be read back from the output folder; grade this student again")
            report = ungraded(student, "crashed", lost, grading).to_dict()
        if report is None:
            yield student.name, ungraded(student, "crashed", stopped, grading).to_dict(), False
        else:
            yield student.name, report, True


def _summary(entry: Entry | None, name: str, done: set[str]) -> dict:
    if entry is not None and name in done:
        return entry.summary
    stopped = _("not graded: the batch stopped before this student's turn")
    return {"student": name, "status": "crashed", "status_message": stopped, "score": 0.0, "max_score": 0.0}


def grade_and_write(student: Student, *, folder: ClassFolder, grading: Grading, state: State,
                    keys: dict) -> dict:
    """Grade one student and write their reports, into disk space reserved before their code ran, then keep the
    result: the part of a batch that runs in the workers. Returns the student's summary (see write_reports)."""
    spaces = folder.reserve_student(student.name)
    try:
        return write_reports(folder, state, student, grade_student(student, grading), grading, keys.get(student.name),
                             spaces)
    finally:
        for space in filter(None, spaces.values()):
            space.release()


def write_reports(folder: ClassFolder, state: State, student: Student, record: StudentReport, grading: Grading,
                  key: str | None, spaces: dict | None = None) -> dict:
    """Write the student's JSON (and HTML) report and keep the result in the state under ``key``.

    Returns the student's summary; when some of their reports found no disk space, also the report itself
    (``report``), the kinds ``waiting`` for space and those ``written`` (:meth:`ClassFolder.write_waiting`).
    """
    try:
        report = clean_data(record.to_dict())
        rendered = folder.render(report)
    except Exception as error:  # a report the grader cannot even render: that student only
        failed = ungraded(student, GRADER_ERROR, f"the grader failed: {type(error).__name__}: {error}", grading)
        report = clean_data(failed.to_dict())
        rendered = folder.render(report)
    waiting, written = folder.write_student(student.name, report, rendered, spaces)
    if waiting:
        return {**Entry.of(student.name, report, {}, None).summary, "report": report, "waiting": waiting,
                "written": written}
    entry = _keep(folder, state, student.name, report, written, key)
    return entry.summary


def _keep(folder: ClassFolder, state: State, name: str, report: dict, written, key: str | None) -> Entry:
    paths = folder.paths(name)
    entry = Entry.of(name, report, {kind: path if kind in written else None for kind, path in paths.items()}, key)
    state.write(entry)
    return entry


def _write_waiting(folder: ClassFolder, state: State, name: str, value: dict, key: str | None) -> None:
    """Write what found no space while students were graded, now that none is, and keep the result."""
    report = value["report"]
    written = folder.write_waiting(name, report, value["waiting"])
    _keep(folder, state, name, report, (*value["written"], *written), key)
