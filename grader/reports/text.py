"""The terminal report: a table per assignment, every failure explained, the total last."""
from __future__ import annotations

import os
import sys

from ..scoring import percent

SYMBOLS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "missing": "?"}
COLOURS = {"passed": "32", "failed": "31", "error": "31", "timeout": "33", "missing": "33"}


def use_colour(stream=None) -> bool:
    """Colour only on a real terminal, and never when NO_COLOR is set (https://no-color.org)."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def _points(value: float) -> str:
    return f"{value:g}"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def where(place: dict) -> str:
    """``ch05.ipynb cell 4 (In [4])`` or ``layers.py``: a class's source as the student knows it."""
    text = str(place.get("file", "?"))
    if place.get("cell") is not None:
        text += f" cell {place['cell']}"
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
    return f"no {assignment}.py or {assignment}.ipynb in the submission, and no file in it defines {names}"


def render(report: dict, colour: bool = False, **options) -> str:
    lines = []
    for note in report.get("notes", []):
        lines.append(f"note: {note}")
    by_assignment: dict[str, list] = {}
    for test in report["tests"]:
        by_assignment.setdefault(test["assignment"], []).append(test)
    width = max((len(t["name"].split("/", 1)[1]) for t in report["tests"]), default=20)
    for assignment, tests in by_assignment.items():
        summary = report.get("assignments", {}).get(assignment, {})
        source = summary.get("file") or f"{assignment}.py (not found)"
        score = sum(t["score"] for t in tests)
        total = sum(t["max_score"] for t in tests)
        lines.append("")
        lines.append(_paint(f"{assignment}  ({source})", "1", colour) + f"  {_points(score)}/{_points(total)}")
        origin = graded_from(summary)
        if origin:
            lines.append(f"  graded from {origin}")
        if len(tests) > 1 and all(t["status"] == "missing" for t in tests):
            mark = _paint(SYMBOLS["missing"], COLOURS["missing"], colour)
            lines.append(f"  {mark} {_missing_summary(assignment, tests)}")
            continue
        first_with_message: dict[str, str] = {}
        for test in tests:
            status = test["status"]
            mark = _paint(SYMBOLS[status], COLOURS[status], colour)
            name = test["name"].split("/", 1)[1]
            hidden = "  [hidden]" if test["visibility"] == "hidden" else ""
            lines.append(f"  {mark} {name:<{width}}  {_points(test['score']):>4}/{_points(test['max_score'])}{hidden}")
            if status != "passed" and test["message"]:
                earlier = first_with_message.setdefault(test["message"], name)
                if earlier == name:
                    lines.append(_indent(test["message"], "      "))
                else:
                    lines.append(f"      (same message as {earlier})")
            if status != "passed" and test.get("output"):
                lines.append("      your code printed:")
                lines.append(_indent(test["output"].rstrip(), "      | "))
    counts = report.get("counts", {})
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines.append("")
    total_line = f"Total: {_points(report['score'])}/{_points(report['max_score'])} ({percent(report):.1f}%)"
    lines.append(_paint(total_line, "1", colour) + f"   {tally}   seed {report['seed']}")
    return "\n".join(lines) + "\n"
