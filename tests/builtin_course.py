"""The built-in course as the project's own tests see it: names, points and folders from its course file."""
from __future__ import annotations

import os
from pathlib import Path

import grader.judge.mutants as mutants
from grader.judge.course import BUILTIN, load

COURSE = load(BUILTIN)
ASSIGNMENTS = COURSE.names
LAYERS = {a.name: a.graded for a in COURSE.assignments}
ALL_LAYERS = tuple(name for a in COURSE.assignments for name in a.graded)
ASSIGNMENT_OF = {name: a.name for a in COURSE.assignments for name in a.graded}
SOLUTIONS = COURSE.solutions
RELEASED = COURSE.release_folder
MAX_SCORE = COURSE.max_score
MUTANTS = mutants.find(COURSE.root)  # the course's known mistakes, courses/backprop/mutants/<Name>/<mistake>.py


def max_score(*assignments: str) -> float:
    return sum(COURSE.assignment(a).max_score for a in assignments)


def mutant(key: "str | mutants.Mutant") -> mutants.Mutant:
    """One of the course's mutants by its id, ``"Relu/no_mask"``."""
    if isinstance(key, mutants.Mutant):
        return key
    found = [m for m in MUTANTS if m.id == key]
    assert found, f"the course has no mutant {key}"
    return found[0]


def mutated(key) -> str:
    """The text of the module a student making the mistake ``key`` submits."""
    return mutants.assemble(mutant(key), SOLUTIONS, f"{ASSIGNMENT_OF[mutant(key).name]}.py")[1]


def write_mutant(folder, key) -> Path:
    """Write the module a student making the mistake ``key`` submits into ``folder``; return its path."""
    path = Path(folder) / f"{ASSIGNMENT_OF[mutant(key).name]}.py"
    path.write_text(mutated(key), encoding="utf-8")
    return path


def mutant_submission(folder, key) -> Path:
    """A submission folder: the solutions with the mistake ``key`` in its module."""
    return mutants.submission(mutant(key), SOLUTIONS, folder, f"{ASSIGNMENT_OF[mutant(key).name]}.py")


def copy_course(destination) -> "Course":
    """A copy of the built-in course and its released stubs, laid out as in this repository
    (``courses/backprop`` and ``assignments``), so its release folder is the copy's own."""
    import shutil
    from pathlib import Path

    destination = Path(destination)
    root = destination / "courses" / COURSE.root.name
    shutil.copytree(COURSE.root, root, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(RELEASED, destination / RELEASED.name)
    return load(root)


class using:
    """``with using(path):`` the course at ``path`` is the default one (``GRADER_COURSE``), then no longer."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        import grader.judge.course as course

        self._before = os.environ.get(course.ENVIRONMENT_VARIABLE)
        os.environ[course.ENVIRONMENT_VARIABLE] = str(self.path)
        return course.default()

    def __exit__(self, *exc_info):
        import grader.judge.course as course

        if self._before is None:
            os.environ.pop(course.ENVIRONMENT_VARIABLE, None)
        else:
            os.environ[course.ENVIRONMENT_VARIABLE] = self._before


def course_module(name: str):
    """One of the built-in course's own modules (``reference``, ``hints``...), imported as the grader does."""
    import importlib

    import grader.judge.suites as suites

    suites.course_package(COURSE)
    return importlib.import_module(f"{suites.COURSE_PACKAGE}.{name}")


BUGGY_CHECK = '''

@check("MulLayer", points=1, kind="document")
def looked_up_in_a_table(student, rng):
    """A test with a bug of its own: it looks the gradients up in a table that holds only the right ones."""
    layer = student.new("MulLayer")
    layer.forward(2.0, 3.0)
    dx, dy = layer.backward(1.0)
    {(3.0, 2.0): "right"}[(float(dx), float(dy))]
'''


def copy_course_with_a_buggy_test(destination) -> "Course":
    """The built-in course plus a public MulLayer test that fails inside the grader (a KeyError) on a wrong
    backward pass: what a course author's slip does to a student's grading."""
    course = copy_course(destination)
    with open(course.root / "tests" / "public" / "gates.py", "a", encoding="utf-8") as tests:
        tests.write(BUGGY_CHECK)
    toml = course.file.read_text(encoding="utf-8")
    course.file.write_text(toml.replace("MulLayer = 10,", "MulLayer = 11,", 1), encoding="utf-8")
    return load(course.root)
