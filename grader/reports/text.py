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
