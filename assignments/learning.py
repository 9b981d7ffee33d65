"""Assignment 5: learning from gradients.

Backpropagation gives the gradient of the loss; learning is what is done
with it. This module has three pieces of the book's chapter on learning:

- ``numerical_gradient(f, x)``: the gradient of a scalar function ``f`` at
  ``x`` by central differences, (f(x + h) - f(x - h)) / (2h) with h = 1e-4,
  one entry of ``x`` at a time, for an ``x`` of any shape. It is how the
  backward passes of the other assignments are checked (document 001), so it
  must leave ``x`` exactly as it found it.
- ``gradient_descent(f, init_x, lr=0.01, step_num=100)``: ``step_num``
  updates x <- x - lr * numerical_gradient(f, x) from ``init_x``; returns the
  final x (document 003).
- ``SigmoidWithLoss``: logistic regression's output layer, the sigmoid with
  the binary cross-entropy. ``forward(x, t)`` returns the mean loss over the
  batch; ``backward(dout=1)`` returns (sigmoid(x) - t) / N: the (a - y) of
  document 000, divided by the batch size because the loss is a mean.

Check (document 003): for f(x) = 1.2 x^2 from x = 3, lr = 0.2 gives 1.56,
0.8112, 0.421824, ... after 1, 2, 3 steps; without a learning rate (lr = 1)
the steps overshoot and diverge: -4.2, 5.88, -8.232, ...
"""
import numpy as np


def sigmoid(x):
    with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709; y is then 0
        return 1 / (1 + np.exp(-x))


def binary_cross_entropy(x, t):
    """Mean of -(t log y + (1 - t) log(1 - y)) with y = sigmoid(x), computed from x itself:
    per entry it is log(1 + exp(x)) - t x, which np.logaddexp evaluates without overflow."""
    return np.mean(np.logaddexp(0.0, x) - t * x)


def numerical_gradient(f, x):
    # YOUR CODE HERE
    raise NotImplementedError(
        "return the gradient of f at x, an array shaped like x, by central "
        "differences (f(x + h) - f(x - h)) / (2h) with h = 1e-4, one entry of "
        "x at a time; put every entry of x back as it was."
    )


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    # YOUR CODE HERE
    raise NotImplementedError(
        "starting from init_x, take step_num steps x <- x - lr * (the "
        "numerical gradient of f at x); return the final x."
    )


class SigmoidWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # sigmoid(x)
        self.t = None  # labels: 0 or 1, shaped like x

    def forward(self, x, t):
        self.t = t
        self.y = sigmoid(x)
        self.loss = binary_cross_entropy(x, t)
        return self.loss

    def backward(self, dout=1):
        # YOUR CODE HERE
        raise NotImplementedError(
            "SigmoidWithLoss.backward: return dx, shaped like x: the gradient "
            "of the mean loss, (sigmoid(x) - t) divided by the batch size."
        )
