"""The tests, declared the way pytest users expect.

A test is a plain function decorated with :func:`check`, in a module named
after its assignment, inside ``public/`` or ``hidden/`` (the folder gives its
visibility, so a student release simply leaves ``hidden/`` out)::

    @check("MulLayer", points=2, kind="numeric")
    def numeric_arrays(student, rng):
        layer = student.new("MulLayer")
        ...

``student`` creates the submission's objects (see :class:`StudentModule`);
``rng`` is a numpy Generator seeded from the run's seed and the test's name, so
every test draws the same cases for the same ``--seed`` whatever else runs.
``cases`` turns one function into several tests, one per named keyword set.
Tests of different layers may share a function name (``numeric_small`` for
MulLayer and for AddLayer): the registry keeps each function as it is
decorated, so the later definition does not replace the earlier test.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Callable

from grader import diagnoses

ASSIGNMENTS = ("gates", "activations", "affine_softmax", "conv_pool")
LAYERS = {
    "gates": ("MulLayer", "AddLayer"),
    "activations": ("Relu", "Sigmoid"),
    "affine_softmax": ("Affine", "SoftmaxWithLoss"),
    "conv_pool": ("Convolution", "Pooling"),
}
KINDS = ("document", "numeric", "edge", "forward")
VISIBILITIES = ("public", "hidden")


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

    @property
    def description(self) -> str:
        doc = (self.func.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


_REGISTRY: dict[str, Check] = {}


def check(layer: str, *, points: float, kind: str, cases: dict[str, dict] | None = None):
    """Register the decorated function as one test (or one per entry of ``cases``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")

    def register(func):
        visibility, _, assignment = func.__module__.rpartition(".")
        visibility = visibility.rpartition(".")[2]
        if visibility not in VISIBILITIES or assignment not in ASSIGNMENTS:
            raise ValueError(f"tests live in grader/suites/<public|hidden>/<assignment>.py, not {func.__module__}")
        if layer not in LAYERS[assignment]:
            raise ValueError(f"{assignment} has no layer {layer!r}")
        for suffix, params in (cases or {"": {}}).items():
            test_name = f"{func.__name__}_{suffix}" if suffix else func.__name__
            name = f"{assignment}/{layer}/{test_name}"
            if name in _REGISTRY and _REGISTRY[name].func.__qualname__ != func.__qualname__:
                raise ValueError(f"two tests are named {name}")
            _REGISTRY[name] = Check(name, assignment, layer, kind, visibility, float(points), func, dict(params))
        return func

    return register


def available_visibilities() -> tuple[str, ...]:
    """The suites installed here (a student release has no hidden suite)."""
    return tuple(v for v in VISIBILITIES if importlib.util.find_spec(f"{__name__}.{v}") is not None)


def collect(visibilities=VISIBILITIES, assignments=ASSIGNMENTS) -> list[Check]:
    """Import the suites asked for and return their tests, in a stable order."""
    for visibility in visibilities:
        for assignment in assignments:
            module = f"{__name__}.{visibility}.{assignment}"
            if importlib.util.find_spec(module) is not None:
                importlib.import_module(module)
    order = {a: i for i, a in enumerate(ASSIGNMENTS)}
    chosen = [
        c for c in _REGISTRY.values() if c.visibility in visibilities and c.assignment in assignments
    ]
    return sorted(
        chosen,
        key=lambda c: (order[c.assignment], LAYERS[c.assignment].index(c.layer), VISIBILITIES.index(c.visibility)),
    )


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


class StudentModule:
    """What a test sees of one assignment module of the submission."""

    def __init__(self, runner, assignment: str):
        self._runner, self.assignment = runner, assignment

    def new(self, class_name: str, *args, **kwargs) -> Layer:
        return Layer(self._runner, self._runner.new(self.assignment, class_name, *args, **kwargs), class_name)
