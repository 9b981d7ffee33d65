"""The options several commands share: the course (read once per run), its assignments, the exposures allowed."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.lang import follow_the_course
from grader.lang import N_, _


class AssignmentName(click.ParamType):
    """An assignment of the course in use (known only once ``--course`` is read)."""

    name = "assignment"

    def convert(self, value, param, ctx):
        names = the_course(ctx).names
        if value not in names:
            self.fail(_("{name} is not an assignment of this course; choose from {names}").format(
                name=repr(value), names=", ".join(names)), param, ctx)
        return value


def the_course(ctx=None, *, allow_empty: bool = False):
    """The course of this run: ``--course``, else ``GRADER_COURSE`` or the built-in course (read once per run);
    one with no assignment yet only where ``allow_empty`` (``grader new-exercise``, ``grader check``)."""
    from grader.judge.course import CourseError, default_path, load

    root = (ctx or click.get_current_context()).find_root()
    if _COURSE not in root.meta:
        try:
            root.meta[_COURSE] = load(default_path(), allow_empty=True)
        except CourseError as error:
            raise click.UsageError(str(error)) from None
    course = root.meta[_COURSE]
    if not course.assignments and not allow_empty:
        raise click.UsageError(_("{file}: no [[assignment]] entries").format(file=course.file))
    return course


_COURSE = "grader.course"


def _use_course(ctx, param, value):
    import grader.lang as lang
    from grader.judge.course import CourseError, load

    if value is not None:
        try:
            course = ctx.find_root().meta[_COURSE] = load(value, allow_empty=True)
        except CourseError as error:
            raise click.BadParameter(str(error), ctx, param) from None
        lang.set_course_language(course.language, course.locale)
        follow_the_course(ctx)
    return value


def course_option(function):
    return click.option("--course", type=click.Path(exists=True, path_type=Path), is_eager=True, expose_value=False,
                        callback=_use_course, envvar="GRADER_COURSE",
                        help=N_("The course folder (or its course.toml) [default: the built-in course]."))(function)


EXPOSURE_KINDS = ("course", "classmates", "output", "installation", "temporary")  # grader/sandbox/exposure.py


def exposure_option(function):
    return click.option("--allow-exposure", "allowed", multiple=True, type=click.Choice(EXPOSURE_KINDS),
                        metavar="KIND",
                        help=N_("Grade even though student code could reach this on this machine (course, "
                                "classmates, output, installation, temporary); repeat for several. Without "
                                "it, a machine that cannot keep student code from them is refused."))(function)


def exposure_refusal(submissions: Path | None, out: Path | None, allowed) -> tuple[str, str]:
    """Probe what student code could reach here: ``(why grading is refused, or "", the sandbox's measures)``."""
    from grader.sandbox.exposure import probe_machine, refusal

    exposures, isolation = probe_machine(the_course().root, submissions=submissions, output=out)
    return refusal(exposures, set(allowed)), isolation


def refuse_exposed_machine(submissions: Path | None, out: Path | None, allowed) -> str:
    """Probe what student code could reach here; exit 2 with the reason unless every exposure is allowed."""
    refused, isolation = exposure_refusal(submissions, out, allowed)
    if refused:
        click.echo(refused, err=True)
        sys.exit(2)
    return isolation


def assignment_option(function):
    return click.option("--assignment", "-a", "assignments", multiple=True, type=AssignmentName(),
                        metavar="NAME",
                        help=N_("Only this assignment (repeat for several); scores are out of those chosen."))(function)
