"""Sigmoid.backward uses the input x in place of the output: dout * (1 - x) * x.

Diagnosis: wrong_values
"""
import numpy as np


class Sigmoid:
    def forward(self, x):
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709; y is then 0
            out = 1 / (1 + np.exp(-x))
        self.x = x
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.x) * self.x
        return dx
