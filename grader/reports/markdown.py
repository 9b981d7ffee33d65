"""A GitHub-flavoured Markdown summary: a table per assignment, then every failure.

Used for ``--format markdown`` and appended to ``$GITHUB_STEP_SUMMARY`` when
the grader runs in GitHub Actions, so the job page shows the grade.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from grader.lang import _, ngettext
from grader.lang.sanitize import clean_data, markdown_text
from grader.judge.scoring import percent
import grader.reports.words as words

ICONS = {"passed": "✅", "failed": "❌", "error": "💥", "timeout": "⏱️", "missing": "❔"}


def _cell(text: str) -> str:
    """Text outside code blocks: one line, its HTML and Markdown shown literally (pipes too, for tables)."""
    return markdown_text(" ".join(str(text).split()))


def _fence(text: str) -> str:
    """A code block that survives backticks in the text."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text.rstrip()}\n{ticks}"


def _points(value: float) -> str:
    return f"{value:g}"


def _layer_rows(tests: list[dict]) -> list[str]:
    layers: dict[str, list[dict]] = {}
    for test in tests:
        layers.setdefault(test["layer"], []).append(test)
    rows = []
    for layer, mine in layers.items():
        passed = sum(t["status"] == "passed" for t in mine)
        score = sum(t["score"] for t in mine)
        total = sum(t["max_score"] for t in mine)
        icon = ICONS["passed"] if passed == len(mine) else ICONS["failed"]
        rows.append(f"| {icon} | {layer} | {_points(score)}/{_points(total)} | {passed}/{len(mine)} |")
    return rows


def _failure(test: dict) -> str:
    hidden = " " + _("(hidden test)") if test["visibility"] == "hidden" else ""
    status = words.status(test["status"])
    head = f"- {ICONS[test['status']]} **{test['name']}**{hidden}: {status}, 0/{_points(test['max_score'])}"
    body = [head, "", _indent(_fence(test["message"] or status))]
    if test.get("output"):
        body += ["", "  " + _("Your code printed:"), "", _indent(_fence(test["output"]))]
    return "\n".join(body)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


def render(report: dict, **options) -> str:
    lines = ["## " + _("Grade: {score}/{max_score} ({percent}%)").format(
        score=_points(report["score"]), max_score=_points(report["max_score"]), percent=f"{percent(report):.1f}"), ""]
    for note in report.get("notes", []):
        lines.append(f"> {_cell(note)}")
    if report.get("notes"):
        lines.append("")
    by_assignment: dict[str, list[dict]] = {}
    for test in report["tests"]:
        by_assignment.setdefault(test["assignment"], []).append(test)
    for assignment, tests in by_assignment.items():
        entry = report.get("assignments", {}).get(assignment, {})
        source = entry.get("file") or _("not found")
        score = sum(t["score"] for t in tests)
        total = sum(t["max_score"] for t in tests)
        lines += [f"### {assignment} ({_cell(source)}): {_points(score)}/{_points(total)}", "",
                  "| | " + " | ".join((_("Layer"), _("Points"), _("Tests passed"))) + " |", "|---|---|---:|---:|",
                  *_layer_rows(tests), ""]
    failures = [t for t in report["tests"] if t["status"] != "passed"]
    if failures:
        lines += ["### " + ngettext("What to fix ({count} test)", "What to fix ({count} tests)",
                                    len(failures)).format(count=len(failures)), ""]
        missing = [a for a, tests in by_assignment.items() if all(t["status"] == "missing" for t in tests)]
        for assignment in missing:  # one line, not one per test
            lines += [f"- {ICONS['missing']} **{assignment}**: {_cell(by_assignment[assignment][0]['message'])}", ""]
        lines += [_failure(t) + "\n" for t in failures if t["assignment"] not in missing]
    else:
        lines += [_("All tests passed."), ""]
    lines.append("<sub>" + _("seed {seed}: run {command} to repeat these cases").format(
        seed=report["seed"], command=f"`grade --seed {report['seed']}`") + "</sub>")
    return "\n".join(lines) + "\n"


def append_step_summary(report: dict) -> Path | None:
    """Append the summary to ``$GITHUB_STEP_SUMMARY`` when GitHub Actions provides one.

    ``GRADER_STEP_SUMMARY=off`` skips it, for workflows that run ``grade``
    several times and want the summary once.
    """
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target or os.environ.get("GRADER_STEP_SUMMARY", "").lower() in ("off", "0", "no", "false"):
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as summary:
        summary.write(render(clean_data(report)) + "\n")
    return path
