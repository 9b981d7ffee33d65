"""The report as data: a test's result, an assignment's summary, the whole report; built here and nowhere else.

Every report the grader writes comes from a :class:`Report`: the engine's
(:meth:`Report.graded`), the command line's when grading itself failed and
the batch's for a student who could not be graded (:meth:`Report.ungraded`),
and the batch's per-student report (:class:`StudentReport`). ``to_dict()``
is the JSON report of the README, key order included, and
``docs/report.schema.json`` describes it; ``from_dict()`` reads one back, so
the reports render from the record whatever produced the dict (fields an
older or hand-made report lacks take their defaults).

``SCHEMA_VERSION`` is the JSON report's version: a field added keeps it, a
field removed or renamed, or a meaning changed, raises it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from grader import __version__
from grader.judge.diagnoses import Diagnosis

SCHEMA_VERSION = "1.0"
STATUSES = ("passed", "failed", "error", "timeout", "missing")


def total(values) -> float:
    """A sum of points as reports show it: rounded to 6 decimals, so 0.1 + 0.2 is 0.3."""
    return round(sum(values), 6)


def percent(score: float, max_score: float) -> float:
    return 100.0 * score / max_score if max_score else 0.0


@dataclass
class Place:
    """Where a graded class was taken from: a file and, in a notebook, the code cell and its ``In [n]``."""

    file: str
    cell: int | None = None
    count: int | None = None
    reason: str = ""  # why this file, when several defined the class
    line: int | None = None  # the line defining it, when grading did not reach it (``not_reached``)

    def to_dict(self) -> dict:
        place: dict = {"file": self.file}
        if self.cell is not None:
            place["cell"] = self.cell
        if self.count is not None:
            place["count"] = self.count
        if self.line is not None:
            place["line"] = self.line
        if self.reason:
            place["reason"] = self.reason
        return place

    @classmethod
    def from_dict(cls, data: dict) -> Place:
        return cls(data.get("file", "?"), data.get("cell"), data.get("count"), data.get("reason", ""), data.get("line"))


@dataclass
class TestResult:
    """One test's result: what the JSON report lists under ``tests``."""

    __test__ = False  # not a pytest test class, whatever its name

    name: str  # assignment/Layer/case
    assignment: str
    layer: str
    kind: str
    visibility: str
    status: str  # one of STATUSES
    score: float
    max_score: float
    message: str = ""
    description: str = ""
    output: str = ""
    execution_time: float = 0.0
    diagnosis: Diagnosis | None = None  # for a test that did not pass
    arrays: dict | None = None  # expected and returned values of a failed array check, for a picture

    @classmethod
    def of(cls, check, status: str, message: str = "", *, output: str = "", seconds: float = 0.0,
           diagnosis: Diagnosis | None = None, arrays: dict | None = None) -> TestResult:
        """The result of ``check`` (a ``suites.Check``): its points if it passed, its layer named first in the
        message, and a diagnosis for any status but passed (from the status, when none was found)."""
        if message and not message.startswith(check.layer):
            message = f"{check.layer}: {message}"
        if status == "passed":
            diagnosis, arrays = None, None
        elif diagnosis is None:
            diagnosis = _status_diagnosis(status, check.layer)
        if arrays is not None:
            arrays = {"array": diagnosis.array if diagnosis else "", **arrays}
        return cls(check.name, check.assignment, check.layer, check.kind, check.visibility, status,
                   check.points if status == "passed" else 0.0, check.points, message, check.description,
                   output, round(seconds, 4), diagnosis, arrays)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def short_name(self) -> str:
        """``Layer/case``: the name within its assignment."""
        return self.name.split("/", 1)[-1]

    def to_dict(self) -> dict:
        result = {
            "name": self.name, "assignment": self.assignment, "layer": self.layer, "kind": self.kind,
            "visibility": self.visibility, "status": self.status, "score": self.score, "max_score": self.max_score,
            "message": self.message, "description": self.description, "output": self.output,
            "execution_time": self.execution_time,
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
        }
        if self.arrays is not None:
            result["arrays"] = self.arrays
        return result

    @classmethod
    def from_dict(cls, data: dict) -> TestResult:
        found = data.get("diagnosis")
        diagnosis = Diagnosis(found["code"], found.get("array", ""), dict(found.get("params") or {})) if found else None
        return cls(data["name"], data["assignment"], data["layer"], data.get("kind", ""),
                   data.get("visibility", "public"), data["status"], data.get("score", 0.0),
                   data.get("max_score", 0.0), data.get("message") or "", data.get("description") or "",
                   data.get("output") or "", data.get("execution_time", 0.0), diagnosis, data.get("arrays"))


def _status_diagnosis(status: str, layer: str) -> Diagnosis | None:
    """The diagnosis a status implies when the test found none: what the status alone says."""
    return {"missing": Diagnosis("missing", "", {"layer": layer}), "timeout": Diagnosis("timeout"),
            "error": Diagnosis("grader_error")}.get(status)


@dataclass
class Totals:
    """Points scored and available, of one layer."""

    score: float
    max_score: float

    def to_dict(self) -> dict:
        return {"score": self.score, "max_score": self.max_score}


@dataclass
class AssignmentSummary:
    """One assignment's points, per layer too, and the file (and each class's place) it was graded from."""

    score: float
    max_score: float
    layers: dict[str, Totals] = field(default_factory=dict)
    file: str | None = None  # None: not found in the submission
    sources: dict[str, Place] | None = None  # None: grading never reached the student's files

    def to_dict(self) -> dict:
        summary = {"score": self.score, "max_score": self.max_score,
                   "layers": {name: totals.to_dict() for name, totals in self.layers.items()}, "file": self.file}
        if self.sources is not None:
            summary["sources"] = {name: place.to_dict() for name, place in self.sources.items()}
        return summary

    @classmethod
    def from_dict(cls, data: dict) -> AssignmentSummary:
        sources = data.get("sources")
        return cls(data.get("score", 0.0), data.get("max_score", 0.0),
                   {name: Totals(t["score"], t["max_score"]) for name, t in (data.get("layers") or {}).items()},
                   data.get("file"),
                   None if sources is None else {name: Place.from_dict(p) for name, p in sources.items()})


@dataclass
class Report:
    """The JSON report of one submission (see "The JSON report" in the README)."""

    score: float
    max_score: float
    seed: int
    tests: list[TestResult] = field(default_factory=list)
    assignments: dict[str, AssignmentSummary] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    submission: str = ""
    notes: list[str] = field(default_factory=list)
    grader_version: str = __version__
    isolation: str = ""  # how the student's code was confined, and what it could still reach
    duration_seconds: float = 0.0
    interrupted: bool = False  # Ctrl+C stopped grading: the tests not run are errors saying so
    internal_error: str = ""  # what the grader itself failed on ("" if nothing): the command line exits 3
    schema_version: str = SCHEMA_VERSION

    @classmethod
    def graded(cls, tests: list[TestResult], course, *, seed: int, submission, duration: float,
               isolation: str = "") -> Report:
        """The report of ``tests`` in ``course``: totals, per assignment (with its module file, if found)
        and per layer in the course's order."""
        assignments = {}
        for entry in course.assignments:
            mine = [t for t in tests if t.assignment == entry.name]
            if mine:
                source = submission.sources.get(entry.name)
                assignments[entry.name] = _summary(mine, entry.graded, source.filename if source else None)
        return cls(total(t.score for t in tests), total(t.max_score for t in tests), seed, list(tests),
                   assignments, {s: sum(t.status == s for t in tests) for s in STATUSES},
                   str(submission.path), list(submission.notes), isolation=isolation,
                   duration_seconds=round(duration, 3))

    @classmethod
    def ungraded(cls, maxima: dict[str, dict[str, float]], *, seed: int, submission,
                 internal_error: str = "") -> Report:
        """The report of a submission not graded at all: no test, score 0 out of the ``maxima`` (assignment ->
        layer -> points), and why if the grader itself failed."""
        assignments = {name: AssignmentSummary(0.0, total(layers.values()),
                                               {layer: Totals(0.0, points) for layer, points in layers.items()})
                       for name, layers in maxima.items()}
        return cls(0.0, total(a.max_score for a in assignments.values()), seed, assignments=assignments,
                   submission=str(submission), internal_error=internal_error)

    def locate(self, located: dict[str, dict], planned: dict, notes: list[str]) -> None:
        """Say per graded class where it was taken from (``located``: what running the files showed; else
        ``planned``: the class's planned file, from reading them), and add the ``notes`` running them gave."""
        for summary in self.assignments.values():
            sources = {}
            for name in summary.layers:
                place = _place(located.get(name), planned.get(name))
                if place is not None:
                    sources[name] = place
            summary.sources = sources
            if summary.file is None and sources:
                files = sorted({place.file for place in sources.values()})
                summary.file = files[0] if len(files) == 1 else ", ".join(files)
        self.notes += [note for note in notes if note not in self.notes]

    @property
    def percent(self) -> float:
        return percent(self.score, self.max_score)

    def to_dict(self) -> dict:
        report = {
            "schema_version": self.schema_version, "score": self.score, "max_score": self.max_score,
            "seed": self.seed, "tests": [t.to_dict() for t in self.tests],
            "assignments": {name: a.to_dict() for name, a in self.assignments.items()},
            "counts": dict(self.counts), "submission": self.submission, "notes": list(self.notes),
            "grader_version": self.grader_version, "isolation": self.isolation,
            "duration_seconds": self.duration_seconds,
        }
        if self.interrupted:
            report["interrupted"] = True
        if self.internal_error:
            report["internal_error"] = self.internal_error
        return report

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        return cls(data.get("score", 0.0), data.get("max_score", 0.0), data.get("seed", 0),
                   [TestResult.from_dict(t) for t in data.get("tests") or ()],
                   {name: AssignmentSummary.from_dict(a) for name, a in (data.get("assignments") or {}).items()},
                   dict(data.get("counts") or {}), data.get("submission", ""), list(data.get("notes") or ()),
                   data.get("grader_version", ""), data.get("isolation", ""), data.get("duration_seconds", 0.0),
                   bool(data.get("interrupted")), data.get("internal_error") or "",
                   data.get("schema_version", SCHEMA_VERSION))

    @classmethod
    def read(cls, report: Report | dict) -> Report:
        """``report`` as a record: itself, or read from its dict."""
        return report if isinstance(report, Report) else cls.from_dict(report)


def _summary(tests: list[TestResult], graded, file: str | None) -> AssignmentSummary:
    layers = {}
    for layer in graded:
        of_layer = [t for t in tests if t.layer == layer]
        if of_layer:
            layers[layer] = Totals(total(t.score for t in of_layer), total(t.max_score for t in of_layer))
    return AssignmentSummary(total(t.score for t in tests), total(t.max_score for t in tests), layers, file)


def _place(located: dict | None, planned) -> Place | None:
    """Where a class came from: where running the files found it, else where reading them said it is."""
    if located is not None:
        place = Place.from_dict(located)
    elif planned is not None:
        place = Place(planned.filename, planned.cell)
    else:
        return None
    if planned is not None and planned.reason:
        place.reason = planned.reason
    return place


@dataclass
class StudentReport:
    """A student's report in ``grader batch``: the report, with who it is and how their grading went.

    ``status`` is ``ok``, ``broken`` (nothing gradable), ``crashed`` (the grading process died or ran too long)
    or ``grader_error`` (the grader itself failed); ``status_message`` says what, for the gradebook.
    The links (``json_report``, ``html_report``, ``link``) are where the batch wrote the student's reports:
    known to the gradebook and the class report, not written in the report itself.
    """

    student: str
    status: str
    status_message: str
    report: Report
    json_report: str = ""
    html_report: str = ""
    link: str = ""

    def to_dict(self) -> dict:
        return {"student": self.student, "status": self.status, "status_message": self.status_message,
                **self.report.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> StudentReport:
        return cls(data["student"], data.get("status", "ok"), data.get("status_message", ""),
                   Report.from_dict(data), data.get("json_report", ""), data.get("html_report", ""),
                   data.get("link", ""))

    @classmethod
    def read(cls, report: StudentReport | dict) -> StudentReport:
        """``report`` as a record: itself, or read from its dict."""
        return report if isinstance(report, StudentReport) else cls.from_dict(report)


class Rows(Sequence):
    """Records of the same fields, kept as a tuple each and read as dicts: a class of 10,000 students in a
    third of the memory a dict each takes (the batch's summaries, the class report's list of students)."""

    def __init__(self, fields: tuple[str, ...]):
        self.fields = fields
        self._rows: list[tuple] = []

    def append(self, record: dict) -> None:
        self._rows.append(tuple(record[field] for field in self.fields))

    def column(self, field: str) -> list:
        at = self.fields.index(field)
        return [row[at] for row in self._rows]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [dict(zip(self.fields, row)) for row in self._rows[index]]
        return dict(zip(self.fields, self._rows[index]))
