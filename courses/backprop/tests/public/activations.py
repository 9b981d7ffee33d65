"""Public tests for activations.py: the sigmoid neuron (document 002), the
logistic-regression gradients (document 000), and one gradient check each."""
import numpy as np

from grader.api import as_array, expect_close, numeric_vjp, _, check, away_from_zero, check_layer

from course import hints, reference as ref
from course.helpers import sigmoid_neuron


@check("Sigmoid", points=1.5, kind="document")
def document_sigmoid_neuron(student, rng):
    """Document 002: sigmoid(w0*x0 + w1*x1 + w2) with the student's Sigmoid."""
    sigmoid_neuron(student, under_test="Sigmoid")


@check("Sigmoid", points=1.5, kind="document")
def document_logistic_regression(student, rng):
    """Document 000: for a = sigmoid(w.x + b) and cross-entropy, dL/dw = (a - y) x and dL/db = a - y."""
    X = np.array([[1.0, 2.0], [-0.5, 1.5], [2.0, -1.0], [0.3, 0.3]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    w, b = np.array([0.5, -0.3]), 0.1
    z = X @ w + b
    sig = student.new("Sigmoid")
    a = as_array(sig.forward(z), _("{layer}.forward output").format(layer="Sigmoid"), z.shape)
    expect_close("a = sigmoid(z)", a, ref.sigmoid(z))
    # cross-entropy averaged over the batch, differentiated by the judge
    loss = lambda a: -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    (da,) = numeric_vjp(loss, (a,), 1.0)
    dz = sig.backward(da)
    dw, db = numeric_vjp(lambda w, b: X @ w + b, (w, b), as_array(dz, "dz", z.shape))
    a_true = ref.sigmoid(z)
    expect_close("dL/dw", dw, X.T @ (a_true - y) / len(y), hint=hints.SIGMOID)
    expect_close("dL/db", db, np.mean(a_true - y), hint=hints.SIGMOID)


@check("Relu", points=2, kind="numeric")
def numeric_small(student, rng):
    """Gradient check on a 3x4 array."""
    check_layer(student, rng, "Relu", ref.relu, away_from_zero(rng, (3, 4)), hints={"dx": hints.RELU})


@check("Sigmoid", points=1, kind="numeric")
def numeric_small(student, rng):
    """Gradient check on a 3x4 array."""
    check_layer(student, rng, "Sigmoid", ref.sigmoid, rng.standard_normal((3, 4)), hints={"dx": hints.SIGMOID})
