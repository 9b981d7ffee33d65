"""The course being graded: one TOML file that names everything the engine must not.

A course is a folder with a ``course.toml``::

    title = "Backpropagation"
    language = "ko"
    release = "assignments"          # where `grader release` writes stubs and notebooks

    [[assignment]]
    module = "gates.py"
    title = "Multiply and add gates"
    graded = { MulLayer = 10, AddLayer = 10 }   # names (classes or functions) and their points
    hints_off = ["border_only"]      # optional: diagnoses whose built-in hint this exercise does not show

next to the course's own files: ``solutions/<module>.py`` (with solution
markers) and ``solutions/<module>.md`` (the notebook's text),
``tests/public/<module>.py`` and ``tests/hidden/<module>.py``, and whatever
Python those tests import from the course (reference forward code, hints,
helpers). The tests import the course folder as the package ``course``
(``from course import reference``), so a copy of a course works wherever it is.

The built-in course ships with the grader (``courses/backprop``); ``--course
PATH`` or ``GRADER_COURSE`` chooses another (a folder or its course file).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.lang import _

ENVIRONMENT_VARIABLE = "GRADER_COURSE"
COURSE_FILE = "course.toml"
SHIPPED = Path(__file__).resolve().parents[2] / "courses"  # the courses installed beside the grader
BUILTIN = SHIPPED / "backprop"
VISIBILITIES = ("public", "hidden")


class CourseError(ValueError):
    """The course file is missing or wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Assignment:
    name: str  # the module's stem: "gates" for gates.py
    title: str
    points: dict[str, float]  # graded name -> points, in the course file's order
    hints_off: tuple[str, ...] = ()  # diagnosis codes whose built-in hint its tests do not show

    @property
    def module(self) -> str:
        return f"{self.name}.py"

    @property
    def graded(self) -> tuple[str, ...]:
        return tuple(self.points)

    @property
    def max_score(self) -> float:
        return round(sum(self.points.values()), 6)


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    language: str
    assignments: tuple[Assignment, ...]
    release_folder: Path

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.assignments)

    @property
    def max_score(self) -> float:
        return round(sum(a.max_score for a in self.assignments), 6)

    def assignment(self, name: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.name == name:
                return assignment
        raise CourseError(_("{file}: no assignment {name} (the course has {names})").format(
            file=self.file, name=repr(name), names=", ".join(self.names)))

    def select(self, names=None) -> tuple[Assignment, ...]:
        """The named assignments in course order (all of them for ``None``)."""
        if names is None:
            return self.assignments
        unknown = [n for n in names if n not in self.names]
        if unknown:
            raise CourseError(_("no assignment {name} in this course; choose from {names}").format(
                name=repr(unknown[0]), names=", ".join(self.names)))
        return tuple(a for a in self.assignments if a.name in names)

    @property
    def file(self) -> Path:
        return self.root / COURSE_FILE

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def tests(self) -> Path:
        return self.root / "tests"

    def suite_file(self, visibility: str, assignment: str) -> Path:
        return self.tests / visibility / f"{assignment}.py"

    @property
    def locale(self) -> Path:
        """The folder of the course's own catalogues (test descriptions, hints, notebook texts)."""
        return self.root / "locale"

    def visibilities(self) -> tuple[str, ...]:
        """The suites present (a student release has no hidden suite)."""
        return tuple(v for v in VISIBILITIES if (self.tests / v).is_dir())


def _read_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise CourseError(_("no course file at {path}").format(path=path)) from None
    except tomllib.TOMLDecodeError as error:
        raise CourseError(_("{path}: not valid TOML ({error})").format(path=path, error=error)) from None


def _assignment(entry, where: str) -> Assignment:
    if not isinstance(entry, dict):
        raise CourseError(_("{where}: each [[assignment]] must be a table").format(where=where))
    module = entry.get("module")
    if not isinstance(module, str) or not module.endswith(".py") or not module[:-3].isidentifier():
        raise CourseError(_("{where}: module must be a Python file name such as \"layers.py\", not {module}").format(
            where=where, module=repr(module)))
    graded = entry.get("graded")
    if not isinstance(graded, dict) or not graded:
        raise CourseError(_("{where} ({module}): graded must name the classes or functions and their points, "
                            "e.g. graded = {{ Dense = 10 }}").format(where=where, module=module))
    for name, points in graded.items():
        if not name.isidentifier() or isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
            raise CourseError(_("{where} ({module}): graded.{name} must be a positive number of points").format(
                where=where, module=module, name=name))
    unknown = set(entry) - {"module", "title", "graded", "hints_off"}
    if unknown:
        raise CourseError(_("{where} ({module}): unknown key {key}").format(
            where=where, module=module, key=repr(sorted(unknown)[0])))
    hints_off = entry.get("hints_off", [])
    if not isinstance(hints_off, list) or not all(isinstance(code, str) and code.isidentifier() for code in hints_off):
        raise CourseError(_("{where} ({module}): hints_off must list diagnosis codes, e.g. "
                            "hints_off = [\"border_only\"]").format(where=where, module=module))
    name = module[:-3]
    return Assignment(name, str(entry.get("title", name)), {k: float(v) for k, v in graded.items()},
                      tuple(hints_off))


def load(path: Path | str, *, allow_empty: bool = False) -> Course:
    """Read a course from its folder or its course file; ``allow_empty``: a course file without
    assignments yet (one being started, for ``grader new-exercise``) is read too."""
    path = Path(path)
    file = path / COURSE_FILE if path.is_dir() else path
    data = _read_toml(file)
    entries = data.get("assignment", [] if allow_empty else None)
    if not isinstance(entries, list) or not (entries or allow_empty):
        raise CourseError(_("{file}: no [[assignment]] entries").format(file=file))
    assignments = tuple(_assignment(e, _("{file}: assignment {number}").format(file=file, number=i + 1))
                        for i, e in enumerate(entries))
    names = [a.name for a in assignments]
    doubles = {n for n in names if names.count(n) > 1}
    graded = [g for a in assignments for g in a.graded]
    doubles |= {g for g in graded if graded.count(g) > 1}
    if doubles:
        raise CourseError(_("{file}: {name} appears twice; every module and graded name is unique").format(
            file=file, name=repr(sorted(doubles)[0])))
    root = file.resolve().parent
    return Course(
        root=root,
        title=str(data.get("title", root.name)),
        language=str(data.get("language", "en")),
        assignments=assignments,
        release_folder=(root / str(data.get("release", "assignments"))).resolve(),
    )


def default_path() -> Path:
    """``GRADER_COURSE``, else the built-in course, else the one course shipped beside the grader
    (a student release or an autograder bundle of another course ships just that one)."""
    chosen = os.environ.get(ENVIRONMENT_VARIABLE)
    if chosen:
        return Path(chosen)
    if (BUILTIN / COURSE_FILE).is_file():
        return BUILTIN
    shipped = sorted(SHIPPED.glob(f"*/{COURSE_FILE}"))
    if len(shipped) == 1:
        return shipped[0].parent
    raise CourseError(_("no course found: set {variable} or pass --course with a folder that holds {file}").format(
        variable=ENVIRONMENT_VARIABLE, file=COURSE_FILE))


def default() -> Course:
    """The course a command grades with when not told: :func:`default_path`, read afresh."""
    return load(default_path())


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _toml_string(key)


def to_toml(course: Course, assignments=None, *, release: str | None = None) -> str:
    """A course file for ``course`` limited to ``assignments`` (a weekly release ships only those)."""
    lines = [f"title = {_toml_string(course.title)}", f"language = {_toml_string(course.language)}"]
    if release is not None:
        lines.append(f"release = {_toml_string(release)}")
    for assignment in assignments if assignments is not None else course.assignments:
        graded = ", ".join(f"{_toml_key(name)} = {points:g}" for name, points in assignment.points.items())
        lines += ["", "[[assignment]]", f"module = {_toml_string(assignment.module)}",
                  f"title = {_toml_string(assignment.title)}", f"graded = {{ {graded} }}"]
        if assignment.hints_off:
            lines.append(f"hints_off = [{', '.join(_toml_string(code) for code in assignment.hints_off)}]")
    return "\n".join(lines) + "\n"
