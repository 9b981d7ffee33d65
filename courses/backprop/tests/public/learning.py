"""Public tests for learning.py: the gradient check of document 001 done numerically, the two
gradient descents of document 003, and logistic regression's loss layer (document 000).

``f`` is always a function of the course (``functions.py``), run in the student's
process; while ``gradient_descent`` is graded, the course's exact gradient takes
the place of the student's ``numerical_gradient``, so a mistake in one never
costs points on the other.
"""
import numpy as np

from grader.api import expect_close, _, check

from course import hints
from course.helpers import check_numerical_gradient, check_sigmoid_loss, expected_descent, run_gradient_descent

CONVERGING = (1.56, 0.8112, 0.421824, 0.21934848, 0.1140612096)
DIVERGING = (-4.2, 5.88, -8.232, 11.5248, -16.13472)


@check("numerical_gradient", points=1, kind="document")
def document_apple_price(student, rng):
    """Document 001: the numerical gradient of 100 x 2 x 1.1 is (2.2, 110, 200), as backward says."""
    check_numerical_gradient(student, "apple_price", np.array([100.0, 2.0, 1.1]))


@check("numerical_gradient", points=1, kind="numeric")
def numeric_function_2(student, rng):
    """The book's x0^2 + x1^2 at a random point: central differences, x unchanged."""
    check_numerical_gradient(student, "function_2", rng.uniform(-4, 4, size=2))


@check("gradient_descent", points=1.5, kind="document")
def document_learning_rate(student, rng):
    """Document 003: f(x) = 1.2 x^2 from x = 3 with lr = 0.2 gives 1.56, 0.8112, 0.421824, ... after 1..5 steps."""
    for steps, expected in enumerate(CONVERGING, start=1):
        x = run_gradient_descent(student, "square_scaled", np.array([3.0]), lr=0.2, step_num=steps)
        expect_close(_("x after {count} steps").format(count=steps) + " (lr=0.2)", x, [expected], rtol=1e-6, hint=hints.GRADIENT_DESCENT)


@check("gradient_descent", points=1.5, kind="document")
def document_without_learning_rate(student, rng):
    """Document 003: without a learning rate (lr = 1) the steps diverge: -4.2, 5.88, -8.232, 11.5248, -16.13472."""
    for steps, expected in enumerate(DIVERGING, start=1):
        x = run_gradient_descent(student, "square_scaled", np.array([3.0]), lr=1.0, step_num=steps)
        expect_close(_("x after {count} steps").format(count=steps) + " (lr=1)", x, [expected], rtol=1e-6, hint=hints.GRADIENT_DESCENT)


@check("gradient_descent", points=0.5, kind="numeric")
def numeric_one_step(student, rng):
    """One step of lr = 0.3 on 1.2 x^2 from a random x: x - 0.3 * 2.4 x."""
    start = rng.uniform(-5, 5, size=4)
    x = run_gradient_descent(student, "square_scaled", start, lr=0.3, step_num=1)
    expect_close(_("x after {count} steps").format(count=1), x, expected_descent("square_scaled", start, 0.3, 1), rtol=1e-6,
                 hint=hints.GRADIENT_DESCENT)


@check("SigmoidWithLoss", points=2, kind="document")
def document_logistic_regression(student, rng):
    """Document 000: z = wx + b, a = sigmoid(z), binary cross-entropy: dL/dz = a - y, dL/dw = (a - y) x, dL/db = a - y."""
    w, x, b, y = 0.5, 2.0, -0.3, 1.0
    layer = student.new("SigmoidWithLoss")
    loss = layer.forward(np.array([w * x + b]), np.array([y]))
    expect_close("loss", loss, 0.40318604888545784)
    dz = expect_close("dz", layer.backward(1), [-0.33181222783183384], hint=hints.SIGMOID_LOSS)
    expect_close("dL/dw = dz * x", dz * x, [-0.6636244556636677], hint=hints.SIGMOID_LOSS)


@check("SigmoidWithLoss", points=1, kind="numeric")
def numeric_vector(student, rng):
    """Gradient check of dx for a batch of 6 logits and 0/1 labels, shape (6,)."""
    x = rng.standard_normal(6) * 2
    t = (rng.random(6) < 0.5).astype(np.float64)
    check_sigmoid_loss(student, rng, x, t)
