"""``grader batch``: grade a whole class on one machine.

SUBMISSIONS holds one sub-folder or one ``.zip`` per student; the folder or
zip name is the student's name in the gradebook. Each student is graded in a
process forked from this one, so Python, numpy and the grader are imported
once per batch rather than once per student, and ``--jobs`` students are
graded at a time. A student's own code runs further apart still, in the
sandboxed child of each grading (see ``grader/runner``). If a grading
process dies or runs past its time limit, only that student is affected: the
gradebook says ``crashed`` and the others are graded as usual.

Every student is graded with the same seed, and the gradebook holds no
timings, so the same seed gives the same gradebook.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator

from . import suites
from .reports import write_atomically

MAX_ZIP_BYTES = 50 * 2**20  # uncompressed; the four modules are a few kB
MAX_ZIP_FILES = 1000
STATUSES = {
    "ok": "graded",
    "broken": "nothing could be graded (unreadable zip, no assignment module...)",
    "crashed": "the grading process died or ran out of time; regrade this student alone",
}


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


def extract_zip(archive: Path, dest: Path) -> None:
    """Unpack regular files only, refusing paths that leave ``dest`` and oversized contents."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_FILES:
                raise BrokenSubmission(f"{archive.name} holds {len(members)} files; the limit is {MAX_ZIP_FILES}")
            budget = MAX_ZIP_BYTES
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    raise BrokenSubmission(f"{archive.name} contains an unsafe path: {member.filename!r}")
                is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
                if is_link or "__MACOSX" in parts:
                    continue
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 16):  # count real bytes: headers can lie
                        budget -= len(chunk)
                        if budget < 0:
                            raise BrokenSubmission(f"{archive.name} unpacks to more than {MAX_ZIP_BYTES // 2**20} MB")
                        out.write(chunk)
    except BrokenSubmission:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise BrokenSubmission(f"{archive.name} is not a readable zip file ({error})") from None


def grade_student(student: Student, *, seed: int, timeout: float, suite: str) -> dict:
    """The student's report, with ``student``, ``status`` and ``status_message`` added."""
    from .engine import grade_submission

    with tempfile.TemporaryDirectory(prefix="grader-batch-") as scratch:
        folder = student.path
        if student.path.is_file():
            folder = Path(scratch)
            try:
                extract_zip(student.path, folder)
            except BrokenSubmission as error:
                return ungraded(student, "broken", str(error), seed=seed, suite=suite)
        report = grade_submission(folder, suite=suite, seed=seed, timeout=timeout)
    report["submission"] = str(student.path)
    found = [e["file"] for e in report["assignments"].values() if e.get("file")]
    if found:
        return {"student": student.name, "status": "ok", "status_message": "", **report}
    modules = ", ".join(f"{a}.py" for a in suites.ASSIGNMENTS)
    message = f"no assignment module found (expected any of {modules}, or .ipynb)"
    return {"student": student.name, "status": "broken", "status_message": message, **report}


def ungraded(student: Student, status: str, message: str, *, seed: int, suite: str) -> dict:
    """The report of a student who could not be graded: score 0 out of the full maximum."""
    maxima = maximum_scores(suite)
    return {
        "student": student.name, "status": status, "status_message": message,
        "score": 0.0, "max_score": sum(maxima.values()), "seed": seed, "tests": [],
        "assignments": {a: {"score": 0.0, "max_score": m, "file": None} for a, m in maxima.items()},
        "submission": str(student.path),
    }


def maximum_scores(suite: str) -> dict[str, float]:
    visibilities = ("public",) if suite == "public" else suites.available_visibilities()
    maxima = dict.fromkeys(suites.ASSIGNMENTS, 0.0)
    for check in suites.collect(visibilities, suites.ASSIGNMENTS):
        maxima[check.assignment] += check.points
    return maxima


# --- running one process per student ---------------------------------------

def _work_in_child(work: Callable, task, send) -> None:
    # SIGTERM (the time limit) unwinds normally, so the sandbox closes its own child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        outcome = ("done", work(task))
    except BaseException as error:  # a bug or a crash of the grader, not of the student
        outcome = ("crashed", f"the grader failed: {type(error).__name__}: {error}")
    send.send(outcome)
    send.close()


def _stop(process) -> None:
    process.terminate()
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()


def run_isolated(tasks: Iterable, work: Callable, *, jobs: int, time_limit: float) -> Iterator[tuple]:
    """Yield ``(task, ("done", value) | ("crashed", why))``, running each task in its own forked process.

    A fork of this (already warm) interpreter costs milliseconds, and a
    process that dies takes only its own task with it.
    """
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: slower start-up, same isolation
        context = multiprocessing.get_context()
    pending = list(tasks)[::-1]
    running: dict = {}  # receiving end -> (task, process, deadline)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                task = pending.pop()
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_work_in_child, args=(work, task, send))
                process.start()
                send.close()
                running[receive] = (task, process, time.monotonic() + time_limit)
            wait = max(0.0, min(deadline for _, _, deadline in running.values()) - time.monotonic())
            for receive in multiprocessing.connection.wait(list(running), timeout=wait):
                task, process, _ = running.pop(receive)
                try:
                    outcome = receive.recv()
                except (EOFError, OSError):
                    process.join()
                    outcome = ("crashed", f"the grading process died (exit status {process.exitcode})")
                receive.close()
                process.join()
                yield task, outcome
            for receive, (task, process, deadline) in list(running.items()):
                if time.monotonic() > deadline:
                    del running[receive]
                    _stop(process)
                    receive.close()
                    yield task, ("crashed", f"grading took longer than {time_limit:g} s and was stopped")
    finally:
        for _, process, _ in running.values():
            _stop(process)


# --- the gradebook ------------------------------------------------------------

def gradebook_row(report: dict) -> dict:
    counts = report.get("counts") or {}
    row = {
        "student": report["student"],
        "status": report["status"],
        "score": f"{report['score']:g}",
        "max_score": f"{report['max_score']:g}",
        "percent": f"{100 * report['score'] / report['max_score']:.1f}" if report["max_score"] else "0.0",
    }
    for assignment in suites.ASSIGNMENTS:
        entry = report.get("assignments", {}).get(assignment)
        row[assignment] = f"{entry['score']:g}" if entry else ""
    for status in ("passed", "failed", "error", "timeout", "missing"):
        row[status] = counts.get(status, 0)
    row["seed"] = report["seed"]
    row["message"] = report["status_message"]
    return row


def gradebook_csv(reports: list[dict]) -> str:
    rows = [gradebook_row(r) for r in sorted(reports, key=lambda r: r["student"])]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["student"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def time_limit_per_student(timeout: float) -> float:
    """A backstop only: the engine already gives up on a layer after two timeouts."""
    return 120 + 30 * timeout


def _warm_up(suite: str) -> None:
    """Import the engine, the runner and every test here, once, so each forked worker starts warm."""
    from . import engine  # noqa: F401  (numpy, the runner, the reference layers)

    maximum_scores(suite)  # imports the suites


def run_batch(
    submissions: Path,
    out: Path,
    *,
    seed: int,
    jobs: int | None = None,
    timeout: float = 10.0,
    suite: str = "all",
    progress: Callable[[dict], None] = lambda report: None,
) -> list[dict]:
    """Grade every student of ``submissions``; write ``out/gradebook.csv`` and ``out/<student>.json``."""
    students = find_students(submissions, exclude=out)
    out.mkdir(parents=True, exist_ok=True)
    _warm_up(suite)
    options = {"seed": seed, "timeout": timeout, "suite": suite}
    reports = []
    outcomes = run_isolated(students, functools.partial(grade_student, **options),
                            jobs=jobs or os.cpu_count() or 1, time_limit=time_limit_per_student(timeout))
    for student, (kind, value) in outcomes:
        report = value if kind == "done" else ungraded(student, "crashed", value, seed=seed, suite=suite)
        write_atomically(out / f"{student.name}.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        reports.append(report)
        progress(report)
    write_atomically(out / "gradebook.csv", gradebook_csv(reports))
    return sorted(reports, key=lambda r: r["student"])
