"""``grader check`` as a command: run the check (or verify a shipped certificate) and print what it proved."""
from __future__ import annotations

from grader.judge.course import Course
from grader.lang import _
from grader.platforms.coursecheck import check_course, certificates
from grader.platforms.coursecheck.certificates import Certificate
from grader.platforms.coursecheck.words import describe, refusal, table


def run_check(course: Course, seeds: int, echo) -> int:
    """Check ``course`` with ``seeds`` seeds (a copy without solutions that carries a certificate: verify it) and print the
    result with ``echo(text, err=False)``; the exit status: 0 passed, 2 refused."""
    if course.solutions.is_dir() or not (course.root / certificates.SHIPPED).is_file():
        found = check_course(course, seeds=seeds, say=lambda text: echo(text, err=True))
    else:
        found = certificates.find(course)
        if found is None:
            echo(_("The course \"{title}\" has no solutions/ to check and carries no certificate valid for it and "
                   "this grader: build it again where its solutions are.").format(title=_(course.title)), err=True)
            return 2
        echo(_("This copy of the course has no solutions/: its certificate was verified (it is for this course "
               "and this grader)."))
    echo(summary(course, found))
    if not found.passed:
        echo(refusal(found.course_title, found.problems), err=True)
        return 2
    return 0


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def summary(course: Course, found: Certificate) -> str:
    """What the check proved, the mutation table and the problems, for the terminal."""
    codes = {p["code"] for p in found.problems}
    results = found.results
    lines = [_("Course check of \"{title}\" ({file}), with {count} seeds drawn from its digest {digest}:").format(
        title=_(found.course_title), file=course.file, count=len(found.seeds), digest=found.course_digest[:12])]
    if "solutions" in results:
        stubs = results.get("stubs", {})
        lines += [
            f"  {_mark(True)} " + _("{tests} tests worth {points} points; every graded name is tested and its "
                                    "tests add up to its points").format(tests=results["tests"],
                                                                         points=f"{results['points']:g}"),
            f"  {_mark('solution' not in codes)} " + _("the solutions score full marks with every seed"),
            f"  {_mark(not codes & {'stub', 'stub_points'})} " + _(
                "the released stubs score no points on any of {tests} tests").format(
                tests=stubs.get("tests", results["tests"])),
            f"  {_mark(not codes & {'uncaught', 'misdiagnosed', 'mistake_crashed'} and not any(c.startswith('mutant') for c in codes))} "
            + _("mutation analysis: the mistakes of the diagnoses made on the solutions, and the course's own "
                "mutants (mutants/):"),
            "",
            "\n".join("    " + line for line in table(found.table).splitlines()),
            "",
        ]
    if found.problems:
        lines.append(_("Problems:"))
        lines += [f"  ✗ {describe(p)}" for p in found.problems]
    lines.append(_("Certificate: {path}").format(path=certificates.cached_path(found.course_digest)))
    if found.passed:
        lines.append(_("The course passed its check ({seconds} s): it may reach students.").format(
            seconds=f"{found.seconds:g}"))
    return "\n".join(lines)
