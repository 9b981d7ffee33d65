"""Where each graded class of a submission lives: files, near-miss names, definitions anywhere.

Students put their classes where it suits them: the assignment's own module
(``gates.py``), a near-miss of it (``Gates.py``, ``gates (1).py`` as a
browser names a second download, ``my_gates.py``, ``gates.py.txt``, a module
inside one sub-folder), a chapter notebook holding three assignments'
classes, or one ``layers.py`` holding them all. This module decides, from the
files' text alone (the judge never runs or compiles student code), which file
each graded class is taken from, and says why in a note:

1. the assignment's module file (exact name, else a single near-miss) when it
   defines the class and its definition is not the unfinished stub;
2. otherwise the file that defines it (in a notebook, the last cell that
   does, as Jupyter leaves it); between several files, the one whose class is
   finished, then the one saved last, then the first by name;
3. otherwise the module file, whose import then says what is missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.lang import N_, _, each
from grader.submission.marimo import is_marimo, marimo_definitions

_CLASS = re.compile(r"^(?:class|def)[ \t]+(\w+)", re.MULTILINE)  # graded classes and functions
_TOP_LEVEL = re.compile(r"^(?=[^\s#])", re.MULTILINE)
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d+\)|\s*-\s*copy(?:\s*\(\d+\))?|\s+copy(?:\s+\d+)?|_copy|-checkpoint)$", re.I)
_COPY_PREFIX = re.compile(r"^(?:copy of\s+|사본\s*-?\s*)", re.I)
SAME_TIME_SECONDS = 2.0


@dataclass(frozen=True)
class Definition:
    """One textual ``class Name`` in a file: the code cell (1-based among code cells) or None for a .py file."""

    cell: int | None
    unfinished: bool


def class_definitions(text: str, cells: tuple | None = None) -> dict[str, Definition]:
    """The last definition of every top-level class and function in a file's text (or its cells).

    In a marimo notebook, the classes defined in its cells' bodies count too, each with its cell.
    """
    found: dict[str, Definition] = {}
    if not cells and is_marimo(text or ""):
        return {name: Definition(cell, _unfinished(text, end)) for name, (cell, end) in marimo_definitions(text).items()}
    parts = [(c.number, c.source) for c in cells] if cells else [(None, text or "")]
    for number, source in parts:
        for match in _CLASS.finditer(source):
            found[match.group(1)] = Definition(number, _unfinished(source, match.end()))
    return found


def _unfinished(source: str, start: int) -> bool:
    """Whether the class body starting at ``start`` still raises the stub's NotImplementedError."""
    following = _TOP_LEVEL.search(source, source.find("\n", start) + 1 if "\n" in source[start:] else len(source))
    body = source[start: following.start() if following else len(source)]
    return "raise NotImplementedError" in body


def near_miss_rank(filename: str, assignment: str) -> int | None:
    """0 for the exact module name, 1 for a copy or case variant, 2 for a name containing it; None otherwise."""
    name = filename
    if name.lower().endswith(".txt"):
        name = name[:-4]
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in ("py", "ipynb"):
        return None
    if stem == assignment and filename == name:
        return 0
    cleaned = _COPY_PREFIX.sub("", _COPY_SUFFIX.sub("", stem.strip())).strip().lower()
    if cleaned == assignment:
        return 1
    tokens = re.split(r"[^a-z0-9]+", cleaned)
    joined = "_".join(t for t in tokens if t)
    if re.search(rf"(?:^|_){re.escape(assignment)}(?:_|$)", joined):
        return 2
    return None


def choose_between(paths: list[Path], class_name: str, unfinished: dict[Path, bool]) -> tuple[Path, str]:
    """Pick the file to grade ``class_name`` from among several that define it, and say why."""
    def mtime(path: Path) -> float:
        try:
            return path.lstat().st_mtime
        except OSError:
            return 0.0

    finished = [p for p in paths if not unfinished.get(p)]
    pool = finished or paths
    if finished and len(finished) < len(paths):
        reason = N_("the others still have the unfinished stub")
        if len(pool) == 1:
            return pool[0], reason
    newest = max(mtime(p) for p in pool)
    recent = [p for p in pool if newest - mtime(p) <= SAME_TIME_SECONDS]
    if len(recent) == 1:
        return recent[0], N_("it was saved most recently")
    chosen = sorted(recent, key=lambda p: (p.suffix != ".py", str(p)))[0]
    return chosen, N_("they were saved at the same time, so the first by name (a .py file before a notebook) "
                      "was taken")


@dataclass(frozen=True)
class SameTime:
    """_choose_exact's finding when the .py file and the notebook were saved at the same time (the .py counts)."""

    name: str
    chosen: str
    other: str


def same_time_note(found: list[SameTime]) -> str:
    """One note for every assignment whose .py file and notebook were saved at the same time."""
    if len(found) == 1:
        return _("{name}: graded {chosen} and ignored {other} because {reason}.").format(
            name=found[0].name, chosen=found[0].chosen, other=found[0].other,
            reason=_("both were saved at the same time, and then the .py file counts"))
    return _("{names}: graded the .py files and ignored the notebooks, saved at the same time.").format(
        names=each(f.name for f in found))
