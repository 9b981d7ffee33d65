"""Public tests for affine_softmax.py: document 001's bias gradient and
softmax-with-loss gradient, and one gradient check each."""
import numpy as np

from grader.api import expect_close, check, check_layer

from course import hints, reference as ref
from course.helpers import check_softmax_loss


@check("Affine", points=2, kind="document")
def document_bias_gradient(student, rng):
    """Document 001: with dY = [[1, 2, 3], [4, 5, 6]], db = [5, 7, 9]."""
    layer = student.new("Affine", rng.standard_normal((2, 3)), np.zeros(3))
    layer.forward(rng.standard_normal((2, 2)))
    layer.backward(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    expect_close("db", layer.get("db"), [5.0, 7.0, 9.0], hint=hints.AFFINE["b"])


@check("SoftmaxWithLoss", points=2, kind="document")
def document_y_minus_t(student, rng):
    """Document 001: the gradient of softmax-with-loss is (y - t) / batch_size."""
    x = np.array([[0.3, 2.9, 4.0], [0.1, 0.2, 0.7], [1.5, -0.5, 0.0], [2.0, 1.0, 0.1]])
    t = np.eye(3)[[2, 1, 0, 0]]
    layer = student.new("SoftmaxWithLoss")
    expect_close("loss", layer.forward(x, t), ref.softmax_with_loss(x, t))
    expect_close("dx", layer.backward(1), (ref.softmax(x) - t) / len(x), hint=hints.SOFTMAX)


@check("Affine", points=2, kind="numeric")
def numeric_small(student, rng):
    """Gradient check: x (2, 3), W (3, 4), b (4,)."""
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    check_layer(student, rng, "Affine", ref.affine, rng.standard_normal((2, 3)), params=params, hints=hints.AFFINE)


@check("SoftmaxWithLoss", points=2, kind="numeric")
def numeric_small(student, rng):
    """Gradient check of the loss for 3 samples and 4 classes, one-hot labels."""
    x, t = rng.standard_normal((3, 4)), np.eye(4)[rng.integers(0, 4, 3)]
    check_softmax_loss(student, rng, x, t, hint=hints.SOFTMAX)
