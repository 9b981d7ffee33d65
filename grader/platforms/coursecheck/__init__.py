"""``grader check``: a course proves itself before any of it reaches a student.

The check of a course, with this grader, proves:

- its layout: every file the course file names is there, the suites load,
  every graded name has tests and they add up to its points
  (:mod:`~grader.platforms.coursecheck.structure`);
- its solutions score full marks on ``seeds`` seeds (20; drawn from the
  course's digest, so the check is the same every time): a reference, an
  expected value or a test that disagrees with them is named, with the
  reference functions the test uses, before it fails a class
  (:mod:`~grader.platforms.coursecheck.trials`);
- its released stubs score 0 on every test: a test that gives points for
  nothing is named;
- mutation analysis: every mistake of the diagnosis vocabulary that applies
  to a graded name loses points and is diagnosed as itself, and each of the
  course's own mutants loses points on its own name only
  (:mod:`~grader.platforms.coursecheck.mistakes`).

The result is a :class:`~grader.platforms.coursecheck.certificates.Certificate`,
kept in the per-user cache. ``grader release``, ``grader bundle`` and ``grader
batch`` call :func:`ensure_checked`: a valid certificate passes (or refuses,
with the same message every time); without one, a course with ``solutions/``
is checked once and its certificate kept, so a course costs its check once
per course and grader build.
"""
from __future__ import annotations

import sys
import time

from grader.judge.context import Grading
from grader.judge.course import Course
from grader.judge.memo import remembering
from grader.lang import _
from grader.platforms.coursecheck import certificates, mistakes, structure, trials
from grader.platforms.coursecheck.certificates import Certificate
from grader.platforms.coursecheck.words import describe, refusal, table

DEFAULT_SEEDS = 20

__all__ = ["Certificate", "CourseRefused", "DEFAULT_SEEDS", "check_course", "describe", "ensure_checked", "refusal",
           "table"]


class CourseRefused(Exception):
    """The course failed its check (or cannot be checked); the message is the same for every command."""


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def check_course(course: Course, *, seeds: int = DEFAULT_SEEDS, say=_to_stderr) -> Certificate:
    """Check ``course`` (see the module docstring), keep the certificate in the cache and return it."""
    started = time.perf_counter()
    digest = certificates.course_digest(course)
    chosen = certificates.seeds(digest, seeds)
    problems, checks = structure.examine(course)
    results: dict = {"tests": len(checks), "points": course.max_score}
    rows: list[dict] = []
    if not problems:
        problems, found, rows = _graded(course, checks, chosen, say)
        results.update(found)
    certificate = Certificate(course.title, digest, certificates.grader_digest(), chosen, problems, rows, results,
                              round(time.perf_counter() - started, 2))
    certificates.keep(certificate)
    return certificate


def _graded(course: Course, checks, seeds: list[int], say) -> tuple[list[dict], dict, list[dict]]:
    grading = Grading(course, seed=seeds[0])
    with grading.speaking(), remembering():
        say(_("Grading the solutions with {count} seeds...").format(count=len(seeds)))
        with trials.runner_for(course.solutions, grading) as runner:
            failed, solved = trials.solutions(checks, runner, seeds)
            wrong_names = {p["name"] for p in failed}
            names = [name for a in course.assignments for name in a.graded if name not in wrong_names]
            say(_("Grading the released stubs, then the mistakes of the diagnoses and the course's mutants..."))
            passing = [c for c in checks if c.name not in solved["failed"]]
            missed, generated = mistakes.generated(course, passing, runner, seeds[0], names)
        free, stubbed = trials.stubs(course, checks, grading, seeds[0])
        slipped, own = mistakes.course_mutants(course, passing, grading, seeds[0])
    results = {"solutions": solved, "stubs": stubbed, "mistakes": generated, "mutants": own}
    return failed + free + missed + slipped, results, _rows(course, generated, own)


def _rows(course: Course, generated: dict, own: list[dict]) -> list[dict]:
    rows = []
    for assignment in course.assignments:
        for name in assignment.graded:
            made = generated.get(name, {}).values()
            mine = [m for m in own if m["name"] == name]
            rows.append({"exercise": assignment.name, "name": name,
                         "generated": [len(made), sum(bool(m["caught"]) for m in made), sum(m["right"] for m in made)],
                         "own": [len(mine), sum(bool(m["caught"]) for m in mine), sum(m["right"] for m in mine)]})
    return rows


def ensure_checked(course: Course, *, say=_to_stderr) -> Certificate:
    """The course's valid certificate, made now if there is none and the course has its solutions;
    :class:`CourseRefused` if the course failed its check or cannot be checked here."""
    found = _checked.get(certificates.course_digest(course)) or certificates.find(course)
    if found is None:
        if not course.solutions.is_dir():
            raise CourseRefused(_("The course \"{title}\" has no certificate for this grader and no solutions/ to "
                                  "check it with: run `grader check` and build it again where its solutions are "
                                  "({file}).").format(title=_(course.title), file=course.file))
        say(_("Checking the course before anything of it reaches a student (once per course and grader build)..."))
        found = check_course(course, say=say)
        if found.passed:
            say(_("The course passed its check in {seconds} s.").format(seconds=f"{found.seconds:g}"))
    _checked[found.course_digest] = found  # the cache may be read-only: once per process in any case
    if not found.passed:
        raise CourseRefused(refusal(found.course_title, found.problems))
    return found


_checked: dict[str, Certificate] = {}
