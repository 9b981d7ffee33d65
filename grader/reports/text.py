"""The terminal report: a table per assignment, every failure explained, the total last.

Lines are wrapped to the terminal's width (``COLUMNS`` or the terminal's
size, else 100) at spaces only, counting a Hangul letter as two columns, and
a wrapped line continues indented under its first line.
"""
from __future__ import annotations

import os
import shutil
import sys

from grader.lang import _
from grader.judge.scoring import percent
from grader.lang.wrapping import display_width, wrap_block
import grader.reports.words as words

SYMBOLS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "missing": "?"}
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


def _points(value: float) -> str:
    return f"{value:g}"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def where(place: dict) -> str:
    """``ch05.ipynb cell 4 (In [4])`` or ``layers.py``: a class's source as the student knows it."""
    text = str(place.get("file", "?"))
    if place.get("cell") is not None:
        text = _("{file} cell {cell}").format(file=text, cell=place["cell"])
        if place.get("count") is not None:
            text += f" (In [{place['count']}])"
    return text


def graded_from(summary: dict) -> str:
    """Where the assignment's classes came from, when that is not simply its module file."""
    sources = summary.get("sources") or {}
    places = {name: where(place) for name, place in sources.items()}
    if not places or set(places.values()) <= {summary.get("file")}:
        return ""
    return "; ".join(f"{name}: {place}" for name, place in places.items())


def _missing_summary(assignment: str, tests: list[dict]) -> str:
    """One line for an assignment none of whose tests could run, instead of one line per test."""
    messages = list(dict.fromkeys(t["message"] for t in tests))
    if len(messages) == 1:
        return messages[0]
    names = " or ".join(dict.fromkeys(t["layer"] for t in tests))
    return _("no {module} or {notebook} in the submission, and no file in it defines {name}").format(
        module=f"{assignment}.py", notebook=f"{assignment}.ipynb", name=names)


def render(report: dict, colour: bool = False, width: int | None = None, **options) -> str:
    width = width or terminal_width()
    lines = []
    for note in report.get("notes", []):
        lines.append(wrap_block(_("note: {note}").format(note=note), width, continuation="      "))
    by_assignment: dict[str, list] = {}
    for test in report["tests"]:
        by_assignment.setdefault(test["assignment"], []).append(test)
    name_width = max((display_width(t["name"].split("/", 1)[1]) for t in report["tests"]), default=20)
    for assignment, tests in by_assignment.items():
        summary = report.get("assignments", {}).get(assignment, {})
        source = summary.get("file") or _("{file} (not found)").format(file=f"{assignment}.py")
        score = sum(t["score"] for t in tests)
        total = sum(t["max_score"] for t in tests)
        lines.append("")
        lines.append(_paint(f"{assignment}  ({source})", "1", colour) + f"  {_points(score)}/{_points(total)}")
        origin = graded_from(summary)
        if origin:
            lines.append(wrap_block(_("graded from {places}").format(places=origin), width, "  "))
        if len(tests) > 1 and all(t["status"] == "missing" for t in tests):
            mark = _paint(SYMBOLS["missing"], COLOURS["missing"], colour)
            lines.append(wrap_block(f"{mark} {_missing_summary(assignment, tests)}", width, "  ", "    "))
            continue
        first_with_message: dict[str, str] = {}
        for test in tests:
            status = test["status"]
            mark = _paint(SYMBOLS[status], COLOURS[status], colour)
            name = test["name"].split("/", 1)[1]
            hidden = "  [" + words.visibility("hidden") + "]" if test["visibility"] == "hidden" else ""
            points = f"{_points(test['score']):>4}/{_points(test['max_score'])}"
            lines.append(f"  {mark} {_pad(name, name_width)}  {points}{hidden}")
            if status != "passed" and test["message"]:
                earlier = first_with_message.setdefault(test["message"], name)
                if earlier == name:
                    lines.append(wrap_block(test["message"], width, MESSAGE_INDENT))
                else:
                    same = _("(same message as {test})").format(test=earlier)
                    lines.append(wrap_block(same, width, MESSAGE_INDENT))
            if status != "passed" and test.get("output"):
                lines.append(MESSAGE_INDENT + _("your code printed:"))
                lines.extend(MESSAGE_INDENT + "| " + line for line in test["output"].rstrip().splitlines())
    lines.append("")
    total_line = _("Total: {score}/{max_score} ({percent}%)").format(
        score=_points(report["score"]), max_score=_points(report["max_score"]), percent=f"{percent(report):.1f}")
    tail = "   ".join(part for part in (words.tally(report.get("counts", {})),
                                         _("seed {seed}").format(seed=report["seed"])) if part)
    lines.append(_paint(total_line, "1", colour) + "   " + tail)
    return "\n".join(lines) + "\n"
