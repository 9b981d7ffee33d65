"""The certificate of a course check: what was proven, for which course and which grader, kept where it is found again.

A certificate holds the digest of the course (every file of its folder but
caches, hidden files, its release folder and a certificate it carries) and
the digest of the grader's own source, the seeds the check used (drawn from
the course digest, so the check of one course is the same every time), the
problems it found and the mutation table. It is valid for a course and a
grader whose digests are those; a changed test, reference, solution or
grader module makes it stale, and the next ``release``, ``bundle`` or
``batch`` checks again.

Certificates are kept in the per-user cache,
``$XDG_CACHE_HOME/backprop-grader/certificates/`` (``~/.cache`` without
``XDG_CACHE_HOME``), one file per course digest and grader digest. A
Gradescope bundle carries its own (``courses/NAME/certificate.json``), made
for the copy of the course it ships, since the bundle has no solutions to
check again.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader import __version__
from grader.judge.course import Course
from grader.reports import write_atomically

FORMAT = 1
SHIPPED = "certificate.json"  # a bundle's own certificate, at the top of its course folder
PACKAGE = Path(__file__).resolve().parents[2]  # the grader package
_SKIPPED_FOLDERS = {"__pycache__"}


def _files(folder: Path, skip: set[Path] = frozenset()):
    """``(relative posix path, path)`` of every file under ``folder`` that the digest covers, sorted."""
    found = []
    for top, folders, names in os.walk(folder):
        here = Path(top)
        folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS and not f.startswith(".")
                            and (here / f).resolve() not in skip)
        for name in names:
            if not name.startswith(".") and not name.endswith((".pyc", ".pyo")) and (here / name) not in skip:
                found.append(((here / name).relative_to(folder).as_posix(), here / name))
    return sorted(found)


def _digest(files) -> str:
    digest = hashlib.sha256()
    for relative, path in files:
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(f"{relative}\0{content}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def course_digest(course: Course) -> str:
    """The digest of everything in the course's folder that grading or the check reads."""
    skip = {course.release_folder.resolve(), course.root / SHIPPED}
    return _digest(_files(course.root, skip))


@functools.lru_cache(maxsize=1)
def grader_digest() -> str:
    """The digest of the grader's own source (every file of the package, as a bundle ships it)."""
    return _digest(_files(PACKAGE))


def seeds(digest: str, count: int) -> list[int]:
    """``count`` seeds drawn from a course digest: the same course is always checked with the same cases."""
    return [int.from_bytes(hashlib.sha256(f"{digest}:{i}".encode()).digest()[:4], "big") >> 1 for i in range(count)]


@dataclass
class Certificate:
    """What the check of one course with one grader found (see the module docstring)."""

    course_title: str
    course_digest: str
    grader_digest: str
    seeds: list[int]
    problems: list[dict]  # {"code": ..., fields}: worded by coursecheck.words
    table: list[dict]  # per graded name: its exercise and what the mutation analysis found
    results: dict = field(default_factory=dict)  # the details: solutions, stubs, every mistake, every mutant
    seconds: float = 0.0
    grader_version: str = __version__
    shipped_from: str = ""  # in a bundle: the digest of the course the check ran on
    format: int = FORMAT

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"passed": self.passed, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "Certificate":
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    def valid_for(self, course: Course, digest: str | None = None) -> bool:
        return self.format == FORMAT and self.grader_digest == grader_digest() \
            and self.course_digest == (digest or course_digest(course))


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "backprop-grader" / "certificates"


def cached_path(digest: str) -> Path:
    return cache_folder() / f"{digest[:32]}-{grader_digest()[:32]}.json"


def _read(path: Path) -> Certificate | None:
    try:
        return Certificate.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None  # missing, unreadable or from another format: as if there were none


def find(course: Course) -> Certificate | None:
    """The valid certificate of ``course`` with this grader: the one kept in the cache, else the one it carries."""
    digest = course_digest(course)
    for path in (cached_path(digest), course.root / SHIPPED):
        found = _read(path)
        if found is not None and found.valid_for(course, digest):
            return found
    return None


def keep(certificate: Certificate) -> Path | None:
    """Store ``certificate`` in the cache; the path, or None if the cache cannot be written."""
    try:
        return write_atomically(cached_path(certificate.course_digest), to_json(certificate))
    except OSError:
        return None


def to_json(certificate: Certificate) -> str:
    return json.dumps(certificate.to_dict(), indent=1, ensure_ascii=False) + "\n"


def carry(checked: Certificate, copy: Course) -> Path:
    """Put into ``copy`` (the course as a bundle ships it) the certificate of the course it was copied from,
    made out to the copy, so the bundle can verify what it ships without the solutions. The course's own
    mutants are counted, not described: a bundle ships none of them."""
    from dataclasses import replace

    results = {**checked.results, "mutants": len(checked.results.get("mutants", ()))}  # counts, not the mistakes
    made = replace(checked, course_digest=course_digest(copy), shipped_from=checked.course_digest, results=results)
    path = copy.root / SHIPPED
    path.write_text(to_json(made), encoding="utf-8")
    return path
