"""``grader batch``: grade a whole class on one machine.

SUBMISSIONS holds one sub-folder or one ``.zip`` per student; the folder or
zip name is the student's name in the gradebook. ``--jobs`` worker
processes, forked from this one once everything is imported, grade one
student at a time each, so Python, numpy and the grader load once per batch,
not once per student. A student's own code never runs in a worker: it runs
in the sandboxed child of each grading (see ``grader/sandbox``). If a worker
dies or runs past its time limit anyway, only its current student is
affected: the gradebook says ``crashed``, a fresh worker takes over and the
others are graded as usual. A student on whom the grader itself failed (a
test that raised, a bug) is ``grader_error``, with what was graded; the
command then exits 3 once everything is written.

Every student is graded with the same seed, and the gradebook holds no
timings, so the same seed gives the same gradebook.
"""
from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.connection
import os
import signal
import struct
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator

import grader.judge.course as courses
from grader.judge.context import Grading
from grader.judge.course import Course
from grader.platforms.class_folder import ClassFolder
from grader.lang import _
from grader.lang.sanitize import clean, clean_data, csv_table

# The gradebook status of a student the grader itself failed on, in a test or in the whole grading, beside "ok",
# "broken" (nothing gradable) and "crashed" (the grading process died or ran too long); the batch then exits 3.
GRADER_ERROR = "grader_error"
MAX_ZIP_BYTES = 50 * 2**20  # uncompressed; a course's modules are a few kB
MAX_ZIP_FILES = 1000
MAX_CENTRAL_DIRECTORY = MAX_ZIP_FILES * (46 + 2 * 0xFFFF)  # the most MAX_ZIP_FILES entries can take
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries, size, offset, comment
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")


@dataclass(frozen=True)
class Student:
    name: str
    path: Path  # a folder or a .zip file


class BrokenSubmission(Exception):
    """The submission cannot be opened; the message is for the gradebook."""


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


def zip_directory_size(archive: Path) -> tuple[int, int]:
    """``(entries, bytes)`` of a zip's central directory, read from its end record alone.

    ``zipfile`` parses the whole central directory when it opens an archive
    (hundreds of MB of Python objects for a few hundred thousand entries), so
    the counts are checked here first, from the last 64 kB of the file.
    """
    with open(archive, "rb") as f:
        f.seek(0, os.SEEK_END)
        length = f.tell()
        f.seek(max(0, length - _END_OF_DIRECTORY.size - 0xFFFF))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _END_OF_DIRECTORY.size:
            raise BrokenSubmission(_("{name} is not a readable zip file (no end of central directory)").format(
                name=archive.name))
        entries, size = _END_OF_DIRECTORY.unpack_from(tail, at)[4:6]
        start = length - len(tail) + at
        if (entries == 0xFFFF or size == 0xFFFFFFFF) and start >= _ZIP64_LOCATOR.size:
            f.seek(start - _ZIP64_LOCATOR.size)
            signature, end64 = _ZIP64_LOCATOR.unpack(f.read(_ZIP64_LOCATOR.size))[::2]
            if signature == b"PK\x06\x07" and end64 < length:
                f.seek(end64)
                record = f.read(_ZIP64_END.size)
                if len(record) == _ZIP64_END.size and record[:4] == b"PK\x06\x06":
                    entries, size = _ZIP64_END.unpack(record)[7:9]
    return entries, size


def check_zip_directory(archive: Path) -> None:
    """Refuse a zip with too many entries or too large a directory before ``zipfile`` reads it."""
    try:
        entries, size = zip_directory_size(archive)
    except OSError as error:
        raise BrokenSubmission(_("{name} cannot be read ({error})").format(
            name=archive.name, error=error.strerror or error)) from None
    if entries > MAX_ZIP_FILES or size > MAX_CENTRAL_DIRECTORY:
        raise BrokenSubmission(_("{name} holds {entries} entries ({size} bytes of directory); the limit is "
                                 "{limit} files").format(name=archive.name, entries=entries, size=size,
                                                          limit=MAX_ZIP_FILES))


def extract_zip(archive: Path, dest: Path) -> None:
    """Unpack regular files only, refusing paths that leave ``dest`` and oversized contents."""
    check_zip_directory(archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_FILES:
                raise BrokenSubmission(_("{file} holds {count} files; the limit is {limit}").format(
                    file=archive.name, count=len(members), limit=MAX_ZIP_FILES))
            declared = sum(m.file_size for m in members)
            if declared > MAX_ZIP_BYTES:
                raise BrokenSubmission(_("{name} unpacks to more than {limit} MB").format(
                    name=archive.name, limit=MAX_ZIP_BYTES // 2**20))
            budget = MAX_ZIP_BYTES
            for member in members:
                member.filename = zip_member_name(member)
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    raise BrokenSubmission(_("{file} contains an unsafe path: {path}").format(
                        file=archive.name, path=repr(member.filename)))
                is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
                if is_link or "__MACOSX" in parts:
                    continue
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 16):  # count real bytes: headers can lie
                        budget -= len(chunk)
                        if budget < 0:
                            raise BrokenSubmission(_("{file} unpacks to more than {size} MB").format(
                                file=archive.name, size=MAX_ZIP_BYTES // 2**20))
                        out.write(chunk)
    except BrokenSubmission:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise BrokenSubmission(_("{file} is not a readable zip file ({error})").format(
            file=archive.name, error=error)) from None


def zip_member_name(member: zipfile.ZipInfo) -> str:
    """The member's real name: zips made on Korean Windows store CP949 names without saying so."""
    if member.flag_bits & 0x800:  # the name is marked as UTF-8
        return member.filename
    raw = member.filename.encode("cp437", "replace")
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return member.filename


def grade_student(student: Student, grading: Grading) -> dict:
    """The student's report, with ``student``, ``status`` and ``status_message`` added."""
    from grader.judge.engine import grade_path

    with tempfile.TemporaryDirectory(prefix="grader-batch-") as scratch:
        folder = student.path
        if student.path.is_file():
            folder = Path(scratch)
            try:
                extract_zip(student.path, folder)
            except BrokenSubmission as error:
                return ungraded(student, "broken", str(error), grading)
        report = grade_path(folder, grading)
    report["submission"] = str(student.path)
    if report.get("internal_error"):
        message = _("the grader itself failed ({error}); the report holds what was graded: grade this student "
                    "again once the grader is fixed").format(error=report["internal_error"])
        return {"student": student.name, "status": GRADER_ERROR, "status_message": message, **report}
    found = [e["file"] for e in report["assignments"].values() if e.get("file")]
    if found:
        return {"student": student.name, "status": "ok", "status_message": _missing_message(report), **report}
    modules = ", ".join(a.module for a in grading.course.select(grading.assignments))
    message = _("no assignment module found (expected any of {modules}, or .ipynb)").format(modules=modules)
    return {"student": student.name, "status": "broken", "status_message": message, **report}


def _missing_message(report: dict) -> str:
    """What could not be found, for the gradebook's message column (empty when everything was)."""
    missing = []
    for assignment, entry in report.get("assignments", {}).items():
        if not entry.get("file"):
            names = " or ".join(entry.get("layers") or ())
            missing.append(_("no {module} or .ipynb, and no file defines {names}").format(
                module=f"{assignment}.py", names=names))
    return "; ".join(missing)


def found_in(report: dict) -> str:
    """Where each graded class was found, for the gradebook: ``MulLayer: ch05.ipynb cell 3 (In [4]); ...``."""
    from grader.reports.text import where

    parts = []
    for entry in report.get("assignments", {}).values():
        for name, place in (entry.get("sources") or {}).items():
            parts.append(f"{name}: {where(place)}")
    return "; ".join(parts)


def ungraded(student: Student, status: str, message: str, grading: Grading) -> dict:
    """The report of a student who could not be graded: score 0 out of the full maximum."""
    maxima = maximum_scores(grading)
    return {
        "student": student.name, "status": status, "status_message": message,
        "score": 0.0, "max_score": sum(maxima.values()), "seed": grading.seed, "tests": [],
        "assignments": {a: {"score": 0.0, "max_score": m, "file": None} for a, m in maxima.items()},
        "submission": str(student.path),
    }


def maximum_scores(grading: Grading) -> dict[str, float]:
    """The maximum of each of the grading's assignments, in course order."""
    maxima = dict.fromkeys(grading.assignments, 0.0)
    for check in grading.checks():
        maxima[check.assignment] += check.points
    return maxima


# --- worker processes ----------------------------------------------------------

def _serve(work: Callable, conn, inherited: list) -> None:
    """A worker's life: run ``work`` on each task the parent sends until it sends None."""
    for other in inherited:  # the parent's ends of the other workers' pipes
        other.close()
    # SIGTERM (the time limit) unwinds normally, so the sandbox closes its own child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        while (task := conn.recv()) is not None:
            try:
                outcome = ("done", work(task))
            except Exception as error:  # a bug in the grader, not the student's doing
                outcome = (GRADER_ERROR, _("the grader failed: {error}").format(
                    error=f"{type(error).__name__}: {error}"))
            conn.send(outcome)
    except (EOFError, BrokenPipeError):  # the parent is gone
        pass


class _Worker:
    """One process forked from the warm parent, and the task it is on."""

    def __init__(self, context, work: Callable, others: list["_Worker"]):
        self.conn, child_end = context.Pipe()
        inherited = [w.conn for w in others] + [self.conn]
        self.process = context.Process(target=_serve, args=(work, child_end, inherited), daemon=True)
        self.process.start()
        child_end.close()
        self.task, self.deadline = None, 0.0

    def give(self, task, time_limit: float) -> None:
        self.task, self.deadline = task, time.monotonic() + time_limit
        self.conn.send(task)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(1 if self.task is None else 0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_isolated(tasks: Iterable, work: Callable, *, jobs: int, time_limit: float) -> Iterator[tuple]:
    """Yield ``(task, ("done", value) | ("crashed" | "grader_error", why))`` for each task, as each ends.

    ``jobs`` worker processes, forked from this already warm interpreter, take
    one task at a time. A worker that dies, or is still busy ``time_limit``
    seconds into a task, is replaced by a fresh fork; only its task is lost
    (``crashed``). A task whose ``work`` raises is a ``grader_error``.
    """
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: slower start-up, same isolation
        context = multiprocessing.get_context()
    pending = list(tasks)[::-1]
    workers: list[_Worker] = []
    while len(workers) < min(jobs, len(pending)):
        workers.append(_Worker(context, work, workers))

    def replace(worker: _Worker) -> None:
        worker.stop()
        others = [w for w in workers if w is not worker]
        workers[workers.index(worker)] = _Worker(context, work, others)

    try:
        while True:
            for worker in workers:
                if worker.task is None and pending:
                    worker.give(pending.pop(), time_limit)
            busy = [w for w in workers if w.task is not None]
            if not busy:
                return
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = multiprocessing.connection.wait([w.conn for w in busy], timeout=wait)
            for worker in busy:
                task = worker.task
                if worker.conn in ready:
                    try:
                        outcome = worker.conn.recv()
                        worker.task = None
                    except (EOFError, OSError):
                        worker.process.join(1)
                        outcome = ("crashed", _("the grading process died (exit status {code})").format(
                            code=worker.process.exitcode))
                        replace(worker)
                elif time.monotonic() > worker.deadline:
                    outcome = ("crashed", _("grading took longer than {limit} s and was stopped").format(
                        limit=f"{time_limit:g}"))
                    replace(worker)
                else:
                    continue
                yield task, outcome
    finally:
        for worker in workers:
            worker.stop()


# --- the gradebook ------------------------------------------------------------

def gradebook_row(report: dict, grading: Grading) -> dict:
    """The student's row; text is made spreadsheet-safe when the table is written (``csv_table``)."""
    counts = report.get("counts") or {}
    row = {
        "student": report["student"],
        "status": report["status"],
        "score": f"{report['score']:g}",
        "max_score": f"{report['max_score']:g}",
        "percent": f"{100 * report['score'] / report['max_score']:.1f}" if report["max_score"] else "0.0",
    }
    for assignment in grading.assignments:
        entry = report.get("assignments", {}).get(assignment)
        row[assignment] = f"{entry['score']:g}" if entry else ""
    for status in ("passed", "failed", "error", "timeout", "missing"):
        row[status] = counts.get(status, 0)
    row["seed"] = report["seed"]
    row["message"] = report["status_message"]
    row["found_in"] = found_in(report)
    row["json_report"] = report.get("json_report", "")
    row["html_report"] = report.get("html_report", "")
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
    maximum_scores(grading)  # imports the suites


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
    import grader.reports.classroom as classroom

    students = find_students(submissions, exclude=out)
    html = classroom.html_available()
    folder = ClassFolder(out, [s.name for s in students], html)
    grading = Grading(course or courses.default(), seed=seed, suite=suite, assignments=assignments, timeout=timeout,
                      time_budget=time_budget)
    _warm_up(grading)
    reports: dict[Student, dict] = {}
    waiting: dict[str, tuple] = {}
    if html:  # compiled once here, not once per worker
        from grader.reports.html import environment

        environment().get_template("student.html")
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
            [folder.with_links(s.name, reports.get(s) or ungraded(s, "crashed", missing, grading)) for s in students],
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


def write_reports(folder: ClassFolder, student: Student, report: dict, grading: Grading,
                  spaces: dict | None = None) -> tuple[dict, tuple]:
    """Write the student's JSON (and HTML) report: the report to keep for the gradebook (cleaned, possibly
    noting a failure), and the kinds of report that found no disk space (:meth:`ClassFolder.write_waiting`)."""
    try:
        report = clean_data(report)
        report["student"] = clean(student.name)
        rendered = folder.render(report)
    except Exception as error:  # a report the grader cannot even render: that student only
        report = ungraded(student, GRADER_ERROR, clean(f"the grader failed: {type(error).__name__}: {error}"),
                          grading)
        rendered = folder.render(report)
    return report, folder.write_student(student.name, report, rendered, spaces)
