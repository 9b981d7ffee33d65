"""Points and totals: from the list of test results to the report (the JSON report described in the README)."""
from __future__ import annotations

from grader import __version__

STATUSES = ("passed", "failed", "error", "timeout", "missing")


def _total(tests, key) -> float:
    return round(sum(t[key] for t in tests), 6)


def breakdown(tests: list[dict], course) -> dict:
    """Score and maximum per assignment and per layer, in ``course``'s order."""
    result = {}
    for entry in course.assignments:
        assignment = entry.name
        mine = [t for t in tests if t["assignment"] == assignment]
        if not mine:
            continue
        layers = {}
        for layer in entry.graded:
            of_layer = [t for t in mine if t["layer"] == layer]
            if of_layer:
                layers[layer] = {"score": _total(of_layer, "score"), "max_score": _total(of_layer, "max_score")}
        result[assignment] = {"score": _total(mine, "score"), "max_score": _total(mine, "max_score"), "layers": layers}
    return result


def report(tests: list[dict], course, *, seed: int, submission, duration: float, isolation: str = "") -> dict:
    """The JSON report of ``tests`` (their results) in ``course``: totals, per assignment and per layer."""
    assignments = breakdown(tests, course)
    for name, entry in assignments.items():
        source = submission.sources.get(name)
        entry["file"] = source.filename if source else None
    return {
        "score": _total(tests, "score"),
        "max_score": _total(tests, "max_score"),
        "seed": seed,
        "tests": tests,
        "assignments": assignments,
        "counts": {s: sum(t["status"] == s for t in tests) for s in STATUSES},
        "submission": str(submission.path),
        "notes": list(submission.notes),
        "grader_version": __version__,
        "isolation": isolation,
        "duration_seconds": round(duration, 3),
    }


def percent(report: dict) -> float:
    return 100.0 * report["score"] / report["max_score"] if report["max_score"] else 0.0
