"""Student material from one source of truth: ``solutions/``.

Course staff write each assignment once, as a working module whose answers
sit between solution markers, the convention nbgrader uses::

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Square.backward: return dx, the gradient of the loss with
        ###   respect to x, with the shape of dout.
        dx = 2 * self.x * dout
        return dx
        ### END SOLUTION

The markers are comments, so the solution runs and grades as it is. In the
stub, everything from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` becomes::

        # YOUR CODE HERE
        raise NotImplementedError(
            "Square.backward: return dx, the gradient of the loss with "
            "respect to x, with the shape of dout."
        )

The message comes from the optional ``### TODO:`` comment that directly
follows ``### BEGIN SOLUTION``; further ``###`` lines continue it. Without
one the stub raises a bare ``NotImplementedError()``, as nbgrader's does.
Everything outside the markers (docstrings, forward code, helpers, comments)
is copied unchanged.

``grader release`` writes the stubs and a notebook per assignment to
``assignments/``; ``--check`` compares instead of writing; ``--out DIR`` also
builds the folder students get.
"""
from __future__ import annotations

import difflib
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.suites import ASSIGNMENTS

from .notebooks import build_notebook, stub_parts
from .stubs import MarkerError, make_stub

__all__ = ["Course", "MarkerError", "build_assignments", "build_notebook", "build_stubs", "check_release",
           "find_course", "make_stub", "release_student", "run_release", "stub_parts", "write_assignments"]

# ---------------------------------------------------------------------------
# files


@dataclass(frozen=True)
class Course:
    """The folders a release reads from and writes to."""

    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"


def find_course(start: Path | None = None) -> Course:
    """The course checkout: ``start`` (default: the current folder) if it has ``solutions/``,
    else the checkout this grader package lives in."""
    candidates = [Path(start) if start is not None else Path.cwd(), Path(__file__).resolve().parents[1]]
    for root in candidates:
        if (root / "solutions").is_dir():
            return Course(root.resolve())
    raise FileNotFoundError(
        "no solutions/ folder here: run `grader release` from the course repository "
        "(the folder that holds solutions/ and assignments/)")


def build_stubs(course: Course) -> dict[str, str]:
    """``{"gates.py": stub source, ...}`` for every assignment, from ``solutions/``."""
    stubs = {}
    for name in ASSIGNMENTS:
        path = course.solutions / f"{name}.py"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing")
        source = path.read_text(encoding="utf-8")
        stubs[f"{name}.py"] = make_stub(source, filename=str(path.relative_to(course.root)))
    return stubs


def build_assignments(course: Course) -> dict[str, str]:
    """Every file the release puts in ``assignments/``, by file name: stubs and notebooks."""
    files = {}
    for filename, stub in build_stubs(course).items():
        name = filename[: -len(".py")]
        template = course.solutions / f"{name}.md"
        if not template.is_file():
            raise FileNotFoundError(f"{template} is missing: it holds the text of {name}.ipynb")
        files[filename] = stub
        files[f"{name}.ipynb"] = build_notebook(name, stub, template.read_text(encoding="utf-8"),
                                                str(template.relative_to(course.root)))
    return files


def write_assignments(course: Course) -> list[Path]:
    """Regenerate ``assignments/`` from ``solutions/``; returns the files written."""
    course.assignments.mkdir(exist_ok=True)
    written = []
    for filename, text in build_assignments(course).items():
        path = course.assignments / filename
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def check_release(course: Course | None = None) -> tuple[bool, str]:
    """Whether ``assignments/`` is what ``solutions/`` makes; if not, a unified diff."""
    course = course or find_course()
    diffs = []
    for filename, expected in build_assignments(course).items():
        path = course.assignments / filename
        shown = f"assignments/{filename}"
        if not path.is_file():
            diffs.append(f"{shown} is missing\n")
            continue
        committed = path.read_bytes().decode("utf-8", errors="replace")
        if committed != expected:
            diffs.append("".join(difflib.unified_diff(
                committed.splitlines(keepends=True), expected.splitlines(keepends=True),
                fromfile=f"{shown} (committed)", tofile=f"{shown} (from solutions/)")))
    return not diffs, "".join(d if d.endswith("\n") else d + "\n" for d in diffs)


# ---------------------------------------------------------------------------
# the student release

PACKAGE = Path(__file__).resolve().parent.parent
STUDENT_README = PACKAGE / "templates" / "student_README.md"
_RELEASE_CONTENTS = {"README.md", "pyproject.toml", "assignments", "grader", ".github"}
CLASSROOM_WORKFLOW = PACKAGE / "templates" / "classroom.yml"


def release_student(out_dir: Path | str, course: Course | None = None) -> Path:
    """Write a folder for students: stubs and notebooks, the grader with its public
    tests only, a README and the packaging to ``pip install`` it.

    ``out_dir`` must be empty, missing, or an earlier release (which is replaced).
    Nothing from ``solutions/`` and nothing of the hidden tests goes in.
    """
    course = course or find_course()
    out = Path(out_dir)
    files = build_assignments(course)  # first, so that a broken solution leaves ``out`` alone
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} is a file, not a folder")
        present = {p.name for p in out.iterdir()}
        if present and not present <= _RELEASE_CONTENTS:
            raise FileExistsError(f"{out} holds files that are not from a release ({', '.join(sorted(present - _RELEASE_CONTENTS))}); "
                                  "choose an empty or new folder")
        shutil.rmtree(out)
    (out / "assignments").mkdir(parents=True)

    for filename, text in files.items():
        (out / "assignments" / filename).write_text(text, encoding="utf-8", newline="\n")
    hidden = PACKAGE / "suites" / "hidden"
    shutil.copytree(PACKAGE, out / "grader", ignore=lambda folder, names: [
        n for n in names
        if n == "__pycache__" or n.endswith((".pyc", ".pyo")) or Path(folder, n) == hidden
    ])
    shutil.copyfile(STUDENT_README, out / "README.md")
    workflows = out / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copyfile(CLASSROOM_WORKFLOW, workflows / "classroom.yml")
    pyproject = course.root / "pyproject.toml"
    if pyproject.is_file():
        shutil.copyfile(pyproject, out / "pyproject.toml")
    return out


def run_release(out: Path | None = None, check: bool = False) -> int:
    """``grader release``: write ``assignments/`` (and with ``out``, a student release folder),
    or with ``check`` only compare. Returns the exit status: 0 done or up to date,
    1 out of date, 2 cannot release."""
    try:
        course = find_course()
        if check:
            if out is not None:
                print("grader release: --check changes nothing, so it does not take --out", file=sys.stderr)
                return 2
            ok, diff = check_release(course)
            if not ok:
                print(diff, end="")
                print("assignments/ is out of date with solutions/: run `grader release` and commit the result.")
                return 1
            print("assignments/ is up to date with solutions/.")
            return 0
        for path in write_assignments(course):
            print(f"wrote {path.relative_to(course.root)}")
        if out is not None:
            print(f"wrote the student release to {release_student(out, course)}")
        return 0
    except (MarkerError, FileNotFoundError, FileExistsError, RuntimeError) as error:
        print(f"grader release: {error}", file=sys.stderr)
        return 2
