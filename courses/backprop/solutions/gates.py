"""Assignment 1: the multiply and add gates.

A computational graph is built from small nodes. Going forward, each node
computes its output from its inputs; going backward, it receives the upstream
gradient ``dout`` (the derivative of the loss with respect to its output) and
passes each input its share: the local gradient times ``dout`` (chain rule).

Write ``backward`` for the two simplest nodes:

- ``MulLayer``: out = x * y, so d(out)/dx = y and d(out)/dy = x. The inputs
  swap places: x's gradient uses y, y's gradient uses x. That is why
  ``forward`` keeps both inputs.
- ``AddLayer``: out = x + y, so both local gradients are 1 and ``dout``
  passes through unchanged.

Both take scalars or same-shape arrays, and ``backward(dout)`` returns the
pair ``(dx, dy)``. Check: buying 2 apples at 100 with 1.1 tax gives a price of
220 and, for dprice = 1, dapple = 2.2, dapple_num = 110 and dtax = 200.
"""
import numpy as np


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: MulLayer.backward: return (dx, dy), the gradients of the loss
        ###   with respect to x and y, each with the shape of dout.
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy
        ### END SOLUTION


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: AddLayer.backward: return (dx, dy), the gradients of the loss
        ###   with respect to x and y, each with the shape of dout.
        dx = dout * 1
        dy = dout * 1
        return dx, dy
        ### END SOLUTION
