"""Helpers of this course's tests: the judge's gates and the networks of the documents.

In a chain of layers, :func:`gate` gives the student's layer only for the one
under test; every other layer is the judge's (reference forward, numerical
backward), so an error never costs points twice.
"""
from __future__ import annotations

import numpy as np

from grader.api import (as_array, check_gradient, expect_close, N_, _, course_function, JudgeLayer, StudentLayer,
                        together)

from . import hints, reference as ref


REFERENCE_GATES = {"MulLayer": (ref.mul, 2), "AddLayer": (ref.add, 2), "Sigmoid": (ref.sigmoid, 1), "Relu": (ref.relu, 1)}


def gate(student, under_test: str, name: str):
    """The student's ``name`` layer if it is the one under test, else the judge's."""
    forward, inputs = REFERENCE_GATES[name]
    if name == under_test:
        return StudentLayer(student.new(name), inputs)
    return JudgeLayer(forward)


def sigmoid_neuron(student, under_test: str) -> None:
    """Document 002: out = sigmoid(w0*x0 + w1*x1 + w2) at w0=2, x0=-1, w1=-3, x1=-2, w2=-3."""
    mul0, mul1 = gate(student, under_test, "MulLayer"), gate(student, under_test, "MulLayer")
    add0, add1 = gate(student, under_test, "AddLayer"), gate(student, under_test, "AddLayer")
    sig = gate(student, under_test, "Sigmoid")

    weighted = add0.forward(mul0.forward(2.0, -1.0), mul1.forward(-3.0, -2.0))
    out = sig.forward(add1.forward(weighted, -3.0))
    expect_close("out", out, 0.7310585786300049)

    dz = sig.backward(1.0)
    dweighted, dw2 = add1.backward(dz)
    dm0, dm1 = add0.backward(dweighted)
    dw0, dx0 = mul0.backward(dm0)
    dw1, dx1 = mul1.backward(dm1)
    expected = {"dw0": -0.19661193324148185, "dx0": 0.3932238664829637, "dw1": -0.3932238664829637,
                "dx1": -0.5898357997244456, "dw2": 0.19661193324148185}
    got = {"dw0": dw0, "dx0": dx0, "dw1": dw1, "dx1": dx1, "dw2": dw2}
    with together():
        for name, value in expected.items():
            expect_close(name, got[name], value,
                         hint=N_("local gradient times upstream gradient, node by node (document 002)."))


def check_softmax_loss(student, rng, x, t, *, hint: str = "", check_output: bool = False) -> None:
    """Gradient check of SoftmaxWithLoss: backward(1) against the numerical gradient of the mean loss."""
    results = student.new("SoftmaxWithLoss").run(("forward", x, t), ("backward", 1))
    if check_output:
        expect_close("loss", results[0], ref.softmax_with_loss(x, t))
    check_gradient("dx", lambda: results[1], lambda v: ref.softmax_with_loss(v, t), x, rng, hint=hint)


def final_x(value, shape, what: str = "gradient_descent result"):
    """The x that gradient_descent returned: the value itself, or the first of ``(x, history)``."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        value = value[0]
        what = f"{what}[0] (x of the returned (x, history))"
    return as_array(value, what, shape)


def exact_gradient(f, x):
    """The gradient of the course function ``f`` at ``x``, from its formula (``reference.GRADIENTS``).

    It stands in for the student's ``numerical_gradient`` while their
    ``gradient_descent`` is graded, so a mistake in one never costs points on
    the other. It runs in the judge: the student's process asks, and only for
    the ``f`` its ``gradient_descent`` was given (``f`` arrives as that
    ``course_function``).
    """
    return ref.GRADIENTS[f.name](np.asarray(x, dtype=np.float64))


def check_numerical_gradient(student, f_name: str, x) -> None:
    """The student's numerical_gradient(f, x) against f's exact gradient, and x left unchanged.

    Central differences with h = 1e-4 are off by about h^2 / 6 times the third
    derivative (below 1e-7 here); a forward difference, a step of h instead
    of 2h or an entry left shifted is off by 1e-5 or far more."""
    x = np.array(x, dtype=np.float64)
    expected = exact_gradient(course_function(f_name), x)
    got, x_after = student.function("numerical_gradient").call_keeping_inputs([1], course_function(f_name), x)
    grad = as_array(got, _("{what} result").format(what="numerical_gradient"), x.shape)
    expect_close("numerical_gradient(f, x)", grad, expected, rtol=1e-6, atol=1e-7, hint=hints.NUMERICAL_GRADIENT)
    expect_close(_("x after {call}").format(call="numerical_gradient(f, x)"), as_array(x_after, "x", x.shape), x,
                 rtol=0, atol=0,
                 hint=N_("numerical_gradient must leave x as it found it: put x[idx] back after each entry."))


def run_gradient_descent(student, f_name: str, init_x, **options):
    """The student's gradient_descent, with the course's exact gradient in place of their numerical_gradient."""
    function = student.function("gradient_descent", replacing={"numerical_gradient": exact_gradient},
                                foreseeing={"numerical_gradient": descent_questions})
    return final_x(function(course_function(f_name), np.array(init_x, dtype=np.float64), **options),
                   np.shape(init_x))


def descent_questions(f, init_x, lr=0.01, step_num=100):
    """The numerical_gradient(f, x) calls of the book's gradient_descent, in order (x -= lr * grad from init_x),
    answered before the call so they cost no round trip; a descent that goes elsewhere asks as usual."""
    if not isinstance(step_num, int):
        return
    x = np.array(init_x, dtype=np.float64)
    for _ in range(min(step_num, DESCENT_STEPS_AHEAD)):
        yield (f, x.copy()), {}
        x -= lr * exact_gradient(f, x)


DESCENT_STEPS_AHEAD = 200


def expected_descent(f_name: str, init_x, lr: float, step_num: int):
    """Where step_num steps of gradient descent end on one of the quadratic course functions:
    their gradient is c * x, so every step multiplies x by (1 - lr * c)."""
    x = np.array(init_x, dtype=np.float64)
    curvature = exact_gradient(course_function(f_name), np.ones_like(x))
    return x * (1.0 - lr * curvature) ** step_num


def check_sigmoid_loss(student, rng, x, t, *, check_output: bool = False) -> None:
    """Gradient check of SigmoidWithLoss: backward(1) against the numerical gradient of the mean loss."""
    results = student.new("SigmoidWithLoss").run(("forward", x, t), ("backward", 1))
    if check_output:
        expect_close("loss", results[0], ref.binary_cross_entropy(x, t))
    check_gradient("dx", lambda: results[1], lambda v: ref.binary_cross_entropy(v, t), x, rng,
                   hint=hints.SIGMOID_LOSS)
