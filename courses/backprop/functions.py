"""Functions the tests hand to student code: the ``f`` of ``numerical_gradient(f, x)``
and ``gradient_descent(f, init_x, ...)``.

This file is course code that runs in the student's process (the grader
ships it there, as it ships the book's ``common`` modules), so it uses numpy
only, and it holds the functions' values and nothing else: whatever student
code can reach from an ``f`` (its attributes, its module, its globals) must
compute no gradient, or ``return f.gradient(x)`` would earn the marks of
``numerical_gradient``. A test passes one of these by name
(``course_function("bowl")``); their exact gradients, worked out by hand,
are in ``reference.py`` (``GRADIENTS``), which only the judge runs.
"""
import numpy as np


def square_scaled(x):
    """Document 003: f(x) = 1.2 x^2 (summed over the entries of x)."""
    return 1.2 * np.sum(x ** 2)


def function_2(x):
    """The book's f(x0, x1) = x0^2 + x1^2, for any number of entries."""
    return np.sum(x ** 2)


def apple_price(x):
    """Document 001: the price of x[1] apples at x[0] each with tax x[2]."""
    return x[0] * x[1] * x[2]


def bowl(x):
    """An elongated bowl: sum of (k + 1) / 2 * x_k^2 over the entries in row-major order."""
    curvature = np.arange(1.0, x.size + 1.0).reshape(x.shape)
    return np.sum(curvature / 2 * x ** 2)


def coupled(x):
    """Not separable: every partial derivative depends on every entry, so an entry left
    shifted by h changes the derivatives computed after it."""
    flat = x.reshape(-1)
    weights = np.arange(1.0, flat.size + 1.0)
    return np.sum(np.sin(flat) * weights) + 0.5 * np.sum(flat) ** 2 + np.sum(flat[:-1] * flat[1:])
