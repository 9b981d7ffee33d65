"""The terminal report: a table per assignment, every failure explained, the total last.

Lines are wrapped to the terminal's width (``COLUMNS`` or the terminal's
size, else 100) at spaces only, counting a Hangul letter as two columns, and
a wrapped line continues indented under its first line.
"""
from __future__ import annotations

import os
import shutil
import sys

from grader.judge.record import Report
from grader.lang import _, either
from grader.lang.wrapping import display_width, wrap_block
from grader.reports.shared import SYMBOLS, Group, by_assignment, fraction, graded_from, percentage, points
import grader.reports.words as words

COLOURS = {"passed": "32", "failed": "31", "error": "31", "timeout": "33", "missing": "33"}
DEFAULT_WIDTH = 100
MESSAGE_INDENT = "      "


def use_colour(stream=None) -> bool:
    """Colour only on a real terminal, and never when NO_COLOR is set (https://no-color.org)."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def terminal_width() -> int:
    return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def _mark(status: str, colour: bool) -> str:
    return _paint(SYMBOLS[status], COLOURS[status], colour)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _missing_summary(group: Group) -> str:
    """One line for an assignment none of whose tests could run, instead of one line per test."""
    messages = list(dict.fromkeys(t.message for t in group.tests))
    if len(messages) == 1:
        return messages[0]
    names = either(dict.fromkeys(t.layer for t in group.tests))
    return _("no {module} or {notebook} in the submission, and no file in it defines {name}").format(
        module=f"{group.name}.py", notebook=f"{group.name}.ipynb", name=names)


def render(report: Report | dict, colour: bool = False, width: int | None = None, **options) -> str:
    report, width = Report.read(report), width or terminal_width()
    lines = []
    name_width = max((display_width(t.short_name) for t in report.tests), default=20)
    for group in by_assignment(report):
        lines += _assignment_lines(group, colour, width, name_width)
    lines.append("")
    # after the results, which a student looks for first
    lines += [wrap_block(_("note: {note}").format(note=note), width, continuation="      ") for note in report.notes]
    total_line = _("Total: {score}/{max_score} ({percent}%)").format(
        score=points(report.score), max_score=points(report.max_score), percent=percentage(report))
    tail = "   ".join(part for part in (words.tally(report.counts), _("seed {seed}").format(seed=report.seed))
                      if part)
    lines.append(_paint(total_line, "1", colour) + "   " + tail)
    return "\n".join(lines) + "\n"


def _assignment_lines(group: Group, colour: bool, width: int, name_width: int) -> list[str]:
    """An assignment's heading, then a line per test with its message (or one line if none could run)."""
    source = group.file or _("{file} (not found)").format(file=f"{group.name}.py")
    lines = ["", _paint(f"{group.name}  ({source})", "1", colour) + f"  {fraction(group.score, group.max_score)}"]
    origin = graded_from(group.summary)
    if origin:
        lines.append(wrap_block(_("graded from {places}").format(places=origin), width, "  "))
    if len(group.tests) > 1 and group.all_missing:
        return lines + [wrap_block(f"{_mark('missing', colour)} {_missing_summary(group)}", width, "  ", "    ")]
    first_with_message: dict[str, str] = {}
    for test in group.tests:
        hidden = "  [" + words.visibility("hidden") + "]" if test.visibility == "hidden" else ""
        score = f"{points(test.score):>4}/{points(test.max_score)}"
        lines.append(f"  {_mark(test.status, colour)} {_pad(test.short_name, name_width)}  {score}{hidden}")
        if not test.passed and test.message:
            earlier = first_with_message.setdefault(test.message, test.short_name)
            same = _("(same message as {test})").format(test=earlier)
            lines.append(wrap_block(test.message if earlier == test.short_name else same, width, MESSAGE_INDENT))
        if not test.passed and test.output:
            lines.append(MESSAGE_INDENT + _("your code printed:"))
            lines.extend(MESSAGE_INDENT + "| " + line for line in test.output.rstrip().splitlines())
    return lines
