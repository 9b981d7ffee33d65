"""What a batch keeps in its output folder so that it never grades the same thing twice.

    OUT/.batch/batch.json             the seed and settings of the last run (a run without --seed takes
                                      this seed, so a stopped batch resumes as it started)
    OUT/.batch/results/<digest>.json  one entry per student, written as soon as their reports are

A student's entry holds the *key* their result was graded under, the size
and time of their report files, and the final status message. The key is a
digest of everything a result depends on: the content of the submission
(every file of the folder, or the zip's bytes), the student's name and path,
the course (every file of its folder), the grader's own source (the version
string does not change in a checkout), numpy's and Python's versions, the
seed, the language, the suite, the assignments, the limits and the sandbox's
configuration. A later run reuses a result whose key, report files and
status allow it, and grades everyone else: a new late submission, a changed
course or grader, another seed. A result that is ``crashed`` or
``grader_error``, or that Ctrl+C interrupted, is never reused.

Each entry is written atomically after the student's reports, so a batch
killed at any moment (the machine lost, Ctrl+C) leaves only whole entries
of whole reports: the next run with the same settings takes them and grades
the rest, and no student is counted twice.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grader.lang.sanitize import clean
from grader.reports import write_atomically

STATE = ".batch"
FORMAT = 1
REUSABLE = ("ok", "broken")  # crashed and grader_error are graded again, always
_SKIPPED = re.compile(r"(^|/)__pycache__(/|$)|\.py[co]$")
_CHUNK = 1 << 20
SANDBOX_SWITCHES = ("GRADER_IN_PROCESS", "GRADER_NO_NAMESPACES", "GRADER_NO_CGROUP")


def name_bytes(name: str) -> bytes:
    """A student's name as bytes, the same on every machine: NFC-normalised UTF-8 (undecodable bytes kept)."""
    return unicodedata.normalize("NFC", name).encode("utf-8", "surrogatepass")


def tree_digest(root: Path, *, skip_compiled: bool = False) -> str:
    """A digest of a file or folder: every entry's relative path, kind and content (links are not followed)."""
    digest = hashlib.sha256()
    if root.is_file():
        _add_file(digest, root)
        return digest.hexdigest()
    for relative, entry in _entries(root, ""):
        if skip_compiled and _SKIPPED.search(relative):
            continue
        digest.update(relative.encode("utf-8", "surrogatepass") + b"\0")
        if entry.is_symlink():
            digest.update(b"l" + os.readlink(entry.path).encode("utf-8", "surrogatepass") + b"\0")
        elif entry.is_file(follow_symlinks=False):
            digest.update(b"f")
            _add_file(digest, entry.path)
        else:
            digest.update(b"d")
    return digest.hexdigest()


def _entries(folder, prefix: str):
    """``(relative path, os.DirEntry)`` of everything below ``folder``, in name order, without following links."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        yield prefix + entry.name, entry
        if entry.is_dir(follow_symlinks=False):
            yield from _entries(entry.path, prefix + entry.name + "/")


def _add_file(digest, path: Path) -> None:
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    digest.update(b"\0")


_grader_digest: str | None = None


def grader_digest() -> str:
    """A digest of the grader's own files (its code, templates and catalogues), computed once per process."""
    global _grader_digest
    if _grader_digest is None:
        _grader_digest = tree_digest(Path(__file__).resolve().parents[1], skip_compiled=True)
    return _grader_digest


def sandbox_configuration(probed: str = "") -> dict:
    """What decides how student code is confined here: the user, the switches, and what the probe found
    (``probed``: its ``isolation``, the number of the child's own user id left out)."""
    return {"euid": os.geteuid() if hasattr(os, "geteuid") else None, "kernel": platform.release(),
            "switches": {name: os.environ.get(name, "") for name in SANDBOX_SWITCHES},
            "probed": re.sub(r"user id \d+", "user id N", probed)}


def settings(grading, sandbox: str = "") -> dict:
    """Everything but the submission that a batch's results depend on (see the module docstring)."""
    import numpy

    return {
        "format": FORMAT, "course": tree_digest(grading.course.root, skip_compiled=True), "grader": grader_digest(),
        "python": f"{platform.python_implementation()} {sys.version}", "numpy": numpy.__version__,
        "seed": grading.seed, "lang": grading.language, "suite": grading.suite,
        "assignments": list(grading.assignments), "timeout": grading.timeout, "time_budget": grading.time_budget,
        "sandbox": sandbox_configuration(sandbox),
    }


def digest(data) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Entry:
    """What the state holds of one student's result: enough for the command's summary without the report."""

    student: str
    key: str | None  # None: never to be reused
    files: dict  # kind -> [size, mtime_ns] of each report file written
    status: str
    status_message: str  # the final one: notes added after the JSON report was written included
    score: float
    max_score: float
    report: dict | None = None  # the report itself, only when its JSON file could not be written

    @classmethod
    def of(cls, name: str, report: dict, files: dict, key: str | None) -> Entry:
        """The entry of ``report`` whose files are ``files`` (kind -> path, or None where it was not written)."""
        stamps = {kind: file_stamp(path) for kind, path in files.items() if path is not None}
        written = {kind: stamp for kind, stamp in stamps.items() if stamp is not None}
        reuse = key if reusable_status(report) and len(written) == len(files) else None
        return cls(name, reuse, written, report.get("status", ""), report.get("status_message", ""),
                   report.get("score", 0.0), report.get("max_score", 0.0), None if "json" in written else report)

    FIELDS = ("student", "status", "status_message", "score", "max_score")  # of a summary

    @property
    def summary(self) -> dict:
        return {field: getattr(self, field) for field in self.FIELDS}

    def to_dict(self) -> dict:
        entry = {**self.summary, "key": self.key, "files": self.files}
        if self.report is not None:
            entry["report"] = self.report
        return entry

    @classmethod
    def from_dict(cls, data: dict) -> Entry:
        return cls(data["student"], data["key"], dict(data["files"]), data["status"], data["status_message"],
                   data["score"], data["max_score"], data.get("report"))


class State:
    """The ``.batch`` folder of one output folder: the last run's settings and every student's entry."""

    def __init__(self, out: Path):
        self.folder = Path(out) / STATE
        self.results = self.folder / "results"

    def last_seed(self) -> int | None:
        """The seed the last batch in this folder was graded with, if any."""
        try:
            seed = json.loads((self.folder / "batch.json").read_text(encoding="utf-8"))["seed"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return seed if isinstance(seed, int) and not isinstance(seed, bool) else None

    def begin(self, record: dict) -> None:
        """Record the run's seed and settings before anyone is graded."""
        self.results.mkdir(parents=True, exist_ok=True)
        write_atomically(self.folder / "batch.json", json.dumps(record, indent=1) + "\n")

    def path(self, name: str) -> Path:
        return self.results / f"{hashlib.sha256(name_bytes(name)).hexdigest()[:32]}.json"

    def read(self, name: str) -> Entry | None:
        try:
            entry = Entry.from_dict(json.loads(self.path(name).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return entry if entry.student == name else None

    def report(self, entry: Entry, json_report: Path) -> dict | None:
        """The student's report as kept: its JSON file (with the final status message), or the entry's copy."""
        if entry.report is not None:
            return entry.report
        try:
            report = json.loads(json_report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(report, dict) or report.get("student") != clean(entry.student):  # as the report says it
            return None
        report["status_message"] = entry.status_message
        return report

    def write(self, entry: Entry) -> None:
        # ASCII: a name's invisible or undecodable characters are kept as \u escapes, never written as they are
        write_atomically(self.path(entry.student), json.dumps(entry.to_dict()))

    def reusable(self, name: str, key: str | None, paths: dict[str, Path]) -> bool:
        """Whether the result kept for ``name`` was graded under ``key`` and its report files are as written."""
        entry = self.read(name) if key else None
        if entry is None or entry.key != key or entry.report is not None or set(entry.files) != set(paths):
            return False
        return all(file_stamp(paths[kind]) == stamp for kind, stamp in entry.files.items())


def file_stamp(path: Path) -> list[int] | None:
    """``[size, mtime_ns]`` of a report file (each is written by a rename, so this names one version)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns]


def student_key(batch_key: str, name: str, path: Path) -> str | None:
    """The key of a student's result: the batch's settings, their name and path and their submission's content;
    None when the submission cannot be read (then it is graded, and says why)."""
    try:
        content = tree_digest(path)
    except OSError:
        return None
    return digest([batch_key, name, str(path), content])


def reusable_status(report: dict) -> bool:
    """Whether a result may stand for a later run: not crashed, not the grader's failure, not interrupted."""
    return report.get("status") in REUSABLE and not report.get("interrupted") and not report.get("internal_error")
