"""Assignment 2: the activation layers ReLU and sigmoid.

An activation acts on every element on its own, so its backward pass is an
element-wise product: ``dx = dout * (local gradient)``, and ``dx`` has the
shape of ``x``.

- ``Relu``: out = max(0, x). The local gradient is 1 where x > 0 and 0 where
  x <= 0 (at exactly 0 as well). ``forward`` records where x <= 0 in
  ``self.mask``.
- ``Sigmoid``: y = 1 / (1 + exp(-x)). Its derivative can be written with the
  output alone: dy/dx = y * (1 - y). ``forward`` keeps y in ``self.out``.

Check (the sigmoid neuron of the lecture): with w0 = 2, x0 = -1, w1 = -3,
x1 = -2, w2 = -3 the neuron computes sigmoid(w0*x0 + w1*x1 + w2) = sigmoid(1)
= 0.7310585786300049, and the sigmoid's local gradient there is
0.19661193324148185, so dw0 = 0.19661193324148185 * x0 = -0.19661193324148185.
"""
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Relu.backward: return dx with the shape of dout; the gradient
        ###   is 0 where x <= 0 (self.mask) and dout elsewhere.
        dx = np.where(self.mask, 0.0, dout)
        return dx
        ### END SOLUTION


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709; y is then 0
            out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Sigmoid.backward: return dx with the shape of dout, using the
        ###   forward output y kept in self.out.
        dx = dout * (1.0 - self.out) * self.out  # dy/dx = y (1 - y)
        return dx
        ### END SOLUTION
