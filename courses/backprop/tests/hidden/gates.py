"""Hidden tests for gates.py: gradient checks on scalars and arrays of several shapes."""
from grader.api import check, binary_gate_check

from course import hints, reference as ref

SHAPES = {"scalars": {"shape": ()}, "vector": {"shape": (5,)}, "batch": {"shape": (4, 3)}, "tensor": {"shape": (2, 3, 4)}}


@check("MulLayer", points=1.25, kind="numeric", cases=SHAPES)
def numeric(student, rng, shape):
    """Gradient check of dx and dy."""
    binary_gate_check(student, rng, "MulLayer", ref.mul, shape, hint=hints.MUL)


@check("MulLayer", points=1, kind="forward")
def forward(student, rng):
    """forward(x, y) returns x * y, and backward is right after it."""
    binary_gate_check(student, rng, "MulLayer", ref.mul, (3, 2), hint=hints.MUL, check_output=True)


@check("AddLayer", points=1.25, kind="numeric", cases=SHAPES)
def numeric(student, rng, shape):
    """Gradient check of dx and dy."""
    binary_gate_check(student, rng, "AddLayer", ref.add, shape, hint=hints.ADD)


@check("AddLayer", points=1, kind="forward")
def forward(student, rng):
    """forward(x, y) returns x + y, and backward is right after it."""
    binary_gate_check(student, rng, "AddLayer", ref.add, (3, 2), hint=hints.ADD, check_output=True)
