"""A GitHub-flavoured Markdown summary: a table per assignment, then every failure.

Used for ``--format markdown`` and appended to ``$GITHUB_STEP_SUMMARY`` when
the grader runs in GitHub Actions, so the job page shows the grade.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from grader.judge.record import Report, TestResult
from grader.lang import _, ngettext
from grader.lang.sanitize import clean_data, markdown_text
from grader.reports.shared import Group, by_assignment, by_layer, fraction, percentage, points
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


def _layer_row(layer: Group) -> str:
    icon = ICONS["passed"] if layer.passed == len(layer.tests) else ICONS["failed"]
    return f"| {icon} | {layer.name} | {fraction(layer.score, layer.max_score)} | {layer.passed}/{len(layer.tests)} |"


def _failure(test: TestResult) -> str:
    hidden = " " + _("(hidden test)") if test.visibility == "hidden" else ""
    status = words.status(test.status)
    head = f"- {ICONS[test.status]} **{test.name}**{hidden}: {status}, 0/{points(test.max_score)}"
    body = [head, "", _indent(_fence(test.message or status))]
    if test.output:
        body += ["", "  " + _("Your code printed:"), "", _indent(_fence(test.output))]
    return "\n".join(body)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


def render(report: Report | dict, **options) -> str:
    report = Report.read(report)
    lines = ["## " + _("Grade: {score}/{max_score} ({percent}%)").format(
        score=points(report.score), max_score=points(report.max_score), percent=percentage(report)), ""]
    lines += [f"> {_cell(note)}" for note in report.notes] + ([""] if report.notes else [])
    groups = by_assignment(report)
    for group in groups:
        source = group.file or _("not found")
        lines += [f"### {group.name} ({_cell(source)}): {fraction(group.score, group.max_score)}", "",
                  "| | " + " | ".join((_("Layer"), _("Points"), _("Tests passed"))) + " |", "|---|---|---:|---:|",
                  *map(_layer_row, by_layer(group.tests)), ""]
    lines += _failures(report, groups)
    lines.append("<sub>" + _("seed {seed}: run {command} to repeat these cases").format(
        seed=report.seed, command=f"`grade --seed {report.seed}`") + "</sub>")
    return "\n".join(lines) + "\n"


def _failures(report: Report, groups: list[Group]) -> list[str]:
    """What to fix: every test that did not pass, an assignment none of whose tests could run in one line."""
    failures = [t for t in report.tests if not t.passed]
    if not failures:
        return [_("All tests passed."), ""]
    lines = ["### " + ngettext("What to fix ({count} test)", "What to fix ({count} tests)",
                               len(failures)).format(count=len(failures)), ""]
    missing = [group for group in groups if group.all_missing]
    for group in missing:  # one line, not one per test
        lines += [f"- {ICONS['missing']} **{group.name}**: {_cell(group.tests[0].message)}", ""]
    skipped = {group.name for group in missing}
    return lines + [_failure(t) + "\n" for t in failures if t.assignment not in skipped]


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
