"""The JSON report's schema (docs/report.schema.json), and what the test suite does with it.

``problems(report)`` lists what is wrong with a report (a student's report of
``grader batch`` is recognised by its ``student`` field). The suite checks
every report the grader produces while it runs (``tests/conftest.py``): each
``Report.to_dict()`` and ``StudentReport.to_dict()``, in the test process and
in the batch's forked workers (whose findings are appended to a shared log
file), and each report file a test leaves in its ``tmp_path`` (written by a
``grade`` or ``grader batch`` process of its own).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "docs" / "report.schema.json"


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(kind: str = "report"):
    """A validator of ``kind``: ``report`` or ``student_report`` (a definition of the schema)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator({**schema(), "$ref": f"#/$defs/{kind}"})


def kind_of(report: dict) -> str:
    return "student_report" if "student" in report else "report"


def problems(report: dict) -> list[str]:
    """What is wrong with ``report`` by the schema, one line each (none: it is valid)."""
    errors = validator(kind_of(report)).iter_errors(report)
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message[:300]}"
            for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))]


def report_files(folder: Path) -> list[tuple[Path, dict]]:
    """The grader's JSON reports under ``folder``: JSON objects that carry a ``schema_version``."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(data, dict) and "schema_version" in data:
            found.append((path, data))
    return found


class Watch:
    """Checks every report a ``Report`` or ``StudentReport`` makes, logging the invalid ones to ``log``: a
    file, so that the batch's workers (forked processes) report theirs too."""

    def __init__(self, log: Path):
        self.log = log
        self.log.touch()
        self.seen = 0  # bytes of the log already reported

    def patch(self, monkeypatch) -> None:
        from grader.judge.record import Report, StudentReport

        for cls in (Report, StudentReport):
            monkeypatch.setattr(cls, "to_dict", self._checked(cls.to_dict))

    def _checked(self, to_dict):
        def checked(record):
            report = to_dict(record)
            self.note(report, f"{type(record).__name__}.to_dict()")
            return report
        return checked

    def note(self, report: dict, where: str) -> None:
        found = problems(report)
        if found:
            with self.log.open("a", encoding="utf-8") as log:
                log.write(f"{where} is not a valid {kind_of(report)}:\n  " + "\n  ".join(found[:10]) + "\n")

    def unread(self) -> str:
        """What was logged since the last call (reports made by a test, or by the fixtures it uses)."""
        with self.log.open("rb") as log:
            log.seek(self.seen)
            found = log.read()
        self.seen += len(found)
        return found.decode("utf-8", "replace")
