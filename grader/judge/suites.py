"""The tests, declared the way pytest users expect.

A test is a plain function decorated with :func:`check`, in a course's
``tests/public/<assignment>.py`` or ``tests/hidden/<assignment>.py`` (the
folder gives its visibility, so a student release simply leaves ``hidden/``
out)::

    @check("MulLayer", points=2, kind="numeric")
    def numeric_arrays(student, rng):
        layer = student.new("MulLayer")
        ...

The first argument is one of the names the course file grades for that
assignment: a class (``student.new``) or a function (``student.function``).
``student`` reaches the submission's objects (see :class:`StudentModule`);
``rng`` is a numpy Generator seeded from the run's seed and the test's name, so
every test draws the same cases for the same ``--seed`` whatever else runs.
``cases`` turns one function into several tests, one per named keyword set.
Tests of different names may share a function name (``numeric_small`` for
MulLayer and for AddLayer): the registry keeps each function as it is
decorated, so the later definition does not replace the earlier test.

The points of a name's tests, public and hidden together, add up to the
points the course file gives that name; :func:`collect` says so if not.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import types
from dataclasses import dataclass, field
from typing import Callable

import grader.judge.diagnoses as diagnoses
from grader.judge.course import VISIBILITIES, CourseError
from grader.lang import _
from grader.sandbox.calls import CourseFunction

KINDS = ("document", "numeric", "edge", "forward")
COURSE_PACKAGE = "course"  # the name the course's own modules are imported under


@dataclass(frozen=True)
class Check:
    name: str
    assignment: str
    layer: str
    kind: str
    visibility: str
    points: float
    func: Callable
    params: dict = field(default_factory=dict)
    hints_off: tuple[str, ...] = ()  # diagnosis codes whose built-in hint the exercise does not show

    @property
    def description(self) -> str:
        doc = (self.func.__doc__ or "").strip()
        return _(doc.splitlines()[0]) if doc else ""  # the catalogue is keyed by the English first line


_DECLARED = "__grader_checks__"  # in a test module's globals: the tests it declares, as decorated


def check(layer: str, *, points: float, kind: str, cases: dict[str, dict] | None = None):
    """Declare the decorated function a test of ``layer`` (or one test per entry of ``cases``).

    The declaration is kept in the test module itself, in the order the
    functions are decorated, so two functions of the same name (the
    ``numeric_small`` of MulLayer and of AddLayer) stay two tests; the
    course loader reads it (:func:`collect`).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")

    def declare(func):
        parts = func.__module__.split(".")
        if len(parts) != 4 or parts[:2] != [COURSE_PACKAGE, "tests"] or parts[2] not in VISIBILITIES:
            raise CourseError(f"tests live in the course's tests/<public|hidden>/<assignment>.py, "
                              f"not {func.__module__}")
        func.__globals__.setdefault(_DECLARED, []).append((func, layer, float(points), kind, dict(cases or {"": {}})))
        return func

    return declare


def course_package(course) -> types.ModuleType:
    """The course folder as the package ``course``, so its tests import ``course.reference`` and the like.

    One course at a time holds the name: loading another course's tests
    replaces it (the tests already loaded keep their own modules).
    """
    package = sys.modules.get(COURSE_PACKAGE)
    if package is not None and getattr(package, "__path__", None) == [str(course.root)]:
        return package
    for name in [m for m in sys.modules if m == COURSE_PACKAGE or m.startswith(COURSE_PACKAGE + ".")]:
        del sys.modules[name]
    spec = importlib.machinery.ModuleSpec(COURSE_PACKAGE, None, is_package=True)
    spec.submodule_search_locations = [str(course.root)]
    package = importlib.util.module_from_spec(spec)
    package.__path__ = [str(course.root)]
    sys.modules[COURSE_PACKAGE] = package
    return package


def collect(course, visibilities=VISIBILITIES, assignments=None, *, points: bool = True) -> list[Check]:
    """Import ``course``'s suites asked for and return their tests, in course order; with every suite,
    say (a :class:`CourseError`) when a name's tests do not add up to its points, unless ``points`` is false
    (the course check counts them itself)."""
    chosen_assignments = course.select(assignments)
    course_package(course)
    chosen: dict[str, Check] = {}
    for visibility in visibilities:
        for assignment in chosen_assignments:
            if course.suite_file(visibility, assignment.name).is_file():
                module = importlib.import_module(f"{COURSE_PACKAGE}.tests.{visibility}.{assignment.name}")
                for check in _declared(course, module, visibility, assignment):
                    if check.name in chosen:
                        raise ValueError(f"two tests are named {check.name}")
                    chosen[check.name] = check
    if points and set(visibilities) >= set(VISIBILITIES):
        _check_points(course, chosen_assignments, list(chosen.values()))
    order = {a.name: i for i, a in enumerate(course.assignments)}
    return sorted(
        chosen.values(),
        key=lambda c: (order[c.assignment], course.assignment(c.assignment).graded.index(c.layer),
                       VISIBILITIES.index(c.visibility)),
    )


def _declared(course, module, visibility: str, assignment) -> list[Check]:
    """The tests ``module`` (``tests/<visibility>/<assignment>.py``) declared with :func:`check`."""
    checks = []
    for func, layer, points, kind, cases in vars(module).get(_DECLARED, []):
        if layer not in assignment.graded:
            raise CourseError(f"{course.file}: {assignment.name} grades no {layer!r}; "
                              f"add it to that assignment's graded names")
        for suffix, params in cases.items():
            test_name = f"{func.__name__}_{suffix}" if suffix else func.__name__
            name = f"{assignment.name}/{layer}/{test_name}"
            checks.append(Check(name, assignment.name, layer, kind, visibility, points, func, dict(params),
                                assignment.hints_off))
    return checks


def _check_points(course, assignments, checks: list[Check]) -> None:
    """Every graded name's tests add up to its points in the course file."""
    for assignment in assignments:
        for name, points in assignment.points.items():
            total = round(sum(c.points for c in checks if c.assignment == assignment.name and c.layer == name), 6)
            if total != points:
                raise CourseError(f"{course.file}: {assignment.name}.{name} is worth {points:g} points, "
                                  f"but its tests add up to {total:g}")


class Layer:
    """The judge's handle on one object living in the student's process."""

    def __init__(self, runner, handle: int, class_name: str):
        self._runner, self._handle, self.class_name = runner, handle, class_name

    def forward(self, *args, **kwargs):
        result = self._runner.call(self._handle, "forward", *args, **kwargs)
        diagnoses.note_forward(args, result)
        return result

    def backward(self, *args, **kwargs):
        diagnoses.note_backward(args)
        return self._runner.call(self._handle, "backward", *args, **kwargs)

    def get(self, attribute: str):
        return self._runner.get(self._handle, attribute)

    def run(self, *steps) -> "LayerSteps":
        """Several calls and attribute reads in one round trip, e.g. ``run(("forward", x), ("backward", dout), "dW")``.

        Returns at once; ``result[i]`` waits for the student's process and
        is what step ``i`` returned, or raises what it (or an earlier step)
        raised. Compute expected values between the two: the student's
        process works on the steps meanwhile.
        """
        plain = [step if isinstance(step, str) else (step[0], tuple(step[1:]), {}) for step in steps]
        return LayerSteps(self._runner.sequence(self._handle, plain), plain)


class LayerSteps:
    """What :meth:`Layer.run` returns: results by index, with the same bookkeeping as single calls."""

    def __init__(self, steps, plain: list):
        self._steps, self._plain, self._noted = steps, plain, False

    def __getitem__(self, index: int):
        if not self._noted:
            self._noted = True
            done = self._steps.done()
            for i, step in enumerate(self._plain[: done + 1]):
                if isinstance(step, str):
                    continue
                if step[0] == "backward":
                    diagnoses.note_backward(step[1])
                elif step[0] == "forward" and i < done:
                    diagnoses.note_forward(step[1], self._steps[i])
        return self._steps[index]


class Function:
    """The judge's handle on a module-level function of the submission.

    Calling it runs the student's function in the student's process with
    arrays, numbers and :func:`course_function` arguments, and returns what it
    returned. ``replacing`` maps names the function uses from its module to
    functions of the judge's, for the call only: with
    ``{"numerical_gradient": exact_gradient}``, ``gradient_descent`` calls a
    stand-in that asks the judge, which runs ``exact_gradient(f, x)`` with the
    call's course function as ``f`` (only that one, only during the call), so
    it is graded on its own and no answer enters the student's process.
    :meth:`call_keeping_inputs` also returns the arguments at the given
    positions as they are after the call (did it leave ``x`` unchanged?).

    ``foreseeing`` maps a replaced name to a function of the call's own
    arguments that lists the questions a correct function asks, as
    ``((args, kwargs), ...)`` (the points a gradient descent visits): the
    judge answers those before the call and sends them with it, so they cost
    no round trip. The answers are the same either way; a question not
    foreseen is asked.
    """

    def __init__(self, runner, module: str, name: str, replacing: dict | None = None,
                 foreseeing: dict | None = None):
        self._runner, self._module, self.name = runner, module, name
        self._replacing = dict(replacing or {})
        self._foreseeing = dict(foreseeing or {})

    def __call__(self, *args, **kwargs):
        return self._runner.call_function(self._module, self.name, args, kwargs, replacing=self._replacing,
                                          ahead=self._ahead(args, kwargs))

    def call_keeping_inputs(self, positions, *args, **kwargs):
        """``(result, *the arguments at positions after the call)``."""
        return self._runner.call_function(self._module, self.name, args, kwargs, echo=tuple(positions),
                                          replacing=self._replacing, ahead=self._ahead(args, kwargs))

    def _ahead(self, args, kwargs) -> dict:
        return {name: list(foresee(*args, **kwargs)) for name, foresee in self._foreseeing.items()}


def course_function(name: str) -> CourseFunction:
    """A function of the course's ``functions.py``, to pass to student code (``f`` of ``numerical_gradient(f, x)``)."""
    return CourseFunction(name)


class StudentModule:
    """What a test sees of one assignment module of the submission."""

    def __init__(self, runner, assignment: str):
        self._runner, self.assignment = runner, assignment

    def new(self, class_name: str, *args, **kwargs) -> Layer:
        return Layer(self._runner, self._runner.new_later(self.assignment, class_name, *args, **kwargs), class_name)

    def function(self, name: str, *, replacing: dict | None = None, foreseeing: dict | None = None) -> Function:
        return Function(self._runner, self.assignment, name, replacing, foreseeing)
