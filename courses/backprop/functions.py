"""Functions the tests hand to student code: the ``f`` of ``numerical_gradient(f, x)``
and ``gradient_descent(f, init_x, ...)``.

This file is course code that runs in the student's process (the grader
ships it there, as it ships the book's ``common`` modules), so it uses numpy
only. A test passes one of these by name (``course_function("bowl")``); the
judge imports the same file to know what to expect. Each function carries
its exact gradient (``f.gradient(x)``), worked out by hand, so the judge
never needs a numerical gradient or a descent loop of its own (which would
give the answers away in the student release). ``exact_gradient`` stands in
for the student's ``numerical_gradient`` while their ``gradient_descent`` is
graded, so a mistake in one never costs points on the other.
"""
import numpy as np


def _with_gradient(gradient):
    def attach(function):
        function.gradient = gradient
        return function
    return attach


def exact_gradient(f, x):
    """The gradient of one of these functions at x, from its formula."""
    return f.gradient(np.asarray(x, dtype=np.float64))


@_with_gradient(lambda x: 2.4 * x)
def square_scaled(x):
    """Document 003: f(x) = 1.2 x^2 (summed over the entries of x)."""
    return 1.2 * np.sum(x ** 2)


@_with_gradient(lambda x: 2.0 * x)
def function_2(x):
    """The book's f(x0, x1) = x0^2 + x1^2, for any number of entries."""
    return np.sum(x ** 2)


@_with_gradient(lambda x: np.array([x[1] * x[2], x[0] * x[2], x[0] * x[1]]))
def apple_price(x):
    """Document 001: the price of x[1] apples at x[0] each with tax x[2]."""
    return x[0] * x[1] * x[2]


def _bowl_curvature(x):
    return (np.arange(x.size, dtype=np.float64) + 1.0).reshape(x.shape)


@_with_gradient(lambda x: _bowl_curvature(x) * x)
def bowl(x):
    """An elongated bowl: sum of (k + 1) / 2 * x_k^2 over the entries in row-major order."""
    return np.sum(_bowl_curvature(x) / 2 * x ** 2)


def _coupled_gradient(x):
    flat = x.reshape(-1)
    weights = np.arange(1.0, flat.size + 1.0)
    grad = weights * np.cos(flat) + np.sum(flat)
    grad[:-1] += flat[1:]
    grad[1:] += flat[:-1]
    return grad.reshape(x.shape)


@_with_gradient(_coupled_gradient)
def coupled(x):
    """Not separable: every partial derivative depends on every entry, so an entry left
    shifted by h changes the derivatives computed after it."""
    flat = x.reshape(-1)
    weights = np.arange(1.0, flat.size + 1.0)
    return np.sum(np.sin(flat) * weights) + 0.5 * np.sum(flat) ** 2 + np.sum(flat[:-1] * flat[1:])
