"""Hidden tests for learning.py: other shapes and functions, default arguments, and the edges
(x must come back unchanged, a loss that must not overflow for large |x|)."""
import numpy as np

from grader.api import as_array, expect_close, N_, _, check

from course import hints, reference as ref
from course.helpers import check_numerical_gradient, check_sigmoid_loss, expected_descent, run_gradient_descent

SHAPES = {"matrix": {"shape": (2, 3)}, "tensor": {"shape": (2, 3, 2)}}


@check("numerical_gradient", points=1, kind="numeric", cases=SHAPES)
def numeric_coupled(student, rng, shape):
    """A function where every derivative depends on every entry, on an x of several dimensions."""
    check_numerical_gradient(student, "coupled", rng.uniform(-1, 1, size=shape))


@check("numerical_gradient", points=1, kind="numeric")
def numeric_central_difference(student, rng):
    """f(x) = 1.2 x^2 at x = 3: the central difference is exact (7.2); a forward difference is off by 1.2 h."""
    check_numerical_gradient(student, "square_scaled", np.array([3.0]))


@check("numerical_gradient", points=1, kind="edge")
def edge_x_unchanged(student, rng):
    """x comes back exactly as it was, every entry, after the gradient of a 4 x 3 bowl."""
    check_numerical_gradient(student, "bowl", rng.uniform(-2, 2, size=(4, 3)))


@check("gradient_descent", points=1, kind="numeric")
def numeric_bowl(student, rng):
    """20 steps with lr = 0.05 down a bowl from a random 3 x 2 start."""
    start = rng.uniform(-3, 3, size=(3, 2))
    x = run_gradient_descent(student, "bowl", start, lr=0.05, step_num=20)
    expect_close(_("x after {count} steps").format(count=20), x, expected_descent("bowl", start, 0.05, 20), rtol=1e-6,
                 hint=hints.GRADIENT_DESCENT)


@check("gradient_descent", points=0.5, kind="numeric")
def numeric_book_example(student, rng):
    """The book's example: x0^2 + x1^2 from (-3, 4) with lr = 0.1 and 100 steps ends near (0, 0)."""
    x = run_gradient_descent(student, "function_2", np.array([-3.0, 4.0]), lr=0.1, step_num=100)
    expected = expected_descent("function_2", np.array([-3.0, 4.0]), 0.1, 100)
    expect_close(_("x after {count} steps").format(count=100), x, expected, rtol=1e-6, hint=hints.GRADIENT_DESCENT)


@check("gradient_descent", points=1, kind="edge")
def edge_default_arguments(student, rng):
    """Without lr and step_num the defaults are lr = 0.01 and step_num = 100."""
    start = rng.uniform(-2, 2, size=3)
    x = run_gradient_descent(student, "bowl", start)
    expect_close(_("x after {call}").format(call="gradient_descent(f, init_x)"), x, expected_descent("bowl", start, 0.01, 100), rtol=1e-6,
                 hint=_("the defaults are lr=0.01 and step_num=100.") + " " + _(hints.GRADIENT_DESCENT))


@check("SigmoidWithLoss", points=1.5, kind="numeric")
def numeric_column(student, rng):
    """Gradient check of dx for logits and labels of shape (8, 1)."""
    x = rng.standard_normal((8, 1)) * 3
    t = (rng.random((8, 1)) < 0.5).astype(np.float64)
    check_sigmoid_loss(student, rng, x, t)


@check("SigmoidWithLoss", points=1, kind="numeric")
def numeric_batch(student, rng):
    """Gradient check of dx for a batch of 20: the mean divides by 20."""
    x = rng.standard_normal(20)
    t = (rng.random(20) < 0.5).astype(np.float64)
    check_sigmoid_loss(student, rng, x, t)


@check("SigmoidWithLoss", points=1, kind="forward")
def forward_loss(student, rng):
    """forward returns the mean binary cross-entropy; backward after it gives dx."""
    x = rng.standard_normal(5)
    t = (rng.random(5) < 0.5).astype(np.float64)
    check_sigmoid_loss(student, rng, x, t, check_output=True)


@check("SigmoidWithLoss", points=1.5, kind="edge")
def edge_large_inputs(student, rng):
    """Logits of +-40 and +-800: the loss stays finite (no overflow) and dx is (sigmoid(x) - t) / N."""
    x = np.array([40.0, -40.0, 800.0, -800.0, 800.0, -800.0])
    t = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    layer = student.new("SigmoidWithLoss")
    loss = as_array(layer.forward(x, t), "loss", ())
    # forward is the stub's: the exact loss and the book's, log(y + 1e-7) (1.5 points lost on it otherwise), are
    # both right; an overflow (inf, NaN) is neither
    exact, book = ref.binary_cross_entropy(x, t), ref.binary_cross_entropy_book(x, t)
    expect_close("loss", loss, book if abs(loss - book) < abs(loss - exact) else exact,
                 hint=N_("compute the loss from x with np.logaddexp(0, x) - t * x, which never overflows."))
    check_sigmoid_loss(student, rng, x, t)
