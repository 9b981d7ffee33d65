"""Gates whose backward runs forward once more on the inputs it kept (allowed: it is not a numerical gradient)."""
import numpy as np


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        self.forward(self.x, self.y)  # harmless: the same inputs again
        return dout * self.y, dout * self.x


class AddLayer:
    def __init__(self):
        self.inputs = None

    def forward(self, x, y):
        self.inputs = (x, y)
        return x + y

    def backward(self, dout):
        out = type(self).forward(self, *self.inputs)  # through the class, on the inputs kept
        ones = np.ones_like(out, dtype=float)
        return dout * ones, dout * ones
