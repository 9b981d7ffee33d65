"""Hidden tests for activations.py: gradient checks over shapes, ReLU at exactly 0, saturated sigmoids."""
import numpy as np

from grader.api import expect_close, N_, check, away_from_zero, check_layer

from course import hints, reference as ref

SHAPES = {"vector": {"shape": (6,)}, "batch": {"shape": (4, 5)}, "images": {"shape": (2, 3, 4, 5)}}


@check("Relu", points=1.5, kind="numeric", cases=SHAPES)
def numeric(student, rng, shape):
    """Gradient check away from the kink at 0."""
    check_layer(student, rng, "Relu", ref.relu, away_from_zero(rng, shape), hints={"dx": hints.RELU})


@check("Relu", points=2.5, kind="edge")
def edge_exactly_zero(student, rng):
    """At x == 0 exactly the gradient is 0 (the mask is x <= 0)."""
    x = np.array([[-1.0, 0.0, 2.0, 0.0], [0.0, 3.0, -0.5, 0.0]])
    dout = rng.standard_normal(x.shape) + 2.0
    layer = student.new("Relu")
    layer.forward(x)
    expect_close("dx", layer.backward(dout), np.where(x > 0, dout, 0.0),
                 hint=N_("at x == 0 the gradient must be 0: block where x <= 0, not only where x < 0."))


@check("Relu", points=1, kind="forward")
def forward(student, rng):
    """forward(x) is max(x, 0), and backward is right after it."""
    check_layer(student, rng, "Relu", ref.relu, away_from_zero(rng, (3, 4)), hints={"dx": hints.RELU}, check_output=True)


@check("Sigmoid", points=1, kind="numeric", cases=SHAPES)
def numeric(student, rng, shape):
    """Gradient check."""
    check_layer(student, rng, "Sigmoid", ref.sigmoid, 2 * rng.standard_normal(shape), hints={"dx": hints.SIGMOID})


@check("Sigmoid", points=2, kind="edge")
def edge_saturated(student, rng):
    """Far from 0 the sigmoid saturates: the gradient tends to 0 and must not be NaN."""
    x = np.array([-800.0, -40.0, -8.0, 0.0, 8.0, 40.0, 800.0])
    dout = rng.standard_normal(x.shape)
    layer = student.new("Sigmoid")
    layer.forward(x)
    s = ref.sigmoid(x)
    expect_close("dx", layer.backward(dout), dout * s * (1 - s), hint=hints.SIGMOID)


@check("Sigmoid", points=1, kind="forward")
def forward(student, rng):
    """forward(x) is 1 / (1 + exp(-x)), and backward is right after it."""
    check_layer(student, rng, "Sigmoid", ref.sigmoid, rng.standard_normal((3, 4)), hints={"dx": hints.SIGMOID},
                check_output=True)
