"""The judge's main loop: run every selected test against one submission.

Each test runs its function in this process; the function reaches the
student's objects only through the runner, so every verdict, tolerance and
score stays here. Any way a test can end is turned into a status and a
message; nothing a submission does can stop the loop.
"""
from __future__ import annotations

import sys
import time
import traceback
import zlib
from pathlib import Path

import numpy as np

import grader.judge.course as courses
from grader.judge.context import DEFAULT_TIME_BUDGET, DEFAULT_TIMEOUT, Grading, draw_seed
from grader.judge.course import Course
import grader.judge.diagnoses as diagnoses
import grader.judge.suites as suites
from grader.judge.gradcheck import Mismatch
from grader.judge.record import Report, TestResult
from grader.lang import N_, _, ngettext
from grader.lang.sanitize import clean_data
import grader.sandbox.exposure as exposure
from grader.sandbox.errors import MissingCode, NotReached, RunnerStartError, StudentCodeError, StudentCrash, StudentException, StudentTimeout
from grader.sandbox import make_runner
from grader.submission import Submission, load_submission

TIMEOUTS_BEFORE_GIVING_UP = 2  # per layer: bounds the time a hanging layer can cost
FORWARD_RUNS_ALLOWED = 2  # a backward may run its layer's forward this often on the same input (to recompute)
OUTPUT_SHOWN = 2000


def test_rng(seed: int, name: str) -> np.random.Generator:
    """Each test's own random stream: same seed, same cases, whatever else is selected."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _student_message(check: suites.Check, error: StudentCodeError) -> tuple[str, str]:
    if isinstance(error, StudentException) and error.not_implemented:
        todo = _(error.message) if error.message else ""  # an English stub's TODO, in the report's language
        if todo.startswith(f"{check.layer}.") and ": " in todo:
            todo = todo.split(": ", 1)[1]  # the stub names the layer; the report already does
        if todo:
            return "failed", _("not implemented yet. TODO: {todo}").format(todo=todo)
        return "failed", _("not implemented yet.")
    message = error.message
    if isinstance(error, StudentException) and error.traceback:
        message = f"{message}\n{error.traceback}"
    return error.status, message


def run_check(check: suites.Check, runner, seed: int, until: float | None = None) -> TestResult:
    """Run one test and return its result (an entry of "tests" in the JSON report).

    ``until`` (a ``time.monotonic()`` value) is when the submission's time budget runs out.
    """
    status, message, output = "passed", "", ""
    diagnosis, arrays = None, None
    started = time.perf_counter()
    runner.begin_test(until)
    try:
        with diagnoses.observing(), diagnoses.silencing(check.hints_off):
            check.func(suites.StudentModule(runner, check.assignment), test_rng(seed, check.name), **check.params)
            runner.settle()  # an object the test created but never used must still have been created
    except Mismatch as failure:
        status, message = "failed", str(failure)
        diagnosis = failure.diagnosis or diagnoses.Diagnosis("wrong_values")
        arrays = failure.arrays
    except StudentCodeError as error:
        status, message = _student_message(check, error)
        output = error.output
        diagnosis = _error_diagnosis(check, error)
    except RunnerStartError as error:  # the grading machine, not the student
        status, message = "error", _("the grader could not run your code on this machine: {error}").format(
            error=error)
        diagnosis = _grader_error(error)
    except Exception as error:  # a bug in a test, never the student's fault: say so plainly
        status = "error"
        message = _("the grader itself failed on this test; please report it to the course staff.")
        diagnosis = _grader_error(error)
        print(f"internal error in {check.name}:\n{traceback.format_exc()}", file=sys.stderr)
    finally:
        output = output or runner.end_test()
    numerical = numerical_backward(check.layer, runner.forward_runs())
    if numerical is not None and status in ("passed", "failed"):  # the exercise is the analytic gradient
        status, message, diagnosis, arrays = "failed", diagnoses.render(numerical), numerical, None
    output = output[-OUTPUT_SHOWN:] if output else ""
    if diagnosis is not None and diagnosis.code in check.hints_off:  # the report says why no hint is shown
        diagnosis.params[diagnoses.HINT_OFF] = True
    return TestResult.of(check, status, message, output=output, seconds=time.perf_counter() - started,
                         diagnosis=diagnosis, arrays=arrays)


def _grader_error(error: Exception) -> diagnoses.Diagnosis:
    """The diagnosis of a test the grader itself failed on; ``error`` names the exception, for the staff."""
    return diagnoses.Diagnosis("grader_error", "", {"error": _exception_line(error)})


def _exception_line(error: BaseException) -> str:
    return traceback.format_exception_only(type(error), error)[-1].strip()


def internal_errors(results: list[TestResult]) -> str:
    """What the grader itself failed on in ``results`` ("" if nothing): the first error and how many tests."""
    failed = [r for r in results
              if r.diagnosis and r.diagnosis.code == "grader_error" and "error" in r.diagnosis.params]
    if not failed:
        return ""
    error, test, others = failed[0].diagnosis.params["error"], failed[0].name, len(failed) - 1
    if not others:
        return _("{error} (in test {test})").format(error=error, test=test)
    return ngettext("{error} (in test {test} and {count} other test)",
                    "{error} (in test {test} and {count} other tests)", others).format(error=error, test=test,
                                                                                       count=others)


def numerical_backward(layer: str, runs: list) -> diagnoses.Diagnosis | None:
    """``finite_difference`` if a backward of ``layer`` ran its forward on a changed input, or too often.

    ``runs`` are the test's backward calls during which the layer's forward
    ran (``runner.forward_runs()``): the student's process counted, the judge
    decides. Then the test gives no points, whatever it returned.
    """
    found = [r for r in runs if r.layer == layer and (r.changed or r.runs > FORWARD_RUNS_ALLOWED)]
    if not found:
        return None
    worst = max(found, key=lambda r: (r.changed, r.runs))
    return diagnoses.Diagnosis("finite_difference", "", {"layer": layer, "runs": worst.runs, "changed": worst.changed})


def _error_diagnosis(check: suites.Check, error: StudentCodeError) -> diagnoses.Diagnosis:
    """The diagnosis of a test that ended in the student's code rather than in a comparison."""
    if isinstance(error, StudentException) and error.not_implemented:
        return diagnoses.Diagnosis("not_implemented", "", {"layer": check.layer})
    if isinstance(error, StudentTimeout):
        return diagnoses.Diagnosis("timeout")
    if getattr(error, "during_import", False):
        return diagnoses.Diagnosis("import", "", {"type": getattr(error, "type_name", "")})
    if isinstance(error, MissingCode):
        return diagnoses.Diagnosis("missing", "", {"layer": check.layer})
    if isinstance(error, NotReached):
        return diagnoses.Diagnosis("not_reached", "", {"layer": check.layer, "line": error.place["line"],
                                                       "stopped_at": error.stopped_line})
    if isinstance(error, StudentCrash):
        return diagnoses.Diagnosis("crash")
    if isinstance(error, StudentException):
        return diagnoses.Diagnosis("exception", "", {"type": error.type_name})
    return diagnoses.Diagnosis("bad_reply")


def grade(submission: Submission, grading: Grading, checks: list[suites.Check] | None = None, progress=None) -> dict:
    """Grade a loaded submission with ``checks`` (default: the grading's); return the JSON report as a dict
    (a :class:`grader.judge.record.Report`'s ``to_dict()``, every string cleaned).

    ``progress(check, number, total)`` is called before each test. Ctrl+C
    stops grading: the report still comes back, with ``"interrupted": true``
    and the tests not run marked so. Once the grading's time budget is spent,
    the remaining tests are ``timeout``. If the grader itself fails, on one
    test or on the whole run, the report keeps what was graded, the tests it
    failed on are ``error`` and ``internal_error`` says what failed (the
    command line then exits 3).
    """
    with grading.speaking():
        checks = grading.checks() if checks is None else checks
        return _grade(submission, grading, checks, progress)


def _grade(submission: Submission, grading: Grading, checks: list[suites.Check], progress) -> dict:
    started, seed, course = time.perf_counter(), grading.seed, grading.course
    try:
        runner = make_runner(submission.files, classes=submission.classes, **grading.runner_options())
    except RunnerStartError as error:
        message = _("the grader could not run your code on this machine: {error}").format(error=error)
        results = [TestResult.of(check, "error", message, diagnosis=_grader_error(error)) for check in checks]
        report = Report.graded(results, course, seed=seed, submission=submission,
                               duration=time.perf_counter() - started)
        report.internal_error = _exception_line(error)
        return clean_data(report.to_dict())
    results: list[TestResult] = []
    isolation, failure, interrupted = "", "", False
    try:
        with runner:
            exposed = exposure.describe(exposure.probe(runner, course.root))
            interrupted = _run_all(checks, submission, runner, seed, progress, results, grading.time_budget)
            isolation = "; ".join(part for part in (runner.isolation, exposed) if part)
    except Exception:  # a bug in the grader: keep what was graded, say the rest was not
        failure = traceback.format_exc()
        print(f"internal error while grading:\n{failure}", file=sys.stderr)
        graded = {r.name for r in results}
        message = _("not run: the grader itself failed; please report it to the course staff.")
        results += [TestResult.of(check, "error", message) for check in checks if check.name not in graded]
    report = Report.graded(results, course, seed=seed, submission=submission, isolation=isolation,
                           duration=time.perf_counter() - started)
    try:
        report.locate(runner.located, submission.classes, runner.notes)
    except Exception:  # where each class came from is a courtesy; the grades stand without it
        failure = failure or traceback.format_exc()
    report.interrupted = interrupted
    # the command line exits 3, and the batch's gradebook says grader_error
    report.internal_error = failure.strip().splitlines()[-1] if failure else internal_errors(results)
    return clean_data(report.to_dict())


INTERRUPTED = N_("not run: grading was interrupted (Ctrl+C)")


def _run_all(checks: list[suites.Check], submission: Submission, runner, seed: int, progress,
             results: list[TestResult], time_budget: float | None = None) -> bool:
    """Append every test's result to ``results`` (kept if the grader itself fails half-way). On Ctrl+C the
    tests not finished get a result saying so, grading stops, and this returns True (interrupted)."""
    try:
        _run_each(checks, submission, runner, seed, progress, results, time_budget)
    except KeyboardInterrupt:
        results += [TestResult.of(check, "error", _(INTERRUPTED)) for check in checks[len(results):]]
        return True
    return False


def _run_each(checks, submission, runner, seed, progress, results, time_budget=None) -> None:
    timeouts: dict[str, int] = {}
    until = time.monotonic() + time_budget if time_budget else None
    for number, check in enumerate(checks, start=1):
        if progress is not None:
            progress(check, number, len(checks))
        if check.assignment not in submission.sources and check.layer not in submission.classes:
            missing = _("no {module} or {notebook} in the submission, and no file in it defines {name}").format(
                module=f"{check.assignment}.py", notebook=f"{check.assignment}.ipynb", name=check.layer)
            results.append(TestResult.of(check, "missing", missing))
        elif timeouts.get(check.layer, 0) >= TIMEOUTS_BEFORE_GIVING_UP:
            given_up = _("not run: {layer} already ran out of time {count} times").format(
                layer=check.layer, count=TIMEOUTS_BEFORE_GIVING_UP)
            results.append(TestResult.of(check, "timeout", given_up))
        elif until is not None and time.monotonic() >= until:
            spent = _("not run: the time budget for the whole submission ({seconds} s) was spent; "
                      "look for slow code (loops over every entry) in the earlier tests").format(
                seconds=f"{time_budget:g}")
            results.append(TestResult.of(check, "timeout", spent))
        else:
            result = run_check(check, runner, seed, until)
            if result.status == "timeout":
                timeouts[check.layer] = timeouts.get(check.layer, 0) + 1
            results.append(result)


def grade_submission(
    path,
    *,
    course: Course | None = None,
    assignments=None,
    suite: str = "all",
    seed: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    in_process: bool | None = None,
    time_budget: float | None = DEFAULT_TIME_BUDGET,
    progress=None,
) -> dict:
    """Grade the submission at ``path`` (folder or module file) in ``course`` (default: the default course);
    ``suite`` is "public" or "all"; ``assignments`` narrows to some of the course's assignments."""
    grading = Grading(course or courses.default(), seed=draw_seed() if seed is None else seed, suite=suite,
                      assignments=assignments, timeout=timeout, time_budget=time_budget, in_process=in_process)
    return grade_path(path, grading, progress)


def grade_path(path, grading: Grading, progress=None) -> dict:
    """Read the submission at ``path`` and grade it as ``grading`` says."""
    with grading.speaking():
        submission = load_submission(Path(path), grading.layout, grading.assignments)
        # one file: grade the assignments whose names it defines
        return grade(submission, grading, grading.checks(submission.assignments or None), progress)
