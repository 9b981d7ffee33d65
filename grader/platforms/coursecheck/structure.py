"""What the course check proves before running anything: the files are there, the suites load, the points add up.

Each finding is a problem as data, ``{"code": ..., fields}``, worded by
:mod:`grader.platforms.coursecheck.words` in the reader's language.
"""
from __future__ import annotations

import traceback
from pathlib import Path

import grader.judge.mutants as mutants
import grader.judge.suites as suites
from grader.judge.course import VISIBILITIES, Course
from grader.judge.diagnoses import CODES, STATUS_CODES


def problem(code: str, **fields) -> dict:
    return {"code": code, **fields}


def examine(course: Course) -> tuple[list[dict], list[suites.Check]]:
    """The problems of the course's layout and suites, and its tests (when the suites load)."""
    if not course.assignments:
        return [problem("no_assignments", file=_shown(course, course.file))], []
    found = _missing_files(course) + _unknown_hint_codes(course) + _mutant_folders(course)
    checks = []
    for visibility in course.visibilities():
        try:
            checks += suites.collect(course, (visibility,), points=False)
        except Exception as error:  # a course's code: any error it makes is the author's to read
            found.append(problem("suite", visibility=visibility, error=_error_line(error, course.root)))
    if not any(p["code"] == "suite" for p in found):
        found += _points(course, checks)
    return found, checks


def _shown(course: Course, path: Path) -> str:
    try:
        return path.relative_to(course.root.parent).as_posix()
    except ValueError:
        return str(path)


def _missing_files(course: Course) -> list[dict]:
    if not course.solutions.is_dir():
        return [problem("no_solutions", folder=_shown(course, course.solutions))]
    found = []
    for assignment in course.assignments:
        needed = [course.solutions / assignment.module, course.solutions / f"{assignment.name}.md"]
        for path in needed:
            if not path.is_file():
                found.append(problem("missing_file", file=_shown(course, path), assignment=assignment.name))
        if not any(course.suite_file(v, assignment.name).is_file() for v in VISIBILITIES):
            found.append(problem("missing_file", file=_shown(course, course.suite_file("public", assignment.name)),
                                 assignment=assignment.name))
    return found


def _unknown_hint_codes(course: Course) -> list[dict]:
    hinted = set(CODES) - set(STATUS_CODES)
    return [problem("hints_off", assignment=a.name, diagnosis=code, file=_shown(course, course.file))
            for a in course.assignments for code in a.hints_off if code not in hinted]


def _mutant_folders(course: Course) -> list[dict]:
    graded = {name for a in course.assignments for name in a.graded}
    names = sorted({m.name for m in mutants.find(course.root)} - graded)
    return [problem("mutant_folder", folder=f"{mutants.FOLDER}/{name}") for name in names]


def _points(course: Course, checks: list[suites.Check]) -> list[dict]:
    found = []
    for assignment in course.assignments:
        for name, points in assignment.points.items():
            mine = [c for c in checks if c.assignment == assignment.name and c.layer == name]
            total = round(sum(c.points for c in mine), 6)
            if not mine:
                found.append(problem("untested", assignment=assignment.name, name=name,
                                     file=_shown(course, course.file)))
            elif total != points:
                by_suite = {v: round(sum(c.points for c in mine if c.visibility == v), 6) for v in VISIBILITIES}
                found.append(problem("points", assignment=assignment.name, name=name, points=points, total=total,
                                     public=by_suite["public"], hidden=by_suite["hidden"],
                                     file=_shown(course, course.file)))
    return found


def _error_line(error: BaseException, root: Path) -> str:
    """The error, with the course file and line it comes from when the traceback reaches the course."""
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename).resolve().is_relative_to(root):
            where = f"{_relative(frame.filename, root)}:{frame.lineno}: "
    if isinstance(error, SyntaxError) and error.filename:
        where = f"{_relative(error.filename, root)}:{error.lineno}: "
    return where + traceback.format_exception_only(type(error), error)[-1].strip()


def _relative(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    return path.relative_to(root.parent).as_posix() if path.is_relative_to(root.parent) else filename
