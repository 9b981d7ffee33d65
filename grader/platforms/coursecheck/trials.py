"""The course check's gradings: the solutions on many seeds (full marks), the released stubs (no points).

A test that fails the solutions disagrees with them: its reference, its
expected values or the solution is wrong, and every student would pay for
it. A test that gives points to a stub (whose every answer raises
``NotImplementedError``) gives them for nothing, typically by checking only
what ``forward`` returns.
"""
from __future__ import annotations

import tempfile
import types
from contextlib import contextmanager
from pathlib import Path

import grader.judge.engine as engine
import grader.judge.suites as suites
from grader.judge.context import Grading
from grader.judge.record import TestResult
from grader.platforms.coursecheck.structure import problem
from grader.platforms.release.stubs import MarkerError, make_stub
from grader.sandbox import make_runner
from grader.submission import load_submission

PACKAGE = suites.COURSE_PACKAGE + "."


@contextmanager
def runner_for(folder: Path, grading: Grading):
    """A runner with the submission in ``folder`` loaded, as ``grade`` would make it."""
    submission = load_submission(folder, grading.layout, grading.assignments)
    with make_runner(submission.files, classes=submission.classes, **grading.runner_options()) as runner:
        yield runner


UNSETTLED = ("crash", "timeout", "grader_error")  # what a loaded machine can cause: run the test again
RETRIES = 2


def run(checks: list[suites.Check], runner, seed: int) -> list[TestResult]:
    """Each test's result; a test that crashed, ran out of time or failed in the grader runs again (twice at
    most), so a busy machine does not refuse a good course (code that always crashes still does)."""
    results = []
    for check in checks:
        result = engine.run_check(check, runner, seed)
        for _again in range(RETRIES):
            if result.diagnosis is None or result.diagnosis.code not in UNSETTLED:
                break
            result = engine.run_check(check, runner, seed)
        results.append(result)
    return results


def solutions(checks: list[suites.Check], runner, seeds: list[int]) -> tuple[list[dict], dict]:
    """Every test on every seed against the solutions: the problems (a test's first failing seed) and a summary."""
    failing: dict[str, dict] = {}
    for seed in seeds:
        for check, result in zip(checks, run(checks, runner, seed)):
            if result.status != "passed":
                failing[check.name] = problem(
                    "solution", test=check.name, name=check.layer, seed=seed, status=result.status,
                    message=_author_message(result), array=result.diagnosis.array if result.diagnosis else "",
                    references=references(check))
        checks = [c for c in checks if c.name not in failing]
    return list(failing.values()), {"seeds": len(seeds), "failed": sorted(failing)}


def _author_message(result: TestResult) -> str:
    """What the test said, with the test's own error where the grader failed in it (the author's to read)."""
    error = result.diagnosis.params.get("error") if result.diagnosis and result.diagnosis.code == "grader_error" else ""
    return f"{result.message} ({error})" if error else result.message


def stubs(course, checks: list[suites.Check], grading: Grading, seed: int) -> tuple[list[dict], dict]:
    """The released stubs graded: every test that gives them points is a problem."""
    with tempfile.TemporaryDirectory(prefix="grader-check-stubs-") as scratch:
        found = []
        for assignment in course.assignments:
            path = course.solutions / assignment.module
            try:
                stub = make_stub(path.read_text(encoding="utf-8"), filename=f"solutions/{assignment.module}")
            except (MarkerError, OSError, UnicodeDecodeError) as error:
                found.append(problem("stub", assignment=assignment.name, error=str(error)))
                continue
            (Path(scratch) / assignment.module).write_text(stub, encoding="utf-8")
        if found:
            return found, {"graded": False}
        with runner_for(Path(scratch), grading) as runner:
            results = run(checks, runner, seed)
    free = [(check, result) for check, result in zip(checks, results) if result.score > 0]
    found = [problem("stub_points", test=check.name, name=check.layer, kind=check.kind, points=result.score)
             for check, result in free]
    return found, {"graded": True, "tests": len(results), "free": [check.name for check, _ in free]}


def references(check: suites.Check) -> list[str]:
    """The course's functions a test calls to compute what it expects (``reference.batch_normalization``),
    read from its code: those of a module named ``reference`` if it uses any, else every one it uses."""
    found: dict[str, None] = {}
    _walk(check.func, found, depth=3)
    chosen = [name for name in found if name.split(".")[0] == "reference"] or list(found)
    return sorted(chosen)


def _walk(func, found: dict, depth: int) -> None:
    """Note the course functions ``func`` uses (by name, or as ``module.name``), and those they use."""
    names = _names(func.__code__)
    for name in names:
        value = func.__globals__.get(name)
        if isinstance(value, types.ModuleType) and value.__name__.startswith(PACKAGE):
            for member in names:
                _note(getattr(value, member, None), found, depth)
        else:
            _note(value, found, depth)


def _note(value, found: dict, depth: int) -> None:
    if not isinstance(value, types.FunctionType) or not value.__module__.startswith(PACKAGE):
        return
    module = value.__module__[len(PACKAGE):]
    key = f"{module}.{value.__name__}"
    if key in found:
        return
    if not module.startswith("tests."):
        found[key] = None
    if depth:
        _walk(value, found, depth - 1)


def _names(code: types.CodeType) -> set[str]:
    """The global and attribute names a function's code (its lambdas and inner functions too) uses."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names
