"""What every format shares: the tests grouped by assignment and by layer, numbers as reports print them,
and where a graded class came from."""
from __future__ import annotations

from dataclasses import dataclass

from grader.judge.record import AssignmentSummary, Report, TestResult, total
from grader.lang import _

SYMBOLS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "missing": "?"}


def points(value: float) -> str:
    """``1.5``, ``30``: points without trailing zeros."""
    return f"{value:g}"


def fraction(score: float, max_score: float) -> str:
    """``28.5/30``"""
    return f"{points(score)}/{points(max_score)}"


def percentage(report: Report) -> str:
    """``95.0``: the score as a percentage of the maximum, one decimal."""
    return f"{report.percent:.1f}"


@dataclass
class Group:
    """Tests that belong together (an assignment's, a layer's), in report order, and their points."""

    name: str
    tests: list[TestResult]
    summary: AssignmentSummary | None = None  # the report's summary of an assignment, if it has one

    @property
    def score(self) -> float:
        return total(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return total(t.max_score for t in self.tests)

    @property
    def passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def all_missing(self) -> bool:
        return all(t.status == "missing" for t in self.tests)

    @property
    def file(self) -> str | None:
        """The assignment's file as the summary gives it (None: not found, or no summary)."""
        return self.summary.file if self.summary else None


def _grouped(tests: list[TestResult], key) -> dict[str, list[TestResult]]:
    groups: dict[str, list[TestResult]] = {}
    for test in tests:
        groups.setdefault(key(test), []).append(test)
    return groups


def by_assignment(report: Report) -> list[Group]:
    """The report's tests per assignment, in the order they were run, each with its summary."""
    return [Group(name, tests, report.assignments.get(name))
            for name, tests in _grouped(report.tests, lambda t: t.assignment).items()]


def by_layer(tests: list[TestResult]) -> list[Group]:
    """``tests`` per layer, in their order."""
    return [Group(name, mine) for name, mine in _grouped(tests, lambda t: t.layer).items()]


def where(place) -> str:
    """``ch05.ipynb cell 4 (In [4])`` or ``layers.py``: a class's source (a :class:`Place`) as the student knows it."""
    text = str(place.file)
    if place.cell is not None:
        text = _("{file} cell {cell}").format(file=text, cell=place.cell)
        if place.count is not None:
            text += f" (In [{place.count}])"
    if place.line is not None:
        text = _("{place}, line {line}").format(place=text, line=place.line)
    return text


def graded_from(summary: AssignmentSummary | None) -> str:
    """Where the assignment's classes came from, when that is not simply its module file."""
    places = {name: where(place) for name, place in ((summary and summary.sources) or {}).items()}
    if not places or set(places.values()) <= {summary.file}:
        return ""
    return "; ".join(f"{name}: {place}" for name, place in places.items())


def found_in(report: Report) -> str:
    """Where each graded class was found, in one line: ``MulLayer: ch05.ipynb cell 3 (In [4]); ...``."""
    return "; ".join(f"{name}: {where(place)}" for summary in report.assignments.values()
                     for name, place in (summary.sources or {}).items())
