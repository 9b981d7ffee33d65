"""Hidden tests for affine_softmax.py: batch sizes, 4-D input, integer labels, huge logits."""
import numpy as np

from grader.api import expect_close, check, check_layer

from course import hints, reference as ref
from course.helpers import check_softmax_loss

AFFINE_CASES = {
    "batch1": {"x_shape": (1, 3), "outputs": 2},
    "batch4": {"x_shape": (4, 5), "outputs": 3},
    "input_4d": {"x_shape": (3, 2, 4, 5), "outputs": 6},
}


def labels(rng, n, k, one_hot):
    t = rng.integers(0, k, n)
    return np.eye(k)[t] if one_hot else t


@check("Affine", points=3, kind="numeric", cases=AFFINE_CASES)
def numeric(student, rng, x_shape, outputs):
    """Gradient check of dx (in x's original shape), dW and db."""
    D = int(np.prod(x_shape[1:]))
    params = {"W": rng.standard_normal((D, outputs)), "b": rng.standard_normal(outputs)}
    check_layer(student, rng, "Affine", ref.affine, rng.standard_normal(x_shape), params=params, hints=hints.AFFINE)


@check("Affine", points=2, kind="forward")
def forward(student, rng):
    """forward(x) is x.reshape(N, -1) @ W + b, and backward is right after it."""
    params = {"W": rng.standard_normal((6, 2)), "b": rng.standard_normal(2)}
    check_layer(student, rng, "Affine", ref.affine, rng.standard_normal((3, 2, 3)), params=params, hints=hints.AFFINE,
                check_output=True)


@check("SoftmaxWithLoss", points=2, kind="numeric", cases={
    "one_hot": {"n": 4, "k": 5, "one_hot": True},
    "integer_labels": {"n": 4, "k": 5, "one_hot": False},
    "batch1_one_hot": {"n": 1, "k": 3, "one_hot": True},
    "batch1_integer_labels": {"n": 1, "k": 3, "one_hot": False},
})
def numeric(student, rng, n, k, one_hot):
    """Gradient check of backward(1) against the mean cross-entropy."""
    check_softmax_loss(student, rng, rng.standard_normal((n, k)), labels(rng, n, k, one_hot), hint=hints.SOFTMAX)


@check("SoftmaxWithLoss", points=2, kind="edge")
def edge_large_logits(student, rng):
    """Logits around 1000 and -1000: no overflow, no NaN, in the loss or the gradient."""
    x = np.vstack([1000 + rng.standard_normal((2, 4)), -1000 + rng.standard_normal((1, 4))])
    t = labels(rng, 3, 4, one_hot=False)
    layer = student.new("SoftmaxWithLoss")
    loss = layer.forward(x, t)
    expect_close("loss", loss, ref.softmax_with_loss(x, t), hint=hints.STABLE_SOFTMAX)
    expect_close("dx", layer.backward(1), (ref.softmax(x) - ref.one_hot(t, 4)) / 3, hint=hints.STABLE_SOFTMAX)


@check("SoftmaxWithLoss", points=0.5, kind="forward", cases={"one_hot": {"one_hot": True}, "integer_labels": {"one_hot": False}})
def forward_loss(student, rng, one_hot):
    """forward(x, t) returns the mean cross-entropy of softmax(x), and backward is right after it."""
    check_softmax_loss(student, rng, rng.standard_normal((5, 4)), labels(rng, 5, 4, one_hot), hint=hints.SOFTMAX,
                       check_output=True)
