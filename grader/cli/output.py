"""Writing the report where the command was asked to, and saying so when the grader itself failed."""
from __future__ import annotations

import sys

import click

from grader.lang import _
from grader.reports.words import format_name

DEFAULT_JSON = "grade-report.json"
# What a symbol becomes on a console whose encoding lacks it (CP949 on Korean Windows has none of these)
CONSOLE_FALLBACKS = {"\u2713": "v", "\u2717": "x", "\u23f1": "T", "\u26a0": "!", "\u2022": "*", "\u2013": "-",
                     "\u2014": "-", "\u2248": "~", "\u2026": "...", "\u2500": "-", "\u2502": "|", "\u2514": "`"}


class OutputError(click.ClickException):
    """The report could not be written where asked: a usage error (exit status 2)."""

    exit_code = 2


def tolerant_console(*streams) -> None:
    """Let standard output and error print anything: what their encoding lacks falls back, never raises.

    A Korean Windows console, a pipe or an IDE there encodes CP949, which has
    no ``\u2717``; a symbol becomes its ASCII stand-in (:data:`CONSOLE_FALLBACKS`),
    any other character ``?``. Streams that already tolerate errors are left alone.
    """
    import codecs

    try:
        codecs.lookup_error("grader-console")
    except LookupError:
        codecs.register_error("grader-console", _console_fallback)
    for stream in streams or (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="grader-console")


def _console_fallback(error: UnicodeError):
    if not isinstance(error, UnicodeEncodeError):
        raise error
    lost = error.object[error.start:error.end]
    return "".join(CONSOLE_FALLBACKS.get(character, "?") for character in lost), error.end


def _write(path: str, content: str):
    from grader.reports import write_atomically

    try:
        return write_atomically(path, content)
    except OSError as error:
        raise OutputError(_("cannot write the report to {path}: {error}").format(
            path=path, error=error.strerror or error)) from None


def _emit(report: dict, fmt: str, output: str | None) -> None:
    import grader.reports as reports
    from grader.reports.markdown import append_step_summary
    from grader.reports.text import use_colour

    append_step_summary(report)  # only in GitHub Actions
    if fmt == "text":
        if output and output != "-":
            _write(output, reports.render(report, "text"))
        else:
            click.echo(reports.render(report, "text", colour=output is None and use_colour()), nl=False)
        try:
            json_path = reports.write_atomically(DEFAULT_JSON, reports.render(report, "json"))
        except OSError as error:  # the student still has the report on screen
            click.echo(_("Could not write {path} here: {error}").format(path=DEFAULT_JSON, error=error.strerror or error),
                       err=True)
        else:
            click.echo(_("JSON report written to {path}").format(path=json_path))
        return
    content = reports.render(report, fmt)
    if output == "-":
        click.echo(content, nl=False)
        return
    path = _write(output or reports.FORMATS[fmt][1], content)
    click.echo(reports.render(report, "text", colour=use_colour()), nl=False)
    click.echo(_("{format} report written to {path}").format(format=format_name(fmt), path=path))


def internal_failure(error: Exception) -> None:
    """Tell the course staff the grader itself failed (traceback on stderr); the caller exits 3."""
    import traceback

    traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    grader_failed(f"{type(error).__name__}: {error}")


def grader_failed(error: str) -> None:
    """Say on standard error that the grader itself failed, and how."""
    from grader.lang.sanitize import clean

    click.echo(_("The grader itself failed ({error}); the report holds what was graded. "
                 "Please tell the course staff.").format(error=clean(error)), err=True)


def unfinished_report(submission, seed, error: Exception) -> dict:
    """The report when grading failed before any test ran: nothing graded, and why."""
    from grader.judge.record import Report

    return Report.ungraded({}, seed=seed if seed is not None else 0, submission=submission,
                           internal_error=f"{type(error).__name__}: {error}").to_dict()


def emit_guarded(report: dict, fmt: str, output: str | None) -> bool:
    """:func:`_emit`; if rendering or writing fails anyway, the JSON report at the path asked. False then."""
    try:
        _emit(report, fmt, output)
        return True
    except click.ClickException:
        raise
    except Exception as error:
        internal_failure(error)
    import grader.reports as reports

    path = output if output and output != "-" and fmt in ("json", "text") else DEFAULT_JSON
    try:
        reports.write_atomically(path, reports.render(report, "json"))
    except Exception as error:
        internal_failure(error)
    return False
