"""Hidden tests for gates.py: gradient checks on scalars and arrays of several shapes."""
from grader import reference as ref
from grader.suites import check
from grader.suites.helpers import binary_gate_check

SHAPES = {"scalars": {"shape": ()}, "vector": {"shape": (5,)}, "batch": {"shape": (4, 3)}, "tensor": {"shape": (2, 3, 4)}}
MUL_HINT = "a multiply gate swaps its inputs: dx = dout * y, dy = dout * x."
ADD_HINT = "an add gate passes dout through unchanged to both inputs."


@check("MulLayer", points=1.25, kind="numeric", cases=SHAPES)
def numeric(student, rng, shape):
    """Gradient check of dx and dy."""
    binary_gate_check(student, rng, "MulLayer", ref.mul, shape, hint=MUL_HINT)


@check("MulLayer", points=1, kind="forward")
def forward(student, rng):
    """forward(x, y) returns x * y, and backward is right after it."""
    binary_gate_check(student, rng, "MulLayer", ref.mul, (3, 2), hint=MUL_HINT, check_output=True)


@check("AddLayer", points=1.25, kind="numeric", cases=SHAPES)
def numeric(student, rng, shape):
    """Gradient check of dx and dy."""
    binary_gate_check(student, rng, "AddLayer", ref.add, shape, hint=ADD_HINT)


@check("AddLayer", points=1, kind="forward")
def forward(student, rng):
    """forward(x, y) returns x + y, and backward is right after it."""
    binary_gate_check(student, rng, "AddLayer", ref.add, (3, 2), hint=ADD_HINT, check_output=True)
