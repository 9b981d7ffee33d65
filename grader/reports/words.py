"""The human names of the report's enum values, for the reports to show in the current language.

The JSON report keeps the English enum values (``status: "failed"``); these
are only the words printed next to them.
"""
from __future__ import annotations

from grader.lang import N_, _

STATUS = {
    "passed": N_("passed"),
    "failed": N_("failed"),
    "error": N_("error"),
    "timeout": N_("timeout"),
    "missing": N_("missing"),
}
VISIBILITY = {"public": N_("public"), "hidden": N_("hidden")}
FORMAT = {"text": N_("text"), "json": "JSON", "html": "HTML", "markdown": "Markdown", "junit": "JUnit",
          "gradescope": "Gradescope"}  # one name for each format, whatever the option was spelled
KIND = {"document": N_("document"), "numeric": N_("numeric"), "edge": N_("edge"), "forward": N_("forward")}


def status(value: str) -> str:
    return _(STATUS[value]) if value in STATUS else value


def visibility(value: str) -> str:
    return _(VISIBILITY[value]) if value in VISIBILITY else value


def kind(value: str) -> str:
    return _(KIND[value]) if value in KIND else value


def format_name(value: str) -> str:
    """``"JSON"``, ``"HTML"``: a report format as the messages name it."""
    return _(FORMAT[value]) if value in FORMAT else value


def tally(counts: dict) -> str:
    """``"17 passed, 2 failed"`` in the current language, zero counts left out."""
    return ", ".join(_("{count} {status}").format(count=n, status=status(s)) for s, n in counts.items() if n)
